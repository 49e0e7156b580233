"""The relay in a child process of its own, so a service uses a second core.

With ``RELAY_PROCESS=true`` the service does not publish from its own event loop: it
starts one child process that opens the same store and runs the same `Relay`
(leader lock, epochs, positions: nothing changes for the consumers). Decoding stored
events, building CloudEvents envelopes and producing to Kafka then run beside the
HTTP requests and the saves instead of taking turns with them under one GIL.

The child finds the service's `ServiceSpec` as ``services.<name>.service.SPEC``,
the composition root every service has (a spec holds lambdas, so it cannot be sent
over). The parent wakes it after every save with SIGUSR1, as it wakes its own relay
otherwise; the child also polls, as any relay does, and finishes its batch on
SIGTERM. The child's position and its errors in a row are shared integers, so the
parent's ``/ready`` and its ``relay_position`` metric still tell the truth;
``events_published_total`` is counted in the child and not exposed. A child that
dies is not started again: ``/ready`` then fails, as when the relay cannot publish,
for whatever runs the service to restart it.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import multiprocessing
import os
import signal
from dataclasses import dataclass
from multiprocessing.context import SpawnProcess
from typing import TYPE_CHECKING, Any

from plumbing.broker import die_with_parent
from plumbing.settings import PlatformSettings
from plumbing.store import store_env

if TYPE_CHECKING:
    from plumbing.runtime import ServiceRuntime, ServiceSpec

__all__ = ["RelayProcess", "spec_module"]

logger = logging.getLogger(__name__)

_SPAWN = multiprocessing.get_context("spawn")


def spec_module(spec: ServiceSpec) -> str:
    """The module the child imports the spec from; refuses a spec found elsewhere."""
    module = f"services.{spec.name}.service"
    try:
        found = getattr(importlib.import_module(module), "SPEC", None)
    except ImportError:
        found = None
    if found is not spec:
        raise RuntimeError(
            f"RELAY_PROCESS needs the spec of {spec.name!r} as {module}.SPEC"
        )
    return module


class RelayProcess:
    """The parent's handle on the child that publishes."""

    def __init__(self, spec: ServiceSpec, settings: PlatformSettings) -> None:
        # Plain shared integers: semaphores (events, locked values) would outlive a
        # parent that uvicorn ends with its own SIGTERM, and each figure has one
        # writer.
        self.shared = _Shared(
            ready=_SPAWN.RawValue("q", 0),
            position=_SPAWN.RawValue("q", 0),
            errors_in_a_row=_SPAWN.RawValue("q", 0),
        )
        self._process: SpawnProcess = _SPAWN.Process(
            target=_main,
            args=(spec_module(spec), settings, self.shared, os.getpid()),
            name=f"{spec.name}-relay",
            daemon=True,
        )

    def start(self) -> None:
        self._process.start()

    def wake(self) -> None:
        """Called from the saving thread after every save that stored something: a
        signal, which coalesces as a wake-up should and never blocks the save.
        Not before the child handles it (SIGUSR1 would end it)."""
        pid = self._process.pid
        if pid is not None and self.shared.ready.value and self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGUSR1)

    def alive(self) -> bool:
        return self._process.is_alive()

    def stop(self, timeout: float = 10.0) -> None:
        """Let the child finish the batch it publishes (SIGTERM), then end it."""
        if self.alive():
            self._process.terminate()
            self._process.join(timeout)
        if self.alive():
            self._process.kill()
            self._process.join(timeout)


@dataclass(frozen=True)
class _Shared:
    """What parent and child share: the child's readiness and figures."""

    ready: Any
    position: Any
    errors_in_a_row: Any


def _main(
    module: str, settings: PlatformSettings, shared: _Shared, parent: int
) -> None:
    die_with_parent()
    # A parent killed while this child was still starting sent no death signal:
    # an orphan would keep the leader lock from the service that replaces it.
    if os.getppid() != parent:
        return
    from plumbing.logging import configure_logging

    spec = importlib.import_module(module).SPEC
    configure_logging(f"{spec.name}-relay", settings.verzuim_log_level)
    asyncio.run(_publish(spec, settings, shared, parent))


async def _publish(
    spec: ServiceSpec, settings: PlatformSettings, shared: _Shared, parent: int
) -> None:
    from plumbing.runtime import ServiceRuntime

    runtime = ServiceRuntime(spec, settings)
    app = await asyncio.to_thread(spec.build_app, store_env(spec.name, settings))
    runtime.app = app
    relay = runtime.build_relay(metrics=_SharedPosition(shared.position))
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, relay.wake)
    loop.add_signal_handler(signal.SIGTERM, relay.stop)
    loop.add_signal_handler(signal.SIGINT, relay.stop)
    shared.ready.value = 1

    async def report() -> None:
        while True:
            shared.errors_in_a_row.value = relay.stats.errors_in_a_row
            if os.getppid() != parent:
                # Orphaned all the same (the death signal can be missed while the
                # child imports): stop, so a new service's relay can lead.
                relay.stop()
                return
            await asyncio.sleep(0.5)

    reporting = asyncio.create_task(report())
    try:
        await relay.run()
    finally:
        reporting.cancel()
        await asyncio.to_thread(app.close)


class _SharedPosition:
    """Stands in for `ServiceMetrics` in the child: the relay's position goes to a
    value the parent reads; the count of published messages is dropped."""

    def __init__(self, position: Any) -> None:
        self.relay_position = _Figure(position)
        self.events_published_total = _Figure(None)


class _Figure:
    def __init__(self, value: Any) -> None:
        self._value = value

    def labels(self, **_: Any) -> _Figure:
        return self

    def set(self, value: float) -> None:
        if self._value is not None:
            self._value.value = int(value)

    def inc(self, _: float = 1) -> None:
        pass


def relay_figures(runtime: ServiceRuntime, child: RelayProcess) -> None:
    """The parent's `relay_position` metric reads the child's shared position."""
    gauge = runtime.metrics.relay_position.labels(topic=runtime.own_topic)
    gauge.set_function(lambda: child.shared.position.value)
