"""What every opvolging endpoint shares: roles, errors, loading a dossier safely.

A dossier of a school the caller does not work for answers exactly like a dossier
that does not exist (404). Domain errors become problem details in one place here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import Path

from plumbing.errors import Conflict, DomainError, NotFound
from plumbing.problems import ProblemError
from plumbing.runtime import ServiceRuntime
from plumbing.security.access import note_leerlingen
from plumbing.security.callers import Caller, Rol
from plumbing.security.dependencies import ensure_school, require_roles
from services.opvolging.api_modellen import ActieUit
from services.opvolging.api_weergave import actie_uit
from services.opvolging.application import Opvolging
from services.opvolging.domain.actie import Actie
from services.opvolging.domain.dossier import Dossier
from services.opvolging.domain.fouten import (
    ActieOnbekend,
    DossierOnbekend,
    LeerlingGewist,
    MeldingOnbekend,
    OngeldigeInvoer,
    OpvolgingFout,
)

__all__ = [
    "BESLISSEN",
    "COORDINEREN",
    "LEZEN",
    "NIET_GEVONDEN",
    "PLANNEN",
    "UITVOEREN",
    "ActieId",
    "DossierId",
    "DossierToegang",
    "GEWIST",
]

T = TypeVar("T")

_VC = Rol.VERZUIMCOORDINATOR

# process.md RASCI: who reads dossiers, plans and carries out measures, coordinates.
LEZEN = require_roles(_VC, Rol.MENTOR, Rol.ZORGCOORDINATOR, Rol.SCHOOLLEIDER)
PLANNEN = require_roles(_VC, Rol.ZORGCOORDINATOR, Rol.SCHOOLLEIDER)
UITVOEREN = require_roles(_VC, Rol.MENTOR, Rol.ZORGCOORDINATOR, Rol.SCHOOLLEIDER)
COORDINEREN = require_roles(_VC, Rol.SCHOOLLEIDER)
BESLISSEN = require_roles(_VC)  # D15, D17 and D18 name the verzuimcoördinator

DossierId = Annotated[UUID, Path(alias="dossierId")]
ActieId = Annotated[str, Path(alias="actieId", min_length=1, max_length=100)]

_GEEN_DOSSIER = "Er is geen dossier met dit id."
# A dossier or school that does not exist, or is not of the caller's schools.
NIET_GEVONDEN: dict[int | str, dict[str, Any]] = {404: {"description": "Not found"}}
_GEEN_ACTIE = "Dit dossier heeft geen actie met dit id."
# Every change of a dossier whose pupil was erased (`DossierGewist`).
GEWIST: dict[int | str, dict[str, Any]] = {
    410: {"description": "The pupil's personal data was erased; nothing new"}
}


class DossierNietGevonden(NotFound):
    title = "Dossier niet gevonden"


class ActieNietGevonden(NotFound):
    title = "Actie niet gevonden"


class OngeldigeOpdracht(DomainError):
    status = 400
    title = "Ongeldige invoer"


class DossierConflict(Conflict):
    title = "Kan niet in de huidige stand van het dossier"


class DossierGewist(DomainError):
    """The pupil's personal data was erased: the dossier takes nothing new."""

    status = 410
    title = "Gone"


def _geen_dossier() -> DossierNietGevonden:
    return DossierNietGevonden(_GEEN_DOSSIER)


def als_probleem(fout: OpvolgingFout) -> DomainError:
    """The one mapping from opvolging's domain errors to problem details."""
    if isinstance(fout, DossierOnbekend):
        return _geen_dossier()
    if isinstance(fout, ActieOnbekend | MeldingOnbekend):
        return ActieNietGevonden(_GEEN_ACTIE)
    if isinstance(fout, OngeldigeInvoer):
        return OngeldigeOpdracht(str(fout))
    if isinstance(fout, LeerlingGewist):
        return DossierGewist(
            "De persoonsgegevens van deze leerling zijn gewist; het dossier neemt "
            "niets nieuws meer aan."
        )
    return DossierConflict(str(fout))


def noteer_leerlingen(*leerling_ids: str) -> None:
    """Tell the audit trail whose dossiers a request touched."""
    bekend = []
    for leerling_id in leerling_ids:
        try:
            bekend.append(UUID(leerling_id))
        except ValueError:
            continue  # not an internal pupil id: nothing to note
    note_leerlingen(*bekend)


class DossierToegang:
    """The running application, reached safely from a route."""

    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime

    @property
    def app(self) -> Opvolging:
        opvolging = self.runtime.require_app()
        assert isinstance(opvolging, Opvolging)
        return opvolging

    async def uitvoeren(self, functie: Callable[..., T], *args: Any, **kw: Any) -> T:
        """A use case off the event loop; domain errors as problem details."""
        try:
            resultaat: T = await self.runtime.run_sync(
                functools.partial(functie, *args, **kw)
            )
        except OpvolgingFout as fout:
            raise als_probleem(fout) from None
        return resultaat

    async def dossier(self, caller: Caller, dossier_id: UUID) -> Dossier:
        dossier = await self.uitvoeren(self.app.dossier, dossier_id)
        ensure_school(caller, dossier.school_id, _geen_dossier)
        noteer_leerlingen(dossier.leerling_id)
        return dossier

    @staticmethod
    def actie(dossier: Dossier, actie_id: str) -> Actie:
        actie = dossier.acties.get(actie_id)
        if actie is None:
            raise ActieNietGevonden(_GEEN_ACTIE)
        return actie

    @staticmethod
    def mag_uitvoeren(caller: Caller, actie: Actie) -> None:
        # Whoever carries out (R) or answers for (A) an action may finish it; the
        # verzuimcoördinator coordinates the whole process and may too.
        rollen = {actie.r_rol.value, actie.a_rol.value, _VC.value}
        if not any(rol.value in rollen for rol in caller.rollen):
            raise ProblemError(
                403, "Forbidden", "Your roles do not allow changing this action."
            )

    async def actie_na_wijziging(self, dossier_id: UUID, actie_id: str) -> ActieUit:
        dossier = await self.uitvoeren(self.app.dossier, dossier_id)
        return actie_uit(self.actie(dossier, actie_id), self.runtime.clock.today())
