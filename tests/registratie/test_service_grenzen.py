"""Values at the edges, through the HTTP API: dates near the ends of the calendar,
implausible pupils, open-ended records, empty timetables, and a bulk in which one
record breaks. Each answers a clear problem (or a per-record rejection) and stores
nothing it should not."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import OperationalError

from plumbing.security.callers import Rol
from services.registratie import afwezigheden as afwezigheden_module
from services.registratie import werkeenheid as werkeenheid_module
from tests.registratie.service_dienst import BSN, Dienst, school_body
from tests.registratie.service_dienst import probleem as _probleem
from tests.registratie.service_dienst import velden as _velden

pytestmark = pytest.mark.broker


def _record(leerling: UUID | str, **velden: Any) -> dict[str, Any]:
    record = {
        "bron": "somtoday",
        "bronId": f"r-{uuid4().hex[:8]}",
        "leerlingId": str(leerling),
        "datum": "2025-11-18",
        "lesuurVan": 1,
        **velden,
    }
    return {k: v for k, v in record.items() if v is not None}


def _leerling_body(school_id: UUID, **velden: Any) -> dict[str, Any]:
    return {
        "schoolId": str(school_id),
        "geboortedatum": "2011-03-10",
        "pgn": BSN,
        "woongemeente": "0344",
        "inschrijvingVanaf": "2024-08-01",
        **velden,
    }


async def test_dates_near_the_ends_of_the_calendar_are_bad_input(
    dienst: Dienst,
) -> None:
    leerling = await dienst.leerling(dienst.school_a)
    tijdvak = {"datum": None, "lesuurVan": None}
    melding = {"leerlingId": str(leerling), "soort": "ziek"}
    kalender = dict(school_body("99ZZ")["kalender"])
    gevallen: list[tuple[str, str, Any, str]] = [
        ("POST", "/afwezigheden", _record(leerling, datum="9999-12-31"), "datum"),
        ("POST", "/afwezigheden", _record(leerling, datum="0001-01-01"), "datum"),
        (
            "POST",
            "/afwezigheden",
            _record(
                leerling,
                **tijdvak,
                van="9999-12-31T23:30:00-12:00",
                tot="9999-12-31T23:50:00-12:00",
            ),
            "van",
        ),
        (
            "POST",
            "/afwezigheden",
            _record(
                leerling,
                **tijdvak,
                van="0001-01-01T00:10:00+14:00",
                tot="0001-01-01T00:20:00+14:00",
            ),
            "van",
        ),
        (
            "POST",
            "/afwezigheden",
            _record(
                leerling,
                **tijdvak,
                van="2025-11-18T08:30:00+01:00",
                tot="9999-12-31T23:59:00-12:00",
            ),
            "tot",
        ),
        ("POST", "/afmeldingen", {**melding, "van": "9999-12-31"}, "van"),
        ("POST", "/afmeldingen", {**melding, "van": "0001-01-01"}, "van"),
        (
            "POST",
            "/afmeldingen",
            {**melding, "van": "2025-11-18", "tot": "9999-12-31"},
            "tot",
        ),
        (
            "POST",
            "/afmeldingen",
            {**melding, "van": "2025-11-18", "ontvangen": "9999-12-31T23:59:59-12:00"},
            "ontvangen",
        ),
        (
            "POST",
            "/afmeldingen",
            {**melding, "van": "2025-11-18", "ontvangen": "0001-01-01T00:00:00+14:00"},
            "ontvangen",
        ),
        (
            "GET",
            f"/leerlingen/{leerling}/verzuimdagen?van=9999-12-01&tot=9999-12-31",
            None,
            "van",
        ),
        (
            "GET",
            f"/leerlingen/{leerling}/verzuimdagen?van=0001-01-01&tot=0001-01-31",
            None,
            "van",
        ),
        (
            "PUT",
            f"/scholen/{dienst.school_a}",
            school_body("99ZZ", kalender={**kalender, "eersteSchooldag": "9999-08-30"}),
            "kalender.eersteSchooldag",
        ),
        (
            "PUT",
            f"/scholen/{dienst.school_a}",
            school_body(
                "99ZZ",
                kalender={
                    **kalender,
                    "vakanties": [{"van": "9999-12-20", "tot": "9999-12-31"}],
                },
            ),
            "kalender.vakanties[0].van",
        ),
        (
            "PUT",
            f"/leerlingen/{uuid4()}",
            _leerling_body(dienst.school_a, inschrijvingVanaf="0001-01-01"),
            "inschrijvingVanaf",
        ),
        (
            "PUT",
            f"/leerlingen/{uuid4()}",
            _leerling_body(dienst.school_a, inschrijvingVanaf="9999-12-31"),
            "inschrijvingVanaf",
        ),
    ]

    opgeslagen = dienst.opgeslagen()
    for methode, pad, body, veld in gevallen:
        antwoord = await dienst.verzoek(methode, pad, body)
        probleem = _probleem(antwoord, 400)
        assert veld in _velden(probleem), (pad, body, probleem)
    assert dienst.opgeslagen() == opgeslagen

    # The pupil still takes records: nothing above broke it.
    await dienst.afwezig(leerling, "daarna", datum="2025-11-18", lesuurVan=1)


async def test_the_audit_trail_refuses_values_it_cannot_compare(
    dienst: Dienst,
) -> None:
    assert dienst.http is not None
    _, als_beheer = dienst.sleutel([dienst.school_a], Rol.BEHEER, naam="beheer")

    for query, veld in (
        ("voor=1e30", "voor"),
        (f"voor={2**63}", "voor"),
        ("vanaf=9999-12-31T23:59:59-12:00", "vanaf"),
        ("tot=0001-01-01T00:00:00%2B14:00", "tot"),
    ):
        antwoord = await dienst.http.get(f"/auditregels?{query}", headers=als_beheer)
        assert veld in _velden(_probleem(antwoord, 400)), query

    grootste = await dienst.http.get(
        f"/auditregels?voor={2**63 - 1}", headers=als_beheer
    )
    assert grootste.status_code == 200, grootste.text


async def test_one_bad_record_in_a_bulk_never_sinks_the_rest(
    dienst: Dienst, monkeypatch: pytest.MonkeyPatch
) -> None:
    leerling = await dienst.leerling(dienst.school_a)
    tijdvak = {"datum": None, "lesuurVan": None}

    # An unexpected failure while one record is converted ...
    echte_omzetting = afwezigheden_module.naar_dagdelen

    def omzetting(invoer: Any, *args: Any) -> Any:
        if invoer.bron_id == "boem":
            raise RuntimeError("onverwacht")
        return echte_omzetting(invoer, *args)

    monkeypatch.setattr(afwezigheden_module, "naar_dagdelen", omzetting)
    # ... and while the days of another are classified (only 2025-11-14 breaks).
    echte_classificatie = werkeenheid_module.classificeer

    def classificatie(bronnen: Any, context: Any, moment: Any) -> Any:
        if context.datum == date(2025, 11, 14):
            raise ArithmeticError("onverwacht")
        return echte_classificatie(bronnen, context, moment)

    monkeypatch.setattr(werkeenheid_module, "classificeer", classificatie)

    records = [
        _record(leerling, bronId="goed-1", datum="2025-11-17"),
        _record(leerling, bronId="ver-weg", datum="9999-12-31"),
        _record(
            leerling,
            bronId="overloop",
            **tijdvak,
            van="9999-12-31T23:30:00-12:00",
            tot="9999-12-31T23:50:00-12:00",
        ),
        _record(leerling, bronId="boem", datum="2025-11-18"),
        _record(leerling, bronId="klassificatie", datum="2025-11-14"),
        _record(leerling, bronId="goed-2", datum="2025-11-19", lesuurTot=2),
    ]
    antwoord = await dienst.verzoek(
        "POST", "/afwezigheden/bulk", {"afwezigheden": records}, status=200
    )

    regels = {r["bronId"]: r for r in antwoord.json()["resultaten"]}
    assert {b: r["status"] for b, r in regels.items()} == {
        "goed-1": "accepted",
        "ver-weg": "rejected",
        "overloop": "rejected",
        "boem": "rejected",
        "klassificatie": "rejected",
        "goed-2": "accepted",
    }
    assert regels["ver-weg"]["veld"] == "datum"
    assert regels["overloop"]["veld"] == "van"
    assert regels["boem"]["reden"] and "onverwacht" not in regels["boem"]["reden"]
    assert [r["index"] for r in antwoord.json()["resultaten"]] == list(range(6))
    assert antwoord.json()["aantallen"] == {"accepted": 2, "rejected": 4}
    slots = await dienst.slots(leerling, "2025-11-14", "2025-11-19")
    assert sorted(slots) == [("2025-11-17", 1), ("2025-11-19", 1), ("2025-11-19", 2)]


async def test_a_store_failure_in_a_bulk_is_a_server_error_and_stores_nothing(
    dienst: Dienst, monkeypatch: pytest.MonkeyPatch
) -> None:
    leerling = await dienst.leerling(dienst.school_a)
    opgeslagen = dienst.opgeslagen()

    def kapot(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("de database is weg")

    monkeypatch.setattr(dienst.app, "save", kapot)
    antwoord = await dienst.verzoek(
        "POST",
        "/afwezigheden/bulk",
        {"afwezigheden": [_record(leerling), _record(leerling, datum="2025-11-17")]},
    )

    assert antwoord.status_code >= 500, antwoord.text
    assert antwoord.headers["content-type"] == "application/problem+json"
    monkeypatch.undo()
    assert dienst.opgeslagen() == opgeslagen
    assert await dienst.slots(leerling, "2025-11-17", "2025-11-18") == {}


@pytest.mark.parametrize(
    ("veld", "waarde"),
    [
        ("geboortedatum", "9999-12-31"),
        ("geboortedatum", "2030-01-01"),  # not born yet
        ("geboortedatum", "2024-06-01"),  # a toddler, not a pupil
        ("geboortedatum", "1990-01-01"),  # 35: beyond RMC and any pupil
        ("geboortedatum", "1900-01-01"),
        ("inschrijvingVanaf", "2010-01-01"),  # before the pupil was born
    ],
)
async def test_an_implausible_pupil_is_refused(
    dienst: Dienst, veld: str, waarde: str
) -> None:
    opgeslagen = dienst.opgeslagen()
    nieuw = uuid4()
    body = _leerling_body(dienst.school_a, **{veld: waarde})
    antwoord = await dienst.verzoek("PUT", f"/leerlingen/{nieuw}", body)

    assert veld in _velden(_probleem(antwoord, 400))
    assert dienst.opgeslagen() == opgeslagen
    _probleem(await dienst.verzoek("GET", f"/leerlingen/{nieuw}"), 404)


async def test_pupils_at_the_edges_of_the_plausible_ages_are_registered(
    dienst: Dienst,
) -> None:
    # The clock says 2025-11-20: 2 years old today, and a day before turning 30.
    for geboortedatum in ("2023-11-20", "1995-11-21"):
        leerling = await dienst.leerling(dienst.school_b, geboortedatum=geboortedatum)
        await dienst.afwezig(leerling, f"r-{geboortedatum}", datum="2025-11-18")


async def test_an_open_ended_record_is_refused(dienst: Dienst) -> None:
    leerling = await dienst.leerling(dienst.school_a)
    opgeslagen = dienst.opgeslagen()

    for van in ("2025-11-17", "2025-11-17T10:00:00+01:00"):
        antwoord = await dienst.verzoek(
            "POST",
            "/afwezigheden",
            _record(leerling, datum=None, lesuurVan=None, van=van),
        )
        probleem = _probleem(antwoord, 400)
        assert _velden(probleem) == ["tot"]
        assert "open afwezigheid" in probleem["invalidParams"][0]["reason"]
    assert dienst.opgeslagen() == opgeslagen

    # With named lessons the record is bounded by them, with `datum` by that day.
    await dienst.afwezig(
        leerling, "lessen", datum=None, van="2025-11-17T08:30:00", lesuurVan=2
    )
    await dienst.afwezig(leerling, "dag", datum="2025-11-18")
    slots = await dienst.slots(leerling, "2025-11-17", "2025-11-18")
    assert sorted(slots) == [("2025-11-17", 2)] + [
        ("2025-11-18", lesuur) for lesuur in range(1, 9)
    ]


@pytest.mark.parametrize(
    "rooster",
    [
        {"lesuren": {}},
        {"lesuren": {"1": [], "2": []}},
    ],
    ids=["geen-dagen", "lege-dagen"],
)
async def test_a_timetable_without_lessons_is_refused(
    dienst: Dienst, rooster: dict[str, Any]
) -> None:
    opgeslagen = dienst.opgeslagen()
    body = school_body("99ZZ", rooster=rooster)

    antwoord = await dienst.verzoek("PUT", f"/scholen/{dienst.school_a}", body)

    assert "rooster.lesuren" in _velden(_probleem(antwoord, 400))
    assert dienst.opgeslagen() == opgeslagen


async def test_a_pupil_of_another_school_is_not_there_for_a_put(
    dienst: Dienst,
) -> None:
    assert dienst.http is not None
    _, als_c = dienst.sleutel([dienst.school_c], Rol.SIS, naam="school C")
    await dienst.http.put(
        f"/scholen/{dienst.school_c}", json=school_body("98XX"), headers=als_c
    )
    vreemd = uuid4()
    gezet = await dienst.http.put(
        f"/leerlingen/{vreemd}", json=_leerling_body(dienst.school_c), headers=als_c
    )
    assert gezet.status_code == 201, gezet.text
    opgeslagen = dienst.opgeslagen()

    # School A's SIS puts its own school on C's pupil: as if it were not there.
    antwoord = await dienst.verzoek(
        "PUT", f"/leerlingen/{vreemd}", _leerling_body(dienst.school_a)
    )
    probleem = _probleem(antwoord, 404)
    niet_daar = _probleem(await dienst.verzoek("GET", f"/leerlingen/{uuid4()}"), 404)
    assert probleem == niet_daar
    assert dienst.opgeslagen() == opgeslagen

    # A caller of both schools hears why: a transfer is a new enrolment (D16).
    _, als_beide = dienst.sleutel(
        [dienst.school_a, dienst.school_c], Rol.SIS, naam="bestuur"
    )
    overstap = await dienst.http.put(
        f"/leerlingen/{vreemd}",
        json=_leerling_body(dienst.school_a),
        headers=als_beide,
    )
    assert "schoolId" in _velden(_probleem(overstap, 400))
    assert dienst.opgeslagen() == opgeslagen


async def test_a_notice_with_its_lessons_the_wrong_way_round_is_refused(
    dienst: Dienst,
) -> None:
    leerling = await dienst.leerling(dienst.school_a)
    opgeslagen = dienst.opgeslagen()

    antwoord = await dienst.verzoek(
        "POST",
        "/afmeldingen",
        {
            "leerlingId": str(leerling),
            "soort": "ziek",
            "van": "2025-11-18",
            "lesuurVan": 5,
            "lesuurTot": 2,
        },
    )

    assert _velden(_probleem(antwoord, 400)) == ["lesuurTot"]
    assert dienst.opgeslagen() == opgeslagen


async def test_gone_is_documented_where_an_erased_pupil_can_be_met(
    dienst: Dienst,
) -> None:
    assert dienst.http is not None
    openapi = (await dienst.http.get("/openapi.json")).json()
    paden = openapi["paths"]

    for pad, methode in (
        ("/afwezigheden", "post"),
        ("/afwezigheden/bulk", "post"),
        ("/afwezigheden/{afwezigheidId}", "delete"),
        ("/leerlingen/{leerlingId}", "put"),
        ("/afmeldingen", "post"),
        ("/verlofaanvragen", "post"),
        ("/verlofaanvragen/{verlofaanvraagId}/besluit", "post"),
    ):
        assert "410" in paden[pad][methode]["responses"], (pad, methode)
    assert "404" in paden["/leerlingen/{leerlingId}"]["put"]["responses"]
    assert "410" not in paden["/scholen/{schoolId}"]["put"]["responses"]


async def test_a_record_in_a_school_year_without_calendar_is_refused(
    dienst: Dienst,
) -> None:
    # Given a school with calendars up to 2025-26, and "today" late in that year.
    leerling = await dienst.leerling(dienst.school_a)
    dienst.zet_klok(date(2026, 8, 20))
    opgeslagen = dienst.opgeslagen()

    # When a record comes in for the first weeks of 2026-27, alone or in a bulk.
    alleen = await dienst.verzoek(
        "POST", "/afwezigheden", _record(leerling, datum="2026-09-01")
    )
    bulk = await dienst.verzoek(
        "POST",
        "/afwezigheden/bulk",
        {
            "afwezigheden": [
                _record(leerling, datum="2026-09-02"),
                _record(leerling, datum="2026-07-01"),
            ]
        },
        status=200,
    )

    # Then it is refused on its date (a vacation would count as lessons), and the
    # record in a year with a calendar is taken.
    fout = _probleem(alleen, 400)
    assert _velden(fout) == ["datum"]
    assert "schooljaar 2026-2027" in fout["invalidParams"][0]["reason"]
    [geweigerd, genomen] = bulk.json()["resultaten"]
    assert (geweigerd["status"], geweigerd["veld"]) == ("rejected", "datum")
    assert genomen["status"] == "accepted"
    assert dienst.opgeslagen() > opgeslagen


async def test_a_bulk_for_one_school_refuses_another_schools_pupil(
    dienst: Dienst,
) -> None:
    # Given a key for both schools and an export meant for school A only.
    eigen = await dienst.leerling(dienst.school_a)
    ander = await dienst.leerling(dienst.school_b)
    body = {"afwezigheden": [_record(eigen), _record(ander)]}

    antwoord = await dienst.verzoek(
        "POST", f"/afwezigheden/bulk?schoolId={dienst.school_a}", body, status=200
    )
    onbekend = await dienst.verzoek(
        "POST", f"/afwezigheden/bulk?schoolId={uuid4()}", body
    )

    [a, b] = antwoord.json()["resultaten"]
    assert a["status"] == "accepted"
    assert (b["status"], b["veld"]) == ("rejected", "leerlingId")
    assert _velden(_probleem(onbekend, 400)) == ["schoolId"]
