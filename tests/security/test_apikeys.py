"""API keys: created once, stored as a hash, verified fast, revoked for good."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from plumbing.security._database import Database
from plumbing.security.apikeys import ApiKeyStore, main, split_key
from plumbing.security.callers import CallerKind, Rol
from plumbing.security.settings import SecuritySettings

SCHOOL_A = "3a0ea69e-a83b-5a39-80ee-ab1a5dd64851"
SCHOOL_B = "c77b88cd-bd0b-5db1-b131-44c90f1107f2"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(tmp_path: Path, clock: FakeClock) -> ApiKeyStore:
    database = Database(sqlite_path=tmp_path / "apikeys.sqlite")
    return ApiKeyStore(database, b"pepper", cache_seconds=30, clock=clock)


def test_a_created_key_verifies_to_a_system_caller(store: ApiKeyStore) -> None:
    key, text = store.create(
        "SIS Somtoday", "bestuur-1", ["school-a", "school-b"], [Rol.SIS]
    )

    caller = store.verify(text)

    assert caller is not None
    assert caller.id == f"apikey:{key.key_id}"
    assert caller.kind is CallerKind.SYSTEEM
    assert caller.bestuur == "bestuur-1"
    assert caller.scholen == {"school-a", "school-b"}
    assert caller.rollen == {Rol.SIS}
    assert caller.may_access_school("school-a")
    assert not caller.may_access_school("school-c")


@pytest.mark.parametrize(
    "tamper",
    [
        pytest.param(
            lambda text: text[:-1] + ("A" if text[-1] != "A" else "B"), id="secret"
        ),
        pytest.param(lambda text: text.replace("vk_", "xk_"), id="prefix"),
        pytest.param(
            lambda text: "vk_0123456789abcdef_" + text.split("_", 2)[2], id="key-id"
        ),
        pytest.param(lambda text: text.rsplit("_", 1)[0] + "_", id="empty-secret"),
        pytest.param(lambda text: "", id="empty"),
        pytest.param(lambda text: text + "x" * 200, id="too-long"),
    ],
)
def test_a_wrong_key_is_refused(store: ApiKeyStore, tamper) -> None:
    _, text = store.create("SIS", "bestuur-1", ["school-a"], [Rol.SIS])
    assert store.verify(text) is not None

    assert store.verify(tamper(text)) is None


def test_a_key_from_another_pepper_is_refused(tmp_path: Path) -> None:
    database = Database(sqlite_path=tmp_path / "k.sqlite")
    _, text = ApiKeyStore(database, b"pepper-one").create("SIS", "b", [], [Rol.SIS])

    assert ApiKeyStore(database, b"pepper-two").verify(text) is None


def test_the_secret_is_not_stored(store: ApiKeyStore, tmp_path: Path) -> None:
    _, text = store.create("SIS", "bestuur-1", ["school-a"], [Rol.SIS])
    secret = split_key(text)
    assert secret is not None

    stored = b"".join(
        path.read_bytes() for path in tmp_path.iterdir() if path.is_file()
    )

    assert secret[1].encode() not in stored
    assert text.encode() not in stored
    assert secret[0].encode() in stored  # the key id is public


def test_a_revoked_key_is_refused_at_once_even_when_cached(store: ApiKeyStore) -> None:
    key, text = store.create("SIS", "bestuur-1", ["school-a"], [Rol.SIS])
    assert store.verify(text) is not None

    assert store.revoke(key.key_id)

    assert store.verify(text) is None
    assert store.cached(text) is None
    assert not store.revoke(key.key_id)
    assert not store.revoke("0000000000000000")


def test_verified_keys_are_cached_until_the_cache_time_ends(
    store: ApiKeyStore, tmp_path: Path, clock: FakeClock
) -> None:
    key, text = store.create("SIS", "bestuur-1", ["school-a"], [Rol.SIS])
    assert store.cached(text) is None
    assert store.verify(text) is not None
    # Another process revokes the key: this one trusts its cache for a while.
    with sqlite3.connect(tmp_path / "apikeys.sqlite") as conn:
        conn.execute("UPDATE api_keys SET ingetrokken = '2025-01-01T00:00:00+00:00'")

    clock.now += 29
    assert store.cached(text) is not None
    assert store.verify(text) is not None

    clock.now += 2
    assert store.cached(text) is None
    assert store.verify(text) is None


def test_the_cache_checks_the_secret_too(store: ApiKeyStore) -> None:
    _, text = store.create("SIS", "bestuur-1", ["school-a"], [Rol.SIS])
    assert store.verify(text) is not None

    forged = text[:-4] + "AAAA" if not text.endswith("AAAA") else text[:-4] + "BBBB"

    assert store.cached(forged) is None
    assert store.verify(forged) is None


def test_list_shows_keys_without_secrets(store: ApiKeyStore) -> None:
    first, _ = store.create("SIS", "bestuur-1", ["school-a"], [Rol.SIS])
    second, _ = store.create("Beheer", "bestuur-1", [], [Rol.BEHEER])
    store.revoke(first.key_id)

    keys = {key.key_id: key for key in store.list()}

    assert set(keys) == {first.key_id, second.key_id}
    assert keys[first.key_id].ingetrokken is not None
    assert keys[second.key_id].ingetrokken is None
    assert keys[second.key_id].rollen == {Rol.BEHEER}


def test_cli_creates_lists_and_revokes(
    store: ApiKeyStore, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "create",
            "--naam",
            "SIS Magister",
            "--bestuur",
            "bestuur-9",
            "--scholen",
            f"{SCHOOL_A}, {SCHOOL_B}",
            "--rollen",
            "sis,beheer",
        ],
        store=store,
    )
    output = capsys.readouterr().out
    text = next(word for word in output.split() if word.startswith("vk_"))
    caller = store.verify(text)

    assert code == 0
    assert caller is not None
    assert caller.scholen == {SCHOOL_A, SCHOOL_B}
    assert caller.rollen == {Rol.SIS, Rol.BEHEER}

    key_id = split_key(text)[0]  # type: ignore[index]
    assert main(["list"], store=store) == 0
    listing = capsys.readouterr().out
    assert key_id in listing and "SIS Magister" in listing
    assert split_key(text)[1] not in listing  # type: ignore[index]

    assert main(["revoke", key_id], store=store) == 0
    assert store.verify(text) is None
    assert main(["revoke", key_id], store=store) == 1


def test_cli_refuses_a_school_that_is_no_school_id(
    store: ApiKeyStore, capsys: pytest.CaptureFixture[str]
) -> None:
    # A BRIN code would bind the key to no school at all.
    with pytest.raises(SystemExit):
        main(
            ["create", "--naam", "x", "--bestuur", "b", "--scholen", "07NU00",
             "--rollen", "sis"],
            store=store,
        )  # fmt: skip

    assert "school ids" in capsys.readouterr().err
    assert store.list() == []


def test_cli_refuses_an_unknown_role(store: ApiKeyStore) -> None:
    with pytest.raises(SystemExit):
        main(
            ["create", "--naam", "x", "--bestuur", "b", "--rollen", "directeur"],
            store=store,
        )


def test_cli_runs_as_a_module(tmp_path: Path) -> None:
    env = {**os.environ, "VERZUIM_DATA_DIR": str(tmp_path), "VERZUIM_STORE": "sqlite"}
    command = [sys.executable, "-m", "plumbing.security.apikeys"]

    created = subprocess.run(
        [*command, "create", "--naam", "SIS", "--bestuur", "b1", "--scholen", SCHOOL_A,
         "--rollen", "sis"],
        env=env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    text = next(word for word in created.stdout.split() if word.startswith("vk_"))
    settings = SecuritySettings(verzuim_data_dir=tmp_path, verzuim_store="sqlite")

    assert ApiKeyStore.from_settings(settings).verify(text) is not None
    assert (tmp_path / "apikeys.sqlite").exists()


@pytest.mark.postgres
def test_keys_work_on_postgresql(postgres_schema: str) -> None:
    dsn = "host=127.0.0.1 port=5432 dbname=test user=postgres"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{postgres_schema}"')
    database = Database(postgres_dsn=dsn, schema=postgres_schema)
    store = ApiKeyStore(database, b"pepper")
    try:
        key, text = store.create("SIS", "bestuur-1", ["school-a"], [Rol.SIS])

        assert store.verify(text) is not None
        assert [listed.key_id for listed in store.list()] == [key.key_id]
        assert store.revoke(key.key_id)
        assert store.verify(text) is None
    finally:
        store.close()
