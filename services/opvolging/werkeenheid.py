"""Loading and opening dossiers inside a unit of work.

Both the use cases of staff (`application`) and the reactions to upstream events
(`policies`) change aggregates through a `plumbing.consumer.UnitOfWork`: `get` loads
an aggregate once per unit, `add` marks a new one for saving. Whoever owns the unit
saves everything it touched in one transaction: the consumer together with its
tracking rows, the application on its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Protocol
from uuid import UUID

from services.opvolging.domain.dossier import Dossier
from services.opvolging.domain.fouten import DossierOnbekend
from services.opvolging.domain.handeling import Handeling
from services.opvolging.domain.leerlingdossiers import LeerlingDossiers
from services.opvolging.domain.lesweekverzuim import Lesweekverzuim
from services.opvolging.domain.schoolkalender import Schoolkalender

__all__ = [
    "Werkeenheid",
    "dossier_laden",
    "dossier_van_melding",
    "kalender_laden",
    "lesweekverzuim_laden",
    "open_of_voeg_bij",
    "pointer_laden",
]

logger = logging.getLogger(__name__)


class Werkeenheid(Protocol):
    """What `plumbing.consumer.UnitOfWork` offers; a structural type for the tests."""

    def get(self, aggregate_id: Any) -> Any | None: ...

    def add(self, *aggregates: Any) -> None: ...

    def batch_state(self, name: str, create: Callable[[], Any]) -> Any: ...


def dossier_laden(uow: Werkeenheid, dossier_id: UUID) -> Dossier:
    dossier = uow.get(dossier_id)
    if not isinstance(dossier, Dossier):
        raise DossierOnbekend(f"dossier {dossier_id} bestaat niet")
    return dossier


def pointer_laden(
    uow: Werkeenheid, school_id: str, leerling_id: str
) -> LeerlingDossiers | None:
    pointer = uow.get(LeerlingDossiers.id_voor(school_id, leerling_id))
    return pointer if isinstance(pointer, LeerlingDossiers) else None


def open_of_voeg_bij(
    uow: Werkeenheid,
    school_id: str,
    leerling_id: str,
    handeling: Handeling,
    aanleiding_id: str,
) -> tuple[Dossier, LeerlingDossiers]:
    """The pupil's open dossier at this school, opened now when there is none.

    Opening writes the pointer too: a second writer opening for the same pupil at
    the same time conflicts on it, retries and joins the dossier the first opened.
    """
    pointer = pointer_laden(uow, school_id, leerling_id)
    if pointer is None:
        pointer = LeerlingDossiers.maak(school_id, leerling_id)
        uow.add(pointer)
    if pointer.open_dossier is not None:
        return dossier_laden(uow, pointer.open_dossier), pointer
    dossier = Dossier.open(
        leerling_id=leerling_id,
        school_id=school_id,
        handeling=handeling,
        aanleiding_id=aanleiding_id,
    )
    pointer.dossier_geopend(dossier.id)
    uow.add(dossier)
    logger.info(
        "dossier geopend",
        extra={"event": "dossier_geopend", "dossier": str(dossier.id)},
    )
    return dossier, pointer


def dossier_van_melding(
    uow: Werkeenheid, school_id: str, leerling_id: str, meldplicht_id: str
) -> Dossier | None:
    """The dossier (open or closed) that holds the melding of this duty."""
    pointer = pointer_laden(uow, school_id, leerling_id)
    dossier_id = pointer.meldingen.get(meldplicht_id) if pointer else None
    return dossier_laden(uow, dossier_id) if dossier_id is not None else None


def lesweekverzuim_laden(
    uow: Werkeenheid, school_id: str, leerling_id: str, *, maak: bool
) -> Lesweekverzuim | None:
    verzuim_id = Lesweekverzuim.id_voor(school_id, leerling_id)
    # A pupil without unauthorised time has no figures yet, and each of its slots
    # would ask the store again: the unit remembers what the store did not have.
    ontbrekend: set[Any] = uow.batch_state("lesweekverzuim ontbrekend", set)
    if verzuim_id not in ontbrekend:
        verzuim = uow.get(verzuim_id)
        if isinstance(verzuim, Lesweekverzuim):
            return verzuim
        ontbrekend.add(verzuim_id)
    if not maak:
        return None
    verzuim = Lesweekverzuim.maak(school_id, leerling_id)
    uow.add(verzuim)
    ontbrekend.discard(verzuim_id)
    return verzuim


def kalender_laden(uow: Werkeenheid, school_id: str) -> Schoolkalender:
    kalender = uow.get(Schoolkalender.id_voor(school_id))
    if isinstance(kalender, Schoolkalender):
        return kalender
    kalender = Schoolkalender.maak(school_id)
    uow.add(kalender)
    return kalender
