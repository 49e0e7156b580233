"""Dates near the ends of the calendar, without I/O: the time conversion refuses
them by field, and the regime of a pupil never crashes on them."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from leerplicht.fixtures import TC_2526, VO_ROOSTER
from leerplicht.regime import (
    Regime,
    Regimetijdlijn,
    leerplicht_einde,
    leerplicht_start,
    regime_op,
    verjaardag,
)
from services.registratie.domain.fouten import DatumBuitenBereik, OngeldigeInvoer
from services.registratie.domain.invoer import AfwezigheidInvoer, Soort
from services.registratie.domain.omzetting import naar_dagdelen
from services.registratie.domain.tijd import einde_van_dag, lees_tijdstip, lokaal

LEERLING = "00000000-0000-4000-8000-000000000001"


@pytest.mark.parametrize(
    "waarde",
    [
        "9999-12-31",
        "0001-01-01",
        "1899-12-31",
        "2200-01-01",
        "9999-12-31T23:30:00-12:00",
        "0001-01-01T00:10:00+14:00",
        "2200-01-01T00:00:00+01:00",
    ],
)
def test_a_moment_outside_the_range_is_refused_by_its_field(waarde: str) -> None:
    with pytest.raises(DatumBuitenBereik) as fout:
        lees_tijdstip(waarde, "tot")
    assert fout.value.veld == "tot"


def test_the_ends_of_the_range_still_convert() -> None:
    assert lees_tijdstip("1900-01-01", "van").datum == date(1900, 1, 1)
    assert lees_tijdstip("2199-12-31T23:30:00-12:00", "van").datum == date(2200, 1, 1)
    assert einde_van_dag(date(2199, 12, 31)) == datetime(2200, 1, 1)
    with pytest.raises(DatumBuitenBereik):
        einde_van_dag(date.max)
    with pytest.raises(DatumBuitenBereik):
        lokaal(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14))))


def test_an_open_ended_record_is_refused_unless_lessons_bound_it() -> None:
    def invoer(**velden: object) -> AfwezigheidInvoer:
        return AfwezigheidInvoer.model_validate(
            {"bronId": "r", "bron": "las", "leerlingId": LEERLING, **velden}
        )

    for van in ("2025-11-03", "2025-11-03T10:00"):
        with pytest.raises(OngeldigeInvoer) as fout:
            naar_dagdelen(invoer(van=van), VO_ROOSTER, Soort.AFWEZIG)
        assert fout.value.veld == "tot"
    (deel,) = naar_dagdelen(
        invoer(van="2025-11-03T08:30", lesuurVan=2, lesuurTot=3),
        VO_ROOSTER,
        Soort.AFWEZIG,
    )
    assert [slot.lesuur for slot in deel.slots] == [2, 3]


@pytest.mark.parametrize(
    "geboortedatum",
    [
        date.max,
        date(9999, 1, 1),
        date(9994, 12, 15),
        date(9983, 12, 31),
        date(9976, 12, 31),
        date(1, 1, 1),
        date(1896, 2, 29),
    ],
    ids=str,
)
def test_the_regime_never_crashes_near_the_ends_of_the_calendar(
    geboortedatum: date,
) -> None:
    for kalender in (None, TC_2526):
        tijdlijn = Regimetijdlijn.voor(geboortedatum, kalender)
        for d in (date.min, date(2025, 11, 20), date.max, geboortedatum):
            assert isinstance(tijdlijn.op(d), Regime)
        assert isinstance(regime_op(date(2025, 11, 20), geboortedatum, False), Regime)


def test_an_age_after_the_end_of_the_calendar_is_never_reached() -> None:
    assert verjaardag(date(9999, 12, 31), 5) == date.max
    assert leerplicht_start(date(9999, 6, 1)) == date.max
    assert leerplicht_einde(date(9990, 6, 1)) == date.max
    assert regime_op(date(9999, 12, 30), date(9999, 6, 1), False) is Regime.GEEN
    # Far from the ends nothing changes.
    assert leerplicht_start(date(2020, 10, 14)) == date(2025, 11, 3)
    assert leerplicht_einde(date(2011, 3, 10)) == date(2027, 7, 31)
