"""What the background jobs share: settings, metrics, and running as the only leader.

Each job runs its rounds under a leader lock of its own (`<service>-<role>`), so with
several replicas exactly one sends to DUO, one polls, one watches due dates and one
delivers notifications. A round that fails is logged (without personal data) and the
job carries on after a pause: a job must not die of one bad melding.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast
from weakref import WeakKeyDictionary

from prometheus_client import Counter, Gauge

from plumbing.leader import FileLeaderLock, LeaderLock, PostgresLeaderLock
from services.ketenkoppeling.application import Ketenkoppeling
from services.ketenkoppeling.settings import Settings

if TYPE_CHECKING:
    from plumbing.runtime import ServiceRuntime

__all__ = ["Metrieken", "als_leider", "app_van", "instellingen", "metrieken"]

logger = logging.getLogger(__name__)

_FOUTPAUZE_SECONDEN = 5.0


def app_van(runtime: ServiceRuntime) -> Ketenkoppeling:
    return cast(Ketenkoppeling, runtime.require_app())


def instellingen(runtime: ServiceRuntime) -> Settings:
    if isinstance(runtime.settings, Settings):
        return runtime.settings
    return Settings(**runtime.settings.model_dump())


@dataclass(frozen=True)
class Metrieken:
    termijn_overschreden: Counter
    over_termijn: Gauge
    duo_uitkomsten: Counter


_METRIEKEN: WeakKeyDictionary[ServiceRuntime, Metrieken] = WeakKeyDictionary()


def metrieken(runtime: ServiceRuntime) -> Metrieken:
    """The service's own metrics, registered once per runtime."""
    if runtime not in _METRIEKEN:
        r = runtime.metrics.registry
        _METRIEKEN[runtime] = Metrieken(
            termijn_overschreden=Counter(
                "ketenkoppeling_meldingen_termijn_overschreden_total",
                "Verzuimmeldingen not accepted by DUO by their vervaldatum (D4).",
                registry=r,
            ),
            over_termijn=Gauge(
                "ketenkoppeling_meldingen_over_termijn",
                "Verzuimmeldingen past their vervaldatum and not yet at DUO (D4).",
                registry=r,
            ),
            duo_uitkomsten=Counter(
                "ketenkoppeling_duo_verzoeken_total",
                "Calls to DUO by operation and outcome.",
                ["operatie", "uitkomst"],
                registry=r,
            ),
        )
    return _METRIEKEN[runtime]


def _leider(runtime: ServiceRuntime, rol: str) -> LeaderLock:
    settings = runtime.settings
    naam = f"verzuimketen-{runtime.spec.name}-{rol}{settings.kafka_topic_prefix}"
    if settings.verzuim_store == "postgres":
        return PostgresLeaderLock(settings.postgres_dsn(), naam)
    bestand = f"{runtime.spec.name}.{rol}{settings.kafka_topic_prefix}.lock"
    return FileLeaderLock(settings.verzuim_data_dir / bestand)


async def als_leider(
    runtime: ServiceRuntime, rol: str, ronde: Callable[[], Awaitable[float]]
) -> None:
    """Run `ronde` over and over while leader; it returns the pause before the next."""
    lock = _leider(runtime, rol)
    await lock.acquire()
    logger.info("background job leads", extra={"event": "leider", "rol": rol})
    try:
        while True:
            if not await lock.still_leader():
                await lock.acquire()
            try:
                pauze = await ronde()
            except Exception as fout:  # noqa: BLE001 - the job outlives one bad round
                logger.error(
                    "background round failed",
                    extra={
                        "event": "ronde.mislukt",
                        "rol": rol,
                        "error": type(fout).__name__,
                    },
                    exc_info=True,
                )
                pauze = _FOUTPAUZE_SECONDEN
            await asyncio.sleep(pauze)
    finally:
        await lock.release()
