"""Typed settings for partner notifications, from `KETENKOPPELING_PARTNERS_*` variables.

The defaults run the embedded set-up without configuration: no routes (every lookup
for a leerplichtambtenaar fails clearly), an SMTP sink on localhost port 1025 without
TLS. Nested values use a double underscore, e.g.
`KETENKOPPELING_PARTNERS_SMTP__HOST=mail.example`; `..._WEBHOOK__SECRETS` and
`..._ROUTING` take JSON.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["PartnerSettings", "SmtpSettings", "WebhookSettings"]


class SmtpSettings(BaseModel):
    host: str = "localhost"
    port: int = Field(default=1025, ge=1, le=65535)
    # "tls": implicit TLS (port 465); "starttls": upgrade after connect (port 587).
    tls: Literal["none", "starttls", "tls"] = "none"
    username: str | None = None
    password: SecretStr | None = None
    sender: str = "Verzuimketen <verzuimketen@school.example>"
    # Right-hand side of Message-IDs; defaults to the sender's domain.
    message_id_domain: str | None = None
    timeout_seconds: float = Field(default=30.0, gt=0)
    attempts: int = Field(default=3, ge=1)
    backoff_initial_seconds: float = Field(default=1.0, ge=0)
    backoff_max_seconds: float = Field(default=30.0, ge=0)
    backoff_jitter_seconds: float = Field(default=1.0, ge=0)
    budget_seconds: float = Field(default=120.0, gt=0)


class WebhookSettings(BaseModel):
    # Secret per secret id, "whsec_" + base64 of 24 to 64 random bytes.
    secrets: dict[str, SecretStr] = {}
    timeout_seconds: float = Field(default=10.0, gt=0)
    attempts: int = Field(default=5, ge=1)
    backoff_initial_seconds: float = Field(default=0.5, ge=0)
    backoff_max_seconds: float = Field(default=30.0, ge=0)
    backoff_jitter_seconds: float = Field(default=1.0, ge=0)
    # Total time one delivery may spend retrying.
    budget_seconds: float = Field(default=120.0, gt=0)
    # A Retry-After longer than this ends the delivery as a temporary failure instead
    # of blocking the consumer.
    max_retry_after_seconds: float = Field(default=120.0, ge=0)


class PartnerSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="KETENKOPPELING_PARTNERS_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    routing_file: Path | None = None
    # The routing document inline, for tests and small set-ups; the file wins.
    routing: dict[str, Any] | None = None
    # A directory whose templates override the shipped ones, file by file.
    templates_dir: Path | None = None
    webhook: WebhookSettings = WebhookSettings()
    smtp: SmtpSettings = SmtpSettings()
