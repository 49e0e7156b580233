"""The partners the demo notifies: a leerplicht bureau, the care team and the parents'
portal, all played by one local webhook receiver.

`Partnerontvanger` runs in the driver's own event loop on a free loopback port. It
checks every delivery's Standard Webhooks signature with the secret it shares with
ketenkoppeling and counts what arrived per recipient. `routering` is the routing
document ketenkoppeling reads from `KETENKOPPELING_PARTNERS_ROUTING`: one fictional
regional bureau for every municipality the demo pupils live in.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response

from plumbing.broker import free_port
from services.ketenkoppeling.partners.webhook import verifieer_webhook

__all__ = ["Partnerontvanger"]

_ONTVANGERS = ("leerplicht", "zorgteam", "ouders")
# The sender stamps its own (simulated) clock; only the signature is checked here.
_TOLERANTIE = timedelta(days=3650)


class Partnerontvanger:
    def __init__(self) -> None:
        self.poort = free_port()
        self.geheim = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
        self.ontvangen: Counter[str] = Counter()
        self.ongeldig = 0
        self._server: uvicorn.Server | None = None
        self._taak: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.poort}"

    def _app(self) -> FastAPI:
        app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

        @app.post("/{ontvanger}")
        async def ontvang(ontvanger: str, request: Request) -> Response:
            body = await request.body()
            try:
                verifieer_webhook(
                    self.geheim, dict(request.headers), body, tolerantie=_TOLERANTIE
                )
            except ValueError:
                self.ongeldig += 1
                return Response(status_code=401)
            self.ontvangen[ontvanger] += 1
            return Response(status_code=204)

        return app

    async def start(self) -> None:
        config = uvicorn.Config(
            self._app(),
            host="127.0.0.1",
            port=self.poort,
            log_level="warning",
            access_log=False,
            lifespan="off",
        )
        self._server = uvicorn.Server(config)
        self._taak = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._taak.done():
                await self._taak  # raises what stopped it
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        if self._server is not None and self._taak is not None:
            self._server.should_exit = True
            await self._taak

    def omgeving(
        self, scholen: Mapping[str, tuple[str, str]], gemeenten: Iterable[str]
    ) -> dict[str, str]:
        """`KETENKOPPELING_PARTNERS_*` for `scholen` (id -> (naam, brin))."""
        return {
            "KETENKOPPELING_PARTNERS_ROUTING": json.dumps(
                self.routering(scholen, gemeenten)
            ),
            "KETENKOPPELING_PARTNERS_WEBHOOK__SECRETS": json.dumps(
                {"demo": self.geheim}
            ),
            "KETENKOPPELING_PARTNERS_WEBHOOK__BUDGET_SECONDS": "10",
        }

    def routering(
        self, scholen: Mapping[str, tuple[str, str]], gemeenten: Iterable[str]
    ) -> dict[str, Any]:
        def haak(naam: str) -> dict[str, str]:
            return {"url": f"{self.url}/{naam}", "secret_id": "demo"}

        return {
            "leerplicht": [
                {
                    "naam": "Regionaal Bureau Leerplicht Demoregio",
                    "gemeentecodes": sorted(set(gemeenten)),
                    "webhook": haak("leerplicht"),
                }
            ],
            "scholen": [
                {
                    "school_id": school_id,
                    "naam": naam,
                    "brin": brin,
                    "zorgteam": {"webhook": haak("zorgteam")},
                    "ouders": {"email": False, "webhook": haak("ouders")},
                }
                for school_id, (naam, brin) in scholen.items()
            ],
        }
