"""Europe/Amsterdam wall time, whatever offset a SIS sent and whatever the process TZ.

Pitfalls T1 and T2: an instant with an offset (or `Z`) is converted to Amsterdam wall
time with `zoneinfo`; a value without an offset already is Amsterdam wall time; a
date-only value stays that date. Nothing here calls `astimezone()` without a zone or
`datetime.now()` without one, so the process TZ never leaks in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.registratie.domain.fouten import OngeldigeInvoer

__all__ = [
    "AMSTERDAM",
    "Tijdstip",
    "lokale_datum",
    "lokaal",
    "lees_tijdstip",
    "nu_amsterdam",
    "begin_van_dag",
    "einde_van_dag",
]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass(frozen=True, slots=True)
class Tijdstip:
    """A parsed `van`/`tot` value: local wall time, and whether only a date was sent."""

    moment: datetime  # naive, Europe/Amsterdam wall time
    alleen_datum: bool

    @property
    def datum(self) -> date:
        return self.moment.date()


def lokaal(moment: datetime) -> datetime:
    """Naive Amsterdam wall time of an aware instant; a naive value is taken as is."""
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(AMSTERDAM).replace(tzinfo=None)


def lokale_datum(moment: datetime) -> date:
    """The Amsterdam date of an instant (T2: 23:30Z on the 13th is the 14th)."""
    return lokaal(moment).date()


def lees_tijdstip(waarde: str, veld: str) -> Tijdstip:
    """Parse an ISO 8601 date or date-time; offsets are converted to Amsterdam."""
    tekst = waarde.strip()
    if not tekst:
        raise OngeldigeInvoer(veld, "leeg tijdstip")
    if len(tekst) == 10:
        try:
            return Tijdstip(datetime.combine(date.fromisoformat(tekst), time()), True)
        except ValueError:
            raise OngeldigeInvoer(veld, "geen ISO 8601-datum") from None
    try:
        moment = datetime.fromisoformat(tekst)
    except ValueError:
        raise OngeldigeInvoer(veld, "geen ISO 8601-tijdstip") from None
    return Tijdstip(lokaal(moment), False)


def nu_amsterdam() -> datetime:
    """The current instant, aware, in Europe/Amsterdam."""
    return datetime.now(AMSTERDAM)


def begin_van_dag(d: date) -> datetime:
    """Midnight at the start of `d` in Amsterdam, as an aware instant."""
    return datetime.combine(d, time(), tzinfo=AMSTERDAM)


def einde_van_dag(d: date) -> datetime:
    """Naive wall time of the first moment after `d` (exclusive end of a whole day)."""
    return datetime.combine(d + timedelta(days=1), time())
