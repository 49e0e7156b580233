"""Two analyse replicas in one consumer group; one is killed mid-stream.

Replica A runs as its own process (`python -m services.analyse`, as in a pod) and is
killed with SIGKILL while registratie's events stream in: it commits no offset,
sends no LeaveGroup, and its database sessions drop. Replica B runs in the test
process, so the test can see its partitions, its relay and its counters. They share
what replicas share in production: one PostgreSQL store (a database of the test's
own, schema `analyse`), one consumer group and one relay lock. SQLite is not tried:
replicas are separate pods with separate disks, and one SQLite file under two
processes is not a deployment this project supports.

The upstream stream is built so that applying an event twice is visible: every
pupil first gets four unauthorised lesuren that are then withdrawn or reclassified
as sick. After the kill the whole history is sent again (as a relay does after a
broker loss), then those first lesuren once more: a redelivered classification
applied after its correction would bring them back, and replaying the history would
find and drop duties along the way. Exactly once in effect means: per pupil exactly
the 16 lesuren that count, exactly one V3 duty, and on analyse's topic one event
per duty (copies of that same event allowed, a second event for the same duty not).
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import os
import signal
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from contracts.common import VersleuteldPgn
from contracts.envelope import ContractEvent, decode, encode, wrap
from contracts.registratie import (
    LeerlingGeregistreerd,
    SchoolGeregistreerd,
    VerzuimGeclassificeerd,
    VerzuimVervallen,
)
from contracts.topics import REGISTRATIE, dlq
from leerplicht.fixtures import VO_ROOSTER
from plumbing.leader import _lock_key
from plumbing.runtime import ServiceRuntime
from plumbing.security.crypto import generate_cipher_key
from plumbing.store import store_env
from services.analyse.application import Analyse
from services.analyse.contracts_mapping import meldplicht_id
from services.analyse.domain.aggregate import Leerlingbeeld
from services.analyse.leerling import Leerling
from services.analyse.service import SPEC, Settings
from tests.analyse.test_service_scenarios import kalender, rooster
from tests.conftest import POSTGRES_DSN
from tools.launcher import ProcessEntry, Stack

pytestmark = [pytest.mark.postgres, pytest.mark.broker, pytest.mark.slow]

VANDAAG = "2025-09-17"  # both replicas' clock: the day of the 16th lesuur
PARTITIONS = 3
SCHOLEN = [uuid.UUID(int=0xC000 + i) for i in range(2)]
PER_SCHOOL = 30
TIMEOUT = 40.0

# Per pupil: four unauthorised lesuren on Friday 2025-09-12, then corrected (two
# withdrawn, two reclassified as sick); then 7 + 7 + 2 unauthorised lesuren, which
# makes exactly 16 hours (S01) on 2025-09-17 and one V3 duty.
RUIS = "2025-09-12"
VERVALLEN = [1, 2]
ZIEK = [3, 4]
TELLEND = [
    ("2025-09-15", range(1, 8)),
    ("2025-09-16", range(1, 8)),
    ("2025-09-17", range(1, 3)),
]


# --- upstream: registratie's events, as its relay puts them on the topic -----------


@dataclass
class Bericht:
    topic: str
    key: bytes
    value: bytes
    volgnaam: str  # the consumer's dedupe key: source|partitionkey
    volgnummer: int


@dataclass
class Registratie:
    """Publishes registratie's contract events with a growing `sequence`."""

    producer: AIOKafkaProducer
    topic: str
    volgnummers: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    verstuurd: list[Bericht] = field(default_factory=list)
    einde: dict[int, int] = field(default_factory=dict)  # partition: end offset

    async def _zend(self, berichten: list[Bericht]) -> None:
        wachtend = [
            await self.producer.send(self.topic, value=b.value, key=b.key)
            for b in berichten
        ]
        for metadata in await asyncio.gather(*wachtend):
            vorig = self.einde.get(metadata.partition, 0)
            self.einde[metadata.partition] = max(vorig, metadata.offset + 1)

    async def stuur(self, *events: ContractEvent) -> list[Bericht]:
        nieuw = []
        for event in events:
            envelope = wrap(
                event,
                event_id=str(uuid.uuid4()),
                sequence=next(self.volgnummers),
                time=datetime.now(UTC),
            )
            bericht = Bericht(
                self.topic,
                envelope.partitionkey.encode(),
                encode(envelope),
                f"{envelope.source}|{envelope.partitionkey}",
                int(envelope.sequence),
            )
            nieuw.append(bericht)
        self.verstuurd += nieuw
        await self._zend(nieuw)
        return nieuw

    async def nog_eens(self, berichten: list[Bericht]) -> int:
        """Messages again, unchanged and in order (a republish, a redelivery)."""
        berichten = list(berichten)
        await self._zend(berichten)
        return len(berichten)

    def laatste(self) -> dict[str, int]:
        return {b.volgnaam: b.volgnummer for b in self.verstuurd}


def school(school_id: uuid.UUID) -> SchoolGeregistreerd:
    return SchoolGeregistreerd(
        school_id=school_id,
        brin="99ZY",
        naam="Testschool",
        sector="vo",
        kalender=kalender(),
        rooster=rooster(VO_ROOSTER),
        beleid={},
    )


def leerling(school_id: uuid.UUID, nummer: int) -> LeerlingGeregistreerd:
    return LeerlingGeregistreerd(
        leerling_id=uuid.UUID(int=(school_id.int << 16) + nummer),
        school_id=school_id,
        geboortedatum=date(2011, 3, 10),
        woongemeente="Teststad",
        inschrijving_vanaf=date(2025, 8, 1),
        klas="1A",
        leerjaar=1,
        pgn=VersleuteldPgn(soort="bsn", versleuteld="bm90LWVlbi1ic24="),
    )


def lesuur(
    p: LeerlingGeregistreerd, dag: str, nummer: int, status: str = "ongeoorloofd"
) -> VerzuimGeclassificeerd:
    """VO: a fully missed lesuur of 50 minutes counts 60 (D3)."""
    ziek = status == "geoorloofd"
    return VerzuimGeclassificeerd(
        leerling_id=p.leerling_id,
        school_id=p.school_id,
        slot_id=f"{dag}/{nummer}",
        datum=date.fromisoformat(dag),
        lesuur=nummer,
        status=status,  # type: ignore[arg-type]
        reden_code="ZIEK" if ziek else "SPIJB",
        soort="afwezig",
        minuten=60,
        gemiste_minuten=50,
        eenheid="lesuur",
        ziek=ziek,
    )


def vervallen(p: LeerlingGeregistreerd, dag: str, nummer: int) -> VerzuimVervallen:
    return VerzuimVervallen(
        leerling_id=p.leerling_id,
        school_id=p.school_id,
        slot_id=f"{dag}/{nummer}",
        datum=date.fromisoformat(dag),
        lesuur=nummer,
    )


def rondes(p: LeerlingGeregistreerd) -> list[list[ContractEvent]]:
    """The pupil's events after its registration, in the rounds they are sent."""
    return [
        [lesuur(p, RUIS, n) for n in (*VERVALLEN, *ZIEK)],
        [vervallen(p, RUIS, n) for n in VERVALLEN]
        + [lesuur(p, RUIS, n, "geoorloofd") for n in ZIEK],
        *([lesuur(p, dag, n) for n in nummers] for dag, nummers in TELLEND),
    ]


# --- the shared store and the replicas ---------------------------------------------


@pytest.fixture
def database(postgres_available: bool, unique: str) -> Iterator[str]:
    """A database of the test's own: the services' schema names are fixed."""
    if not postgres_available:
        pytest.fail("PostgreSQL at 127.0.0.1:5432 is required for this test")
    name = f"t_{unique}"
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield name
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Omgeving:
    broker: str
    database: str
    prefix: str
    data_dir: Path
    cipher_key: str = field(default_factory=generate_cipher_key)

    def variabelen(self, replica: str) -> dict[str, str]:
        """The environment of one replica, as a pod would get it."""
        return {
            "VERZUIM_STORE": "postgres",
            "POSTGRES_DBNAME": self.database,
            "VERZUIM_DATA_DIR": str(self.data_dir / replica),
            "KAFKA_BOOTSTRAP_SERVERS": self.broker,
            "KAFKA_TOPIC_PREFIX": self.prefix,
            "KAFKA_PARTITIONS": str(PARTITIONS),
            "RELAY_POLL_SECONDS": "0.05",
            "CONSUMER_BATCH_SIZE": "100",
            "VERZUIM_KLOK": VANDAAG,
            # Replicas share the store, so they share its key (a secret in k8s).
            "VERZUIM_CIPHER_KEY": self.cipher_key,
        }

    def settings(self, replica: str) -> Settings:
        return Settings(
            **{k.lower(): v for k, v in self.variabelen(replica).items()}  # type: ignore[arg-type]
        )

    @property
    def relay_lock(self) -> tuple[int, int]:
        """The (classid, objid) of the relay's advisory lock in pg_locks."""
        key = _lock_key(f"verzuimketen-relay-analyse{self.prefix}") & (2**64 - 1)
        return key >> 32, key & 0xFFFFFFFF

    def relay_lock_holder(self) -> int | None:
        classid, objid = self.relay_lock
        with psycopg.connect(POSTGRES_DSN, autocommit=True) as conn:
            row = conn.execute(
                "SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database"
                " WHERE l.locktype = 'advisory' AND l.granted AND d.datname = %s"
                " AND l.classid::bigint = %s AND l.objid::bigint = %s"
                " AND l.objsubid = 1",
                (self.database, classid, objid),
            ).fetchone()
        return None if row is None else int(row[0])


@pytest.fixture
def omgeving(broker: str, database: str, unique: str, tmp_path: Path) -> Omgeving:
    return Omgeving(broker, database, f"r{unique}.", tmp_path)


class ReplicaA:
    """Replica A in a process of its own, to be killed without warning."""

    def __init__(self, omgeving: Omgeving) -> None:
        self.regels: list[str] = []
        self.stack = Stack(
            [ProcessEntry("analyse-a", "services.analyse", 0)],
            free_ports=True,
            bootstrap=omgeving.broker,
            env={**os.environ, **omgeving.variabelen("a")},
            output=lambda _, regel: self.regels.append(regel),
        )

    async def start(self) -> None:
        await self.stack.start()

    def kill(self) -> None:
        (running,) = self.stack.running
        os.killpg(running.process.pid, signal.SIGKILL)

    async def wacht_op_einde(self) -> int:
        (running,) = self.stack.running
        return await running.process.wait()

    async def stop(self) -> None:
        await self.stack.stop()

    def staart(self) -> str:
        return "\n".join(self.regels[-30:])


# --- reading the outcome ------------------------------------------------------------


async def wacht(
    check: Callable[[], Any], waarom: str, timeout: float = TIMEOUT
) -> None:
    """Until `check()` (a bool, or an awaitable of one) holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        klaar = check()
        if inspect.isawaitable(klaar):
            klaar = await klaar
        if klaar:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not reached in {timeout}s: {waarom}")
        await asyncio.sleep(0.1)


def toegepast(lezer: Analyse, registratie: Registratie) -> int:
    """How many sent messages the shared store shows as applied (once each)."""
    posities: dict[str, int] = {}
    aantal = 0
    gezien: set[tuple[str, int]] = set()
    for b in registratie.verstuurd:
        if (b.volgnaam, b.volgnummer) in gezien:
            continue
        gezien.add((b.volgnaam, b.volgnummer))
        if b.volgnaam not in posities:
            posities[b.volgnaam] = lezer.tracked_position(b.volgnaam)
        aantal += b.volgnummer <= posities[b.volgnaam]
    return aantal


def alles_toegepast(lezer: Analyse, registratie: Registratie) -> bool:
    return all(
        lezer.tracked_position(naam) == laatste
        for naam, laatste in registratie.laatste().items()
    )


async def lees_topic(bootstrap: str, topic: str) -> list[tuple[Any, Any]]:
    """Every (envelope, event) on a topic, from the start to its current end."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        partities = [TopicPartition(topic, p) for p in range(PARTITIONS)]
        consumer.assign(partities)
        await consumer.seek_to_beginning(*partities)
        eind = await consumer.end_offsets(partities)
        gelezen: list[tuple[Any, Any]] = []
        open_partities = [tp for tp in partities if eind[tp] > 0]
        while open_partities:
            batch = await consumer.getmany(*open_partities, timeout_ms=500)
            for records in batch.values():
                gelezen += [decode(r.value) for r in records]
            open_partities = [
                tp for tp in open_partities if await consumer.position(tp) < eind[tp]
            ]
        return gelezen
    finally:
        await consumer.stop()


async def alles_vastgelegd(runtime: ServiceRuntime, registratie: Registratie) -> bool:
    """Whether the group's committed offsets reached everything sent."""
    consumer = runtime.consumer._consumer if runtime.consumer else None  # noqa: SLF001
    if consumer is None:
        return False
    for partitie, einde in registratie.einde.items():
        vastgelegd = await consumer.committed(
            TopicPartition(registratie.topic, partitie)
        )
        if (vastgelegd or 0) < einde:
            return False
    return True


def assignment(runtime: ServiceRuntime) -> set[TopicPartition]:
    consumer = runtime.consumer
    if consumer is None or consumer._consumer is None:  # noqa: SLF001
        return set()
    return set(consumer._consumer.assignment())  # noqa: SLF001


def leader_pid(runtime: ServiceRuntime) -> int | None:
    """The backend pid of B's relay lock connection, once it has one."""
    assert runtime.relay is not None
    lock = runtime.relay._leader  # noqa: SLF001
    conn = getattr(lock, "_conn", None)
    return None if conn is None or conn.closed else int(conn.info.backend_pid)


# --- the test -----------------------------------------------------------------------


async def test_two_replicas_one_killed_every_event_applied_exactly_once(
    omgeving: Omgeving,
) -> None:
    begin = time.monotonic()
    scholen = [school(s) for s in SCHOLEN]
    leerlingen = [leerling(s, n) for s in SCHOLEN for n in range(PER_SCHOOL)]
    producer = AIOKafkaProducer(
        bootstrap_servers=omgeving.broker, acks="all", linger_ms=2
    )
    await producer.start()
    registratie = Registratie(producer, omgeving.prefix + REGISTRATIE)
    a = ReplicaA(omgeving)
    b = ServiceRuntime(SPEC, omgeving.settings("b"))
    lezer: Analyse | None = None
    try:
        # Replica A starts alone: it creates the store and takes the relay lock.
        await a.start()
        lezer = Analyse(env=store_env("analyse", omgeving.settings("lezer")))
        await wacht(
            lambda: asyncio.to_thread(omgeving.relay_lock_holder),
            "replica A holds the relay lock",
        )
        a_leider = await asyncio.to_thread(omgeving.relay_lock_holder)
        await registratie.stuur(*scholen, *leerlingen)
        await wacht(
            lambda: asyncio.to_thread(alles_toegepast, lezer, registratie),
            "replica A applied the registrations",
        )

        # Replica B joins the group; both end up with partitions.
        await b.start()
        alle_partities = {
            TopicPartition(t, p) for t in b.upstream_topics for p in range(PARTITIONS)
        }

        await wacht(
            lambda: 0 < len(assignment(b)) < len(alle_partities),
            "B holds part of the partitions",
        )
        await wacht(
            lambda: leader_pid(b) is not None,
            "B tries the relay lock",
        )
        assert await asyncio.to_thread(omgeving.relay_lock_holder) == a_leider
        assert leader_pid(b) != a_leider
        assert b.relay is not None and b.relay.stats.published == 0

        # Round one: both replicas apply part of it.
        per_leerling = {p.leerling_id: rondes(p) for p in leerlingen}
        ruis = await registratie.stuur(
            *(e for r in per_leerling.values() for e in r[0])
        )
        await wacht(
            lambda: asyncio.to_thread(alles_toegepast, lezer, registratie),
            "both replicas applied the first round",
        )
        assert b.consumer is not None
        door_a = (
            await asyncio.to_thread(toegepast, lezer, registratie)
            - b.consumer.stats.applied
        )
        assert b.consumer.stats.applied > 0, "B applied none of the first round"
        assert door_a > len(leerlingen) + len(scholen), "A applied none of it"
        assert len(assignment(b)) < len(alle_partities)

        # The rest streams in; A is killed while it applies it.
        async def stroom() -> None:
            for ronde in range(1, 5):
                for p in leerlingen:
                    await registratie.stuur(*per_leerling[p.leerling_id][ronde])
                    await asyncio.sleep(0.005)

        stromer = asyncio.create_task(stroom())
        voor_stroom = door_a

        async def a_werkt_mee() -> bool:
            totaal = await asyncio.to_thread(toegepast, lezer, registratie)
            assert b.consumer is not None
            return totaal - b.consumer.stats.applied > voor_stroom

        await wacht(a_werkt_mee, "replica A applies streamed events")
        assert not stromer.done(), "the stream ended before A was killed"
        a.kill()
        assert await a.wacht_op_einde() == -signal.SIGKILL
        gedood = time.monotonic()
        await stromer

        # A republish of everything, as after a broker loss: each one a duplicate.
        opnieuw = await registratie.nog_eens(registratie.verstuurd)
        # And the first lesuren once more, late: they were corrected long since.
        opnieuw += await registratie.nog_eens(ruis)

        # B takes over every partition and the relay lock, and catches up.
        await wacht(
            lambda: assignment(b) == alle_partities,
            "B holds every partition",
        )
        overname = time.monotonic() - gedood
        await wacht(
            lambda: asyncio.to_thread(alles_toegepast, lezer, registratie),
            "every event applied",
        )
        await wacht(
            lambda: alles_vastgelegd(b, registratie),
            "B committed every offset of the republish",
        )
        assert b.consumer.stats.skipped_duplicates >= opnieuw
        assert await asyncio.to_thread(omgeving.relay_lock_holder) == leader_pid(b)

        def relay_bij() -> bool:
            assert b.relay is not None and lezer is not None
            return b.relay.position() >= (lezer.recorder.max_notification_id() or 0)

        await wacht(lambda: asyncio.to_thread(relay_bij), "B's relay published all")
        assert b.relay.stats.published > 0
        assert b.consumer.stats.dead_lettered == 0

        # Exactly once in effect, per pupil: the 16 lesuren that count, one V3.
        ruis_weg = {f"{RUIS}/{n}" for n in VERVALLEN}
        ruis_ziek = {f"{RUIS}/{n}" for n in ZIEK}
        tellend = {f"{dag}/{n}" for dag, nummers in TELLEND for n in nummers}
        verwacht_ids: dict[uuid.UUID, uuid.UUID] = {}
        for p in leerlingen:
            lid = str(p.leerling_id)
            lln = lezer.repository.get(Leerling.create_id(lid))
            assert set(lln.verzuim) == tellend | ruis_ziek, lid
            assert not set(lln.verzuim) & ruis_weg
            telt = {
                i: s
                for i, s in lln.verzuim.items()
                if s.status == "ongeoorloofd" and lln.telt(s)
            }
            assert set(telt) == tellend, lid
            assert sum(s.minuten for s in telt.values()) == 960
            assert {lln.verzuim[i].status for i in ruis_ziek} == {"geoorloofd"}

            beeld = lezer.repository.get(Leerlingbeeld.create_id(lid))
            [plicht] = beeld.resultaat.meldplichten
            assert (plicht.soort.value, plicht.minuten) == ("V3", 960)
            assert set(plicht.slot_ids) == tellend
            assert beeld.vervallen == ()
            verwacht_ids[meldplicht_id(lid, plicht.sleutel)] = p.leerling_id

        # On analyse's topic: one event per duty; copies of it allowed, no second one.
        berichten = await lees_topic(omgeving.broker, b.own_topic)
        per_plicht: dict[uuid.UUID, set[str]] = defaultdict(set)
        for envelope, event in berichten:
            assert type(event).__name__ != "MeldplichtVervallen"
            if type(event).__name__ == "MeldplichtVastgesteld":
                per_plicht[event.meldplicht_id].add(envelope.id)
                assert (event.minuten, len(event.slots)) == (960, 16)
                assert verwacht_ids[event.meldplicht_id] == event.leerling_id
        assert set(per_plicht) == set(verwacht_ids)
        assert all(len(ids) == 1 for ids in per_plicht.values()), {
            k: v for k, v in per_plicht.items() if len(v) > 1
        }
        # Nothing stored went missing when the relay changed hands.
        opgeslagen = {
            decode(value)[0].id
            for _, _, value in b.relay._encode(  # noqa: SLF001
                lezer.recorder.select_notifications(1, 1_000_000)
            )
        }
        assert {envelope.id for envelope, _ in berichten} == opgeslagen
        assert await lees_topic(omgeving.broker, dlq(registratie.topic)) == []

        duur = time.monotonic() - begin
        print(
            f"\nreplicas: {len(registratie.verstuurd)} messages "
            f"({opnieuw} republished), A applied {door_a} before the stream, "
            f"B applied {b.consumer.stats.applied}, skipped "
            f"{b.consumer.stats.skipped_duplicates}; B took over all partitions "
            f"{overname:.1f}s after the kill; test {duur:.1f}s"
        )
    except BaseException:
        print("replica A's last lines:\n" + a.staart())
        raise
    finally:
        await b.stop()
        await a.stop()
        await producer.stop()
        if lezer is not None:
            with contextlib.suppress(Exception):
                lezer.close()
