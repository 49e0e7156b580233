"""The event stores: SQLite and PostgreSQL, tracking rows, encryption at rest."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import psycopg
import pytest
from eventsourcing.cipher import AESCipher
from eventsourcing.persistence import IntegrityError, Tracking

from plumbing.security.settings import SecuritySettings
from plumbing.settings import PlatformSettings
from plumbing.store import StoreUnreachable, store_env
from tests.conftest import POSTGRES_DSN
from tests.platform.toy import Bron, Teller

PUPIL = uuid.UUID(int=42)


def sqlite_settings(tmp_path: Path, **extra) -> PlatformSettings:
    return PlatformSettings(verzuim_data_dir=tmp_path, **extra)


def postgres_settings(**extra) -> PlatformSettings:
    return PlatformSettings(verzuim_store="postgres", **extra)


@pytest.fixture(params=["sqlite", "postgres"])
def bron(request, tmp_path, postgres_schema):
    if request.param == "sqlite":
        env = store_env("bron", sqlite_settings(tmp_path))
    else:
        env = store_env(postgres_schema, postgres_settings())
    app = Bron(env=env)
    yield app
    app.close()


def test_saves_events_with_several_tracking_rows_in_one_transaction(bron):
    teller = Teller(PUPIL)
    teller.tik(leerling_id=PUPIL, slot=0)

    bron.save_tracked(teller, trackings=[Tracking("a|1", 5), Tracking("a|2", 9)])

    assert bron.tracked_position("a|1") == 5
    assert bron.tracked_position("a|2") == 9
    assert bron.repository.get(teller.id).ticks == 1


def test_a_tracking_row_seen_before_rejects_the_whole_batch(bron):
    bron.save_tracked(trackings=[Tracking("a|1", 5)])
    teller = Teller(PUPIL)

    with pytest.raises(IntegrityError):
        bron.save_tracked(teller, trackings=[Tracking("a|2", 1), Tracking("a|1", 5)])

    assert bron.tracked_position("a|2") == 0
    assert bron.recorder.max_notification_id() in (None, 0)


def test_a_save_answers_the_notification_ids_its_events_got(bron):
    bron.tik(uuid.UUID(int=1), 2)
    tellers = [Teller(uuid.UUID(int=i + 2)) for i in range(3)]
    for teller in tellers:
        teller.tik(leerling_id=teller.leerling_id, slot=0)

    recordings = bron.save(*tellers)

    stored = bron.recorder.select_notifications(start=1, limit=100)
    by_event = {(n.originator_id, n.originator_version): n.id for n in stored}
    assert [r.notification.id for r in recordings] == [
        by_event[(r.domain_event.originator_id, r.domain_event.originator_version)]
        for r in recordings
    ]
    assert len({r.notification.id for r in recordings}) == 6


def test_counts_notifications_with_gaps(bron):
    for i in range(3):
        bron.tik(uuid.UUID(int=i + 1), 2)
    top = bron.recorder.max_notification_id()
    assert bron.count_notifications(top) == 9


def test_encrypted_sqlite_store_holds_no_readable_payload(tmp_path):
    key = AESCipher.create_key(32)
    env = store_env("bron", sqlite_settings(tmp_path, verzuim_cipher_key=key))
    app = Bron(env=env)
    marker = uuid.UUID("12345678-1234-4234-8234-123456789abc")
    app.tik(marker, 1)
    app.close()

    raw = Path(env["SQLITE_DBNAME"]).read_bytes()
    assert marker.hex.encode() not in raw.replace(
        sqlite3.connect(env["SQLITE_DBNAME"])
        .execute("select group_concat(originator_id, '') from stored_events")
        .fetchone()[0]
        .encode(),
        b"",
    )
    assert str(marker).encode() not in raw
    assert b"Getikt" in raw  # topics stay readable; payloads do not


def test_encrypted_postgres_store_holds_no_readable_payload(postgres_schema):
    key = AESCipher.create_key(32)
    env = store_env(postgres_schema, postgres_settings(verzuim_cipher_key=key))
    app = Bron(env=env)
    app.tik(PUPIL, 1)
    app.close()

    with psycopg.connect(POSTGRES_DSN) as conn:
        rows = conn.execute(
            f'SELECT state FROM "{postgres_schema}".bron_events'
        ).fetchall()
    assert rows
    for (state,) in rows:
        assert str(PUPIL).encode() not in bytes(state)
        assert PUPIL.hex.encode() not in bytes(state)


# -- encryption on by default ------------------------------------------------------


def _payloads(env: dict[str, str]) -> list[bytes]:
    conn = sqlite3.connect(env["SQLITE_DBNAME"])
    try:
        return [bytes(r[0]) for r in conn.execute("select state from stored_events")]
    finally:
        conn.close()


def test_without_a_configured_key_the_store_makes_one_and_finds_it_again(tmp_path):
    env = store_env("bron", sqlite_settings(tmp_path))
    app = Bron(env=env)
    app.tik(PUPIL, 2)
    app.close()

    sleutel = tmp_path / "secrets" / "store-cipher.key"
    assert env["CIPHER_KEY"] == sleutel.read_text().strip()
    assert sleutel.stat().st_mode & 0o077 == 0
    for state in _payloads(env):
        assert str(PUPIL).encode() not in state and b"leerling_id" not in state
    # A restart (or another service on the same data dir) uses the same key.
    again = Bron(env=store_env("bron", sqlite_settings(tmp_path)))
    try:
        assert again.repository.get(Teller.create_id(PUPIL)).ticks == 2
    finally:
        again.close()


def test_without_a_configured_key_postgres_is_encrypted_too(tmp_path, postgres_schema):
    env = store_env(postgres_schema, postgres_settings(verzuim_data_dir=tmp_path))
    app = Bron(env=env)
    app.tik(PUPIL, 1)
    app.close()

    assert env["CIPHER_KEY"] == store_env("x", sqlite_settings(tmp_path))["CIPHER_KEY"]
    with psycopg.connect(POSTGRES_DSN) as conn:
        rows = conn.execute(
            f'SELECT state FROM "{postgres_schema}".bron_events'
        ).fetchall()
    assert rows
    for (state,) in rows:
        assert b"leerling_id" not in bytes(state)


def test_configuring_a_key_later_keeps_the_local_one_for_reading(tmp_path):
    before = Bron(env=store_env("bron", sqlite_settings(tmp_path)))
    before.tik(PUPIL, 1)
    before.close()

    key = AESCipher.create_key(32)
    env = store_env("bron", sqlite_settings(tmp_path, verzuim_cipher_key=key))
    after = Bron(env=env)
    try:
        after.tik(PUPIL, 1)
        assert after.repository.get(Teller.create_id(PUPIL)).ticks == 2
    finally:
        after.close()
    assert env["CIPHER_KEY"] == key
    # New events are written with the configured key alone.
    only_new = Bron(
        env={
            **env,
            "CIPHER_TOPIC": "eventsourcing.cipher:AESCipher",
            "CIPHER_OLD_KEYS": "",
        }
    )
    try:
        stored = only_new.recorder.select_events(Teller.create_id(PUPIL))
        only_new.mapper.to_domain_event(stored[-1])
        with pytest.raises(ValueError):
            only_new.mapper.to_domain_event(stored[0])
    finally:
        only_new.close()


def test_rotation_through_the_settings(tmp_path):
    old, new = AESCipher.create_key(32), AESCipher.create_key(32)
    first = Bron(
        env=store_env(
            "bron", SecuritySettings(verzuim_data_dir=tmp_path, verzuim_cipher_key=old)
        )
    )
    first.tik(PUPIL, 1)
    first.close()

    rotated = SecuritySettings(
        verzuim_data_dir=tmp_path,
        verzuim_cipher_key=new,
        verzuim_cipher_old_keys=f"{old}, ",
    )
    app = Bron(env=store_env("bron", rotated))
    try:
        app.tik(PUPIL, 1)
        assert app.repository.get(Teller.create_id(PUPIL)).ticks == 2
    finally:
        app.close()
    assert not (tmp_path / "secrets").exists()  # a configured key makes no file


def test_a_missing_postgres_database_is_named_with_what_to_do() -> None:
    settings = postgres_settings(postgres_dbname=f"ontbreekt_{uuid.uuid4().hex[:8]}")

    with pytest.raises(StoreUnreachable) as fout:
        store_env("registratie", settings)

    assert settings.postgres_dbname in str(fout.value)
    assert "createdb" in str(fout.value)
