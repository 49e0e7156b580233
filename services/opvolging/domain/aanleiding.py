"""What opens or joins a dossier: a meldplicht established by analyse, or a signal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from services.opvolging.domain.fouten import OngeldigeInvoer

__all__ = [
    "Meldplicht",
    "Signaal",
    "SignaalSoort",
    "VERZUIMSOORTEN",
    "signaalsoort",
    "verzuimsoort",
]

# duo.md section 5: codes a product melding can carry (V1/V2 are obsolete).
VERZUIMSOORTEN = frozenset({"V3", "V4", "RMC", "L", "LRV", "O"})


def verzuimsoort(code: str) -> str:
    if code not in VERZUIMSOORTEN:
        raise OngeldigeInvoer(f"onbekende verzuimsoort {code!r}")
    return code


class SignaalSoort(StrEnum):
    TE_LAAT = "te_laat"  # a step of the lateness ladder (P-LATE)
    MAZL = "mazl"  # zorgwekkend ziekteverzuim (D19)
    VERMOEDELIJK_LUXEVERZUIM = "vermoedelijk_luxeverzuim"  # D18, needs a decision
    SIGNAALVERZUIM = (
        "signaalverzuim"  # worrying absence below the threshold (P-SIGNAAL)
    )

    @property
    def omschrijving(self) -> str:
        return _SIGNAAL_OMSCHRIJVING[self]


_SIGNAAL_OMSCHRIJVING = {
    SignaalSoort.TE_LAAT: "te laat komen",
    SignaalSoort.MAZL: "zorgwekkend ziekteverzuim (MAZL)",
    SignaalSoort.VERMOEDELIJK_LUXEVERZUIM: "vermoedelijk luxeverzuim",
    SignaalSoort.SIGNAALVERZUIM: "signaalverzuim",
}


def signaalsoort(tekst: str) -> SignaalSoort:
    try:
        return SignaalSoort(tekst)
    except ValueError:
        raise OngeldigeInvoer(f"onbekende signaalsoort {tekst!r}") from None


@dataclass(frozen=True)
class Meldplicht:
    """A duty to report as analyse established it (rules section 8)."""

    id: str
    soort: str
    begindatum: date
    einddatum: date | None  # LRV goes without einddatum (D7)
    vervaldatum: date | None
    achterstallig: bool  # D17
    toelichting: str
    ontvangen_op: datetime


@dataclass(frozen=True)
class Signaal:
    id: str
    soort: SignaalSoort
    datum: date
    toelichting: str
    ontvangen_op: datetime
