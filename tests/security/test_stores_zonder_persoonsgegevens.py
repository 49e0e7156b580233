"""No personal data at rest: the whole chain runs, then every byte of every store
is searched for the pupil's BSN and date of birth, a person's name and the
sick-reason texts.

The four services run in-process on the embedded broker (`tests.e2e.harness`),
once on SQLite files and once on PostgreSQL, without any key configured: the
store key is made once in the data dir. A pupil with a BSN, a school contact with
a name, an absence whose remark gives an illness, a leave decision with a reason
and a follow-up action that names a parent all go through the chain until
ketenkoppeling has filed the melding at the DUO stand-in. Then the stores are read
raw: SQLite files (WAL included) and every table of every schema in PostgreSQL.
Every value is also searched after zlib decompression, so compression alone
cannot pass for encryption. All names, numbers and texts are made up.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import zlib
from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest

from plumbing.clock import AMSTERDAM, FileClock
from services.registratie.domain.school import school_id_voor
from standins.duo import DuoStandin, HandKlok, Register, StandinInThread
from tests.conftest import POSTGRES_DSN
from tests.e2e.harness import SERVICES, Keten
from tests.registratie.service_dienst import school_body

BRIN = "99ZZ"
SCHOOL = school_id_voor(BRIN, "00")
VANDAAG = date(2025, 9, 17)

BSN = "123456782"  # sis-formats 6.1: constructed, never issued
GEBOORTEDATUM = "2010-12-29"
NAAM = "Zwaantje Proefmeijer-Testbeek"
ZIEKTE = "Hevige middenoorontsteking met koorts"
REDEN_BESLUIT = "Begrafenis van oudoom in Verzonnendorp"
GEHEIMEN = (BSN, GEBOORTEDATUM, NAAM, ZIEKTE, REDEN_BESLUIT)


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


# -- the chain ------------------------------------------------------------------------


@pytest.fixture
def standin() -> Iterator[tuple[DuoStandin, Any]]:
    klok = HandKlok(datetime.combine(VANDAAG, time(9), AMSTERDAM))
    register = Register(
        klok, behandeling_na=timedelta(hours=1), afsluiting_na=timedelta(hours=2)
    )
    dienst = DuoStandin(register, klok, seed=11)
    with StandinInThread(dienst) as server:
        yield dienst, server


@pytest.fixture(params=["sqlite", "postgres"])
def opslag(
    request: pytest.FixtureRequest, unique: str, postgres_available: bool
) -> Iterator[dict[str, Any]]:
    """The store settings: SQLite files, or a database of this test's own (the
    services' schemas carry fixed names)."""
    if request.param == "sqlite":
        yield {"verzuim_store": "sqlite"}
        return
    if not postgres_available:
        pytest.fail("PostgreSQL at 127.0.0.1:5432 is required for this test")
    database = f"t_{unique}"
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        yield {"verzuim_store": "postgres", "postgres_dbname": database}
    finally:
        with psycopg.connect(POSTGRES_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture
async def keten(
    broker: str,
    tmp_path: Path,
    unique: str,
    standin: tuple[DuoStandin, Any],
    opslag: dict[str, Any],
) -> AsyncIterator[Keten]:
    _, server = standin
    klok = tmp_path / "klok"
    FileClock.write(klok, datetime.combine(VANDAAG, time(12), AMSTERDAM))
    keten = Keten(
        broker,
        tmp_path / "data",
        f"t{unique}.",
        scholen=[str(SCHOOL)],
        env={
            **opslag,
            "verzuim_klok": f"file:{klok}",
            "verzuim_cipher_key": None,
            "duo_url": server.basis,
            "duo_status_poll_seconds": 0.2,
            "duo_retry_seconds": 0.1,
            "duo_retry_max_seconds": 0.5,
            "ketenkoppeling_interval_seconds": 0.05,
        },
    )
    await keten.start()
    try:
        yield keten
    finally:
        await keten.stop()


async def _wacht(check: Any, timeout: float = 90.0) -> Any:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        uitkomst = check()
        if asyncio.iscoroutine(uitkomst):
            uitkomst = await uitkomst
        if uitkomst:
            return uitkomst
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the chain did not get there in time")
        await asyncio.sleep(0.2)


async def _ok(antwoord: Any) -> dict[str, Any]:
    assert antwoord.status_code in (200, 201), antwoord.text
    return dict(antwoord.json())


async def _door_de_keten(keten: Keten, duo: DuoStandin) -> None:
    """Personal data in at every door the API has; until DUO holds the melding."""
    registratie = keten.clients["registratie"]
    contact = {"naam": NAAM, "functie": "verzuimcoördinator", "email": "m@x.example"}
    await _ok(
        await registratie.put(
            f"/v1/scholen/{SCHOOL}", json=school_body(BRIN, contactMelder=contact)
        )
    )
    leerling = uuid4()
    await _ok(
        await registratie.put(
            f"/v1/leerlingen/{leerling}",
            json={
                "schoolId": str(SCHOOL),
                "leerlingnummer": "4711",
                "geboortedatum": GEBOORTEDATUM,
                "pgn": BSN,
                "woongemeente": "0344",
                "inschrijvingVanaf": "2024-08-01",
            },
        )
    )
    for bron_id, dag, tot in (
        ("P-1", "2025-09-15", 7),
        ("P-2", "2025-09-16", 7),
        ("P-3", "2025-09-17", 2),
    ):
        record = {
            "bron": "somtoday",
            "bronId": bron_id,
            "leerlingId": str(leerling),
            "datum": dag,
            "lesuurVan": 1,
            "lesuurTot": tot,
            "redenCode": "A",
            "opmerking": f"{ZIEKTE} ({bron_id})",
        }
        await _ok(await registratie.post("/v1/afwezigheden", json=record))
    await _ok(
        await registratie.post(
            "/v1/afmeldingen",
            json={"leerlingId": str(leerling), "soort": "ziek", "van": "2025-09-18"},
        )
    )
    aanvraag = await _ok(
        await registratie.post(
            "/v1/verlofaanvragen",
            json={
                "leerlingId": str(leerling),
                "soort": "gewichtige_omstandigheden",
                "van": "2025-10-01",
                "tot": "2025-10-01",
                "omstandigheid": "overlijden_3e_4e_graad",
            },
        )
    )
    await _ok(
        await registratie.post(
            f"/v1/verlofaanvragen/{aanvraag['verlofaanvraagId']}/besluit",
            json={"uitkomst": "GRANTED", "toelichting": REDEN_BESLUIT},
        )
    )

    await _wacht(lambda: len(duo.register.meldingen()) >= 1)

    async def dossiers() -> list[dict[str, Any]]:
        antwoord = await keten.clients["opvolging"].get(
            "/v1/dossiers", params={"schoolId": str(SCHOOL)}
        )
        return list((await _ok(antwoord))["dossiers"])

    dossier = (await _wacht(dossiers))[0]
    actie = await _ok(
        await keten.clients["opvolging"].post(
            f"/v1/dossiers/{dossier['id']}/acties",
            json={"titel": f"Gesprek met {NAAM} over {ZIEKTE}"},
        )
    )
    assert NAAM in actie["titel"]  # stored, and readable to whom may read it


async def test_the_stores_hold_no_personal_data_in_clear(
    keten: Keten,
    standin: tuple[DuoStandin, Any],
    opslag: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    duo, _ = standin
    await _door_de_keten(keten, duo)
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
