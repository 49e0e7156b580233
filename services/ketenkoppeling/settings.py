"""Settings of the ketenkoppeling service, from environment variables.

The defaults reach the local DUO stand-in (`python -m standins.duo`) without any
configuration. The DUO adapter's transport knobs (timeout, attempts, backoff) are its
own `DUO_*` variables (`services.ketenkoppeling.duo.settings`); partner notifications
read `KETENKOPPELING_PARTNERS_*` (`services.ketenkoppeling.partners.settings`).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import Field, SecretStr

from contracts.pgn import sleutel_uit_instellingen
from plumbing.security.settings import SecuritySettings
from services.ketenkoppeling.duo import DuoSettings

__all__ = ["Settings"]

# Where the verzuim service lives on DUO's host (and on the stand-in's).
_DUO_PAD = "/duo/verzuim"


class Settings(SecuritySettings):
    duo_url: str = Field(
        default="http://127.0.0.1:8700",
        description="DUO_URL: DUO's verzuimregister, or the stand-in; a bare host "
        "gets the service path appended",
    )
    duo_client_cert: Path | None = Field(
        default=None,
        description="DUO_CLIENT_CERT: the school's PKIoverheid certificate",
    )
    duo_client_key: Path | None = Field(default=None, description="DUO_CLIENT_KEY")
    duo_ca_bundle: Path | None = Field(
        default=None, description="DUO_CA_BUNDLE: trust store for DUO's certificate"
    )
    duo_status_poll_seconds: float = Field(
        default=60.0, gt=0, description="how often DUO is asked for status changes"
    )
    duo_retry_seconds: float = Field(
        default=30.0,
        gt=0,
        description="first pause after DUO could not be reached; doubles each time",
    )
    duo_retry_max_seconds: float = Field(default=900.0, gt=0)
    ketenkoppeling_interval_seconds: float = Field(
        default=1.0, gt=0, description="idle pause of the sender and notification jobs"
    )
    ketenkoppeling_termijn_seconds: float = Field(
        default=300.0, gt=0, description="how often due dates (D4) are checked"
    )
    verzuim_pgn_key: SecretStr | None = Field(
        default=None,
        description="VERZUIM_PGN_KEY: shared key; decrypts the BSN at send time",
    )

    def duo_settings(self) -> DuoSettings:
        endpoint = self.duo_url.rstrip("/")
        if not urlsplit(endpoint).path:
            endpoint += _DUO_PAD
        return DuoSettings(
            endpoint=endpoint,
            client_cert=self.duo_client_cert,
            client_key=self.duo_client_key,
            ca_bundle=self.duo_ca_bundle,
        )

    @property
    def pgn_sleutel(self) -> str | None:
        """The key shared with registratie: the setting, or the embedded set-up's
        key file under ``VERZUIM_DATA_DIR`` (made by whichever service needs it
        first)."""
        waarde = (
            self.verzuim_pgn_key.get_secret_value() if self.verzuim_pgn_key else None
        )
        return sleutel_uit_instellingen(waarde, self.verzuim_data_dir)
