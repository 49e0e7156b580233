"""The background job of the PDCA check: due evaluations, once per (simulated) day.

"Today" is `runtime.clock.today()`, so a fast-forwarded school year gets one run per
simulated day. Running twice on a day, or in two processes, evaluates nothing twice:
the application checks due-ness again on each freshly loaded dossier.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from datetime import date

from plumbing.runtime import ServiceRuntime
from services.opvolging.application import Opvolging

__all__ = ["SYSTEEM_OPVOLGING", "evaluaties_per_dag"]

logger = logging.getLogger(__name__)

#: The actor of the evaluations this job makes.
SYSTEEM_OPVOLGING = "systeem:opvolging"

_STANDAARD_INTERVAL = 1.0


async def evaluaties_per_dag(runtime: ServiceRuntime) -> None:
    interval = getattr(
        runtime.settings, "opvolging_evaluatie_poll_seconds", _STANDAARD_INTERVAL
    )
    laatste: date | None = None
    while True:
        vandaag = runtime.clock.today()
        if vandaag != laatste:
            app = runtime.require_app()
            assert isinstance(app, Opvolging)
            try:
                await runtime.run_sync(
                    functools.partial(
                        app.voer_verschuldigde_evaluaties_uit,
                        vandaag,
                        door=SYSTEEM_OPVOLGING,
                        op=runtime.clock.now(),
                    )
                )
            except Exception:  # noqa: BLE001 - a store hiccup: try again next tick
                logger.exception(
                    "evaluaties mislukt", extra={"event": "evaluaties_fout"}
                )
            else:
                laatste = vandaag
        await asyncio.sleep(interval)
