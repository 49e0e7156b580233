"""A relay waiting for the leader lock still stops when asked."""

from __future__ import annotations

import asyncio

from plumbing.kafka import consumer_factory, producer_factory
from plumbing.leader import PostgresLeaderLock
from plumbing.relay import Relay
from plumbing.settings import PlatformSettings
from plumbing.store import store_env
from tests.conftest import POSTGRES_DSN
from tests.platform.toy import Bron, bron_contract


async def test_standby_relay_stops_while_another_holds_the_lock(
    broker, unique, postgres_schema
):
    env = store_env(postgres_schema, PlatformSettings(verzuim_store="postgres"))
    app = Bron(env=env)
    name = f"relay-{unique}"
    leader = PostgresLeaderLock(POSTGRES_DSN, name, retry_seconds=0.2)
    await leader.acquire()  # another replica publishes
    standby = Relay(
        app,
        topic=f"t{unique}.bron",
        to_contract=bron_contract,
        producer_factory=producer_factory(broker),
        consumer_factory=consumer_factory(broker, None),
        leader=PostgresLeaderLock(POSTGRES_DSN, name, retry_seconds=0.2),
    )
    task = asyncio.create_task(standby.run())
    try:
        await asyncio.sleep(0.5)
        assert not task.done()  # waiting for the lock
        standby.stop()
        await asyncio.wait_for(task, timeout=5)
        assert standby.stats.batches == 0
        assert await leader.still_leader()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await leader.release()
        app.close()
