"""The answers of the security layers are documented on the operations they guard.

Authentication (401, 403) and the request limits (413, 429) answer before a route
runs; each operation of the OpenAPI document must still list them, as problem+json.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from plumbing.http import create_app
from plumbing.problems import PROBLEM_MEDIA_TYPE
from plumbing.security.callers import Caller, Rol
from plumbing.security.dependencies import (
    Authenticator,
    install_authenticator,
    require_roles,
)
from plumbing.security.limits import install_limits
from plumbing.security.settings import SecuritySettings

MENTOR = require_roles(Rol.MENTOR)


class Notitie(BaseModel):
    tekst: str


def _document(settings: SecuritySettings) -> dict[str, Any]:
    router = APIRouter()

    @router.get("/open")
    async def open_() -> dict[str, str]:
        return {}

    @router.get("/beveiligd")
    async def beveiligd(caller: Annotated[Caller, Depends(MENTOR)]) -> dict[str, str]:
        return {}

    @router.post("/notities", responses={413: {"description": "Eigen grens"}})
    async def notitie(
        body: Notitie, caller: Annotated[Caller, Depends(MENTOR)]
    ) -> dict[str, str]:
        return {}

    app = create_app(service="s", version="1.0.0", description="d", routers=[router])
    authenticator = Authenticator()
    install_authenticator(app, authenticator)
    install_limits(app, settings)
    return app.openapi()


def _antwoorden(document: dict[str, Any], pad: str, methode: str) -> dict[str, Any]:
    return document["paths"][pad][methode]["responses"]


def test_security_layers_document_their_answers(settings: SecuritySettings) -> None:
    document = _document(settings)
    open_ = _antwoorden(document, "/open", "get")
    beveiligd = _antwoorden(document, "/beveiligd", "get")
    notities = _antwoorden(document, "/notities", "post")

    # 401/403 only where a caller is needed; 413 only with a body; 429 everywhere
    assert set(open_) == {"200", "400", "429", "500"}
    assert set(beveiligd) == {"200", "400", "401", "403", "429", "500"}
    assert set(notities) == {"200", "400", "401", "403", "413", "429", "500"}
    # an operation's own description of a status wins
    assert notities["413"]["description"] == "Eigen grens"
    for code in ("401", "403", "429"):
        content = beveiligd[code]["content"]
        assert list(content) == [PROBLEM_MEDIA_TYPE]
        assert content[PROBLEM_MEDIA_TYPE]["schema"] == {
            "$ref": "#/components/schemas/Problem"
        }
