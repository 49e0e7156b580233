"""E-mail to partners over SMTP with aiosmtplib.

One message per notification and address: plain text with an HTML alternative. The
Message-ID is derived from the notification id, so a retry after a lost reply is the
same message to every mail system that deduplicates on it. Temporary SMTP replies (4xx),
timeouts and lost connections are retried; 5xx replies are permanent.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from uuid import UUID

import aiosmtplib

from services.ketenkoppeling.partners.settings import SmtpSettings
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

__all__ = ["EmailVerzender", "message_id"]

_VERBINDINGSFOUTEN = (
    aiosmtplib.SMTPConnectError,
    aiosmtplib.SMTPServerDisconnected,
    aiosmtplib.SMTPTimeoutError,
    OSError,
)


def message_id(notificatie_id: UUID, domein: str) -> str:
    return f"<{notificatie_id}@{domein}>"


def _poging_na(fout: Exception) -> Poging:
    """Classify an SMTP failure. The server's reply text is left out: it often repeats
    the recipient's address."""
    naam = type(fout).__name__
    if isinstance(fout, aiosmtplib.SMTPRecipientsRefused):
        codes = [ontvanger.code for ontvanger in fout.recipients]
        code = max(codes, default=None)
        permanent = bool(codes) and all(c >= 500 for c in codes)
    elif isinstance(fout, aiosmtplib.SMTPResponseException):
        code = fout.code
        permanent = code >= 500
    else:
        # Timeouts, refused or dropped connections are worth another try; anything
        # else (a server without the STARTTLS or AUTH it was configured for) needs a
        # change of configuration first.
        code = None
        permanent = not isinstance(fout, _VERBINDINGSFOUTEN)
    resultaat = (
        Resultaat.PERMANENT_MISLUKT if permanent else Resultaat.TIJDELIJK_MISLUKT
    )
    tekst = naam if code is None else f"{naam} (SMTP {code})"
    return Poging(resultaat, statuscode=code, fout=tekst)


class EmailVerzender:
    def __init__(self, settings: SmtpSettings, *, klok: Klok = systeemklok) -> None:
        self._settings = settings
        afzender = parseaddr(settings.sender)[1]
        self._domein = settings.message_id_domain or afzender.rpartition("@")[2]
        if not self._domein:
            raise ValueError("geen domein voor Message-ID: stel sender of domein in")
        self._klok = klok
        self._beleid = Herhaalbeleid(
            pogingen=settings.attempts,
            budget=settings.budget_seconds,
            wacht_eerst=settings.backoff_initial_seconds,
            wacht_max=settings.backoff_max_seconds,
            jitter=settings.backoff_jitter_seconds,
        )

    def bericht(self, opdracht: Verzendopdracht) -> EmailMessage:
        bericht = EmailMessage()
        bericht["From"] = self._settings.sender
        bericht["To"] = opdracht.adres
        bericht["Subject"] = opdracht.onderwerp
        bericht["Date"] = format_datetime(self._klok())
        bericht["Message-ID"] = message_id(opdracht.notificatie_id, self._domein)
        # RFC 3834: no auto-replies (out of office) back to the sender.
        bericht["Auto-Submitted"] = "auto-generated"
        bericht["Content-Language"] = "nl"
        bericht.set_content(opdracht.tekst)
        bericht.add_alternative(opdracht.html, subtype="html")
        return bericht

    async def verstuur(self, opdracht: Verzendopdracht) -> Verzendresultaat:
        bericht = self.bericht(opdracht)

        async def probeer() -> Poging:
            return await self._verstuur(bericht)

        return await probeer_met_herhaling(
            probeer, self._beleid, naam="email", klok=self._klok
        )

    async def _verstuur(self, bericht: EmailMessage) -> Poging:
        s = self._settings
        wachtwoord = s.password.get_secret_value() if s.password else None
        try:
            await aiosmtplib.send(
                bericht,
                hostname=s.host,
                port=s.port,
                use_tls=s.tls == "tls",
                start_tls=s.tls == "starttls",
                username=s.username,
                password=wachtwoord,
                timeout=s.timeout_seconds,
            )
        except (aiosmtplib.SMTPException, OSError) as fout:
            return _poging_na(fout)
        return Poging(Resultaat.GELUKT, statuscode=250)
