"""Notification texts: Dutch, minimal per role, no BSN, escaped HTML. Data made up."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from stdnum.nl import bsn

from services.ketenkoppeling.partners import (
    Gebeurtenis,
    GebeurtenisFout,
    GeenSjabloon,
    Inhoud,
    Inhoudmaker,
    Meldingsoort,
    NotificatieSoort,
    Rol,
)
from services.ketenkoppeling.partners.routering import SchoolConfig

LEERLING = "0b9a8c7d-6e5f-4a3b-9c2d-1e0f2a3b4c5d"
MELDINGSNUMMER = "DUO-2025-4711"
SCHOOL = SchoolConfig(
    school_id="school-1", naam="Testcollege locatie Noord", brin="99XX"
)


def gebeurtenis(**anders: Any) -> Gebeurtenis:
    velden: dict[str, Any] = {
        "id": "evt-0001",
        "soort": NotificatieSoort.MELDING_VERZONDEN,
        "school_id": "school-1",
        "leerling_id": LEERLING,
        "datum": date(2025, 9, 18),
        "gemeentecode": "0999",
        "meldingsoort": Meldingsoort.ZESTIEN_UUR,
        "begindatum": date(2025, 9, 15),
        "einddatum": date(2025, 9, 17),
        "duo_meldingsnummer": MELDINGSNUMMER,
        "leerling_roepnaam": "Sanne",
        "ouder_emailadressen": ("ouder@thuis.example",),
    }
    velden.update(anders)
    return Gebeurtenis(**velden)


@pytest.fixture(scope="module")
def maker() -> Inhoudmaker:
    return Inhoudmaker()


def alle_tekst(inhoud: Inhoud) -> str:
    return "\n".join(
        [inhoud.onderwerp, inhoud.tekst, inhoud.html, json.dumps(inhoud.gegevens)]
    )


ALLE_COMBINATIES = [
    pytest.param(soort, rol, id=f"{soort}-{rol}")
    for soort in NotificatieSoort
    for rol in Rol
]


@pytest.mark.parametrize(("soort", "rol"), ALLE_COMBINATIES)
def test_every_event_kind_renders_for_every_role_in_dutch(
    maker: Inhoudmaker, soort: NotificatieSoort, rol: Rol
) -> None:
    inhoud = maker.maak(gebeurtenis(soort=soort), rol, SCHOOL)

    assert inhoud.onderwerp and "\n" not in inhoud.onderwerp
    assert inhoud.tekst.splitlines()[0] in {
        "Geachte leerplichtambtenaar,",
        "Beste ouder of verzorger,",
        "Beste collega van het zorgteam,",
    }
    assert "Met vriendelijke groet," in inhoud.tekst
    assert "18 september 2025" in inhoud.tekst
    assert '<html lang="nl">' in inhoud.html
    assert all(len(regel) <= 76 for regel in inhoud.tekst.splitlines())


@pytest.mark.parametrize(("soort", "rol"), ALLE_COMBINATIES)
def test_no_notification_carries_a_bsn(
    maker: Inhoudmaker, soort: NotificatieSoort, rol: Rol
) -> None:
    inhoud = maker.maak(gebeurtenis(soort=soort), rol, SCHOOL)

    negen_cijfers = re.findall(r"(?<!\d)\d{9}(?!\d)", alle_tekst(inhoud))
    assert not [getal for getal in negen_cijfers if bsn.is_valid(getal)]


def test_the_source_has_no_field_for_a_bsn_or_a_reason() -> None:
    verboden = {"bsn", "onderwijsnummer", "pgn", "reden", "vermoedelijke_reden"}
    verboden |= {"toelichting", "ziekte", "diagnose"}

    assert not {veld.name for veld in fields(Gebeurtenis)} & verboden


def test_a_bsn_cannot_take_the_place_of_the_internal_id() -> None:
    with pytest.raises(GebeurtenisFout, match="intern UUID"):
        gebeurtenis(leerling_id="111222333")


def test_lpa_gets_internal_id_school_kind_dates_and_meldingsnummer(
    maker: Inhoudmaker,
) -> None:
    inhoud = maker.maak(gebeurtenis(), Rol.LEERPLICHTAMBTENAAR, SCHOOL)

    assert inhoud.gegevens == {
        "soort": "melding_verzonden",
        "school": "Testcollege locatie Noord",
        "brin": "99XX",
        "leerling_id": LEERLING,
        "meldingsoort": "zestien_uur",
        "meldingsoort_omschrijving": "16 uur ongeoorloofd verzuim binnen 4 lesweken",
        "begindatum": "2025-09-15",
        "einddatum": "2025-09-17",
        "datum": "2025-09-18",
        "duo_meldingsnummer": MELDINGSNUMMER,
    }
    assert "Sanne" not in alle_tekst(inhoud)
    assert "15 september 2025" in inhoud.tekst


def test_parents_get_their_childs_name_and_no_duo_internals(maker: Inhoudmaker) -> None:
    inhoud = maker.maak(gebeurtenis(), Rol.OUDERS, SCHOOL)

    tekst = alle_tekst(inhoud)
    assert "Sanne" in inhoud.tekst
    assert MELDINGSNUMMER not in tekst
    assert "meldingsnummer" not in tekst.lower()
    assert LEERLING not in tekst
    assert "99XX" not in tekst
    assert not re.search(r"\bV[1-4]\b|\bLRV\b", tekst)


def test_care_team_gets_the_internal_id_but_not_the_name(maker: Inhoudmaker) -> None:
    inhoud = maker.maak(gebeurtenis(), Rol.ZORGTEAM, SCHOOL)

    assert LEERLING in inhoud.tekst
    assert "Sanne" not in alle_tekst(inhoud)
    assert MELDINGSNUMMER not in alle_tekst(inhoud)


def test_mazl_signal_names_no_illness(maker: Inhoudmaker) -> None:
    # D19: the signal is about the pattern of sick notices, never their reasons.
    inhoud = maker.maak(
        gebeurtenis(soort=NotificatieSoort.MAZL_SIGNAAL), Rol.ZORGTEAM, SCHOOL
    )

    assert "zorgwekkend ziekteverzuim" in inhoud.tekst
    assert "ziekteredenen" in inhoud.tekst
    assert not set(inhoud.gegevens) & {"reden", "ziekte"}


def test_open_ended_melding_says_the_end_date_is_not_known(maker: Inhoudmaker) -> None:
    # D7: an LRV melding has no einddatum yet.
    inhoud = maker.maak(
        gebeurtenis(
            meldingsoort=Meldingsoort.LANGDURIG_RELATIEF_VERZUIM, einddatum=None
        ),
        Rol.LEERPLICHTAMBTENAAR,
        SCHOOL,
    )

    assert "Laatste verzuimdag: nog niet bekend" in inhoud.tekst
    assert "einddatum" not in inhoud.gegevens


def test_html_escapes_names_while_plain_text_keeps_them(maker: Inhoudmaker) -> None:
    school = SchoolConfig(school_id="school-1", naam='De Brug & <script>"x"</script>')

    inhoud = maker.maak(
        gebeurtenis(leerling_roepnaam="<b>Sanne</b>"), Rol.OUDERS, school
    )

    assert "<script>" not in inhoud.html
    assert "<b>Sanne</b>" not in inhoud.html
    assert "De Brug &amp; &lt;script&gt;" in inhoud.html
    assert "&lt;b&gt;Sanne&lt;/b&gt;" in inhoud.html
    assert "<b>Sanne</b>" in inhoud.tekst


def test_a_subject_stays_one_header_line(maker: Inhoudmaker) -> None:
    school = SchoolConfig(school_id="school-1", naam="Test\r\nBcc: iemand@example.org")

    inhoud = maker.maak(gebeurtenis(), Rol.LEERPLICHTAMBTENAAR, school)

    assert "\n" not in inhoud.onderwerp and "\r" not in inhoud.onderwerp


def test_a_deployment_can_override_one_template(tmp_path: Path) -> None:
    (tmp_path / "dossier_gesloten").mkdir()
    (tmp_path / "dossier_gesloten" / "ouders.txt.j2").write_text(
        '{% extends "basis.txt.j2" %}\n'
        "{% block onderwerp %}Dossier dicht{% endblock %}\n"
        "{% block aanhef %}Beste ouders,{% endblock %}\n",
        encoding="utf-8",
    )
    maker = Inhoudmaker(tmp_path)

    eigen = maker.maak(
        gebeurtenis(soort=NotificatieSoort.DOSSIER_GESLOTEN), Rol.OUDERS, SCHOOL
    )
    standaard = maker.maak(gebeurtenis(), Rol.OUDERS, SCHOOL)

    assert eigen.onderwerp == "Dossier dicht"
    assert eigen.tekst.startswith("Beste ouders,")
    assert standaard.onderwerp == "Melding van verzuim bij de leerplichtambtenaar"


def test_a_template_without_subject_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dossier_gesloten").mkdir()
    (tmp_path / "dossier_gesloten" / "ouders.txt.j2").write_text(
        '{% extends "basis.txt.j2" %}\n', encoding="utf-8"
    )

    with pytest.raises(GeenSjabloon, match="onderwerp"):
        Inhoudmaker(tmp_path).maak(
            gebeurtenis(soort=NotificatieSoort.DOSSIER_GESLOTEN), Rol.OUDERS, SCHOOL
        )


@pytest.mark.parametrize(
    ("code", "soort"),
    [
        ("V3", Meldingsoort.ZESTIEN_UUR),
        ("V4", Meldingsoort.ZESTIEN_UUR),
        ("LRV", Meldingsoort.LANGDURIG_RELATIEF_VERZUIM),
        ("L", Meldingsoort.LUXEVERZUIM),
        ("RMC", Meldingsoort.RMC),
        ("O", Meldingsoort.OVERIG),
    ],
)
def test_contract_codes_map_to_kinds_whose_text_hides_the_code(
    maker: Inhoudmaker, code: str, soort: Meldingsoort
) -> None:
    assert Meldingsoort.uit_verzuimsoort(code) is soort

    inhoud = maker.maak(gebeurtenis(meldingsoort=soort), Rol.OUDERS, SCHOOL)

    assert not re.search(rf"\b{code}\b", inhoud.tekst + inhoud.html)


def test_an_unknown_contract_code_is_refused() -> None:
    with pytest.raises(GebeurtenisFout, match="V1"):
        Meldingsoort.uit_verzuimsoort("V1")
