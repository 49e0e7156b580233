"""The engine scenarios of `scenarios.md` on TC-2526, as given / when / then."""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from leerplicht.fixtures import TC_2526
from leerplicht.kalender import Periode
from services.analyse.domain.model import (
    ACTIE_BRIEF,
    ACTIE_GESPREK_OUDERS,
    ACTIE_MELDING_OVERIG,
    Beleid,
    LateScope,
    Sector,
    Signaalsoort,
    Verzuimsoort,
)

Maak = Callable[..., Any]


def test_s01_vo_exactly_16_lesuren(leerling: Maak) -> None:
    # Given a VO pupil aged 14 with 7 + 7 + 2 unauthorised lesuren.
    p = leerling(Sector.VO, "2011-03-10")
    p.lesuren_afwezig("2025-09-15")
    p.lesuren_afwezig("2025-09-16")
    p.lesuren_afwezig("2025-09-17", [1, 2])

    # When the engine evaluates after the registration of 2025-09-17.
    resultaat = p.evalueer("2025-09-17")

    # Then exactly one V3 melding, the sum reaching 16 at lesuur 2 of 09-17.
    [melding] = resultaat.meldplichten
    assert melding.soort is Verzuimsoort.V3
    assert (melding.begindatum, melding.einddatum) == (
        date(2025, 9, 15),
        date(2025, 9, 17),
    )
    assert melding.vervaldatum == date(2025, 9, 24)
    assert melding.venster == Periode(date(2025, 9, 15), date(2025, 10, 10))
    assert melding.minuten == 960
    assert len(melding.slot_ids) == 16
    assert not melding.achterstallig
    assert "16 uur" in melding.toelichting

    # And counting restarts on 2025-09-18: the 16 reported hours never count again.
    p.lesuren_afwezig("2025-09-18")
    p.lesuren_afwezig("2025-09-19")
    assert p.evalueer("2025-09-19").meldplichten == resultaat.meldplichten


def test_s01_one_lesuur_less_is_no_melding(leerling: Maak) -> None:
    p = leerling(Sector.VO, "2011-03-10")
    p.lesuren_afwezig("2025-09-15")
    p.lesuren_afwezig("2025-09-16")
    p.lesuren_afwezig("2025-09-17", [1])

    assert p.evalueer("2025-09-17").meldplichten == ()


def _s02(leerling: Maak, beleid: Beleid | None = None) -> Any:
    p = leerling(Sector.PO, "2017-05-02", beleid=beleid)
    for dag in ("2025-10-06", "2025-10-07", "2025-10-08"):
        p.klokminuten_afwezig(dag, 300)
    p.klokminuten_afwezig("2025-10-09", 30)  # leaves 30 minutes early (D3)
    return p


def test_s02_po_15_5_klokuren_never_reports(leerling: Maak) -> None:
    # Given the S02 pupil with 15.5 klokuren.
    p = _s02(leerling)

    # When the engine evaluates on every lesdag up to and including 2025-11-07.
    uitkomsten = [
        p.evalueer(dag.isoformat())
        for dag in TC_2526.lesdagen(date(2025, 10, 9), date(2025, 11, 7))
    ]

    # Then no melding and no signal of any kind with the default policy.
    assert TC_2526.venster_einde(date(2025, 10, 6)) == date(2025, 11, 7)
    assert all(u.meldplichten == () and u.signalen == () for u in uitkomsten)


def test_s02_largest_window_sum_is_15_5(leerling: Maak) -> None:
    # A school signal threshold shows the window sum without a statutory melding.
    gelijk = _s02(leerling, Beleid(signaalverzuim_minuten=930)).evalueer("2025-11-07")
    erboven = _s02(leerling, Beleid(signaalverzuim_minuten=931)).evalueer("2025-11-07")

    [signaal] = gelijk.signalen_van(Signaalsoort.SIGNAALVERZUIM)
    assert "15 uur en 30 minuten" in signaal.toelichting
    assert erboven.signalen == ()
    assert gelijk.meldplichten == ()


def test_s02b_exactly_16_across_the_herfstvakantie(leerling: Maak) -> None:
    # Given S02 plus 30 minutes on Mon 2025-11-03.
    p = _s02(leerling)
    p.klokminuten_afwezig("2025-11-03", 30)

    # When the engine evaluates after that registration.
    resultaat = p.evalueer("2025-11-03")

    # Then one V3 melding; a naive 28-day window would have ended 2025-11-02.
    [melding] = resultaat.meldplichten
    assert melding.soort is Verzuimsoort.V3
    assert (melding.begindatum, melding.einddatum) == (
        date(2025, 10, 6),
        date(2025, 11, 3),
    )
    assert melding.vervaldatum == date(2025, 11, 10)
    assert melding.minuten == 960
    assert date(2025, 10, 6) + timedelta(days=27) < melding.einddatum

    # And counting restarts on 2025-11-04.
    p.klokminuten_afwezig("2025-11-04", 300)
    assert p.evalueer("2025-11-04").meldplichten == resultaat.meldplichten


def test_s03_vo_window_crosses_a_vacation_week(leerling: Maak) -> None:
    # Given 7 + 2 lesuren before the herfstvakantie and 7 on Fri 2025-11-14.
    p = leerling(Sector.VO, "2011-03-10")
    p.lesuren_afwezig("2025-10-15")
    p.lesuren_afwezig("2025-10-16", [1, 2])
    p.lesuren_afwezig("2025-11-14")

    # When the engine evaluates after the registration of 2025-11-14.
    [melding] = p.evalueer("2025-11-14").meldplichten

    # Then the window (not extended by the study day) holds all 16.
    assert melding.venster == Periode(date(2025, 10, 15), date(2025, 11, 18))
    assert (melding.begindatum, melding.einddatum) == (
        date(2025, 10, 15),
        date(2025, 11, 14),
    )
    assert melding.vervaldatum == date(2025, 11, 21)


def test_s06_luxe_verzuim_after_denied_leave(leerling: Maak) -> None:
    # Given a PO pupil away 2026-02-09 .. 02-13, coded as holiday without leave.
    p = leerling(Sector.PO, "2018-06-01", beleid=Beleid(signaalverzuim_minuten=1))
    for dag in range(9, 14):
        p.klokminuten_afwezig(f"2026-02-{dag:02d}", 300, luxe=True)

    # When the engine evaluates after the registration of 2026-02-13.
    resultaat = p.evalueer("2026-02-13")

    # Then exactly one L melding, regardless of the 25 klokuren.
    [melding] = resultaat.meldplichten
    assert melding.soort is Verzuimsoort.L
    assert (melding.begindatum, melding.einddatum) == (
        date(2026, 2, 9),
        date(2026, 2, 13),
    )
    assert melding.vervaldatum == date(
        2026, 2, 20
    )  # vacation weekdays are working days
    assert melding.minuten == 1500
    assert len(melding.slot_ids) == 5
    # And the hours are reported (D5): no V3, the unreported sum stays 0.
    assert resultaat.signalen_van(Signaalsoort.SIGNAALVERZUIM) == ()


def test_s18_child_turns_5_mid_period(leerling: Maak) -> None:
    # Given a child that turns 5 on 2025-10-14 and is leerplichtig from 2025-11-03.
    p = leerling(Sector.PO, "2020-10-14")
    for dag in range(27, 32):
        p.klokminuten_afwezig(f"2025-10-{dag}", 300)
    for dag in ("2025-11-03", "2025-11-04", "2025-11-05"):
        p.klokminuten_afwezig(dag, 300)
    p.klokminuten_afwezig("2025-11-06", 60)

    # When the engine evaluates after the registration of 2025-11-06.
    resultaat = p.evalueer("2025-11-06")

    # Then the October days count 0; one V3 from the first leerplichtige day.
    [melding] = resultaat.meldplichten
    assert melding.soort is Verzuimsoort.V3
    assert (melding.begindatum, melding.einddatum) == (
        date(2025, 11, 3),
        date(2025, 11, 6),
    )
    assert melding.venster == Periode(date(2025, 11, 3), date(2025, 11, 28))
    assert melding.vervaldatum == date(2025, 11, 13)
    assert melding.minuten == 960
    assert not any(i.startswith("2025-10") for i in melding.slot_ids)


_S23_DATA = (
    "2025-09-02",
    "2025-09-04",
    "2025-09-09",
    "2025-09-16",
    "2025-09-18",
    "2025-09-23",
    "2025-09-30",
    "2025-10-02",
    "2025-10-07",
)


def _laat_stappen(leerling: Maak, beleid: Beleid) -> dict[str, object]:
    p = leerling(Sector.PO, "2017-05-02", beleid=beleid)
    signalen: dict[str, object] = {}
    meldingen: dict[str, object] = {}
    for dag in _S23_DATA:
        p.te_laat(dag, 10)
        resultaat = p.evalueer(dag)
        signalen.update({s.sleutel: s for s in resultaat.signalen})
        meldingen.update({m.sleutel: m for m in resultaat.meldplichten})
    return {"signalen": signalen, "meldingen": meldingen}


def test_s23_lateness_ladder_per_school_year(leerling: Maak) -> None:
    # Given the 3-6-9-12 ladder, scope school year, and 9 late arrivals.
    # When the engine evaluates after each late arrival.
    uitkomst = _laat_stappen(leerling, Beleid())

    # Then the 3rd, 6th and 9th arrival hit their step, nothing else.
    signalen = uitkomst["signalen"]
    stappen = sorted((s.datum, s.acties) for s in signalen.values())
    assert stappen == [
        (date(2025, 9, 9), (ACTIE_GESPREK_OUDERS,)),
        (date(2025, 9, 23), (ACTIE_BRIEF,)),
        (date(2025, 10, 7), (ACTIE_MELDING_OVERIG, ACTIE_BRIEF)),
    ]
    # And the 9th creates an O melding, no V3 (90 minutes in total).
    [melding] = uitkomst["meldingen"].values()
    assert melding.soort is Verzuimsoort.O
    assert melding.vastgesteld_op == date(2025, 10, 7)
    assert melding.minuten == 90


def test_s23_largest_window_sum_is_one_klokuur(leerling: Maak) -> None:
    for drempel, verwacht in ((60, 1), (61, 0)):
        p = leerling(
            Sector.PO, "2017-05-02", beleid=Beleid(signaalverzuim_minuten=drempel)
        )
        for dag in _S23_DATA:
            p.te_laat(dag, 10)

        resultaat = p.evalueer("2025-10-07")

        assert len(resultaat.signalen_van(Signaalsoort.SIGNAALVERZUIM)) == verwacht
        assert resultaat.van_soort(Verzuimsoort.V3) == ()


def test_s23b_lateness_ladder_per_calendar_month(leerling: Maak) -> None:
    uitkomst = _laat_stappen(leerling, Beleid(te_laat_scope=LateScope.KALENDERMAAND))

    stappen = sorted((s.datum, s.acties) for s in uitkomst["signalen"].values())
    assert stappen == [
        (date(2025, 9, 9), (ACTIE_GESPREK_OUDERS,)),
        (date(2025, 9, 23), (ACTIE_BRIEF,)),
    ]
    assert uitkomst["meldingen"] == {}


def test_s25_mazl_four_sick_episodes_within_12_lesweken(leerling: Maak) -> None:
    # Given four one-day sick episodes, each notified on the day itself.
    p = leerling(Sector.VO, "2011-03-10")
    signalen_per_dag = {}

    # When the engine evaluates after each notice.
    for dag in ("2025-09-08", "2025-10-02", "2025-11-04", "2025-11-24"):
        p.ziek(dag)
        resultaat = p.evalueer(dag)
        signalen_per_dag[dag] = resultaat.signalen
        assert resultaat.meldplichten == ()  # illness is geoorloofd (R-MLD-13)

    # Then a signal only after the 4th episode, in the 11th lesweek.
    assert [len(s) for s in signalen_per_dag.values()] == [0, 0, 0, 1]
    [signaal] = signalen_per_dag["2025-11-24"]
    assert signaal.soort is Signaalsoort.ZORGWEKKEND_ZIEKTEVERZUIM
    assert signaal.datum == date(2025, 11, 24)
    assert len(signaal.slot_ids) == 4 * 7


def test_s25_the_12_lesweken_boundary(leerling: Maak) -> None:
    # The week of 2025-12-01 is the 12th lesweek counted from the week of 2025-09-08
    # (the herfstvakantie week is not a lesweek); 2025-12-08 is the 13th.
    for vierde, signalen in (("2025-12-01", 1), ("2025-12-08", 0)):
        p = leerling(Sector.VO, "2011-03-10")
        for dag in ("2025-09-08", "2025-10-02", "2025-11-04", vierde):
            p.ziek(dag)

        assert len(p.evalueer(vierde).signalen) == signalen


def test_s25b_mazl_seventh_consecutive_sick_lesdag(leerling: Maak) -> None:
    # Given a pupil sick from Mon 2025-12-01, notified that day.
    p = leerling(Sector.VO, "2011-03-10")
    gezien = []

    # When the engine evaluates on every sick lesdag.
    for dag in TC_2526.lesdagen(date(2025, 12, 1), date(2025, 12, 9)):
        p.ziek(dag.isoformat())
        gezien.append((dag, p.evalueer(dag.isoformat()).signalen))

    # Then the signal appears on Tue 2025-12-09, the 7th lesdag, none earlier.
    assert [len(s) for _, s in gezien] == [0, 0, 0, 0, 0, 0, 1]
    [signaal] = gezien[-1][1]
    assert signaal.datum == date(2025, 12, 9)
    assert signaal.soort is Signaalsoort.ZORGWEKKEND_ZIEKTEVERZUIM
