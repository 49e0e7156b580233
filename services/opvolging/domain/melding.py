"""The DUO status of each melding in a dossier (duo.md section 6, rules 6.3)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from services.opvolging.domain.fouten import OngeldigeInvoer

__all__ = ["Melding", "MeldingStatus", "MeldingStatusWijziging"]


class MeldingStatus(StrEnum):
    WACHT = "wacht"  # local: not yet sent (W), e.g. an achterstallige melding (D17)
    GEREGISTREERD = "geregistreerd"  # R, set on acceptance
    IN_BEHANDELING = "in_behandeling"  # B, municipality
    AFGESLOTEN = "afgesloten"  # G, municipality
    TER_KENNISGEVING_AANGENOMEN = "ter_kennisgeving_aangenomen"  # K, municipality
    OVERGEDRAGEN_AAN_DERDEN = (
        "overgedragen_aan_derden"  # D, abolished Aug 2020, on old ones
    )
    INGETROKKEN = "ingetrokken"  # I, the school withdrew it (D15)
    AFGEWEZEN = "afgewezen"  # DUO refused the message (a fault), with a reason
    GEANNULEERD = "geannuleerd"  # local: cancelled before it was ever sent (D15, D17)

    @classmethod
    def van_code(cls, code: str) -> MeldingStatus:
        """The legacy single-letter `StatusMeldingRelatiefVerzuim` code."""
        try:
            return _CODES[code]
        except KeyError:
            raise OngeldigeInvoer(f"onbekende DUO-statuscode {code!r}") from None

    @property
    def omschrijving(self) -> str:
        return self.value.replace("_", " ")

    @property
    def is_eindstatus(self) -> bool:
        return _FASE[self] == _EINDFASE

    @property
    def wacht_op_verzending(self) -> bool:
        """Not (yet) accepted by DUO: the legal duty is still open."""
        return self in (MeldingStatus.WACHT, MeldingStatus.AFGEWEZEN)


_CODES = {
    "W": MeldingStatus.WACHT,
    "R": MeldingStatus.GEREGISTREERD,
    "B": MeldingStatus.IN_BEHANDELING,
    "G": MeldingStatus.AFGESLOTEN,
    "K": MeldingStatus.TER_KENNISGEVING_AANGENOMEN,
    "D": MeldingStatus.OVERGEDRAGEN_AAN_DERDEN,
    "I": MeldingStatus.INGETROKKEN,
}

# Position in the lifecycle. Status feedback is pulled from DUO and may arrive twice or
# late; a status lower than the current one is stale and ignored. Afgewezen sits with
# "wacht": a refused message is fixed and sent again; DUO never refuses a registered
# melding.
_FASE = {
    MeldingStatus.WACHT: 0,
    MeldingStatus.AFGEWEZEN: 0,
    MeldingStatus.GEREGISTREERD: 1,
    MeldingStatus.IN_BEHANDELING: 2,
    MeldingStatus.AFGESLOTEN: 3,
    MeldingStatus.TER_KENNISGEVING_AANGENOMEN: 3,
    MeldingStatus.OVERGEDRAGEN_AAN_DERDEN: 3,
    MeldingStatus.INGETROKKEN: 3,
    MeldingStatus.GEANNULEERD: 3,
}
_EINDFASE = 3


@dataclass(frozen=True)
class MeldingStatusWijziging:
    status: MeldingStatus
    reden: str | None
    door: str
    op: datetime


@dataclass
class Melding:
    """One melding of the dossier, keyed by the id of the meldplicht behind it."""

    meldplicht_id: str
    soort: str
    status: MeldingStatus
    reden: str | None = None
    meldingsnummer: str | None = None
    historie: list[MeldingStatusWijziging] = field(default_factory=list)

    def kopie(self) -> Melding:
        """A copy for a copied dossier: events change a melding in place."""
        kopie = object.__new__(Melding)
        kopie.__dict__.update(self.__dict__)
        kopie.historie = list(self.historie)
        return kopie

    def is_nieuw(self, status: MeldingStatus, reden: str | None) -> bool:
        """True when the status moves the melding on; repeats and stale ones are not."""
        if status == self.status:
            return status is MeldingStatus.AFGEWEZEN and reden != self.reden
        huidig = _FASE[self.status]
        if huidig == _EINDFASE:
            return False
        return _FASE[status] >= huidig
