"""Upstream events on the real broker: topics out of order, and redeliveries."""

from __future__ import annotations

from typing import Any

from contracts.opvolging import DossierGeopend
from plumbing.security.callers import Rol
from tests.opvolging.dienst import Dienst, wacht_tot
from tests.opvolging.stroom import SCHOOL, maatregel, meldplicht, status, uid


async def _dossiers(dienst: Dienst, headers: dict[str, str]) -> list[dict[str, Any]]:
    assert dienst.http is not None
    antwoord = await dienst.http.get(
        "/dossiers", params={"schoolId": SCHOOL}, headers=headers
    )
    assert antwoord.status_code == 200, antwoord.text
    dossiers: list[dict[str, Any]] = antwoord.json()["dossiers"]
    return dossiers


async def _dossier(dienst: Dienst, headers: dict[str, str], leerling: str) -> Any:
    assert dienst.http is not None
    for samenvatting in await _dossiers(dienst, headers):
        if samenvatting["leerlingId"] == str(uid(leerling)):
            antwoord = await dienst.http.get(
                f"/dossiers/{samenvatting['id']}", headers=headers
            )
            return antwoord.json()
    return None


async def test_a_status_that_overtakes_its_duty_is_kept_until_the_duty_arrives(
    dienst: Dienst,
) -> None:
    _, als_vc = dienst.sleutel([SCHOOL], Rol.VERZUIMCOORDINATOR)

    # ketenkoppeling's topic delivers first: no duty, no dossier yet
    await dienst.publiceer(
        status("LL-O", "MP-O", "geregistreerd", meldingsnummer="DUO-31"),
        status("LL-R", "MP-R", "afgewezen", reden="onbekende woongemeente"),
    )
    await dienst.bijgewerkt()
    assert await _dossiers(dienst, als_vc) == []

    await dienst.publiceer(meldplicht("LL-O", "MP-O"), meldplicht("LL-R", "MP-R"))
    await dienst.bijgewerkt()

    dossier = await wacht_tot(lambda: _dossier(dienst, als_vc, "LL-O"))
    [melding] = dossier["meldingen"]
    assert (melding["status"], melding["meldingsnummer"]) == (
        "geregistreerd",
        "DUO-31",
    )
    assert [w["door"] for w in melding["historie"]] == ["systeem:ketenkoppeling"]

    geweigerd = await _dossier(dienst, als_vc, "LL-R")
    assert geweigerd["meldingen"][0]["status"] == "afgewezen"
    herstel = [
        a for a in geweigerd["acties"] if a["soort"] == "afgewezen_melding_herstellen"
    ]
    assert [(a["rRol"], a["status"]) for a in herstel] == [
        ("verzuimcoordinator", "open")
    ]
    assert dienst.consumer_stats.dead_lettered == 0


async def test_redelivered_and_repeated_events_change_nothing(dienst: Dienst) -> None:
    _, als_vc = dienst.sleutel([SCHOOL], Rol.VERZUIMCOORDINATOR)
    events = [
        meldplicht("LL-D", "MP-D"),
        maatregel("LL-D", "MR-D", "MP-D", "Gesprek met leerling en ouders"),
        status("LL-D", "MP-D", "geregistreerd"),
    ]
    sequences = await dienst.publiceer(*events)
    await dienst.bijgewerkt()
    voor = await wacht_tot(lambda: _dossier(dienst, als_vc, "LL-D"))
    gepubliceerd = await wacht_tot(dienst.gepubliceerd)
    assert [type(e) for e in gepubliceerd] == [DossierGeopend]
    applied = dienst.consumer_stats.applied
    laatste_event = dienst.opgeslagen()

    # a redelivery (same sequence) is skipped by the consumer; the same proposal
    # or status sent again (a new sequence) is recognised by the dossier
    await dienst.herhaal(events, sequences)
    await dienst.publiceer(events[1], events[2])
    await dienst.bijgewerkt()

    assert dienst.consumer_stats.skipped_duplicates >= len(events)
    assert dienst.consumer_stats.applied == applied + 2
    assert dienst.opgeslagen() == laatste_event  # no new event stored
    na = await _dossier(dienst, als_vc, "LL-D")
    assert na == voor
    assert len(await dienst.gepubliceerd()) == 1
