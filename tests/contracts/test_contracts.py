"""The shared contracts: envelope round trip, rejection of bad messages, AsyncAPI."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

import contracts
from contracts.asyncapi import DOCUMENT, render
from contracts.common import VersleuteldPgn
from contracts.envelope import ContractError, decode, encode, wrap
from contracts.pgn import PgnSleutelFout, nieuwe_sleutel, ontsleutel, versleutel
from contracts.registratie import VerzuimVervallen

PUPIL = uuid.UUID("00000000-0000-4000-8000-000000000001")
SCHOOL = uuid.UUID("00000000-0000-4000-8000-000000000002")


def vervallen() -> VerzuimVervallen:
    return VerzuimVervallen(
        leerling_id=PUPIL, school_id=SCHOOL, slot_id="s1", datum=date(2025, 3, 3)
    )


def test_envelope_round_trip_keeps_event_and_key():
    envelope = wrap(vervallen(), event_id="e1", sequence=7, time=datetime.now(UTC))

    parsed_envelope, parsed = decode(encode(envelope))

    assert parsed == vervallen()
    assert parsed_envelope.partitionkey == str(PUPIL)
    assert parsed_envelope.sequence == "7"
    assert parsed_envelope.specversion == "1.0"
    assert b'"datum":"2025-03-03"' in encode(envelope)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        b"{not json",
        b'{"specversion": "1.0"}',
        b'{"specversion":"1.0","id":"x","source":"s","type":"nl.verzuimketen.x.Y.v1",'
        b'"time":"2025-01-01T00:00:00Z","sequence":"1","partitionkey":"k","data":{}}',
    ],
    ids=["no-value", "not-json", "no-fields", "unknown-type"],
)
def test_bad_messages_are_contract_errors(raw):
    with pytest.raises(ContractError):
        decode(raw)


def test_event_data_that_breaks_the_model_is_a_contract_error():
    envelope = wrap(vervallen(), event_id="e1", sequence=1, time=datetime.now(UTC))
    data = {**envelope.data, "datum": "gisteren"}
    broken = envelope.model_copy(update={"data": data})
    with pytest.raises(ContractError):
        decode(encode(broken))


def test_pgn_travels_encrypted_and_only_the_key_opens_it():
    key = nieuwe_sleutel()
    sealed = versleutel("111222333", "bsn", key)

    assert "111222333" not in sealed.model_dump_json()
    assert ontsleutel(sealed, key) == "111222333"
    with pytest.raises(PgnSleutelFout):
        ontsleutel(sealed, nieuwe_sleutel())
    with pytest.raises(PgnSleutelFout):
        ontsleutel(VersleuteldPgn(soort="bsn", versleuteld=sealed.versleuteld), "eA==")


def test_every_event_type_is_registered_once_with_a_versioned_name():
    types = contracts.registered_types()
    assert len(types) >= 15
    for name in types:
        assert name.startswith("nl.verzuimketen.") and name.endswith(".v1")


def test_checked_in_asyncapi_document_is_current():
    assert DOCUMENT.read_text() == render(), (
        "contracts/asyncapi.yaml is stale: run python -m contracts.asyncapi"
    )
