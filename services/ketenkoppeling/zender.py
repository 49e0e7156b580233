"""Background job: the DUO sender. Each melding with work goes to DUO exactly once.

The work queue is the `Overzicht`'s: rebuilt from the store at start, fed after every
consumer batch and by the sender's own results. For one melding:

1. record `PogingGestart` before anything leaves, so a crash mid-call is known;
2. call DUO (the client retries transport failures a bounded number of times);
3. record the outcome: DUO's meldingsnummer, DUO's refusal (DC0002, final), or a failed
   attempt. After a failure, or a restart mid-call, the next attempt passes the first
   attempt's moment as `eerdere_poging`: the client asks DUO whether it already holds
   the document before sending it again. The document number derives
   from the meldplicht, so DUO also answers a repeat with the first answer.

When DUO cannot be reached the sender pauses (doubling up to a maximum) and keeps the
queue: an outage of hours loses nothing. Only the leader of `...-duo-sender` sends.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from services.ketenkoppeling.achtergrond import (
    als_leider,
    app_van,
    instellingen,
    metrieken,
)
from services.ketenkoppeling.application import Ketenkoppeling
from services.ketenkoppeling.domain.fouten import MeldingNietGevonden
from services.ketenkoppeling.domain.gegevens import Leerlinggegevens, Schoolgegevens
from services.ketenkoppeling.domain.meldplicht import Werk
from services.ketenkoppeling.domain.verzuimmelding import Verzuimmelding
from services.ketenkoppeling.duo import (
    DuoAfwijzing,
    DuoClient,
    DuoFout,
    DuoOnbereikbaar,
    Meldingsbevestiging,
    documentnummer,
)
from services.ketenkoppeling.duo_opdracht import (
    Blokkade,
    duo_melding,
    einddatum_mutatie,
    intrekking,
    status_van,
)
from services.ketenkoppeling.settings import Settings

if TYPE_CHECKING:
    from plumbing.clock import Clock
    from plumbing.runtime import ServiceRuntime

__all__ = ["Zender", "duo_zender"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: Meldingen handled per round before the loop yields and catches up again.
_PER_RONDE = 200


class _NietMeer(Exception):
    """The melding no longer needs this work (changed while the sender looked)."""


async def duo_zender(runtime: ServiceRuntime) -> None:
    """Job 1: send pending meldingen, withdrawals and einddatums to DUO."""
    settings = instellingen(runtime)
    zender = Zender(app_van(runtime), runtime.clock, settings, runtime)
    async with DuoClient(settings.duo_settings(), klok=runtime.clock.now) as duo:
        await als_leider(runtime, "duo-sender", lambda: zender.ronde(duo))


class Zender:
    def __init__(
        self,
        app: Ketenkoppeling,
        klok: Clock,
        settings: Settings,
        runtime: ServiceRuntime,
    ) -> None:
        self._app = app
        self._klok = klok
        self._settings = settings
        self._marge = timedelta(seconds=settings.duo_settings().klokmarge_seconden)
        self._metrieken = metrieken(runtime)
        self._open: set[UUID] = set()
        self._later: dict[UUID, float] = {}  # melding → monotonic moment to retry
        self._pauze_tot = 0.0
        self._pauze = 0.0

    async def ronde(self, duo: DuoClient) -> float:
        """One pass over the queue; returns the pause before the next."""
        await asyncio.to_thread(self._app.overzicht.bij)
        self._open.update(self._app.overzicht.verzending.neem())
        nu = time.monotonic()
        for melding_id, moment in list(self._later.items()):
            if moment <= nu:
                self._open.add(melding_id)
                del self._later[melding_id]
        if nu < self._pauze_tot:
            return min(
                self._pauze_tot - nu, self._settings.ketenkoppeling_interval_seconds
            )
        for melding_id in sorted(self._open)[:_PER_RONDE]:
            try:
                await self._verwerk(duo, melding_id)
            except DuoOnbereikbaar:
                # DUO is down: keep the queue, pause, try one melding first next time.
                self._pauze = min(
                    max(self._pauze * 2, self._settings.duo_retry_seconds),
                    self._settings.duo_retry_max_seconds,
                )
                self._pauze_tot = time.monotonic() + self._pauze
                logger.warning(
                    "DUO onbereikbaar; verzending gepauzeerd",
                    extra={"event": "duo.pauze", "seconden": self._pauze},
                )
                return min(self._pauze, self._settings.ketenkoppeling_interval_seconds)
            except Exception as fout:  # noqa: BLE001 - one melding must not stop the rest
                logger.error(
                    "verzuimmelding kon niet worden verwerkt",
                    extra={
                        "event": "duo.fout",
                        "melding": str(melding_id),
                        "error": type(fout).__name__,
                    },
                )
                self._later[melding_id] = (
                    time.monotonic() + self._settings.duo_retry_seconds
                )
                self._open.discard(melding_id)
                continue
            self._pauze = 0.0
            self._open.discard(melding_id)
        return 0.0 if self._open else self._settings.ketenkoppeling_interval_seconds

    # -- one melding -----------------------------------------------------------------

    async def _wijzig(
        self, melding_id: UUID, actie: Callable[[Verzuimmelding], T]
    ) -> T:
        nu = self._klok.now()
        return await asyncio.to_thread(self._app.wijzig_melding, melding_id, actie, nu)

    async def _begin(self, melding_id: UUID, werk: Werk) -> Any:
        """Record the attempt if the work still stands; `eerdere_poging` for melden."""
        nu = self._klok.now()

        def actie(melding: Verzuimmelding) -> Any:
            if melding.werk is not werk:
                raise _NietMeer
            melding.blokkeer([], nu)
            return melding.start_poging(werk, nu)

        return await self._wijzig(melding_id, actie)

    def _lees(
        self, melding_id: UUID
    ) -> tuple[Verzuimmelding, Schoolgegevens | None, Leerlinggegevens | None]:
        """The melding with the school and pupil its work needs, in one thread hop."""
        app = self._app
        melding = app.melding(melding_id)
        if melding.werk not in (Werk.MELDEN, Werk.CONTROLEREN):
            return melding, None, None
        school = app.school(melding.school_id)
        if melding.werk is not Werk.MELDEN:
            return melding, school, None
        return melding, school, app.leerling(melding.leerling_id)

    async def _verwerk(self, duo: DuoClient, melding_id: UUID) -> None:
        try:
            melding, school, leerling = await asyncio.to_thread(self._lees, melding_id)
        except MeldingNietGevonden:
            return
        werk = melding.werk
        try:
            if werk is Werk.MELDEN:
                await self._meld(duo, melding, school, leerling)
            elif werk is Werk.CONTROLEREN:
                await self._controleer(duo, melding, school)
            elif werk in (Werk.INTREKKEN, Werk.EINDDATUM):
                await self._muteer(duo, melding, werk)
        except _NietMeer:
            # Changed meanwhile; the change itself puts the melding back in the queue.
            return

    async def _meld(
        self,
        duo: DuoClient,
        melding: Verzuimmelding,
        school: Schoolgegevens | None,
        leerling: Leerlinggegevens | None,
    ) -> None:
        nu = self._klok.now()
        opdracht = duo_melding(melding, school, leerling, self._settings.pgn_sleutel)
        if isinstance(opdracht, Blokkade):
            velden = list(opdracht.velden)
            await self._wijzig(melding.id, lambda m: m.blokkeer(velden, nu))
            # Upstream topics arrive in any order: the pupil or school may still be
            # on its way. Look again later instead of waiting for a change.
            self._later[melding.id] = time.monotonic() + max(
                self._settings.duo_retry_seconds, 1.0
            )
            logger.warning(
                "verzuimmelding wacht op gegevens",
                extra={
                    "event": "duo.blokkade",
                    "melding": str(melding.id),
                    "velden": velden,
                },
            )
            return
        eerdere = await self._begin(melding.id, Werk.MELDEN)
        try:
            bevestiging = await duo.melden(opdracht, eerdere_poging=eerdere)
        except DuoAfwijzing as afwijzing:
            code, reden = afwijzing.code, afwijzing.reden
            await self._wijzig(melding.id, lambda m: m.afgewezen(code, reden, nu))
            self._tel("melden", "afgewezen")
            logger.warning(
                "DUO wees de verzuimmelding af",
                extra={
                    "event": "duo.afgewezen",
                    "melding": str(melding.id),
                    "code": code,
                },
            )
            return
        except DuoFout as fout:
            await self._mislukt(melding.id, Werk.MELDEN, fout)
            raise
        await self._geregistreerd(
            melding.id,
            bevestiging,
            opdracht.brin,
            opdracht.einddatum,
            begindatum=opdracht.begindatum,
        )
        self._tel("melden", "geregistreerd")

    async def _geregistreerd(
        self,
        melding_id: UUID,
        bevestiging: Meldingsbevestiging,
        brin: str,
        einddatum: Any,
        *,
        begindatum: date | None = None,
    ) -> None:
        nu = self._klok.now()
        stand = status_van(bevestiging.status)

        def actie(melding: Verzuimmelding) -> None:
            melding.geregistreerd(
                meldingsnummer=bevestiging.meldingsnummer,
                brin=brin,
                laatste_mutatie=bevestiging.laatste_mutatie,
                einddatum_verzonden=einddatum,
                begindatum_verzonden=begindatum,
                op=nu,
            )
            if stand is not None:
                melding.duo_status_gezien(stand, None, bevestiging.laatste_mutatie, nu)

        await self._wijzig(melding_id, actie)
        logger.info(
            "verzuimmelding bij DUO geregistreerd",
            extra={
                "event": "duo.geregistreerd",
                "melding": str(melding_id),
                "meldingsnummer": bevestiging.meldingsnummer,
            },
        )

    async def _controleer(
        self, duo: DuoClient, melding: Verzuimmelding, school: Schoolgegevens | None
    ) -> None:
        """Only ask DUO: a withdrawn or cancelled melding must not be sent now."""
        if school is None:
            return
        document = documentnummer(str(melding.meldplicht_id))
        sinds = (melding.eerste_meldpoging or self._klok.now()) - self._marge
        gevallen = await duo.opvragen_gewijzigd(
            sinds, school.brin, document_id=document
        )
        gevonden = next((g for g in gevallen if g.document_id == document), None)
        if gevonden is None:
            nu = self._klok.now()
            await self._wijzig(melding.id, lambda m: m.niet_bij_duo(nu))
            return
        bevestiging = Meldingsbevestiging(
            document, gevonden.meldingsnummer, gevonden.status, gevonden.laatste_mutatie
        )
        einddatum = melding.plicht.einddatum_bij_melden
        await self._geregistreerd(melding.id, bevestiging, school.brin, einddatum)

    async def _muteer(
        self, duo: DuoClient, melding: Verzuimmelding, werk: Werk
    ) -> None:
        mutatie = (
            intrekking(melding)
            if werk is Werk.INTREKKEN
            else einddatum_mutatie(melding)
        )
        await self._begin(melding.id, werk)
        nu = self._klok.now()
        try:
            bevestiging = await duo.muteer(mutatie)
        except DuoAfwijzing as afwijzing:
            code, reden = afwijzing.code, afwijzing.reden
            if werk is Werk.INTREKKEN:
                await self._wijzig(
                    melding.id, lambda m: m.intrekking_afgewezen(code, reden, nu)
                )
            else:
                einddatum = mutatie.einddatum
                assert einddatum is not None
                await self._wijzig(
                    melding.id,
                    lambda m: m.einddatum_afgewezen(einddatum, code, reden, nu),
                )
            self._tel(str(werk), "afgewezen")
            return
        except DuoFout as fout:
            await self._mislukt(melding.id, werk, fout)
            raise
        if werk is Werk.INTREKKEN:
            await self._wijzig(
                melding.id, lambda m: m.ingetrokken(bevestiging.laatste_mutatie, nu)
            )
        else:
            einddatum = mutatie.einddatum
            assert einddatum is not None
            await self._wijzig(
                melding.id,
                lambda m: m.einddatum_verstuurd(
                    einddatum, bevestiging.laatste_mutatie, nu
                ),
            )
        self._tel(str(werk), "verwerkt")

    async def _mislukt(self, melding_id: UUID, werk: Werk, fout: DuoFout) -> None:
        nu = self._klok.now()
        # Anything but a clean "not reached" may have been processed by DUO.
        onzeker = not isinstance(fout, DuoOnbereikbaar) or fout.uitkomst_onzeker
        reden = str(fout) if isinstance(fout, DuoOnbereikbaar) else type(fout).__name__
        await self._wijzig(
            melding_id, lambda m: m.poging_mislukt(werk, reden, onzeker, nu)
        )
        self._tel(str(werk), "mislukt")

    def _tel(self, operatie: str, uitkomst: str) -> None:
        self._metrieken.duo_uitkomsten.labels(
            operatie=operatie, uitkomst=uitkomst
        ).inc()
