"""Transport settings of the DUO adapter, read from `DUO_*` environment variables.

The defaults reach the local stand-in (`python -m standins.duo`) over plain HTTP on the
loopback address, so the embedded set-up runs without configuration. Any other host
needs HTTPS with the client certificate (D21) unless `DUO_ONBEVEILIGD_TOESTAAN` is set.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DuoSettings"]


class DuoSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DUO_", frozen=True)

    endpoint: str = "http://127.0.0.1:8700/duo/verzuim"
    client_cert: Path | None = None  # PEM certificate (PKIoverheid in production)
    client_key: Path | None = None
    ca_bundle: Path | None = None  # trust store for DUO's server certificate
    onbeveiligd_toestaan: bool = False  # plain HTTP to a host other than loopback
    timeout_seconden: float = Field(default=30.0, gt=0)
    pogingen: int = Field(default=5, ge=1, le=20)
    wacht_initieel_seconden: float = Field(default=0.5, ge=0)
    wacht_max_seconden: float = Field(default=10.0, ge=0)
    wacht_jitter_seconden: float = Field(default=0.5, ge=0)
    # After an uncertain outcome the client asks DUO for changes since the first
    # attempt minus this margin, so a clock difference with DUO cannot hide the melding.
    klokmarge_seconden: float = Field(default=300.0, ge=0)

    @property
    def is_https(self) -> bool:
        return urlsplit(self.endpoint).scheme == "https"

    @model_validator(mode="after")
    def _controleer_transport(self) -> DuoSettings:
        delen = urlsplit(self.endpoint)
        if delen.scheme not in {"http", "https"} or not delen.hostname:
            raise ValueError("DUO endpoint moet een http(s)-URL zijn")
        if (self.client_cert is None) != (self.client_key is None):
            raise ValueError("client_cert en client_key horen samen")
        if delen.scheme == "https" and self.client_cert is None:
            raise ValueError("HTTPS naar DUO vraagt een clientcertificaat (D21)")
        if delen.scheme == "http":
            if self.client_cert is not None:
                raise ValueError("clientcertificaat ingesteld maar endpoint is http")
            if not (_is_loopback(delen.hostname) or self.onbeveiligd_toestaan):
                raise ValueError(
                    "plain http alleen naar loopback of met DUO_ONBEVEILIGD_TOESTAAN"
                )
        return self


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
