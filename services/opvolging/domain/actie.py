"""Actions in a dossier: the concrete steps carrying out a measure or a decision."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from services.opvolging.domain.rasci import Activiteit, Rol

__all__ = ["Actie", "ActieSoort", "ActieStatus", "ActieWijziging"]


class ActieStatus(StrEnum):
    OPEN = "open"
    AFGEROND = "afgerond"
    GEANNULEERD = "geannuleerd"


class ActieSoort(StrEnum):
    MAATREGEL = "maatregel"
    LUXEVERZUIM_BEOORDELEN = "luxeverzuim_beoordelen"  # D18
    ACHTERSTALLIGE_MELDING_BEVESTIGEN = "achterstallige_melding_bevestigen"  # D17
    INTREKKING_BEOORDELEN = "intrekking_beoordelen"  # D15
    AFGEWEZEN_MELDING_HERSTELLEN = "afgewezen_melding_herstellen"

    @property
    def is_besluit(self) -> bool:
        """Decided only by its own confirm/reject command; the outcome is an event."""
        return self in _BESLUITEN

    @property
    def blokkeert_afsluiten(self) -> bool:
        """An open action of this kind keeps a legal duty open: no closing yet."""
        return self is not ActieSoort.MAATREGEL


_BESLUITEN = frozenset(
    {
        ActieSoort.LUXEVERZUIM_BEOORDELEN,
        ActieSoort.ACHTERSTALLIGE_MELDING_BEVESTIGEN,
        ActieSoort.INTREKKING_BEOORDELEN,
    }
)


@dataclass(frozen=True)
class ActieWijziging:
    """One line of an action's audit trail."""

    wat: str
    door: str
    op: datetime
    toelichting: str = ""


@dataclass
class Actie:
    id: str
    titel: str
    activiteit: Activiteit
    soort: ActieSoort
    r_rol: Rol
    a_rol: Rol
    i_rollen: tuple[Rol, ...]
    vervaldatum: date
    aangemaakt_door: str
    aangemaakt_op: datetime
    referentie: str | None = None  # the meldplicht or signal the action is about
    ladderstap: int | None = None  # index in the school's protocol ladder
    status: ActieStatus = ActieStatus.OPEN
    uitkomst: str | None = None
    gewijzigd_door: str = ""
    gewijzigd_op: datetime | None = None
    historie: list[ActieWijziging] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.gewijzigd_door = self.gewijzigd_door or self.aangemaakt_door
        self.gewijzigd_op = self.gewijzigd_op or self.aangemaakt_op
        if not self.historie:
            self.historie.append(
                ActieWijziging("aangemaakt", self.aangemaakt_door, self.aangemaakt_op)
            )

    @property
    def is_open(self) -> bool:
        return self.status is ActieStatus.OPEN

    def kopie(self) -> Actie:
        """A copy for a copied dossier: events change an action in place (status,
        roles, its history list); every other value is immutable and shared."""
        kopie = object.__new__(Actie)
        kopie.__dict__.update(self.__dict__)
        kopie.historie = list(self.historie)
        return kopie

    def is_te_laat(self, peildatum: date) -> bool:
        return self.is_open and self.vervaldatum < peildatum

    def wijzig(self, wat: str, door: str, op: datetime, toelichting: str = "") -> None:
        self.gewijzigd_door = door
        self.gewijzigd_op = op
        self.historie.append(ActieWijziging(wat, door, op, toelichting))
