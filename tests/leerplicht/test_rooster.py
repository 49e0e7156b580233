"""Timetables and the D3 counting unit, in integer minutes."""

import os
import time as systime
from datetime import date, time

import pytest

from leerplicht.fixtures import MBO_BBL_ROOSTER, PO_ROOSTER, VO_ROOSTER
from leerplicht.rooster import Eenheid, Lesuur, Rooster, RoosterFout, telwaarde_minuten


def test_fixture_timetables() -> None:
    maandag = date(2025, 9, 15)
    dinsdag = date(2025, 9, 16)

    assert PO_ROOSTER.minuten_op(maandag) == 300
    assert len(VO_ROOSTER.lesuren_op(maandag)) == 7
    assert VO_ROOSTER.lesuur(maandag, 7) == Lesuur(7, time(13, 30), time(14, 20))
    assert MBO_BBL_ROOSTER.minuten_op(dinsdag) == 480
    assert MBO_BBL_ROOSTER.lesuren_op(maandag) == ()
    assert VO_ROOSTER.lesuren_op(date(2025, 9, 20)) == ()


def test_unknown_lesuur_is_an_error() -> None:
    with pytest.raises(RoosterFout):
        VO_ROOSTER.lesuur(date(2025, 9, 15), 8)


def test_rooster_rejects_overlap_and_duplicates() -> None:
    with pytest.raises(RoosterFout):
        Rooster.elke_weekdag(
            [Lesuur(1, time(8, 30), time(9, 30)), Lesuur(2, time(9), time(10))]
        )
    with pytest.raises(RoosterFout):
        Rooster.elke_weekdag(
            [Lesuur(1, time(8), time(9)), Lesuur(1, time(9), time(10))]
        )
    with pytest.raises(RoosterFout):
        Lesuur(1, time(10), time(9))


@pytest.mark.parametrize(
    ("eenheid", "lesuur", "gemist", "volledig", "drempel", "telwaarde"),
    [
        (Eenheid.LESUUR, 50, 50, True, None, 60),  # a 50-minute lesuur counts one hour
        (Eenheid.LESUUR, 45, 0, True, None, 60),
        (Eenheid.LESUUR, 90, 90, True, None, 90),  # longer lessons count their minutes
        (Eenheid.LESUUR, 50, 20, False, None, 0),  # partly missed, no threshold (D3)
        (Eenheid.LESUUR, 50, 20, False, 20, 60),  # school threshold of 20 minutes
        (Eenheid.LESUUR, 50, 19, False, 20, 0),
        (Eenheid.KLOKUUR, 210, 30, False, None, 30),  # PO: missed minutes
        (Eenheid.KLOKUUR, 210, 0, True, None, 210),
    ],
)
def test_telwaarde_minuten(
    eenheid: Eenheid,
    lesuur: int,
    gemist: int,
    volledig: bool,
    drempel: int | None,
    telwaarde: int,
) -> None:
    assert telwaarde_minuten(eenheid, lesuur, gemist, volledig, drempel) == telwaarde


def test_missed_minutes_longer_than_the_lesson_are_rejected() -> None:
    # Pitfall T4: 60 minutes late for a 50-minute lesson.
    with pytest.raises(RoosterFout):
        telwaarde_minuten(Eenheid.LESUUR, 50, 60, False, None)


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Europe/Amsterdam"])
def test_lesson_minutes_do_not_depend_on_the_process_timezone(tz: str) -> None:
    # Pitfall T1: the weeks of both clock changes, under several process time zones.
    oud = os.environ.get("TZ")
    os.environ["TZ"] = tz
    systime.tzset()
    try:
        for d in (date(2025, 3, 28), date(2025, 3, 31), date(2025, 10, 27)):
            assert VO_ROOSTER.lesuur(d, 1).begin == time(8, 30)
            assert VO_ROOSTER.minuten_op(d) == 350
    finally:
        if oud is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = oud
        systime.tzset()
