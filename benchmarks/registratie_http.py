"""Records per second through `POST /v1/afwezigheden/bulk`, 10,000 per request.

A running registratie service (store, relay on the embedded broker, HTTP app with
authentication, audit and limits) as in production; only the HTTP transport is
in-process. One made-up VO school with 1,000 pupils; every record is one lesson of
one pupil, as a SIS sends them, spread over the school days before "today", with
about one in five corrected or sent again. Prints records/s per request, the
overall figure, and how long the relay needed to publish everything. CPU seconds are
printed beside wall time: on a busy machine they tell more. Run:

    .venv/bin/python benchmarks/registratie_http.py [--verzoeken 5] [--leerlingen 1000]
    VERZUIM_STORE=postgres .venv/bin/python benchmarks/registratie_http.py --wis

On PostgreSQL the service uses the schema `registratie` of `POSTGRES_DBNAME`
(default `test`); `--wis` drops it first (and refuses nothing else).

Target: at least 5,000 records/s on SQLite.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from plumbing.broker import EmbeddedBroker
from plumbing.runtime import ServiceRuntime
from plumbing.security.apikeys import ApiKeyStore
from plumbing.security.callers import Rol
from services.registratie.domain.school import school_id_voor
from services.registratie.service import SPEC, Settings
from tools.schooljaar.identiteiten import maak_bsn

VANDAAG = date(2026, 3, 20)
KALENDER = {
    "eersteSchooldag": "2025-09-01",
    "vakanties": [
        {"van": "2025-10-18", "tot": "2025-10-26"},
        {"van": "2025-12-20", "tot": "2026-01-04"},
        {"van": "2026-02-14", "tot": "2026-02-22"},
    ],
}
LESSEN = [
    {"nummer": n, "begin": f"{8 + n}:00".zfill(5), "eind": f"{8 + n}:50".zfill(5)}
    for n in range(1, 8)
]
CODES = ("A", "ZI", "L", None)


def lesdagen(aantal: int) -> list[date]:
    dagen: list[date] = []
    d = VANDAAG
    while len(dagen) < aantal:
        d -= timedelta(days=1)
        if d.weekday() < 5 and not date(2026, 2, 14) <= d <= date(2026, 2, 22):
            dagen.append(d)
    return dagen


def records(
    rnd: random.Random, leerlingen: list[str], aantal: int, volgnummer: int
) -> list[dict[str, Any]]:
    dagen = lesdagen(40)
    lijst = []
    for i in range(aantal):
        leerling = rnd.choice(leerlingen)
        record: dict[str, Any] = {
            "bron": "somtoday",
            "bronId": f"b{volgnummer}-{i}",
            "leerlingId": leerling,
            "datum": rnd.choice(dagen).isoformat(),
            "lesuurVan": rnd.randint(1, 7),
        }
        code = rnd.choice(CODES)
        if code is not None:
            record["redenCode"] = code
        lijst.append(record)
    return lijst


def wis_postgres(settings: Settings, wis: bool) -> None:
    import psycopg

    with psycopg.connect(settings.postgres_dsn(), autocommit=True) as conn:
        rij = conn.execute(
            "SELECT 1 FROM information_schema.schemata WHERE schema_name = %s",
            ("registratie",),
        ).fetchone()
        if rij is not None and not wis:
            raise SystemExit(
                "schema registratie exists; run with --wis to drop it first"
            )
        conn.execute('DROP SCHEMA IF EXISTS "registratie" CASCADE')


SCHOOL_ID = school_id_voor("99ZZ", "00")


def bsns(aantal: int) -> list[str]:
    """Made-up BSNs for the benchmark school's pupils: a school holds one once."""
    rng, uitgegeven = random.Random(7), set[str]()
    return [maak_bsn(rng, uitgegeven) for _ in range(aantal)]


def leerling_body(i: int, pgn: str) -> dict[str, Any]:
    return {
        "schoolId": str(SCHOOL_ID),
        "geboortedatum": "2011-03-10",
        "pgn": pgn,
        "woongemeente": "0344",
        "inschrijvingVanaf": "2025-08-01",
        "leerlingnummer": str(1000 + i),
    }


@contextlib.asynccontextmanager
async def registratie_met_school(
    settings: Settings,
) -> AsyncIterator[tuple[ServiceRuntime, httpx.AsyncClient]]:
    """A running registratie (store, relay, HTTP app with its security) reached
    in-process, with the benchmark school registered and a SIS key for it."""
    store = ApiKeyStore.from_settings(settings)
    _, sleutel = store.create(
        naam="bench", bestuur="b", scholen=[str(SCHOOL_ID)], rollen=[Rol.SIS]
    )
    store.close()
    runtime = ServiceRuntime(SPEC, settings)
    app = runtime.fastapi_app()
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://registratie/v1",
        headers={"Authorization": f"Bearer {sleutel}"},
        timeout=600,
    )
    try:
        school = {
            "brin": "99ZZ",
            "vestiging": "00",
            "naam": "Benchmarkcollege",
            "sector": "vo",
            "kalender": KALENDER,
            "rooster": {"lesuren": {str(d): LESSEN for d in range(1, 6)}},
            "redenen": [
                {"code": "A", "categorie": "ongeoorloofd", "geoorloofd": False},
                {"code": "ZI", "categorie": "ziek", "geoorloofd": True},
                {"code": "L", "categorie": "luxe", "geoorloofd": False, "luxe": True},
            ],
        }
        (await http.put(f"/scholen/{SCHOOL_ID}", json=school)).raise_for_status()
        yield runtime, http
    finally:
        await http.aclose()
        await lifespan.__aexit__(None, None, None)


def bench_settings(broker: str, data_dir: Path) -> Settings:
    """A fresh topic prefix, the clock on `VANDAAG`, limits a bulk does not hit."""
    return Settings(
        verzuim_data_dir=data_dir,
        kafka_bootstrap_servers=broker,
        kafka_topic_prefix=f"bench{uuid.uuid4().hex[:6]}.",
        verzuim_klok=VANDAAG.isoformat(),
        verzuim_rate_limit_per_second=10_000,
        verzuim_rate_limit_burst=10_000,
    )


async def meet(args: argparse.Namespace, broker: str, data_dir: Path) -> None:
    settings = bench_settings(broker, data_dir)
    if settings.verzuim_store == "postgres":
        wis_postgres(settings, args.wis)
    async with registratie_met_school(settings) as (runtime, http):
        leerlingen = []
        for i, pgn in enumerate(bsns(args.leerlingen)):
            leerling_id = str(uuid.uuid4())
            antwoord = await http.put(
                f"/leerlingen/{leerling_id}", json=leerling_body(i, pgn)
            )
            antwoord.raise_for_status()
            leerlingen.append(leerling_id)

        rnd = random.Random(args.seed)
        totaal = 0
        begin, cpu_begin = time.perf_counter(), time.process_time()
        vorige: list[dict[str, Any]] = []
        for n in range(args.verzoeken):
            lijst = records(rnd, leerlingen, args.records, n)
            # About one in five records is sent again or corrected (T3).
            for record in rnd.sample(vorige, min(len(vorige), args.records // 5)):
                lijst[rnd.randrange(len(lijst))] = {**record, "lesuurVan": 7}
            t0, c0 = time.perf_counter(), time.process_time()
            body = {"afwezigheden": lijst}
            antwoord = await http.post("/afwezigheden/bulk", json=body)
            duur, cpu = time.perf_counter() - t0, time.process_time() - c0
            antwoord.raise_for_status()
            aantallen = antwoord.json()["aantallen"]
            totaal += len(lijst)
            print(
                f"request {n + 1}: {len(lijst)} records in {duur:.2f} s = "
                f"{len(lijst) / duur:,.0f} records/s ({cpu:.2f} CPU-s) {aantallen}"
            )
            vorige = lijst
        verstreken = time.perf_counter() - begin
        cpu = time.process_time() - cpu_begin
        print(
            f"{settings.verzuim_store}: {totaal} records in {verstreken:.2f} s = "
            f"{totaal / verstreken:,.0f} records/s; {cpu:.1f} CPU-s in this process "
            f"(HTTP, store and relay; load average {os.getloadavg()[0]:.1f})"
        )
        t0 = time.perf_counter()
        laatste = runtime.require_app().recorder.max_notification_id() or 0
        relay = runtime.relay
        assert relay is not None
        while await asyncio.to_thread(relay.position) < laatste:
            await asyncio.sleep(0.1)
        print(
            f"relay caught up {time.perf_counter() - t0:.1f} s after the last "
            f"request ({relay.stats.published} messages published)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verzoeken", type=int, default=5)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--leerlingen", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--wis", action="store_true", help="drop the PG schema")
    args = parser.parse_args()
    with (
        EmbeddedBroker() as broker,
        tempfile.TemporaryDirectory() as data_dir,
        contextlib.chdir(data_dir),
    ):
        asyncio.run(meet(args, broker.bootstrap_servers, Path(data_dir)))


if __name__ == "__main__":
    main()
