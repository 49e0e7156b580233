"""The closing report: JSON-able, readable Dutch HTML, escaped, no data beyond need."""

from __future__ import annotations

import json

from services.opvolging.domain.beleid import Opvolgingsbeleid
from services.opvolging.domain.dossier import Dossier
from services.opvolging.domain.rapport import LeerlingGegevens, afsluitrapport, als_html


def test_user_text_is_escaped_in_the_html(
    dossier_met_meldplicht: Dossier, beleid: Opvolgingsbeleid, h
) -> None:
    dossier = dossier_met_meldplicht
    [actie_id] = dossier.acties
    dossier.afronden(
        actie_id,
        uitkomst="<img src=x onerror=alert(2)>",
        handeling=h("2025-09-22", "m<b>"),
    )
    leerling = LeerlingGegevens(
        naam="Sam <script>alert(1)</script> Verzonnen", klas="1C"
    )

    html = als_html(afsluitrapport(dossier, leerling))

    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "m&lt;b&gt;" in html


def test_report_of_an_open_dossier_is_a_progress_report(
    dossier_met_meldplicht: Dossier,
) -> None:
    rapport = afsluitrapport(dossier_met_meldplicht, LeerlingGegevens("Noor Bedacht"))
    html = als_html(rapport)

    assert rapport["soort"] == "voortgangsrapport"
    assert rapport["dossier"]["afgesloten_op"] is None
    assert "Voortgangsrapport verzuimdossier" in html
    assert "loopt nog" in html
    assert "Er is geen evaluatie vastgelegd." in html
    assert "Klas" not in html  # no class given, no empty row


def test_report_values_are_plain_json(dossier_met_meldplicht: Dossier) -> None:
    rapport = afsluitrapport(dossier_met_meldplicht, LeerlingGegevens("Noor Bedacht"))

    terug = json.loads(json.dumps(rapport))

    assert terug == rapport
    assert rapport["meldplichten"][0]["begindatum"] == "2025-09-15"
    assert rapport["maatregelen"][0]["aangemaakt_op"] == "2025-09-18T09:00:00+02:00"


def test_report_holds_no_citizen_number(dossier_met_meldplicht: Dossier) -> None:
    rapport = afsluitrapport(dossier_met_meldplicht, LeerlingGegevens("Noor Bedacht"))
    tekst = json.dumps(rapport).lower()

    assert "bsn" not in tekst
    assert "onderwijsnummer" not in tekst
    assert set(rapport["leerling"]) == {"naam", "klas"}
