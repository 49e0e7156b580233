"""Bad input, foreign data and access: clear problems naming the field, and nothing
stored when a request is refused."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from plumbing.security.callers import Rol
from tests.registratie.service_dienst import BSN, Dienst, school_body
from tests.registratie.service_dienst import probleem as _probleem
from tests.registratie.service_dienst import velden as _velden

pytestmark = pytest.mark.broker


def _record(leerling: UUID | str, **velden: Any) -> dict[str, Any]:
    return {
        "bron": "somtoday",
        "bronId": f"r-{uuid4().hex[:8]}",
        "leerlingId": str(leerling),
        "datum": "2025-11-18",
        "lesuurVan": 1,
        **velden,
    }


async def test_bad_input_names_the_field_and_stores_nothing(dienst: Dienst) -> None:
    leerling = await dienst.leerling(dienst.school_a)
    nieuw = uuid4()
    leerling_body = {
        "schoolId": str(dienst.school_a),
        "geboortedatum": "2011-03-10",
        "pgn": BSN,
        "woongemeente": "0344",
        "inschrijvingVanaf": "2025-08-01",
    }
    gevallen: list[tuple[str, str, Any, str]] = [
        # unknown pupil or school
        ("POST", "/afwezigheden", _record(uuid4()), "leerlingId"),
        (
            "PUT",
            f"/leerlingen/{nieuw}",
            {**leerling_body, "schoolId": str(uuid4())},
            "schoolId",
        ),
        # invalid BSN (eleven test) and BRIN
        ("PUT", f"/leerlingen/{nieuw}", {**leerling_body, "pgn": "123456789"}, "pgn"),
        (
            "PUT",
            f"/scholen/{dienst.school_a}",
            school_body("12KB1"),
            "brin",
        ),
        # a school id that does not belong to its BRIN and vestiging
        ("PUT", f"/scholen/{dienst.school_b}", school_body("99ZZ"), "schoolId"),
        # a lesson the timetable does not have (VO: 8 lessons)
        ("POST", "/afwezigheden", _record(leerling, lesuurVan=9), "lesuurVan"),
        # dates out of range: a closed school year, a typo far ahead
        ("POST", "/afwezigheden", _record(leerling, datum="2023-11-20"), "datum"),
        ("POST", "/afwezigheden", _record(leerling, datum="2026-06-01"), "datum"),
        ("POST", "/afwezigheden", _record(leerling, datum="2025-02-30"), "datum"),
        # an end before the start
        (
            "POST",
            "/afwezigheden",
            _record(
                leerling,
                datum=None,
                lesuurVan=None,
                van="2025-11-18T10:00:00",
                tot="2025-11-18T09:00:00",
            ),
            "tot",
        ),
        ("POST", "/afwezigheden", _record(leerling, lesuurTot=0), "lesuurTot"),
        (
            "POST",
            "/afmeldingen",
            {
                "leerlingId": str(leerling),
                "soort": "ziek",
                "van": "2025-11-18",
                "tot": "2025-11-17",
            },
            "tot",
        ),
        (
            "GET",
            f"/leerlingen/{leerling}/verzuimdagen?van=2025-11-18&tot=2025-11-01",
            None,
            "tot",
        ),
        (
            "PUT",
            f"/leerlingen/{nieuw}",
            {**leerling_body, "inschrijvingTot": "2025-07-01"},
            "inschrijvingTot",
        ),
        (
            "PUT",
            f"/scholen/{dienst.school_a}",
            school_body(
                "99ZZ",
                kalender={
                    "eersteSchooldag": "2025-09-01",
                    "vakanties": [{"van": "2025-10-26", "tot": "2025-10-18"}],
                },
            ),
            "kalender.vakanties[0].tot",
        ),
        (
            "POST",
            "/verlofaanvragen",
            {
                "leerlingId": str(leerling),
                "soort": "vakantieverlof",
                "van": "2026-03-10",
                "tot": "2026-03-02",
            },
            "tot",
        ),
        # a leave in the year 1 (its school year would start in the year 0)
        (
            "POST",
            "/verlofaanvragen",
            {
                "leerlingId": str(leerling),
                "soort": "gewichtige_omstandigheden",
                "van": "0001-01-01",
                "tot": "0001-01-05",
            },
            "van",
        ),
        # missing and unknown fields
        ("POST", "/afwezigheden", {"bron": "x", "leerlingId": str(leerling)}, "bronId"),
        ("POST", "/afwezigheden", _record(leerling, kleur="rood"), "kleur"),
        ("POST", "/afwezigheden", _record(leerling, redenCode="XX"), "redenCode"),
    ]

    opgeslagen = dienst.opgeslagen()
    for methode, pad, body, veld in gevallen:
        antwoord = await dienst.verzoek(methode, pad, body)
        probleem = _probleem(antwoord, 400)
        assert veld in _velden(probleem), (pad, body, probleem)
        assert BSN not in antwoord.text and "123456789" not in antwoord.text
    assert dienst.opgeslagen() == opgeslagen


async def test_body_size_and_media_type(dienst: Dienst) -> None:
    assert dienst.http is not None
    leerling = await dienst.leerling(dienst.school_a)
    opgeslagen = dienst.opgeslagen()

    # More than 10,000 records in one request.
    te_veel = {"afwezigheden": [_record(leerling)] * 10_001}
    probleem = _probleem(
        await dienst.verzoek("POST", "/afwezigheden/bulk", te_veel), 413
    )
    assert _velden(probleem) == ["afwezigheden"]
    # A body over the size limit is refused before it is read.
    groot = b'{"afwezigheden": [' + b'"x",' * 3_000_000 + b'"x"]}'
    _probleem(
        await dienst.http.post(
            "/afwezigheden/bulk",
            content=groot,
            headers={**dienst.als_sis, "Content-Type": "application/json"},
        ),
        413,
    )
    # Wrong media types.
    _probleem(
        await dienst.http.post(
            "/afwezigheden",
            content=b"bron=somtoday",
            headers={**dienst.als_sis, "Content-Type": "text/plain"},
        ),
        415,
    )
    _probleem(
        await dienst.http.put(
            f"/scholen/{dienst.school_a}/kalender",
            json={"vakanties": []},
            headers=dienst.als_sis,
        ),
        415,
    )
    # Not JSON at all.
    _probleem(
        await dienst.http.post(
            "/afwezigheden",
            content=b"{niet json",
            headers={**dienst.als_sis, "Content-Type": "application/json"},
        ),
        400,
    )
    assert dienst.opgeslagen() == opgeslagen


async def test_another_schools_data_is_not_there(dienst: Dienst) -> None:
    assert dienst.http is not None
    _, als_c = dienst.sleutel([dienst.school_c], Rol.SIS, naam="school C")
    await dienst.http.put(
        f"/scholen/{dienst.school_c}", json=school_body("98XX"), headers=als_c
    )
    vreemd = uuid4()
    antwoord = await dienst.http.put(
        f"/leerlingen/{vreemd}",
        json={
            "schoolId": str(dienst.school_c),
            "geboortedatum": "2011-03-10",
            "pgn": BSN,
            "woongemeente": "0344",
            "inschrijvingVanaf": "2025-08-01",
        },
        headers=als_c,
    )
    assert antwoord.status_code == 201, antwoord.text
    record = await dienst.http.post(
        "/afwezigheden", json=_record(vreemd), headers=als_c
    )
    assert record.status_code == 201, record.text
    vreemd_record = record.json()["afwezigheidId"]
    onbekend = uuid4()

    # A path resource of another school answers exactly like a missing one.
    for pad in (
        "/leerlingen/{}",
        "/leerlingen/{}/verzuimdagen?van=2025-11-01&tot=2025-11-30",
        "/afwezigheden/{}",
        "/scholen/{}",
    ):
        sleutel = {
            "/leerlingen/{}": vreemd,
            "/afwezigheden/{}": vreemd_record,
            "/scholen/{}": dienst.school_c,
        }.get(pad, vreemd)
        van_ander = await dienst.verzoek("GET", pad.format(sleutel))
        niet_daar = await dienst.verzoek("GET", pad.format(onbekend))
        assert _probleem(van_ander, 404) == _probleem(niet_daar, 404)
    opgeslagen = dienst.opgeslagen()
    _probleem(await dienst.verzoek("DELETE", f"/afwezigheden/{vreemd_record}"), 404)
    _probleem(
        await dienst.verzoek("PUT", f"/scholen/{dienst.school_c}", school_body("98XX")),
        404,
    )

    # A pupil of another school named in a body is as unknown as a made-up one.
    van_ander = await dienst.verzoek("POST", "/afwezigheden", _record(vreemd))
    niet_daar = await dienst.verzoek("POST", "/afwezigheden", _record(onbekend))
    assert _probleem(van_ander, 400) == _probleem(niet_daar, 400)
    for pad, body in (
        (
            "/afmeldingen",
            {"leerlingId": str(vreemd), "soort": "ziek", "van": "2025-11-18"},
        ),
        (
            "/verlofaanvragen",
            {
                "leerlingId": str(vreemd),
                "soort": "vakantieverlof",
                "van": "2026-03-02",
                "tot": "2026-03-06",
            },
        ),
    ):
        _probleem(await dienst.verzoek("POST", pad, body), 400)
    bulk = await dienst.verzoek(
        "POST",
        "/afwezigheden/bulk",
        {"afwezigheden": [_record(vreemd), _record(onbekend)]},
        status=200,
    )
    [een, twee] = bulk.json()["resultaten"]
    assert {k: v for k, v in een.items() if k not in ("index", "bronId")} == {
        k: v for k, v in twee.items() if k not in ("index", "bronId")
    }
    assert een["status"] == "rejected" and een["veld"] == "leerlingId"
    assert dienst.opgeslagen() == opgeslagen


async def test_roles(dienst: Dienst) -> None:
    assert dienst.http is not None
    leerling = await dienst.leerling(dienst.school_a, pgn=BSN)
    _, als_mentor = dienst.sleutel([dienst.school_a], Rol.MENTOR, naam="mentor")
    _, als_ouder = dienst.sleutel([dienst.school_a], Rol.OUDERS, naam="ouder")

    # Reading is for the school's roles; writing for the SIS and operators.
    gelezen = await dienst.http.get(f"/leerlingen/{leerling}", headers=als_mentor)
    assert gelezen.status_code == 200
    assert gelezen.json()["pgn"] == {"soort": "bsn", "laatsteCijfers": BSN[-2:]}
    assert BSN not in gelezen.text
    _probleem(
        await dienst.http.post(
            "/afwezigheden", json=_record(leerling), headers=als_mentor
        ),
        403,
    )
    _probleem(await dienst.http.get(f"/leerlingen/{leerling}", headers=als_ouder), 403)
    _probleem(await dienst.http.get(f"/leerlingen/{leerling}"), 401)
