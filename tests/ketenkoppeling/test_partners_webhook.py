"""Signed webhooks: the signature scheme, the receiver's check, and delivery retries."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest
import respx

from services.ketenkoppeling.partners import (
    Resultaat,
    Verzendopdracht,
    WebhookSettings,
    WebhookVerzender,
    verifieer_webhook,
)
from services.ketenkoppeling.partners.webhook import (
    OngeldigeHandtekening,
    OngeldigGeheim,
    OntbrekendeHeader,
    TijdstempelBuitenTolerantie,
    onderteken,
    webhook_body,
    webhook_headers,
)

GEHEIM = "whsec_" + base64.b64encode(b"verzuimketen-test-sleutel-32-byt").decode()
ANDER_GEHEIM = "whsec_" + base64.b64encode(b"een-heel-andere-sleutel-32-bytes").decode()
URL = "https://leerplicht.voorbeeldstad.example/webhooks/verzuimketen"
NOTIFICATIE = UUID("5481a697-3591-56e8-a5bd-bcaee12d9554")
NU = datetime(2025, 9, 18, 10, 0, tzinfo=UTC)


class Klok:
    def __init__(self, nu: datetime = NU) -> None:
        self.nu = nu

    def __call__(self) -> datetime:
        return self.nu


def opdracht(**anders: Any) -> Verzendopdracht:
    velden: dict[str, Any] = {
        "notificatie_id": NOTIFICATIE,
        "soort": "melding_verzonden",
        "rol": "leerplichtambtenaar",
        "adres": URL,
        "secret_id": "lpa-voorbeeldstad",
        "onderwerp": "Verzuimmelding van Testcollege",
        "tekst": "Geachte leerplichtambtenaar,\n",
        "html": "<p>Geachte leerplichtambtenaar,</p>",
        "gegevens": {"leerling_id": "0b9a8c7d-6e5f-4a3b-9c2d-1e0f2a3b4c5d"},
        "aangemaakt_op": NU,
    }
    velden.update(anders)
    return Verzendopdracht(**velden)


def settings(**anders: Any) -> WebhookSettings:
    velden: dict[str, Any] = {
        "secrets": {"lpa-voorbeeldstad": GEHEIM},
        "attempts": 4,
        "timeout_seconds": 2.0,
        "backoff_initial_seconds": 0.0,
        "backoff_jitter_seconds": 0.0,
    }
    velden.update(anders)
    return WebhookSettings(**velden)


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


# --- the scheme ------------------------------------------------------------------


def test_signature_matches_the_standard_webhooks_test_vector() -> None:
    # The vector published with the Standard Webhooks specification: matching it means
    # receivers can verify with any of that specification's libraries.
    handtekening = onderteken(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        b'{"test": 2432232314}',
    )

    assert handtekening == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


@pytest.mark.parametrize(
    "geheim",
    [
        pytest.param("zonder-prefix", id="geen-whsec"),
        pytest.param("whsec_!!geen-base64!!", id="geen-base64"),
        pytest.param("whsec_" + base64.b64encode(b"kort").decode(), id="te-kort"),
    ],
)
def test_weak_or_malformed_secrets_are_refused(geheim: str) -> None:
    with pytest.raises(OngeldigGeheim):
        onderteken(geheim, "id", 1, b"{}")


def test_body_is_the_same_bytes_on_every_try() -> None:
    eerste = webhook_body(opdracht())
    tweede = webhook_body(opdracht())

    assert eerste == tweede
    assert json.loads(eerste)["id"] == str(NOTIFICATIE)
    assert json.loads(eerste)["type"] == "verzuimketen.melding_verzonden"


# --- the receiver's check --------------------------------------------------------


def ondertekend(nu: datetime = NU, body: bytes = b'{"a":1}') -> dict[str, str]:
    return webhook_headers(GEHEIM, str(NOTIFICATIE), int(nu.timestamp()), body)


def test_verifier_accepts_a_fresh_signed_request() -> None:
    assert verifieer_webhook(GEHEIM, ondertekend(), b'{"a":1}', nu=NU) == str(
        NOTIFICATIE
    )


def test_verifier_rejects_a_tampered_body() -> None:
    with pytest.raises(OngeldigeHandtekening):
        verifieer_webhook(GEHEIM, ondertekend(), b'{"a":2}', nu=NU)


def test_verifier_rejects_the_wrong_secret() -> None:
    with pytest.raises(OngeldigeHandtekening):
        verifieer_webhook(ANDER_GEHEIM, ondertekend(), b'{"a":1}', nu=NU)


def test_verifier_rejects_a_changed_id() -> None:
    headers = ondertekend() | {"webhook-id": "andere-notificatie"}

    with pytest.raises(OngeldigeHandtekening):
        verifieer_webhook(GEHEIM, headers, b'{"a":1}', nu=NU)


def test_verifier_rejects_a_timestamp_older_than_the_tolerance() -> None:
    later = NU + timedelta(minutes=5, seconds=1)

    with pytest.raises(TijdstempelBuitenTolerantie):
        verifieer_webhook(GEHEIM, ondertekend(), b'{"a":1}', nu=later)


def test_verifier_rejects_a_timestamp_from_the_future() -> None:
    with pytest.raises(TijdstempelBuitenTolerantie):
        verifieer_webhook(
            GEHEIM, ondertekend(NU + timedelta(minutes=10)), b'{"a":1}', nu=NU
        )


def test_tolerance_is_configurable() -> None:
    later = NU + timedelta(minutes=9)

    webhook_id = verifieer_webhook(
        GEHEIM, ondertekend(), b'{"a":1}', nu=later, tolerantie=timedelta(minutes=10)
    )

    assert webhook_id == str(NOTIFICATIE)


def test_verifier_accepts_either_secret_during_a_key_change() -> None:
    assert verifieer_webhook([ANDER_GEHEIM, GEHEIM], ondertekend(), b'{"a":1}', nu=NU)


def test_verifier_accepts_one_good_signature_among_several() -> None:
    headers = ondertekend()
    oud = onderteken(ANDER_GEHEIM, str(NOTIFICATIE), int(NU.timestamp()), b'{"a":1}')
    headers["webhook-signature"] = f"{oud} {headers['webhook-signature']}"

    assert verifieer_webhook(GEHEIM, headers, b'{"a":1}', nu=NU)


def test_verifier_reads_header_names_case_insensitively() -> None:
    headers = {naam.upper(): waarde for naam, waarde in ondertekend().items()}

    assert verifieer_webhook(GEHEIM, headers, b'{"a":1}', nu=NU)


@pytest.mark.parametrize(
    "header", ["webhook-id", "webhook-timestamp", "webhook-signature"]
)
def test_verifier_rejects_a_missing_header(header: str) -> None:
    headers = ondertekend()
    del headers[header]

    with pytest.raises(OntbrekendeHeader, match=header):
        verifieer_webhook(GEHEIM, headers, b'{"a":1}', nu=NU)


async def test_a_captured_request_cannot_be_replayed_later(
    client: httpx.AsyncClient,
) -> None:
    klok = Klok()
    with respx.mock:
        route = respx.post(URL).respond(204)
        await WebhookVerzender(client, settings(), klok=klok).verstuur(opdracht())
    verstuurd = route.calls.last.request
    headers = dict(verstuurd.headers)

    # The genuine request passes on arrival.
    assert verifieer_webhook(GEHEIM, headers, verstuurd.content, nu=NU)
    # Replayed an hour later, as captured: the timestamp is stale.
    with pytest.raises(TijdstempelBuitenTolerantie):
        verifieer_webhook(
            GEHEIM, headers, verstuurd.content, nu=NU + timedelta(hours=1)
        )
    # Replayed with a fresh timestamp: the signature no longer fits.
    vers = headers | {"webhook-timestamp": str(int(NU.timestamp()) + 3600)}
    with pytest.raises(OngeldigeHandtekening):
        verifieer_webhook(GEHEIM, vers, verstuurd.content, nu=NU + timedelta(hours=1))


# --- delivery and retries --------------------------------------------------------


async def test_503_then_200_is_delivered_as_the_same_call(
    client: httpx.AsyncClient,
) -> None:
    klok = Klok()
    with respx.mock:
        route = respx.post(URL).mock(
            side_effect=[httpx.Response(503), httpx.Response(200)]
        )
        resultaat = await WebhookVerzender(client, settings(), klok=klok).verstuur(
            opdracht()
        )

    assert resultaat.resultaat is Resultaat.GELUKT
    assert [(p.resultaat, p.statuscode) for p in resultaat.pogingen] == [
        (Resultaat.TIJDELIJK_MISLUKT, 503),
        (Resultaat.GELUKT, 200),
    ]
    ids = {call.request.headers["webhook-id"] for call in route.calls}
    assert ids == {str(NOTIFICATIE)}
    bodies = {call.request.content for call in route.calls}
    assert len(bodies) == 1
    for call in route.calls:
        assert verifieer_webhook(
            GEHEIM, call.request.headers, call.request.content, nu=NU
        )


async def test_429_waits_as_long_as_retry_after_asks(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    gewacht: list[float] = []
    echte_sleep = asyncio.sleep

    async def meet_sleep(seconden: float, *args: Any) -> None:
        gewacht.append(seconden)
        await echte_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", meet_sleep)
    with respx.mock:
        respx.post(URL).mock(
            side_effect=[
                httpx.Response(429, headers={"Retry-After": "7"}),
                httpx.Response(200),
            ]
        )
        resultaat = await WebhookVerzender(client, settings()).verstuur(opdracht())

    assert resultaat.gelukt
    assert resultaat.pogingen[0].wacht == 7.0
    assert [s for s in gewacht if s > 0] == [7.0]


async def test_retry_after_as_an_http_date_is_understood(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(asyncio, "sleep", _geen_wachttijd)
    with respx.mock:
        respx.post(URL).mock(
            side_effect=[
                httpx.Response(
                    503, headers={"Retry-After": "Thu, 18 Sep 2025 10:00:30 GMT"}
                ),
                httpx.Response(200),
            ]
        )
        resultaat = await WebhookVerzender(client, settings(), klok=Klok()).verstuur(
            opdracht()
        )

    assert resultaat.pogingen[0].wacht == 30.0


async def _geen_wachttijd(seconden: float, *args: Any) -> None:
    return None


async def test_a_retry_after_beyond_the_limit_ends_the_delivery_as_temporary(
    client: httpx.AsyncClient,
) -> None:
    with respx.mock:
        route = respx.post(URL).respond(429, headers={"Retry-After": "3600"})
        resultaat = await WebhookVerzender(
            client, settings(max_retry_after_seconds=60)
        ).verstuur(opdracht())

    assert route.call_count == 1
    assert resultaat.resultaat is Resultaat.TIJDELIJK_MISLUKT
    assert resultaat.pogingen[0].fout == "HTTP 429"


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410, 422, 301])
async def test_other_4xx_and_redirects_fail_permanently_at_once(
    client: httpx.AsyncClient, status: int
) -> None:
    with respx.mock:
        route = respx.post(URL).respond(
            status, headers={"Location": "https://elders.example/"}
        )
        resultaat = await WebhookVerzender(client, settings()).verstuur(opdracht())

    assert route.call_count == 1
    assert resultaat.resultaat is Resultaat.PERMANENT_MISLUKT
    assert len(resultaat.pogingen) == 1
    assert resultaat.pogingen[0].statuscode == status


async def test_a_timeout_is_retried_and_the_error_hides_the_url(
    client: httpx.AsyncClient,
) -> None:
    geheime_url = URL + "?token=s3cr3t"
    with respx.mock:
        respx.post(geheime_url).mock(
            side_effect=[httpx.ReadTimeout("read timed out"), httpx.Response(200)]
        )
        resultaat = await WebhookVerzender(client, settings()).verstuur(
            opdracht(adres=geheime_url)
        )

    assert resultaat.gelukt
    assert resultaat.pogingen[0].fout == "ReadTimeout"
    assert all("s3cr3t" not in (p.fout or "") for p in resultaat.pogingen)


async def test_transport_errors_until_the_attempts_run_out_are_temporary(
    client: httpx.AsyncClient,
) -> None:
    with respx.mock:
        route = respx.post(URL).mock(side_effect=httpx.ConnectError("refused"))
        resultaat = await WebhookVerzender(client, settings(attempts=3)).verstuur(
            opdracht()
        )

    assert route.call_count == 3
    assert [p.fout for p in resultaat.pogingen] == ["ConnectError"] * 3
    assert resultaat.resultaat is Resultaat.TIJDELIJK_MISLUKT


async def test_every_request_carries_the_configured_timeout(
    client: httpx.AsyncClient,
) -> None:
    with respx.mock:
        route = respx.post(URL).respond(200)
        await WebhookVerzender(client, settings(timeout_seconds=3.5)).verstuur(
            opdracht()
        )

    timeout = route.calls.last.request.extensions["timeout"]
    assert timeout == {"connect": 3.5, "read": 3.5, "write": 3.5, "pool": 3.5}


async def test_a_receiver_that_never_answers_times_out() -> None:
    # A real socket that accepts and stays silent: the timeout must end each try.
    klaar = asyncio.Event()

    async def zwijg(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await klaar.wait()
        writer.close()

    server = await asyncio.start_server(zwijg, "127.0.0.1", 0)
    poort = server.sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient() as client:
            verzender = WebhookVerzender(
                client, settings(attempts=2, timeout_seconds=0.2)
            )
            resultaat = await asyncio.wait_for(
                verzender.verstuur(opdracht(adres=f"http://127.0.0.1:{poort}/hook")), 5
            )
    finally:
        klaar.set()
        server.close()
        await server.wait_closed()

    assert [p.fout for p in resultaat.pogingen] == ["ReadTimeout", "ReadTimeout"]
    assert resultaat.resultaat is Resultaat.TIJDELIJK_MISLUKT


async def test_an_unknown_secret_id_fails_permanently_without_sending(
    client: httpx.AsyncClient,
) -> None:
    with respx.mock:
        route = respx.post(URL).respond(200)
        resultaat = await WebhookVerzender(client, settings()).verstuur(
            opdracht(secret_id="onbekend")
        )

    assert route.call_count == 0
    assert resultaat.resultaat is Resultaat.PERMANENT_MISLUKT
    assert "onbekend" in (resultaat.pogingen[0].fout or "")


def test_a_malformed_secret_in_settings_is_refused_at_start(
    client: httpx.AsyncClient,
) -> None:
    with pytest.raises(OngeldigGeheim):
        WebhookVerzender(client, settings(secrets={"lpa-voorbeeldstad": "geheim"}))
