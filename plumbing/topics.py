"""Topic creation and the broker connection options every Kafka client shares.

Auto-creation, as measured on Tansu 0.6.0 (the embedded broker): a topic is created
by any metadata request that names it and allows auto-creation, and aiokafka always
allows it (Metadata v4+, no client option to turn it off). So a producer sending to a
missing topic, a consumer subscribing to one, and `admin.describe_topics([name])` all
create it, with Tansu's default of 4 partitions instead of ours. Requests that do not
allow it answer UNKNOWN_TOPIC_OR_PARTITION and create nothing.

For the "broker lost its memory" recovery this means: run `ensure_topics` before any
producer or consumer touches the topics again. A client that gets there first leaves
a 4-partition topic behind; `ensure_topics` then refuses to start (key-to-partition
mapping would change), or, with `repair_empty=True`, deletes and recreates the topic
when it is still empty. This module never describes a topic it has not seen listed,
so it never auto-creates one itself.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, for_code
from aiokafka.helpers import create_ssl_context

logger = logging.getLogger(__name__)

_TOPIC_ALREADY_EXISTS = 36
_PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
_SASL_MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    replication: int = 1
    config: Mapping[str, str] = field(default_factory=dict)


class TopicMismatchError(RuntimeError):
    """An existing topic has another partition count than the service expects."""


async def ensure_topics(
    bootstrap: str,
    specs: Sequence[TopicSpec],
    *,
    repair_empty: bool = False,
    visible_timeout: float = 30.0,
    **client_options: Any,
) -> list[str]:
    """Create the missing topics and check the partition count of all of them.

    Idempotent and safe to run from several services at once. Returns the names it
    created. Raises `TopicMismatchError` naming every topic whose partition count
    differs (Kafka keys map to partitions by count: a different count breaks the
    per-pupil order), unless `repair_empty` may recreate it because it holds nothing.
    The `config` of an existing topic is not compared.
    """
    wanted = {spec.name: spec for spec in specs}
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, **client_options)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [spec for name, spec in wanted.items() if name not in existing]
        if missing:
            await _create(admin, missing)
            await _wait_visible(admin, [spec.name for spec in missing], visible_timeout)

        counts = await _partition_counts(admin, list(wanted))
        wrong = {
            name: count
            for name, count in counts.items()
            if count != wanted[name].partitions
        }
        if wrong and repair_empty:
            repaired = await _recreate_if_empty(
                admin,
                bootstrap,
                [wanted[name] for name in wrong],
                wrong,
                client_options,
            )
            for name in repaired:
                del wrong[name]
        if wrong:
            raise TopicMismatchError(
                "topics exist with another partition count than configured: "
                + ", ".join(
                    f"{name} has {count}, expected {wanted[name].partitions}"
                    for name, count in sorted(wrong.items())
                )
                + ". Partitions cannot be changed in place; recreate the topic or "
                "configure the existing count."
            )
    finally:
        await admin.close()

    created = [spec.name for spec in missing]
    if created:
        logger.info("topics created", extra={"count": len(created)})
    return created


async def _create(admin: AIOKafkaAdminClient, specs: Sequence[TopicSpec]) -> None:
    response = await admin.create_topics(
        [
            NewTopic(
                spec.name,
                spec.partitions,
                spec.replication,
                topic_configs=dict(spec.config),
            )
            for spec in specs
        ]
    )
    for error in response.to_object()["topic_errors"]:
        code = error["error_code"]
        # Another service may have created it a moment ago: the count check follows.
        if code not in (0, _TOPIC_ALREADY_EXISTS):
            raise for_code(code)(
                f"creating topic {error['topic']}: {error.get('error_message')}"
            )


async def _wait_visible(
    admin: AIOKafkaAdminClient, names: Sequence[str], timeout: float
) -> None:
    # Real Kafka answers CreateTopics before every broker's metadata shows the topic.
    deadline = time.monotonic() + timeout
    while not set(names) <= set(await admin.list_topics()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"topics not visible after creation: {sorted(names)}")
        await asyncio.sleep(0.1)


async def _partition_counts(
    admin: AIOKafkaAdminClient, names: Sequence[str]
) -> dict[str, int]:
    counts: dict[str, int] = {}
    for topic in await admin.describe_topics(list(names)):
        if topic["error_code"] != 0:
            raise for_code(topic["error_code"])(f"describing topic {topic['topic']}")
        counts[topic["topic"]] = len(topic["partitions"])
    return counts


async def _recreate_if_empty(
    admin: AIOKafkaAdminClient,
    bootstrap: str,
    specs: Sequence[TopicSpec],
    counts: Mapping[str, int],
    client_options: Mapping[str, Any],
) -> list[str]:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, **client_options)
    await consumer.start()
    try:
        empty = []
        for spec in specs:
            ends = await consumer.end_offsets(
                [TopicPartition(spec.name, p) for p in range(counts[spec.name])]
            )
            if all(offset == 0 for offset in ends.values()):
                empty.append(spec)
    finally:
        await consumer.stop()
    if not empty:
        return []

    await admin.delete_topics([spec.name for spec in empty])
    deadline = time.monotonic() + 30.0
    while {spec.name for spec in empty} & set(await admin.list_topics()):
        if time.monotonic() > deadline:
            raise TimeoutError("deleted topics are still listed")
        await asyncio.sleep(0.1)
    await _create(admin, empty)
    logger.warning(
        "empty topics with a wrong partition count were recreated",
        extra={"count": len(empty)},
    )
    return [spec.name for spec in empty]


def kafka_client_options(
    settings: object | None = None, environ: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """TLS/SASL keyword arguments for aiokafka clients; empty for plain TCP.

    Read from `settings` attributes (`kafka_security_protocol`, ...) when present,
    else from the environment: `KAFKA_SECURITY_PROTOCOL` (PLAINTEXT, SSL,
    SASL_PLAINTEXT, SASL_SSL), `KAFKA_SASL_MECHANISM`, `KAFKA_SASL_USERNAME`,
    `KAFKA_SASL_PASSWORD`, `KAFKA_SSL_CAFILE`, `KAFKA_SSL_CERTFILE`,
    `KAFKA_SSL_KEYFILE`.
    """
    env = os.environ if environ is None else environ

    def read(name: str) -> str | None:
        value = getattr(settings, name, None)
        if value is None:
            value = env.get(name.upper())
        return str(value) if value not in (None, "") else None

    protocol = (read("kafka_security_protocol") or "PLAINTEXT").upper()
    if protocol not in _PROTOCOLS:
        raise ValueError(f"KAFKA_SECURITY_PROTOCOL must be one of {_PROTOCOLS}")
    if protocol == "PLAINTEXT":
        return {}

    options: dict[str, Any] = {"security_protocol": protocol}
    if protocol in ("SSL", "SASL_SSL"):
        certfile, keyfile = read("kafka_ssl_certfile"), read("kafka_ssl_keyfile")
        if (certfile is None) != (keyfile is None):
            raise ValueError("KAFKA_SSL_CERTFILE and KAFKA_SSL_KEYFILE go together")
        options["ssl_context"] = create_ssl_context(
            cafile=read("kafka_ssl_cafile"), certfile=certfile, keyfile=keyfile
        )
    if protocol.startswith("SASL_"):
        mechanism = (read("kafka_sasl_mechanism") or "PLAIN").upper()
        if mechanism not in _SASL_MECHANISMS:
            raise ValueError(f"KAFKA_SASL_MECHANISM must be one of {_SASL_MECHANISMS}")
        username, password = read("kafka_sasl_username"), read("kafka_sasl_password")
        if username is None or password is None:
            raise ValueError(
                "KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required for SASL"
            )
        options.update(
            sasl_mechanism=mechanism,
            sasl_plain_username=username,
            sasl_plain_password=password,
        )
    return options


def broker_readiness_check(
    bootstrap: str, **client_options: Any
) -> Callable[[], Awaitable[bool]]:
    """A readiness check for `create_app`: the broker answers a metadata request."""

    async def broker() -> bool:
        admin = AIOKafkaAdminClient(
            bootstrap_servers=bootstrap, request_timeout_ms=2_000, **client_options
        )
        try:
            await admin.start()
            await admin.describe_cluster()
        except (KafkaError, OSError):
            return False
        finally:
            await admin.close()
        return True

    return broker
