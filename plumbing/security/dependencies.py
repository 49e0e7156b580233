"""FastAPI dependencies: who is calling, and may they?

Use them on every route that touches pupil data::

    MAG_LEERLING_ZIEN = require_roles(Rol.MENTOR, Rol.VERZUIMCOORDINATOR)

    @router.get("/leerlingen/{leerlingId}")
    async def leerling(
        leerlingId: UUID, caller: Annotated[Caller, Depends(MAG_LEERLING_ZIEN)]
    ) -> ...:
        leerling = load(leerlingId)
        ensure_school(caller, leerling.school_id)

The app must hold an `Authenticator` (`install_authenticator(app, ...)` in the
lifespan or composition root). Errors are raised as `ProblemError`/`DomainError`,
which `plumbing.http` turns into problem+json in one place.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from plumbing.errors import NotFound
from plumbing.http import document_response
from plumbing.problems import ProblemError
from plumbing.security.access import note_caller, note_school
from plumbing.security.apikeys import KEY_PREFIX, ApiKeyStore
from plumbing.security.callers import Caller, Rol
from plumbing.security.oidc import InvalidToken, OidcConfig, OidcVerifier
from plumbing.security.settings import SecuritySettings

logger = logging.getLogger(__name__)

REALM = "verzuimketen"

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An OpenID Connect access token (people) or an API key `vk_...`.",
)
_api_key_header = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    scheme_name="apiKey",
    description="An API key `vk_...` for systems.",
)


def _unauthorized(detail: str, *, invalid: bool) -> ProblemError:
    challenge = f'Bearer realm="{REALM}"'
    if invalid:
        # RFC 6750 section 3: tell the client its token, not its request, failed.
        challenge += ', error="invalid_token"'
    return ProblemError(
        401, "Unauthorized", detail, headers={"WWW-Authenticate": challenge}
    )


class Authenticator:
    """Turns credentials into a `Caller`; holds the key store and the verifier."""

    def __init__(
        self, api_keys: ApiKeyStore | None = None, oidc: OidcVerifier | None = None
    ) -> None:
        self.api_keys = api_keys
        self.oidc = oidc

    @classmethod
    def from_settings(cls, settings: SecuritySettings) -> Authenticator:
        config = OidcConfig.from_settings(settings)
        return cls(
            api_keys=ApiKeyStore.from_settings(settings),
            oidc=OidcVerifier(config) if config is not None else None,
        )

    async def authenticate(self, credential: str | None) -> Caller:
        if not credential:
            raise _unauthorized("Authentication is required.", invalid=False)
        if credential.startswith(KEY_PREFIX):
            caller = await self._api_key(credential)
        else:
            caller = await self._token(credential)
        if caller is None:
            logger.info("credentials refused", extra={"event": "auth_refused"})
            raise _unauthorized("The credentials are not valid.", invalid=True)
        return caller

    async def _api_key(self, key: str) -> Caller | None:
        if self.api_keys is None:
            return None
        # The cache answers most requests without leaving the event loop.
        return self.api_keys.cached(key) or await asyncio.to_thread(
            self.api_keys.verify, key
        )

    async def _token(self, token: str) -> Caller | None:
        if self.oidc is None:
            return None
        try:
            return await asyncio.to_thread(self.oidc.verify, token)
        except InvalidToken as error:
            logger.info(
                "token refused", extra={"event": "auth_refused", "reason": str(error)}
            )
            return None

    def close(self) -> None:
        if self.api_keys is not None:
            self.api_keys.close()
        if self.oidc is not None:
            self.oidc.close()


def _secured(operation: dict[str, Any]) -> bool:
    return bool(operation.get("security"))


def install_authenticator(app: FastAPI, authenticator: Authenticator) -> None:
    """Put `authenticator` on the app; operations that need a caller document the
    401 and 403 the dependencies below answer."""
    app.state.authenticator = authenticator
    document_response(app, 401, "No credentials, or not valid ones", when=_secured)
    document_response(
        app, 403, "The caller's roles do not allow this operation", when=_secured
    )


async def authenticated_caller(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    api_key: Annotated[str | None, Depends(_api_key_header)],
) -> Caller:
    """The caller of this request, or a 401 problem with a `WWW-Authenticate`."""
    authenticator: Authenticator | None = getattr(
        request.app.state, "authenticator", None
    )
    if authenticator is None:
        raise RuntimeError("no Authenticator installed on this app")
    credential = bearer.credentials if bearer is not None else api_key
    caller = await authenticator.authenticate(credential)
    request.state.caller = caller
    note_caller(caller)
    return caller


def require_roles(*rollen: Rol) -> Callable[..., Awaitable[Caller]]:
    """A dependency that returns the caller when it holds one of ``rollen``.

    A caller without any of them gets 403: the operation itself, not a
    particular pupil, is off limits, so this reveals nothing about data.
    """
    wanted = frozenset(rollen)

    async def caller_with_role(
        caller: Annotated[Caller, Depends(authenticated_caller)],
    ) -> Caller:
        if not caller.rollen & wanted:
            raise ProblemError(
                403, "Forbidden", "Your roles do not allow this operation."
            )
        return caller

    return caller_with_role


def ensure_school(
    caller: Caller,
    school_id: str,
    not_found: Callable[[], Exception] | None = None,
) -> None:
    """Refuse data of a school the caller does not work for, as if it did not exist.

    404 and never 403: a 403 would confirm that the pupil or record exists. Pass
    ``not_found`` to raise the same error the endpoint raises for a missing
    resource, so both answers are identical.
    """
    note_school(school_id)
    if not caller.may_access_school(school_id):
        raise not_found() if not_found else NotFound("The resource does not exist.")
