"""Dutch wording for the explanations that come with every duty and signal.

The texts name dates, hours and rules, never a pupil's name, BSN or medical reason.
"""

from __future__ import annotations

from datetime import date

from leerplicht.kalender import Periode

_WEEKDAGEN = ("ma", "di", "wo", "do", "vr", "za", "zo")


def dag(d: date) -> str:
    """'ma 15-09-2025', independent of the process locale."""
    return f"{_WEEKDAGEN[d.weekday()]} {d.day:02d}-{d.month:02d}-{d.year}"


def periode(p: Periode) -> str:
    return f"{dag(p.van)} t/m {dag(p.tot)}"


def uren(minuten: int) -> str:
    """Whole minutes as Dutch hours: '16 uur', '15 uur en 30 minuten', '10 minuten'."""
    heel, rest = divmod(minuten, 60)
    if heel and rest:
        return f"{heel} uur en {rest} minuten"
    if heel:
        return f"{heel} uur"
    return f"{rest} minuten"


def aantal_slots(n: int) -> str:
    return "1 slot" if n == 1 else f"{n} slots"
