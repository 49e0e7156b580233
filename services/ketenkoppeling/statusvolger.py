"""Background job: DUO's status feedback (duo.md 6) becomes events.

Every `duo_status_poll_seconds` the leader of `...-duo-poller` asks DUO, per BRIN that
has meldingen still open there, for the meldingen changed since the last moment it saw
(`opvragen gewijzigde meldingen`). Each forward move (geregistreerd, inBehandeling,
afgesloten, terKennisgeving, ingetrokken) is recorded on the melding, and the new
moment is stored with it in one transaction, so a restart asks from where it stopped.
The moments are DUO's own (`laatste_mutatie`), never this service's clock.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import TYPE_CHECKING

from services.ketenkoppeling.achtergrond import als_leider, app_van, instellingen
from services.ketenkoppeling.application import Ketenkoppeling
from services.ketenkoppeling.domain.meldplicht import DuoStand
from services.ketenkoppeling.duo import DuoClient, DuoFout
from services.ketenkoppeling.duo_opdracht import status_van

if TYPE_CHECKING:
    from plumbing.runtime import ServiceRuntime

__all__ = ["duo_statusvolger", "te_volgen"]

logger = logging.getLogger(__name__)


def te_volgen(app: Ketenkoppeling) -> dict[str, datetime]:
    """Per BRIN with meldingen open at DUO, the moment to ask changes from."""
    volging = app.statusvolging()
    eerste: dict[str, datetime] = {}
    for brin, geaccepteerd in app.overzicht.bij_duo():
        eerste[brin] = min(eerste.get(brin, geaccepteerd), geaccepteerd)
    return {brin: volging.posities.get(brin, moment) for brin, moment in eerste.items()}


async def duo_statusvolger(runtime: ServiceRuntime) -> None:
    """Job 2: poll DUO for status changes of the meldingen it holds."""
    settings = instellingen(runtime)
    app = app_van(runtime)

    async def ronde(duo: DuoClient) -> float:
        plan = await asyncio.to_thread(te_volgen, app)
        for brin, sinds in sorted(plan.items()):
            try:
                gevallen = await duo.opvragen_gewijzigd(sinds, brin)
            except DuoFout as fout:
                logger.warning(
                    "DUO-status niet opgevraagd",
                    extra={"event": "duo.opvragen", "brin": brin, "error": str(fout)},
                )
                continue
            standen = [
                DuoStand(
                    document_id=g.document_id,
                    meldingsnummer=g.meldingsnummer,
                    status=status_van(g.status),
                    reden=g.reden_afgesloten,
                    laatste_mutatie=g.laatste_mutatie,
                )
                for g in gevallen
            ]
            nu = runtime.clock.now()
            gewijzigd = await asyncio.to_thread(
                app.verwerk_duo_standen, brin, standen, nu
            )
            if gewijzigd:
                logger.info(
                    "DUO-status verwerkt",
                    extra={"event": "duo.status", "brin": brin, "count": gewijzigd},
                )
        return settings.duo_status_poll_seconds

    async with DuoClient(settings.duo_settings(), klok=runtime.clock.now) as duo:
        await als_leider(runtime, "duo-poller", lambda: ronde(duo))
