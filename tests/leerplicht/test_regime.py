"""The regime function of rules section 2, evaluated per date."""

from datetime import date

import pytest

from leerplicht.fixtures import TC_2526
from leerplicht.regime import (
    Regime,
    Regimetijdlijn,
    leerplicht_einde,
    leerplicht_start,
    regime_op,
    verjaardag,
)


def test_leerplicht_starts_on_the_first_school_day_of_the_next_month() -> None:
    # Municipal FAQ example (R-AGE-1): 2 Sep 2015 -> Thu 1 Oct 2020.
    assert leerplicht_start(date(2015, 9, 2)) == date(2020, 10, 1)
    # S18: turns 5 on 2025-10-14, the 1st of November is a Saturday.
    assert leerplicht_start(date(2020, 10, 14), TC_2526) == date(2025, 11, 3)
    assert leerplicht_start(date(2020, 10, 14)) == date(2025, 11, 3)


def test_leerplicht_start_in_december_skips_the_christmas_vacation() -> None:
    assert leerplicht_start(date(2020, 12, 3), TC_2526) == date(2026, 1, 5)
    assert leerplicht_start(date(2020, 12, 3)) == date(2026, 1, 2)


@pytest.mark.parametrize(
    ("datum", "regime"),
    [
        (date(2025, 10, 31), Regime.GEEN),  # 5 years old, before the first school day
        (date(2025, 11, 3), Regime.LEERPLICHT),
    ],
    ids=str,
)
def test_turning_5_s18(datum: date, regime: Regime) -> None:
    assert regime_op(datum, date(2020, 10, 14), False, TC_2526) is regime


def test_leerplicht_ends_on_31_july_of_the_school_year_of_the_16th_birthday() -> None:
    assert leerplicht_einde(date(2010, 3, 10)) == date(2026, 7, 31)
    # A birthday in August starts a new school year.
    assert leerplicht_einde(date(2009, 8, 1)) == date(2026, 7, 31)
    assert leerplicht_einde(date(2009, 7, 31)) == date(2025, 7, 31)
    # R-AGE-2: 12 full school years can end it earlier, never later.
    assert leerplicht_einde(date(2010, 3, 10), date(2025, 7, 31)) == date(2025, 7, 31)
    assert leerplicht_einde(date(2010, 3, 10), date(2027, 7, 31)) == date(2026, 7, 31)


@pytest.mark.parametrize(
    ("datum", "startkwalificatie", "regime"),
    [
        (date(2026, 7, 31), False, Regime.LEERPLICHT),
        (date(2026, 8, 1), False, Regime.KWALIFICATIEPLICHT),
        (date(2026, 8, 1), True, Regime.GEEN),
        (date(2028, 3, 9), False, Regime.KWALIFICATIEPLICHT),
        (date(2028, 3, 10), False, Regime.RMC),  # 18th birthday
        (date(2028, 3, 10), True, Regime.GEEN),
        (date(2033, 3, 9), False, Regime.RMC),
        (date(2033, 3, 10), False, Regime.GEEN),  # 23rd birthday
    ],
    ids=str,
)
def test_regime_transitions_16_18_23(
    datum: date, startkwalificatie: bool, regime: Regime
) -> None:
    assert regime_op(datum, date(2010, 3, 10), startkwalificatie) is regime


def test_startkwalificatie_does_not_end_leerplicht() -> None:
    assert regime_op(date(2026, 3, 1), date(2010, 3, 10), True) is Regime.LEERPLICHT


def test_exempt_from_kwalificatieplicht_goes_to_rmc() -> None:
    regime = regime_op(
        date(2027, 1, 4), date(2010, 3, 10), False, vrijgesteld_kwalificatieplicht=True
    )

    assert regime is Regime.RMC


def test_born_on_29_february() -> None:
    assert verjaardag(date(2008, 2, 29), 18) == date(2026, 3, 1)
    assert verjaardag(date(2008, 2, 29), 16) == date(2024, 2, 29)


def test_regimetijdlijn_with_a_diploma_date() -> None:
    tijdlijn = Regimetijdlijn.voor(
        date(2009, 5, 1), startkwalificatie_sinds=date(2026, 7, 10)
    )

    assert tijdlijn.op(date(2026, 7, 9)) is Regime.KWALIFICATIEPLICHT
    assert tijdlijn.op(date(2026, 7, 10)) is Regime.GEEN
