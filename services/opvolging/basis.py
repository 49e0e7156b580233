"""The base of the opvolging application: store set-up, units of work, the policy
per school, and retrying on the library's version conflict.

The aggregates: the `Dossier`; per (school, pupil) a `LeerlingDossiers` pointer that
keeps open-or-join safe with several writers and parks DUO statuses that overtook
their duty; per (school, pupil) the `Lesweekverzuim` behind the PDCA check; per
school its `Schoolkalender`. Listings come from `DossierOverzicht`, an in-memory
projection caught up from the notification log before each query (rebuilt from the
log after a restart).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import JSONTranscoder, RecordConflictError

from plumbing.consumer import UnitOfWork
from plumbing.security.personal_fields import SealedFieldsApplication
from plumbing.transcodings import DateAsISO
from services.opvolging.domain.beleid import Opvolgingsbeleid
from services.opvolging.domain.dossier import Dossier
from services.opvolging.domain.fouten import DossierOnbekend, LeerlingGewist
from services.opvolging.domain.handeling import Handeling
from services.opvolging.domain.overzicht import DossierOverzicht
from services.opvolging.domain.schoolkalender import Schoolkalender
from services.opvolging.domain.tijd import AMSTERDAM
from services.opvolging.persoonsvelden import PERSOONSVELDEN
from services.opvolging.werkeenheid import Werkeenheid, dossier_laden, pointer_laden

__all__ = ["OpvolgingBasis"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A version conflict means another writer changed the same dossier or pointer first;
# commands only read the aggregates they save, so reloading and running again is safe.
_POGINGEN = 5

_STANDAARDBELEID = Opvolgingsbeleid()


def _nu() -> datetime:
    return datetime.now(AMSTERDAM)


class OpvolgingBasis(SealedFieldsApplication):
    # The dossiers' free text, sealed with the pupil's key (`persoonsvelden`).
    personal_fields = PERSOONSVELDEN
    vault_name = "sleutelkluis_opvolging"
    cache_saved = True

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        beleid: Callable[[str], Opvolgingsbeleid] | None = None,
        klok: Callable[[], datetime] = _nu,
    ) -> None:
        """`beleid(school_id)`: a school's policy (default: the standard policy with
        the school's own calendar); `klok`: the moment of a change without `op`."""
        super().__init__(env)
        self.beleid = beleid or self._beleid_met_kalender
        self._klok = klok
        self._beleid_per_school: dict[str, tuple[int, Opvolgingsbeleid]] = {}
        self.overzicht = DossierOverzicht(
            lambda start, limit: self.recorder.select_notifications(start, limit),
            self.dossier,
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def werkeenheid(self, opdracht: Callable[[Werkeenheid], T]) -> T:
        """Run `opdracht` on freshly loaded aggregates and save what it touched at once.

        On a version conflict (another writer came first) it runs again on reloaded
        aggregates. The consumer does not come here: it saves its own unit of work
        together with its tracking rows.
        """

        def uitvoeren() -> T:
            uow = UnitOfWork(self)
            resultaat = opdracht(uow)
            self.save(*uow.aggregates)
            self.keep_in_cache(uow.aggregates)
            return resultaat

        return self._herhaal(uitvoeren)

    def dossier(self, dossier_id: UUID) -> Dossier:
        dossier = self._laad(dossier_id)
        if not isinstance(dossier, Dossier):
            raise DossierOnbekend(f"dossier {dossier_id} bestaat niet")
        return dossier

    # -- for the subclasses

    def _beleid_met_kalender(self, school_id: str) -> Opvolgingsbeleid:
        # Read only, for its version and dates: the cached aggregate itself will do.
        kalender = self._laad(Schoolkalender.id_voor(school_id), kopie=False)
        if not isinstance(kalender, Schoolkalender):
            return _STANDAARDBELEID
        bekend = self._beleid_per_school.get(school_id)
        if bekend is not None and bekend[0] == kalender.version:
            return bekend[1]
        beleid = Opvolgingsbeleid(kalender=kalender.kalender())
        self._beleid_per_school[school_id] = (kalender.version, beleid)
        return beleid

    def _laad(self, aggregate_id: UUID, *, kopie: bool = True) -> object | None:
        """The aggregate, or None; `kopie=False` only for reading (a command on the
        cached object itself would leave a failed change in the cache)."""
        try:
            return self.repository.get(aggregate_id, deepcopy_from_cache=kopie)
        except AggregateNotFoundError:
            return None

    def _handeling(self, door: str, op: datetime | None) -> Handeling:
        return Handeling(door, op or self._klok())

    def _herhaal(self, opdracht: Callable[[], T]) -> T:
        for poging in range(1, _POGINGEN):
            try:
                return opdracht()
            except RecordConflictError:
                logger.info("conflict", extra={"event": "conflict", "poging": poging})
        return opdracht()

    def _wijzig(
        self,
        dossier_id: UUID,
        door: str,
        op: datetime | None,
        opdracht: Callable[[Dossier, Handeling], T],
    ) -> T:
        handeling = self._handeling(door, op)

        def in_werk(uow: Werkeenheid) -> T:
            dossier = dossier_laden(uow, dossier_id)
            pointer = pointer_laden(uow, dossier.school_id, dossier.leerling_id)
            if pointer is not None and pointer.gewist:
                # Its free text could only be stored destroyed: refused instead.
                raise LeerlingGewist(f"dossier {dossier_id}: leerling gewist")
            return opdracht(dossier, handeling)

        return self.werkeenheid(in_werk)
