"""The TC-2526 calendar, the D2 window and the D4 due date (rules sections 8, 9)."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from leerplicht.fixtures import TC_2526
from leerplicht.kalender import (
    KalenderFout,
    Periode,
    SchoolKalender,
    schooljaar_van,
    vervaldatum,
    werkdag_na,
)


@pytest.mark.parametrize(
    ("anker", "einde"),
    [
        (date(2025, 9, 15), date(2025, 10, 10)),
        (date(2025, 10, 6), date(2025, 11, 7)),
        (date(2025, 10, 15), date(2025, 11, 18)),
        (date(2025, 11, 3), date(2025, 11, 28)),
        (date(2026, 1, 13), date(2026, 2, 9)),
        (date(2026, 2, 2), date(2026, 3, 6)),
    ],
    ids=str,
)
def test_computed_windows_of_section_9(anker: date, einde: date) -> None:
    venster = TC_2526.venster(anker)

    assert len(venster) == 20
    assert venster[0] == anker
    assert TC_2526.venster_einde(anker) == einde


def test_window_skips_the_herfstvakantie_week_but_not_a_partial_week() -> None:
    venster = TC_2526.venster(date(2025, 10, 6))

    assert not any(date(2025, 10, 20) <= d <= date(2025, 10, 24) for d in venster)
    # The study day stays in the window and does not extend it (S03).
    assert date(2025, 11, 12) in TC_2526.venster(date(2025, 10, 15))


def test_naive_28_day_window_would_differ_across_a_vacation() -> None:
    anker = date(2025, 10, 6)

    assert TC_2526.venster_einde(anker) != anker + timedelta(days=27)


def test_vakantieweek_needs_all_five_weekdays() -> None:
    assert TC_2526.is_vakantieweek(date(2025, 10, 22))
    assert TC_2526.is_vakantieweek(date(2025, 12, 29))
    # Good Friday and Easter Monday are free days: still a lesweek.
    assert not TC_2526.is_vakantieweek(date(2026, 4, 3))
    assert not TC_2526.is_vakantieweek(date(2025, 11, 12))
    # The week ending on Sat 2025-10-18 only has the Saturday as vacation.
    assert not TC_2526.is_vakantieweek(date(2025, 10, 17))


def test_summer_before_the_first_school_day_is_vacation() -> None:
    assert TC_2526.is_vakantieweek(date(2025, 8, 25))
    assert not TC_2526.is_lesdag(date(2025, 8, 29))
    assert TC_2526.is_lesdag(date(2025, 9, 1))


@pytest.mark.parametrize(
    ("dag", "lesdag"),
    [
        (date(2025, 11, 12), False),  # study day
        (date(2025, 11, 13), True),
        (date(2025, 10, 22), False),  # herfstvakantie
        (date(2025, 10, 25), False),  # Saturday
        (date(2026, 5, 14), False),  # free day and Ascension
        (date(2026, 4, 27), False),  # King's Day inside the meivakantie
        (date(2026, 2, 13), True),
        (date(2026, 2, 23), True),
    ],
    ids=str,
)
def test_is_lesdag(dag: date, lesdag: bool) -> None:
    assert TC_2526.is_lesdag(dag) is lesdag


def test_public_holiday_is_no_lesdag_even_when_the_school_forgot_it() -> None:
    kalender = SchoolKalender()

    assert not kalender.is_lesdag(date(2026, 4, 6))  # Easter Monday
    assert kalender.is_lesdag(date(2026, 4, 7))


def test_lesdagen_in_a_period_with_free_days() -> None:
    # S12: 10 weekdays minus the free days 2026-05-14 and 2026-05-15.
    assert len(TC_2526.lesdagen(date(2026, 5, 11), date(2026, 5, 22))) == 8


def test_eerste_twee_lesweken() -> None:
    assert TC_2526.eerste_twee_lesweken() == Periode(
        date(2025, 9, 1), date(2025, 9, 12)
    )

    with pytest.raises(KalenderFout):
        SchoolKalender().eerste_twee_lesweken()


@pytest.mark.parametrize(
    ("einddatum", "verval"),
    [
        (date(2025, 9, 17), date(2025, 9, 24)),  # S01
        (date(2025, 11, 3), date(2025, 11, 10)),  # S02b
        (date(2025, 11, 6), date(2025, 11, 13)),  # S18: the study day is a working day
        (
            date(2026, 2, 13),
            date(2026, 2, 20),
        ),  # S06: vacation weekdays are working days
        (date(2025, 12, 19), date(2025, 12, 30)),  # Christmas days skipped
        (date(2026, 4, 1), date(2026, 4, 10)),  # Good Friday and Easter Monday skipped
    ],
    ids=str,
)
def test_vervaldatum(einddatum: date, verval: date) -> None:
    assert vervaldatum(einddatum) == verval


def test_werkdag_na_zero_is_the_day_itself() -> None:
    assert werkdag_na(date(2025, 9, 6), 0) == date(2025, 9, 6)
    assert werkdag_na(date(2025, 9, 6), 1) == date(2025, 9, 8)


def test_schooljaar_runs_from_august_through_july() -> None:
    assert schooljaar_van(date(2025, 8, 1)) == Periode(
        date(2025, 8, 1), date(2026, 7, 31)
    )
    assert schooljaar_van(date(2026, 7, 31)) == Periode(
        date(2025, 8, 1), date(2026, 7, 31)
    )


def test_periode_rejects_end_before_start() -> None:
    with pytest.raises(KalenderFout):
        Periode(date(2025, 9, 2), date(2025, 9, 1))


@given(
    anker=st.dates(min_value=date(2025, 8, 1), max_value=date(2026, 8, 31)),
    offset=st.integers(min_value=-10, max_value=60),
)
def test_vensterpositie_agrees_with_the_window(anker: date, offset: int) -> None:
    d = anker + timedelta(days=offset)
    venster = TC_2526.venster(anker)

    via_positie = TC_2526.is_vensterdag(d) and (
        0 <= TC_2526.vensterpositie(d) - TC_2526.vensterpositie(anker) < 20
    )

    assert via_positie == (d in venster)
