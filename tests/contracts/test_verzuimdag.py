"""`VerzuimdagBijgewerkt`: one message per pupil-day change, read as its slots."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from contracts.envelope import ContractError, decode, encode, wrap
from contracts.registratie import (
    VerzuimdagBijgewerkt,
    VerzuimGeclassificeerd,
    VerzuimVervallen,
)

PUPIL = uuid.UUID("00000000-0000-4000-8000-000000000011")
SCHOOL = uuid.UUID("00000000-0000-4000-8000-000000000012")
DAG = date(2025, 11, 18)


def _geclassificeerd(lesuur: int, **velden: Any) -> VerzuimGeclassificeerd:
    return VerzuimGeclassificeerd(
        leerling_id=PUPIL,
        school_id=SCHOOL,
        slot_id=f"{PUPIL}/{DAG}/{lesuur}",
        datum=DAG,
        lesuur=lesuur,
        status="ongeoorloofd",
        reden_code="A",
        soort="afwezig",
        minuten=60,  # D3: a whole VO lesson counts an hour
        gemiste_minuten=50,
        eenheid="lesuur",
        **velden,
    )


def _vervallen(lesuur: int) -> VerzuimVervallen:
    return VerzuimVervallen(
        leerling_id=PUPIL,
        school_id=SCHOOL,
        slot_id=f"{PUPIL}/{DAG}/{lesuur}",
        datum=DAG,
        lesuur=lesuur,
    )


def _bericht(data: dict[str, Any]) -> bytes:
    dag = VerzuimdagBijgewerkt.van_slots([_geclassificeerd(1)])
    envelope = wrap(dag, event_id="e1", sequence=3, time=datetime.now(UTC))
    return encode(envelope.model_copy(update={"data": {**envelope.data, **data}}))


def test_a_day_on_the_wire_reads_as_the_per_slot_events_it_replaces() -> None:
    slots = [
        _geclassificeerd(1, grond="ziekte", ziek=True),
        _geclassificeerd(2, laat_ziekgemeld=True, telt=False),
        _vervallen(3),
    ]
    dag = VerzuimdagBijgewerkt.van_slots(slots)

    envelope, gelezen = decode(
        encode(wrap(dag, event_id="e1", sequence=9, time=datetime.now(UTC)))
    )

    assert isinstance(gelezen, VerzuimdagBijgewerkt)
    assert envelope.partitionkey == str(PUPIL)
    assert gelezen.per_slot() == slots
    # Every field as a consumer reads it on the per-slot event, D3 minutes included.
    assert [s.model_dump() for s in gelezen.per_slot()] == [
        s.model_dump() for s in slots
    ]


def test_the_day_carries_its_pupil_school_date_and_unit_once() -> None:
    dag = VerzuimdagBijgewerkt.van_slots([_geclassificeerd(1), _geclassificeerd(2)])

    data = dag.model_dump(mode="json", by_alias=True, exclude_none=True)

    assert {k: data[k] for k in ("leerlingId", "schoolId", "datum", "eenheid")} == {
        "leerlingId": str(PUPIL),
        "schoolId": str(SCHOOL),
        "datum": "2025-11-18",
        "eenheid": "lesuur",
    }
    assert [
        set(s) & {"leerlingId", "schoolId", "datum", "eenheid"} for s in data["slots"]
    ] == [set(), set()]


@pytest.mark.parametrize(
    "data",
    [
        {"slots": []},
        {"slots": [{"slotId": "x", "lesuur": 1}]},
        {"slots": [{"wijziging": "vervallen", "slotId": "x", "status": "onbekend"}]},
        {"slots": [{"wijziging": "weg", "slotId": "x"}]},
        {
            "slots": [
                {
                    "wijziging": "geclassificeerd",
                    "slotId": "x",
                    "status": "ongeoorloofd",
                    "soort": "afwezig",
                    "minuten": 25 * 60,
                    "gemisteMinuten": 50,
                }
            ]
        },
    ],
    ids=["no-slots", "no-kind", "withdrawal-with-status", "unknown-kind", "too-long"],
)
def test_a_day_that_breaks_the_contract_is_a_contract_error(
    data: dict[str, Any],
) -> None:
    with pytest.raises(ContractError):
        decode(_bericht(data))


def test_slots_of_two_days_are_not_one_message() -> None:
    ander = _geclassificeerd(1).model_copy(update={"datum": date(2025, 11, 19)})

    with pytest.raises(ValueError, match="pupil-day"):
        VerzuimdagBijgewerkt.van_slots([_geclassificeerd(2), ander])
