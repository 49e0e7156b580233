"""Events per second through the relay and the consumer, beside raw aiokafka.

One run on one broker measures, for the same messages (real `VerzuimGeclassificeerd`
envelopes, keyed by pupil):

- raw aiokafka: produce them with the project's producer settings (acks=all), in
  batches the size of a relay batch (send all, then await every acknowledgement),
  then read them all with one consumer on assigned partitions;
- the store: append the source events (`app.save`, one save per relay batch);
- the relay: from its start until every stored event is acknowledged by the broker;
- the consumer: from its start (group join included) until the consuming
  application has applied every event, its dedupe positions written in the same
  transaction as the events it caused;
- relay and consumer running together, warmed up, with the source service in its
  own process as in production: from the first append to the last event applied.

Prints figures only; it asserts nothing about speed. It does check that every event
was applied once, and exits 1 when not (2 when a phase did not finish within
`--timeout`). The embedded broker (Tansu, memory only) is started unless `--bootstrap`
names an existing Kafka; then the topics it created are deleted at the end, its
consumer groups stay (TLS/SASL from the `KAFKA_*` variables). PostgreSQL stores live in
fresh schemas `bench_<run>_*` in database `test` at 127.0.0.1:5432, dropped at the
end; SQLite files live in a temporary directory. Run:

    .venv/bin/python benchmarks/platform_relay_consumer.py [--events 10000]
        [--store sqlite|postgres] [--bootstrap HOST:PORT]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from multiprocessing.context import SpawnProcess
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event as ProcessEvent
from pathlib import Path
from typing import Any

import psycopg
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import JSONTranscoder

from contracts.envelope import CloudEvent, ContractEvent, encode, wrap
from contracts.registratie import VerzuimGeclassificeerd
from plumbing.broker import EmbeddedBroker
from plumbing.consumer import Consumer, UnitOfWork
from plumbing.kafka import consumer_factory, producer_factory
from plumbing.leader import FileLeaderLock, LeaderLock, PostgresLeaderLock
from plumbing.relay import EVENT_ID_NAMESPACE, Relay
from plumbing.settings import DEFAULT_PARTITIONS, PlatformSettings
from plumbing.store import ServiceApplication, store_env
from plumbing.topics import TopicSpec, ensure_topics, kafka_client_options
from plumbing.transcodings import DateAsISO

SCHOOL = uuid.UUID("00000000-0000-4000-8000-0000000b0001")
EERSTE_DAG = date(2025, 9, 1)
SEED = 7


class BenchmarkFailed(RuntimeError):
    """Something did not finish in time, or a service process died."""


# -- the source service: one stored event per classified lesson slot -------------


class Lesslot(Aggregate):
    """One classified slot; its creation event is what the relay publishes."""

    @event("Geclassificeerd")
    def __init__(
        self,
        leerling_id: uuid.UUID,
        slot_id: str,
        datum: date,
        lesuur: int,
        status: str,
        grond: str | None,
        reden_code: str | None,
        minuten: int,
        gemiste_minuten: int,
    ) -> None:
        self.leerling_id = leerling_id
        self.slot_id = slot_id
        self.status = status


class Bron(ServiceApplication):
    name = "bron"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())


def naar_contract(domain_event: Any) -> ContractEvent | None:
    if not isinstance(domain_event, Lesslot.Geclassificeerd):
        return None
    return contract({veld: getattr(domain_event, veld) for veld in SLOTVELDEN})


SLOTVELDEN = (
    "leerling_id",
    "slot_id",
    "datum",
    "lesuur",
    "status",
    "grond",
    "reden_code",
    "minuten",
    "gemiste_minuten",
)


def contract(slot: dict[str, Any]) -> VerzuimGeclassificeerd:
    return VerzuimGeclassificeerd(
        **slot,
        school_id=SCHOOL,
        soort="afwezig",
        eenheid="klokuur",
        ziek=slot["grond"] == "ziekte",
    )


def slots(aantal: int, leerlingen: int, eerste: int = 0) -> list[dict[str, Any]]:
    """Made-up classified slots, spread evenly over made-up pupils."""
    rnd = random.Random(SEED + eerste)
    uitkomst = []
    for i in range(eerste, eerste + aantal):
        leerling_id = uuid.UUID(int=0x1_0000 + i % leerlingen)
        datum = EERSTE_DAG + timedelta(days=i // leerlingen // 8)
        lesuur = 1 + (i // leerlingen) % 8
        soort = rnd.choices(["ongeoorloofd", "ziek", "onbekend"], [70, 20, 10])[0]
        uitkomst.append(
            {
                "leerling_id": leerling_id,
                "slot_id": f"{leerling_id}/{datum.isoformat()}/{lesuur}",
                "datum": datum,
                "lesuur": lesuur,
                "status": "geoorloofd" if soort == "ziek" else soort,
                "grond": "ziekte" if soort == "ziek" else None,
                "reden_code": {"ongeoorloofd": "A", "ziek": "Z"}.get(soort),
                "minuten": 60,
                "gemiste_minuten": rnd.choice([45, 50, 60]),
            }
        )
    return uitkomst


def bewaar(app: Bron, gegevens: list[dict[str, Any]], per_save: int) -> float:
    """Seconds spent in `app.save`, one save per `per_save` events."""
    seconden = 0.0
    for start in range(0, len(gegevens), per_save):
        lesslots = [Lesslot(**g) for g in gegevens[start : start + per_save]]
        begin = time.perf_counter()
        app.save(*lesslots)
        seconden += time.perf_counter() - begin
    return seconden


# -- the consuming service: a count per pupil ------------------------------------


class Verzuimtelling(Aggregate):
    @event("Aangemaakt")
    def __init__(self, leerling_id: uuid.UUID) -> None:
        self.leerling_id = leerling_id
        self.slots = 0
        self.minuten = 0

    @classmethod
    def create_id(cls, leerling_id: uuid.UUID) -> uuid.UUID:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"bench-telling:{leerling_id}")

    @event("Geteld")
    def tel(self, slot_id: str, minuten: int) -> None:
        self.slots += 1
        self.minuten += minuten


class Doel(ServiceApplication):
    name = "doel"

    def policy(self, uow: UnitOfWork, evt: ContractEvent, envelope: CloudEvent) -> None:
        assert isinstance(evt, VerzuimGeclassificeerd)
        telling = uow.get(Verzuimtelling.create_id(evt.leerling_id))
        if telling is None:
            telling = Verzuimtelling(evt.leerling_id)
        telling.tel(slot_id=evt.slot_id, minuten=evt.minuten)
        uow.add(telling)

    def geteld(self, leerlingen: int) -> int:
        totaal = 0
        for i in range(leerlingen):
            leerling_id = uuid.UUID(int=0x1_0000 + i)
            with contextlib.suppress(AggregateNotFoundError):
                totaal += self.repository.get(
                    Verzuimtelling.create_id(leerling_id)
                ).slots
        return totaal


# -- wiring, the way ServiceRuntime does it ----------------------------------------


@dataclass(frozen=True)
class Omgeving:
    settings: PlatformSettings
    bootstrap: str
    run: str
    partitions: int
    timeout: float
    bestaande_kafka: bool

    def service(self, naam: str) -> str:
        return f"bench_{self.run}_{naam}"

    def topic(self, naam: str) -> str:
        return f"bench.{self.run}.{naam}"

    def leader(self, service: str) -> LeaderLock:
        if self.settings.verzuim_store == "postgres":
            return PostgresLeaderLock(self.settings.postgres_dsn(), f"bench-{service}")
        return FileLeaderLock(self.settings.verzuim_data_dir / f"{service}.lock")

    def prepare(self, topic: str) -> Callable[[], Any]:
        specs = [TopicSpec(t, self.partitions) for t in (topic, f"{topic}.dlq")]

        async def prepare() -> None:
            await ensure_topics(self.bootstrap, specs, **kafka_client_options())

        return prepare

    def relay(self, app: Bron, topic: str, service: str) -> Relay:
        options = kafka_client_options()
        return Relay(
            app,
            topic=topic,
            to_contract=naar_contract,
            producer_factory=producer_factory(self.bootstrap, **options),
            consumer_factory=consumer_factory(self.bootstrap, None, **options),
            leader=self.leader(service),
            prepare=self.prepare(topic),
            batch_size=self.settings.relay_batch_size,
            poll_seconds=self.settings.relay_poll_seconds,
        )

    def consumer(self, app: Doel, topic: str, service: str) -> Consumer:
        options = kafka_client_options()
        return Consumer(
            app,
            service=service,
            topics=[topic],
            policy=app.policy,
            consumer_factory=consumer_factory(self.bootstrap, service, **options),
            producer_factory=producer_factory(self.bootstrap, **options),
            prepare=self.prepare(topic),
            batch_size=self.settings.consumer_batch_size,
        )

    async def wacht(self, wat: str, klaar: Callable[[], bool]) -> float:
        """Polls an in-memory counter; returns the moment it was reached."""
        deadline = time.monotonic() + self.timeout
        while not klaar():
            if time.monotonic() > deadline:
                raise BenchmarkFailed(f"gave up after {self.timeout:.0f} s: {wat}")
            await asyncio.sleep(0.005)
        return time.monotonic()


@dataclass
class Rij:
    groep: str
    naam: str
    events: int
    seconden: float
    cpu: float | None = None

    @property
    def per_seconde(self) -> float:
        return self.events / self.seconden if self.seconden > 0 else float("inf")


# -- (a) raw aiokafka -------------------------------------------------------------


def berichten(gegevens: list[dict[str, Any]]) -> list[tuple[bytes, bytes]]:
    """The envelopes the relay would send for these slots (encoding not timed)."""
    uitkomst = []
    nu = datetime.now(UTC)
    for volgnummer, slot in enumerate(gegevens, start=1):
        envelope = wrap(
            contract(slot),
            event_id=str(uuid.uuid5(EVENT_ID_NAMESPACE, f"raw:{volgnummer}")),
            sequence=volgnummer,
            time=nu,
        )
        uitkomst.append((envelope.partitionkey.encode(), encode(envelope)))
    return uitkomst


async def kaal(omgeving: Omgeving, gegevens: list[dict[str, Any]]) -> list[Rij]:
    topic = omgeving.topic("kaal")
    await omgeving.prepare(topic)()
    options = kafka_client_options()
    paren = berichten(gegevens)
    aantal = len(paren)
    per_batch = omgeving.settings.relay_batch_size

    producer = producer_factory(omgeving.bootstrap, **options)()
    await producer.start()
    try:
        begin, cpu = time.perf_counter(), time.process_time()
        for start in range(0, aantal, per_batch):
            # as the relay does: send the whole batch, then await every ack
            futures = [
                await producer.send(topic, value=waarde, key=sleutel)
                for sleutel, waarde in paren[start : start + per_batch]
            ]
            await asyncio.gather(*futures)
        produce = Rij(
            "raw aiokafka",
            f"produce (acks=all, {per_batch:,} per batch)",
            aantal,
            time.perf_counter() - begin,
            time.process_time() - cpu,
        )
    finally:
        await producer.stop()

    consumer = consumer_factory(omgeving.bootstrap, None, **options)()
    await consumer.start()
    try:
        consumer.assign([TopicPartition(topic, p) for p in range(omgeving.partitions)])
        gelezen = 0
        deadline = time.monotonic() + omgeving.timeout
        begin, cpu = time.perf_counter(), time.process_time()
        while gelezen < aantal:
            batches = await consumer.getmany(
                timeout_ms=500, max_records=omgeving.settings.consumer_batch_size
            )
            gelezen += sum(len(records) for records in batches.values())
            if time.monotonic() > deadline:
                raise BenchmarkFailed(f"raw consumer read {gelezen} of {aantal}")
        consume = Rij(
            "raw aiokafka",
            "consume (assigned partitions)",
            aantal,
            time.perf_counter() - begin,
            time.process_time() - cpu,
        )
    finally:
        await consumer.stop()
    samen = Rij(
        "raw aiokafka",
        "produce + consume",
        aantal,
        produce.seconden + consume.seconden,
        (produce.cpu or 0) + (consume.cpu or 0),
    )
    return [produce, consume, samen]


# -- (b) and (c): relay, then consumer, one after the other -----------------------


async def na_elkaar(
    omgeving: Omgeving, gegevens: list[dict[str, Any]], leerlingen: int
) -> tuple[list[Rij], str]:
    aantal = len(gegevens)
    topic = omgeving.topic("los")
    bron_naam, doel_naam = omgeving.service("bron_los"), omgeving.service("doel_los")
    bron = Bron(env=store_env(bron_naam, omgeving.settings))
    doel = Doel(env=store_env(doel_naam, omgeving.settings))
    try:
        per_save = omgeving.settings.relay_batch_size
        cpu = time.process_time()
        append = Rij(
            "store",
            f"append (app.save of {per_save:,} events)",
            aantal,
            await asyncio.to_thread(bewaar, bron, gegevens, per_save),
            time.process_time() - cpu,
        )

        relay = omgeving.relay(bron, topic, bron_naam)
        begin, cpu = time.monotonic(), time.process_time()
        taak = asyncio.create_task(relay.run())
        try:
            eerste = await omgeving.wacht(
                "the first batch", lambda: relay.stats.batches > 0
            )
            in_eerste = relay.stats.published
            klaar = await omgeving.wacht(
                "the relay", lambda: relay.stats.published >= aantal
            )
        finally:
            relay.stop()
            await taak
        relay_cpu = time.process_time() - cpu

        consumer = omgeving.consumer(doel, topic, doel_naam)
        c_begin, cpu = time.monotonic(), time.process_time()
        taak = asyncio.create_task(consumer.run())
        try:
            c_eerste = await omgeving.wacht(
                "the first applied batch", lambda: consumer.stats.applied > 0
            )
            c_in_eerste = consumer.stats.applied
            c_klaar = await omgeving.wacht(
                "the consumer", lambda: consumer.stats.applied >= aantal
            )
        finally:
            consumer.stop()
            await taak
        consumer_cpu = time.process_time() - cpu

        geteld = await asyncio.to_thread(doel.geteld, leerlingen)
        controle = _controle(aantal, geteld, consumer)
    finally:
        bron.close()
        doel.close()
    rijen = [
        append,
        Rij("relay", "start to all published", aantal, klaar - begin, relay_cpu),
        Rij("relay", "  after its first batch", aantal - in_eerste, klaar - eerste),
        Rij(
            "consumer",
            "start (group join) to all applied",
            aantal,
            c_klaar - c_begin,
            consumer_cpu,
        ),
        Rij(
            "consumer",
            "  after its first batch",
            aantal - c_in_eerste,
            c_klaar - c_eerste,
        ),
        Rij(
            "relay + consumer",
            "one after the other (relay + consumer rows)",
            aantal,
            (klaar - begin) + (c_klaar - c_begin),
            relay_cpu + consumer_cpu,
        ),
    ]
    return rijen, controle


def _controle(aantal: int, geteld: int, consumer: Consumer) -> str:
    """Every event applied once: counted by the consuming application itself."""
    stats = consumer.stats
    goed = (
        geteld == aantal
        and stats.applied == aantal
        and stats.skipped_duplicates == 0
        and stats.dead_lettered == 0
    )
    return (
        f"{'ok' if goed else 'WRONG'}: {geteld:,} of {aantal:,} counted, "
        f"{stats.applied:,} applied in {stats.batches} batches, "
        f"{stats.skipped_duplicates} duplicates, {stats.dead_lettered} dead-lettered"
    )


# -- (d): relay and consumer running together ------------------------------------


def bron_dienst(
    omgeving: Omgeving,
    aantal: int,
    leerlingen: int,
    gereed: ProcessEvent,
    start: ProcessEvent,
    uitkomst: Queue[dict[str, float]],
) -> None:
    """The source service in its own process: store, and relay what it stored."""
    asyncio.run(_bron_dienst(omgeving, aantal, leerlingen, gereed, start, uitkomst))


async def _bron_dienst(
    omgeving: Omgeving,
    aantal: int,
    leerlingen: int,
    gereed: ProcessEvent,
    start: ProcessEvent,
    uitkomst: Queue[dict[str, float]],
) -> None:
    naam = omgeving.service("bron_samen")
    bron = Bron(env=store_env(naam, omgeving.settings))
    relay = omgeving.relay(bron, omgeving.topic("samen"), naam)
    taak = asyncio.create_task(relay.run())
    try:
        # one warm-up event, so the relay is connected before the clock runs
        await asyncio.to_thread(bewaar, bron, slots(1, leerlingen, eerste=aantal), 1)
        await omgeving.wacht("the warm-up event", lambda: relay.stats.published > 0)
        gereed.set()
        if not await asyncio.to_thread(start.wait, omgeving.timeout):
            return
        begin, cpu = time.monotonic(), time.process_time()
        gegevens = slots(aantal, leerlingen)
        per_save = omgeving.settings.relay_batch_size
        append = 0.0
        for i in range(0, aantal, per_save):
            # as a service does: the use case runs off the event loop, the relay on it
            append += await asyncio.to_thread(
                bewaar, bron, gegevens[i : i + per_save], per_save
            )
        bewaard = time.monotonic()
        gepubliceerd = await omgeving.wacht(
            "the relay", lambda: relay.stats.published >= aantal + 1
        )
        uitkomst.put(
            {
                "begin": begin,
                "bewaard": bewaard,
                "gepubliceerd": gepubliceerd,
                "append": append,
                "cpu": time.process_time() - cpu,
            }
        )
    finally:
        relay.stop()
        await taak
        bron.close()


async def samen(omgeving: Omgeving, aantal: int, leerlingen: int) -> tuple[Rij, ...]:
    context = multiprocessing.get_context("spawn")
    gereed, start = context.Event(), context.Event()
    uitkomst: Queue[dict[str, float]] = context.Queue()
    naam = omgeving.service("doel_samen")
    doel = Doel(env=store_env(naam, omgeving.settings))
    proces: SpawnProcess = context.Process(
        target=bron_dienst,
        args=(omgeving, aantal, leerlingen, gereed, start, uitkomst),
        name="bron-dienst",
    )
    proces.start()
    consumer = omgeving.consumer(doel, omgeving.topic("samen"), naam)
    taak = asyncio.create_task(consumer.run())
    try:
        await omgeving.wacht(
            "the source process",
            lambda: _levend(proces) and gereed.is_set() and consumer.stats.applied > 0,
        )
        cpu = time.process_time()
        start.set()
        klaar = await omgeving.wacht(
            "the consumer",
            lambda: _levend(proces) and consumer.stats.applied >= aantal + 1,
        )
        consumer_cpu = time.process_time() - cpu
        bron = await asyncio.to_thread(uitkomst.get, True, omgeving.timeout)
        await asyncio.to_thread(proces.join, omgeving.timeout)
    finally:
        start.set()
        consumer.stop()
        await taak
        if proces.is_alive():
            proces.terminate()
            proces.join()
    geteld = await asyncio.to_thread(doel.geteld, leerlingen)
    doel.close()
    controle = _controle(aantal + 1, geteld, consumer)
    print(f"check (running together, one warm-up event): {controle}")
    return (
        Rij("store", "  append, relay running", aantal, bron["append"]),
        Rij(
            "relay + consumer",
            "together: first append to last applied",
            aantal,
            klaar - bron["begin"],
            bron["cpu"] + consumer_cpu,
        ),
        Rij(
            "relay + consumer",
            "  last append to last published",
            aantal,
            bron["gepubliceerd"] - bron["bewaard"],
        ),
        Rij(
            "relay + consumer",
            "  last append to last applied",
            aantal,
            klaar - bron["bewaard"],
        ),
    ), controle


def _levend(proces: SpawnProcess) -> bool:
    if not proces.is_alive() and proces.exitcode not in (None, 0):
        raise BenchmarkFailed(f"the source process exited with {proces.exitcode}")
    return True


# -- the run ------------------------------------------------------------------------


@contextlib.contextmanager
def postgres_schemas(settings: PlatformSettings, prefix: str) -> Iterator[None]:
    try:
        yield
    finally:
        with psycopg.connect(settings.postgres_dsn(), autocommit=True) as conn:
            rijen = conn.execute(
                "SELECT schema_name FROM information_schema.schemata "
                "WHERE schema_name LIKE %s",
                (f"{prefix}%",),
            ).fetchall()
            for (schema,) in rijen:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


async def verwijder_topics(omgeving: Omgeving) -> None:
    admin = AIOKafkaAdminClient(
        bootstrap_servers=omgeving.bootstrap, **kafka_client_options()
    )
    await admin.start()
    try:
        ons = [t for t in await admin.list_topics() if t.startswith(omgeving.topic(""))]
        if ons:
            await admin.delete_topics(ons)
    finally:
        await admin.close()


async def meet(omgeving: Omgeving, aantal: int, leerlingen: int) -> bool:
    gegevens = slots(aantal, leerlingen)
    grootte = sum(len(waarde) for _, waarde in berichten(gegevens[:1000]))
    grootte //= min(aantal, 1000)
    settings = omgeving.settings
    print(
        f"{aantal:,} events for {leerlingen:,} pupils, {grootte} bytes per message "
        f"on average, {omgeving.partitions} partitions; store {settings.verzuim_store}"
        f"; broker {omgeving.bootstrap}; relay batch {settings.relay_batch_size:,}, "
        f"consumer batch {settings.consumer_batch_size:,}"
    )
    versleuteld = "CIPHER_KEY" in store_env(omgeving.service("probe"), settings)
    print(
        f"stored payloads {'compressed and encrypted' if versleuteld else 'plain'}; "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at the start"
    )
    try:
        rijen = await kaal(omgeving, gegevens)
        los, controle_los = await na_elkaar(omgeving, gegevens, leerlingen)
        print(f"check (one after the other): {controle_los}")
        rijen += los
        together, controle_samen = await samen(omgeving, aantal, leerlingen)
        rijen += together
    finally:
        if omgeving.bestaande_kafka:
            await verwijder_topics(omgeving)
    druk_af(rijen)
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    return controle_los.startswith("ok") and controle_samen.startswith("ok")


def druk_af(rijen: list[Rij]) -> None:
    print()
    print(f"{'':<18}{'':<44}{'events':>8}{'seconds':>9}{'events/s':>10}{'CPU s':>8}")
    for rij in rijen:
        cpu = "" if rij.cpu is None else f"{rij.cpu:.2f}"
        snelheid = f"{rij.per_seconde:,.0f}" if rij.events else "-"
        print(
            f"{rij.groep:<18}{rij.naam:<44}{rij.events:>8,}{rij.seconden:>9.2f}"
            f"{snelheid:>10}{cpu:>8}"
        )
    ruw = next(r for r in rijen if r.naam == "produce + consume")
    keten = next(r for r in rijen if r.naam.startswith("together"))
    print()
    print(
        f"relay + consumer together {keten.per_seconde:,.0f} events/s (store append "
        f"included) beside raw aiokafka produce + consume {ruw.per_seconde:,.0f} "
        f"events/s"
    )
    print(
        "CPU s: this process only (for 'together': both service processes); "
        "the broker runs in its own process and is not counted"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--leerlingen", type=int, default=1_000, help="pupils (keys)")
    parser.add_argument("--store", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--bootstrap", help="an existing Kafka instead of Tansu")
    parser.add_argument("--partitions", type=int, default=DEFAULT_PARTITIONS)
    parser.add_argument("--timeout", type=float, default=600.0, help="per phase")
    args = parser.parse_args(argv)
    if args.events < 1 or args.leerlingen < 1:
        parser.error("--events and --leerlingen must be positive")

    run = uuid.uuid4().hex[:8]
    werkmap = Path(tempfile.mkdtemp(prefix="relay-consumer-bench-"))
    settings = PlatformSettings(
        verzuim_store=args.store,
        verzuim_data_dir=werkmap,
        kafka_bootstrap_servers=args.bootstrap,
    )

    def omgeving(bootstrap: str) -> Omgeving:
        return Omgeving(
            settings,
            bootstrap,
            run,
            args.partitions,
            args.timeout,
            bestaande_kafka=bool(args.bootstrap),
        )

    try:
        with contextlib.ExitStack() as stack:
            if args.store == "postgres":
                stack.enter_context(postgres_schemas(settings, f"bench_{run}_"))
            if args.bootstrap:
                goed = asyncio.run(
                    meet(omgeving(args.bootstrap), args.events, args.leerlingen)
                )
            else:
                broker = stack.enter_context(EmbeddedBroker())
                goed = asyncio.run(
                    meet(omgeving(broker.bootstrap), args.events, args.leerlingen)
                )
    except BenchmarkFailed as fout:
        print(f"benchmark failed: {fout}", file=sys.stderr)
        return 2
    finally:
        shutil.rmtree(werkmap, ignore_errors=True)
    return 0 if goed else 1


if __name__ == "__main__":
    sys.exit(main())
