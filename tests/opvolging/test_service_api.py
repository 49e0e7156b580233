"""The HTTP edge of opvolging: access per school, problems, who and when."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from plumbing.runtime import ServiceRuntime
from plumbing.security.callers import Rol
from services.opvolging.service import SPEC, Settings
from tests.opvolging.dienst import Dienst, wacht_tot
from tests.opvolging.stroom import SCHOOL, meldplicht, op, uid
from tests.platform import adr_rules

ANDERE_SCHOOL = str(uid("school 88YY-01"))


def _probleem(antwoord: Any, status: int) -> dict[str, Any]:
    assert antwoord.status_code == status, antwoord.text
    assert antwoord.headers["content-type"] == "application/problem+json"
    probleem: dict[str, Any] = antwoord.json()
    assert probleem["status"] == status
    return probleem


async def test_access_problems_and_the_record_of_who_and_when(dienst: Dienst) -> None:
    http = dienst.http
    assert http is not None
    vc, als_vc = dienst.sleutel([SCHOOL], Rol.VERZUIMCOORDINATOR, naam="vc")
    _, als_ander = dienst.sleutel(
        [ANDERE_SCHOOL], Rol.VERZUIMCOORDINATOR, naam="andere school"
    )
    _, als_mentor = dienst.sleutel([SCHOOL], Rol.MENTOR, naam="mentor")
    _, als_sis = dienst.sleutel([SCHOOL], Rol.SIS, naam="sis")

    await dienst.publiceer(meldplicht("LL-X", "MP-X"))

    async def gevonden() -> Any:
        antwoord = await http.get(
            "/dossiers", params={"schoolId": SCHOOL}, headers=als_vc
        )
        return antwoord.json()["dossiers"]

    [dossier] = await wacht_tot(gevonden)
    pad = f"/dossiers/{dossier['id']}"
    [stap] = dossier["acties"]

    # another school's dossier answers exactly like one that does not exist
    onbekend = _probleem(
        await http.get(f"/dossiers/{uid('geen')}", headers=als_vc), 404
    )
    for methode, url, body in (
        ("GET", pad, None),
        ("GET", f"{pad}/acties", None),
        ("GET", f"{pad}/rapport", None),
        ("GET", f"{pad}/evaluaties", None),
        ("POST", f"{pad}/acties", {"titel": "Huisbezoek"}),
        ("POST", f"{pad}/acties/{stap['id']}/afronding", {"uitkomst": "x"}),
        ("POST", f"{pad}/afsluiting", {"reden": "leerling_vertrokken"}),
    ):
        antwoord = await http.request(methode, url, json=body, headers=als_ander)
        assert _probleem(antwoord, 404) == onbekend, url
    _probleem(
        await http.get("/dossiers", params={"schoolId": SCHOOL}, headers=als_ander),
        404,
    )
    # no credentials, or a role without business here
    _probleem(await http.get(pad), 401)
    _probleem(await http.get(pad, headers=als_sis), 403)
    _probleem(
        await http.post(
            f"{pad}/acties", json={"titel": "Huisbezoek"}, headers=als_mentor
        ),
        403,
    )

    # invalid input is 400 naming the field; a refused state change is 409
    ongeldig = _probleem(
        await http.post(f"{pad}/acties", json={"titel": ""}, headers=als_vc), 400
    )
    assert [p["name"] for p in ongeldig["invalidParams"]] == ["titel"]
    _probleem(
        await http.post(
            f"{pad}/acties",
            json={"titel": "Huisbezoek", "activiteit": "koffie drinken"},
            headers=als_vc,
        ),
        400,
    )
    _probleem(
        await http.post(f"{pad}/afsluiting", json={"reden": "zomaar"}, headers=als_vc),
        400,
    )
    geweigerd = _probleem(
        await http.post(
            f"{pad}/afsluiting", json={"reden": "verzuim_gestopt"}, headers=als_vc
        ),
        409,
    )
    assert "melding" in geweigerd["detail"]  # the duty was not reported yet
    _probleem(
        await http.post(
            f"{pad}/acties/{uid('geen actie')}/afronding",
            json={"uitkomst": "x"},
            headers=als_vc,
        ),
        404,
    )

    # every change records the caller and the clock's moment
    dienst.zet_klok(op("2025-09-22", "10:45"))
    nieuw = await http.post(
        f"{pad}/acties",
        json={
            "titel": "Huisbezoek",
            "activiteit": "uitvoeren_maatregelen",
            "rRol": "zorgcoordinator",
            "vervaldatum": "2025-09-30",
        },
        headers=als_vc,
    )
    assert nieuw.status_code == 201, nieuw.text
    actie = nieuw.json()
    assert nieuw.headers["location"].endswith(f"{pad}/acties/{actie['id']}")
    assert (actie["aangemaaktDoor"], actie["aangemaaktOp"]) == (
        vc,
        "2025-09-22T10:45:00+02:00",
    )
    assert (actie["rRol"], actie["vervaldatum"]) == ("zorgcoordinator", "2025-09-30")

    dienst.zet_klok(op("2025-09-23", "09:05"))
    toegewezen = await http.put(
        f"{pad}/acties/{actie['id']}/toewijzing",
        json={"rRol": "mentor", "toelichting": "mentor kent het gezin"},
        headers=als_vc,
    )
    assert toegewezen.status_code == 200, toegewezen.text
    # the mentor may now finish it, since it is theirs
    dienst.zet_klok(op("2025-09-24", "14:00"))
    geannuleerd = await http.post(
        f"{pad}/acties/{actie['id']}/annulering",
        json={"reden": "gezin verhuisd"},
        headers=als_mentor,
    )
    assert geannuleerd.status_code == 200, geannuleerd.text
    historie = [
        (w["wat"], w["door"], w["op"], w["toelichting"])
        for w in geannuleerd.json()["historie"]
    ]
    assert historie == [
        ("aangemaakt", vc, "2025-09-22T10:45:00+02:00", ""),
        (
            "toegewezen aan mentor (A: zorgcoordinator)",
            vc,
            "2025-09-23T09:05:00+02:00",
            "mentor kent het gezin",
        ),
        ("geannuleerd", historie[2][1], "2025-09-24T14:00:00+02:00", "gezin verhuisd"),
    ]
    assert historie[2][1].startswith("apikey:") and historie[2][1] != vc

    # an evaluation on request, with figures the caller brings
    weken = [
        {"week": "2025-09-15", "minuten": 960},
        {"week": "2025-09-22", "minuten": 0},
        {"week": "2025-09-29", "minuten": 0},
    ]
    dubbel = await http.post(
        f"{pad}/evaluaties",
        json={"peildatum": "2025-10-04", "weken": [*weken, weken[1]]},
        headers=als_vc,
    )
    _probleem(dubbel, 400)
    evaluatie = await http.post(
        f"{pad}/evaluaties",
        json={"peildatum": "2025-10-04", "weken": weken},
        headers=als_vc,
    )
    assert evaluatie.status_code == 201, evaluatie.text
    assert (evaluatie.json()["oordeel"], evaluatie.json()["door"]) == (
        "verzuim_gestopt",
        vc,
    )
    _probleem(await http.post(f"{pad}/evaluaties", json={}, headers=als_mentor), 403)


def test_the_openapi_document_follows_the_api_design_rules(tmp_path: Path) -> None:
    runtime = ServiceRuntime(SPEC, Settings(verzuim_data_dir=tmp_path))
    document = runtime.fastapi_app().openapi()

    assert adr_rules.lint(document) == []
    paden = set(document["paths"])
    assert {
        "/dossiers",
        "/dossiers/{dossierId}",
        "/dossiers/{dossierId}/acties",
        "/dossiers/{dossierId}/acties/{actieId}/afronding",
        "/dossiers/{dossierId}/acties/{actieId}/annulering",
        "/dossiers/{dossierId}/acties/{actieId}/besluit",
        "/dossiers/{dossierId}/acties/{actieId}/toewijzing",
        "/dossiers/{dossierId}/evaluaties",
        "/dossiers/{dossierId}/afsluiting",
        "/dossiers/{dossierId}/rapport",
    } <= paden
