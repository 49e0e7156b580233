"""The demo schools' 2025-26 calendars, timetables and reason codes."""

from datetime import date, datetime, timedelta

import pytest

from contracts.common import Kalender, Rooster
from tools.schooljaar.kalenders import (
    PO_SCHOOL,
    SCHOLEN,
    VO_SCHOOL,
    als_schoolkalender,
    rooster_als_rijen,
)

VO = als_schoolkalender(VO_SCHOOL.kalender)
PO = als_schoolkalender(PO_SCHOOL.kalender)
LAATSTE_SCHOOLDAG = date(2026, 7, 17)


def _minuten(begin: str, eind: str) -> int:
    verschil = datetime.strptime(eind, "%H:%M") - datetime.strptime(begin, "%H:%M")
    return int(verschil.total_seconds() // 60)


def test_the_vo_year_has_between_185_and_195_lesdagen() -> None:
    lesdagen = VO.lesdagen(date(2025, 8, 1), date(2026, 7, 31))

    assert 185 <= len(lesdagen) <= 195
    assert lesdagen[0] == date(2025, 9, 1)
    assert lesdagen[-1] == LAATSTE_SCHOOLDAG


def test_the_po_year_has_only_the_national_meivakantie_week() -> None:
    lesdagen = PO.lesdagen(date(2025, 8, 1), date(2026, 7, 31))

    assert len(lesdagen) == len(VO.lesdagen(date(2025, 8, 1), date(2026, 7, 31))) + 4
    assert PO.is_lesdag(date(2026, 4, 20))
    assert not VO.is_lesdag(date(2026, 4, 20))


@pytest.mark.parametrize(
    "maandag",
    [
        date(2025, 10, 20),  # herfstvakantie
        date(2025, 12, 22),  # kerstvakantie, week 1
        date(2025, 12, 29),  # kerstvakantie, week 2
        date(2026, 2, 16),  # voorjaarsvakantie
        date(2026, 4, 27),  # meivakantie (Koningsdag)
        date(2026, 7, 20),  # zomervakantie
        date(2026, 8, 24),  # last zomervakantie week
    ],
    ids=str,
)
def test_vacation_weeks_of_regio_midden(maandag: date) -> None:
    for kalender in (VO, PO):
        assert kalender.is_vakantieweek(maandag)
        assert not any(
            kalender.is_lesdag(maandag + timedelta(days=i)) for i in range(5)
        )


def test_weeks_with_only_free_days_stay_lesweken() -> None:
    # Goede Vrijdag / Tweede Paasdag and the Hemelvaart days are free, no vacation.
    for d in (date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 14), date(2026, 5, 25)):
        assert not VO.is_lesdag(d)
        assert not VO.is_vakantieweek(d)
    assert VO.is_lesdag(date(2026, 4, 2))
    assert VO.is_lesdag(date(2026, 5, 26))


def test_study_days_are_no_lesdagen() -> None:
    for school in SCHOLEN.values():
        kalender = als_schoolkalender(school.kalender)
        for periode in school.kalender["studiedagen"]:
            d = date.fromisoformat(periode["van"])
            assert d.weekday() < 5
            assert not kalender.is_lesdag(d)


def test_calendars_and_timetables_match_the_contracts() -> None:
    for school in SCHOLEN.values():
        kalender = Kalender.model_validate(school.kalender)
        rooster = Rooster.model_validate(school.rooster)

        assert kalender.eerste_schooldag == date(2025, 9, 1)
        assert sorted(rooster.lesuren) == ["1", "2", "3", "4", "5"]


def test_vo_timetable_has_eight_lesuren_of_50_minutes_with_breaks() -> None:
    maandag = VO_SCHOOL.lesuren_op(1)

    assert [les["nummer"] for les in maandag] == list(range(1, 9))
    assert maandag[0]["begin"] == "08:30"
    assert all(_minuten(les["begin"], les["eind"]) == 50 for les in maandag)
    pauzes = [
        _minuten(a["eind"], b["begin"])
        for a, b in zip(maandag, maandag[1:], strict=False)
    ]
    assert sum(1 for p in pauzes if p > 0) == 3
    assert len(VO_SCHOOL.lesuren_op(3)) == 6  # Wednesday
    assert len(VO_SCHOOL.lesuren_op(5)) == 7  # Friday


def test_po_timetable_is_continuous_with_a_short_wednesday() -> None:
    assert PO_SCHOOL.lesuren_op(1) == [{"nummer": 1, "begin": "08:30", "eind": "14:15"}]
    assert PO_SCHOOL.lesuren_op(3) == [{"nummer": 1, "begin": "08:30", "eind": "12:15"}]


def test_timetable_rows_for_the_registratie_body() -> None:
    rijen = rooster_als_rijen(VO_SCHOOL.rooster)

    assert rijen["3"][0] == [1, "08:30", "09:20"]
    assert len(rijen["1"]) == 8


def test_vo_reason_codes_are_magister_style() -> None:
    codes = {r.code: r for r in VO_SCHOOL.redenen}

    assert {"A", "SP", "TA", "ZI", "AO", "BV", "SC", "L"} <= set(codes)
    assert codes["L"].luxe and not codes["L"].geoorloofd
    assert codes["ZI"].geoorloofd and codes["SC"].geoorloofd
    assert not codes["SP"].geoorloofd
    assert codes["TA"].als_invoer()["soort"] == "te_laat"
    assert VO_SCHOOL.code_voor("ziek") == "ZI"


@pytest.mark.parametrize("school", list(SCHOLEN.values()), ids=lambda s: s.sleutel)
def test_reason_codes_fit_eduarte_and_registratie(school) -> None:
    for reden in school.redenen:
        invoer = reden.als_invoer()

        assert len(reden.code) <= 2  # Eduarte `afkorting` holds two characters
        assert set(invoer) == {
            "code",
            "omschrijving",
            "categorie",
            "geoorloofd",
            "luxe",
            "soort",
        }
    assert sum(1 for r in school.redenen if r.luxe) == 1
