"""HTTP face of the DUO stand-in: the SOAP endpoint and the admin endpoints."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request, Response
from pydantic import BaseModel, Field

from services.ketenkoppeling.duo.soap import CONTENT_TYPE
from standins.duo.dienst import DuoStandin
from standins.duo.storingen import Storingen

__all__ = ["SOAP_PAD", "maak_app"]

SOAP_PAD = "/duo/verzuim"


class UitvalVerzoek(BaseModel):
    seconden: float = Field(gt=0)
    na_seconden: float = Field(default=0.0, ge=0)


def maak_app(standin: DuoStandin) -> FastAPI:
    app = FastAPI(title="DUO verzuimregister (stand-in)", docs_url="/beheer/docs")

    @app.post(SOAP_PAD)
    async def verzuim(request: Request) -> Response:
        if not request.headers.get("content-type", "").startswith("text/xml"):
            return Response("SOAP 1.1 vraagt text/xml", status_code=415)
        antwoord = await standin.verwerk(
            request.headers.get("soapaction"), await request.body()
        )
        return Response(
            antwoord.inhoud,
            status_code=antwoord.status,
            media_type=CONTENT_TYPE,
            headers=antwoord.headers,
        )

    @app.get("/beheer/meldingen")
    async def meldingen() -> dict[str, Any]:
        return standin.samenvatting()

    @app.get("/beheer/verzoeken")
    async def verzoeken() -> list[dict[str, object]]:
        return [record.als_json() for record in standin.verzoeken]

    @app.get("/beheer/storingen")
    async def lees_storingen() -> Storingen:
        return standin.storingen

    @app.put("/beheer/storingen")
    async def zet_storingen(storingen: Storingen) -> Storingen:
        standin.storingen = storingen
        return standin.storingen

    @app.post("/beheer/storingen/uitval")
    async def uitval(verzoek: UitvalVerzoek) -> Storingen:
        standin.voeg_uitval_toe(verzoek.seconden, verzoek.na_seconden)
        return standin.storingen

    return app
