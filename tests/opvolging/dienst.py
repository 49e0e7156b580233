"""Opvolging as it runs in production, on the real embedded broker.

Store, relay, consumer, evaluation job and HTTP app come from `SPEC` through the
platform runtime; only the HTTP transport is in-process. The test publishes
upstream contract events (CloudEvents, key = the pupil's id, increasing sequence)
and reads what opvolging publishes on its own topic.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from contracts.envelope import ContractEvent, decode, encode, wrap
from contracts.topics import TOPIC_OF_SERVICE
from plumbing.clock import FileClock
from plumbing.runtime import ServiceRuntime
from plumbing.security.apikeys import ApiKeyStore
from plumbing.security.callers import Rol
from services.opvolging.service import SPEC, Settings


class Dienst:
    def __init__(self, broker: str, data_dir: Path, prefix: str) -> None:
        self.broker = broker
        self.prefix = prefix
        self.klok_pad = data_dir / "klok.txt"
        self.settings = Settings(
            verzuim_data_dir=data_dir,
            kafka_bootstrap_servers=broker,
            kafka_topic_prefix=prefix,
            kafka_partitions=3,
            relay_poll_seconds=0.05,
            verzuim_klok=f"file:{self.klok_pad}",
            verzuim_rate_limit_per_second=10_000,
            verzuim_rate_limit_burst=10_000,
            opvolging_evaluatie_poll_seconds=0.05,
        )
        self.runtime: ServiceRuntime | None = None
        self.http: httpx.AsyncClient | None = None
        self._lifespan: contextlib.AbstractAsyncContextManager[Any] | None = None
        self._producer: AIOKafkaProducer | None = None
        self._lezer: AIOKafkaConsumer | None = None
        self._gelezen: list[ContractEvent] = []
        self._sequence = 0
        self._verstuurd = 0

    # -- life cycle

    def zet_klok(self, moment: datetime | date) -> None:
        FileClock.write(self.klok_pad, moment)

    async def start(self) -> None:
        self.runtime = ServiceRuntime(SPEC, self.settings)
        app = self.runtime.fastapi_app()
        self._lifespan = app.router.lifespan_context(app)
        await self._lifespan.__aenter__()
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://opvolging/v1",
            timeout=30,
        )
        self._producer = AIOKafkaProducer(bootstrap_servers=self.broker, acks="all")
        await self._producer.start()
        lezer = AIOKafkaConsumer(
            bootstrap_servers=self.broker,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            fetch_max_wait_ms=100,
        )
        await lezer.start()
        topic = self.topic("opvolging")
        await lezer.topics()
        lezer.assign(
            [TopicPartition(topic, p) for p in lezer.partitions_for_topic(topic) or ()]
        )
        self._lezer = lezer

    async def stop(self) -> None:
        for client in (self._producer, self._lezer):
            if client is not None:
                await client.stop()
        if self.http is not None:
            await self.http.aclose()
        if self._lifespan is not None:
            await self._lifespan.__aexit__(None, None, None)

    def sleutel(
        self, scholen: Iterable[str], *rollen: Rol, naam: str = "test"
    ) -> tuple[str, dict[str, str]]:
        """A new API key: (the caller id it records, the request headers)."""
        store = ApiKeyStore.from_settings(self.settings)
        try:
            key, tekst = store.create(
                naam=naam, bestuur="bestuur-test", scholen=scholen, rollen=rollen
            )
        finally:
            store.close()
        return f"apikey:{key.key_id}", {"Authorization": f"Bearer {tekst}"}

    # -- the broker

    def topic(self, service: str) -> str:
        return f"{self.prefix}{TOPIC_OF_SERVICE[service]}"

    async def publiceer(self, *events: ContractEvent) -> list[int]:
        """Upstream events, keyed by pupil, with a sequence that only grows."""
        assert self._producer is not None
        sequences = []
        for event in events:
            self._sequence += 1
            sequences.append(self._sequence)
            envelope = wrap(
                event,
                event_id=str(uuid4()),
                sequence=self._sequence,
                time=datetime.now().astimezone(),
            )
            await self._producer.send_and_wait(
                self.topic(event.service),
                value=encode(envelope),
                key=envelope.partitionkey.encode(),
            )
            self._verstuurd += 1
        return sequences

    async def herhaal(self, events: list[ContractEvent], sequences: list[int]) -> None:
        """Deliver events again with their old sequence (redelivery, republish)."""
        assert self._producer is not None
        for event, sequence in zip(events, sequences, strict=True):
            envelope = wrap(
                event,
                event_id=str(uuid4()),
                sequence=sequence,
                time=datetime.now().astimezone(),
            )
            await self._producer.send_and_wait(
                self.topic(event.service),
                value=encode(envelope),
                key=envelope.partitionkey.encode(),
            )
            self._verstuurd += 1

    async def bijgewerkt(self, timeout: float = 30.0) -> None:
        """Wait until the consumer has dealt with everything published so far."""
        verstuurd = self._verstuurd

        def klaar() -> bool:
            if self.runtime is None or self.runtime.consumer is None:
                return False
            stats = self.runtime.consumer.stats
            gedaan = stats.applied + stats.skipped_duplicates + stats.dead_lettered
            return gedaan >= verstuurd

        await wacht_tot(klaar, timeout)

    async def gepubliceerd(self) -> list[ContractEvent]:
        """Everything opvolging published on its topic so far."""
        assert self._lezer is not None
        batches = await self._lezer.getmany(timeout_ms=200)
        for records in batches.values():
            for record in records:
                self._gelezen.append(decode(record.value)[1])
        return list(self._gelezen)

    def opgeslagen(self) -> int:
        """The id of the last event in opvolging's own store."""
        assert self.runtime is not None
        return self.runtime.require_app().recorder.max_notification_id() or 0

    @property
    def consumer_stats(self) -> Any:
        assert self.runtime is not None and self.runtime.consumer is not None
        return self.runtime.consumer.stats


async def wacht_tot(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll an async or sync check until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        uitkomst = check()
        if asyncio.iscoroutine(uitkomst):
            uitkomst = await uitkomst
        if uitkomst:
            return uitkomst
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)
