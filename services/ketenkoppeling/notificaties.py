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
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from uuid import UUID

import httpx

from services.ketenkoppeling.achtergrond import als_leider, app_van, instellingen
from services.ketenkoppeling.application import Ketenkoppeling
from services.ketenkoppeling.domain.aanleiding import (
    Aanleiding,
    Aanleidingstatus,
    aanleiding_id,
)
from services.ketenkoppeling.partners import (
    Bezorger,
    Bezorguitkomst,
    EmailVerzender,
    Gebeurtenis,
    GebeurtenisFout,
    GeenSjabloon,
    Inhoudmaker,
    Kanaal,
    Meldingsoort,
    Notificatie,
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


#: Aanleidingen routed, or notifications delivered, per save.
_PER_OPSLAG = 50
#: Longest a delivered notification waits for its batch to be saved: after a crash,
#: what was delivered but not yet recorded is delivered again (same id).
_OPSLAG_NA_SECONDEN = 1.0


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
        # Notifications this job just saved, handed to the delivery without
        # loading them again. Only open ones are kept, and an open notification
        # changes only by its delivery here; a stale copy would fail to save.
        self._vers: dict[UUID, Notificatie] = {}
        # Likewise the aanleidingen just routed, as last saved here, for recording
        # their deliveries, with the notifications each still waits for. Only this
        # job changes an aanleiding after it is made; another leader's change
        # makes the save fail on its version, and the copies are dropped.
        self._aanleidingen: dict[UUID, Aanleiding] = {}
        self._wacht_op: dict[UUID, set[UUID]] = {}

    async def ronde(self) -> None:
        overzicht = self._app.overzicht
        await asyncio.to_thread(overzicht.bij)
        aanleidingen = overzicht.aanleidingen.neem()
        for begin in range(0, len(aanleidingen), _PER_OPSLAG):
            deel = aanleidingen[begin : begin + _PER_OPSLAG]
            try:
                await asyncio.to_thread(self.maak, deel)
            except Exception:
                # e.g. the store is unavailable: keep the rest for the next round.
                overzicht.aanleidingen.voeg_toe(aanleidingen[begin:])
                raise
        if aanleidingen:
            await asyncio.to_thread(overzicht.bij)  # the notifications just made
        notificaties = overzicht.bezorging.neem()
        for begin in range(0, len(notificaties), _PER_OPSLAG):
            try:
                await self.bezorg(notificaties[begin : begin + _PER_OPSLAG])
            except Exception:
                overzicht.bezorging.voeg_toe(notificaties[begin:])
                raise

    def maak(self, aanleiding_ids: Sequence[UUID]) -> None:
        """Turn aanleidingen into notifications (or record why not), in one save.

        An aanleiding that fails unexpectedly does not keep the others from being
        saved; the error is raised after their save."""
        opslaan: list[Any] = []
        nieuw: list[Notificatie] = []
        fout: Exception | None = None
        for sleutel in aanleiding_ids:
            try:
                gemaakt = self._maak_een(sleutel)
            except Exception as e:  # noqa: BLE001 - raised again below
                fout = fout or e
                continue
            if gemaakt is not None:
                aanleiding, notificaties = gemaakt
                opslaan.append(aanleiding)
                nieuw += notificaties
        if opslaan:
            self._app.notificaties_aangemaakt(opslaan, nieuw)
            if len(self._vers) > 10 * _PER_OPSLAG:
                self._vers.clear()  # not delivered here (another leader?): load them
            self._vers.update((n.id, n) for n in nieuw)
            if len(self._aanleidingen) > 10 * _PER_OPSLAG:
                self._vergeet_aanleidingen()
            for aanleiding in opslaan:
                if aanleiding.notificatie_ids:
                    self._aanleidingen[aanleiding.id] = aanleiding
                    self._wacht_op[aanleiding.id] = set(aanleiding.notificatie_ids)
        if fout is not None:
            raise fout

    def _maak_een(
        self, aanleiding_id: UUID
    ) -> tuple[Aanleiding, list[Notificatie]] | None:
        """The aanleiding with its new events and notifications; None: nothing."""
        aanleiding = self._app.aanleiding(aanleiding_id)
        if aanleiding is None or aanleiding.status in (
            Aanleidingstatus.VERWERKT,
            Aanleidingstatus.OVERGESLAGEN,
        ):
            return None
        leerling = self._app.leerling(aanleiding.leerling_id, kopie=False)
        if leerling is None or leerling.gegevens is None:
            return None  # registratie's event is still on its way; it puts this back
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
            return aanleiding, []
        except (RouteringFout, GebeurtenisFout, GeenSjabloon) as fout:
            aanleiding.niet_te_routeren(str(fout), nu)
            logger.warning(
                "aanleiding niet te routeren",
                extra={
                    "event": "notificatie.routering",
                    "aanleiding": str(aanleiding_id),
                },
            )
            return aanleiding, []
        aanleiding.verwerkt([n.id for n in notificaties], nu)
        return aanleiding, notificaties

    async def bezorg(self, notificatie_ids: Sequence[UUID]) -> None:
        """Deliver open notifications one after another, as before; their tries
        are saved together. Before the next delivery starts, what was delivered
        more than `_OPSLAG_NA_SECONDEN` ago is saved first."""
        notificaties = await asyncio.to_thread(self._open, notificatie_ids)
        bezorgd: list[Notificatie] = []
        sinds = 0.0
        try:
            for notificatie in notificaties:
                if bezorgd and time.monotonic() - sinds >= _OPSLAG_NA_SECONDEN:
                    await self._leg_vast(bezorgd)
                    bezorgd = []
                uitkomst = await self._bezorger.bezorg(notificatie)
                if not bezorgd:
                    sinds = time.monotonic()
                bezorgd.append(notificatie)
                _log_bezorging(notificatie, uitkomst)
        finally:
            # Also when a delivery raised: what was delivered is recorded.
            if bezorgd:
                await self._leg_vast(bezorgd)

    def _open(self, notificatie_ids: Sequence[UUID]) -> list[Notificatie]:
        notificaties = []
        for notificatie_id in notificatie_ids:
            notificatie = self._vers.pop(notificatie_id, None)
            if notificatie is None:
                notificatie = self._app.notificatie(notificatie_id)
            if notificatie.status is Notificatiestatus.OPEN:
                notificaties.append(notificatie)
        return notificaties

    async def _leg_vast(self, notificaties: list[Notificatie]) -> None:
        try:
            opgeslagen = await asyncio.to_thread(
                self._app.bezorging_vastgelegd,
                notificaties,
                self._klok.now(),
                self._aanleidingen,
            )
        except Exception:
            # The copies may now be ahead of the store: load them next time.
            self._vergeet_aanleidingen()
            raise
        for notificatie in notificaties:
            if notificatie.status is Notificatiestatus.OPEN:
                continue
            sleutel = aanleiding_id(notificatie.bron_event_id)
            wacht_op = self._wacht_op.get(sleutel)
            if wacht_op is not None:
                wacht_op.discard(notificatie.id)
        for aanleiding in opgeslagen:
            if self._wacht_op.get(aanleiding.id):
                self._aanleidingen[aanleiding.id] = aanleiding
            else:
                self._aanleidingen.pop(aanleiding.id, None)
                self._wacht_op.pop(aanleiding.id, None)

    def _vergeet_aanleidingen(self) -> None:
        self._aanleidingen.clear()
        self._wacht_op.clear()


def _log_bezorging(notificatie: Notificatie, uitkomst: Bezorguitkomst) -> None:
    logger.info(
        "notificatie bezorgd"
        if uitkomst.status is Notificatiestatus.BEZORGD
        else "notificatie mislukt",
        extra={
            "event": "notificatie.bezorging",
            "notificatie": str(notificatie.id),
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
