"""Which legal regime applies to a pupil on a given date (rules section 2).

The regime is evaluated per absence date, never per report date (S18): a pupil can turn
5, reach the end of leerplicht, or turn 18 inside one 4-lesweek window.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import MAXYEAR, date, timedelta
from enum import StrEnum

from leerplicht.kalender import SchoolKalender, is_werkdag, schooljaar_van

__all__ = [
    "Regime",
    "Regimetijdlijn",
    "kwalificatieplicht_einde",
    "leerplicht_einde",
    "leerplicht_start",
    "regime_op",
    "verjaardag",
]

# How far leerplicht_start looks for the first lesdag of the month before it gives up on
# the school calendar (a calendar that does not cover that month at all).
_MAX_ZOEKDAGEN = 62


class Regime(StrEnum):
    LEERPLICHT = "leerplicht"
    KWALIFICATIEPLICHT = "kwalificatieplicht"
    RMC = "rmc"
    GEEN = "geen"

    @property
    def meldbaar(self) -> bool:
        """Absence on a date under this regime counts for a melding at all."""
        return self is not Regime.GEEN


def verjaardag(geboortedatum: date, leeftijd: int) -> date:
    """The date on which a pupil reaches `leeftijd`.

    A pupil born on 29 February reaches a new age on 1 March in a common year. An age
    reached after the end of the calendar is `date.max`: never, as far as any date
    asked about is concerned.
    """
    jaar = geboortedatum.year + leeftijd
    if jaar > MAXYEAR:
        return date.max
    try:
        return geboortedatum.replace(year=jaar)
    except ValueError:
        return date(jaar, 3, 1)


def leerplicht_start(
    geboortedatum: date, kalender: SchoolKalender | None = None
) -> date:
    """R-AGE-1 (Lpw art. 3(1)): first school day of the month after turning 5.

    With a kalender: the first lesdag on or after the 1st of that month. Without one (or
    when the kalender has no lesdag in reach): the first working day on or after the
    1st.
    """
    vijf = verjaardag(geboortedatum, 5)
    if vijf.year >= MAXYEAR:
        # The month after it (and the lesdagen sought in it) may lie past the end of
        # the calendar: leerplicht never starts for any date that can be asked about.
        return date.max
    if vijf.month == 12:
        eerste = date(vijf.year + 1, 1, 1)
    else:
        eerste = date(vijf.year, vijf.month + 1, 1)
    if kalender is not None:
        for i in range(_MAX_ZOEKDAGEN):
            d = eerste + timedelta(days=i)
            if kalender.is_lesdag(d):
                return d
    d = eerste
    while not is_werkdag(d):
        d += timedelta(days=1)
    return d


def leerplicht_einde(
    geboortedatum: date, einde_twaalf_schooljaren: date | None = None
) -> date:
    """R-AGE-2/3 (Lpw art. 3(1)(a)(b)): last day of leerplicht.

    The end of the school year (31 July) in which the pupil turns 16, or, when earlier,
    the end of the school year after which the pupil completed 12 full school years
    (`einde_twaalf_schooljaren`, supplied by the school's administration).
    """
    zestien = verjaardag(geboortedatum, 16)
    if zestien.year >= MAXYEAR:
        # Its school year ends after the end of the calendar.
        return date.max
    einde = schooljaar_van(zestien).tot
    if einde_twaalf_schooljaren is not None and einde_twaalf_schooljaren < einde:
        return einde_twaalf_schooljaren
    return einde


def kwalificatieplicht_einde(geboortedatum: date) -> date:
    """R-AGE-4 (Lpw art. 4a): the last day before the 18th birthday."""
    return verjaardag(geboortedatum, 18) - timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Regimetijdlijn:
    """The regime boundaries of one pupil, computed once and compared per date.

    `startkwalificatie_sinds` is the date from which the pupil holds a
    startkwalificatie (None: none). The analyse engine asks the regime of every absence
    date, so the boundaries are computed once instead of per date.
    """

    leerplicht_van: date
    leerplicht_tot: date
    achttien: date
    drieentwintig: date
    startkwalificatie_sinds: date | None = None
    vrijgesteld_kwalificatieplicht: bool = False

    @classmethod
    def voor(
        cls,
        geboortedatum: date,
        kalender: SchoolKalender | None = None,
        *,
        startkwalificatie_sinds: date | None = None,
        einde_twaalf_schooljaren: date | None = None,
        vrijgesteld_kwalificatieplicht: bool = False,
    ) -> Regimetijdlijn:
        return cls(
            leerplicht_van=leerplicht_start(geboortedatum, kalender),
            leerplicht_tot=leerplicht_einde(geboortedatum, einde_twaalf_schooljaren),
            achttien=verjaardag(geboortedatum, 18),
            drieentwintig=verjaardag(geboortedatum, 23),
            startkwalificatie_sinds=startkwalificatie_sinds,
            vrijgesteld_kwalificatieplicht=vrijgesteld_kwalificatieplicht,
        )

    def op(self, datum: date) -> Regime:
        """The regime function of rules section 2 for one date."""
        # R-AGE-8: before leerplicht starts (a 4-year-old) nothing is reportable.
        if datum < self.leerplicht_van:
            return Regime.GEEN
        if datum <= self.leerplicht_tot:
            return Regime.LEERPLICHT
        sinds = self.startkwalificatie_sinds
        if sinds is not None and sinds <= datum:
            return Regime.GEEN
        # R-AGE-4 (Lpw art. 4a, 4b): to the 18th birthday, unless exempt (art. 4a(2)).
        if datum < self.achttien and not self.vrijgesteld_kwalificatieplicht:
            return Regime.KWALIFICATIEPLICHT
        # R-AGE-7: RMC from 18 up to the 23rd birthday without startkwalificatie.
        if datum < self.drieentwintig:
            return Regime.RMC
        return Regime.GEEN


def regime_op(
    datum: date,
    geboortedatum: date,
    startkwalificatie: bool,
    kalender: SchoolKalender | None = None,
    *,
    einde_twaalf_schooljaren: date | None = None,
    vrijgesteld_kwalificatieplicht: bool = False,
) -> Regime:
    """The regime function of rules section 2, evaluated for one date.

    `startkwalificatie` means the pupil holds one on `datum`; callers with a diploma
    date pass `diplomadatum <= datum`. `vrijgesteld_kwalificatieplicht` covers art.
    4a(2) (praktijkonderwijs certificate, some VSO exit profiles).
    """
    tijdlijn = Regimetijdlijn.voor(
        geboortedatum,
        kalender,
        startkwalificatie_sinds=datum if startkwalificatie else None,
        einde_twaalf_schooljaren=einde_twaalf_schooljaren,
        vrijgesteld_kwalificatieplicht=vrijgesteld_kwalificatieplicht,
    )
    return tijdlijn.op(datum)
