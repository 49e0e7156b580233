"""Signals registratie raises itself, for the verzuimcoördinator to judge.

They never change a status: a coordinator confirms or rejects them (D18), and analyse
decides on meldingen.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum

from leerplicht.kalender import SchoolKalender

__all__ = ["SignaalSoort", "grenst_aan_vakantie", "in_afgewezen_verlof"]

# How far to look for the neighbouring lesdag (a vacation plus weekends).
_MAX_ZOEKDAGEN = 21


class SignaalSoort(StrEnum):
    # R-VRL-ZIEK-2, D8: illness reported after the two-day period.
    LATE_ZIEKMELDING = "late_ziekmelding"
    # D18: a sick notice on the lesdag right before or after a vacation.
    ZIEKMELDING_ROND_VAKANTIE = "ziekmelding_rond_vakantie"
    # D18: absence in a period for which leave was denied.
    AFWEZIG_NA_AFGEWEZEN_VERLOF = "afwezig_na_afgewezen_verlof"


def _buur_heeft_vakantie(kalender: SchoolKalender, d: date, stap: int) -> bool:
    """Do the days between d and the next lesdag in direction `stap` hold vacation?"""
    dag = d + timedelta(days=stap)
    for _ in range(_MAX_ZOEKDAGEN):
        if kalender.is_lesdag(dag):
            return False
        if kalender.is_vakantiedag(dag):
            return True
        dag += timedelta(days=stap)
    return False


def grenst_aan_vakantie(kalender: SchoolKalender, d: date) -> bool:
    """d is the lesdag right before or right after a vacation (D18)."""
    if not kalender.is_lesdag(d):
        return False
    return _buur_heeft_vakantie(kalender, d, 1) or _buur_heeft_vakantie(kalender, d, -1)


def in_afgewezen_verlof(d: date, perioden: Iterable[tuple[date, date]]) -> bool:
    return any(van <= d <= tot for van, tot in perioden)
