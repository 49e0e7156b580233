"""aiokafka clients with the settings this project relies on.

Producers use ``acks="all"`` and no idempotence or transactions (the embedded
broker supports neither with aiokafka). Consumers never auto-commit and start at
the earliest offset: a new group must see history, not skip it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer


def producer_factory(
    bootstrap: str, **client_options: Any
) -> Callable[[], AIOKafkaProducer]:
    def create() -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=bootstrap,
            acks="all",
            linger_ms=2,
            max_batch_size=256 * 1024,
            request_timeout_ms=15_000,
            **client_options,
        )

    return create


def consumer_factory(
    bootstrap: str, group_id: str | None, **client_options: Any
) -> Callable[[], AIOKafkaConsumer]:
    def create() -> AIOKafkaConsumer:
        return AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            group_id=group_id,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=10_000,
            heartbeat_interval_ms=1_000,
            rebalance_timeout_ms=5_000,
            fetch_max_wait_ms=300,
            request_timeout_ms=15_000,
            **client_options,
        )

    return create
