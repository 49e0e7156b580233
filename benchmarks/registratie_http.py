"""Records per second through `POST /v1/afwezigheden/bulk`, 10,000 per request.

The endpoint as a SIS sees it: registratie runs as its own process, started as the
launcher starts it (`python -m services.registratie`, uvicorn, store, relay on the
embedded broker, authentication, audit and limits), and this process is the SIS,
sending bulks over HTTP on loopback. One made-up VO school with 1,000 pupils; every
record is one lesson of one pupil, as a SIS sends them, spread over the school days
before "today", with about one in five corrected or sent again. Prints records/s per
request and overall, the CPU seconds the service process used (per request, and per
10,000 records including the relay's work), and how long the relay needed after the
last answer to publish everything. On a busy machine the CPU seconds tell more than
wall time. Run:

    .venv/bin/python benchmarks/registratie_http.py [--verzoeken 5] [--leerlingen 1000]
    VERZUIM_STORE=postgres .venv/bin/python benchmarks/registratie_http.py --wis

With `RELAY_PROCESS=true` in the environment the service publishes from a child
process (`plumbing.relay_process`); its CPU seconds are counted with the service's.
`--in-process` runs the service inside this process instead (the HTTP transport
in-process too), which is what a profiler of the bulk path wants.

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
import sqlite3
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

import httpx

from plumbing.broker import EmbeddedBroker
from plumbing.runtime import ServiceRuntime
from plumbing.security.apikeys import ApiKeyStore
from plumbing.security.callers import Rol
from services.registratie.domain.school import school_id_voor
from services.registratie.service import SPEC, Settings
from tools.launcher import PROCESSES, Stack
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


SCHOOL = {
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


def sis_sleutel(settings: Settings) -> str:
    """An API key of the SIS role for the benchmark school."""
    store = ApiKeyStore.from_settings(settings)
    _, sleutel = store.create(
        naam="bench", bestuur="b", scholen=[str(SCHOOL_ID)], rollen=[Rol.SIS]
    )
    store.close()
    return sleutel


def sis_client(sleutel: str, **opties: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        headers={"Authorization": f"Bearer {sleutel}"}, timeout=600, **opties
    )


@contextlib.asynccontextmanager
async def registratie_met_school(
    settings: Settings,
) -> AsyncIterator[tuple[ServiceRuntime, httpx.AsyncClient]]:
    """A running registratie (store, relay, HTTP app with its security) reached
    in-process, with the benchmark school registered and a SIS key for it."""
    sleutel = sis_sleutel(settings)
    runtime = ServiceRuntime(SPEC, settings)
    app = runtime.fastapi_app()
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    http = sis_client(
        sleutel,
        transport=httpx.ASGITransport(app=app),
        base_url="http://registratie/v1",
    )
    try:
        (await http.put(f"/scholen/{SCHOOL_ID}", json=SCHOOL)).raise_for_status()
        yield runtime, http
    finally:
        await http.aclose()
        await lifespan.__aexit__(None, None, None)


class Dienst(Protocol):
    """What the measurement reads of the service, in this process or another."""

    def cpu_seconden(self) -> float: ...

    async def relay_positie(self) -> int: ...

    async def laatste_notificatie(self) -> int: ...


@dataclass
class DienstInProces:
    runtime: ServiceRuntime

    def cpu_seconden(self) -> float:
        return time.process_time()

    async def relay_positie(self) -> int:
        relay = self.runtime.relay
        assert relay is not None
        return await asyncio.to_thread(relay.position)

    async def laatste_notificatie(self) -> int:
        recorder = self.runtime.require_app().recorder
        return recorder.max_notification_id() or 0


@dataclass
class DienstAlsProces:
    """The service process as the launcher started it: its CPU time from /proc, the
    relay's position from its `/metrics`, the last event id from its store."""

    pid: int
    http: httpx.AsyncClient
    settings: Settings
    metrics_key: str

    def cpu_seconden(self) -> float:
        """The service process and its children (a relay process, if it runs one)."""
        return _cpu(self.pid) + self.cpu_kinderen()

    def cpu_kinderen(self) -> float:
        kinderen = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text()
        return sum(_cpu(int(pid)) for pid in kinderen.split())

    async def relay_positie(self) -> int:
        antwoord = await self.http.get(
            "/metrics", headers={"X-Metrics-Key": self.metrics_key}
        )
        antwoord.raise_for_status()
        for regel in antwoord.text.splitlines():
            if regel.startswith("relay_position{"):
                return int(float(regel.rsplit(" ", 1)[1]))
        return 0

    async def laatste_notificatie(self) -> int:
        if self.settings.verzuim_store == "postgres":
            import psycopg

            with psycopg.connect(self.settings.postgres_dsn()) as conn:
                rij = conn.execute(
                    "SELECT max(notification_id) FROM registratie.registratie_events"
                ).fetchone()
        else:
            pad = self.settings.verzuim_data_dir / "registratie.sqlite"
            with contextlib.closing(
                sqlite3.connect(f"file:{pad}?mode=ro", uri=True)
            ) as conn:
                rij = conn.execute("SELECT MAX(rowid) FROM stored_events").fetchone()
        return int(rij[0] or 0) if rij else 0


def _cpu(pid: int) -> float:
    try:
        velden = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    # utime and stime, fields 14 and 15 of stat(5), in clock ticks.
    return (int(velden[11]) + int(velden[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.asynccontextmanager
async def registratie_als_proces(
    settings: Settings,
) -> AsyncIterator[tuple[Dienst, httpx.AsyncClient]]:
    """Registratie started as `tools.launcher` starts it, in a process of its own,
    with the benchmark school registered; the client is the SIS."""
    sleutel = sis_sleutel(settings)
    metrics_key = uuid.uuid4().hex
    env = {
        **os.environ,
        "VERZUIM_DATA_DIR": str(settings.verzuim_data_dir),
        "VERZUIM_STORE": settings.verzuim_store,
        "KAFKA_TOPIC_PREFIX": settings.kafka_topic_prefix,
        "VERZUIM_KLOK": settings.verzuim_klok,
        "VERZUIM_RATE_LIMIT_PER_SECOND": str(settings.verzuim_rate_limit_per_second),
        "VERZUIM_RATE_LIMIT_BURST": str(settings.verzuim_rate_limit_burst),
        "VERZUIM_METRICS_KEY": metrics_key,
        "VERZUIM_LOG_LEVEL": "WARNING",
    }
    registratie = next(e for e in PROCESSES if e.name == "registratie")
    stack = Stack(
        [registratie],
        free_ports=True,
        bootstrap=settings.kafka_bootstrap_servers,
        env=env,
        output=lambda naam, regel: print(f"[{naam}] {regel}"),
    )
    async with stack:
        url = stack.urls["registratie"]
        async with sis_client(sleutel, base_url=f"{url}/v1") as http:
            (await http.put(f"/scholen/{SCHOOL_ID}", json=SCHOOL)).raise_for_status()
            async with httpx.AsyncClient(base_url=url, timeout=30) as beheer:
                pid = stack.running[0].process.pid
                yield DienstAlsProces(pid, beheer, settings, metrics_key), http


@contextlib.asynccontextmanager
async def registratie(
    settings: Settings, in_proces: bool
) -> AsyncIterator[tuple[Dienst, httpx.AsyncClient]]:
    if in_proces:
        async with registratie_met_school(settings) as (runtime, http):
            yield DienstInProces(runtime), http
    else:
        async with registratie_als_proces(settings) as (dienst, http):
            yield dienst, http


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
    async with registratie(settings, args.in_process) as (dienst, http):
        leerlingen = []
        for i, pgn in enumerate(bsns(args.leerlingen)):
            leerling_id = str(uuid.uuid4())
            antwoord = await http.put(
                f"/leerlingen/{leerling_id}", json=leerling_body(i, pgn)
            )
            antwoord.raise_for_status()
            leerlingen.append(leerling_id)
        await wacht_op_relay(dienst)

        rnd = random.Random(args.seed)
        verzoeken = []
        vorige: list[dict[str, Any]] = []
        for n in range(args.verzoeken):
            lijst = records(rnd, leerlingen, args.records, n)
            # About one in five records is sent again or corrected (T3).
            for record in rnd.sample(vorige, min(len(vorige), args.records // 5)):
                lijst[rnd.randrange(len(lijst))] = {**record, "lesuurVan": 7}
            verzoeken.append(lijst)
            vorige = lijst

        totaal = 0
        begin, cpu_begin = time.perf_counter(), dienst.cpu_seconden()
        kinderen_begin = _cpu_kinderen(dienst)
        for n, lijst in enumerate(verzoeken):
            t0, c0 = time.perf_counter(), dienst.cpu_seconden()
            antwoord = await http.post(
                "/afwezigheden/bulk", json={"afwezigheden": lijst}
            )
            duur, cpu = time.perf_counter() - t0, dienst.cpu_seconden() - c0
            antwoord.raise_for_status()
            aantallen = antwoord.json()["aantallen"]
            totaal += len(lijst)
            print(
                f"request {n + 1}: {len(lijst)} records in {duur:.2f} s = "
                f"{len(lijst) / duur:,.0f} records/s ({cpu:.2f} CPU-s) {aantallen}"
            )
        verstreken = time.perf_counter() - begin
        cpu = dienst.cpu_seconden() - cpu_begin
        waar = "this process" if args.in_process else "the service process"
        print(
            f"{settings.verzuim_store}: {totaal} records in {verstreken:.2f} s = "
            f"{totaal / verstreken:,.0f} records/s; {cpu:.1f} CPU-s in {waar} "
            f"= {cpu * 10_000 / totaal:.2f} per 10,000 records "
            f"(load average {os.getloadavg()[0]:.1f})"
        )
        t0 = time.perf_counter()
        await wacht_op_relay(dienst)
        cpu = dienst.cpu_seconden() - cpu_begin
        kinderen = _cpu_kinderen(dienst) - kinderen_begin
        print(
            f"relay caught up {time.perf_counter() - t0:.1f} s after the last "
            f"answer; with its work {cpu * 10_000 / totaal:.2f} CPU-s per 10,000 "
            f"records, {kinderen * 10_000 / totaal:.2f} of them in child processes"
        )


def _cpu_kinderen(dienst: Dienst) -> float:
    return dienst.cpu_kinderen() if isinstance(dienst, DienstAlsProces) else 0.0


async def wacht_op_relay(dienst: Dienst) -> None:
    laatste = await dienst.laatste_notificatie()
    while await dienst.relay_positie() < laatste:
        await asyncio.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--verzoeken", type=int, default=5)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--leerlingen", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--wis", action="store_true", help="drop the PG schema")
    parser.add_argument(
        "--in-process", action="store_true", help="run the service in this process"
    )
    args = parser.parse_args()
    with (
        EmbeddedBroker() as broker,
        tempfile.TemporaryDirectory() as data_dir,
        contextlib.chdir(data_dir),
    ):
        asyncio.run(meet(args, broker.bootstrap_servers, Path(data_dir)))


if __name__ == "__main__":
    main()
