"""A role's worklist: the open actions it is responsible (R) for, overdue first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from services.opvolging.domain.actie import Actie
from services.opvolging.domain.dossier import Dossier
from services.opvolging.domain.dossieracties import keuze
from services.opvolging.domain.rasci import Rol

__all__ = ["WerklijstRegel", "werklijst"]


@dataclass(frozen=True)
class WerklijstRegel:
    dossier_id: UUID
    school_id: str
    leerling_id: str
    actie: Actie
    dagen_te_laat: int  # 0 when not overdue

    @property
    def te_laat(self) -> bool:
        return self.dagen_te_laat > 0


def werklijst(
    dossiers: Iterable[Dossier], rol: str, peildatum: date
) -> list[WerklijstRegel]:
    """Overdue actions first (longest overdue on top), then by due date, then by age.

    Closed dossiers have no open actions, so they never show up.
    """
    gezocht = keuze(Rol, rol, "rol")
    regels = [
        WerklijstRegel(
            dossier_id=d.id,
            school_id=d.school_id,
            leerling_id=d.leerling_id,
            actie=a,
            dagen_te_laat=max(0, (peildatum - a.vervaldatum).days),
        )
        for d in dossiers
        for a in d.open_acties()
        if a.r_rol is gezocht
    ]
    return sorted(
        regels,
        key=lambda r: (
            not r.te_laat,
            r.actie.vervaldatum,
            r.actie.aangemaakt_op,
            r.actie.id,
        ),
    )
