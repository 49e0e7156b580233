"""The school calendar: lesdagen, vakantieweken and the 4-lesweek window.

Pure and I/O free. A `SchoolKalender` is one school's own calendar (rules section 8:
never a national table); national public holidays come from the `holidays` library (NL).
Answers are cached per instance, because the analyse engine asks the same dates many
thousands of times.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays

__all__ = [
    "KalenderFout",
    "Periode",
    "SchoolKalender",
    "VENSTER_WEEKDAGEN",
    "is_feestdag",
    "is_werkdag",
    "schooljaar_van",
    "vervaldatum",
    "werkdag_na",
]

# D2: the window of four lesweken is 20 weekdays, vacation weeks skipped.
VENSTER_WEEKDAGEN = 20
# D4: "onverwijld" = within 5 working days.
MELDTERMIJN_WERKDAGEN = 5

# An arbitrary Monday long before any pupil date; positions are counted from here.
_EPOCH_MAANDAG = date(1990, 1, 1)


class KalenderFout(ValueError):
    """A calendar or period that cannot exist (end before start, missing first day)."""


@dataclass(frozen=True, slots=True)
class Periode:
    """An inclusive date range."""

    van: date
    tot: date

    def __post_init__(self) -> None:
        if self.tot < self.van:
            raise KalenderFout(f"periode eindigt ({self.tot}) voor begin ({self.van})")

    def bevat(self, d: date) -> bool:
        return self.van <= d <= self.tot

    def dagen(self) -> Iterator[date]:
        d = self.van
        while d <= self.tot:
            yield d
            d += timedelta(days=1)

    def overlapt(self, andere: Periode) -> bool:
        return self.van <= andere.tot and andere.van <= self.tot


@lru_cache(maxsize=256)
def _feestdagen(jaar: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("NL", years=jaar).keys())


def is_feestdag(d: date) -> bool:
    """A Dutch national public holiday according to the `holidays` NL calendar."""
    return d in _feestdagen(d.year)


def is_werkdag(d: date) -> bool:
    """D4: Mon–Fri except national public holidays; school vacation weekdays count."""
    return d.weekday() < 5 and not is_feestdag(d)


def werkdag_na(d: date, n: int) -> date:
    """The n-th working day after d (d itself not counted)."""
    if n < 0:
        raise KalenderFout("aantal werkdagen moet >= 0 zijn")
    resultaat = d
    while n > 0:
        resultaat += timedelta(days=1)
        if is_werkdag(resultaat):
            n -= 1
    return resultaat


def vervaldatum(einddatum: date) -> date:
    """D4 / R-MLD-7: a melding is due einddatum + 5 working days."""
    return werkdag_na(einddatum, MELDTERMIJN_WERKDAGEN)


def schooljaar_van(d: date) -> Periode:
    """R-AGE-3: the school year runs from 1 August through 31 July."""
    begin_jaar = d.year if d.month >= 8 else d.year - 1
    return Periode(date(begin_jaar, 8, 1), date(begin_jaar + 1, 7, 31))


def _maandag(d: date) -> date:
    return d - timedelta(days=d.weekday())


@dataclass(frozen=True)
class SchoolKalender:
    """One school's calendar (rules sections 8 and 9).

    A vacation day is a day inside one of `vakanties`; the days from 1 August up to the
    day before `eerste_schooldag` are the tail of the summer vacation and count as
    vacation days too. Free days and study days are no lesdagen but never turn a week
    into a vakantieweek.
    """

    vakanties: tuple[Periode, ...] = ()
    vrije_dagen: tuple[Periode, ...] = ()
    studiedagen: tuple[Periode, ...] = ()
    eerste_schooldag: date | None = None
    _vakantiedagen: frozenset[date] = field(init=False, repr=False, compare=False)
    _geen_les: frozenset[date] = field(init=False, repr=False, compare=False)
    _vakantieweken: tuple[date, ...] = field(init=False, repr=False, compare=False)
    _cache_lesdag: dict[date, bool] = field(init=False, repr=False, compare=False)
    _cache_positie: dict[date, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        vakantiedagen = {d for p in self.vakanties for d in p.dagen()}
        if self.eerste_schooldag is not None:
            start = schooljaar_van(self.eerste_schooldag).van
            vakantiedagen.update(Periode(start, self.eerste_schooldag).dagen())
            vakantiedagen.discard(self.eerste_schooldag)
        geen_les = {d for p in self.vrije_dagen + self.studiedagen for d in p.dagen()}
        maandagen = {_maandag(d) for d in vakantiedagen}
        # Rules section 8 step 2: a vakantieweek has vacation on all five weekdays.
        vakantieweken = sorted(
            m
            for m in maandagen
            if all(m + timedelta(days=i) in vakantiedagen for i in range(5))
        )
        object.__setattr__(self, "_vakantiedagen", frozenset(vakantiedagen))
        object.__setattr__(self, "_geen_les", frozenset(geen_les))
        object.__setattr__(self, "_vakantieweken", tuple(vakantieweken))
        object.__setattr__(self, "_cache_lesdag", {})
        object.__setattr__(self, "_cache_positie", {})

    def is_vakantiedag(self, d: date) -> bool:
        return d in self._vakantiedagen

    def is_vakantieweek(self, d: date) -> bool:
        """Mon–Fri of the week of d are all vacation days (rules section 8 step 2)."""
        maandag = _maandag(d)
        i = bisect.bisect_left(self._vakantieweken, maandag)
        return i < len(self._vakantieweken) and self._vakantieweken[i] == maandag

    def is_lesdag(self, d: date) -> bool:
        """A weekday without vacation, free day, study day or public holiday."""
        antwoord = self._cache_lesdag.get(d)
        if antwoord is None:
            antwoord = (
                d.weekday() < 5
                and d not in self._vakantiedagen
                and d not in self._geen_les
                and not is_feestdag(d)
            )
            self._cache_lesdag[d] = antwoord
        return antwoord

    def lesdagen(self, van: date, tot: date) -> list[date]:
        return [d for d in Periode(van, tot).dagen() if self.is_lesdag(d)]

    def is_vensterdag(self, d: date) -> bool:
        """A weekday outside a vakantieweek: what a D2 window is made of."""
        return d.weekday() < 5 and not self.is_vakantieweek(d)

    def vensterpositie(self, d: date) -> int:
        """Ordinal of the first window day on or after d.

        Window days are numbered consecutively, so `d` lies in `venster(a)` exactly when
        d is a window day and `0 <= vensterpositie(d) - vensterpositie(a) < 20`. The
        engine uses this to test window membership with two integer comparisons.
        """
        positie = self._cache_positie.get(d)
        if positie is None:
            maandag = _maandag(d)
            dag = d.weekday()
            if dag >= 5:
                maandag += timedelta(days=7)
                dag = 0
            weken = (maandag - _EPOCH_MAANDAG).days // 7
            vakantieweken_ervoor = bisect.bisect_left(self._vakantieweken, maandag)
            if self.is_vakantieweek(maandag):
                # Not a window day: the first window day after it is the next lesweek
                # Monday.
                dag = 0
                while self.is_vakantieweek(maandag):
                    maandag += timedelta(days=7)
                    weken += 1
                    vakantieweken_ervoor += 1
            positie = (weken - vakantieweken_ervoor) * 5 + dag
            self._cache_positie[d] = positie
        return positie

    def venster(self, anker: date) -> tuple[date, ...]:
        """The 20 weekdays of the D2 window from anker, vakantieweken skipped."""
        dagen: list[date] = []
        d = anker
        while len(dagen) < VENSTER_WEEKDAGEN:
            if self.is_vensterdag(d):
                dagen.append(d)
            d += timedelta(days=1)
        return tuple(dagen)

    def venster_einde(self, anker: date) -> date:
        return self.venster(anker)[-1]

    def eerste_twee_lesweken(self) -> Periode:
        """R-VRL-VAK-1: first school day through the Friday of the 2nd lesweek."""
        if self.eerste_schooldag is None:
            raise KalenderFout("kalender zonder eerste schooldag")
        maandag = _maandag(self.eerste_schooldag)
        lesweken = 0
        while True:
            if not self.is_vakantieweek(maandag):
                lesweken += 1
                if lesweken == 2:
                    return Periode(self.eerste_schooldag, maandag + timedelta(days=4))
            maandag += timedelta(days=7)
