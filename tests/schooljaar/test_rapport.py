"""The HTML report (self-contained, escaped) and the terminal summary."""

import re
from datetime import date, datetime
from pathlib import Path

import pytest
from rich.console import Console
from rich.progress import Progress

from tools.schooljaar.grafieken import Reeks, gestapeld_staafdiagram, getal
from tools.schooljaar.rapport import (
    druk_samenvatting,
    maak_voortgang,
    render_html,
    schrijf_rapport,
)
from tools.schooljaar.rapportgegevens import (
    Drempelleerling,
    Kerncijfers,
    Meldinguitleg,
    Rapportgegevens,
    Slotregel,
    Slotuur,
    uren_per_leerjaar,
    uren_per_week,
)

KWAADAARDIG = "<script>alert(1)</script>"


def _voorbeeld() -> Rapportgegevens:
    slots = [
        Slotuur(date(2025, 9, 15), "VO", 3, "ongeoorloofd", 50 * 7),
        Slotuur(date(2025, 9, 16), "VO", 3, "ongeoorloofd", 50 * 7),
        Slotuur(date(2025, 9, 17), "VO", 3, "geoorloofd", 50 * 2),
        Slotuur(date(2025, 12, 1), "PO", 5, "geoorloofd", 345),
    ]
    melding = Meldinguitleg(
        leerling=KWAADAARDIG,
        school="VO",
        verzuimsoort="V3",
        begindatum=date(2025, 9, 15),
        einddatum=date(2025, 9, 17),
        vervaldatum=date(2025, 9, 24),
        minuten=960,
        slots=[Slotregel(date(2025, 9, 15), n, 60) for n in range(1, 8)]
        + [Slotregel(date(2025, 9, 16), n, 60) for n in range(1, 8)]
        + [Slotregel(date(2025, 9, 17), n, 60) for n in (1, 2)],
        duo_status="geregistreerd",
        meldingsnummer="M-000123",
        toelichting="16 lesuren ongeoorloofd in 4 lesweken (D1, D2)",
    )
    return Rapportgegevens(
        titel="Verzuimketen — schooljaar door de keten",
        schooljaar="2025-2026",
        gegenereerd_op=datetime(2026, 7, 20, 12, 0),
        scholen=["Verzuimketen Demolyceum", "Basisschool De Proeftuin"],
        seed=2526,
        cijfers=Kerncijfers(
            records_verstuurd=151_152,
            records_geaccepteerd=151_076,
            records_afgewezen=76,
            records_verwacht_afgewezen=76,
            records_gecorrigeerd=14_651,
            verzuim_geclassificeerd={"geoorloofd": 100_000, "ongeoorloofd": 40_000},
            meldplichten={"V3": 57, "L": 12, "LRV": 2},
            meldingen_status={"geregistreerd": 70, "wachtOpBevestiging": 1},
            meldingen_geaccepteerd=70,
            signalen={"vermoedelijkLuxeverzuim": 15},
            notificaties_bezorgd=140,
            notificaties_mislukt=2,
            dossiers_open=20,
            dossiers_gesloten=50,
            duur_seconden=812.4,
        ),
        per_week=uren_per_week(slots, date(2025, 9, 1), date(2025, 12, 31)),
        per_leerjaar=uren_per_leerjaar(slots, {("VO", 3): 280, ("PO", 5): 36}),
        boven_drempel=[
            Drempelleerling(
                KWAADAARDIG, "VO", "3H1", "16 uur in 4 lesweken", 16.0, 2, 1
            )
        ],
        meldingen=[melding],
        dlq={"verzuim.registratie.v1.dlq": 3},
    )


def test_report_renders_self_contained_html(tmp_path: Path) -> None:
    pad = schrijf_rapport(_voorbeeld(), tmp_path / "uit" / "rapport.html")
    html = pad.read_text(encoding="utf-8")

    assert html.lstrip().startswith("<!DOCTYPE html>")
    assert html.count("<svg") == 2
    assert "<script" not in html
    assert not re.search(r"(src|href)=\"?(https?:)?//", html)
    assert "@import" not in html and "url(" not in html


def test_report_escapes_a_script_name() -> None:
    html = render_html(_voorbeeld())

    assert KWAADAARDIG not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_report_explains_each_melding() -> None:
    html = render_html(_voorbeeld())

    assert "16 uur in 4 lesweken (onder 18)" in html
    assert "M-000123" in html and "geregistreerd" in html
    assert "ma 15-09-2025" in html and "wo 24-09-2025" in html
    assert "16 lesuren waarop de melding steunt" in html
    assert "lesuur 7 (60 min)" in html
    assert "verzuim.registratie.v1.dlq" in html
    assert "151.152" in html


def test_report_without_data_still_renders() -> None:
    leeg = Rapportgegevens(
        titel="leeg",
        schooljaar="2025-2026",
        gegenereerd_op=datetime(2025, 9, 1, 8, 0),
        scholen=[],
        cijfers=Kerncijfers(),
    )

    html = render_html(leeg)

    assert "Geen verzuimmeldingen." in html
    assert "<svg" not in html


def test_hours_per_week_and_per_leerjaar() -> None:
    gegevens = _voorbeeld()
    week = {w.maandag: w for w in gegevens.per_week}
    leerjaar = {(j.school, j.leerjaar): j for j in gegevens.per_leerjaar}

    assert week[date(2025, 9, 15)].ongeoorloofd == pytest.approx(700 / 60)
    assert week[date(2025, 9, 15)].geoorloofd == pytest.approx(100 / 60)
    assert week[date(2025, 9, 1)].ongeoorloofd == 0
    assert len(gegevens.per_week) == 18
    assert leerjaar[("PO", 5)].geoorloofd == pytest.approx(5.75)
    assert leerjaar[("VO", 3)].leerlingen == 280


def test_stacked_bars_scale_with_their_values() -> None:
    diagram = gestapeld_staafdiagram(
        ["a", "b"],
        [
            Reeks("geoorloofd", "g", [10.0, 0.0]),
            Reeks("ongeoorloofd", "o", [10.0, 5.0]),
        ],
        beschrijving="test",
    )
    a_onder, a_boven, b = diagram.staven

    assert a_onder.hoogte == pytest.approx(a_boven.hoogte)
    assert a_boven.y + a_boven.hoogte == pytest.approx(a_onder.y)
    assert b.hoogte == pytest.approx(a_onder.hoogte / 2)
    assert diagram.y_labels[-1].tekst == "20"
    assert b.titel == "b: o 5 uur"


@pytest.mark.parametrize(
    ("waarde", "tekst"),
    [(0, "0"), (1234, "1.234"), (1234.5, "1.234,5"), (151152, "151.152")],
)
def test_dutch_number_notation(waarde: float, tekst: str) -> None:
    assert getal(waarde) == tekst


def test_summary_printer_shows_the_run_figures() -> None:
    console = Console(record=True, width=100, force_terminal=False)

    druk_samenvatting(_voorbeeld(), console)
    uitvoer = console.export_text()

    for verwacht in (
        "Records",
        "151.152",
        "Meldplichten per soort",
        "LRV",
        "geaccepteerd door DUO",
        "notificaties bezorgd",
        "dossiers gesloten",
        "verzuim.registratie.v1.dlq",
    ):
        assert verwacht in uitvoer


def test_progress_helper_tracks_a_task() -> None:
    console = Console(record=True, width=100, force_terminal=False)

    with maak_voortgang(console) as voortgang:
        taak = voortgang.add_task("dagen versturen", total=3)
        for _ in range(3):
            voortgang.advance(taak)

    assert isinstance(voortgang, Progress)
    assert voortgang.tasks[0].completed == 3
