"""Exactly one relay per service publishes; a second takes over when it stops."""

from __future__ import annotations

import asyncio
import uuid

from plumbing.kafka import consumer_factory, producer_factory
from plumbing.leader import PostgresLeaderLock
from plumbing.relay import Relay
from plumbing.settings import PlatformSettings
from plumbing.store import store_env
from tests.conftest import POSTGRES_DSN
from tests.platform.test_relay_consumer import (
    System,
    create_topics,
    expected_slots,
    wait_until,
)
from tests.platform.toy import Bron, bron_contract

PUPIL = uuid.UUID(int=7)


async def test_second_relay_takes_over_without_double_effect(
    broker, tmp_path, unique, postgres_schema
):
    system = System(broker, tmp_path, unique)
    await create_topics(broker, system.topic, f"{system.topic}.dlq")
    env = store_env(postgres_schema, PlatformSettings(verzuim_store="postgres"))
    replica_a, replica_b = Bron(env=env), Bron(env=env)
    lock_name = f"relay-{unique}"

    def relay_for(app: Bron) -> Relay:
        return Relay(
            app,
            topic=system.topic,
            to_contract=bron_contract,
            producer_factory=producer_factory(broker),
            consumer_factory=consumer_factory(broker, None),
            leader=PostgresLeaderLock(POSTGRES_DSN, lock_name, retry_seconds=0.2),
            poll_seconds=0.05,
        )

    first, second = relay_for(replica_a), relay_for(replica_b)
    task_a = asyncio.create_task(first.run())
    system.start_consumer()
    task_b: asyncio.Task[None] | None = None
    try:
        # The first relay leads (it is the only one yet) and publishes ...
        replica_a.tik(PUPIL, 5)
        await wait_until(lambda: len(system.doel.slots_of(PUPIL)) == 5)
        assert first.stats.published == 5
        # ... and a second one started now waits for the lock.
        task_b = asyncio.create_task(second.run())
        replica_a.tik(PUPIL, 1)
        await wait_until(lambda: len(system.doel.slots_of(PUPIL)) == 6)
        assert first.stats.published == 6
        assert second.stats.published == 0

        first.stop()
        await task_a  # releases the advisory lock
        replica_b.tik(PUPIL, 4)
        await wait_until(lambda: len(system.doel.slots_of(PUPIL)) == 10, timeout=20)
        assert second.stats.published == 4
    finally:
        second.stop()
        first.stop()
        await system.stop()
        await asyncio.gather(
            *(t for t in (task_a, task_b) if t is not None), return_exceptions=True
        )
        replica_a.close()
        replica_b.close()
    assert system.doel.slots_of(PUPIL) == expected_slots(10)
