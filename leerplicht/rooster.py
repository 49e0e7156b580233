"""Timetables and the counting unit of D3 (rules section 8 step 0).

Times are Europe/Amsterdam wall-clock times without a zone: a lesson from 08:30 to 09:20
lasts 50 minutes on every day of the year, also in the weeks of a clock change.
Everything is counted in whole minutes (16 hours = 960 minutes), never in floats.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time
from enum import StrEnum

__all__ = [
    "DREMPEL_MELDPLICHT_MINUTEN",
    "Eenheid",
    "Lesuur",
    "Rooster",
    "RoosterFout",
    "telwaarde_minuten",
]

# D1 / R-MLD-2: a melding is due at 16 hours.
DREMPEL_MELDPLICHT_MINUTEN = 16 * 60

# R-MLD-3: a VO lesuur of at most this length counts as one full hour.
_MAX_LESUUR_ALS_UUR = 60


class RoosterFout(ValueError):
    """An impossible lesson or timetable, or missed time that does not fit."""


def _minuut_van_dag(t: time) -> int:
    return t.hour * 60 + t.minute


@dataclass(frozen=True, slots=True)
class Lesuur:
    """One scheduled lesson (VO/MBO) or block of lesson time (PO)."""

    nummer: int
    begin: time
    eind: time

    def __post_init__(self) -> None:
        if self.nummer < 1:
            raise RoosterFout("lesuurnummer begint bij 1")
        if self.begin.tzinfo is not None or self.eind.tzinfo is not None:
            raise RoosterFout("lestijden zijn lokale kloktijden zonder tijdzone")
        if _minuut_van_dag(self.eind) <= _minuut_van_dag(self.begin):
            raise RoosterFout(f"lesuur {self.nummer} eindigt niet na het begin")

    @property
    def minuten(self) -> int:
        return _minuut_van_dag(self.eind) - _minuut_van_dag(self.begin)


@dataclass(frozen=True)
class Rooster:
    """Lessons per ISO weekday (1 = Monday .. 5 = Friday).

    A weekday without lessons (MBO BBL work placement days) has an empty tuple. Whether
    a date is a lesdag at all is the SchoolKalender's business; the rooster only says
    what is scheduled on that weekday.
    """

    per_weekdag: Mapping[int, tuple[Lesuur, ...]]

    def __post_init__(self) -> None:
        genormaliseerd: dict[int, tuple[Lesuur, ...]] = {}
        for weekdag, lesuren in self.per_weekdag.items():
            if weekdag not in range(1, 6):
                raise RoosterFout(f"weekdag {weekdag} valt buiten maandag..vrijdag")
            geordend = tuple(sorted(lesuren, key=lambda lu: lu.begin))
            nummers = [lu.nummer for lu in geordend]
            if len(set(nummers)) != len(nummers):
                raise RoosterFout(f"dubbel lesuurnummer op weekdag {weekdag}")
            for eerder, later in zip(geordend, geordend[1:], strict=False):
                if _minuut_van_dag(later.begin) < _minuut_van_dag(eerder.eind):
                    raise RoosterFout(f"overlappende lesuren op weekdag {weekdag}")
            genormaliseerd[weekdag] = geordend
        object.__setattr__(self, "per_weekdag", genormaliseerd)

    def __hash__(self) -> int:
        return hash(tuple(sorted(self.per_weekdag.items())))

    @classmethod
    def elke_weekdag(cls, lesuren: Iterable[Lesuur]) -> Rooster:
        dag = tuple(lesuren)
        return cls({weekdag: dag for weekdag in range(1, 6)})

    @classmethod
    def blokken(
        cls,
        blokken: Iterable[tuple[time, time]],
        weekdagen: Iterable[int] = range(1, 6),
    ) -> Rooster:
        """A PO timetable given as from–to blocks of lesson time."""
        dag = tuple(
            Lesuur(nummer, begin, eind)
            for nummer, (begin, eind) in enumerate(blokken, start=1)
        )
        return cls({weekdag: dag for weekdag in weekdagen})

    def lesuren_op(self, d: date) -> tuple[Lesuur, ...]:
        return self.per_weekdag.get(d.isoweekday(), ())

    def lesuur(self, d: date, nummer: int) -> Lesuur:
        for lu in self.lesuren_op(d):
            if lu.nummer == nummer:
                return lu
        raise RoosterFout(f"geen lesuur {nummer} op {d.isoformat()}")

    def minuten_op(self, d: date) -> int:
        return sum(lu.minuten for lu in self.lesuren_op(d))


class Eenheid(StrEnum):
    """D3 / R-MLD-3: the unit a school counts the 16 hours in."""

    KLOKUUR = "klokuur"  # PO: missed minutes
    LESUUR = "lesuur"  # VO and MBO: one hour per fully missed lesson <= 60 minutes


def telwaarde_minuten(
    eenheid: Eenheid,
    lesuur_minuten: int,
    gemiste_minuten: int,
    volledig_gemist: bool,
    drempel_minuten: int | None = None,
) -> int:
    """Minutes one missed (part of a) lesson adds to the 16 hours (D3).

    - KLOKUUR (PO): the missed minutes themselves, late arrival and leaving early
      included.
    - LESUUR (VO/MBO): a fully missed lesson of at most 60 minutes counts 60; a longer
      lesson counts its own minutes. A partly missed lesson counts 0, unless the school
      set a threshold and at least `drempel_minuten` were missed: then it counts as
      fully missed.
    """
    if lesuur_minuten <= 0:
        raise RoosterFout("lesuur zonder duur")
    if volledig_gemist:
        gemiste_minuten = lesuur_minuten
    if not 0 <= gemiste_minuten <= lesuur_minuten:
        raise RoosterFout(
            f"{gemiste_minuten} gemiste minuten passen niet in een lesuur van "
            f"{lesuur_minuten} minuten"
        )
    if eenheid is Eenheid.KLOKUUR:
        return gemiste_minuten
    telt_als_volledig = volledig_gemist or gemiste_minuten == lesuur_minuten
    if not telt_als_volledig and drempel_minuten is not None:
        telt_als_volledig = gemiste_minuten >= drempel_minuten > 0
    if not telt_als_volledig:
        return 0
    return max(lesuur_minuten, _MAX_LESUUR_ALS_UUR)
