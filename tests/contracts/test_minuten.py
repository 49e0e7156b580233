"""Minute counts in events are bounded: a consumer never takes a negative or an
absurd count as a fact."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from contracts.analyse import MeldplichtVastgesteld
from contracts.common import SlotVerwijzing
from contracts.envelope import ContractError, ContractEvent, decode, encode, wrap
from contracts.registratie import VerzuimGeclassificeerd

PUPIL = uuid.UUID("00000000-0000-4000-8000-000000000001")
SCHOOL = uuid.UUID("00000000-0000-4000-8000-000000000002")
DUTY = uuid.UUID("00000000-0000-4000-8000-000000000003")


def _slot(**velden: Any) -> VerzuimGeclassificeerd:
    return VerzuimGeclassificeerd(
        leerling_id=PUPIL,
        school_id=SCHOOL,
        slot_id="s1",
        datum=date(2025, 11, 18),
        lesuur=1,
        status="ongeoorloofd",
        soort="afwezig",
        minuten=velden.get("minuten", 60),
        gemiste_minuten=velden.get("gemiste_minuten", 50),
        eenheid="lesuur",
    )


def _meldplicht(minuten: int, slotminuten: int = 60) -> MeldplichtVastgesteld:
    return MeldplichtVastgesteld(
        meldplicht_id=DUTY,
        leerling_id=PUPIL,
        school_id=SCHOOL,
        verzuimsoort="V3",
        begindatum=date(2025, 11, 3),
        minuten=minuten,
        slots=[
            SlotVerwijzing(slot_id="s1", datum=date(2025, 11, 3), minuten=slotminuten)
        ],
        verzuimdagen=[],
        toelichting="16 uur in 4 lesweken",
    )


def _met_data(event: ContractEvent, **data: Any) -> bytes:
    envelope = wrap(event, event_id="e1", sequence=1, time=datetime.now(UTC))
    kapot = envelope.model_copy(update={"data": {**envelope.data, **data}})
    return encode(kapot)


@pytest.mark.parametrize(
    "data",
    [
        {"minuten": -100000},
        {"minuten": -1},
        {"gemisteMinuten": -50},
        {"minuten": 24 * 60 + 1},
        {"gemisteMinuten": 10**9},
    ],
)
def test_a_slot_with_impossible_minutes_is_a_contract_error(
    data: dict[str, int],
) -> None:
    with pytest.raises(ContractError):
        decode(_met_data(_slot(), **data))


@pytest.mark.parametrize(
    "data",
    [
        {"minuten": -100000},
        {"minuten": 10**12},
        {"slots": [{"slotId": "s1", "datum": "2025-11-03", "minuten": -5}]},
    ],
)
def test_a_duty_with_impossible_minutes_is_a_contract_error(
    data: dict[str, Any],
) -> None:
    with pytest.raises(ContractError):
        decode(_met_data(_meldplicht(960), **data))


def test_the_bounds_themselves_are_valid() -> None:
    for event in (
        _slot(minuten=0, gemiste_minuten=0),
        _slot(minuten=24 * 60, gemiste_minuten=24 * 60),
        _meldplicht(0, slotminuten=0),
        _meldplicht(10 * 366 * 24 * 60, slotminuten=24 * 60),
    ):
        _, gelezen = decode(_met_data(event))
        assert gelezen == event

    with pytest.raises(ValueError):
        _slot(minuten=-1)
