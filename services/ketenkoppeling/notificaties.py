"""Background job: partner notifications for the events a school configures.

An `Aanleiding` (a melding sent or withdrawn, luxeverzuim confirmed, a MAZL signal, a
dossier closed) becomes `Notificatie` aggregates through the partners package:
routing per school and gemeentecode, Dutch texts per role. Each open notification is
then delivered once per round; every try is recorded on it, and its outcome is
published as `NotificatieBezorgd`. A failed notification waits until a person offers
it again (`POST /notificaties/{id}/opnieuw`). Only the leader of
`...-notificaties` delivers.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING
from uuid import UUID

import httpx

from services.ketenkoppeling.achtergrond import als_leider, app_van, instellingen
from services.ketenkoppeling.application import Ketenkoppeling
from services.ketenkoppeling.domain.aanleiding import Aanleiding, Aanleidingstatus
from services.ketenkoppeling.partners import (
    Bezorger,
    EmailVerzender,
    Gebeurtenis,
    GebeurtenisFout,
    GeenSjabloon,
    Inhoudmaker,
    Kanaal,
    Meldingsoort,
    NotificatieSoort,
    Notificatiestatus,
    OnbekendeSchool,
    PartnerSettings,
    Routering,
    RouteringFout,
    WebhookVerzender,
    maak_notificaties,
)

if TYPE_CHECKING:
    from plumbing.clock import Clock
    from plumbing.runtime import ServiceRuntime

__all__ = ["Notificeerder", "partnernotificaties"]

logger = logging.getLogger(__name__)


def _routering(settings: PartnerSettings) -> Routering:
    try:
        return Routering.uit_settings(settings)
    except RouteringFout as fout:
        # Without valid routes nobody is notified; aanleidingen wait for a restart.
        logger.error(
            "partnerroutering ongeldig",
            extra={"event": "routering", "error": str(fout)},
        )
        return Routering()


class Notificeerder:
    def __init__(
        self,
        app: Ketenkoppeling,
        klok: Clock,
        routering: Routering,
        inhoudmaker: Inhoudmaker,
        bezorger: Bezorger,
    ) -> None:
        self._app = app
        self._klok = klok
        self._routering = routering
        self._inhoudmaker = inhoudmaker
        self._bezorger = bezorger

    async def ronde(self) -> None:
        overzicht = self._app.overzicht
        await asyncio.to_thread(overzicht.bij)
        aanleidingen = overzicht.aanleidingen.neem()
        for index, aanleiding_id in enumerate(aanleidingen):
            try:
                await asyncio.to_thread(self.maak, aanleiding_id)
            except Exception:
                # e.g. the store is unavailable: keep the rest for the next round.
                overzicht.aanleidingen.voeg_toe(aanleidingen[index:])
                raise
        await asyncio.to_thread(overzicht.bij)
        notificaties = overzicht.bezorging.neem()
        for index, notificatie_id in enumerate(notificaties):
            try:
                await self.bezorg(notificatie_id)
            except Exception:
                overzicht.bezorging.voeg_toe(notificaties[index:])
                raise

    def maak(self, aanleiding_id: UUID) -> None:
        """Turn one aanleiding into notifications (or record why not)."""
        aanleiding = self._app.aanleiding(aanleiding_id)
        if aanleiding is None or aanleiding.status in (
            Aanleidingstatus.VERWERKT,
            Aanleidingstatus.OVERGESLAGEN,
        ):
            return
        leerling = self._app.leerling(aanleiding.leerling_id)
        if leerling is None or leerling.gegevens is None:
            return  # registratie's event is still on its way; it puts this back
        nu = self._klok.now()
        try:
            gebeurtenis = Gebeurtenis(
                id=aanleiding.bron,
                soort=NotificatieSoort(aanleiding.soort),
                school_id=str(aanleiding.school_id),
                leerling_id=str(aanleiding.leerling_id),
                datum=aanleiding.datum,
                gemeentecode=leerling.gegevens["woongemeente"],
                meldingsoort=_meldingsoort(aanleiding),
                begindatum=aanleiding.begindatum,
                einddatum=aanleiding.einddatum,
                duo_meldingsnummer=aanleiding.meldingsnummer,
                meerderjarig=leerling.meerderjarig_op(aanleiding.datum),
            )
            notificaties = maak_notificaties(
                gebeurtenis, self._routering, self._inhoudmaker, klok=self._klok.now
            )
        except OnbekendeSchool:
            aanleiding.overgeslagen("geen notificaties ingesteld voor deze school", nu)
            self._app.save(aanleiding)
            return
        except (RouteringFout, GebeurtenisFout, GeenSjabloon) as fout:
            aanleiding.niet_te_routeren(str(fout), nu)
            self._app.save(aanleiding)
            logger.warning(
                "aanleiding niet te routeren",
                extra={
                    "event": "notificatie.routering",
                    "aanleiding": str(aanleiding_id),
                },
            )
            return
        self._app.notificaties_aangemaakt(aanleiding, notificaties, nu)

    async def bezorg(self, notificatie_id: UUID) -> None:
        notificatie = await asyncio.to_thread(self._app.notificatie, notificatie_id)
        if notificatie.status is not Notificatiestatus.OPEN:
            return
        uitkomst = await self._bezorger.bezorg(notificatie)
        await asyncio.to_thread(
            self._app.bezorging_vastgelegd, notificatie, self._klok.now()
        )
        logger.info(
            "notificatie bezorgd"
            if uitkomst.status is Notificatiestatus.BEZORGD
            else "notificatie mislukt",
            extra={
                "event": "notificatie.bezorging",
                "notificatie": str(notificatie_id),
                "kanaal": str(notificatie.kanaal),
                "count": len(uitkomst.pogingen),
            },
        )


def _meldingsoort(aanleiding: Aanleiding) -> Meldingsoort | None:
    if aanleiding.meldingsoort is None:
        return None
    return Meldingsoort.uit_verzuimsoort(aanleiding.meldingsoort)


async def partnernotificaties(runtime: ServiceRuntime) -> None:
    """Job 4: create and deliver partner notifications."""
    settings = instellingen(runtime)
    partners = PartnerSettings()
    app = app_van(runtime)
    async with httpx.AsyncClient() as http:
        kanalen = {
            # The channels keep real time: receivers check a signature's timestamp.
            Kanaal.WEBHOOK: WebhookVerzender(http, partners.webhook),
            Kanaal.EMAIL: EmailVerzender(partners.smtp),
        }
        notificeerder = Notificeerder(
            app,
            runtime.clock,
            _routering(partners),
            Inhoudmaker(partners.templates_dir),
            Bezorger(kanalen, klok=runtime.clock.now),
        )

        async def ronde() -> float:
            await notificeerder.ronde()
            return settings.ketenkoppeling_interval_seconds

        await als_leider(runtime, "notificaties", ronde)
