"""One HTTP attempt of a SOAP call, and how to read its failure.

The retry policy itself lives in `client`; this module only says what an answer means:
success, DUO's refusal (inside the payload), a failure worth another attempt
(`Herhaalbaar`), or a protocol error that another attempt will not fix.
"""

from __future__ import annotations

import ssl

import httpx
from lxml import etree

from services.ketenkoppeling.duo import soap
from services.ketenkoppeling.duo.errors import DuoProtocolFout
from services.ketenkoppeling.duo.settings import DuoSettings

__all__ = ["Herhaalbaar", "maak_http", "mogelijk_verwerkt", "verstuur"]

# Answers after which the request certainly was not processed.
_NIET_VERWERKT_STATUS = {429, 503}
# Failures before the request left.
_NIET_VERZONDEN = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class Herhaalbaar(Exception):
    """An HTTP answer that asks for another attempt (5xx, 429)."""

    def __init__(self, status: int, wacht: float | None) -> None:
        self.status = status
        self.wacht = wacht  # seconds from Retry-After, if DUO sent one
        super().__init__(f"HTTP {status}")


def mogelijk_verwerkt(fout: Exception) -> bool:
    """Whether the failed attempt may have reached DUO and been processed."""
    if isinstance(fout, Herhaalbaar):
        return fout.status not in _NIET_VERWERKT_STATUS
    return not isinstance(fout, _NIET_VERZONDEN)


async def verstuur(
    http: httpx.AsyncClient, endpoint: str, operatie: soap.Operatie, inhoud: bytes
) -> etree._Element:
    """POST one envelope; return the answer's payload, validated against the schema."""
    antwoord = await http.post(
        endpoint,
        content=inhoud,
        headers={"Content-Type": soap.CONTENT_TYPE, "SOAPAction": operatie.soap_action},
    )
    if antwoord.status_code == 429 or antwoord.status_code >= 500:
        _controleer_fault(antwoord)
        raise Herhaalbaar(antwoord.status_code, _retry_after(antwoord))
    if antwoord.status_code != 200:
        raise DuoProtocolFout(f"HTTP {antwoord.status_code} op {operatie.naam}")
    try:
        payload = soap.pak_uit(antwoord.content)
    except soap.SoapFault as fault:
        raise DuoProtocolFout(f"SOAP fault bij HTTP 200: {fault.faultcode}") from None
    soap.valideer(payload, "inkomend")
    return payload


def maak_http(settings: DuoSettings) -> httpx.AsyncClient:
    """An HTTP client with the school's certificate and DUO's trust store (D21)."""
    verify: ssl.SSLContext | bool = True
    if settings.is_https:
        cafile = str(settings.ca_bundle) if settings.ca_bundle else None
        verify = ssl.create_default_context(cafile=cafile)
        if settings.client_cert is not None and settings.client_key is not None:
            verify.load_cert_chain(str(settings.client_cert), str(settings.client_key))
    return httpx.AsyncClient(
        verify=verify,
        timeout=httpx.Timeout(settings.timeout_seconden),
        follow_redirects=False,
    )


def _controleer_fault(antwoord: httpx.Response) -> None:
    """A SOAP Client fault means our message is wrong: sending it again won't help."""
    if "xml" not in antwoord.headers.get("content-type", ""):
        return
    try:
        soap.pak_uit(antwoord.content)
    except soap.SoapFault as fault:
        if fault.door_afzender:
            raise DuoProtocolFout(
                f"SOAP fault {fault.faultcode}: {fault.faultstring}"
            ) from None


def _retry_after(antwoord: httpx.Response) -> float | None:
    waarde = antwoord.headers.get("retry-after", "")
    return float(waarde) if waarde.isdigit() else None
