"""Composition root of analyse: `SPEC` and `Settings` for `plumbing.runtime.serve`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date
from typing import cast

from pydantic import Field

from plumbing.runtime import ServiceRuntime, ServiceSpec
from plumbing.security.settings import SecuritySettings
from services.analyse.api import routers
from services.analyse.application import Analyse
from services.analyse.contracts_mapping import to_contract
from services.analyse.leerling import Leerling
from services.analyse.policies import analyse_policy

__all__ = ["SPEC", "Settings", "dagelijkse_herberekening"]

logger = logging.getLogger(__name__)


class Settings(SecuritySettings):
    """Analyse's settings: the platform's and security's, plus the daily job."""

    # One batch of upstream messages evaluates each pupil in it once, so larger
    # batches cost less per slot (CONSUMER_BATCH_SIZE; see benchmarks/).
    consumer_batch_size: int = 2000
    analyse_dagtaak_seconden: float = Field(
        default=5.0,
        gt=0,
        description="how often the daily job looks whether the clock passed a day",
    )


async def dagelijkse_herberekening(runtime: ServiceRuntime) -> None:
    """Evaluate again, once per (simulated) day, what the date alone can change.

    Looks at `runtime.clock.today()` every `ANALYSE_DAGTAAK_SECONDEN`; with
    `VERZUIM_KLOK=file:...` the main job moves the day and this follows it.
    """
    interval = getattr(runtime.settings, "analyse_dagtaak_seconden", 5.0)
    app = cast(Analyse, runtime.require_app())
    vorige: date | None = None
    while True:
        vandaag = runtime.clock.today()
        if vandaag != vorige:
            try:
                await runtime.run_sync(app.herbereken_dag, vandaag)
                vorige = vandaag
            except Exception:  # the next round tries again
                logger.exception("daily evaluation failed")
        await asyncio.sleep(interval)


def _leesmodel_bij(runtime: ServiceRuntime) -> Callable[[], int]:
    """After each consumer batch: keep the read model warm for the API."""
    return cast(Analyse, runtime.require_app()).leesmodel.bij


SPEC = ServiceSpec(
    name="analyse",
    version="1.0.0",
    description=(
        "Analyse: counts verzuim per pupil under the Leerplichtwet (16 hours in "
        "4 lesweken, luxe verzuim, LRV, RMC) and school policy, and publishes "
        "duties to report, signals and proposed measures."
    ),
    build_app=lambda env: Analyse(env=env),
    to_contract=to_contract,
    outbox=Leerling.BerichtKlaargezet,
    routers=routers,
    policy=analyse_policy,
    background=(dagelijkse_herberekening,),
    after_batch=_leesmodel_bij,
)
