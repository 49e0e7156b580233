"""The bulk routes for pupils and notices over HTTP: per item answers, what the caller
may not see is unknown, problem+json for a request that is wrong as a whole, and the
messages on the topic. All pupils and numbers are made up."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import pytest

from contracts.registratie import LeerlingGeregistreerd, VerzuimGeclassificeerd
from plumbing.security.callers import Rol
from tests.conftest import nieuw_bsn
from tests.registratie.service_dienst import Dienst, per_slot, probleem, velden

pytestmark = pytest.mark.broker


def _leerling(school_id: Any, **extra: Any) -> dict[str, Any]:
    return {
        "leerlingId": str(uuid4()),
        "schoolId": str(school_id),
        "geboortedatum": "2011-03-10",
        "pgn": nieuw_bsn(),
        "woongemeente": "0344",
        "inschrijvingVanaf": "2024-08-01",
        **extra,
    }


async def test_leerlingen_in_bulk(dienst: Dienst) -> None:
    nieuw = [_leerling(dienst.school_a, klas="1A") for _ in range(3)]
    _, alleen_a = dienst.sleutel([dienst.school_a], Rol.SIS)
    andere_school = await dienst.leerling(dienst.school_b)
    assert dienst.http is not None

    antwoord = await dienst.http.post(
        "/leerlingen/bulk",
        json={
            "leerlingen": [
                *nieuw,
                _leerling(dienst.school_a, pgn="123456789"),
                _leerling(dienst.school_b),
                {**_leerling(dienst.school_a), "leerlingId": str(andere_school)},
                {k: v for k, v in _leerling(dienst.school_a).items() if k != "pgn"},
                {**_leerling(dienst.school_a), "klas": "1A", "groep": "3"},
                "geen leerling",
                # the number of the first pupil: a school holds it once
                _leerling(dienst.school_a, pgn=nieuw[0]["pgn"]),
            ]
        },
        headers=alleen_a,
    )

    assert antwoord.status_code == 200, antwoord.text
    resultaten = antwoord.json()["resultaten"]
    assert [(r["index"], r["status"], r["veld"]) for r in resultaten] == [
        (0, "accepted", None),
        (1, "accepted", None),
        (2, "accepted", None),
        (3, "rejected", "pgn"),
        (4, "rejected", "schoolId"),
        (5, "rejected", "leerlingId"),
        (6, "rejected", "pgn"),
        (7, "rejected", "groep"),
        (8, "rejected", "LeerlingBody"),
        (9, "rejected", "pgn"),
    ]
    assert [r["leerlingId"] for r in resultaten[:3]] == [n["leerlingId"] for n in nieuw]
    # a pupil refused by the rules is answered with the id it was sent with
    assert resultaten[9]["leerlingId"] is not None
    gelezen = await dienst.verzoek("GET", f"/leerlingen/{nieuw[0]['leerlingId']}")
    assert gelezen.json()["klas"] == "1A"
    events = await dienst.wacht_op(
        lambda evs: (
            [e for e in evs if isinstance(e, LeerlingGeregistreerd)]
            if len([e for e in evs if isinstance(e, LeerlingGeregistreerd)]) >= 4
            else None
        )
    )
    assert {str(e.leerling_id) for e in events} >= {n["leerlingId"] for n in nieuw}

    # The same pupils again: unchanged, one with new details: updated.
    opnieuw = await dienst.verzoek(
        "POST",
        "/leerlingen/bulk",
        {"leerlingen": [nieuw[0], {**nieuw[1], "klas": "2B"}]},
        status=200,
    )
    assert [r["status"] for r in opnieuw.json()["resultaten"]] == [
        "unchanged",
        "updated",
    ]


async def test_afmeldingen_in_bulk(dienst: Dienst) -> None:
    leerling = await dienst.leerling(dienst.school_a)
    andere_school = await dienst.leerling(dienst.school_b)
    _, alleen_a = dienst.sleutel([dienst.school_a], Rol.SIS)
    await dienst.afwezig(leerling, "A1", datum="2025-11-18", lesuurVan=1, lesuurTot=2)
    basis = {"leerlingId": str(leerling), "soort": "ziek"}
    assert dienst.http is not None

    antwoord = await dienst.http.post(
        "/afmeldingen/bulk",
        json={
            "afmeldingen": [
                {**basis, "van": "2025-11-18", "tot": "2025-11-18"},
                {**basis, "van": "2025-11-19", "tot": "2025-11-18"},
                {**basis, "leerlingId": str(andere_school), "van": "2025-11-18"},
                {**basis, "leerlingId": str(uuid4()), "van": "2025-11-18"},
                {**basis, "soort": "vakantie", "van": "2025-11-18"},
                {**basis, "van": "2025-11-10", "tot": "2025-11-10"},
            ]
        },
        headers=alleen_a,
    )

    assert antwoord.status_code == 200, antwoord.text
    resultaten = antwoord.json()["resultaten"]
    assert [(r["status"], r["veld"]) for r in resultaten] == [
        ("accepted", None),
        ("rejected", "tot"),
        ("rejected", "leerlingId"),
        ("rejected", "leerlingId"),
        ("rejected", "soort"),
        ("accepted", None),
    ]
    assert [r["tijdig"] for r in resultaten] == [True, None, None, None, None, False]
    assert antwoord.json()["aantallen"] == {"accepted": 2, "rejected": 4}
    eerste = resultaten[0]["afmeldingId"]
    gelezen = await dienst.verzoek("GET", f"/afmeldingen/{eerste}", status=200)
    assert gelezen.json()["tijdig"] is True
    slots = await dienst.slots(leerling, "2025-11-18")
    assert {slot["status"] for slot in slots.values()} == {"geoorloofd"}
    await dienst.wacht_op(
        lambda evs: [
            e
            for e in per_slot(evs)
            if isinstance(e, VerzuimGeclassificeerd) and e.status == "geoorloofd"
        ]
    )


@pytest.mark.parametrize("pad", ["/leerlingen/bulk", "/afmeldingen/bulk"])
async def test_een_verkeerde_bulk_als_geheel_is_een_probleem(
    dienst: Dienst, pad: str
) -> None:
    veld = pad.split("/")[1]
    zonder_lijst = await dienst.verzoek("POST", pad, {veld: "geen lijst"})
    assert veld in velden(probleem(zonder_lijst, 400))[0]
    leeg = await dienst.verzoek("POST", pad, {})
    probleem(leeg, 400)
    te_veel = await dienst.verzoek("POST", pad, {veld: [{}] * 5_001})
    assert velden(probleem(te_veel, 413)) == [veld]
