"""Relay and consumer on the real embedded broker: no loss, no double effect."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from eventsourcing.utils import get_topic

from contracts.registratie import VerzuimVervallen
from plumbing.consumer import Consumer
from plumbing.kafka import consumer_factory, producer_factory
from plumbing.relay import Relay
from tests.platform.toy import Bron, Doel, Teller, bron_contract

PARTITIONS = 3


async def create_topics(bootstrap: str, *names: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        new = [NewTopic(n, PARTITIONS, 1) for n in names if n not in existing]
        if new:
            await admin.create_topics(new)
    finally:
        await admin.close()


def sqlite_app(cls, path: Path):
    return cls(
        env={
            "PERSISTENCE_MODULE": "plumbing.store:SQLiteStore",
            "SQLITE_DBNAME": str(path),
        }
    )


class System:
    """Upstream app + relay, downstream app + consumer, on one topic."""

    def __init__(self, bootstrap: str, tmp: Path, unique: str, *, assign=True):
        self.bootstrap = bootstrap
        self.tmp = tmp
        self.topic = f"t{unique}.bron"
        self.group = f"g{unique}"
        self.assign = assign
        self.bron = sqlite_app(Bron, tmp / "bron.sqlite")
        self.doel = sqlite_app(Doel, tmp / "doel.sqlite")
        self.tasks: list[asyncio.Task] = []
        self.relay: Relay | None = None
        self.consumer: Consumer | None = None

    async def prepare(self) -> None:
        await create_topics(self.bootstrap, self.topic, f"{self.topic}.dlq")

    def new_relay(self) -> Relay:
        return Relay(
            self.bron,
            topic=self.topic,
            to_contract=bron_contract,
            producer_factory=producer_factory(self.bootstrap),
            consumer_factory=consumer_factory(self.bootstrap, None),
            prepare=self.prepare,
            poll_seconds=0.05,
        )

    def new_consumer(self, wanted=None) -> Consumer:
        return Consumer(
            self.doel,
            service="doel",
            topics=[self.topic],
            policy=self.doel.policy,
            wanted=wanted,
            consumer_factory=consumer_factory(
                self.bootstrap, None if self.assign else self.group
            ),
            producer_factory=producer_factory(self.bootstrap),
            assign=self.assign,
        )

    def start_relay(self) -> None:
        self.relay = self.new_relay()
        self.tasks.append(asyncio.create_task(self.relay.run()))

    def start_consumer(self) -> None:
        self.consumer = self.new_consumer()
        self.tasks.append(asyncio.create_task(self.consumer.run()))

    async def stop(self) -> None:
        for part in (self.relay, self.consumer):
            if part is not None:
                part.stop()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks.clear()


async def wait_until(check, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


PUPILS = [uuid.UUID(int=i + 1) for i in range(5)]


def expected_slots(n: int) -> list[str]:
    return [f"slot-{i}" for i in range(n)]


async def test_relay_and_consumer_apply_every_event_once(broker, tmp_path, unique):
    system = System(broker, tmp_path, unique)
    await system.prepare()
    for pupil in PUPILS:
        system.bron.tik(pupil, 20)
    system.start_relay()
    system.start_consumer()
    try:
        await wait_until(
            lambda: all(len(system.doel.slots_of(p)) == 20 for p in PUPILS)
        )
    finally:
        await system.stop()
    for pupil in PUPILS:
        assert system.doel.slots_of(pupil) == expected_slots(20)


async def test_relay_restart_republishes_nothing_twice_in_effect(
    broker, tmp_path, unique
):
    system = System(broker, tmp_path, unique)
    await system.prepare()
    system.start_consumer()
    relay = system.new_relay()
    await relay._connect()  # noqa: SLF001 - drive the relay by hand
    system.bron.tik(PUPILS[0], 10)
    assert await relay.publish_once() == 11
    await relay._disconnect()  # noqa: SLF001

    # A crash after producing but before recording the position: produce again.
    system.bron.tik(PUPILS[0], 5)
    relay2 = system.new_relay()
    await relay2._connect()  # noqa: SLF001
    position = relay2.position()
    await relay2.publish_once()
    # A relay that died before recording its position publishes the batch again.
    messages = relay2._encode(  # noqa: SLF001
        system.bron.recorder.select_notifications(position + 1, 100)
    )
    assert relay2._producer is not None  # noqa: SLF001
    for key, _, value in messages:
        await relay2._producer.send_and_wait(system.topic, value=value, key=key)  # noqa: SLF001
    await relay2._disconnect()  # noqa: SLF001
    try:
        await wait_until(lambda: len(system.doel.slots_of(PUPILS[0])) >= 15)
        await asyncio.sleep(1.0)
    finally:
        await system.stop()
    assert system.doel.slots_of(PUPILS[0]) == expected_slots(15)
    assert system.consumer is not None
    assert system.consumer.stats.skipped_duplicates >= 5


async def test_service_accepts_work_while_broker_is_down_and_catches_up(
    own_broker, tmp_path, unique
):
    system = System(own_broker.bootstrap_servers, tmp_path, unique)
    await system.prepare()
    system.start_relay()
    system.start_consumer()
    try:
        system.bron.tik(PUPILS[0], 5)
        await wait_until(lambda: len(system.doel.slots_of(PUPILS[0])) == 5)

        await own_broker.astop()
        system.bron.tik(PUPILS[0], 5)  # the store takes work without a broker
        system.bron.tik(PUPILS[1], 3)
        await asyncio.sleep(1.0)
        await own_broker.astart()  # memory broker: every topic and offset is gone

        await wait_until(
            lambda: (
                len(system.doel.slots_of(PUPILS[0])) == 10
                and len(system.doel.slots_of(PUPILS[1])) == 3
            ),
            timeout=60,
        )
    finally:
        await system.stop()
    assert system.doel.slots_of(PUPILS[0]) == expected_slots(10)
    assert system.doel.slots_of(PUPILS[1]) == expected_slots(3)
    assert system.relay is not None and system.relay.stats.epochs_started >= 1


async def test_poison_message_goes_to_dlq_and_partition_moves_on(
    broker, tmp_path, unique
):
    system = System(broker, tmp_path, unique)
    await system.prepare()
    producer = AIOKafkaProducer(bootstrap_servers=broker, acks="all")
    await producer.start()
    key = str(PUPILS[0]).encode()
    try:
        await producer.send_and_wait(system.topic, value=b"{not json", key=key)
    finally:
        await producer.stop()
    system.bron.tik(PUPILS[0], 3)
    system.start_relay()
    system.start_consumer()
    try:
        await wait_until(lambda: len(system.doel.slots_of(PUPILS[0])) == 3)
    finally:
        await system.stop()
    assert system.consumer is not None
    assert system.consumer.stats.dead_lettered == 1
    dead = await read_all(broker, f"{system.topic}.dlq")
    assert len(dead) == 1
    assert dead[0].value == b"{not json"
    assert dead[0].key == key
    headers = dict(dead[0].headers)
    assert headers["dlq.origin.topic"] == system.topic.encode()
    assert b"invalid message" in headers["dlq.error"]


async def test_consumer_passes_over_types_it_does_not_use_by_their_header(
    broker, tmp_path, unique
):
    # Given a message of another type whose body would be refused if parsed, then
    # three events the relay publishes with their type header.
    system = System(broker, tmp_path, unique)
    await system.prepare()
    producer = AIOKafkaProducer(bootstrap_servers=broker, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            system.topic,
            value=b"{not json",
            key=str(PUPILS[0]).encode(),
            headers=[("ce_type", b"nl.verzuimketen.iets.anders.v1")],
        )
    finally:
        await producer.stop()
    system.bron.tik(PUPILS[0], 3)
    system.start_relay()

    # When the consumer only wants the type the relay publishes.
    wanted = frozenset({VerzuimVervallen.event_type()})
    system.consumer = system.new_consumer(wanted=wanted)
    system.tasks.append(asyncio.create_task(system.consumer.run()))
    try:
        await wait_until(lambda: len(system.doel.slots_of(PUPILS[0])) == 3)
    finally:
        await system.stop()

    # Then the other message was passed over unread: applied nothing, no DLQ.
    assert system.consumer.stats.passed_over == 1
    assert system.consumer.stats.dead_lettered == 0
    assert await read_all(broker, f"{system.topic}.dlq") == []


async def test_failing_handler_dead_letters_after_retries(broker, tmp_path, unique):
    system = System(broker, tmp_path, unique)
    await system.prepare()
    system.doel.fail_on = {"slot-1"}
    system.bron.tik(PUPILS[0], 3)
    system.start_relay()
    system.start_consumer()
    try:
        await wait_until(lambda: len(system.doel.slots_of(PUPILS[0])) == 2)
    finally:
        await system.stop()
    assert system.doel.slots_of(PUPILS[0]) == ["slot-0", "slot-2"]
    assert system.consumer is not None and system.consumer.stats.dead_lettered == 1


async def read_all(bootstrap: str, topic: str):
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        batches = await consumer.getmany(timeout_ms=3000)
        return [r for records in batches.values() for r in records]
    finally:
        await consumer.stop()


async def test_crash_between_applying_and_committing_counts_each_event_once(
    broker, tmp_path, unique
):
    """Pitfall T7: applied, then killed before the offset commit; restart."""
    system = System(broker, tmp_path, unique, assign=False)
    await system.prepare()
    system.bron.tik(PUPILS[0], 10)
    relay = system.new_relay()
    await relay._connect()  # noqa: SLF001
    await relay.publish_once()
    await relay._disconnect()  # noqa: SLF001

    first = system.new_consumer()
    await first._connect()  # noqa: SLF001
    assert first._consumer is not None  # noqa: SLF001

    async def killed(*_args, **_kwargs):
        raise ConnectionAbortedError("process killed before commit")

    first._consumer.commit = killed  # noqa: SLF001
    applied = 0
    with pytest.raises(ConnectionAbortedError):
        while applied < 10:
            applied += await first.poll_once(timeout_ms=3000)
    assert system.doel.slots_of(PUPILS[0]) == expected_slots(10)
    await first._disconnect()  # noqa: SLF001

    system.start_consumer()  # same group: no committed offset, reads everything again
    try:
        await wait_until(
            lambda: (
                system.consumer is not None
                and system.consumer.stats.skipped_duplicates >= 10
            ),
            timeout=45,
        )
    finally:
        await system.stop()
    assert system.doel.slots_of(PUPILS[0]) == expected_slots(10)


async def test_transient_store_error_is_retried_not_dead_lettered(
    broker, tmp_path, unique
):
    """Pitfall T7, second half: a database hiccup neither skips nor dead-letters."""
    from eventsourcing.persistence import OperationalError

    system = System(broker, tmp_path, unique)
    await system.prepare()
    failures = {"left": 2}
    original = system.doel.policy

    def flaky(uow, evt, envelope):
        if evt.slot_id == "slot-5" and failures["left"] > 0:
            failures["left"] -= 1
            raise OperationalError("database is locked")
        original(uow, evt, envelope)

    system.doel.policy = flaky  # type: ignore[method-assign]
    system.bron.tik(PUPILS[0], 8)
    system.start_relay()
    system.start_consumer()
    try:
        await wait_until(lambda: len(system.doel.slots_of(PUPILS[0])) == 8)
    finally:
        await system.stop()
    assert system.doel.slots_of(PUPILS[0]) == expected_slots(8)
    assert failures["left"] == 0
    assert system.consumer is not None and system.consumer.stats.dead_lettered == 0


async def test_two_consumers_in_one_group_survive_losing_one(broker, tmp_path, unique):
    """Two replicas share the partitions; one dies; every event applied once."""
    system = System(broker, tmp_path, unique, assign=False)
    await system.prepare()
    pupils = [uuid.UUID(int=100 + i) for i in range(12)]
    for pupil in pupils:
        system.bron.tik(pupil, 5)
    system.start_relay()
    first = system.new_consumer()
    second = system.new_consumer()
    tasks = [asyncio.create_task(first.run()), asyncio.create_task(second.run())]
    try:
        await wait_until(lambda: first.stats.applied + second.stats.applied > 0, 45)
        second.stop()
        await tasks[1]
        for pupil in pupils:
            system.bron.tik(pupil, 5)
        await wait_until(
            lambda: all(len(system.doel.slots_of(p)) == 10 for p in pupils), 60
        )
    finally:
        first.stop()
        await system.stop()
        await asyncio.gather(*tasks, return_exceptions=True)
    for pupil in pupils:
        assert system.doel.slots_of(pupil) == expected_slots(10)


async def test_a_consumer_stopped_mid_batch_commits_nothing(broker, tmp_path, unique):
    """Stopping between fetching and storing must not move the group's offsets."""
    system = System(broker, tmp_path, unique, assign=False)
    await system.prepare()
    system.bron.tik(PUPILS[0], 4)
    relay = system.new_relay()
    await relay._connect()  # noqa: SLF001
    await relay.publish_once()
    await relay._disconnect()  # noqa: SLF001

    first = system.new_consumer()
    await first._connect()  # noqa: SLF001
    original = first._apply_with_retries  # noqa: SLF001

    async def stop_then_apply(batch):
        first.stop()  # the service shuts down while the batch is in hand
        return await original(batch)

    first._apply_with_retries = stop_then_apply  # noqa: SLF001
    fetched = 0
    for _ in range(20):
        fetched = await first.poll_once(timeout_ms=1000)
        if first._stopping.is_set():  # noqa: SLF001
            break
    await first._disconnect()  # noqa: SLF001
    assert system.doel.slots_of(PUPILS[0]) == []
    assert fetched == 0

    system.start_consumer()
    try:
        await wait_until(lambda: len(system.doel.slots_of(PUPILS[0])) == 4, 45)
    finally:
        await system.stop()
    assert system.doel.slots_of(PUPILS[0]) == expected_slots(4)


async def test_a_save_wakes_the_relay_before_its_next_poll(broker, tmp_path, unique):
    system = System(broker, tmp_path, unique)
    await system.prepare()
    system.bron.tik(PUPILS[0], 1)
    relay = system.new_relay()
    relay.poll_seconds = 60.0  # without the wake-up nothing more comes in a minute
    system.bron.on_recorded(relay.wake)
    system.relay = relay
    system.tasks.append(asyncio.create_task(relay.run()))
    system.start_consumer()
    try:
        await wait_until(lambda: len(system.doel.slots_of(PUPILS[0])) == 1)
        await asyncio.sleep(0.2)  # the relay has found the log empty and idles
        # saved from another thread, as the services' endpoints and consumers do
        await asyncio.to_thread(system.bron.tik, PUPILS[1], 3)
        await wait_until(lambda: len(system.doel.slots_of(PUPILS[1])) == 3, 10.0)
    finally:
        await system.stop()


async def test_a_relay_with_an_outbox_reads_only_those_events_and_covers_the_log(
    broker, tmp_path, unique
):
    system = System(broker, tmp_path, unique)
    await system.prepare()
    for pupil in PUPILS[:3]:
        system.bron.tik(pupil, 4)
    system.bron.tik(PUPILS[3], 0)  # last in the log: an event that is no message
    offered: list[Any] = []

    def mapper(domain_event: Any) -> Any:
        offered.append(domain_event)
        return bron_contract(domain_event)

    relay = system.new_relay()
    relay.to_contract = mapper
    relay.event_topics = (get_topic(Teller.Getikt),)
    system.relay = relay
    system.tasks.append(asyncio.create_task(relay.run()))
    system.start_consumer()
    try:
        await wait_until(
            lambda: all(len(system.doel.slots_of(p)) == 4 for p in PUPILS[:3])
        )
        last = system.bron.recorder.max_notification_id()
        await wait_until(lambda: relay.position() == last)
    finally:
        await system.stop()
    assert len(offered) == 12
    assert all(isinstance(e, Teller.Getikt) for e in offered)
