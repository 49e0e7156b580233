"""Decisions a person takes (D15, D17, D18), over HTTP, published as BesluitGenomen."""

from __future__ import annotations

from datetime import date
from typing import Any

from contracts.opvolging import BesluitGenomen
from plumbing.security.callers import Rol
from tests.opvolging.dienst import Dienst, wacht_tot
from tests.opvolging.stroom import (
    SCHOOL,
    intrekking,
    meldplicht,
    op,
    signaal,
    status,
    uid,
)


async def _besluit_actie(dienst: Dienst, headers: dict[str, str], soort: str) -> Any:
    """(dossier id, the open decision action of that kind) once it is there."""
    assert dienst.http is not None

    async def zoek() -> Any:
        antwoord = await dienst.http.get(
            "/dossiers",
            params={"schoolId": SCHOOL, "rol": "verzuimcoordinator"},
            headers=headers,
        )
        for dossier in antwoord.json()["dossiers"]:
            for actie in dossier["acties"]:
                if actie["soort"] == soort:
                    return dossier["id"], actie
        return None

    return await wacht_tot(zoek)


async def test_decisions_are_taken_by_the_coordinator_and_published(
    dienst: Dienst,
) -> None:
    http = dienst.http
    assert http is not None
    vc, als_vc = dienst.sleutel([SCHOOL], Rol.VERZUIMCOORDINATOR, naam="vc")
    _, als_mentor = dienst.sleutel([SCHOOL], Rol.MENTOR, naam="mentor")

    await dienst.publiceer(
        signaal("LL-L", "SG-L", "vermoedelijkLuxeverzuim", date(2025, 10, 27)),
        meldplicht(
            "LL-A",
            "MP-A",
            begindatum=date(2025, 6, 2),
            einddatum=date(2025, 6, 13),
            achterstallig=True,
        ),
        meldplicht("LL-I", "MP-I"),
        status("LL-I", "MP-I", "geregistreerd", meldingsnummer="DUO-9"),
    )
    await dienst.bijgewerkt()
    await dienst.publiceer(intrekking("LL-I", "MP-I"))

    luxe_dossier, luxe = await _besluit_actie(dienst, als_vc, "luxeverzuim_beoordelen")
    achter_dossier, achter = await _besluit_actie(
        dienst, als_vc, "achterstallige_melding_bevestigen"
    )
    in_dossier, intrek = await _besluit_actie(dienst, als_vc, "intrekking_beoordelen")

    # the list of dossiers waiting for one kind of decision
    for soort, verwacht in (
        ("achterstallige_melding_bevestigen", {achter_dossier}),
        ("intrekking_beoordelen", {in_dossier}),
        ("afgewezen_melding_herstellen", set()),
    ):
        wachtend = await http.get(
            "/dossiers",
            params={"schoolId": SCHOOL, "status": "open", "actie": soort},
            headers=als_vc,
        )
        assert wachtend.status_code == 200, wachtend.text
        assert {d["id"] for d in wachtend.json()["dossiers"]} == verwacht
    # with a role: the dossiers where that role has such an action open
    for rol, verwacht in (
        ("verzuimcoordinator", {achter_dossier}),
        ("mentor", set()),
    ):
        wachtend = await http.get(
            "/dossiers",
            params={
                "schoolId": SCHOOL,
                "rol": rol,
                "actie": "achterstallige_melding_bevestigen",
            },
            headers=als_vc,
        )
        assert {d["id"] for d in wachtend.json()["dossiers"]} == verwacht, rol
    onbekend = await http.get(
        "/dossiers", params={"schoolId": SCHOOL, "actie": "koffie"}, headers=als_vc
    )
    assert onbekend.status_code == 400
    assert onbekend.headers["content-type"] == "application/problem+json"

    # a decision is decided, not ticked off; and only by the coordinator
    afvinken = await http.post(
        f"/dossiers/{luxe_dossier}/acties/{luxe['id']}/afronding",
        json={"uitkomst": "gezien"},
        headers=als_vc,
    )
    assert afvinken.status_code == 409
    assert afvinken.headers["content-type"] == "application/problem+json"
    door_mentor = await http.post(
        f"/dossiers/{luxe_dossier}/acties/{luxe['id']}/besluit",
        json={"bevestigd": True},
        headers=als_mentor,
    )
    assert door_mentor.status_code == 403

    dienst.zet_klok(op("2025-10-28", "11:15"))
    for dossier_id, actie, bevestigd in (
        (luxe_dossier, luxe, True),
        (achter_dossier, achter, True),
        (in_dossier, intrek, True),
    ):
        antwoord = await http.post(
            f"/dossiers/{dossier_id}/acties/{actie['id']}/besluit",
            json={"bevestigd": bevestigd, "toelichting": "besproken met ouders"},
            headers=als_vc,
        )
        assert antwoord.status_code == 200, antwoord.text
        assert (antwoord.json()["status"], antwoord.json()["uitkomst"]) == (
            "afgerond",
            "bevestigd",
        )

    # a decision taken once cannot be taken again
    nogmaals = await http.post(
        f"/dossiers/{luxe_dossier}/acties/{luxe['id']}/besluit",
        json={"bevestigd": False},
        headers=als_vc,
    )
    assert nogmaals.status_code == 409

    async def besluiten() -> Any:
        gevonden = [
            e for e in await dienst.gepubliceerd() if isinstance(e, BesluitGenomen)
        ]
        return gevonden if len(gevonden) == 3 else None

    gepubliceerd = {e.besluit: e for e in await wacht_tot(besluiten)}
    assert set(gepubliceerd) == {
        "luxeverzuimBevestigd",
        "achterstalligBevestigd",
        "intrekkingBevestigd",
    }
    assert gepubliceerd["luxeverzuimBevestigd"].verwijzing_id == uid("SG-L")
    assert gepubliceerd["achterstalligBevestigd"].verwijzing_id == uid("MP-A")
    assert gepubliceerd["intrekkingBevestigd"].verwijzing_id == uid("MP-I")
    for besluit in gepubliceerd.values():
        assert (besluit.door, besluit.op) == (vc, op("2025-10-28", "11:15"))
        assert besluit.toelichting == "besproken met ouders"
        assert besluit.school_id == uid("school 99XX-01")
    assert gepubliceerd["luxeverzuimBevestigd"].leerling_id == uid("LL-L")
