"""Scenarios of `scenarios.md`, registration side, through HTTP and the topic.

Registratie classifies the slots and publishes them; counting to 16 hours is
analyse's work. So each test checks what analyse will receive: the status of every
slot and the D3 minutes it counts, on calendar TC-2526 (rules.md section 9).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from contracts.registratie import (
    RegistratieSignaal,
    VerlofBesloten,
    VerzuimGeclassificeerd,
)
from tests.registratie.service_dienst import AMSTERDAM, Dienst, per_slot, wacht_tot

pytestmark = pytest.mark.broker


@pytest.fixture
async def dienst(broker: str, unique: str, tmp_path: Path) -> AsyncIterator[Dienst]:
    d = Dienst(broker, tmp_path, f"t{unique}.")
    await d.start()
    await d.scholen()
    try:
        yield d
    finally:
        await d.stop()


def _om(dag: str, tijd: str = "12:00") -> datetime:
    return datetime.fromisoformat(f"{dag}T{tijd}").replace(tzinfo=AMSTERDAM)


def _laatste(events: list[Any], leerling_id: UUID) -> dict[str, VerzuimGeclassificeerd]:
    """The last classification of every slot of a pupil, by slot id."""
    return {
        e.slot_id: e
        for e in per_slot(events)
        if isinstance(e, VerzuimGeclassificeerd) and e.leerling_id == leerling_id
    }


def _telt(slots: dict[str, VerzuimGeclassificeerd]) -> int:
    """The D3 minutes that count toward 16 hours: ongeoorloofd on a counting day."""
    return sum(
        s.minuten for s in slots.values() if s.status == "ongeoorloofd" and s.telt
    )


async def _slots_op_topic(
    dienst: Dienst, leerling_id: UUID, aantal: int
) -> dict[str, VerzuimGeclassificeerd]:
    return await dienst.wacht_op(
        lambda events: (
            (slots := _laatste(events, leerling_id)) and len(slots) >= aantal and slots
        )
    )


async def test_s01_vo_exactly_16_lesuren(dienst: Dienst) -> None:
    leerling = await dienst.leerling(dienst.school_a, geboortedatum="2011-03-10")

    dienst.zet_klok(date(2025, 9, 17))
    for bron_id, dag, tot in (
        ("S01-1", "2025-09-15", 7),
        ("S01-2", "2025-09-16", 7),
        ("S01-3", "2025-09-17", 2),
    ):
        await dienst.afwezig(
            leerling, bron_id, datum=dag, lesuurVan=1, lesuurTot=tot, redenCode="A"
        )

    # UA with a code the school maps ongeoorloofd: no onbekend period (D14 step 2).
    slots = await _slots_op_topic(dienst, leerling, 16)
    assert len(slots) == 16
    assert {s.status for s in slots.values()} == {"ongeoorloofd"}
    # D3, VO: one hour per fully missed lesson of 50 minutes.
    assert {(s.minuten, s.gemiste_minuten, s.eenheid) for s in slots.values()} == {
        (60, 50, "lesuur")
    }
    assert _telt(slots) == 16 * 60


async def test_s02_po_15_and_a_half_klokuren_then_16(dienst: Dienst) -> None:
    leerling = await dienst.leerling(dienst.school_b, geboortedatum="2017-05-02")

    dienst.zet_klok(date(2025, 10, 9))
    for dag in ("2025-10-06", "2025-10-07", "2025-10-08"):
        await dienst.afwezig(leerling, f"S02-{dag}", datum=dag, redenCode="A")
    # Leaves 30 minutes early without permission: half a klokuur (D3, PO).
    vroeg = await dienst.afwezig(
        leerling,
        "S02-vroeg",
        van="2025-10-09T13:00:00",
        tot="2025-10-09T13:30:00",
        redenCode="A",
    )
    [dag] = vroeg["dagen"]
    assert [(s["lesuur"], s["gemisteMinuten"]) for s in dag["slots"]] == [(5, 30)]

    slots = await _slots_op_topic(dienst, leerling, 16)
    assert {s.eenheid for s in slots.values()} == {"klokuur"}
    assert _telt(slots) == 15 * 60 + 30

    # S02b: another half hour on 2025-11-03, after the herfstvakantie.
    dienst.zet_klok(date(2025, 11, 3))
    await dienst.afwezig(
        leerling,
        "S02b",
        van="2025-11-03T08:30:00+01:00",
        tot="2025-11-03T09:00:00+01:00",
        redenCode="A",
    )
    slots = await _slots_op_topic(dienst, leerling, 17)
    assert _telt(slots) == 16 * 60


async def test_s03_vo_window_across_a_vacation_and_days_that_do_not_count(
    dienst: Dienst,
) -> None:
    leerling = await dienst.leerling(dienst.school_a)

    dienst.zet_klok(date(2025, 11, 14))
    await dienst.afwezig(
        leerling, "S03-1", datum="2025-10-15", lesuurVan=1, lesuurTot=7, redenCode="A"
    )
    await dienst.afwezig(
        leerling, "S03-2", datum="2025-10-16", lesuurVan=1, lesuurTot=2, redenCode="A"
    )
    await dienst.afwezig(
        leerling, "S03-3", datum="2025-11-14", lesuurVan=1, lesuurTot=7, redenCode="A"
    )
    # Records on a vacation day and on the study day: registered, never counted.
    await dienst.afwezig(leerling, "S03-v", datum="2025-10-22", lesuurVan=1)
    await dienst.afwezig(leerling, "S03-s", datum="2025-11-12", lesuurVan=1)

    slots = await _slots_op_topic(dienst, leerling, 18)
    niet = {s.datum: s for s in slots.values() if not s.telt}
    assert set(niet) == {date(2025, 10, 22), date(2025, 11, 12)}
    assert _telt(slots) == 16 * 60
    via_api = await dienst.slots(leerling, "2025-10-22")
    assert via_api[("2025-10-22", 1)]["nietGeteld"] == "vakantie"
    assert via_api[("2025-10-22", 1)]["telt"] is False


async def test_s06_po_luxe_verzuim_after_denied_leave(dienst: Dienst) -> None:
    leerling = await dienst.leerling(dienst.school_b, geboortedatum="2018-06-01")

    dienst.zet_klok(_om("2026-01-12", "10:00"))
    aanvraag = await dienst.verzoek(
        "POST",
        "/verlofaanvragen",
        {
            "leerlingId": str(leerling),
            "soort": "vakantieverlof",
            "van": "2026-02-09",
            "tot": "2026-02-13",
            "ingediendOp": "2026-01-12",
            "werkgeversverklaring": False,
        },
        status=201,
    )
    verzoek = aanvraag.json()
    assert aanvraag.headers["Location"] == (
        f"/v1/verlofaanvragen/{verzoek['verlofaanvraagId']}"
    )
    # Cheap travel is never a ground; no employer statement: denied at once (head).
    assert (verzoek["uitkomst"], verzoek["reden"], verzoek["beslisser"]) == (
        "DENIED",
        "NO_LEGAL_GROUND",
        "HEAD",
    )
    assert verzoek["lesdagen"] == 5
    # D9: filed four weeks ahead is late; flagged, not the reason for the denial.
    assert verzoek["vlaggen"] == ["LATE_REQUEST"]

    # Who decided is the caller, never a name in the body.
    await dienst.verzoek(
        "POST",
        f"/verlofaanvragen/{verzoek['verlofaanvraagId']}/besluit",
        {"uitkomst": "DENIED", "toelichting": "Nee.", "door": "directeur"},
        status=400,
    )
    # The head confirms the decision; the caller is recorded as who decided.
    besluit = await dienst.verzoek(
        "POST",
        f"/verlofaanvragen/{verzoek['verlofaanvraagId']}/besluit",
        {
            "uitkomst": "DENIED",
            "reden": "NO_LEGAL_GROUND",
            "toelichting": "Goedkoper reizen is geen grond.",
        },
        status=200,
    )
    assert besluit.json()["beslotenDoor"].startswith("apikey:")

    dienst.zet_klok(_om("2026-02-13", "15:00"))
    for dag in range(9, 14):
        datum = f"2026-02-{dag:02d}"
        await dienst.afwezig(leerling, f"S06-{dag}", datum=datum, redenCode="L")

    slots = await _slots_op_topic(dienst, leerling, 25)
    # D14: no ground, so the school's mapping decides: ongeoorloofd, luxe (D18).
    assert {(s.status, s.luxe) for s in slots.values()} == {("ongeoorloofd", True)}
    assert _telt(slots) == 25 * 60
    events = await dienst.wacht_op(
        lambda evs: (
            sum(isinstance(e, VerlofBesloten) for e in evs) >= 2
            and sum(isinstance(e, RegistratieSignaal) for e in evs) >= 5
            and evs
        )
    )
    besluiten = [e for e in events if isinstance(e, VerlofBesloten)]
    assert {(b.besluit, b.reden, b.soort) for b in besluiten} == {
        ("DENIED", "NO_LEGAL_GROUND", "vakantieverlof")
    }
    signalen = [e for e in events if isinstance(e, RegistratieSignaal)]
    assert {s.soort for s in signalen} == {"afwezig_na_afgewezen_verlof"}
    assert {s.datum for s in signalen} == {date(2026, 2, d) for d in range(9, 14)}


async def test_s09_s10_s12_vakantieverlof_in_lesdagen(dienst: Dienst) -> None:
    leerling = await dienst.leerling(dienst.school_a)
    laat = await dienst.leerling(dienst.school_a)

    async def vraag(wie: UUID, van: str, tot: str, op: str) -> dict[str, Any]:
        antwoord = await dienst.verzoek(
            "POST",
            "/verlofaanvragen",
            {
                "leerlingId": str(wie),
                "soort": "vakantieverlof",
                "van": van,
                "tot": tot,
                "ingediendOp": op,
                "werkgeversverklaring": True,
            },
            status=201,
        )
        return dict(antwoord.json())

    # S10: overlaps the first two lesweken; S10b: only the third week.
    s10 = await vraag(leerling, "2025-09-08", "2025-09-19", "2025-07-07")
    assert (s10["uitkomst"], s10["reden"], s10["vlaggen"]) == (
        "DENIED",
        "FIRST_TWO_LESWEKEN",
        [],
    )
    s10b = await vraag(laat, "2025-09-15", "2025-09-19", "2025-07-07")
    assert (s10b["uitkomst"], s10b["vlaggen"]) == ("AWAITING_HEAD_DECISION", [])

    # S09: 11 lesdagen; no route to the LPA above 10 days of vakantieverlof.
    s09 = await vraag(leerling, "2026-06-01", "2026-06-15", "2026-03-30")
    assert (s09["lesdagen"], s09["uitkomst"], s09["reden"], s09["beslisser"]) == (
        11,
        "DENIED",
        "MAX_10_DAYS",
        "HEAD",
    )
    assert s09["vlaggen"] == []

    # S12: 8 lesdagen (two free days); a denial did not use the allowance (D11).
    s12 = await vraag(leerling, "2026-05-11", "2026-05-22", "2026-03-09")
    assert (s12["lesdagen"], s12["uitkomst"], s12["vlaggen"]) == (
        8,
        "AWAITING_HEAD_DECISION",
        [],
    )
    besloten = await dienst.verzoek(
        "POST",
        f"/verlofaanvragen/{s12['verlofaanvraagId']}/besluit",
        {"uitkomst": "GRANTED", "toelichting": "Eigen bedrijf, enige vakantie."},
        status=200,
    )
    assert (besloten.json()["uitkomst"], besloten.json()["beslisser"]) == (
        "GRANTED",
        "HEAD",
    )
    # A granted leave is a decision taken (R-VRL-GO-6): not decided again.
    await dienst.verzoek(
        "POST",
        f"/verlofaanvragen/{s12['verlofaanvraagId']}/besluit",
        {"uitkomst": "DENIED", "toelichting": "Toch niet."},
        status=409,
    )

    # S12b: filed three weeks ahead: flagged, still grantable.
    s12b = await vraag(laat, "2026-05-11", "2026-05-22", "2026-04-20")
    assert (s12b["uitkomst"], s12b["vlaggen"]) == (
        "AWAITING_HEAD_DECISION",
        ["LATE_REQUEST"],
    )

    # Absence on those lesdagen is geoorloofd under granted leave (D14 step 1).
    dienst.zet_klok(_om("2026-05-11", "09:00"))
    record = await dienst.afwezig(
        leerling, "S12-1", datum="2026-05-11", lesuurVan=1, lesuurTot=2
    )
    assert {
        (s["status"], s["grond"], s["artikel"]) for s in record["dagen"][0]["slots"]
    } == {("geoorloofd", "vakantieverlof", "Lpw art. 11(f), 13a")}
    gelezen = await dienst.verzoek(
        "GET", f"/verlofaanvragen/{s12['verlofaanvraagId']}", status=200
    )
    assert gelezen.json()["uitkomst"] == "GRANTED"
    events = await dienst.wacht_op(
        lambda evs: (
            any(isinstance(e, VerlofBesloten) and e.besluit == "GRANTED" for e in evs)
            and evs
        )
    )
    verleend = [
        e for e in events if isinstance(e, VerlofBesloten) and e.besluit == "GRANTED"
    ]
    assert [(e.van, e.tot, e.school_id) for e in verleend] == [
        (date(2026, 5, 11), date(2026, 5, 22), dienst.school_a)
    ]


async def test_s16_illness_reported_after_the_fact(dienst: Dienst) -> None:
    op_tijd = await dienst.leerling(dienst.school_b, geboortedatum="2019-06-01")
    te_laat = await dienst.leerling(dienst.school_b, geboortedatum="2019-06-01")

    dienst.zet_klok(_om("2025-11-03", "09:00"))
    for leerling in (op_tijd, te_laat):
        record = await dienst.afwezig(leerling, f"S16-{leerling}", datum="2025-11-03")
        # No code, no notice: onbekend until the D8 notice period has passed.
        assert {s["status"] for s in record["dagen"][0]["slots"]} == {"onbekend"}

    # S16a: the parent reports illness on day 2.
    dienst.zet_klok(_om("2025-11-04", "08:30"))
    afmelding = await dienst.verzoek(
        "POST",
        "/afmeldingen",
        {
            "leerlingId": str(op_tijd),
            "soort": "ziek",
            "van": "2025-11-03",
            "ontvangen": "2025-11-04T08:15:00+01:00",
        },
        status=201,
    )
    assert afmelding.json()["tijdig"] is True
    slots = await dienst.slots(op_tijd, "2025-11-03")
    assert {(s["status"], s["grond"]) for s in slots.values()} == {
        ("geoorloofd", "ziekte")
    }

    # S16b: through Wednesday still onbekend; from Thursday 00:00 ongeoorloofd.
    dienst.zet_klok(_om("2025-11-05", "23:00"))
    await asyncio.sleep(0.3)  # several rounds of the daily job
    slots = await dienst.slots(te_laat, "2025-11-03")
    assert {s["status"] for s in slots.values()} == {"onbekend"}
    dienst.zet_klok(_om("2025-11-06", "00:05"))

    async def ongeoorloofd() -> bool:
        slots = await dienst.slots(te_laat, "2025-11-03")
        return {s["status"] for s in slots.values()} == {"ongeoorloofd"}

    await wacht_tot(ongeoorloofd)  # the daily job, without any new fact

    dienst.zet_klok(_om("2025-11-06", "08:00"))
    laat = await dienst.verzoek(
        "POST",
        "/afmeldingen",
        {
            "leerlingId": str(te_laat),
            "soort": "ziek",
            "van": "2025-11-03",
            "tot": "2025-11-03",
            "ontvangen": "2025-11-06T07:55:00+01:00",
        },
        status=201,
    )
    assert laat.json()["tijdig"] is False
    # The late notice adds a flag; the status stays (R-VRL-ZIEK-2).
    slots = await dienst.slots(te_laat, "2025-11-03")
    assert {(s["status"], s["laatZiekgemeld"]) for s in slots.values()} == {
        ("ongeoorloofd", True)
    }

    events = await dienst.wacht_op(
        lambda evs: any(isinstance(e, RegistratieSignaal) for e in evs) and evs
    )
    assert [
        (s.leerling_id, s.soort, s.datum)
        for s in events
        if isinstance(s, RegistratieSignaal)
    ] == [(te_laat, "late_ziekmelding", date(2025, 11, 3))]
    stappen = [
        (e.status, e.ziek, e.laat_ziekgemeld)
        for e in per_slot(events)
        if isinstance(e, VerzuimGeclassificeerd) and e.leerling_id == te_laat
    ]
    assert stappen[:5] == [("onbekend", False, False)] * 5
    assert stappen[-5:] == [("ongeoorloofd", True, True)] * 5
    assert _telt(_laatste(events, te_laat)) == 5 * 60
    gezond = _laatste(events, op_tijd)
    assert {(s.status, s.ziek) for s in gezond.values()} == {("geoorloofd", True)}


async def test_s18_child_turns_5_mid_period(dienst: Dienst) -> None:
    leerling = await dienst.leerling(dienst.school_b, geboortedatum="2020-10-14")

    dienst.zet_klok(_om("2025-11-06", "15:00"))
    await dienst.afwezig(leerling, "S18-okt", van="2025-10-27", tot="2025-10-31")
    await dienst.afwezig(
        leerling, "S18-nov", van="2025-11-03", tot="2025-11-05", redenCode="A"
    )
    await dienst.afwezig(
        leerling, "S18-vroeg", datum="2025-11-06", lesuurVan=5, redenCode="A"
    )

    slots = await _slots_op_topic(dienst, leerling, 41)
    oktober = [s for s in slots.values() if s.datum.month == 10]
    assert len(oktober) == 25
    # Before leerplicht starts (first school day of November) nothing counts.
    assert {(s.telt, s.minuten) for s in oktober} == {(False, 0)}
    assert _telt(slots) == 16 * 60
    via_api = await dienst.slots(leerling, "2025-10-27")
    assert {s["nietGeteld"] for s in via_api.values()} == {"buiten_leerplicht"}
