"""Europe/Amsterdam wall time, whatever offset a SIS sent and whatever the process TZ.

Whatever zone the server runs in: an instant with an offset (or `Z`) is converted to
Amsterdam wall time with `zoneinfo`; a value without an offset already is Amsterdam
wall time; a date-only value stays that date. Nothing here calls `astimezone()`
without a zone or `datetime.now()` without one, so the process TZ never leaks in.

Every date registratie takes lies between `EERSTE_DATUM` and `LAATSTE_DATUM`
(`Datum`, `Moment`): outside them a value is a typing error, and the arithmetic near
the ends of `date` (the day after 9999-12-31, a school year that starts in the year
0, an offset that moves 0001-01-01 back a day) overflows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import AfterValidator, Field

from services.registratie.domain.fouten import DatumBuitenBereik, OngeldigeInvoer

__all__ = [
    "AMSTERDAM",
    "BEREIK",
    "Datum",
    "EERSTE_DATUM",
    "LAATSTE_DATUM",
    "Moment",
    "Tijdstip",
    "lokale_datum",
    "lokaal",
    "lees_tijdstip",
    "nu_amsterdam",
    "begin_van_dag",
    "einde_van_dag",
]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

EERSTE_DATUM = date(1900, 1, 1)
LAATSTE_DATUM = date(2199, 12, 31)
BEREIK = f"buiten {EERSTE_DATUM.isoformat()} t/m {LAATSTE_DATUM.isoformat()}"


def _binnen_bereik(d: date) -> bool:
    return EERSTE_DATUM <= d <= LAATSTE_DATUM


def _moment_binnen_bereik(moment: datetime) -> datetime:
    if not _binnen_bereik(moment.date()):
        raise ValueError(BEREIK)
    return moment


# A date of a record, notice, leave, calendar or pupil (see module doc).
Datum = Annotated[
    date,
    Field(
        ge=EERSTE_DATUM,
        le=LAATSTE_DATUM,
        description="From 1900-01-01 through 2199-12-31.",
    ),
]
# An instant whose date (as sent) lies in the same range.
Moment = Annotated[
    datetime,
    AfterValidator(_moment_binnen_bereik),
    Field(description="Its date from 1900-01-01 through 2199-12-31."),
]


@dataclass(frozen=True, slots=True)
class Tijdstip:
    """A parsed `van`/`tot` value: local wall time, and whether only a date was sent."""

    moment: datetime  # naive, Europe/Amsterdam wall time
    alleen_datum: bool

    @property
    def datum(self) -> date:
        return self.moment.date()


def lokaal(moment: datetime, veld: str = "tijdstip") -> datetime:
    """Naive Amsterdam wall time of an aware instant; a naive value is taken as is.

    An instant outside the range is refused before it is converted: near the ends of
    `datetime` the offset alone overflows.
    """
    if not _binnen_bereik(moment.date()):
        raise DatumBuitenBereik(veld, BEREIK)
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(AMSTERDAM).replace(tzinfo=None)


def lokale_datum(moment: datetime) -> date:
    """The Amsterdam date of an instant (23:30Z on the 13th is the 14th)."""
    return lokaal(moment).date()


def lees_tijdstip(waarde: str, veld: str) -> Tijdstip:
    """Parse an ISO 8601 date or date-time; offsets are converted to Amsterdam."""
    tekst = waarde.strip()
    if not tekst:
        raise OngeldigeInvoer(veld, "leeg tijdstip")
    if len(tekst) == 10:
        try:
            datum = date.fromisoformat(tekst)
        except ValueError:
            raise OngeldigeInvoer(veld, "geen ISO 8601-datum") from None
        if not _binnen_bereik(datum):
            raise DatumBuitenBereik(veld, BEREIK)
        return Tijdstip(datetime.combine(datum, time()), True)
    try:
        moment = datetime.fromisoformat(tekst)
    except ValueError:
        raise OngeldigeInvoer(veld, "geen ISO 8601-tijdstip") from None
    return Tijdstip(lokaal(moment, veld), False)


def nu_amsterdam() -> datetime:
    """The current instant, aware, in Europe/Amsterdam."""
    return datetime.now(AMSTERDAM)


def begin_van_dag(d: date) -> datetime:
    """Midnight at the start of `d` in Amsterdam, as an aware instant."""
    return datetime.combine(d, time(), tzinfo=AMSTERDAM)


def einde_van_dag(d: date, veld: str = "datum") -> datetime:
    """Naive wall time of the first moment after `d` (exclusive end of a whole day)."""
    if not _binnen_bereik(d):
        raise DatumBuitenBereik(veld, BEREIK)
    return datetime.combine(d + timedelta(days=1), time())
