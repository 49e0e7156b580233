"""Finding a pupil by BSN/onderwijsnummer: `POST /v1/leerlingen/zoeken`.

The number goes in the body and never comes back; it is looked up through its
keyed hash, per school, so one school holds a number once (a second pupil with
it is a 409), other schools' pupils are not found, an erased pupil leaves the
index, and the index survives a restart. Numbers are made up (eleven test).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from plumbing.security.callers import Rol
from services.registratie.wissen import main as wissen
from tests.conftest import nieuw_bsn
from tests.registratie.service_dienst import Dienst

pytestmark = pytest.mark.broker


async def _zoek(
    dienst: Dienst, body: Any, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, Any]]:
    assert dienst.http is not None
    antwoord = await dienst.http.post(
        "/leerlingen/zoeken", json=body, headers=headers or dienst.als_sis
    )
    return antwoord.status_code, antwoord.json()


def _ids(body: dict[str, Any]) -> set[str]:
    return {ll["leerlingId"] for ll in body["leerlingen"]}


async def _registreer(
    dienst: Dienst, leerling: UUID, school: UUID, pgn: str, status: int
) -> dict[str, Any]:
    body = {
        "schoolId": str(school),
        "geboortedatum": "2011-03-10",
        "pgn": pgn,
        "woongemeente": "0344",
        "inschrijvingVanaf": "2024-08-01",
    }
    antwoord = await dienst.verzoek("PUT", f"/leerlingen/{leerling}", body, status)
    return dict(antwoord.json())


async def test_a_pupil_is_found_by_its_number_within_the_callers_schools(
    dienst: Dienst,
) -> None:
    bsn = nieuw_bsn()
    in_a = await dienst.leerling(dienst.school_a, pgn=bsn)
    in_b = await dienst.leerling(dienst.school_b, pgn=bsn)  # D16: another enrolment
    await dienst.leerling(dienst.school_a)  # someone else

    status, body = await _zoek(dienst, {"pgn": bsn})
    assert status == 200
    assert _ids(body) == {str(in_a), str(in_b)}
    assert bsn not in str(body)  # never answered back
    assert body["leerlingen"][0]["pgn"]["laatsteCijfers"] == bsn[-2:]

    # Written as a SIS exports it, with dots: the same number.
    geschreven = f"{bsn[:4]}.{bsn[4:6]}.{bsn[6:]}"
    status, body = await _zoek(
        dienst, {"pgn": geschreven, "schoolId": str(dienst.school_b)}
    )
    assert (status, _ids(body)) == (200, {str(in_b)})

    # A caller of school A only never finds B's pupil; naming B is as unknown.
    _, alleen_a = dienst.sleutel([dienst.school_a], Rol.VERZUIMCOORDINATOR)
    status, body = await _zoek(dienst, {"pgn": bsn}, alleen_a)
    assert (status, _ids(body)) == (200, {str(in_a)})
    status, fout = await _zoek(
        dienst, {"pgn": bsn, "schoolId": str(dienst.school_b)}, alleen_a
    )
    assert status == 400 and fout["invalidParams"][0]["name"] == "schoolId"
    _, van_c = dienst.sleutel([dienst.school_c], Rol.VERZUIMCOORDINATOR)
    assert await _zoek(dienst, {"pgn": bsn}, van_c) == (200, {"leerlingen": []})

    # Parents have no business here.
    _, ouder = dienst.sleutel([dienst.school_a], Rol.OUDERS)
    assert (await _zoek(dienst, {"pgn": bsn}, ouder))[0] == 403


@pytest.mark.parametrize(
    ("pgn", "reden"),
    [
        ("123456789", "elfproef"),
        ("12a456782", "cijfers"),
        ("1234567", "lengte"),
    ],
    ids=["eleven-test", "letters", "length"],
)
async def test_a_number_that_is_no_pgn_is_bad_input(
    dienst: Dienst, pgn: str, reden: str
) -> None:
    assert dienst.http is not None
    antwoord = await dienst.http.post(
        "/leerlingen/zoeken", json={"pgn": pgn}, headers=dienst.als_sis
    )

    assert antwoord.status_code == 400
    assert antwoord.headers["content-type"].startswith("application/problem+json")
    body = antwoord.json()
    assert [p["name"] for p in body["invalidParams"]] == ["pgn"]
    assert pgn not in antwoord.text


async def test_the_number_is_not_taken_from_a_url(dienst: Dienst) -> None:
    assert dienst.http is not None
    antwoord = await dienst.http.post(
        f"/leerlingen/zoeken?pgn={nieuw_bsn()}", json={}, headers=dienst.als_sis
    )
    assert antwoord.status_code == 400


async def test_a_school_holds_a_number_once(dienst: Dienst) -> None:
    bsn, ander_bsn = nieuw_bsn(), nieuw_bsn()
    eerste = await dienst.leerling(dienst.school_a, pgn=bsn)
    tweede = uuid4()

    fout = await _registreer(dienst, tweede, dienst.school_a, bsn, 409)
    assert fout["status"] == 409 and fout["code"] == "PGN_IN_GEBRUIK"
    assert fout["leerlingId"] == str(eerste)
    assert bsn not in str(fout)
    await dienst.verzoek("GET", f"/leerlingen/{tweede}", status=404)  # nothing stored

    # The first pupil's number was a typing error: corrected, it frees the old one.
    await _registreer(dienst, eerste, dienst.school_a, ander_bsn, 200)
    await _registreer(dienst, tweede, dienst.school_a, bsn, 201)
    assert _ids((await _zoek(dienst, {"pgn": bsn}))[1]) == {str(tweede)}
    assert _ids((await _zoek(dienst, {"pgn": ander_bsn}))[1]) == {str(eerste)}

    # The same PUT again is no conflict with itself.
    await _registreer(dienst, tweede, dienst.school_a, bsn, 200)


async def test_a_bulk_item_refused_for_its_number_keeps_the_pupils_own(
    dienst: Dienst,
) -> None:
    # Given two pupils of one school, each with its own number.
    bsn_x, bsn_y = nieuw_bsn(), nieuw_bsn()
    x = await dienst.leerling(dienst.school_a, pgn=bsn_x)
    y = await dienst.leerling(dienst.school_a, pgn=bsn_y)
    assert dienst.http is not None

    # When a bulk gives x the number y holds, and swaps the two in one go.
    def item(leerling: UUID, pgn: str) -> dict[str, Any]:
        return {
            "leerlingId": str(leerling),
            "schoolId": str(dienst.school_a),
            "geboortedatum": "2011-03-10",
            "pgn": pgn,
            "woongemeente": "0344",
            "inschrijvingVanaf": "2024-08-01",
        }

    for leerlingen in ([item(x, bsn_y)], [item(x, bsn_y), item(y, bsn_x)]):
        antwoord = await dienst.http.post(
            "/leerlingen/bulk", json={"leerlingen": leerlingen}, headers=dienst.als_sis
        )
        assert antwoord.status_code == 200, antwoord.text
        resultaten = antwoord.json()["resultaten"]
        assert [(r["status"], r["veld"]) for r in resultaten] == [
            ("rejected", "pgn")
        ] * len(leerlingen)

    # Then each still holds its own number, and nobody else can take it.
    assert _ids((await _zoek(dienst, {"pgn": bsn_x}))[1]) == {str(x)}
    assert _ids((await _zoek(dienst, {"pgn": bsn_y}))[1]) == {str(y)}
    await _registreer(dienst, uuid4(), dienst.school_a, bsn_x, 409)


async def test_an_erased_pupil_leaves_the_index_and_the_index_survives_a_restart(
    dienst: Dienst,
) -> None:
    bsn, blijft = nieuw_bsn(), nieuw_bsn()
    gewist = await dienst.leerling(dienst.school_a, pgn=bsn)
    gebleven = await dienst.leerling(dienst.school_a, pgn=blijft)

    assert wissen(["leerling", str(gewist)], dienst.settings) == 0

    assert await _zoek(dienst, {"pgn": bsn}) == (200, {"leerlingen": []})
    # The number is free: a new enrolment may carry it.
    nieuw = uuid4()
    await _registreer(dienst, nieuw, dienst.school_a, bsn, 201)

    await dienst.stop()
    await dienst.start(date(2025, 11, 20))
    assert _ids((await _zoek(dienst, {"pgn": bsn}))[1]) == {str(nieuw)}
    assert _ids((await _zoek(dienst, {"pgn": blijft}))[1]) == {str(gebleven)}
