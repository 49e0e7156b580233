"""Import a school calendar from iCalendar (RFC 5545), as schools publish them.

Each VEVENT is read by its CATEGORIES, else its SUMMARY: "vakantie" → vacation,
"studiedag" → study day, "vrije dag"/"vrij" → free day, "eerste schooldag" → the first
school day. Other events (parents' evenings, sports days) are ignored. All-day events
have an exclusive DTEND (RFC 5545 section 3.6.1); timed events count for their
Amsterdam dates.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

import icalendar

from leerplicht.kalender import Periode, SchoolKalender
from services.registratie.domain.fouten import DatumBuitenBereik, OngeldigeInvoer
from services.registratie.domain.tijd import BEREIK, EERSTE_DATUM, LAATSTE_DATUM, lokaal

__all__ = ["KalenderItem", "lees_ical"]


class KalenderItem(StrEnum):
    VAKANTIE = "vakantie"
    STUDIEDAG = "studiedag"
    VRIJE_DAG = "vrije_dag"
    EERSTE_SCHOOLDAG = "eerste_schooldag"


# "vrijdag" (Friday) and "Goede Vrijdag" must not read as a free day.
_PATRONEN = (
    (KalenderItem.EERSTE_SCHOOLDAG, re.compile(r"eerste\s+schooldag")),
    (KalenderItem.STUDIEDAG, re.compile(r"studie(dag|middag|ochtend)")),
    (KalenderItem.VAKANTIE, re.compile(r"vakantie")),
    (KalenderItem.VRIJE_DAG, re.compile(r"\bvrije\s+dag|\bvrij\b|\bvrije\b")),
)


def _soort(teksten: list[str]) -> KalenderItem | None:
    for tekst in teksten:
        for item, patroon in _PATRONEN:
            if patroon.search(tekst.lower()):
                return item
    return None


def _categorieen(component: Any) -> list[str]:
    waarde = component.get("categories")
    if waarde is None:
        return []
    lijsten = waarde if isinstance(waarde, list) else [waarde]
    return [str(cat) for lijst in lijsten for cat in getattr(lijst, "cats", [lijst])]


def _als_datum(waarde: date | datetime) -> date:
    if isinstance(waarde, datetime):
        return lokaal(waarde, "ical").date()
    return waarde


def _periode(component: Any) -> Periode:
    start = component.get("dtstart")
    if start is None:
        raise OngeldigeInvoer("ical", "VEVENT zonder DTSTART")
    eind = component.get("dtend")
    duur = component.get("duration")
    try:
        begin = _als_datum(start.dt)
        if eind is not None:
            if isinstance(eind.dt, datetime):
                laatste = _als_datum(eind.dt - timedelta(microseconds=1))
            else:
                laatste = eind.dt - timedelta(days=1)
        elif duur is not None:
            laatste = _als_datum(start.dt + duur.dt - timedelta(microseconds=1))
        else:
            laatste = begin
    except OverflowError:
        raise DatumBuitenBereik("ical", BEREIK) from None
    laatste = max(begin, laatste)
    if begin < EERSTE_DATUM or laatste > LAATSTE_DATUM:
        raise DatumBuitenBereik("ical", BEREIK)
    return Periode(begin, laatste)


def lees_ical(
    data: bytes | str, eerste_schooldag: date | None = None
) -> SchoolKalender:
    """A `SchoolKalender` from an iCalendar file.

    Without an explicit `eerste_schooldag` (and no such event) it is the first weekday
    after a summer vacation at the start of the file; failing that it stays unknown
    (leave assessment then refuses to guess the first two lesweken).
    """
    try:
        agenda = icalendar.Calendar.from_ical(data)
    except ValueError:
        raise OngeldigeInvoer("ical", "geen geldig iCalendar-bestand") from None
    items: dict[KalenderItem, list[Periode]] = {item: [] for item in KalenderItem}
    for component in agenda.walk("VEVENT"):
        soort = _soort(_categorieen(component) + [str(component.get("summary", ""))])
        if soort is not None:
            items[soort].append(_periode(component))
    eerste = eerste_schooldag
    if eerste is None and items[KalenderItem.EERSTE_SCHOOLDAG]:
        eerste = min(p.van for p in items[KalenderItem.EERSTE_SCHOOLDAG])
    vakanties = tuple(sorted(items[KalenderItem.VAKANTIE], key=lambda p: p.van))
    if eerste is None:
        alle = [p for lijst in items.values() for p in lijst]
        eerste = _na_zomervakantie(vakanties, max((p.van for p in alle), default=None))
    return SchoolKalender(
        vakanties=vakanties,
        vrije_dagen=tuple(sorted(items[KalenderItem.VRIJE_DAG], key=lambda p: p.van)),
        studiedagen=tuple(sorted(items[KalenderItem.STUDIEDAG], key=lambda p: p.van)),
        eerste_schooldag=eerste,
    )


def _na_zomervakantie(
    vakanties: tuple[Periode, ...], laatste: date | None
) -> date | None:
    """The weekday after a summer vacation that opens the file's school year.

    A summer vacation with nothing after it closes the school year and says nothing
    about its first day.
    """
    for p in vakanties:
        zomer = p.tot.month in (8, 9) and (p.tot - p.van).days >= 14
        if zomer and laatste is not None and laatste > p.tot:
            d = p.tot + timedelta(days=1)
            while d.weekday() >= 5:
                d += timedelta(days=1)
            return d
    return None
