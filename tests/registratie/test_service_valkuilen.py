"""Known traps of SIS data, through the HTTP API: time zones (T1, T2), re-sent records
(T3), lateness past the lesson (T4), order of arrival (T5, T9), concurrent writers
(T10).

Lessons are 50 minutes from 08:30 (VO school A); times are Europe/Amsterdam.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from contracts.registratie import VerzuimGeclassificeerd, VerzuimVervallen
from services.registratie.domain.verzuimdag import Verzuimdag, verzuimdag_id
from tests.registratie.service_dienst import AMSTERDAM, Dienst, per_slot

pytestmark = pytest.mark.broker


@pytest.fixture
async def dienst(broker: str, unique: str, tmp_path: Path) -> AsyncIterator[Dienst]:
    d = Dienst(broker, tmp_path, f"t{unique}.")
    await d.start(date(2025, 3, 31))
    await d.scholen()
    try:
        yield d
    finally:
        await d.stop()


@pytest.fixture(params=["Europe/Amsterdam", "UTC", "America/New_York"])
def proces_tz(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run with another process time zone; nothing may depend on it (T1)."""
    vorige = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    try:
        yield request.param
    finally:
        if vorige is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = vorige
        time.tzset()


def _om(dag: str, tijd: str) -> datetime:
    return datetime.fromisoformat(f"{dag}T{tijd}").replace(tzinfo=AMSTERDAM)


def _status(slots: dict[tuple[str, int], dict[str, Any]]) -> dict[Any, Any]:
    """What a slot holds, without which record happened to decide it."""
    return {
        sleutel: {k: v for k, v in slot.items() if k != "afwezigheidId"}
        for sleutel, slot in slots.items()
    }


async def test_t1_clock_change_inside_a_window(dienst: Dienst, proces_tz: str) -> None:
    leerling = await dienst.leerling(dienst.school_a)

    # 08:30 local on both days: UTC+1 before the Sunday, UTC+2 after it.
    for bron_id, van, tot in (
        ("R1", "2025-03-28T07:30:00Z", "2025-03-28T14:10:00Z"),
        ("R2", "2025-03-31T06:30:00Z", "2025-03-31T13:10:00Z"),
        ("R3", "2024-10-28T07:30:00Z", "2024-10-28T08:20:00Z"),
    ):
        await dienst.afwezig(leerling, bron_id, van=van, tot=tot, redenCode="A")

    slots = await dienst.slots(leerling, "2024-10-01", "2025-03-31")
    assert sorted(slots) == [("2024-10-28", 1)] + [
        (dag, lesuur) for dag in ("2025-03-28", "2025-03-31") for lesuur in range(1, 9)
    ]
    assert {(s["gemisteMinuten"], s["minuten"]) for s in slots.values()} == {(50, 60)}


async def test_t2_date_only_values_and_late_evening_utc(dienst: Dienst) -> None:
    leerling = await dienst.leerling(dienst.school_a)

    await dienst.afwezig(leerling, "R4", datum="2025-03-03", lesuurVan=1)
    # 23:30Z on Monday 13 January is 00:30 on Tuesday 14 January in Amsterdam.
    await dienst.afwezig(
        leerling, "R5", van="2025-01-13T23:30:00Z", tot="2025-01-14T08:20:00Z"
    )

    slots = await dienst.slots(leerling, "2025-01-01", "2025-03-31")
    assert sorted(slots) == [("2025-01-14", 1), ("2025-03-03", 1)]


async def test_t3_same_record_twice_then_an_edit_then_a_second_source(
    dienst: Dienst,
) -> None:
    leerling = await dienst.leerling(dienst.school_a)
    dienst.zet_klok(date(2025, 1, 14))
    r6 = {"datum": "2025-01-14", "lesuurVan": 1, "lesuurTot": 4, "redenCode": "A"}

    eerste = await dienst.verzoek(
        "POST", "/afwezigheden", {**_bron("R6", leerling), **r6}, status=201
    )
    opgeslagen = dienst.opgeslagen()
    # The client timed out and sends the same body again: nothing is stored.
    tweede = await dienst.verzoek(
        "POST", "/afwezigheden", {**_bron("R6", leerling), **r6}, status=200
    )
    assert dienst.opgeslagen() == opgeslagen
    assert tweede.headers["Location"] == eerste.headers["Location"]
    assert tweede.json() == eerste.json()
    afwezigheid_id = eerste.json()["afwezigheidId"]
    assert eerste.headers["Location"] == f"/v1/afwezigheden/{afwezigheid_id}"
    assert len(await dienst.slots(leerling, "2025-01-14")) == 4

    # The same record with lessons 1–5: a correction, 5 lesuren, never 9.
    correctie = await dienst.verzoek(
        "POST",
        "/afwezigheden",
        {**_bron("R6", leerling), **r6, "lesuurTot": 5},
        status=200,
    )
    assert correctie.headers["Location"] == eerste.headers["Location"]
    assert correctie.json()["versie"] == eerste.json()["versie"] + 1
    # A second source for lesson 5 of that day: still 5.
    await dienst.afwezig(
        leerling,
        "R6b",
        bron="magister",
        datum="2025-01-14",
        lesuurVan=5,
        redenCode="A",
    )
    slots = await dienst.slots(leerling, "2025-01-14")
    assert sorted(lesuur for _, lesuur in slots) == [1, 2, 3, 4, 5]
    assert sum(s["minuten"] for s in slots.values()) == 5 * 60

    events = await dienst.wacht_op(
        lambda evs: (
            (
                len(
                    {
                        e.lesuur
                        for e in per_slot(evs)
                        if isinstance(e, VerzuimGeclassificeerd)
                    }
                )
                >= 5
            )
            and evs
        )
    )
    laatste = {
        e.slot_id: e for e in per_slot(events) if isinstance(e, VerzuimGeclassificeerd)
    }
    # What analyse receives: five slots of one hour each, whatever the order.
    assert sorted(e.lesuur for e in laatste.values()) == [1, 2, 3, 4, 5]
    assert {e.minuten for e in laatste.values()} == {60}


def _bron(bron_id: str, leerling: UUID) -> dict[str, str]:
    return {"bron": "somtoday", "bronId": bron_id, "leerlingId": str(leerling)}


async def test_t4_lateness_in_minutes_bounded_by_the_lesson(dienst: Dienst) -> None:
    leerling = await dienst.leerling(dienst.school_a)
    po = await dienst.leerling(dienst.school_b, geboortedatum="2017-05-02")
    dienst.zet_klok(date(2025, 3, 21))

    # 20 minutes late for lesson 1: 20 minutes, neither a whole lesson nor zero.
    record = await dienst.afwezig(
        leerling, "T4-1", datum="2025-03-17", lesuurVan=1, soort="te_laat", minuten=20
    )
    [slot] = record["dagen"][0]["slots"]
    assert (slot["soort"], slot["gemisteMinuten"]) == ("teLaat", 20)
    # Sent as an SIS spells it, echoed as the HTTP contract does.
    assert record["registratie"]["soort"] == "teLaat"
    # D3: a partly missed VO lesson counts toward 16 hours only with a threshold.
    assert slot["minuten"] == 0

    # 60 minutes late for a single 50-minute lesson: refused, nothing stored.
    opgeslagen = dienst.opgeslagen()
    fout = await dienst.afwezig(
        leerling,
        "T4-2",
        status=400,
        datum="2025-03-17",
        lesuurVan=2,
        soort="te_laat",
        minuten=60,
    )
    assert [p["name"] for p in fout["invalidParams"]] == ["minuten"]
    assert dienst.opgeslagen() == opgeslagen

    # Arriving at 11:20 for the double lesson 10:10–11:50.
    dubbel = await dienst.afwezig(
        leerling,
        "T4-3",
        soort="te_laat",
        van="2025-03-18T10:10:00",
        tot="2025-03-18T11:20:00",
        lesuurVan=3,
        lesuurTot=4,
    )
    [dag] = dubbel["dagen"]
    assert [(s["lesuur"], s["gemisteMinuten"]) for s in dag["slots"]] == [
        (3, 50),
        (4, 20),
    ]

    # Three 20-minute late arrivals are 60 minutes of lateness, not three lesuren.
    for dag in ("2025-03-19", "2025-03-20", "2025-03-21"):
        await dienst.afwezig(
            po, f"T4-{dag}", datum=dag, lesuurVan=1, soort="te_laat", minuten=20
        )
    slots = await dienst.slots(po, "2025-03-19", "2025-03-21")
    assert [s["gemisteMinuten"] for s in slots.values()] == [20, 20, 20]
    assert sum(s["minuten"] for s in slots.values()) == 60  # PO: klokuren (D3)


async def test_t5_overlapping_records_in_any_order(dienst: Dienst) -> None:
    eerst_docent = await dienst.leerling(dienst.school_a)
    eerst_balie = await dienst.leerling(dienst.school_a)
    dienst.zet_klok(_om("2025-03-17", "12:00"))
    docent = {"bron": "docent", "datum": "2025-03-17", "lesuurVan": 1, "lesuurTot": 3}
    balie = {"bron": "balie", "datum": "2025-03-17", "lesuurVan": 2, "lesuurTot": 5}

    for leerling, volgorde in (
        (eerst_docent, (docent, balie)),
        (eerst_balie, (balie, docent)),
    ):
        for i, record in enumerate(volgorde):
            await dienst.afwezig(leerling, f"R{14 + i}", redenCode="A", **record)
        slots = await dienst.slots(leerling, "2025-03-17")
        # One slot holds one status: 5 lesuren, not 7.
        assert sorted(lesuur for _, lesuur in slots) == [1, 2, 3, 4, 5]
        assert sum(s["minuten"] for s in slots.values()) == 5 * 60

    for leerling in (eerst_docent, eerst_balie):
        await dienst.verzoek(
            "POST",
            "/afmeldingen",
            {
                "leerlingId": str(leerling),
                "soort": "ziek",
                "van": "2025-03-17",
                "tot": "2025-03-17",
                "ontvangen": "2025-03-17T07:30:00+01:00",
            },
            status=201,
        )
    een = await dienst.slots(eerst_docent, "2025-03-17")
    ander = await dienst.slots(eerst_balie, "2025-03-17")
    assert {s["status"] for s in een.values()} == {"geoorloofd"}  # 0 U
    assert _status(een) == _status(ander)


async def test_t9_notice_already_on_file_or_after_the_fact(dienst: Dienst) -> None:
    melding_eerst = await dienst.leerling(dienst.school_a)
    docent_eerst = await dienst.leerling(dienst.school_a)

    def ziek(leerling: UUID, om: str) -> dict[str, Any]:
        return {
            "leerlingId": str(leerling),
            "soort": "ziek",
            "van": "2025-03-17",
            "tot": "2025-03-17",
            "ontvangen": f"2025-03-17T{om}:00+01:00",
        }

    dienst.zet_klok(_om("2025-03-17", "07:45"))
    await dienst.verzoek("POST", "/afmeldingen", ziek(melding_eerst, "07:45"), 201)
    dienst.zet_klok(_om("2025-03-17", "08:40"))
    for leerling in (melding_eerst, docent_eerst):
        await dienst.afwezig(
            leerling, f"T9-{leerling}", datum="2025-03-17", lesuurVan=1
        )
    dienst.zet_klok(_om("2025-03-17", "09:30"))
    await dienst.verzoek("POST", "/afmeldingen", ziek(docent_eerst, "09:30"), 201)

    een = await dienst.slots(melding_eerst, "2025-03-17")
    ander = await dienst.slots(docent_eerst, "2025-03-17")
    assert {(s["status"], s["grond"]) for s in een.values()} == {
        ("geoorloofd", "ziekte")
    }
    assert _status(een) == _status(ander)

    # What was published early for the second pupil is followed by the correction.
    events = await dienst.wacht_op(
        lambda evs: (
            (
                len([e for e in per_slot(evs) if isinstance(e, VerzuimGeclassificeerd)])
                >= 3
            )
            and evs
        )
    )
    stappen = {
        leerling: [
            e.status
            for e in per_slot(events)
            if isinstance(e, VerzuimGeclassificeerd) and e.leerling_id == leerling
        ]
        for leerling in (melding_eerst, docent_eerst)
    }
    assert stappen == {
        melding_eerst: ["geoorloofd"],
        docent_eerst: ["onbekend", "geoorloofd"],
    }


async def test_t10_two_writes_for_one_pupil_at_the_same_moment(dienst: Dienst) -> None:
    leerling = await dienst.leerling(dienst.school_a)
    dienst.zet_klok(date(2025, 3, 17))

    antwoorden = await asyncio.gather(
        *(
            dienst.verzoek(
                "POST",
                "/afwezigheden",
                {**_bron(bron_id, leerling), "datum": "2025-03-17", **lessen},
            )
            for bron_id, lessen in (
                ("T10-a", {"lesuurVan": 1, "lesuurTot": 2}),
                ("T10-b", {"lesuurVan": 3, "lesuurTot": 5}),
            )
        )
    )

    # No request is told "stored" unless it was: both were, and both count.
    assert [a.status_code for a in antwoorden] == [201, 201]
    slots = await dienst.slots(leerling, "2025-03-17")
    assert sorted(lesuur for _, lesuur in slots) == [1, 2, 3, 4, 5]
    dag = await asyncio.to_thread(
        dienst.app.aggregaat, verzuimdag_id(leerling, date(2025, 3, 17)), Verzuimdag
    )
    assert dag is not None
    versies = [
        e.originator_version
        for e in dienst.app.events.get(dag.id)  # the pupil-day's own history
    ]
    assert versies == list(range(1, len(versies) + 1))
    events = await dienst.wacht_op(
        lambda evs: (
            len([e for e in per_slot(evs) if isinstance(e, VerzuimGeclassificeerd)])
            >= 5
            and evs
        )
    )
    assert not [e for e in per_slot(events) if isinstance(e, VerzuimVervallen)]
