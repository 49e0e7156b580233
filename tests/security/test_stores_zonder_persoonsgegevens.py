"""No personal data at rest: the whole chain runs, then every byte of every store
is searched for the pupil's BSN and date of birth, a person's name and the
sick-reason texts.

The chain of `keten_met_persoonsgegevens` runs once on SQLite files and once on
PostgreSQL, until ketenkoppeling has filed the melding. Then the stores are read
raw: SQLite files (WAL included) and every table of every schema in PostgreSQL.
Every value is also searched after zlib decompression, so compression alone
cannot pass for encryption. All names, numbers and texts are made up.
"""

from __future__ import annotations

import contextlib
import sqlite3
import zlib
from pathlib import Path
from typing import Any

import psycopg
import pytest

from standins.duo import DuoStandin
from tests.conftest import POSTGRES_DSN
from tests.e2e.harness import SERVICES, Keten
from tests.security.keten_met_persoonsgegevens import BSN, GEHEIMEN, door_de_keten


def _geheimen_in(waarde: bytes) -> list[str]:
    """The secrets in ``waarde`` as it is, or once zlib-decompressed."""
    vormen = [waarde]
    with contextlib.suppress(zlib.error):
        vormen.append(zlib.decompress(waarde))
    return [g for g in GEHEIMEN for vorm in vormen if g.encode() in vorm]


def _als_bytes(waarde: Any) -> bytes:
    if isinstance(waarde, bytes | bytearray | memoryview):
        return bytes(waarde)
    return str(waarde).encode()


# -- reading the stores raw -----------------------------------------------------------


def _sqlite_vondsten(data_dir: Path) -> tuple[list[str], set[str]]:
    """(secrets found, names of the SQLite files read)."""
    vondsten: list[str] = []
    bestanden = [p for p in data_dir.rglob("*") if p.is_file()]
    for pad in bestanden:
        vondsten += [f"{pad.name}: {g}" for g in _geheimen_in(pad.read_bytes())]
    databases = {p for p in bestanden if p.suffix == ".sqlite"}
    for pad in databases:
        conn = sqlite3.connect(pad)
        try:
            tabellen = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type='table'"
                )
            ]
            for tabel in tabellen:
                for rij in conn.execute(f'SELECT * FROM "{tabel}"'):
                    for waarde in rij:
                        vondsten += [
                            f"{pad.name}/{tabel}: {g}"
                            for g in _geheimen_in(_als_bytes(waarde))
                        ]
        finally:
            conn.close()
    return vondsten, {p.stem for p in databases}


def _postgres_vondsten(dsn: str) -> tuple[list[str], set[str]]:
    """(secrets found, schemas read) over every table outside the catalogs."""
    vondsten: list[str] = []
    with psycopg.connect(dsn) as conn:
        tabellen = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
            " AND table_type = 'BASE TABLE'"
        ).fetchall()
        for schema, tabel in tabellen:
            for rij in conn.execute(f'SELECT * FROM "{schema}"."{tabel}"'):
                for waarde in rij:
                    vondsten += [
                        f"{schema}.{tabel}: {g}"
                        for g in _geheimen_in(_als_bytes(waarde))
                    ]
    return vondsten, {schema for schema, _ in tabellen}


async def test_the_stores_hold_no_personal_data_in_clear(
    keten: Keten,
    standin: tuple[DuoStandin, Any],
    opslag: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    duo, _ = standin
    await door_de_keten(keten, duo)
    assert BSN in str(duo.register.meldingen())  # it did travel all the way
    await keten.stop()  # every store closed, its WAL written back

    if opslag["verzuim_store"] == "sqlite":
        vondsten, gelezen = _sqlite_vondsten(keten.data_dir)
    else:
        dsn = POSTGRES_DSN.replace("dbname=test", f"dbname={opslag['postgres_dbname']}")
        vondsten, gelezen = _postgres_vondsten(dsn)

    assert set(SERVICES) <= gelezen
    assert vondsten == []
    # Nor in the logs (STYLE.md: never personal data in logs).
    assert [g for g in GEHEIMEN if g in caplog.text] == []
    # The store key was made once, in the data dir, and kept private.
    sleutel = keten.data_dir / "secrets" / "store-cipher.key"
    assert sleutel.stat().st_mode & 0o077 == 0
