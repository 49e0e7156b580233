"""The driver's HTTP client: one `httpx.AsyncClient` per service, with the API key.

Transient answers (429, 502, 503, 504, connection errors) are retried with
`stamina`; anything else is returned to the caller, who decides whether it was
expected (a rejected faulty record) or a failure of the run.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx
import stamina
import stamina.instrumentation

__all__ = ["Ketenklant", "KetenFout"]

_TIJDELIJK = frozenset({429, 502, 503, 504})

# Retries are expected (the DUO stand-in's outage does not reach us, but a busy
# service may answer 503); their log lines would break the progress bars.
stamina.instrumentation.set_on_retry_hooks([])


class KetenFout(RuntimeError):
    """A service answered in a way the run cannot continue from."""

    def __init__(self, dienst: str, methode: str, pad: str, antwoord: httpx.Response):
        self.status = antwoord.status_code
        tekst = antwoord.text[:500]
        super().__init__(f"{dienst}: {methode} {pad} gave {self.status}: {tekst}")


class _Tijdelijk(Exception):
    def __init__(self, antwoord: httpx.Response) -> None:
        super().__init__(f"HTTP {antwoord.status_code}")
        self.antwoord = antwoord


class Ketenklant:
    def __init__(
        self, urls: Mapping[str, str], api_sleutel: str, *, timeout: float = 300.0
    ) -> None:
        limieten = httpx.Limits(max_connections=32, max_keepalive_connections=32)
        self._clients = {
            naam: httpx.AsyncClient(
                base_url=url,
                headers={"Authorization": f"Bearer {api_sleutel}"},
                timeout=timeout,
                limits=limieten,
            )
            for naam, url in urls.items()
        }

    async def sluit(self) -> None:
        for client in self._clients.values():
            await client.aclose()

    async def verzoek(
        self,
        dienst: str,
        methode: str,
        pad: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        verwacht: tuple[int, ...] = (200, 201, 202, 204),
        opnieuw_bij: tuple[int, ...] = (),
    ) -> httpx.Response:
        """One call, retried while the answer is transient (or in `opnieuw_bij`,
        e.g. a 409 for concurrent writes); raises `KetenFout` for an answer not
        in `verwacht`."""
        client = self._clients[dienst]
        tijdelijk = _TIJDELIJK.union(opnieuw_bij)
        try:
            async for poging in stamina.retry_context(
                on=(httpx.TransportError, _Tijdelijk),
                attempts=12,
                wait_initial=0.2,
                wait_max=3.0,
                timeout=120.0,
            ):
                with poging:
                    antwoord = await client.request(
                        methode, pad, json=json, params=params
                    )
                    if antwoord.status_code in tijdelijk:
                        raise _Tijdelijk(antwoord)
        except _Tijdelijk as fout:
            antwoord = fout.antwoord
        if antwoord.status_code not in verwacht:
            raise KetenFout(dienst, methode, pad, antwoord)
        return antwoord

    async def get(
        self, dienst: str, pad: str, params: Mapping[str, Any] | None = None
    ) -> Any:
        return (await self.verzoek(dienst, "GET", pad, params=params)).json()

    async def tekst(self, dienst: str, pad: str) -> str:
        return (await self.verzoek(dienst, "GET", pad)).text
