"""Background job: the due date of a melding (D4, Lpw art. 21a: "onverwijld").

A melding not accepted by DUO by its vervaldatum (einddatum + 5 working days) raises
`MeldingTermijnOverschreden` once and counts in the metrics. "Today" is the runtime's
clock, so a fast-forwarded school year passes its due dates too.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from services.ketenkoppeling.achtergrond import (
    als_leider,
    app_van,
    instellingen,
    metrieken,
)
from services.ketenkoppeling.application import Ketenkoppeling
from services.ketenkoppeling.domain.fouten import MeldingNietGevonden
from services.ketenkoppeling.domain.meldplicht import Meldingstatus

if TYPE_CHECKING:
    from plumbing.runtime import ServiceRuntime

__all__ = ["bewaak", "termijnbewaking"]

logger = logging.getLogger(__name__)


def bewaak(
    app: Ketenkoppeling, melding_id: UUID, vandaag: date, nu: datetime
) -> tuple[bool, bool] | None:
    """(overdue as of now, overdue and not at DUO); None: no need to watch it."""
    try:
        melding = app.melding(melding_id)
    except MeldingNietGevonden:
        return None
    if melding.meldingsnummer is not None or melding.status is Meldingstatus.VERVALLEN:
        return None
    nieuw = False
    if not melding.termijn_overschreden:
        nieuw = app.wijzig_melding(
            melding_id, lambda m: m.termijn_verstreken(vandaag, nu), nu
        )
    vervaldatum = melding.plicht.vervaldatum
    return nieuw, vervaldatum is not None and vandaag > vervaldatum


async def termijnbewaking(runtime: ServiceRuntime) -> None:
    """Job 3: watch the due dates of meldingen not yet accepted by DUO."""
    settings = instellingen(runtime)
    app = app_van(runtime)
    meting = metrieken(runtime)
    kandidaten: set[UUID] = set()

    async def ronde() -> float:
        await asyncio.to_thread(app.overzicht.bij)
        kandidaten.update(app.overzicht.termijnen.neem())
        vandaag, nu = runtime.clock.today(), runtime.clock.now()
        te_laat = 0
        for melding_id in sorted(kandidaten):
            stand = await asyncio.to_thread(bewaak, app, melding_id, vandaag, nu)
            if stand is None:
                kandidaten.discard(melding_id)
                continue
            nieuw, over_termijn = stand
            te_laat += over_termijn
            if nieuw:
                meting.termijn_overschreden.inc()
                logger.warning(
                    "verzuimmelding niet op tijd bij DUO",
                    extra={"event": "termijn.overschreden", "melding": str(melding_id)},
                )
        meting.over_termijn.set(te_laat)
        return settings.ketenkoppeling_termijn_seconds

    await als_leider(runtime, "termijnen", ronde)
