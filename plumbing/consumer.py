"""The consumer runner: applies upstream events exactly once in effect.

Kafka delivers at least once, and after a broker loss the relays republish
everything. What was applied is therefore proven by the consumer's own store, not by
Kafka offsets: for every upstream (source, key) pair the store keeps the highest
``sequence`` applied, in the same transaction as the events the batch caused. An
event at or below that position is skipped. One key's events arrive in order (one
partition, published in log order), so a single number per key suffices.

Offsets are committed manually after the batch is stored, for resuming and for lag.
A message that is not a valid contract goes to ``<topic>.dlq`` at once; one whose
handler keeps failing goes there after ``max_attempts``; store errors are retried
without limit and never dead-lettered (a database hiccup is not a poison message).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Container
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import KafkaError
from eventsourcing.persistence import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    Tracking,
)

from contracts.envelope import (
    TYPE_HEADER,
    CloudEvent,
    ContractError,
    ContractEvent,
    decode,
)
from contracts.topics import dlq
from plumbing.store import ServiceApplication

logger = logging.getLogger(__name__)

_STORE_ERRORS = (OperationalError, InterfaceError, DatabaseError)


@dataclass(frozen=True)
class Incoming:
    record: ConsumerRecord
    envelope: CloudEvent
    event: ContractEvent

    @property
    def tracking_name(self) -> str:
        return f"{self.envelope.source}|{self.envelope.partitionkey}"

    @property
    def sequence(self) -> int:
        return int(self.envelope.sequence)


def _type_header(record: ConsumerRecord) -> str | None:
    for name, value in record.headers or ():
        if name == TYPE_HEADER:
            return value.decode(errors="replace")
    return None


class MessageFailed(Exception):
    """Raised by a batch's ``before_save`` to name the message to blame."""

    def __init__(self, envelope: CloudEvent, error: Exception) -> None:
        super().__init__(str(error))
        self.envelope = envelope
        self.error = error


class UnitOfWork:
    """Aggregates a batch touched, loaded once and saved together."""

    def __init__(self, app: ServiceApplication) -> None:
        self.app = app
        self._aggregates: dict[Any, Any] = {}
        self._events: list[Any] = []
        self._state: dict[str, Any] = {}

    def batch_state(self, name: str, create: Callable[[], Any]) -> Any:
        """State a policy keeps across the messages of this batch, made on first use.

        When the state has a ``before_save()`` method, the consumer calls it once,
        after the policy ran for every message of the batch and before the save, so
        a policy can gather work per batch (e.g. evaluate a pupil once for all its
        slots) and still store the result with the batch's tracking rows. It may
        raise :class:`MessageFailed` to blame one message; otherwise the batch's
        last message is blamed.
        """
        if name not in self._state:
            self._state[name] = create()
        return self._state[name]

    def before_save(self) -> None:
        for state in list(self._state.values()):
            hook = getattr(state, "before_save", None)
            if hook is not None:
                hook()

    def get(self, aggregate_id: Any) -> Any | None:
        if aggregate_id in self._aggregates:
            return self._aggregates[aggregate_id]
        try:
            aggregate = self.app.repository.get(aggregate_id)
        except Exception as error:  # noqa: BLE001
            if type(error).__name__ != "AggregateNotFoundError":
                raise
            return None
        self._aggregates[aggregate_id] = aggregate
        return aggregate

    def add(self, *aggregates: Any) -> None:
        for aggregate in aggregates:
            self._aggregates[aggregate.id] = aggregate

    @property
    def aggregates(self) -> list[Any]:
        return list(self._aggregates.values())


#: A policy applies one upstream event within a unit of work.
Policy = Callable[[UnitOfWork, ContractEvent, CloudEvent], None]


class HandlerFailed(Exception):
    def __init__(self, incoming: Incoming, error: Exception) -> None:
        super().__init__(str(error))
        self.incoming = incoming
        self.error = error


@dataclass
class ConsumerStats:
    applied: int = 0
    skipped_duplicates: int = 0
    passed_over: int = 0  # of a type the policy does not use
    dead_lettered: int = 0
    batches: int = 0
    attempts: dict[tuple[str, int, int], int] = field(default_factory=dict)


class Consumer:
    def __init__(
        self,
        app: ServiceApplication,
        *,
        service: str,
        topics: list[str],
        policy: Policy,
        consumer_factory: Callable[[], AIOKafkaConsumer],
        producer_factory: Callable[[], AIOKafkaProducer],
        assign: bool = False,
        prepare: Callable[[], Awaitable[None]] | None = None,
        batch_size: int = 500,
        max_attempts: int = 3,
        after_batch: Callable[[], Any] | None = None,
        metrics: Any = None,
        wanted: Container[str] | None = None,
    ) -> None:
        self.app = app
        self._wanted = wanted
        self.service = service
        self.topics = topics
        self.policy = policy
        self._consumer_factory = consumer_factory
        self._producer_factory = producer_factory
        self._assign = assign
        self._prepare = prepare
        self.batch_size = batch_size
        self.max_attempts = max_attempts
        self._after_batch = after_batch
        self._metrics = metrics
        self._consumer: AIOKafkaConsumer | None = None
        self._producer: AIOKafkaProducer | None = None
        self._stopping = asyncio.Event()
        self.stats = ConsumerStats()

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        backoff = 0.2
        try:
            while not self._stopping.is_set():
                try:
                    await self._connect()
                    await self.poll_once()
                    backoff = 0.2
                except (TimeoutError, KafkaError, OSError) as error:
                    logger.warning(
                        "consumer lost the broker; will retry",
                        extra={"service": self.service, "error": type(error).__name__},
                    )
                    await self._disconnect()
                    await self._sleep(backoff)
                    backoff = min(backoff * 2, 5.0)
        finally:
            await self._disconnect()

    async def _sleep(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), timeout=seconds)

    async def _connect(self) -> None:
        if self._consumer is not None:
            return
        if self._prepare is not None:
            await self._prepare()  # topics exist with the right shape before we ask
        consumer = self._consumer_factory()
        await consumer.start()
        if self._assign:
            await consumer.topics()  # loads metadata for every topic
            partitions = []
            for topic in self.topics:
                for p in sorted(consumer.partitions_for_topic(topic) or ()):
                    partitions.append(TopicPartition(topic, p))
            consumer.assign(partitions)
        else:
            consumer.subscribe(self.topics)
        producer = self._producer_factory()
        await producer.start()
        self._consumer, self._producer = consumer, producer

    async def _disconnect(self) -> None:
        for client in (self._consumer, self._producer):
            if client is not None:
                try:
                    await client.stop()
                except Exception:  # noqa: BLE001 - closing a broken client
                    logger.debug("closing kafka client failed", exc_info=True)
        self._consumer = self._producer = None

    async def poll_once(self, timeout_ms: int = 500) -> int:
        assert self._consumer is not None
        batches = await self._consumer.getmany(
            timeout_ms=timeout_ms, max_records=self.batch_size
        )
        records = [r for tp in sorted(batches, key=str) for r in batches[tp]]
        if not records:
            await self._update_lag()
            return 0
        valid: list[Incoming] = []
        for record in records:
            kind = _type_header(record)
            if self._passes_over(kind):
                continue
            try:
                envelope, event = decode(record.value, kind)
            except ContractError as error:
                await self._dead_letter(record, f"invalid message: {error}")
                continue
            valid.append(Incoming(record, envelope, event))
        if not await self._apply_with_retries(valid):
            # Stopped before the batch was stored: commit nothing, so the next
            # member of the group reads these messages again.
            return 0
        if not self._assign:  # assigned partitions have no group to commit to
            offsets = {
                tp: tp_records[-1].offset + 1
                for tp, tp_records in batches.items()
                if tp_records
            }
            await self._consumer.commit(offsets)
        self.stats.batches += 1
        await self._update_lag()
        if self._after_batch is not None:
            await asyncio.to_thread(self._after_batch)
        return len(records)

    def _passes_over(self, kind: str | None) -> bool:
        """A message of a type the policy has no use for, as its type header says.

        Nothing is applied for it, so it needs no tracking row either; it is not
        validated here (the consumers that use it dead-letter it if it is bad). A
        message without the header is parsed as always."""
        if self._wanted is None or kind is None or kind in self._wanted:
            return False
        self.stats.passed_over += 1
        return True

    async def _apply_with_retries(self, batch: list[Incoming]) -> bool:
        """Apply the batch; False when the consumer stopped before it was stored."""
        failures: dict[int, int] = {}
        delay = 0.1
        while batch:
            if self._stopping.is_set():
                return False
            try:
                applied, skipped = await asyncio.to_thread(self._apply, batch)
            except IntegrityError:
                # Another member of the group applied part of this batch; filter again.
                continue
            except _STORE_ERRORS:
                logger.warning("store error while applying; retrying", exc_info=True)
                await self._sleep(delay)
                delay = min(delay * 2, 5.0)
                continue
            except HandlerFailed as failed:
                key = id(failed.incoming)
                failures[key] = failures.get(key, 0) + 1
                if failures[key] >= self.max_attempts:
                    await self._dead_letter(
                        failed.incoming.record,
                        f"handler failed {failures[key]} times: {failed.error!r}",
                    )
                    batch = [i for i in batch if i is not failed.incoming]
                continue
            self.stats.applied += applied
            self.stats.skipped_duplicates += skipped
            return True
        return True

    def _apply(self, batch: list[Incoming]) -> tuple[int, int]:
        positions: dict[str, int] = {}
        todo: list[Incoming] = []
        for incoming in batch:
            name = incoming.tracking_name
            if name not in positions:
                positions[name] = self.app.tracked_position(name)
            if incoming.sequence <= positions[name]:
                continue
            positions[name] = incoming.sequence
            todo.append(incoming)
        if not todo:
            return 0, len(batch)

        uow = UnitOfWork(self.app)
        for incoming in todo:
            try:
                self.policy(uow, incoming.event, incoming.envelope)
            except _STORE_ERRORS:
                raise
            except Exception as error:
                raise HandlerFailed(incoming, error) from error
        try:
            uow.before_save()
        except _STORE_ERRORS:
            raise
        except MessageFailed as failed:
            blamed = next((i for i in todo if i.envelope is failed.envelope), todo[-1])
            raise HandlerFailed(blamed, failed.error) from failed
        except Exception as error:
            raise HandlerFailed(todo[-1], error) from error
        trackings = {}
        for incoming in todo:
            trackings[incoming.tracking_name] = incoming.sequence
        self.app.save_tracked(
            *uow.aggregates,
            trackings=[Tracking(name, seq) for name, seq in trackings.items()],
        )
        return len(todo), len(batch) - len(todo)

    async def _dead_letter(self, record: ConsumerRecord, error: str) -> None:
        assert self._producer is not None
        headers = list(record.headers or ())
        headers += [
            ("dlq.error", error[:2000].encode()),
            ("dlq.origin.topic", record.topic.encode()),
            ("dlq.origin.partition", str(record.partition).encode()),
            ("dlq.origin.offset", str(record.offset).encode()),
            ("dlq.consumer", self.service.encode()),
            ("dlq.time", datetime.now(UTC).isoformat().encode()),
        ]
        await self._producer.send_and_wait(
            dlq(record.topic), value=record.value, key=record.key, headers=headers
        )
        self.stats.dead_lettered += 1
        if self._metrics is not None:
            self._metrics.dlq_messages_total.labels(topic=record.topic).inc()
        logger.error(
            "message sent to the dead-letter topic",
            extra={
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
            },
        )

    async def _update_lag(self) -> None:
        if self._metrics is None or self._consumer is None:
            return
        for tp in self._consumer.assignment():
            highwater = self._consumer.highwater(tp)
            if highwater is None:
                continue
            current = await self._consumer.position(tp)
            self._metrics.consumer_lag.labels(
                topic=tp.topic, partition=str(tp.partition), group=self.service
            ).set(max(highwater - current, 0))
