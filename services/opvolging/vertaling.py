"""Contract values in opvolging's own words.

Analyse and ketenkoppeling publish camelCase codes (`vermoedelijkLuxeverzuim`,
`inBehandeling`); the opvolging domain has its own enums. This is the one place
where the two meet.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from contracts.common import Kalender
from services.opvolging.domain.aanleiding import SignaalSoort
from services.opvolging.domain.melding import MeldingStatus
from services.opvolging.domain.rasci import Activiteit

__all__ = [
    "activiteit_van",
    "kalendergegevens",
    "meldingstatus_van",
    "signaalsoort_van",
]

logger = logging.getLogger(__name__)

_SIGNALEN = {
    "vermoedelijkLuxeverzuim": SignaalSoort.VERMOEDELIJK_LUXEVERZUIM,  # D18
    "zorgwekkendZiekteverzuim": SignaalSoort.MAZL,  # D19
    "teLaat": SignaalSoort.TE_LAAT,
    "signaalverzuim": SignaalSoort.SIGNAALVERZUIM,
}

# contracts.ketenkoppeling.MeldingStatus → the DUO status of the melding (duo.md 6).
_STATUSSEN = {
    "wachtend": MeldingStatus.WACHT,
    "wachtOpBevestiging": MeldingStatus.WACHT,  # D17: held until confirmed
    "geregistreerd": MeldingStatus.GEREGISTREERD,
    "inBehandeling": MeldingStatus.IN_BEHANDELING,
    "afgesloten": MeldingStatus.AFGESLOTEN,
    "terKennisgeving": MeldingStatus.TER_KENNISGEVING_AANGENOMEN,
    "ingetrokken": MeldingStatus.INGETROKKEN,
    "afgewezen": MeldingStatus.AFGEWEZEN,
    "vervallen": MeldingStatus.GEANNULEERD,  # D15: cancelled before it was sent
}

_HOOFDLETTER = re.compile(r"(?<=[a-z])(?=[A-Z])")


def signaalsoort_van(soort: str) -> str:
    """Analyse's signal code; an unknown one is passed on for the domain to refuse."""
    bekend = _SIGNALEN.get(soort)
    return bekend.value if bekend else soort


def meldingstatus_van(status: str) -> str:
    return _STATUSSEN[status].value


def activiteit_van(tekst: str) -> str:
    """A RASCI activity however it is spelled ("uitvoeren maatregelen",
    "uitvoerenMaatregelen"); an unknown one becomes "uitvoeren maatregelen", since
    losing a proposed measure is worse than a rough label."""
    sleutel = _HOOFDLETTER.sub("_", tekst.strip()).lower()
    sleutel = re.sub(r"[\s\-]+", "_", sleutel)
    try:
        return Activiteit(sleutel).value
    except ValueError:
        logger.warning(
            "onbekende activiteit in voorgestelde maatregel",
            extra={"event": "activiteit_onbekend"},
        )
        return Activiteit.UITVOEREN_MAATREGELEN.value


def kalendergegevens(kalender: Kalender) -> dict[str, Any]:
    """The school calendar as plain data for `Schoolkalender` (ISO dates)."""

    def perioden(rijen: list[Any]) -> list[list[str]]:
        return [[p.van.isoformat(), p.tot.isoformat()] for p in rijen]

    eerste = kalender.eerste_schooldag
    return {
        "vakanties": perioden(kalender.vakanties),
        "vrijeDagen": perioden(kalender.vrije_dagen),
        "studiedagen": perioden(kalender.studiedagen),
        "eersteSchooldag": eerste.isoformat() if eerste else None,
    }
