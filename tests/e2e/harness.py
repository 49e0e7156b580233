"""The whole chain in one process: four services on one real broker.

Each service runs its own runtime (store, relay, consumer, HTTP app) exactly as in
production; only the HTTP transport is in-process (httpx.ASGITransport). Topics get
a prefix per test so tests never see each other's events.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
from pathlib import Path
from typing import Any

import httpx

from plumbing.runtime import ServiceRuntime
from plumbing.security.apikeys import ApiKeyStore
from plumbing.security.callers import Rol

SERVICES = ("registratie", "analyse", "opvolging", "ketenkoppeling")


async def wait_for(check: Any, timeout: float = 90.0) -> Any:
    """Poll ``check`` (sync or async) until it answers something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("the chain did not get there in time")
        await asyncio.sleep(0.2)


def service_module(name: str) -> Any:
    return importlib.import_module(f"services.{name}.service")


class Keten:
    def __init__(
        self,
        bootstrap: str,
        data_dir: Path,
        prefix: str,
        *,
        scholen: list[str],
        env: dict[str, Any] | None = None,
    ) -> None:
        self.bootstrap = bootstrap
        self.data_dir = data_dir
        self.prefix = prefix
        self.scholen = scholen
        self.extra = env or {}
        self.runtimes: dict[str, ServiceRuntime] = {}
        self.clients: dict[str, httpx.AsyncClient] = {}
        self._lifespans: dict[str, contextlib.AbstractAsyncContextManager[Any]] = {}
        self.api_key = ""

    def settings_for(self, name: str) -> Any:
        module = service_module(name)
        settings_class = module.Settings
        return settings_class(
            verzuim_data_dir=self.data_dir,
            kafka_bootstrap_servers=self.bootstrap,
            kafka_topic_prefix=self.prefix,
            kafka_partitions=3,
            relay_poll_seconds=0.05,
            verzuim_rate_limit_per_second=10_000,
            verzuim_rate_limit_burst=10_000,
            **self.extra,
        )

    def create_api_key(self) -> str:
        settings = self.settings_for("registratie")
        store = ApiKeyStore.from_settings(settings)
        try:
            _, key = store.create(
                naam="e2e",
                bestuur="bestuur-test",
                scholen=self.scholen,
                rollen=[Rol.SIS, Rol.BEHEER, Rol.VERZUIMCOORDINATOR, Rol.SCHOOLLEIDER],
            )
        finally:
            store.close()
        return key

    async def start(self, *names: str) -> None:
        if not self.api_key:
            self.api_key = self.create_api_key()
        for name in names or SERVICES:
            await self.start_service(name)

    async def start_service(self, name: str) -> None:
        runtime = ServiceRuntime(service_module(name).SPEC, self.settings_for(name))
        app = runtime.fastapi_app()
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        self.runtimes[name] = runtime
        self._lifespans[name] = lifespan
        self.clients[name] = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url=f"http://{name}",
            headers={"Authorization": f"Bearer {self.api_key}"},
            timeout=60,
        )

    async def stop_service(self, name: str) -> None:
        client = self.clients.pop(name)
        await client.aclose()
        lifespan = self._lifespans.pop(name)
        await lifespan.__aexit__(None, None, None)
        self.runtimes.pop(name)

    async def restart_service(self, name: str) -> None:
        await self.stop_service(name)
        await self.start_service(name)

    async def stop(self) -> None:
        for name in list(self.clients):
            await self.stop_service(name)
