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
from contracts.registratie import VerzuimGeclassificeerd, VerzuimVervallen

PUPIL = uuid.UUID("00000000-0000-4000-8000-000000000001")
SCHOOL = uuid.UUID("00000000-0000-4000-8000-000000000002")
NU = datetime(2025, 3, 4, 9, 30, tzinfo=UTC)


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


def _geclassificeerd() -> VerzuimGeclassificeerd:
    return VerzuimGeclassificeerd(
        leerling_id=PUPIL,
        school_id=SCHOOL,
        slot_id="s2",
        datum=date(2025, 3, 4),
        lesuur=2,
        status="ongeoorloofd",
        soort="afwezig",
        minuten=60,
        gemiste_minuten=50,
        eenheid="lesuur",
    )


def test_the_type_header_shortcut_gives_what_the_long_way_gives():
    raw = encode(wrap(_geclassificeerd(), event_id="e2", sequence=9, time=NU))
    kind = VerzuimGeclassificeerd.event_type()

    envelope, event = decode(raw, kind)
    lang_envelope, lang = decode(raw)

    assert event == lang == _geclassificeerd()
    assert envelope.data is event  # validated once, straight from the JSON
    for veld in ("id", "source", "type", "time", "sequence", "partitionkey"):
        assert getattr(envelope, veld) == getattr(lang_envelope, veld)


def test_a_type_header_that_lies_is_not_believed():
    raw = encode(wrap(vervallen(), event_id="e1", sequence=1, time=NU))
    _, event = decode(raw, VerzuimGeclassificeerd.event_type())
    assert event == vervallen()
    _, event = decode(raw, "nl.verzuimketen.x.Onbekend.v1")
    assert event == vervallen()


def test_with_the_type_header_bad_data_and_keys_are_still_contract_errors():
    kind = VerzuimVervallen.event_type()
    envelope = wrap(vervallen(), event_id="e1", sequence=1, time=NU)
    kapot = envelope.model_copy(update={"data": {**envelope.data, "datum": "gisteren"}})
    with pytest.raises(ContractError, match="invalid"):
        decode(encode(kapot), kind)
    vreemd = envelope.model_copy(update={"partitionkey": str(SCHOOL)})
    with pytest.raises(ContractError, match="partitionkey"):
        decode(encode(vreemd), kind)


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
