"""Settings of the security plumbing, read from environment variables.

Extends the platform settings, so the same ``VERZUIM_DATA_DIR``, ``VERZUIM_STORE``
and ``POSTGRES_*`` variables decide where the key store, the key vault and the
audit trail live. Every default runs the embedded set-up without configuration;
production sets at least the pepper, the BSN hash key, the vault master key and
the OIDC issuer.
"""

from __future__ import annotations

from pydantic import Field, SecretStr

from plumbing.settings import PlatformSettings


class SecuritySettings(PlatformSettings):
    """Security knobs; a service's settings may extend this class."""

    # API keys for systems (apikeys.py).
    verzuim_apikey_pepper: SecretStr = Field(
        default=SecretStr(""),
        description="server secret mixed into every API key hash; set in production",
    )
    verzuim_apikey_cache_seconds: float = Field(
        default=60.0,
        description="how long a verified key is trusted without a store lookup",
    )

    # OpenID Connect for people (oidc.py).
    verzuim_oidc_issuer: str | None = None
    verzuim_oidc_audience: str | None = None
    verzuim_oidc_jwks_url: str | None = Field(
        default=None,
        description="JWKS address; discovered from the issuer when absent",
    )
    verzuim_oidc_algorithms: list[str] = Field(
        default_factory=lambda: ["RS256", "PS256", "ES256"]
    )
    verzuim_oidc_leeway_seconds: int = 30
    verzuim_oidc_claim_bestuur: str = "bestuur"
    verzuim_oidc_claim_scholen: str = "scholen"
    verzuim_oidc_claim_rollen: str = "rollen"

    # Request limits (limits.py).
    verzuim_max_body_bytes: int = 10 * 1024 * 1024
    verzuim_rate_limit_per_second: float = 50.0
    verzuim_rate_limit_burst: int = 200

    # Audit trail (audit.py).
    verzuim_audit_flush_seconds: float = 1.0
    verzuim_audit_batch_size: int = 500

    # Personal data at rest (crypto.py).
    verzuim_cipher_old_keys: str = Field(
        default="",
        description="comma-separated earlier cipher keys, still used for reading",
    )
    verzuim_bsn_hash_key: SecretStr | None = None
    verzuim_sleutelkluis_master_key: SecretStr | None = Field(
        default=None,
        description="base64 AES key that wraps the per-pupil data keys",
    )
