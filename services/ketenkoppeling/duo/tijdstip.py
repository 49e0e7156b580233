"""DUO's date + `HH:mm:ss.SSS` pairs, always Europe/Amsterdam local time."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

__all__ = [
    "AMSTERDAM",
    "als_datum_en_tijdstip",
    "naar_milliseconde",
    "uit_datum_en_tijdstip",
]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def naar_milliseconde(moment: datetime) -> datetime:
    """The moment in Amsterdam time, truncated to what DUO's tijdstip can carry."""
    if moment.tzinfo is None:
        raise ValueError("tijdstip zonder tijdzone: geef een aware datetime")
    lokaal = moment.astimezone(AMSTERDAM)
    return lokaal.replace(microsecond=lokaal.microsecond // 1000 * 1000)


def als_datum_en_tijdstip(moment: datetime) -> tuple[str, str]:
    """(`yyyy-mm-dd`, `HH:mm:ss.SSS`) for an aware moment."""
    lokaal = naar_milliseconde(moment)
    tijd = lokaal.strftime("%H:%M:%S") + f".{lokaal.microsecond // 1000:03d}"
    return lokaal.date().isoformat(), tijd


def uit_datum_en_tijdstip(datum: str, tijdstip: str) -> datetime:
    """The aware moment of a DUO date and tijdstip (the earlier one at a fold)."""
    uren, minuten, rest = tijdstip.split(":")
    seconden, milli = rest.split(".")
    return datetime.combine(
        date.fromisoformat(datum),
        time(int(uren), int(minuten), int(seconden), int(milli) * 1000),
        tzinfo=AMSTERDAM,
    )
