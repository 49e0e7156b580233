"""OpenID Connect bearer tokens (JWTs) for people.

The school board's identity provider signs the tokens; we check signature,
expiry, issuer and audience, then map the claims that carry the school board,
the schools and the roles to a `Caller`. The claim names are settings, because
every identity provider names them differently; a dotted name reads a nested
claim (``realm_access.roles``).

Signing keys come from the issuer's JWKS through `PyJWKClient`, which caches the
key set and refetches it at most once per cool-down when a token names an
unknown key id, so random key ids cannot make us hammer the identity provider.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt

from plumbing.security.callers import Caller, CallerKind, Rol, parse_rollen
from plumbing.security.settings import SecuritySettings

logger = logging.getLogger(__name__)

#: Roles a person may hold; ``sis`` belongs to systems with an API key.
PERSON_ROLES = frozenset(Rol) - {Rol.SIS}


class InvalidToken(Exception):
    """The token is not acceptable; the message is safe to log (no claims)."""


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    audience: str
    jwks_url: str | None = None
    algorithms: Sequence[str] = ("RS256", "PS256", "ES256")
    leeway_seconds: int = 30
    claim_bestuur: str = "bestuur"
    claim_scholen: str = "scholen"
    claim_rollen: str = "rollen"
    jwks_cache_seconds: float = 300.0
    jwks_cooldown_seconds: float = 30.0
    extra_required_claims: Sequence[str] = field(default_factory=tuple)

    @classmethod
    def from_settings(cls, settings: SecuritySettings) -> OidcConfig | None:
        """None when no issuer is configured: then only API keys are accepted."""
        if not settings.verzuim_oidc_issuer or not settings.verzuim_oidc_audience:
            return None
        return cls(
            issuer=settings.verzuim_oidc_issuer,
            audience=settings.verzuim_oidc_audience,
            jwks_url=settings.verzuim_oidc_jwks_url,
            algorithms=tuple(settings.verzuim_oidc_algorithms),
            leeway_seconds=settings.verzuim_oidc_leeway_seconds,
            claim_bestuur=settings.verzuim_oidc_claim_bestuur,
            claim_scholen=settings.verzuim_oidc_claim_scholen,
            claim_rollen=settings.verzuim_oidc_claim_rollen,
        )


class _HttpxJWKClient(jwt.PyJWKClient):
    """`PyJWKClient` fetching over httpx, with discovery of the JWKS address.

    The library's own fetch uses urllib; httpx gives us one HTTP stack (proxies,
    timeouts, test doubles) for the whole platform.
    """

    def __init__(self, config: OidcConfig, http: httpx.Client) -> None:
        discovery = config.issuer.rstrip("/") + "/.well-known/openid-configuration"
        super().__init__(
            config.jwks_url or discovery,
            lifespan=config.jwks_cache_seconds,
            cooldown_duration=config.jwks_cooldown_seconds,
        )
        self._http = http
        self._jwks_url = config.jwks_url

    def _get_json(self, url: str) -> Any:
        try:
            response = self._http.get(url)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise jwt.PyJWKClientConnectionError(
                f"cannot fetch {url}: {type(error).__name__}"
            ) from error

    def fetch_data(self) -> Any:
        if self._jwks_url is None:
            document = self._get_json(self.uri)
            jwks_uri = document.get("jwks_uri") if isinstance(document, dict) else None
            if not isinstance(jwks_uri, str):
                raise jwt.PyJWKClientError("discovery document has no jwks_uri")
            self._jwks_url = jwks_uri
        jwk_set = self._get_json(self._jwks_url)
        if not isinstance(jwk_set, dict):
            raise jwt.PyJWKClientError("the JWKS endpoint did not return an object")
        self._last_successful_fetch = time.monotonic()
        return jwk_set


def _claim(claims: dict[str, Any], name: str) -> Any:
    value: Any = claims
    for part in name.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def _as_list(value: Any) -> list[str]:
    """A claim holding a list, or one string with spaces or commas between items."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in value.replace(",", " ").split() if part]
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return []


class OidcVerifier:
    """Validates bearer tokens of one issuer and maps them to callers.

    Blocking (it may fetch the JWKS): call it from a worker thread.
    """

    def __init__(self, config: OidcConfig, http: httpx.Client | None = None) -> None:
        self.config = config
        self._owns_http = http is None
        self._http = http or httpx.Client(timeout=10.0)
        self._keys = _HttpxJWKClient(config, self._http)

    def verify(self, token: str) -> Caller:
        try:
            signing_key = self._keys.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                signing_key.key,
                algorithms=list(self.config.algorithms),
                audience=self.config.audience,
                issuer=self.config.issuer,
                leeway=self.config.leeway_seconds,
                options={
                    "require": ["exp", "iss", "aud", "sub"]
                    + list(self.config.extra_required_claims)
                },
            )
        except jwt.PyJWKClientConnectionError as error:
            logger.warning("jwks unavailable", extra={"event": "oidc_jwks_error"})
            raise InvalidToken("signing keys unavailable") from error
        except jwt.PyJWTError as error:
            raise InvalidToken(type(error).__name__) from None
        return self._caller(claims)

    def _caller(self, claims: dict[str, Any]) -> Caller:
        bestuur = _claim(claims, self.config.claim_bestuur)
        if not isinstance(bestuur, str) or not bestuur:
            raise InvalidToken("MissingBestuurClaim")
        rollen = parse_rollen(
            _as_list(_claim(claims, self.config.claim_rollen)), strict=False
        )
        return Caller(
            id=str(claims["sub"]),
            kind=CallerKind.PERSOON,
            bestuur=bestuur,
            scholen=frozenset(_as_list(_claim(claims, self.config.claim_scholen))),
            rollen=rollen & PERSON_ROLES,
        )

    def close(self) -> None:
        if self._owns_http:
            self._http.close()
