"""Partner notifications from the running service: a signed webhook to the
leerplichtambtenaar, e-mail to the care team that fails, is retried by hand and then
arrives. Receivers are real servers on the loopback interface.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import uuid4

import pytest
from aiosmtpd.controller import Controller

from contracts.ketenkoppeling import NotificatieBezorgd
from contracts.opvolging import DossierGesloten
from services.ketenkoppeling.partners import verifieer_webhook
from tests.ketenkoppeling.test_service_opzet import (
    GEMEENTE,
    SCHOOL_A,
    SCHOOL_B,
    keten,
    leerling,
    maak_bsns,
    meldplicht,
    school,
    snelle_duo,  # noqa: F401 - fixture
    wacht_tot,
)

pytestmark = [
    pytest.mark.broker,
    pytest.mark.slow,
    pytest.mark.usefixtures("snelle_duo"),
]

GEHEIM = "whsec_" + base64.b64encode(b"ketenkoppeling-test-sleutel-32-b").decode()
ZORGTEAM = "zorgteam@testcollege.example"


class _Ontvanger(BaseHTTPRequestHandler):
    ontvangen: list[tuple[dict[str, str], bytes]]

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        lengte = int(self.headers.get("content-length", "0"))
        self.ontvangen.append((dict(self.headers.items()), self.rfile.read(lengte)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[tuple[dict[str, str], bytes]]]]:
    ontvangen: list[tuple[dict[str, str], bytes]] = []
    handler = type("Ontvanger", (_Ontvanger,), {"ontvangen": ontvangen})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    draad = threading.Thread(target=server.serve_forever, daemon=True)
    draad.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks/verzuim", ontvangen
    server.shutdown()
    server.server_close()


class _Postbus:
    def __init__(self) -> None:
        self.berichten: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.berichten.append(envelope)
        return "250 OK"


def _vrije_poort() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def partners(monkeypatch, webhook) -> int:
    """Routing through settings, as in production; returns the SMTP port (closed)."""
    url, _ = webhook
    poort = _vrije_poort()
    routering = {
        "leerplicht": [
            {
                "naam": "Leerplicht Teststad",
                "gemeentecodes": [GEMEENTE],
                "webhook": {"url": url, "secret_id": "lpa-teststad"},
            }
        ],
        "scholen": [
            {
                "school_id": str(SCHOOL_A),
                "naam": "Testcollege locatie Noord",
                "brin": "99XX",
                "zorgteam": {"email": ZORGTEAM},
                "abonnementen": {
                    "melding_verzonden": ["leerplichtambtenaar", "zorgteam"],
                    "dossier_gesloten": ["leerplichtambtenaar"],
                },
            }
        ],
    }
    omgeving = {
        "ROUTING": json.dumps(routering),
        "WEBHOOK__SECRETS": json.dumps({"lpa-teststad": GEHEIM}),
        "WEBHOOK__ATTEMPTS": "2",
        "WEBHOOK__BACKOFF_INITIAL_SECONDS": "0",
        "WEBHOOK__BACKOFF_JITTER_SECONDS": "0",
        "SMTP__HOST": "127.0.0.1",
        "SMTP__PORT": str(poort),
        "SMTP__ATTEMPTS": "2",
        "SMTP__TIMEOUT_SECONDS": "2",
        "SMTP__BACKOFF_INITIAL_SECONDS": "0",
        "SMTP__BACKOFF_JITTER_SECONDS": "0",
    }
    for naam, waarde in omgeving.items():
        monkeypatch.setenv(f"KETENKOPPELING_PARTNERS_{naam}", waarde)
    return poort


async def _notificaties(k: Any, **query: str) -> list[dict[str, Any]]:
    antwoord = await k.api.get("/v1/notificaties", params=query)
    assert antwoord.status_code == 200, antwoord.text
    return antwoord.json()


async def _afgehandeld(k: Any, aantal: int) -> list[dict[str, Any]] | None:
    lijst = await _notificaties(k, schoolId=str(SCHOOL_A))
    klaar = [n for n in lijst if n["status"] != "open"]
    return lijst if len(klaar) == aantal else None


async def test_melding_verzonden_bereikt_leerplicht_en_zorgteam(
    broker, tmp_path, unique, partners, webhook
):
    _, ontvangen = webhook
    [bsn] = maak_bsns(1)
    leerling_id, plicht = uuid4(), uuid4()

    async with keten(broker, tmp_path, unique) as k:
        # when: a melding reaches DUO
        await k.publiceer(school(), leerling(leerling_id, bsn))
        await k.publiceer(meldplicht(plicht, leerling_id))

        # then: the leerplichtambtenaar gets a signed webhook, the care team's e-mail
        # fails (nobody listens on its SMTP port) after its attempts
        lijst = await wacht_tot(lambda: _afgehandeld(k, 2), wat="twee notificaties")
        per_kanaal = {n["kanaal"]: n for n in lijst}
        assert per_kanaal["webhook"]["status"] == "bezorgd"
        assert per_kanaal["webhook"]["ontvanger"] == "leerplichtambtenaar"
        email = per_kanaal["email"]
        assert (email["status"], len(email["pogingen"])) == ("mislukt", 2)
        assert [n["status"] for n in await _notificaties(k, status="mislukt")] == [
            "mislukt"
        ]

        [(headers, body)] = ontvangen
        assert verifieer_webhook(GEHEIM, headers, body, nu=datetime.now(UTC))
        bericht = json.loads(body)
        [melding] = await k.meldingen()
        assert bericht["type"] == "verzuimketen.melding_verzonden"
        assert bericht["data"]["duo_meldingsnummer"] == melding["meldingsnummer"]
        assert bericht["data"]["leerling_id"] == str(leerling_id)

        # when: the mail server is back and a person offers the e-mail again
        postbus = _Postbus()
        smtp = Controller(postbus, hostname="127.0.0.1", port=partners)
        smtp.start()
        try:
            antwoord = await k.api.post(
                f"/v1/notificaties/{email['notificatieId']}/opnieuw"
            )
            assert antwoord.status_code == 202, antwoord.text
            assert antwoord.json()["status"] == "open"
            opnieuw = await wacht_tot(
                lambda: _status(k, email["notificatieId"], "bezorgd"), wat="e-mail"
            )
        finally:
            smtp.stop()
        assert len(opnieuw["pogingen"]) == 3  # the count goes on
        [post] = postbus.berichten
        assert post.rcpt_tos == [ZORGTEAM]

        # a delivered one cannot be offered again; another school's list is not there
        dubbel = await k.api.post(
            f"/v1/notificaties/{per_kanaal['webhook']['notificatieId']}/opnieuw"
        )
        assert dubbel.status_code == 409
        vreemd = await k.api.get("/v1/notificaties", params={"schoolId": str(SCHOOL_B)})
        assert vreemd.status_code == 404

        # when: opvolging closes the dossier
        await k.publiceer(
            DossierGesloten(
                dossier_id=uuid4(),
                leerling_id=leerling_id,
                school_id=SCHOOL_A,
                reden="Verzuim gestopt",
            )
        )
        await wacht_tot(lambda: len(ontvangen) == 2, wat="dossier gesloten")
        assert json.loads(ontvangen[1][1])["type"] == "verzuimketen.dossier_gesloten"

        # and every outcome is published
        uitkomsten = await wacht_tot(
            lambda: _bezorgingen(k, 4), wat="NotificatieBezorgd op het topic"
        )
        assert sorted(uitkomsten) == [
            ("email", "bezorgd"),
            ("email", "mislukt"),
            ("webhook", "bezorgd"),
            ("webhook", "bezorgd"),
        ]

    assert not any(bsn.encode() in body for _, body in ontvangen)
    assert bsn.encode() not in post.content


async def _status(k: Any, notificatie_id: str, status: str) -> dict[str, Any] | None:
    for n in await _notificaties(k):
        if n["notificatieId"] == notificatie_id and n["status"] == status:
            return n
    return None


async def _bezorgingen(k: Any, aantal: int) -> list[tuple[str, str]] | None:
    gevonden = [
        (g.kanaal, g.status)
        for g in await k.eigen_gebeurtenissen()
        if isinstance(g, NotificatieBezorgd)
    ]
    return gevonden if len(gevonden) >= aantal else None
