"""Engine rules beyond the named scenarios: D5–D7, D15, D17, D18, regimes, BBL, DST."""

import os
import time as systime
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from leerplicht.fixtures import TC_2526
from services.analyse.domain.luxe import vermoedelijk_sleutel
from services.analyse.domain.model import (
    AnalyseFout,
    Beleid,
    IngediendeMelding,
    Sector,
    Signaalsoort,
    Slot,
    Slotstatus,
    Verzuimsoort,
)

Maak = Callable[..., Any]


def _elke_lesdag_afwezig(p: Any, van: str, tot: str) -> None:
    for dag in TC_2526.lesdagen(date.fromisoformat(van), date.fromisoformat(tot)):
        if p.feiten.sector is Sector.PO:
            p.klokminuten_afwezig(dag.isoformat())
        else:
            p.lesuren_afwezig(dag.isoformat())


def test_continuous_absence_repeats_weekly_then_lrv(leerling: Maak) -> None:
    # Given a VO pupil absent every lesdag from Mon 2025-09-15 through 2025-10-17.
    p = leerling(Sector.VO, "2011-03-10")
    _elke_lesdag_afwezig(p, "2025-09-15", "2025-10-17")

    # When the engine evaluates on the last day of absence.
    resultaat = p.evalueer("2025-10-17")

    # Then a V3, three repeats at most once per 7 calendar days (D7), then LRV.
    v3 = resultaat.van_soort(Verzuimsoort.V3)
    assert [m.einddatum for m in v3] == [
        date(2025, 9, 17),
        date(2025, 9, 24),
        date(2025, 10, 1),
        date(2025, 10, 8),
    ]
    assert v3[1].begindatum == date(2025, 9, 18)
    assert v3[1].minuten == 5 * 7 * 60  # 09-18 .. 09-24, all of it reported
    [lrv] = resultaat.van_soort(Verzuimsoort.LRV)
    assert lrv.begindatum == date(2025, 9, 15)
    assert lrv.vastgesteld_op == date(2025, 10, 13)  # more than 4 lesweken
    assert lrv.einddatum is None
    assert lrv.vervaldatum == date(2025, 10, 20)


def test_16_hours_again_within_7_days_waits_for_the_repeat_then_stands(
    leerling: Maak,
) -> None:
    # Given a first melding on Wed 2025-09-17, and 21 hours more on Thu, Fri and Mon
    # (16 reached on Mon 09-22, within 7 days of it), after which the pupil attends.
    p = leerling(Sector.VO, "2011-03-10")
    _elke_lesdag_afwezig(p, "2025-09-15", "2025-09-16")
    p.lesuren_afwezig("2025-09-17", [1, 2])
    _elke_lesdag_afwezig(p, "2025-09-18", "2025-09-22")

    # When the engine evaluates the day before the repeat is allowed, and on it.
    eerder = p.evalueer("2025-09-23").van_soort(Verzuimsoort.V3)
    later = p.evalueer("2025-09-24").van_soort(Verzuimsoort.V3)

    # Then the second duty is not lost (R-MLD-8), only held back to 7 days after the
    # first (D7): its hours up to its last absent day, standing from 09-24.
    assert [m.einddatum for m in eerder] == [date(2025, 9, 17)]
    assert [m.einddatum for m in later] == [date(2025, 9, 17), date(2025, 9, 22)]
    herhaling = later[1]
    assert herhaling.begindatum == date(2025, 9, 18)
    assert herhaling.minuten == 3 * 7 * 60
    assert herhaling.vastgesteld_op == date(2025, 9, 24)
    assert herhaling.vervaldatum == date(2025, 9, 29)


def test_held_back_repeat_after_a_gap_keeps_its_own_hours(leerling: Maak) -> None:
    # 16 hours again within the 7 days, then a new absence two weeks later: the held
    # back duty keeps its own days, and counting restarts after them.
    p = leerling(Sector.VO, "2011-03-10")
    _elke_lesdag_afwezig(p, "2025-09-15", "2025-09-16")
    p.lesuren_afwezig("2025-09-17", [1, 2])
    _elke_lesdag_afwezig(p, "2025-09-18", "2025-09-22")
    p.lesuren_afwezig("2025-10-06", [1])

    v3 = p.evalueer("2025-10-10").van_soort(Verzuimsoort.V3)

    assert [(m.begindatum, m.einddatum) for m in v3] == [
        (date(2025, 9, 15), date(2025, 9, 17)),
        (date(2025, 9, 18), date(2025, 9, 22)),
    ]


def test_submitted_held_back_repeat_is_matched_not_found_again(leerling: Maak) -> None:
    p = leerling(Sector.VO, "2011-03-10")
    _elke_lesdag_afwezig(p, "2025-09-15", "2025-09-16")
    p.lesuren_afwezig("2025-09-17", [1, 2])
    _elke_lesdag_afwezig(p, "2025-09-18", "2025-09-22")
    ingediend = [
        IngediendeMelding(
            "V3:2025-09-17", Verzuimsoort.V3, date(2025, 9, 15), date(2025, 9, 17)
        ),
        IngediendeMelding(
            "V3:2025-09-22", Verzuimsoort.V3, date(2025, 9, 18), date(2025, 9, 22)
        ),
    ]

    v3 = p.evalueer("2025-10-10", ingediend).van_soort(Verzuimsoort.V3)

    assert [m.sleutel for m in v3] == ["V3:2025-09-17", "V3:2025-09-22"]


def test_lrv_gets_its_einddatum_when_the_pupil_returns(leerling: Maak) -> None:
    p = leerling(Sector.VO, "2011-03-10")
    _elke_lesdag_afwezig(p, "2025-09-15", "2025-10-17")

    # The pupil is back on Mon 2025-10-27, after the herfstvakantie.
    assert p.evalueer("2025-10-27").meldplicht("LRV:2025-09-15").einddatum is None
    assert p.evalueer("2025-10-28").meldplicht("LRV:2025-09-15").einddatum == date(
        2025, 10, 17
    )


def test_one_present_lesson_breaks_the_continuous_absence(leerling: Maak) -> None:
    p = leerling(Sector.VO, "2011-03-10")
    _elke_lesdag_afwezig(p, "2025-09-15", "2025-10-17")
    del p.slots["2025-09-30/4"]

    resultaat = p.evalueer("2025-10-17")

    assert resultaat.van_soort(Verzuimsoort.LRV) == ()
    assert len(resultaat.van_soort(Verzuimsoort.V3)) == 5


def test_bbl_pupil_counts_tuesdays_only(leerling: Maak) -> None:
    # Given an MBO BBL pupil (one lesdag of 8 hours, Tuesday) absent every Tuesday.
    p = leerling(Sector.MBO, "2008-11-20")
    for dag in ("2025-09-02", "2025-09-09", "2025-09-16", "2025-09-23", "2025-09-30"):
        p.lesuren_afwezig(dag, range(1, 9))

    resultaat = p.evalueer("2025-09-30")

    # Then V3 after two Tuesdays, and LRV on the 5th: more than 4 lesweken.
    assert resultaat.van_soort(Verzuimsoort.V3)[0].einddatum == date(2025, 9, 9)
    [lrv] = resultaat.van_soort(Verzuimsoort.LRV)
    assert (lrv.begindatum, lrv.vastgesteld_op) == (date(2025, 9, 2), date(2025, 9, 30))


def test_turning_18_inside_a_window(leerling: Maak) -> None:
    # Kwalificatieplichtig until Tue 2026-03-03, 18 on Wed 2026-03-04.
    def pupil(beleid: Beleid) -> Any:
        p = leerling(Sector.VO, "2008-03-04", beleid=beleid)
        for dag in ("2026-03-02", "2026-03-03", "2026-03-04"):
            p.lesuren_afwezig(dag)
        return p

    # Default policy (D6): 18+ hours do not count, 14 hours remain.
    assert pupil(Beleid()).evalueer("2026-03-04").meldplichten == ()

    # melden18PlusBij16Uur: the 16th hour falls on the birthday, so V4.
    [melding] = (
        pupil(Beleid(melden_18plus_bij_16_uur=True)).evalueer("2026-03-04").meldplichten
    )
    assert melding.soort is Verzuimsoort.V4
    assert melding.begindatum == date(2026, 3, 2)


def test_startkwalificatie_ends_kwalificatieplicht(leerling: Maak) -> None:
    # A 17-year-old with a havo diploma since 2025-07-10 (R-MLD-11).
    p = leerling(Sector.VO, "2008-10-01", startkwalificatie_sinds="2025-07-10")
    _elke_lesdag_afwezig(p, "2025-09-15", "2025-10-17")

    assert p.evalueer("2025-10-17").meldplichten == ()


def test_rmc_after_more_than_4_weeks_for_a_19_year_old(leerling: Maak) -> None:
    p = leerling(Sector.VO, "2006-05-05")
    _elke_lesdag_afwezig(p, "2025-09-15", "2025-10-13")

    resultaat = p.evalueer("2025-10-13")

    [rmc] = resultaat.meldplichten
    assert rmc.soort is Verzuimsoort.RMC
    assert (rmc.begindatum, rmc.vastgesteld_op) == (
        date(2025, 9, 15),
        date(2025, 10, 13),
    )


def test_achterstallig_more_than_28_days_after_einddatum(leerling: Maak) -> None:
    p = leerling(Sector.VO, "2011-03-10")
    p.lesuren_afwezig("2025-09-15")
    p.lesuren_afwezig("2025-09-16")
    p.lesuren_afwezig("2025-09-17", [1, 2])

    assert not p.evalueer("2025-10-15").meldplichten[0].achterstallig
    assert p.evalueer("2025-10-16").meldplichten[0].achterstallig


def test_correction_below_16_proposes_withdrawal_of_a_submitted_melding(
    leerling: Maak,
) -> None:
    # Given the S01 melding was submitted.
    p = leerling(Sector.VO, "2011-03-10")
    p.lesuren_afwezig("2025-09-15")
    p.lesuren_afwezig("2025-09-16")
    p.lesuren_afwezig("2025-09-17", [1, 2])
    ingediend = [
        IngediendeMelding(
            "V3:2025-09-17", Verzuimsoort.V3, date(2025, 9, 15), date(2025, 9, 17)
        )
    ]
    assert p.evalueer("2025-09-18", ingediend).meldplichten[0].ingediend

    # When a timely sick notice makes Tuesday geoorloofd.
    p.lesuren_afwezig("2025-09-16", status=Slotstatus.GEOORLOOFD, ziek=True)
    resultaat = p.evalueer("2025-09-18", ingediend)

    # Then no duty, but a withdrawal proposal for the verzuimcoördinator (D15).
    assert resultaat.meldplichten == ()
    [voorstel] = resultaat.intrekkingsvoorstellen
    assert voorstel.sleutel == "V3:2025-09-17"
    assert voorstel.minuten == 9 * 60
    # And before submission the same correction simply leaves no duty.
    assert p.evalueer("2025-09-18").meldplichten == ()


def test_submitted_melding_keeps_its_hours_and_the_restart(leerling: Maak) -> None:
    # A later correction adds hours before the submitted einddatum: no new duty there.
    p = leerling(Sector.VO, "2011-03-10")
    p.lesuren_afwezig("2025-09-15")
    p.lesuren_afwezig("2025-09-16")
    p.lesuren_afwezig("2025-09-17", [1, 2])
    ingediend = [
        IngediendeMelding(
            "V3:2025-09-17", Verzuimsoort.V3, date(2025, 9, 15), date(2025, 9, 17)
        )
    ]
    p.lesuren_afwezig("2025-09-12")

    [melding] = p.evalueer("2025-09-18", ingediend).meldplichten
    assert melding.sleutel == "V3:2025-09-17"
    assert melding.minuten == 23 * 60


def test_later_duty_submitted_first_leaves_the_earlier_duties_standing(
    leerling: Maak,
) -> None:
    # Given a backfill with 16 hours in each of three consecutive weeks.
    p = leerling(Sector.VO, "2011-03-10")
    for week in ("2025-09-08", "2025-09-15", "2025-09-22"):
        maandag = date.fromisoformat(week)
        for dag in range(3):
            p.lesuren_afwezig((maandag + timedelta(days=dag)).isoformat())
    zonder = p.evalueer("2025-09-26").meldplichten
    assert len(zonder) == 3

    # When DUO confirms the last of them first.
    laatste = zonder[-1]
    ingediend = [
        IngediendeMelding(
            laatste.sleutel, laatste.soort, laatste.begindatum, laatste.einddatum
        )
    ]
    met = p.evalueer("2025-09-26", ingediend).meldplichten

    # Then the earlier two still stand: the order of confirmations changes nothing.
    assert [m.sleutel for m in met] == [m.sleutel for m in zonder]
    assert [m.ingediend for m in met] == [False, False, True]


def test_day_before_a_vacation_raises_vermoedelijk_luxeverzuim(leerling: Maak) -> None:
    # Given unauthorised absence on Fri 2025-10-17, the lesdag before herfstvakantie.
    p = leerling(Sector.PO, "2017-05-02")
    p.klokminuten_afwezig("2025-10-17")
    sleutel = vermoedelijk_sleutel(date(2025, 10, 17))

    # When the engine evaluates, then a signal, no melding yet (D18).
    [signaal] = p.evalueer("2025-10-17").signalen
    assert (signaal.sleutel, signaal.soort) == (
        sleutel,
        Signaalsoort.VERMOEDELIJK_LUXEVERZUIM,
    )

    # When the coordinator confirms, then an L melding; rejecting ends the signal.
    bevestigd = p.evalueer("2025-10-27", besluiten={sleutel: True})
    [melding] = bevestigd.meldplichten
    assert (melding.soort, melding.begindatum) == (Verzuimsoort.L, date(2025, 10, 17))
    assert bevestigd.signalen == ()
    verworpen = p.evalueer("2025-10-27", besluiten={sleutel: False})
    assert verworpen.meldplichten == () and verworpen.signalen == ()


def test_sick_notice_after_a_vacation_raises_the_signal(leerling: Maak) -> None:
    p = leerling(Sector.VO, "2011-03-10")
    p.ziek("2025-10-27")  # Monday after the herfstvakantie
    p.ziek("2025-10-29")  # not next to a vacation

    [signaal] = p.evalueer("2025-10-29").signalen
    assert signaal.datum == date(2025, 10, 27)


def test_luxe_period_around_a_vacation_is_one_melding(leerling: Maak) -> None:
    # Leaving a day early and returning a day late is one trip; a later day is not.
    p = leerling(Sector.PO, "2018-06-01")
    for dag in ("2026-02-12", "2026-02-13", "2026-02-23", "2026-03-04"):
        p.klokminuten_afwezig(dag, luxe=True)

    meldingen = p.evalueer("2026-03-04").van_soort(Verzuimsoort.L)

    assert [(m.begindatum, m.einddatum) for m in meldingen] == [
        (date(2026, 2, 12), date(2026, 2, 23)),
        (date(2026, 3, 4), date(2026, 3, 4)),
    ]


def test_submitted_luxe_melding_is_matched_not_repeated(leerling: Maak) -> None:
    p = leerling(Sector.PO, "2018-06-01")
    for dag in range(9, 12):
        p.klokminuten_afwezig(f"2026-02-{dag:02d}", luxe=True)
    ingediend = [
        IngediendeMelding("L:2026-02-09", Verzuimsoort.L, date(2026, 2, 9), None)
    ]
    p.klokminuten_afwezig("2026-02-12", luxe=True)

    [melding] = p.evalueer("2026-02-12", ingediend).meldplichten
    assert melding.sleutel == "L:2026-02-09" and melding.ingediend
    assert melding.einddatum == date(2026, 2, 12)

    for dag in range(9, 13):
        p.klokminuten_afwezig(f"2026-02-{dag:02d}", status=Slotstatus.GEOORLOOFD)
    [voorstel] = p.evalueer("2026-02-12", ingediend).intrekkingsvoorstellen
    assert voorstel.sleutel == "L:2026-02-09"


def test_slots_on_days_without_lessons_do_not_count(leerling: Maak) -> None:
    p = leerling(Sector.VO, "2011-03-10")
    for dag in ("2025-09-15", "2025-09-16", "2025-11-12", "2025-10-21"):  # study day,
        p.lesuren_afwezig(dag)  # herfstvakantie

    assert p.evalueer("2025-11-12").meldplichten == ()


def test_two_slots_with_one_id_are_rejected(leerling: Maak) -> None:
    p = leerling(Sector.VO, "2011-03-10")
    slot = Slot("x", date(2025, 9, 15), 1, Slotstatus.ONGEOORLOOFD, 60)

    from services.analyse.domain.engine import evalueer

    with pytest.raises(AnalyseFout):
        evalueer(p.feiten, [slot, slot], vandaag=date(2025, 9, 15))


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Tokyo"])
def test_window_across_the_clock_change_ignores_the_process_timezone(
    leerling: Maak, tz: str
) -> None:
    # Pitfall T1 on TC-2526: summer time starts Sun 2026-03-29.
    oud = os.environ.get("TZ")
    os.environ["TZ"] = tz
    systime.tzset()
    try:
        p = leerling(Sector.VO, "2011-03-10")
        p.lesuren_afwezig("2026-03-27")
        p.lesuren_afwezig("2026-03-30")
        p.lesuren_afwezig("2026-03-31", [1, 2])
        [melding] = p.evalueer("2026-03-31").meldplichten
    finally:
        if oud is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = oud
        systime.tzset()

    assert (melding.begindatum, melding.einddatum) == (
        date(2026, 3, 27),
        date(2026, 3, 31),
    )
    assert melding.vervaldatum == date(2026, 4, 9)  # Good Friday and Easter Monday


def test_submitted_ladder_melding_pairs_with_its_own_step_not_a_later_one() -> None:
    from services.analyse.domain.engine import koppel_aan_ingediend
    from services.analyse.domain.model import Meldplicht

    def stap(n: int) -> Meldplicht:
        return Meldplicht(
            sleutel=f"O:te-laat:2025-2026:{n}",
            soort=Verzuimsoort.O,
            begindatum=date(2025, 9, 16),
            einddatum=None,
            vastgesteld_op=date(2025, 11, 3),
            vervaldatum=date(2025, 11, 10),
            minuten=0,
            slot_ids=(),
            venster=None,
            achterstallig=False,
            ingediend=False,
            toelichting="",
        )

    # Step 9 was submitted when late records for September had not arrived yet.
    ingediend = [
        IngediendeMelding(
            "O:te-laat:2025-2026:9", Verzuimsoort.O, date(2025, 10, 7), None
        )
    ]

    # Step 12 sorts before step 9 as text; it must not take step 9's melding.
    gekoppeld, intrekkingen = koppel_aan_ingediend([stap(9), stap(12)], ingediend)

    assert intrekkingen == []
    assert sorted((m.sleutel, m.ingediend, m.begindatum) for m in gekoppeld) == [
        ("O:te-laat:2025-2026:12", False, date(2025, 9, 16)),
        ("O:te-laat:2025-2026:9", True, date(2025, 10, 7)),
    ]
