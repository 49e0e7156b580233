"""PDCA check (do the measures work?) and act (which ladder step next?)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from leerplicht.kalender import Periode, SchoolKalender
from services.opvolging.domain.evaluatie import (
    STANDAARD_LADDER,
    Evaluatieregels,
    Oordeel,
    WeekCijfer,
    advies,
    beoordeel,
    na_lesweken,
)
from services.opvolging.domain.fouten import EvaluatieFout

REGELS = Evaluatieregels()
START = date(2025, 9, 18)  # Thursday: the measures start in the week of 15 September


def _weken(*minuten: int, vanaf: date = date(2025, 9, 8)) -> list[WeekCijfer]:
    return [WeekCijfer(vanaf + timedelta(weeks=i), m) for i, m in enumerate(minuten)]


@pytest.mark.parametrize(
    ("minuten", "oordeel", "voor", "na"),
    [
        ((120, 960, 600, 700), Oordeel.NIET_VERBETERD, 540.0, 650.0),
        ((120, 960, 200, 100), Oordeel.VERBETERD, 540.0, 150.0),
        ((120, 960, 300, 0, 0), Oordeel.VERZUIM_GESTOPT, 540.0, 100.0),
        ((120, 960, 0, 50), Oordeel.VERBETERD, 540.0, 25.0),
        ((120, 960), Oordeel.ONVOLDOENDE_GEGEVENS, 540.0, None),
        ((120, 960, 280), Oordeel.NIET_VERBETERD, 540.0, 280.0),
        ((120, 960, 270), Oordeel.VERBETERD, 540.0, 270.0),
    ],
    ids=[
        "continues",
        "halved",
        "two silent weeks",
        "one silent week is not yet stopped",
        "no week after the start",
        "just under half the drop",
        "exactly half",
    ],
)
def test_weeks_before_and_after_the_measures_are_compared(
    minuten: tuple[int, ...], oordeel: Oordeel, voor: float, na: float | None
) -> None:
    uitslag = beoordeel(_weken(*minuten), START, date(2025, 12, 1), REGELS)

    assert uitslag.oordeel is oordeel
    assert (uitslag.gemiddelde_voor, uitslag.gemiddelde_na) == (voor, na)
    assert [c.week for c in uitslag.voor] == [date(2025, 9, 8), date(2025, 9, 15)]


def test_weeks_after_the_peildatum_are_not_used() -> None:
    uitslag = beoordeel(_weken(120, 960, 600, 0, 0), START, date(2025, 9, 26), REGELS)

    assert [c.week for c in uitslag.na] == [date(2025, 9, 22)]
    assert uitslag.oordeel is Oordeel.NIET_VERBETERD


def test_stopped_without_a_baseline_still_counts_as_stopped() -> None:
    cijfers = _weken(0, 0, vanaf=date(2025, 9, 22))

    assert beoordeel(cijfers, START, date(2025, 10, 6), REGELS).oordeel is (
        Oordeel.VERZUIM_GESTOPT
    )


def test_a_day_in_the_week_stands_for_its_monday_and_a_week_counts_once() -> None:
    assert WeekCijfer(date(2025, 9, 19), 30).week == date(2025, 9, 15)
    with pytest.raises(EvaluatieFout):
        beoordeel(
            [WeekCijfer(date(2025, 9, 22), 10), WeekCijfer(date(2025, 9, 24), 20)],
            START,
            date(2025, 10, 1),
            REGELS,
        )
    with pytest.raises(EvaluatieFout):
        WeekCijfer(date(2025, 9, 22), -5)


def test_policy_numbers_are_configurable() -> None:
    streng = Evaluatieregels(stil_weken=3, minimale_daling=0.9)
    cijfers = _weken(120, 960, 200, 0, 0)  # after: 66.7 minutes a week on average

    assert beoordeel(cijfers, START, date(2025, 12, 1), REGELS).oordeel is (
        Oordeel.VERZUIM_GESTOPT
    )
    assert beoordeel(cijfers, START, date(2025, 12, 1), streng).oordeel is (
        Oordeel.NIET_VERBETERD
    )
    with pytest.raises(EvaluatieFout):
        Evaluatieregels(interval_weken=0)


def test_n_lesweken_later_skips_vacation_weeks() -> None:
    kalender = SchoolKalender(
        vakanties=(Periode(date(2025, 10, 18), date(2025, 10, 26)),)
    )

    assert na_lesweken(date(2025, 10, 9), 2) == date(2025, 10, 23)
    assert na_lesweken(date(2025, 10, 9), 2, kalender) == date(2025, 10, 30)
    assert na_lesweken(date(2025, 10, 9), 0, kalender) == date(2025, 10, 9)


@pytest.mark.parametrize(
    ("oordeel", "huidig", "loopt", "stap"),
    [
        (Oordeel.NIET_VERBETERD, 0, False, 1),
        (Oordeel.NIET_VERBETERD, 0, True, None),
        (Oordeel.NIET_VERBETERD, len(STANDAARD_LADDER) - 1, False, None),
        (Oordeel.VERBETERD, 0, False, None),
        (Oordeel.VERZUIM_GESTOPT, 2, False, None),
        (Oordeel.ONVOLDOENDE_GEGEVENS, 0, False, None),
    ],
    ids=["escalate", "step still open", "ladder done", "works", "stopped", "no data"],
)
def test_act_escalates_one_step_only_when_the_measures_fail(
    oordeel: Oordeel, huidig: int, loopt: bool, stap: int | None
) -> None:
    uitkomst = advies(oordeel, huidig, loopt, STANDAARD_LADDER)

    assert uitkomst.stap == stap
    if stap is None and oordeel in (Oordeel.NIET_VERBETERD, Oordeel.VERZUIM_GESTOPT):
        assert uitkomst.toelichting


def test_default_ladder_follows_the_protocol() -> None:
    assert [s.titel for s in STANDAARD_LADDER] == [
        "Gesprek mentor met leerling",
        "Gesprek met ouders",
        "Brief aan ouders",
        "Bespreking in het zorgteam",
        "Overleg met de leerplichtambtenaar",
    ]
