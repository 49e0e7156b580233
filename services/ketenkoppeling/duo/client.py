"""`DuoClient`: the three DUO operations as SOAP 1.1 calls over HTTPS (D21).

Retries. Transport errors, timeouts, 5xx and 429 are retried with exponential backoff
(stamina), a bounded number of attempts per call. When they run out the call raises
`DuoOnbereikbaar`; the caller keeps the melding queued and tries again later. A DC0002
Foutmelding is DUO's answer, not a failure: it raises `DuoAfwijzing` and is never
retried.

Exactly once. A melding sent again after a timeout may already be at
DUO. The decision: both safeguards, keyed on our deterministic document number.

1. Before re-sending after an uncertain outcome (a timeout or a 5xx once the request
   may have arrived), the client asks DUO with opvragen whether it holds a melding
   with this `IdentificatiecodeBedrijfsdocument`; if so it returns DUO's
   meldingsnummer and sends nothing. Across restarts the caller passes
   `eerdere_poging` to make the same check before the first attempt.
2. DUO (here: the stand-in) answers a repeated document number with the first answer:
   the existing meldingsnummer, or the first DC0001 of a mutatie.

The check alone keeps a melding single against an authority that does not
de-duplicate; the replay covers the gap between the check and the re-send. A mutatie
relies on the replay only: DC0011 does not show which mutaties were applied, so there
is nothing to check.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from types import TracebackType

import httpx
import stamina
from lxml import etree

from services.ketenkoppeling.duo import berichten, soap
from services.ketenkoppeling.duo.errors import DuoOnbereikbaar
from services.ketenkoppeling.duo.model import (
    DuoMelding,
    DuoMutatie,
    Meldingsbevestiging,
    Mutatiebevestiging,
    Verzuimgeval,
)
from services.ketenkoppeling.duo.settings import DuoSettings
from services.ketenkoppeling.duo.tijdstip import AMSTERDAM
from services.ketenkoppeling.duo.transport import (
    Herhaalbaar,
    maak_http,
    mogelijk_verwerkt,
    verstuur,
)

__all__ = ["DuoClient"]

logger = logging.getLogger(__name__)


class DuoClient:
    """Async client for DUO's verzuimregister (or the stand-in with the same contract).

    Use as `async with DuoClient(settings) as duo:`. `http` lets tests hand in their
    own `httpx.AsyncClient`; `klok` gives the current aware moment.
    """

    def __init__(
        self,
        settings: DuoSettings | None = None,
        *,
        http: httpx.AsyncClient | None = None,
        klok: Callable[[], datetime] | None = None,
    ) -> None:
        self._settings = settings or DuoSettings()
        self._http = http or maak_http(self._settings)
        self._klok = klok or (lambda: datetime.now(AMSTERDAM))

    async def __aenter__(self) -> DuoClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def melden(
        self, melding: DuoMelding, *, eerdere_poging: datetime | None = None
    ) -> Meldingsbevestiging:
        """Submit a new melding; DUO's meldingsnummer comes back (DC0018).

        `eerdere_poging`: when an earlier call for this melding ended with an uncertain
        outcome, the moment of that first attempt; DUO is then asked first.
        """
        melding.valideer()
        inhoud = _uitgaand(berichten.melden_verzoek(melding))
        controle_sinds = eerdere_poging
        begonnen = self._klok()
        pogingen = 0
        onzeker = False
        try:
            async for poging in self._pogingen():
                with poging:
                    pogingen += 1
                    if controle_sinds is not None:
                        bekend = await self._zoek(melding, controle_sinds)
                        if bekend is not None:
                            return bekend
                    try:
                        antwoord = await self._verstuur(soap.MELDEN, inhoud)
                    except Exception as fout:
                        if mogelijk_verwerkt(fout):
                            onzeker = True
                            marge = timedelta(seconds=self._settings.klokmarge_seconden)
                            controle_sinds = controle_sinds or begonnen - marge
                        raise
                    bevestiging = berichten.lees_melden_antwoord(antwoord)
                    logger.info(
                        "duo melding geaccepteerd",
                        extra={
                            "event": "duo.melden",
                            "document": melding.document_id,
                            "meldingsnummer": bevestiging.meldingsnummer,
                            "pogingen": pogingen,
                        },
                    )
                    return bevestiging
        except (httpx.TransportError, Herhaalbaar) as fout:
            raise DuoOnbereikbaar(
                "melden", pogingen, uitkomst_onzeker=onzeker
            ) from fout
        raise AssertionError("stamina gaf geen poging")  # pragma: no cover

    async def muteer(self, mutatie: DuoMutatie) -> Mutatiebevestiging:
        """Change a melding DUO holds: einddatum, correctie or intrekking (DC0001)."""
        mutatie.valideer()
        inhoud = _uitgaand(berichten.mutatie_verzoek(mutatie))
        antwoord = await self._met_pogingen("mutatie", soap.MUTATIE, inhoud)
        bevestiging = berichten.lees_mutatie_antwoord(antwoord)
        logger.info(
            "duo mutatie verwerkt",
            extra={
                "event": "duo.mutatie",
                "document": mutatie.document_id,
                "meldingsnummer": mutatie.meldingsnummer,
                "soort": mutatie.soort.value,
            },
        )
        return bevestiging

    async def opvragen_gewijzigd(
        self, sinds: datetime, brin: str, *, document_id: str | None = None
    ) -> list[Verzuimgeval]:
        """The school's meldingen that changed at or after `sinds` (DC0010/DC0011).

        Use the latest `laatste_mutatie` seen as the next `sinds`; a melding may come
        back twice at that boundary, which is harmless.
        """
        inhoud = _uitgaand(berichten.opvragen_verzoek(brin, sinds, document_id))
        antwoord = await self._met_pogingen("opvragen", soap.OPVRAGEN, inhoud)
        return berichten.lees_opvragen_antwoord(antwoord)

    async def _zoek(
        self, melding: DuoMelding, sinds: datetime
    ) -> Meldingsbevestiging | None:
        """The melding with our document number if DUO holds it; one attempt."""
        verzoek = berichten.opvragen_verzoek(melding.brin, sinds, melding.document_id)
        antwoord = await self._verstuur(soap.OPVRAGEN, _uitgaand(verzoek))
        for geval in berichten.lees_opvragen_antwoord(antwoord):
            if geval.document_id == melding.document_id:
                logger.info(
                    "duo melding al aanwezig",
                    extra={
                        "event": "duo.melden.gevonden",
                        "document": melding.document_id,
                        "meldingsnummer": geval.meldingsnummer,
                    },
                )
                return Meldingsbevestiging(
                    melding.document_id,
                    geval.meldingsnummer,
                    geval.status,
                    geval.laatste_mutatie,
                )
        return None

    async def _met_pogingen(
        self, naam: str, operatie: soap.Operatie, inhoud: bytes
    ) -> etree._Element:
        pogingen = 0
        onzeker = False
        try:
            async for poging in self._pogingen():
                with poging:
                    pogingen += 1
                    try:
                        return await self._verstuur(operatie, inhoud)
                    except Exception as fout:
                        onzeker = onzeker or mogelijk_verwerkt(fout)
                        raise
        except (httpx.TransportError, Herhaalbaar) as fout:
            raise DuoOnbereikbaar(naam, pogingen, uitkomst_onzeker=onzeker) from fout
        raise AssertionError("stamina gaf geen poging")  # pragma: no cover

    def _pogingen(self) -> stamina.retry_context:
        s = self._settings
        return stamina.retry_context(
            on=self._herhalen,
            attempts=s.pogingen,
            timeout=None,
            wait_initial=s.wacht_initieel_seconden,
            wait_max=s.wacht_max_seconden,
            wait_jitter=s.wacht_jitter_seconden,
        )

    def _herhalen(self, fout: Exception) -> bool | float:
        """stamina's hook: retry this failure? A float is the wait DUO asked for."""
        if isinstance(fout, Herhaalbaar):
            if fout.wacht is not None:
                return min(fout.wacht, self._settings.wacht_max_seconden)
            return True
        return isinstance(fout, httpx.TransportError)

    async def _verstuur(self, operatie: soap.Operatie, inhoud: bytes) -> etree._Element:
        return await verstuur(self._http, self._settings.endpoint, operatie, inhoud)


def _uitgaand(payload: etree._Element) -> bytes:
    soap.valideer(payload, "uitgaand")
    return soap.verpak(payload)
