"""Authentication and scoping in a tiny FastAPI app: 401, 403, 404 and 200."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Annotated
from uuid import UUID, uuid4

import httpx
import pytest
import respx
from fastapi import Depends, FastAPI

from plumbing.errors import NotFound
from plumbing.security._database import Database
from plumbing.security.apikeys import ApiKeyStore
from plumbing.security.callers import Caller, Rol
from plumbing.security.dependencies import (
    Authenticator,
    authenticated_caller,
    ensure_school,
    install_authenticator,
    require_roles,
)
from plumbing.security.oidc import OidcConfig, OidcVerifier

_here = Path(__file__).parent
for _name in ("conftest", "oidc_fixtures"):
    _spec = importlib.util.spec_from_file_location(
        f"security_{_name}", _here / f"{_name}.py"
    )
    assert _spec is not None and _spec.loader is not None
    _module = importlib.util.module_from_spec(_spec)
    sys.modules.setdefault(f"security_{_name}", _module)
    _spec.loader.exec_module(_module)
add_problem_handlers = sys.modules["security_conftest"].add_problem_handlers
idp_module = sys.modules["security_oidc_fixtures"]

# Which pupil belongs to which school, as a service would know after loading it.
LEERLING_A = uuid4()
LEERLING_B = uuid4()
SCHOOL_VAN = {LEERLING_A: "school-a", LEERLING_B: "school-b"}


MENTOR = require_roles(Rol.MENTOR, Rol.VERZUIMCOORDINATOR)


class LeerlingNietGevonden(NotFound):
    title = "Leerling niet gevonden"


def build_app(authenticator: Authenticator) -> FastAPI:
    app = FastAPI()
    add_problem_handlers(app)
    install_authenticator(app, authenticator)

    @app.get("/v1/leerlingen/{leerlingId}")
    async def leerling(
        leerlingId: UUID, caller: Annotated[Caller, Depends(MENTOR)]
    ) -> dict:
        school = SCHOOL_VAN.get(leerlingId)
        if school is None:
            raise LeerlingNietGevonden("Er is geen leerling met dit id.")
        ensure_school(
            caller,
            school,
            lambda: LeerlingNietGevonden("Er is geen leerling met dit id."),
        )
        return {"leerlingId": str(leerlingId), "caller": caller.id}

    @app.get("/v1/ik")
    def ik(caller: Annotated[Caller, Depends(authenticated_caller)]) -> dict:
        return {"id": caller.id, "rollen": sorted(caller.rollen)}

    return app


@pytest.fixture
def keys(tmp_path: Path) -> ApiKeyStore:
    return ApiKeyStore(Database(sqlite_path=tmp_path / "keys.sqlite"), b"pepper")


@pytest.fixture
def mentor_key(keys: ApiKeyStore) -> str:
    return keys.create("portaal", "bestuur-1", ["school-a"], [Rol.MENTOR])[1]


@pytest.fixture
async def client(keys: ApiKeyStore) -> AsyncIterator[httpx.AsyncClient]:
    app = build_app(Authenticator(api_keys=keys))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def test_no_credentials_is_401_with_a_challenge(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get(f"/v1/leerlingen/{LEERLING_A}")

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == 'Bearer realm="verzuimketen"'
    assert response.json()["status"] == 401


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(
            {"Authorization": "Bearer vk_0123456789abcdef_nope"}, id="bearer-key"
        ),
        pytest.param({"X-API-Key": "vk_0123456789abcdef_nope"}, id="header-key"),
        pytest.param({"Authorization": "Bearer eyJhbGciOi.e30.x"}, id="jwt-no-oidc"),
        pytest.param({"Authorization": "Basic dXNlcjpwYXNz"}, id="basic"),
    ],
)
async def test_bad_credentials_are_401_invalid_token(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    response = await client.get(f"/v1/leerlingen/{LEERLING_A}", headers=headers)

    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"
    assert "Bearer" in response.headers["www-authenticate"]


@pytest.mark.parametrize("header", ["Authorization", "X-API-Key"])
async def test_a_valid_key_in_either_header_is_accepted(
    client: httpx.AsyncClient, mentor_key: str, header: str
) -> None:
    value = f"Bearer {mentor_key}" if header == "Authorization" else mentor_key

    response = await client.get(f"/v1/leerlingen/{LEERLING_A}", headers={header: value})

    assert response.status_code == 200
    assert response.json()["caller"].startswith("apikey:")


async def test_another_schools_pupil_looks_like_a_missing_one(
    client: httpx.AsyncClient, mentor_key: str
) -> None:
    headers = {"X-API-Key": mentor_key}

    other_school = await client.get(f"/v1/leerlingen/{LEERLING_B}", headers=headers)
    missing = await client.get(f"/v1/leerlingen/{uuid4()}", headers=headers)

    assert other_school.status_code == missing.status_code == 404
    assert other_school.json() == missing.json()
    assert other_school.headers["content-type"] == "application/problem+json"


async def test_ensure_school_without_a_custom_error_is_a_plain_404() -> None:
    caller = Caller(
        id="x", kind="persoon", bestuur="b", scholen=frozenset({"school-a"})
    )  # type: ignore[arg-type]
    ensure_school(caller, "school-a")

    with pytest.raises(NotFound):
        ensure_school(caller, "school-b")


async def test_a_caller_without_the_role_gets_403(
    client: httpx.AsyncClient, keys: ApiKeyStore
) -> None:
    _, sis_key = keys.create("SIS", "bestuur-1", ["school-a"], [Rol.SIS])

    response = await client.get(
        f"/v1/leerlingen/{LEERLING_A}", headers={"X-API-Key": sis_key}
    )

    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


async def test_sync_endpoints_get_the_caller_too(
    client: httpx.AsyncClient, mentor_key: str
) -> None:
    response = await client.get(
        "/v1/ik", headers={"Authorization": f"Bearer {mentor_key}"}
    )

    assert response.status_code == 200
    assert response.json()["rollen"] == ["mentor"]


async def test_a_person_with_an_oidc_token_is_accepted(keys: ApiKeyStore) -> None:
    idp = idp_module.FakeIdentityProvider()
    with respx.mock(assert_all_called=False) as mocked:
        idp.serve(mocked)
        oidc = OidcVerifier(
            OidcConfig(issuer=idp_module.ISSUER, audience=idp_module.AUDIENCE)
        )
        app = build_app(Authenticator(api_keys=keys, oidc=oidc))
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test"
        ) as client:
            ok = await client.get(
                f"/v1/leerlingen/{LEERLING_A}",
                headers={"Authorization": f"Bearer {idp.token(scholen=['school-a'])}"},
            )
            expired = await client.get(
                f"/v1/leerlingen/{LEERLING_A}",
                headers={"Authorization": f"Bearer {idp.token(exp=1)}"},
            )

    assert ok.status_code == 200
    assert ok.json()["caller"] == "medewerker-42"
    assert expired.status_code == 401
    assert 'error="invalid_token"' in expired.headers["www-authenticate"]
