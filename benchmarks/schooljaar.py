"""The main job at full size, timed: a whole school year through the chain.

For each store (SQLite, PostgreSQL) it runs `tools.hoofdtaak` quietly and prints
the records per second registratie ingested, the time from the last record to the
last melding the DUO stand-in accepted, the run's phases and the peak memory
(VmHWM) of every process. Beside it, measured in the same run on the same machine:
the raw eventsourcing append rate (`app.save` of 1,000-event batches) on both stores
and the raw aiokafka produce and consume rate on the embedded broker, so the chain's
figures can be read against what its parts can do at most.

Targets (2 cores): the year end to end within 2 minutes on SQLite, every service
under 500 MB.

    .venv/bin/python benchmarks/schooljaar.py [--vo 1500] [--po 300] [--weken N]
        [--stores sqlite,postgres] [--duo-storingen geen]
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from eventsourcing.domain import Aggregate, event
from rich.console import Console
from rich.table import Table

from plumbing.broker import EmbeddedBroker
from plumbing.settings import PlatformSettings
from plumbing.store import ServiceApplication, store_env
from plumbing.topics import TopicSpec, ensure_topics
from tools.hoofdtaak.opdracht import DuoStoringen, Opdracht
from tools.hoofdtaak.uitvoering import Uitkomst, voer_uit

DOEL_SECONDEN = 120.0
DOEL_MB = 500.0


class _Meting(Aggregate):
    """A minimal aggregate: one creation event, then `tel` events."""

    @event("Aangemaakt")
    def __init__(self, naam: str) -> None:
        self.naam = naam
        self.waarde = 0

    @event("Geteld")
    def tel(self, stap: int) -> None:
        self.waarde += stap


class _Opslag(ServiceApplication):
    pass


def append_snelheid(
    settings: PlatformSettings, service: str, batches: int = 40, grootte: int = 1000
) -> float:
    """Events per second for `app.save` of `grootte`-event batches (10 aggregates of
    100 events each per batch)."""
    app = _Opslag(env=store_env(service, settings))
    try:
        begin = time.perf_counter()
        for _ in range(batches):
            aggregaten = []
            for n in range(grootte // 100):
                aggregaat = _Meting(f"m{n}")
                for stap in range(99):
                    aggregaat.tel(stap)
                aggregaten.append(aggregaat)
            app.save(*aggregaten)
        return batches * grootte / (time.perf_counter() - begin)
    finally:
        app.close()


async def broker_snelheid(
    aantal: int = 100_000, grootte: int = 1024
) -> tuple[float, float]:
    """(produced per second, consumed per second) of `grootte`-byte messages on the
    embedded broker: sends pipelined with acks=all, reads by one consumer."""
    async with EmbeddedBroker() as broker:
        topic = f"bench.{uuid.uuid4().hex[:8]}"
        await ensure_topics(broker.bootstrap, [TopicSpec(topic, 6, 1)])
        producer = AIOKafkaProducer(
            bootstrap_servers=broker.bootstrap,
            acks="all",
            linger_ms=5,
            max_batch_size=256 * 1024,
        )
        await producer.start()
        waarde = b"x" * grootte
        try:
            begin = time.perf_counter()
            wachtend = [
                await producer.send(topic, value=waarde, key=str(i % 1800).encode())
                for i in range(aantal)
            ]
            await asyncio.gather(*wachtend)
            geproduceerd = aantal / (time.perf_counter() - begin)
        finally:
            await producer.stop()
        consumer = AIOKafkaConsumer(
            bootstrap_servers=broker.bootstrap,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_partition_fetch_bytes=8 * 1024 * 1024,
        )
        await consumer.start()
        try:
            consumer.assign([TopicPartition(topic, p) for p in range(6)])
            gelezen = 0
            begin = time.perf_counter()
            while gelezen < aantal:
                batches = await consumer.getmany(timeout_ms=1000, max_records=10_000)
                if not batches:
                    break
                gelezen += sum(len(b) for b in batches.values())
            geconsumeerd = gelezen / (time.perf_counter() - begin)
        finally:
            await consumer.stop()
    return geproduceerd, geconsumeerd


@dataclass
class Resultaat:
    store: str
    uitkomst: Uitkomst
    append: float


def _postgres_database(naam: str) -> PlatformSettings:
    basis = PlatformSettings()
    with psycopg.connect(basis.postgres_dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{naam}"')
    return PlatformSettings(postgres_dbname=naam, verzuim_store="postgres")


def _drop_database(naam: str) -> None:
    basis = PlatformSettings()
    with psycopg.connect(basis.postgres_dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{naam}" WITH (FORCE)')


async def meet_store(
    store: str, args: argparse.Namespace, werkmap: Path, console: Console
) -> Resultaat:
    data_dir = werkmap / f"run-{store}"
    console.print(f"[bold]{store}[/]: a school year through the chain ...")
    opdracht = Opdracht(
        data_dir=data_dir,
        rapport=None,
        seed=args.seed,
        weken=args.weken,
        vo=args.vo,
        po=args.po,
        store=store,  # type: ignore[arg-type]
        storingen=DuoStoringen.lees(args.duo_storingen),
        wachttijd=args.wachttijd,
        stil=True,
    )
    uitkomst = await voer_uit(opdracht, console)
    if store == "postgres":
        naam = f"bench_append_{uuid.uuid4().hex[:8]}"
        settings = _postgres_database(naam)
        try:
            append = append_snelheid(settings, "append")
        finally:
            _drop_database(naam)
        run = f"verzuimketen_{data_dir.name.replace('-', '_').lower()}"
        _drop_database(run)
    else:
        append = append_snelheid(
            PlatformSettings(verzuim_data_dir=werkmap / "append"), "append"
        )
    return Resultaat(store, uitkomst, append)


def druk_af(
    resultaten: Sequence[Resultaat], broker: tuple[float, float], console: Console
) -> None:
    tabel = Table(title="Schooljaar door de keten", title_justify="left")
    tabel.add_column("")
    for r in resultaten:
        tabel.add_column(r.store, justify="right")
    m = [r.uitkomst.metingen for r in resultaten]

    def rij(naam: str, waarden: Sequence[str]) -> None:
        tabel.add_row(naam, *waarden)

    rij("records", [f"{x.records:,}" for x in m])
    rij("records per seconde (ingest)", [f"{x.records_per_seconde:,.0f}" for x in m])
    rij("scholen en leerlingen", [f"{x.leerlingen:.1f} s" for x in m])
    for soort in sorted({s for x in m for s in x.per_soort}):
        rij(f"versturen: {soort}", [f"{x.per_soort.get(soort, 0):.1f} s" for x in m])
    rij(
        "laatste record → laatste melding bij DUO",
        [
            "-"
            if x.laatste_record_tot_laatste_melding is None
            else f"{x.laatste_record_tot_laatste_melding:.1f} s"
            for x in m
        ],
    )
    rij("laatste actie → keten stil", [f"{x.tot_rust:.1f} s" for x in m])
    rij(
        "eerste actie → keten stil (eind tot eind)",
        [f"{x.acties + x.tot_rust:.1f} s" for x in m],
    )
    rij("stack starten", [f"{x.starten:.1f} s" for x in m])
    rij("totaal (incl. leerlingen, controles)", [f"{x.totaal:.1f} s" for x in m])
    diensten = sorted({d for x in m for d in x.piekgeheugen_mb})
    for dienst in diensten:
        rij(
            f"piekgeheugen {dienst}",
            [f"{x.piekgeheugen_mb.get(dienst, 0):.0f} MB" for x in m],
        )
    for naam in sorted({d for x in m for d in x.cpu_seconden}):
        rij(
            f"CPU-tijd {naam}",
            [f"{x.cpu_seconden.get(naam, 0):.1f} s" for x in m],
        )
    rij(
        "meldingen bij DUO",
        [str(r.uitkomst.gegevens.cijfers.meldingen_geaccepteerd) for r in resultaten],
    )
    rij(
        "controles en reconciliatie",
        ["in orde" if r.uitkomst.geslaagd else "FOUT" for r in resultaten],
    )
    rij(
        "kaal: eventstore append (1.000 per save)",
        [f"{r.append:,.0f} events/s" for r in resultaten],
    )
    rij("kaal: broker produce (1 KiB, acks=all)", [f"{broker[0]:,.0f} /s"] * len(m))
    rij("kaal: broker consume", [f"{broker[1]:,.0f} /s"] * len(m))
    console.print(tabel)
    for r in resultaten:
        x = r.uitkomst.metingen
        eind = x.acties + x.tot_rust
        boven = [d for d, mb in x.piekgeheugen_mb.items() if mb > DOEL_MB]
        doel = "gehaald" if eind <= DOEL_SECONDEN else "niet gehaald"
        geheugen = (
            f"boven {DOEL_MB:.0f} MB: {', '.join(boven)}"
            if boven
            else f"overal onder {DOEL_MB:.0f} MB"
        )
        console.print(
            f"{r.store}: eerste actie tot keten stil {eind:.0f} s "
            f"(doel {DOEL_SECONDEN:.0f} s: {doel}); geheugen {geheugen}"
        )
        for controle in r.uitkomst.controles:
            if not controle.geslaagd:
                console.print(f"  {controle.naam}: {controle.details[:3]}")
        for verschil in r.uitkomst.reconciliatie.verschillen[:5]:
            console.print(f"  reconciliatie: {verschil}")


async def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vo", type=int, default=1500)
    parser.add_argument("--po", type=int, default=300)
    parser.add_argument("--weken", type=int, default=None)
    parser.add_argument("--seed", type=int, default=2526)
    parser.add_argument("--stores", default="sqlite,postgres")
    parser.add_argument("--duo-storingen", default="geen")
    parser.add_argument("--wachttijd", type=float, default=1800.0)
    parser.add_argument("--bewaar", action="store_true", help="keep the data dirs")
    args = parser.parse_args(argv)
    console = Console()
    werkmap = Path(tempfile.mkdtemp(prefix="schooljaar-bench-"))
    try:
        resultaten = [
            await meet_store(store.strip(), args, werkmap, console)
            for store in args.stores.split(",")
        ]
        console.print("kale broker meten ...")
        broker = await broker_snelheid()
        druk_af(resultaten, broker, console)
    finally:
        if args.bewaar:
            console.print(f"data: {werkmap}")
        else:
            shutil.rmtree(werkmap, ignore_errors=True)
    return 0 if all(r.uitkomst.geslaagd for r in resultaten) else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
