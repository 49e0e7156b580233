"""What registratie publishes on its topic, the PGN key, withdrawals, bulk answers
and the OpenAPI document."""

from __future__ import annotations

import stat
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest

from contracts.pgn import PgnSleutelFout, nieuwe_sleutel, ontsleutel
from contracts.pgn import sleutel_uit_instellingen as sleutel_uit
from contracts.registratie import (
    LeerlingGeregistreerd,
    SchoolGeregistreerd,
    Slotclassificatie,
    Slotvervallen,
    VerzuimdagBijgewerkt,
    VerzuimGeclassificeerd,
    VerzuimVervallen,
)
from services.registratie.contracts_mapping import to_contract
from services.registratie.service_app import pgn_sleutel
from tests.platform import adr_rules
from tests.registratie.service_dienst import (
    BSN,
    CONTACT,
    ONDERWIJSNUMMER,
    Dienst,
    per_slot,
    school_body,
)

pytestmark = pytest.mark.broker

ICS = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Testschool//Jaarplanning//NL
BEGIN:VEVENT
UID:1@test
DTSTART;VALUE=DATE:20260831
SUMMARY:Eerste schooldag
END:VEVENT
BEGIN:VEVENT
UID:2@test
DTSTART;VALUE=DATE:20261017
DTEND;VALUE=DATE:20261026
SUMMARY:Herfstvakantie
END:VEVENT
BEGIN:VEVENT
UID:3@test
DTSTART;VALUE=DATE:20261111
SUMMARY:Studiedag team
END:VEVENT
END:VCALENDAR
"""


def _van(events: list[Any], soort: Any) -> list[Any]:
    return [e for e in events if isinstance(e, soort)]


async def test_the_pgn_never_travels_in_clear(dienst: Dienst) -> None:
    met_bsn = await dienst.leerling(dienst.school_a, pgn=BSN, klas="2B", leerjaar=2)
    met_on = await dienst.leerling(
        dienst.school_b,
        geboortedatum="2017-05-02",
        pgn=ONDERWIJSNUMMER,
        startkwalificatie="2025-06-30",
    )

    events = await dienst.wacht_op(
        lambda evs: len(_van(evs, LeerlingGeregistreerd)) >= 2 and evs
    )
    for waarde in dienst.ruw:
        assert BSN.encode() not in waarde
        assert ONDERWIJSNUMMER.encode() not in waarde
    # The key made once in the data dir (no VERZUIM_PGN_KEY) decrypts them.
    sleutel = pgn_sleutel(dienst.settings)
    bestand = dienst.settings.verzuim_data_dir / "pgn.key"
    assert bestand.read_text().strip() == sleutel
    assert stat.S_IMODE(bestand.stat().st_mode) == 0o600
    leerlingen = {e.leerling_id: e for e in _van(events, LeerlingGeregistreerd)}
    assert leerlingen[met_bsn].pgn.soort == "bsn"
    assert ontsleutel(leerlingen[met_bsn].pgn, sleutel) == BSN
    assert leerlingen[met_on].pgn.soort == "onderwijsnummer"
    assert ontsleutel(leerlingen[met_on].pgn, sleutel) == ONDERWIJSNUMMER
    assert (leerlingen[met_bsn].klas, leerlingen[met_bsn].leerjaar) == ("2B", 2)
    assert leerlingen[met_on].startkwalificatie is True
    assert leerlingen[met_on].startkwalificatie_sinds == date(2025, 6, 30)

    # The same registration again changes nothing and publishes nothing.
    opgeslagen = dienst.opgeslagen()
    antwoord = await dienst.verzoek("GET", f"/leerlingen/{met_bsn}", status=200)
    assert BSN not in antwoord.text
    body = {
        "schoolId": str(dienst.school_a),
        "geboortedatum": "2011-03-10",
        "pgn": BSN,
        "woongemeente": "0344",
        "inschrijvingVanaf": "2024-08-01",
        "klas": "2B",
        "leerjaar": 2,
    }
    await dienst.verzoek("PUT", f"/leerlingen/{met_bsn}", body, status=200)
    assert dienst.opgeslagen() == opgeslagen


def test_the_pgn_key_setting(tmp_path: Path) -> None:
    gegeven = nieuwe_sleutel()
    assert sleutel_uit(gegeven, tmp_path) == gegeven
    assert not (tmp_path / "pgn.key").exists()
    with pytest.raises(PgnSleutelFout):
        sleutel_uit("geen-sleutel", tmp_path)
    # Without a setting: made once, then the same for every process on the dir.
    eerste = sleutel_uit(None, tmp_path)
    assert sleutel_uit("", tmp_path) == eerste
    assert [p.name for p in tmp_path.iterdir()] == ["pgn.key"]


async def test_a_school_is_published_in_full(dienst: Dienst) -> None:
    # Each school is put twice: with last year's calendar, then with this year's.
    events = await dienst.wacht_op(
        lambda evs: len(_van(evs, SchoolGeregistreerd)) >= 4 and evs
    )
    school = [e for e in _van(events, SchoolGeregistreerd) if e.brin == "99ZZ"][-1]
    assert (school.school_id, school.vestiging, school.sector) == (
        dienst.school_a,
        "00",
        "vo",
    )
    assert (school.gemeente, school.regio) == ("0344", "midden")
    assert school.contact_melder is not None
    assert school.contact_melder.email == CONTACT["email"]
    assert len(school.kalender.vakanties) == 10  # 2024-25 and 2025-26
    assert school.kalender.eerste_schooldag == date(2025, 9, 1)
    assert [les.nummer for les in school.rooster.lesuren["1"]] == list(range(1, 9))
    assert school.beleid["vakantieverlofLeadTimeWeeks"] == 8

    # Unchanged: nothing stored. Only the gemeente: published again in full.
    opgeslagen = dienst.opgeslagen()
    pad = f"/scholen/{dienst.school_a}"
    await dienst.verzoek("PUT", pad, school_body("99ZZ"), status=200)
    assert dienst.opgeslagen() == opgeslagen
    await dienst.verzoek("PUT", pad, school_body("99ZZ", gemeente="0356"), status=200)
    events = await dienst.wacht_op(
        lambda evs: len(_van(evs, SchoolGeregistreerd)) >= 5 and evs
    )
    laatste = _van(events, SchoolGeregistreerd)[-1]
    assert (laatste.gemeente, laatste.naam) == ("0356", "Testschool 99ZZ")
    assert laatste.contact_melder == school.contact_melder

    # The next school year's calendar from iCalendar.
    antwoord = await dienst.http.put(  # type: ignore[union-attr]
        f"{pad}/kalender",
        content=ICS,
        headers={**dienst.als_sis, "Content-Type": "text/calendar"},
    )
    assert antwoord.status_code == 200, antwoord.text
    kalenders = {k["schooljaar"]: k for k in antwoord.json()["kalenders"]}
    assert sorted(kalenders) == [2024, 2025, 2026]
    assert kalenders[2026]["eersteSchooldag"] == "2026-08-31"
    volgend = kalenders[2026]
    assert volgend["vakanties"] == [{"van": "2026-10-17", "tot": "2026-10-25"}]
    assert volgend["studiedagen"] == [{"van": "2026-11-11", "tot": "2026-11-11"}]
    events = await dienst.wacht_op(
        lambda evs: len(_van(evs, SchoolGeregistreerd)) >= 6 and evs
    )
    kalender = _van(events, SchoolGeregistreerd)[-1].kalender
    assert len(kalender.vakanties) == 11
    assert kalender.eerste_schooldag == date(2025, 9, 1)  # today's school year

    # A file without a first school day (none given, no summer vacation before it)
    # names the query parameter that can give it.
    geweigerd = await dienst.http.put(  # type: ignore[union-attr]
        f"{pad}/kalender",
        content=ICS.replace(b"Eerste schooldag", b"Ouderavond"),
        headers={**dienst.als_sis, "Content-Type": "text/calendar"},
    )
    assert geweigerd.status_code == 400, geweigerd.text
    assert geweigerd.json()["invalidParams"][0]["name"] == "eersteSchooldag"


async def test_withdrawing_a_record(dienst: Dienst) -> None:
    leerling = await dienst.leerling(dienst.school_a)
    record = await dienst.afwezig(
        leerling, "W1", datum="2025-11-18", lesuurVan=1, lesuurTot=3, redenCode="A"
    )
    pad = f"/afwezigheden/{record['afwezigheidId']}"

    await dienst.verzoek("DELETE", pad, status=204)
    assert await dienst.slots(leerling, "2025-11-18") == {}
    gelezen = await dienst.verzoek("GET", pad, status=200)
    assert gelezen.json()["ingetrokken"] is True
    opgeslagen = dienst.opgeslagen()
    await dienst.verzoek("DELETE", pad, status=204)  # withdrawn is withdrawn
    assert dienst.opgeslagen() == opgeslagen

    events = await dienst.wacht_op(
        lambda evs: len(_van(evs, VerzuimdagBijgewerkt)) >= 2 and evs
    )
    # One message per change of the pupil-day, none per slot.
    assert not _van(events, VerzuimGeclassificeerd | VerzuimVervallen)
    geregistreerd, ingetrokken = _van(events, VerzuimdagBijgewerkt)
    assert {type(s) for s in geregistreerd.slots} == {Slotclassificatie}
    assert {type(s) for s in ingetrokken.slots} == {Slotvervallen}
    vervallen = _van(per_slot(events), VerzuimVervallen)
    assert sorted(e.lesuur for e in vervallen) == [1, 2, 3]
    assert {e.slot_id for e in vervallen} == {
        e.slot_id for e in _van(per_slot(events), VerzuimGeclassificeerd)
    }
    # Sending the withdrawn record again brings it back (200: it exists).
    terug = await dienst.afwezig(
        leerling,
        "W1",
        status=200,
        datum="2025-11-18",
        lesuurVan=1,
        lesuurTot=3,
        redenCode="A",
    )
    assert terug["ingetrokken"] is False
    assert len(await dienst.slots(leerling, "2025-11-18")) == 3


async def test_bulk_answers_per_record(dienst: Dienst) -> None:
    leerling = await dienst.leerling(dienst.school_a)
    basis = {"bron": "somtoday", "leerlingId": str(leerling), "datum": "2025-11-18"}
    await dienst.afwezig(leerling, "B1", datum="2025-11-18", lesuurVan=1)
    await dienst.afwezig(leerling, "B2", datum="2025-11-18", lesuurVan=2)

    antwoord = await dienst.verzoek(
        "POST",
        "/afwezigheden/bulk",
        {
            "afwezigheden": [
                {**basis, "bronId": "B1", "lesuurVan": 1},  # the same again
                {**basis, "bronId": "B2", "lesuurVan": 3},  # a correction
                {**basis, "bronId": "B3", "lesuurVan": 9},  # no 9th lesson
                {**basis, "bronId": "B4", "lesuurVan": 4},  # new
                "geen record",
                {**basis, "bronId": "B5", "leerlingId": str(uuid4())},
                {**basis, "bronId": "B6", "lesuurVan": 5, "redenCode": "A"},  # new
            ]
        },
        status=200,
    )

    resultaten = antwoord.json()["resultaten"]
    assert [(r["index"], r["bronId"], r["status"]) for r in resultaten] == [
        (0, "B1", "unchanged"),
        (1, "B2", "corrected"),
        (2, "B3", "rejected"),
        (3, "B4", "accepted"),
        (4, None, "rejected"),
        (5, "B5", "rejected"),
        (6, "B6", "accepted"),
    ]
    assert [r["veld"] for r in resultaten if r["status"] == "rejected"] == [
        "lesuurVan",
        "afwezigheid",
        "leerlingId",
    ]
    assert antwoord.json()["aantallen"] == {
        "unchanged": 1,
        "corrected": 1,
        "rejected": 3,
        "accepted": 2,
    }
    assert resultaten[3]["afwezigheidId"] is not None
    slots = await dienst.slots(leerling, "2025-11-18")
    assert sorted(lesuur for _, lesuur in slots) == [1, 3, 4, 5]


def test_the_contract_mapping_ignores_domain_events() -> None:
    assert to_contract(object()) is None


async def test_openapi_follows_the_api_design_rules(dienst: Dienst) -> None:
    assert dienst.http is not None
    antwoord = await dienst.http.get("/openapi.json")
    assert antwoord.status_code == 200
    document = antwoord.json()
    assert adr_rules.lint(document) == []
    assert "/afwezigheden/bulk" in document["paths"]
    schema = document["components"]["schemas"]["LeerlingBody"]
    assert schema["properties"]["pgn"]["writeOnly"] is True


async def test_a_relay_process_publishes_what_the_service_stores(
    broker: str, unique: str, tmp_path: Path
) -> None:
    # Given the service publishing from a child process (RELAY_PROCESS).
    dienst = Dienst(broker, tmp_path, f"t{unique}.")
    dienst.settings = dienst.settings.model_copy(update={"relay_process": True})
    await dienst.start(date(2025, 11, 20))
    try:
        await dienst.scholen()
        leerling = await dienst.leerling(dienst.school_a)

        # When records come in, one by one and in a bulk.
        await dienst.afwezig(leerling, "B1", datum="2025-11-18", lesuurVan=1)
        basis = {"bron": "somtoday", "leerlingId": str(leerling), "datum": "2025-11-19"}
        bulk = {"afwezigheden": [{**basis, "bronId": "B2", "lesuurVan": 2}]}
        await dienst.verzoek("POST", "/afwezigheden/bulk", bulk, status=200)

        # Then the child publishes them, and the service stays ready.
        events = await dienst.wacht_op(
            lambda evs: len(_van(evs, VerzuimdagBijgewerkt)) >= 2 and evs
        )
        assert len(_van(events, SchoolGeregistreerd)) == 4  # two schools, twice
        assert len(_van(events, LeerlingGeregistreerd)) == 1
        dagen = [e.datum for e in _van(events, VerzuimdagBijgewerkt)]
        assert dagen == [date(2025, 11, 18), date(2025, 11, 19)]
        runtime = dienst.runtime
        assert runtime is not None and runtime.relay is None
        assert runtime.broker_ready()
    finally:
        await dienst.stop()
    assert runtime.relay_process is None
