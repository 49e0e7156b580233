"""The relay: publishes a service's stored domain events to its Kafka topic.

Outbox by construction: the relay follows the service's own notification log from
the position it recorded last, produces one batch (keyed by the pupil's internal id,
``acks=all``), awaits every acknowledgement, and only then records the new position
in the service's own store. A crash between producing and recording republishes the
batch; consumers skip what they already applied. The service keeps accepting work
while the broker is down; the relay catches up when it is back.

A broker that lost its storage (the embedded broker keeps nothing on restart) is
noticed by comparing the topic's end offsets with what this relay knows it put
there; the relay then starts a new *epoch* and republishes the whole log. Tracking
rows only ever grow, so the position is tracked per epoch.

Every message carries its CloudEvents type in the `ce_type` header as well, so a
consumer can pass over the types it has no use for without parsing them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.errors import KafkaError
from eventsourcing.persistence import Notification, Tracking

from contracts.envelope import TYPE_HEADER, ContractEvent, encode, wrap
from plumbing.leader import LeaderLock
from plumbing.store import ServiceApplication

logger = logging.getLogger(__name__)

EVENT_ID_NAMESPACE = uuid.UUID("6f1d3c52-3a55-4d5e-9a53-0f4f1c2b9e11")

#: Maps a stored domain event to its public contract, or None for internal events.
ContractMapper = Callable[[Any], ContractEvent | None]


@dataclass
class RelayStats:
    published: int = 0
    batches: int = 0
    epochs_started: int = 0
    errors: int = 0
    errors_in_a_row: int = 0


class Relay:
    def __init__(
        self,
        app: ServiceApplication,
        *,
        topic: str,
        to_contract: ContractMapper,
        producer_factory: Callable[[], AIOKafkaProducer],
        consumer_factory: Callable[[], AIOKafkaConsumer],
        leader: LeaderLock | None = None,
        prepare: Callable[[], Awaitable[None]] | None = None,
        batch_size: int = 1000,
        poll_seconds: float = 0.25,
        metrics: Any = None,
        event_topics: Sequence[str] = (),
    ) -> None:
        self.app = app
        self.topic = topic
        self.to_contract = to_contract
        self._producer_factory = producer_factory
        self._consumer_factory = consumer_factory
        self._leader = leader
        self._prepare = prepare
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        # Stored event topics that can become messages; empty: every event is
        # offered to `to_contract`.
        self.event_topics = tuple(event_topics)
        self._metrics = metrics
        self._producer: AIOKafkaProducer | None = None
        self._probe: AIOKafkaConsumer | None = None
        self._floors: dict[int, int] | None = None
        self._stopping = asyncio.Event()
        self._woken = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self.stats = RelayStats()

    # -- positions ---------------------------------------------------------------

    @property
    def _epoch_name(self) -> str:
        return f"relay-epoch:{self.topic}"

    def _position_name(self, epoch: int) -> str:
        return f"relay:{self.topic}#{epoch}"

    def epoch(self) -> int:
        return self.app.tracked_position(self._epoch_name)

    def position(self) -> int:
        return self.app.tracked_position(self._position_name(self.epoch()))

    def _start_new_epoch(self) -> None:
        epoch = self.epoch() + 1
        self.app.process_recorder.insert_tracking(Tracking(self._epoch_name, epoch))
        self.stats.epochs_started += 1
        logger.warning(
            "broker lost the topic's messages; republishing the whole log",
            extra={"topic": self.topic, "epoch": epoch},
        )

    # -- loop --------------------------------------------------------------------

    def wake(self) -> None:
        """Something was stored: publish now rather than at the next poll. Safe to
        call from any thread; polling still finds what another process stored."""
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._woken.set)

    async def _idle(self) -> None:
        """Until woken, stopped (`stop` wakes too), or ``poll_seconds`` passed."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._woken.wait(), timeout=self.poll_seconds)

    async def run(self) -> None:
        """Publish until :meth:`stop`; survives broker outages."""
        backoff = 0.2
        self._loop = asyncio.get_running_loop()
        try:
            if not await self._lead():
                return
            while not self._stopping.is_set():
                try:
                    if (
                        self._leader is not None
                        and not await self._leader.still_leader()
                        and not await self._lead()
                    ):
                        break
                    await self._connect()
                    self._woken.clear()
                    count = await self.publish_once()
                    self.stats.errors_in_a_row = 0
                    backoff = 0.2
                    if count == 0:
                        await self._idle()
                except (TimeoutError, KafkaError, OSError) as error:
                    self.stats.errors += 1
                    self.stats.errors_in_a_row += 1
                    logger.warning(
                        "relay cannot publish; will retry",
                        extra={"topic": self.topic, "error": type(error).__name__},
                    )
                    await self._disconnect()
                    await self._sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
        finally:
            await self._disconnect()
            if self._leader is not None:
                await self._leader.release()

    def stop(self) -> None:
        self._stopping.set()
        self._woken.set()

    async def _lead(self) -> bool:
        """Wait until this relay holds the leader lock; False when stopped first.

        A standby replica waits here while another one publishes; it must still
        stop when asked (a rolling update, a scale-down), not hang until killed.
        """
        if self._leader is None:
            return True
        acquire = asyncio.ensure_future(self._leader.acquire())
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({acquire, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
            if not acquire.done():
                acquire.cancel()
            await asyncio.gather(acquire, stopping, return_exceptions=True)
        if acquire.cancelled():
            return False
        acquire.result()  # what the lock raised, raised here
        # A lock taken just as the stop came is given back by run()'s release().
        return not self._stopping.is_set()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    async def _connect(self) -> None:
        if self._producer is None:
            if self._prepare is not None:
                # e.g. create the topic again after the broker lost it
                await self._prepare()
            producer = self._producer_factory()
            await producer.start()
            self._producer = producer
        if self._probe is None:
            probe = self._consumer_factory()
            await probe.start()
            self._probe = probe
            self._floors = None

    async def _disconnect(self) -> None:
        for client in (self._producer, self._probe):
            if client is not None:
                try:
                    await client.stop()
                except Exception:  # noqa: BLE001 - closing a broken client
                    logger.debug("closing kafka client failed", exc_info=True)
        self._producer = None
        self._probe = None
        self._floors = None

    async def _end_offsets(self) -> dict[int, int]:
        assert self._probe is not None
        partitions = self._probe.partitions_for_topic(self.topic)
        if not partitions:
            await self._probe.topics()
            partitions = self._probe.partitions_for_topic(self.topic) or set()
        tps = [TopicPartition(self.topic, p) for p in partitions]
        if not tps:
            return {}
        offsets = await self._probe.end_offsets(tps)
        return {tp.partition: offset for tp, offset in offsets.items()}

    async def _check_for_lost_messages(self) -> None:
        # Brokers may report the end offset as the base offset of the last record
        # batch plus one (the embedded broker does), so compare with the first
        # offset of the last batch this relay wrote to each partition: a healthy
        # partition reports at least that plus one.
        ends = await self._end_offsets()
        if not ends:
            return  # no metadata for the topic yet: nothing to conclude
        if self._floors is not None:
            lost = any(ends.get(p, 0) < floor + 1 for p, floor in self._floors.items())
        else:
            position = await asyncio.to_thread(self.position)
            lost = position > 0 and sum(ends.values()) == 0
            self._floors = {}
        if lost:
            await asyncio.to_thread(self._start_new_epoch)
            self._floors = {}

    async def publish_once(self) -> int:
        """Publish the next batch; returns the number of notifications covered."""
        await self._check_for_lost_messages()
        epoch, position, notifications, covered = await asyncio.to_thread(
            self._next_batch
        )
        if not notifications:
            if covered > position:
                # Only events that are no messages since the last batch: the log is
                # covered up to there all the same.
                await asyncio.to_thread(
                    self.app.process_recorder.insert_tracking,
                    Tracking(self._position_name(epoch), covered),
                )
                if self._metrics is not None:
                    self._metrics.relay_position.labels(topic=self.topic).set(covered)
            return 0
        messages = await asyncio.to_thread(self._encode, notifications)

        assert self._producer is not None
        futures = [
            await self._producer.send(
                self.topic, value=value, key=key, headers=[(TYPE_HEADER, kind)]
            )
            for key, kind, value in messages
        ]
        written = await asyncio.gather(*futures) if futures else []
        floors: dict[int, int] = {}
        for metadata in written:
            floors[metadata.partition] = min(
                floors.get(metadata.partition, metadata.offset), metadata.offset
            )

        last = covered
        await asyncio.to_thread(
            self.app.process_recorder.insert_tracking,
            Tracking(self._position_name(epoch), last),
        )
        if self._floors is not None:
            self._floors.update(floors)
        self.stats.published += len(messages)
        self.stats.batches += 1
        if self._metrics is not None:
            self._metrics.events_published_total.labels(topic=self.topic).inc(
                len(messages)
            )
            self._metrics.relay_position.labels(topic=self.topic).set(last)
        return len(notifications)

    def _next_batch(self) -> tuple[int, int, list[Notification], int]:
        """(epoch, position, the next notifications to publish, the id up to which
        the log is covered once they are published).

        With `event_topics` the log is read filtered, and a batch that is not full
        covers the log up to its highest id as it was before the read: the inserts
        of one store are serialised, so nothing at or below that id can still
        appear."""
        epoch = self.epoch()
        position = self.app.tracked_position(self._position_name(epoch))
        recorder = self.app.recorder
        if not self.event_topics:
            notifications = recorder.select_notifications(position + 1, self.batch_size)
            covered = notifications[-1].id if notifications else position
            return epoch, position, notifications, covered
        top = recorder.max_notification_id() or 0
        if top <= position:
            return epoch, position, [], position
        notifications = recorder.select_notifications(
            position + 1, self.batch_size, stop=top, topics=self.event_topics
        )
        if len(notifications) == self.batch_size:
            return epoch, position, notifications, notifications[-1].id
        return epoch, position, notifications, top

    def _encode(
        self, notifications: list[Notification]
    ) -> list[tuple[bytes, bytes, bytes]]:
        """(key, event type, value) of every message the notifications cause."""
        messages = []
        for notification in notifications:
            domain_event = self.app.mapper.to_domain_event(notification)
            contract = self.to_contract(domain_event)
            if contract is None:
                continue
            event_id = uuid.uuid5(
                EVENT_ID_NAMESPACE,
                f"{notification.originator_id}:{notification.originator_version}",
            )
            envelope = wrap(
                contract,
                event_id=str(event_id),
                sequence=notification.id,
                time=getattr(domain_event, "timestamp", None) or datetime.now(UTC),
            )
            messages.append(
                (
                    envelope.partitionkey.encode(),
                    envelope.type.encode(),
                    encode(envelope),
                )
            )
        return messages
