"""Signed webhooks to partners, and the check a receiver runs.

The scheme follows Standard Webhooks (standardwebhooks.com), so a receiver can use any
library for it. Every request is a POST of a JSON body with three headers:

- `webhook-id`: the notification id. It is derived from the upstream event, the
  recipient and the channel, so every retry of one notification carries the same id and
  the receiver handles it once.
- `webhook-timestamp`: seconds since the Unix epoch at the moment of this try.
- `webhook-signature`: `v1,` + base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")),
  several space-separated during a key change. The key is the base64 part of a secret
  `whsec_<base64>`, shared with the receiver out of band and named by a `secret_id`.

The receiver (`verifieer_webhook`) recomputes the signature over the raw body and
refuses a timestamp further than the tolerance (default 5 minutes) from its clock: a
captured request cannot be replayed later, and within the window the id repeats, so
the receiver's deduplication on `webhook-id` covers the rest.

Delivery retries on transport errors, timeouts, 5xx and 429 (waiting Retry-After when
given); any other 4xx, and 3xx, is permanent. Every request has a timeout.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from services.ketenkoppeling.partners.settings import WebhookSettings
from services.ketenkoppeling.partners.verzending import (
    Herhaalbeleid,
    Klok,
    Poging,
    Resultaat,
    Verzendopdracht,
    Verzendresultaat,
    probeer_met_herhaling,
    systeemklok,
)

__all__ = [
    "HEADER_HANDTEKENING",
    "HEADER_ID",
    "HEADER_TIJDSTEMPEL",
    "OngeldigeHandtekening",
    "OngeldigGeheim",
    "OntbrekendeHeader",
    "TijdstempelBuitenTolerantie",
    "WebhookFout",
    "WebhookVerzender",
    "onderteken",
    "verifieer_webhook",
    "webhook_body",
    "webhook_headers",
]

HEADER_ID = "webhook-id"
HEADER_TIJDSTEMPEL = "webhook-timestamp"
HEADER_HANDTEKENING = "webhook-signature"
_PREFIX = "whsec_"
_VERSIE = "v1"
_MIN_SLEUTEL_BYTES = 24
STANDAARD_TOLERANTIE = timedelta(minutes=5)


class OngeldigGeheim(ValueError):
    """A webhook secret that is not `whsec_` + base64 of at least 24 bytes."""


class WebhookFout(ValueError):
    """A received webhook that must be refused."""


class OntbrekendeHeader(WebhookFout):
    pass


class OngeldigeHandtekening(WebhookFout):
    pass


class TijdstempelBuitenTolerantie(WebhookFout):
    pass


def _sleutel(geheim: str) -> bytes:
    if not geheim.startswith(_PREFIX):
        raise OngeldigGeheim(f"een webhookgeheim begint met {_PREFIX}")
    try:
        sleutel = base64.b64decode(geheim.removeprefix(_PREFIX), validate=True)
    except binascii.Error:
        raise OngeldigGeheim("het webhookgeheim is geen geldige base64") from None
    if len(sleutel) < _MIN_SLEUTEL_BYTES:
        raise OngeldigGeheim(
            f"een webhookgeheim heeft minstens {_MIN_SLEUTEL_BYTES} bytes"
        )
    return sleutel


def onderteken(geheim: str, webhook_id: str, tijdstempel: int, body: bytes) -> str:
    """The `webhook-signature` value for one request."""
    inhoud = f"{webhook_id}.{tijdstempel}.".encode() + body
    digest = hmac.new(_sleutel(geheim), inhoud, hashlib.sha256).digest()
    return f"{_VERSIE},{base64.b64encode(digest).decode()}"


def webhook_headers(
    geheim: str, webhook_id: str, tijdstempel: int, body: bytes
) -> dict[str, str]:
    return {
        HEADER_ID: webhook_id,
        HEADER_TIJDSTEMPEL: str(tijdstempel),
        HEADER_HANDTEKENING: onderteken(geheim, webhook_id, tijdstempel, body),
    }


def verifieer_webhook(
    geheimen: str | Sequence[str],
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerantie: timedelta = STANDAARD_TOLERANTIE,
    nu: datetime | None = None,
) -> str:
    """Check a received webhook; return its `webhook-id` or raise a `WebhookFout`.

    `body` is the raw request body, before any JSON parsing. `geheimen` may hold the old
    and the new secret while a key is being changed.
    """
    kop = {naam.lower(): waarde for naam, waarde in headers.items()}
    try:
        webhook_id = kop[HEADER_ID]
        tijdstempel_tekst = kop[HEADER_TIJDSTEMPEL]
        handtekeningen = kop[HEADER_HANDTEKENING].split()
    except KeyError as fout:
        raise OntbrekendeHeader(f"header {fout.args[0]} ontbreekt") from None
    try:
        tijdstempel = int(tijdstempel_tekst)
    except ValueError:
        raise TijdstempelBuitenTolerantie("webhook-timestamp is geen getal") from None

    moment = (nu or systeemklok()).timestamp()
    if abs(moment - tijdstempel) > tolerantie.total_seconds():
        raise TijdstempelBuitenTolerantie("webhook-timestamp valt buiten de tolerantie")

    verwacht = [
        onderteken(geheim, webhook_id, tijdstempel, body)
        for geheim in ([geheimen] if isinstance(geheimen, str) else geheimen)
    ]
    for gegeven in handtekeningen:
        if any(hmac.compare_digest(gegeven, v) for v in verwacht):
            return webhook_id
    raise OngeldigeHandtekening("geen geldige handtekening")


def webhook_body(opdracht: Verzendopdracht) -> bytes:
    """The JSON body, byte for byte the same on every try of one notification."""
    bericht: dict[str, Any] = {
        "id": str(opdracht.notificatie_id),
        "type": f"verzuimketen.{opdracht.soort}",
        "aangemaakt_op": opdracht.aangemaakt_op.isoformat(),
        "ontvanger": opdracht.rol,
        "onderwerp": opdracht.onderwerp,
        "tekst": opdracht.tekst,
        "data": dict(opdracht.gegevens),
    }
    tekst = json.dumps(
        bericht, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return tekst.encode()


def _retry_after(waarde: str | None, nu: datetime) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date (RFC 9110)."""
    if waarde is None:
        return None
    waarde = waarde.strip()
    if waarde.isdigit():
        return float(waarde)
    try:
        moment = parsedate_to_datetime(waarde)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - nu).total_seconds())


class WebhookVerzender:
    """Delivers webhooks through a caller-owned `httpx.AsyncClient`."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        settings: WebhookSettings,
        *,
        klok: Klok = systeemklok,
    ) -> None:
        self._client = client
        self._geheimen = {k: v.get_secret_value() for k, v in settings.secrets.items()}
        for geheim in self._geheimen.values():
            _sleutel(geheim)
        self._timeout = httpx.Timeout(settings.timeout_seconds)
        self._klok = klok
        self._beleid = Herhaalbeleid(
            pogingen=settings.attempts,
            budget=settings.budget_seconds,
            wacht_eerst=settings.backoff_initial_seconds,
            wacht_max=settings.backoff_max_seconds,
            jitter=settings.backoff_jitter_seconds,
            max_gevraagde_wacht=settings.max_retry_after_seconds,
        )

    async def verstuur(self, opdracht: Verzendopdracht) -> Verzendresultaat:
        geheim = self._geheimen.get(opdracht.secret_id or "")
        if geheim is None:
            fout = f"geen geheim ingesteld voor secret_id {opdracht.secret_id}"
            return Verzendresultaat((Poging(Resultaat.PERMANENT_MISLUKT, fout=fout),))
        body = webhook_body(opdracht)

        async def probeer() -> Poging:
            return await self._post(opdracht, geheim, body)

        return await probeer_met_herhaling(
            probeer, self._beleid, naam="webhook", klok=self._klok
        )

    async def _post(
        self, opdracht: Verzendopdracht, geheim: str, body: bytes
    ) -> Poging:
        nu = self._klok()
        headers = webhook_headers(
            geheim, str(opdracht.notificatie_id), int(nu.timestamp()), body
        )
        headers["content-type"] = "application/json"
        try:
            antwoord = await self._client.post(
                opdracht.adres,
                content=body,
                headers=headers,
                timeout=self._timeout,
                follow_redirects=False,
            )
        except httpx.TransportError as fout:
            # The class name only: its message may hold the URL, and a URL a token.
            return Poging(Resultaat.TIJDELIJK_MISLUKT, fout=type(fout).__name__)

        status = antwoord.status_code
        if antwoord.is_success:
            return Poging(Resultaat.GELUKT, statuscode=status)
        if status == 429 or status >= 500:
            wacht = _retry_after(antwoord.headers.get("retry-after"), nu)
            return Poging(
                Resultaat.TIJDELIJK_MISLUKT, status, f"HTTP {status}", wacht=wacht
            )
        # A redirect is not followed: the signed body goes only where it was routed.
        return Poging(Resultaat.PERMANENT_MISLUKT, status, f"HTTP {status}")
