"""Routing of partner notifications: per gemeentecode to the leerplichtambtenaar, per
school to parents and the care team. All data is made up."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from services.ketenkoppeling.partners import (
    Bestemming,
    Gebeurtenis,
    GebeurtenisFout,
    Kanaal,
    NotificatieSoort,
    OnbekendeGemeentecode,
    OnbekendeSchool,
    PartnerSettings,
    Rol,
    Routering,
    RouteringConfigFout,
)
from services.ketenkoppeling.partners.routering import STANDAARD_ABONNEMENTEN

VOORBEELD = (
    Path(__file__).parents[2]
    / "services/ketenkoppeling/partners/voorbeeld-routering.yaml"
)
SCHOOL = "3f6b2c1e-9d4a-4c8e-8b7f-1a2b3c4d5e6f"
LEERLING = "0b9a8c7d-6e5f-4a3b-9c2d-1e0f2a3b4c5d"


def gebeurtenis(**anders: Any) -> Gebeurtenis:
    velden: dict[str, Any] = {
        "id": "evt-0001",
        "soort": NotificatieSoort.MELDING_VERZONDEN,
        "school_id": SCHOOL,
        "leerling_id": LEERLING,
        "datum": date(2025, 9, 18),
        "gemeentecode": "0999",
        "ouder_emailadressen": ("ouder.een@thuis.example", "Ouder.Twee@Thuis.example"),
    }
    velden.update(anders)
    return Gebeurtenis(**velden)


def document(**anders: Any) -> dict[str, Any]:
    gegevens: dict[str, Any] = {
        "leerplicht": [
            {
                "naam": "Leerplicht Voorbeeldstad",
                "gemeentecodes": ["0999"],
                "email": "leerplicht@voorbeeldstad.example",
            }
        ],
        "scholen": [{"school_id": SCHOOL, "naam": "Testcollege"}],
    }
    gegevens.update(anders)
    return gegevens


@pytest.fixture
def routering() -> Routering:
    return Routering.uit_bestand(VOORBEELD)


def test_melding_verzonden_reaches_lpa_parents_and_care_team_on_every_channel(
    routering: Routering,
) -> None:
    bestemmingen = routering.bestemmingen(gebeurtenis())

    assert bestemmingen == [
        Bestemming(
            Rol.LEERPLICHTAMBTENAAR,
            Kanaal.WEBHOOK,
            "https://leerplicht.voorbeeldstad.example/webhooks/verzuimketen",
            "lpa-voorbeeldstad",
        ),
        Bestemming(
            Rol.LEERPLICHTAMBTENAAR, Kanaal.EMAIL, "leerplicht@voorbeeldstad.example"
        ),
        Bestemming(
            Rol.OUDERS,
            Kanaal.WEBHOOK,
            "https://ouderportaal.testcollege.example/hooks/verzuim",
            "ouderportaal-testcollege",
        ),
        Bestemming(Rol.OUDERS, Kanaal.EMAIL, "ouder.een@thuis.example"),
        Bestemming(Rol.OUDERS, Kanaal.EMAIL, "ouder.twee@thuis.example"),
        Bestemming(Rol.ZORGTEAM, Kanaal.EMAIL, "zorgteam@testcollege.example"),
    ]


def test_a_regional_bureau_serves_every_gemeentecode_it_lists(
    routering: Routering,
) -> None:
    for code in ("0997", "0998"):
        assert routering.leerplichtambtenaar(code).naam == (
            "Regionaal Bureau Leerplicht Testregio"
        )


def test_unknown_gemeentecode_is_a_clear_error(routering: Routering) -> None:
    with pytest.raises(OnbekendeGemeentecode, match="gemeentecode 0001") as fout:
        routering.bestemmingen(gebeurtenis(gemeentecode="0001"))

    assert fout.value.gemeentecode == "0001"


def test_missing_gemeentecode_is_an_error_when_the_lpa_is_to_be_told(
    routering: Routering,
) -> None:
    with pytest.raises(OnbekendeGemeentecode, match="geen gemeentecode"):
        routering.bestemmingen(gebeurtenis(gemeentecode=None))


def test_gemeentecode_needs_four_digits() -> None:
    with pytest.raises(GebeurtenisFout, match="vier cijfers"):
        gebeurtenis(gemeentecode="999")


def test_gemeentecode_does_not_matter_when_the_lpa_is_not_told() -> None:
    # D19: the MAZL signal goes to the care team by default, not to the LPA.
    routering = Routering.uit_gegevens(
        document(
            scholen=[
                {
                    "school_id": SCHOOL,
                    "naam": "Testcollege",
                    "zorgteam": {"email": "zorg@testcollege.example"},
                }
            ]
        )
    )

    bestemmingen = routering.bestemmingen(
        gebeurtenis(soort=NotificatieSoort.MAZL_SIGNAAL, gemeentecode="0001")
    )

    assert [b.rol for b in bestemmingen] == [Rol.ZORGTEAM]


def test_unknown_school_is_a_clear_error(routering: Routering) -> None:
    onbekend = "11111111-2222-4333-8444-555555555555"

    with pytest.raises(OnbekendeSchool, match=onbekend):
        routering.bestemmingen(gebeurtenis(school_id=onbekend))


def test_school_subscriptions_override_only_the_kinds_they_name(
    routering: Routering,
) -> None:
    school = routering.school(SCHOOL)

    assert school.rollen(NotificatieSoort.MAZL_SIGNAAL) == (Rol.ZORGTEAM, Rol.OUDERS)
    assert (
        school.rollen(NotificatieSoort.DOSSIER_GESLOTEN)
        == (STANDAARD_ABONNEMENTEN[NotificatieSoort.DOSSIER_GESLOTEN])
    )


def test_every_event_kind_has_default_subscribers() -> None:
    assert set(STANDAARD_ABONNEMENTEN) == set(NotificatieSoort)
    assert all(STANDAARD_ABONNEMENTEN.values())


def test_parents_of_an_adult_pupil_are_not_told(routering: Routering) -> None:
    bestemmingen = routering.bestemmingen(gebeurtenis(meerderjarig=True))

    assert Rol.OUDERS not in {b.rol for b in bestemmingen}
    assert Rol.LEERPLICHTAMBTENAAR in {b.rol for b in bestemmingen}


def test_an_unusable_parent_address_is_skipped_and_the_rest_still_routed(
    routering: Routering,
) -> None:
    bestemmingen = routering.bestemmingen(
        gebeurtenis(ouder_emailadressen=("geen-adres", "ouder.een@thuis.example"))
    )

    ouders = [b.adres for b in bestemmingen if b.rol is Rol.OUDERS]
    assert ouders == [
        "https://ouderportaal.testcollege.example/hooks/verzuim",
        "ouder.een@thuis.example",
    ]


def test_secret_ids_lists_every_webhook_route(routering: Routering) -> None:
    assert routering.secret_ids() == {"lpa-voorbeeldstad", "ouderportaal-testcollege"}


def test_json_document_loads_like_yaml(tmp_path: Path) -> None:
    pad = tmp_path / "routering.json"
    pad.write_text(json.dumps(document()), encoding="utf-8")

    routering = Routering.uit_bestand(pad)

    assert routering.leerplichtambtenaar("0999").email == (
        "leerplicht@voorbeeldstad.example"
    )


@pytest.mark.parametrize(
    ("anders", "melding"),
    [
        pytest.param(
            {
                "leerplicht": [
                    {"naam": "A", "gemeentecodes": ["0999"], "email": "a@a.example"},
                    {"naam": "B", "gemeentecodes": ["0999"], "email": "b@b.example"},
                ]
            },
            "gemeentecode 0999 staat meer dan eens",
            id="dubbele-gemeentecode",
        ),
        pytest.param(
            {
                "leerplicht": [
                    {"naam": "A", "gemeentecodes": ["999"], "email": "a@a.ex"}
                ]
            },
            "vier cijfers",
            id="korte-gemeentecode",
        ),
        pytest.param(
            {"leerplicht": [{"naam": "A", "gemeentecodes": ["0999"]}]},
            "noem een webhook, een e-mailadres of beide",
            id="geen-kanaal",
        ),
        pytest.param(
            {
                "leerplicht": [
                    {
                        "naam": "A",
                        "gemeentecodes": ["0999"],
                        "webhook": {"url": "http://lpa.example/hook", "secret_id": "x"},
                    }
                ]
            },
            "https",
            id="webhook-zonder-tls",
        ),
        pytest.param(
            {"scholen": [{"school_id": SCHOOL, "naam": "T", "brin": "XX99"}]},
            "BRIN",
            id="ongeldige-brin",
        ),
        pytest.param(
            {
                "scholen": [
                    {
                        "school_id": SCHOOL,
                        "naam": "T",
                        "abonnementen": {"melding_verzonden": ["buurman"]},
                    }
                ]
            },
            "abonnementen",
            id="onbekende-rol",
        ),
    ],
)
def test_malformed_documents_are_refused_with_the_reason(
    anders: dict[str, Any], melding: str
) -> None:
    with pytest.raises(RouteringConfigFout, match=melding):
        Routering.uit_gegevens(document(**anders))


def test_config_errors_do_not_repeat_addresses() -> None:
    with pytest.raises(RouteringConfigFout) as fout:
        Routering.uit_gegevens(
            document(
                scholen=[
                    {
                        "school_id": SCHOOL,
                        "naam": "T",
                        "zorgteam": {"email": "geheim.adres-zonder-punt@localhost"},
                    }
                ]
            )
        )

    assert "e-mailadres" in str(fout.value)
    assert "geheim.adres" not in str(fout.value)


def test_http_is_allowed_on_loopback_for_stand_ins() -> None:
    routering = Routering.uit_gegevens(
        document(
            leerplicht=[
                {
                    "naam": "Stand-in",
                    "gemeentecodes": ["0999"],
                    "webhook": {"url": "http://127.0.0.1:8090/hook", "secret_id": "s"},
                }
            ]
        )
    )

    assert routering.leerplichtambtenaar("0999").webhook is not None


def test_settings_load_the_routing_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KETENKOPPELING_PARTNERS_ROUTING_FILE", str(VOORBEELD))

    routering = Routering.uit_settings(PartnerSettings())

    assert routering.school(SCHOOL).naam == "Testcollege locatie Noord"


def test_settings_take_an_inline_document(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KETENKOPPELING_PARTNERS_ROUTING", json.dumps(document()))

    routering = Routering.uit_settings(PartnerSettings())

    assert routering.leerplichtambtenaar("0999").naam == "Leerplicht Voorbeeldstad"


def test_without_configuration_every_lpa_lookup_fails_clearly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("KETENKOPPELING_PARTNERS_ROUTING_FILE", raising=False)
    monkeypatch.delenv("KETENKOPPELING_PARTNERS_ROUTING", raising=False)

    routering = Routering.uit_settings(PartnerSettings())

    with pytest.raises(OnbekendeGemeentecode):
        routering.leerplichtambtenaar("0999")


def test_broken_yaml_is_a_config_error(tmp_path: Path) -> None:
    pad = tmp_path / "routering.yaml"
    pad.write_text("leerplicht: [unclosed", encoding="utf-8")

    with pytest.raises(RouteringConfigFout, match="routering.yaml"):
        Routering.uit_bestand(pad)
