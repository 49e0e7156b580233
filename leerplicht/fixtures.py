"""The TC-2526 fixture calendar and timetables (rules section 9).

A test fixture adapted from published region-midden school calendars, not an official
national table. Every service's tests use these objects, so the scenarios of
`scenarios.md` mean the same dates everywhere.
"""

from __future__ import annotations

from datetime import date, time

from leerplicht.kalender import Periode, SchoolKalender
from leerplicht.rooster import Eenheid, Lesuur, Rooster

__all__ = [
    "MBO_BBL_ROOSTER",
    "PO_ROOSTER",
    "TC_2425",
    "TC_2526",
    "VO_ROOSTER",
    "eenheid_voor_sector",
]


def _dag(d: date) -> Periode:
    return Periode(d, d)


TC_2526 = SchoolKalender(
    vakanties=(
        Periode(date(2025, 10, 18), date(2025, 10, 26)),  # herfstvakantie
        Periode(date(2025, 12, 20), date(2026, 1, 4)),  # kerstvakantie
        Periode(date(2026, 2, 14), date(2026, 2, 22)),  # voorjaarsvakantie
        Periode(date(2026, 4, 18), date(2026, 5, 3)),  # meivakantie
        Periode(date(2026, 7, 18), date(2026, 8, 30)),  # zomervakantie
    ),
    vrije_dagen=(
        _dag(date(2026, 4, 3)),
        _dag(date(2026, 4, 6)),
        _dag(date(2026, 5, 5)),
        _dag(date(2026, 5, 14)),
        _dag(date(2026, 5, 15)),
        _dag(date(2026, 5, 25)),
    ),
    studiedagen=(_dag(date(2025, 11, 12)),),
    eerste_schooldag=date(2025, 9, 1),
)

# The school year before, for tests with records in it (made up the same way).
TC_2425 = SchoolKalender(
    vakanties=(
        Periode(date(2024, 10, 19), date(2024, 10, 27)),  # herfstvakantie
        Periode(date(2024, 12, 21), date(2025, 1, 5)),  # kerstvakantie
        Periode(date(2025, 2, 15), date(2025, 2, 23)),  # voorjaarsvakantie
        Periode(date(2025, 4, 19), date(2025, 5, 4)),  # meivakantie
        Periode(date(2025, 7, 12), date(2025, 8, 31)),  # zomervakantie
    ),
    vrije_dagen=(),
    studiedagen=(),
    eerste_schooldag=date(2024, 9, 2),
)

# PO: 5 klokuren every weekday, 08:30-14:00 with a 30-minute lunch break.
PO_ROOSTER = Rooster.blokken([(time(8, 30), time(12, 0)), (time(12, 30), time(14, 0))])


def _vo_lesuren() -> tuple[Lesuur, ...]:
    lesuren = []
    begin = 8 * 60 + 30
    for nummer in range(1, 8):
        eind = begin + 50
        lesuren.append(
            Lesuur(nummer, time(begin // 60, begin % 60), time(eind // 60, eind % 60))
        )
        begin = eind
    return tuple(lesuren)


# VO: 7 lesuren of 50 minutes every weekday from 08:30 (no breaks, for simple
# arithmetic).
VO_ROOSTER = Rooster.elke_weekdag(_vo_lesuren())

# MBO BBL: one lesdag (Tuesday) of 8 hours; the other weekdays are work placement.
MBO_BBL_ROOSTER = Rooster(
    {
        2: tuple(
            Lesuur(nummer, time(uur, 0), time(uur + 1, 0))
            for nummer, uur in enumerate((8, 9, 10, 11, 13, 14, 15, 16), start=1)
        )
    }
)


def eenheid_voor_sector(sector: str) -> Eenheid:
    """D3: PO counts klokuren, VO and MBO count lesuren."""
    return Eenheid.KLOKUUR if sector.upper() == "PO" else Eenheid.LESUUR
