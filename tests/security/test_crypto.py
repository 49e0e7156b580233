"""Personal data at rest: event cipher and its rotation, BSN hash, crypto-shredding."""

from __future__ import annotations

import base64
import hashlib
import sqlite3
from pathlib import Path
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.application import Application
from eventsourcing.cipher import AESCipher
from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import Environment

from plumbing.security._database import Database
from plumbing.security.crypto import (
    ONLEESBAAR,
    VERNIETIGD,
    BsnHasher,
    KeyRingCipher,
    Sleutelkluis,
    SleutelVernietigd,
    cipher_env,
    cipher_env_from_settings,
    generate_cipher_key,
)
from plumbing.security.settings import SecuritySettings

TEST_BSN = "123456782"  # constructed test value
OTHER_TEST_BSN = "999990019"


class Leerling(Aggregate):
    """A pupil whose personal fields arrive already encrypted."""

    @event("Ingeschreven")
    def __init__(self, pgn: str, achternaam: str, leerjaar: int) -> None:
        self.pgn = pgn
        self.achternaam = achternaam
        self.leerjaar = leerjaar


class Registratie(Application):
    pass


def registratie(path: Path, env: dict[str, str]) -> Registratie:
    return Registratie(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(path),
            **env,
        }
    )


def stored_bytes(directory: Path) -> bytes:
    return b"".join(path.read_bytes() for path in directory.iterdir() if path.is_file())


# -- (a) the event cipher --------------------------------------------------------------


def test_a_generated_key_is_256_bits() -> None:
    assert len(base64.b64decode(generate_cipher_key())) == 32


def test_events_are_stored_encrypted(tmp_path: Path) -> None:
    app = registratie(tmp_path / "r.sqlite", cipher_env(generate_cipher_key()))
    leerling = Leerling(pgn=TEST_BSN, achternaam="Testerink", leerjaar=3)
    app.save(leerling)

    assert app.repository.get(leerling.id).achternaam == "Testerink"
    assert b"Testerink" not in stored_bytes(tmp_path)
    assert TEST_BSN.encode() not in stored_bytes(tmp_path)


def test_the_settings_name_eventsourcings_variables() -> None:
    key = generate_cipher_key()
    settings = SecuritySettings(verzuim_cipher_key=key)

    assert cipher_env_from_settings(settings) == {
        "CIPHER_TOPIC": "plumbing.security.crypto:KeyRingCipher",
        "CIPHER_KEY": key,
        "COMPRESSOR_TOPIC": "plumbing.compression:ThresholdZlibCompressor",
    }
    assert cipher_env_from_settings(SecuritySettings(verzuim_cipher_key=None)) == {}


def test_rotation_reads_old_events_and_writes_with_the_new_key(tmp_path: Path) -> None:
    old_key, new_key = generate_cipher_key(), generate_cipher_key()
    path = tmp_path / "r.sqlite"
    before = Leerling(pgn="p-1", achternaam="Voor", leerjaar=1)
    old_app = registratie(path, cipher_env(old_key))
    old_app.save(before)

    # With only the new key, the old events are lost: that is why the ring exists.
    new_only = registratie(path, cipher_env(new_key))
    with pytest.raises(ValueError):
        new_only.repository.get(before.id)

    rotated = registratie(path, cipher_env(new_key, old_keys=[old_key]))
    after = Leerling(pgn="p-2", achternaam="Na", leerjaar=2)
    rotated.save(after)

    assert rotated.repository.get(before.id).achternaam == "Voor"
    assert rotated.repository.get(after.id).achternaam == "Na"
    # New events are written with the new key only.
    assert new_only.repository.get(after.id).achternaam == "Na"


def test_the_key_ring_reads_and_writes_the_format_of_the_librarys_cipher() -> None:
    key = generate_cipher_key()
    library = AESCipher(Environment(env={"CIPHER_KEY": key}))
    ring = KeyRingCipher(Environment(env={"CIPHER_KEY": key}))

    assert ring.decrypt(library.encrypt(b"van de bibliotheek")) == b"van de bibliotheek"
    assert library.decrypt(ring.encrypt(b"van de sleutelring")) == b"van de sleutelring"
    damaged = bytearray(ring.encrypt(b"x" * 40))
    damaged[-1] ^= 1
    with pytest.raises(ValueError):
        ring.decrypt(bytes(damaged))
    with pytest.raises(ValueError):
        ring.decrypt(b"short")


# -- (b) the keyed hash for BSN lookup -------------------------------------------------


def test_the_bsn_hash_is_keyed_and_normalised() -> None:
    hasher = BsnHasher(b"k" * 32)

    assert hasher.digest(TEST_BSN) == hasher.digest("1234.56.782")
    assert hasher.digest(TEST_BSN) == hasher.digest(" 123 45 6782 ")
    assert hasher.digest("12345678") == hasher.digest("012345678")
    assert hasher.digest(TEST_BSN) != hasher.digest(OTHER_TEST_BSN)
    assert hasher.digest(TEST_BSN) != BsnHasher(b"x" * 32).digest(TEST_BSN)
    assert hasher.digest(TEST_BSN) != hashlib.sha256(TEST_BSN.encode()).hexdigest()


def test_the_bsn_hash_key_comes_from_settings_or_a_local_secret(tmp_path: Path) -> None:
    configured = BsnHasher.from_settings(
        SecuritySettings(verzuim_data_dir=tmp_path, verzuim_bsn_hash_key="s" * 32)
    )
    local = SecuritySettings(verzuim_data_dir=tmp_path, verzuim_bsn_hash_key=None)

    assert configured.digest(TEST_BSN) == BsnHasher(b"s" * 32).digest(TEST_BSN)
    # Two processes of the embedded set-up share one local secret.
    assert BsnHasher.from_settings(local).digest(TEST_BSN) == BsnHasher.from_settings(
        local
    ).digest(TEST_BSN)
    assert (tmp_path / "secrets" / "bsn-hash.key").stat().st_mode & 0o077 == 0
    with pytest.raises(ValueError):
        BsnHasher(b"short")


# -- (c) crypto-shredding ------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def kluis(tmp_path: Path) -> Sleutelkluis:
    return Sleutelkluis(Database(sqlite_path=tmp_path / "kluis.sqlite"), b"m" * 32)


def test_fields_round_trip_and_are_unreadable_at_rest(
    kluis: Sleutelkluis, tmp_path: Path
) -> None:
    leerling = uuid4()

    token = kluis.versleutel(leerling, "Jansje Testerink")

    assert token is not None and token.startswith("pv1:")
    assert "Testerink" not in token
    assert kluis.ontsleutel(leerling, token) == "Jansje Testerink"
    assert kluis.versleutel(leerling, "Jansje Testerink") != token  # fresh nonce
    assert kluis.versleutel(leerling, None) is None
    assert kluis.ontsleutel(leerling, None) is None


def test_a_token_moved_to_another_pupil_does_not_decrypt(kluis: Sleutelkluis) -> None:
    anna, bram = uuid4(), uuid4()
    token = kluis.versleutel(anna, "2012-05-01")
    kluis.versleutel(bram, "x")

    assert kluis.ontsleutel(bram, token) == ONLEESBAAR
    assert kluis.ontsleutel(anna, token[:-3] + "AAA") == ONLEESBAAR
    assert kluis.ontsleutel(anna, "plain text") == ONLEESBAAR


def test_erasing_a_pupil_shreds_their_fields_and_keeps_the_counts(
    tmp_path: Path,
) -> None:
    kluis = Sleutelkluis(Database(sqlite_path=tmp_path / "kluis.sqlite"))
    app = registratie(tmp_path / "r.sqlite", {})
    anna, bram = uuid4(), uuid4()
    ids: dict[UUID, UUID] = {}
    for leerling_id, naam in ((anna, "Anna"), (bram, "Bram")):
        velden = kluis.versleutel_velden(
            leerling_id, {"pgn": TEST_BSN, "achternaam": naam, "leerjaar": 4}
        )
        aggregate = Leerling(**velden)
        app.save(aggregate)
        ids[leerling_id] = aggregate.id

    assert kluis.vernietig(anna)
    assert kluis.vernietig(anna) is False  # idempotent

    anna_now = app.repository.get(ids[anna])
    bram_now = app.repository.get(ids[bram])
    assert kluis.ontsleutel(anna, anna_now.achternaam) == VERNIETIGD
    assert kluis.ontsleutel(anna, anna_now.pgn) == VERNIETIGD
    assert anna_now.leerjaar == 4  # what is not personal stays
    assert kluis.ontsleutel_velden(
        bram, {"achternaam": bram_now.achternaam, "n": 1}
    ) == {
        "achternaam": "Bram",
        "n": 1,
    }
    assert len(app.recorder.select_notifications(start=1, limit=10)) == 2
    assert kluis.is_vernietigd(anna) and not kluis.is_vernietigd(bram)
    with pytest.raises(SleutelVernietigd):
        kluis.versleutel(anna, "nieuw")


def test_a_pupil_erased_before_any_data_gets_no_key_later(kluis: Sleutelkluis) -> None:
    leerling = uuid4()

    assert kluis.vernietig(leerling) is False

    with pytest.raises(SleutelVernietigd):
        kluis.versleutel(leerling, "x")


def test_other_processes_see_the_erasure_when_their_cache_expires(
    tmp_path: Path,
) -> None:
    clock = FakeClock()
    database = Database(sqlite_path=tmp_path / "kluis.sqlite")
    here = Sleutelkluis(database, cache_seconds=60, clock=clock)
    elsewhere = Sleutelkluis(database, cache_seconds=60, clock=clock)
    leerling = uuid4()
    token = here.versleutel(leerling, "Testerink")
    assert elsewhere.ontsleutel(leerling, token) == "Testerink"

    here.vernietig(leerling)

    assert here.ontsleutel(leerling, token) == VERNIETIGD
    clock.now += 61
    assert elsewhere.ontsleutel(leerling, token) == VERNIETIGD


def test_keys_are_wrapped_with_the_master_key(
    kluis: Sleutelkluis, tmp_path: Path
) -> None:
    leerling = uuid4()
    token = kluis.versleutel(leerling, "Testerink")
    with sqlite3.connect(tmp_path / "kluis.sqlite") as conn:
        (stored,) = conn.execute("SELECT sleutel FROM leerling_sleutels").fetchone()

    assert stored[:1] == b"\x01" and len(stored) > 32
    without_master = Sleutelkluis(Database(sqlite_path=tmp_path / "kluis.sqlite"))
    assert without_master.ontsleutel(leerling, token) == ONLEESBAAR


def test_keys_for_a_bulk_import_are_made_in_one_go(
    kluis: Sleutelkluis, tmp_path: Path
) -> None:
    erased, known = uuid4(), uuid4()
    known_token = kluis.versleutel(known, "bestaand")
    kluis.vernietig(erased)
    nieuw = [uuid4() for _ in range(600)]

    kluis.maak_sleutels([*nieuw, erased, known])

    with sqlite3.connect(tmp_path / "kluis.sqlite") as conn:
        (count,) = conn.execute("SELECT COUNT(*) FROM leerling_sleutels").fetchone()
    assert count == 602
    assert kluis.ontsleutel(known, known_token) == "bestaand"  # an existing key is kept
    assert kluis.ontsleutel(nieuw[0], kluis.versleutel(nieuw[0], "x")) == "x"
    with pytest.raises(SleutelVernietigd):
        kluis.versleutel(erased, "x")


def test_keys_for_a_bulk_read_are_read_in_one_go(tmp_path: Path) -> None:
    database = Database(sqlite_path=tmp_path / "kluis.sqlite")
    writer = Sleutelkluis(database)
    pupils = [uuid4() for _ in range(700)]
    tokens = {p: writer.versleutel(p, f"tekst {p}") for p in pupils}
    writer.vernietig(pupils[0])
    reader = Sleutelkluis(database)  # another process: nothing cached

    reader.laad_sleutels(pupils)
    reader._database = None  # type: ignore[assignment]  # no query may follow

    assert reader.ontsleutel(pupils[0], tokens[pupils[0]]) == VERNIETIGD
    assert all(reader.ontsleutel(p, tokens[p]) == f"tekst {p}" for p in pupils[1:])


@pytest.mark.postgres
def test_the_vault_works_on_postgresql(postgres_schema: str) -> None:
    dsn = "host=127.0.0.1 port=5432 dbname=test user=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{postgres_schema}"')
    kluis = Sleutelkluis(Database(postgres_dsn=dsn, schema=postgres_schema), b"m" * 32)
    try:
        leerling = uuid4()
        token = kluis.versleutel(leerling, "Testerink")
        assert kluis.ontsleutel(leerling, token) == "Testerink"

        kluis.vernietig(leerling)
        kluis.maak_sleutels([uuid4(), uuid4(), leerling])

        assert kluis.ontsleutel(leerling, token) == VERNIETIGD
    finally:
        kluis.close()
