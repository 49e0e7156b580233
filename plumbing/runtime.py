"""The composition root every service uses: store, topics, relay, consumer, HTTP.

A service describes itself in a :class:`ServiceSpec` (its name, how to build its
application, how its stored events map to public contracts, how it reacts to
upstream events, which background jobs it runs). :class:`ServiceRuntime` does the
rest the same way for all four services.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.utils import get_topic
from fastapi import APIRouter, FastAPI

from contracts.topics import SUBSCRIPTIONS, TOPIC_OF_SERVICE, dlq
from plumbing.clock import clock_from_setting
from plumbing.consumer import Consumer, Policy
from plumbing.http import create_app
from plumbing.kafka import consumer_factory, producer_factory
from plumbing.leader import FileLeaderLock, LeaderLock, PostgresLeaderLock
from plumbing.metrics import ServiceMetrics
from plumbing.relay import ContractMapper, Relay
from plumbing.relay_process import RelayProcess, relay_figures
from plumbing.security.audit import AuditLog
from plumbing.security.audit_api import audit_router
from plumbing.security.audit_trail import AuditMiddleware, AuditTrail
from plumbing.security.dependencies import Authenticator, install_authenticator
from plumbing.security.limits import install_limits
from plumbing.security.settings import SecuritySettings
from plumbing.settings import PlatformSettings
from plumbing.store import ServiceApplication, store_env
from plumbing.topics import TopicSpec, ensure_topics, kafka_client_options

logger = logging.getLogger(__name__)

#: A background job gets the running runtime and runs until cancelled.
BackgroundJob = Callable[["ServiceRuntime"], Awaitable[None]]


@dataclass
class ServiceSpec:
    name: str
    version: str
    description: str
    build_app: Callable[[dict[str, str]], ServiceApplication]
    to_contract: ContractMapper
    routers: Callable[[ServiceRuntime], Sequence[APIRouter]]
    policy: Callable[[ServiceRuntime], Policy] | None = None
    # The upstream event types the policy acts on; messages of other types are
    # passed over unparsed (None: every message goes to the policy).
    event_types: frozenset[str] | None = None
    # The one stored event class that carries the service's outgoing messages, when
    # the service keeps an outbox (`to_contract` maps nothing else): the relay then
    # reads only those from the notification log instead of decoding every event.
    outbox: type[Any] | None = None
    background: Sequence[BackgroundJob] = field(default_factory=tuple)
    after_batch: Callable[[ServiceRuntime], Callable[[], Any]] | None = None


class ServiceRuntime:
    def __init__(self, spec: ServiceSpec, settings: PlatformSettings) -> None:
        self.spec = spec
        self.settings = settings
        self.metrics = ServiceMetrics(spec.name, spec.version)
        self.clock = clock_from_setting(settings.verzuim_klok)
        self.app: ServiceApplication | None = None
        self.relay: Relay | None = None
        self.relay_process: RelayProcess | None = None
        self.consumer: Consumer | None = None
        self._tasks: list[asyncio.Task[Any]] = []
        self._in_threads: set[asyncio.Future[Any]] = set()
        self.started = asyncio.Event()

    # -- names -------------------------------------------------------------------

    def topic(self, name: str) -> str:
        return f"{self.settings.kafka_topic_prefix}{name}"

    @property
    def own_topic(self) -> str:
        return self.topic(TOPIC_OF_SERVICE[self.spec.name])

    @property
    def upstream_topics(self) -> list[str]:
        return [self.topic(t) for t in SUBSCRIPTIONS[self.spec.name]]

    @property
    def bootstrap(self) -> str:
        if not self.settings.kafka_bootstrap_servers:
            raise RuntimeError(
                "KAFKA_BOOTSTRAP_SERVERS is not set: start the services with the "
                "launcher (python -m tools.launcher) or point them at a broker"
            )
        return self.settings.kafka_bootstrap_servers

    # -- lifecycle ---------------------------------------------------------------

    def require_app(self) -> ServiceApplication:
        if self.app is None:
            raise RuntimeError(f"{self.spec.name} has not started yet")
        return self.app

    async def ensure_topics(self) -> None:
        topics = [self.own_topic, *self.upstream_topics]
        specs = []
        for name in topics:
            for topic in (name, dlq(name)):
                specs.append(
                    TopicSpec(
                        name=topic,
                        partitions=self.settings.kafka_partitions,
                        replication=self.settings.kafka_replication_factor,
                    )
                )
        # The embedded broker auto-creates a missing topic with its own partition
        # count when any client asks for it; an empty topic of the wrong shape is
        # repaired (deleted and created again) instead of failing the start.
        await ensure_topics(
            self.bootstrap, specs, repair_empty=True, **self._client_options()
        )

    def _client_options(self) -> dict[str, Any]:
        return kafka_client_options(self.settings)

    def _leader_lock(self) -> LeaderLock:
        name = f"verzuimketen-relay-{self.spec.name}{self.settings.kafka_topic_prefix}"
        if self.settings.verzuim_store == "postgres":
            return PostgresLeaderLock(self.settings.postgres_dsn(), name)
        return FileLeaderLock(
            self.settings.verzuim_data_dir / f"{self.spec.name}.relay.lock"
        )

    async def start(self) -> None:
        env = store_env(self.spec.name, self.settings)
        self.app = await asyncio.to_thread(self.spec.build_app, env)
        options = self._client_options()
        await self.ensure_topics()
        if self.settings.relay_process:
            self.relay_process = RelayProcess(self.spec, self.settings)
            self.relay_process.start()
            self.app.on_recorded(self.relay_process.wake)
            relay_figures(self, self.relay_process)
        else:
            self.relay = self.build_relay(self.metrics)
            self.app.on_recorded(self.relay.wake)
            self._tasks.append(asyncio.create_task(self.relay.run(), name="relay"))
        if self.spec.policy is not None and self.upstream_topics:
            group = f"{self.settings.kafka_topic_prefix}verzuimketen-{self.spec.name}"
            self.consumer = Consumer(
                self.app,
                service=self.spec.name,
                topics=self.upstream_topics,
                policy=self.spec.policy(self),
                wanted=self.spec.event_types,
                consumer_factory=consumer_factory(self.bootstrap, group, **options),
                producer_factory=producer_factory(self.bootstrap, **options),
                prepare=self.ensure_topics,
                batch_size=self.settings.consumer_batch_size,
                after_batch=(
                    self.spec.after_batch(self) if self.spec.after_batch else None
                ),
                metrics=self.metrics,
            )
            self._tasks.append(
                asyncio.create_task(self.consumer.run(), name="consumer")
            )
        for job in self.spec.background:
            self._tasks.append(asyncio.create_task(job(self), name=job.__name__))
        self.started.set()
        logger.info("service started", extra={"service": self.spec.name})

    def build_relay(self, metrics: Any) -> Relay:
        """The relay of this service's store (here, or in `plumbing.relay_process`)."""
        options = self._client_options()
        return Relay(
            self.require_app(),
            topic=self.own_topic,
            to_contract=self.spec.to_contract,
            producer_factory=producer_factory(self.bootstrap, **options),
            consumer_factory=consumer_factory(self.bootstrap, None, **options),
            leader=self._leader_lock(),
            prepare=self.ensure_topics,
            batch_size=self.settings.relay_batch_size,
            poll_seconds=self.settings.relay_poll_seconds,
            metrics=metrics,
            event_topics=[get_topic(self.spec.outbox)] if self.spec.outbox else (),
        )

    async def stop(self) -> None:
        for part in (self.relay, self.consumer):
            if part is not None:
                part.stop()
        if self.relay_process is not None:
            await asyncio.to_thread(self.relay_process.stop)
            self.relay_process = None
        for task in self._tasks:
            if task.get_name() not in ("relay", "consumer"):
                task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()
        await asyncio.gather(*self._in_threads, return_exceptions=True)
        if self.app is not None:
            await asyncio.to_thread(self.app.close)
            self.app = None

    # -- readiness ---------------------------------------------------------------

    def store_ready(self) -> bool:
        app = self.app
        if app is None:
            return False
        app.recorder.max_notification_id()
        return True

    def broker_ready(self) -> bool:
        if self.relay_process is not None:
            child = self.relay_process
            return child.alive() and not child.shared.errors_in_a_row.value
        return self.relay is not None and self.relay.stats.errors_in_a_row == 0

    # -- HTTP --------------------------------------------------------------------

    @property
    def security_settings(self) -> SecuritySettings:
        if isinstance(self.settings, SecuritySettings):
            return self.settings
        return SecuritySettings(**self.settings.model_dump())

    def fastapi_app(self) -> FastAPI:
        """The service's HTTP app with authentication, audit and limits in front."""
        security = self.security_settings
        authenticator = Authenticator.from_settings(security)
        audit_log = AuditLog.from_settings(security, name=f"audit_{self.spec.name}")
        trail = AuditTrail.from_settings(security, audit_log)

        @contextlib.asynccontextmanager
        async def lifespan(_: FastAPI) -> AsyncIterator[None]:
            await self.start()
            try:
                yield
            finally:
                await self.stop()
                trail.close()
                audit_log.close()
                authenticator.close()

        app = create_app(
            service=self.spec.name,
            version=self.spec.version,
            description=self.spec.description,
            routers=[*self.spec.routers(self), audit_router(audit_log)],
            lifespan=lifespan,
            readiness_checks=[self.store_ready, self.broker_ready],
            metrics=self.metrics,
            metrics_key=getattr(security, "verzuim_metrics_key", None),
        )
        install_authenticator(app, authenticator)
        app.add_middleware(AuditMiddleware, trail=trail)
        install_limits(app, security)  # outermost: refuses before any work
        return app

    async def run_sync(self, function: Callable[..., Any], *args: Any) -> Any:
        """Run a use case of the (synchronous) application off the event loop.

        A thread cannot be cancelled: a caller that is (a background job when the
        service stops) stops waiting, the call runs on, and `stop` waits for it
        before it closes the store under it.
        """
        call = asyncio.ensure_future(asyncio.to_thread(function, *args))
        self._in_threads.add(call)
        call.add_done_callback(self._in_threads.discard)
        return await asyncio.shield(call)


def serve(
    spec: ServiceSpec, settings_class: type[PlatformSettings] = SecuritySettings
) -> None:
    """Entry point of ``python -m services.<name>``: settings from the environment."""
    import uvicorn

    from plumbing.logging import configure_logging

    settings = settings_class()
    configure_logging(spec.name, settings.verzuim_log_level)
    if settings.verzuim_store == "postgres":
        from plumbing.store import StoreUnreachable, ensure_postgres_schema

        try:
            ensure_postgres_schema(settings, spec.name)
        except StoreUnreachable as error:
            raise SystemExit(f"{spec.name}: {error}") from None
    runtime = ServiceRuntime(spec, settings)
    uvicorn.run(
        runtime.fastapi_app(),
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=10,
    )
