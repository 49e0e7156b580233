"""E-mail over SMTP, against a real aiosmtpd server on the loopback interface."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any
from uuid import UUID

import pytest
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from services.ketenkoppeling.partners import (
    EmailVerzender,
    Resultaat,
    SmtpSettings,
    Verzendopdracht,
)

NOTIFICATIE = UUID("56411580-1019-571f-8bab-c8dcaabc9b40")
NU = datetime(2025, 9, 18, 10, 0, tzinfo=UTC)
GEBRUIKER = "verzuimketen"
WACHTWOORD = "correct-paard-batterij-niet-echt"


@dataclass
class Postvak:
    """An aiosmtpd handler that keeps what it accepts; `antwoorden` are replies to
    give before accepting (e.g. a temporary 451)."""

    antwoorden: list[str] = field(default_factory=list)
    berichten: list[Envelope] = field(default_factory=list)

    async def handle_DATA(
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.antwoorden:
            return self.antwoorden.pop(0)
        self.berichten.append(envelope)
        return "250 OK"

    def laatste(self) -> EmailMessage:
        inhoud = self.berichten[-1].content
        assert isinstance(inhoud, bytes)
        bericht = email.message_from_bytes(inhoud, policy=email.policy.default)
        assert isinstance(bericht, EmailMessage)
        return bericht


def controleer_login(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
) -> AuthResult:
    goed = isinstance(data, LoginPassword) and (data.login, data.password) == (
        GEBRUIKER.encode(),
        WACHTWOORD.encode(),
    )
    return AuthResult(success=goed, handled=False)


@dataclass
class Smtpserver:
    postvak: Postvak
    poort: int


@pytest.fixture
async def smtp() -> AsyncIterator[Smtpserver]:
    postvak = Postvak()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(
            postvak,
            hostname="mail.test",
            authenticator=controleer_login,
            auth_require_tls=False,
            # PLAIN only: one refused login is then one 535, not a second mechanism.
            auth_exclude_mechanism=["LOGIN"],
            loop=loop,
        ),
        "127.0.0.1",
        0,
    )
    yield Smtpserver(postvak, server.sockets[0].getsockname()[1])
    server.close()
    await server.wait_closed()


def settings(poort: int, **anders: Any) -> SmtpSettings:
    velden: dict[str, Any] = {
        "host": "127.0.0.1",
        "port": poort,
        "tls": "none",
        "sender": "Verzuimketen Testcollege <verzuim@testcollege.example>",
        "timeout_seconds": 5.0,
        "attempts": 3,
        "backoff_initial_seconds": 0.0,
        "backoff_jitter_seconds": 0.0,
    }
    velden.update(anders)
    return SmtpSettings(**velden)


def opdracht(**anders: Any) -> Verzendopdracht:
    velden: dict[str, Any] = {
        "notificatie_id": NOTIFICATIE,
        "soort": "melding_verzonden",
        "rol": "ouders",
        "adres": "ouder@thuis.example",
        "secret_id": None,
        "onderwerp": "Melding van verzuim bij de leerplichtambtenaar",
        "tekst": "Beste ouder of verzorger,\n\nSanne heeft lessen gemist.\n",
        "html": "<p>Beste ouder of verzorger,</p><p>Sanne heeft lessen gemist.</p>",
        "gegevens": {},
        "aangemaakt_op": NU,
    }
    velden.update(anders)
    return Verzendopdracht(**velden)


async def test_delivers_plain_text_with_an_html_alternative(smtp: Smtpserver) -> None:
    resultaat = await EmailVerzender(settings(smtp.poort), klok=lambda: NU).verstuur(
        opdracht()
    )

    assert resultaat.gelukt
    bericht = smtp.postvak.laatste()
    assert bericht["To"] == "ouder@thuis.example"
    assert bericht["From"] == "Verzuimketen Testcollege <verzuim@testcollege.example>"
    assert bericht["Subject"] == "Melding van verzuim bij de leerplichtambtenaar"
    assert bericht["Message-ID"] == f"<{NOTIFICATIE}@testcollege.example>"
    assert bericht["Auto-Submitted"] == "auto-generated"
    assert bericht["Date"] == "Thu, 18 Sep 2025 10:00:00 +0000"
    assert bericht.get_content_type() == "multipart/alternative"
    tekst = bericht.get_body(("plain",))
    html = bericht.get_body(("html",))
    assert tekst is not None and html is not None
    assert "Sanne heeft lessen gemist." in tekst.get_content()
    assert "<p>Sanne heeft lessen gemist.</p>" in html.get_content()
    assert smtp.postvak.berichten[-1].rcpt_tos == ["ouder@thuis.example"]


async def test_a_second_send_carries_the_same_message_id(smtp: Smtpserver) -> None:
    verzender = EmailVerzender(settings(smtp.poort))

    await verzender.verstuur(opdracht())
    await verzender.verstuur(opdracht())

    ids = {
        email.message_from_bytes(e.content)["Message-ID"]  # type: ignore[arg-type]
        for e in smtp.postvak.berichten
    }
    assert ids == {f"<{NOTIFICATIE}@testcollege.example>"}


async def test_the_message_id_domain_can_be_set(smtp: Smtpserver) -> None:
    verzender = EmailVerzender(settings(smtp.poort, message_id_domain="ids.example"))

    await verzender.verstuur(opdracht())

    assert smtp.postvak.laatste()["Message-ID"] == f"<{NOTIFICATIE}@ids.example>"


async def test_a_temporary_smtp_reply_is_retried(smtp: Smtpserver) -> None:
    smtp.postvak.antwoorden.append("451 4.3.0 Probeer het later")

    resultaat = await EmailVerzender(settings(smtp.poort)).verstuur(opdracht())

    assert [(p.resultaat, p.statuscode) for p in resultaat.pogingen] == [
        (Resultaat.TIJDELIJK_MISLUKT, 451),
        (Resultaat.GELUKT, 250),
    ]
    assert len(smtp.postvak.berichten) == 1


async def test_a_permanent_smtp_reply_is_not_retried(smtp: Smtpserver) -> None:
    smtp.postvak.antwoorden.extend(["550 5.1.1 ouder@thuis.example onbekend"] * 3)

    resultaat = await EmailVerzender(settings(smtp.poort)).verstuur(opdracht())

    assert len(resultaat.pogingen) == 1
    assert resultaat.resultaat is Resultaat.PERMANENT_MISLUKT
    # The server's reply repeats the address; the stored error does not.
    assert resultaat.pogingen[0].fout == "SMTPDataError (SMTP 550)"


async def test_login_uses_the_configured_credentials(smtp: Smtpserver) -> None:
    goed = settings(smtp.poort, username=GEBRUIKER, password=WACHTWOORD)
    fout = settings(smtp.poort, username=GEBRUIKER, password="verkeerd-wachtwoord")

    gelukt = await EmailVerzender(goed).verstuur(opdracht())
    geweigerd = await EmailVerzender(fout).verstuur(opdracht())

    assert gelukt.gelukt
    assert len(smtp.postvak.berichten) == 1
    assert geweigerd.resultaat is Resultaat.PERMANENT_MISLUKT
    assert len(geweigerd.pogingen) == 1
    assert geweigerd.pogingen[0].fout == "SMTPAuthenticationError (SMTP 535)"


async def test_an_unreachable_server_is_a_temporary_failure() -> None:
    with socket.socket() as vrij:
        vrij.bind(("127.0.0.1", 0))
        poort = vrij.getsockname()[1]
    # Nothing listens on `poort` now.

    resultaat = await EmailVerzender(settings(poort, attempts=2)).verstuur(opdracht())

    assert len(resultaat.pogingen) == 2
    assert resultaat.resultaat is Resultaat.TIJDELIJK_MISLUKT
    assert resultaat.pogingen[0].fout == "SMTPConnectError"


async def test_starttls_on_a_server_without_it_is_a_configuration_error(
    smtp: Smtpserver,
) -> None:
    resultaat = await EmailVerzender(settings(smtp.poort, tls="starttls")).verstuur(
        opdracht()
    )

    assert resultaat.resultaat is Resultaat.PERMANENT_MISLUKT
    assert resultaat.pogingen[0].fout == "SMTPException"
    assert smtp.postvak.berichten == []
