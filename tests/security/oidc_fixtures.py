"""An identity provider for tests: an RSA key pair, a JWKS, tokens."""

from __future__ import annotations

import time
from typing import Any

import jwt
import respx
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://idp.bestuur.example"
AUDIENCE = "verzuimketen"
JWKS_URL = f"{ISSUER}/protocol/openid-connect/certs"


class FakeIdentityProvider:
    def __init__(self, kid: str = "key-1") -> None:
        self.kid = kid
        self.private_key = rsa.generate_private_key(
            public_exponent=65537, key_size=2048
        )

    def jwks(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        jwk.update(kid=self.kid, use="sig", alg="RS256")
        return {"keys": [jwk]}

    def serve(self, router: respx.MockRouter) -> respx.Route:
        router.get(f"{ISSUER}/.well-known/openid-configuration").respond(
            json={"issuer": ISSUER, "jwks_uri": JWKS_URL}
        )
        return router.get(JWKS_URL).respond(json=self.jwks())

    def token(self, kid: str | None = None, **overrides: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": "medewerker-42",
            "iat": now,
            "exp": now + 300,
            "bestuur": "bestuur-1",
            "scholen": ["school-a", "school-b"],
            "rollen": ["mentor", "verzuimcoordinator"],
        }
        claims.update(overrides)
        claims = {name: value for name, value in claims.items() if value is not None}
        return jwt.encode(
            claims,
            self.private_key,
            algorithm="RS256",
            headers={"kid": kid or self.kid},
        )
