"""Typed settings shared by every service, read from environment variables.

The defaults run the embedded set-up (SQLite files under ``./var``, the embedded
broker started by the launcher) without any configuration. Production sets
``VERZUIM_STORE=postgres`` and ``KAFKA_BOOTSTRAP_SERVERS``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Partition count of every domain topic. Kafka cannot lower it and Tansu cannot
#: raise it, so it is fixed at creation and checked at every start.
DEFAULT_PARTITIONS = 6


class PlatformSettings(BaseSettings):
    """Settings every service reads; a service extends it with its own."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore")

    verzuim_data_dir: Path = Field(default=Path("./var"))
    verzuim_store: Literal["sqlite", "postgres"] = "sqlite"
    verzuim_cipher_key: str | None = Field(
        default=None,
        description="base64 AES key that encrypts stored event payloads; without "
        "it a key is made once in VERZUIM_DATA_DIR/secrets/store-cipher.key",
    )
    verzuim_log_level: str = "INFO"
    verzuim_klok: str = Field(
        default="", description="empty: system clock; ISO date; or file:/path"
    )
    verzuim_metrics_key: str | None = Field(
        default=None, description="when set, /metrics requires it in X-Metrics-Key"
    )

    postgres_host: str = "127.0.0.1"
    postgres_port: int = 5432
    postgres_dbname: str = "test"
    postgres_user: str = "postgres"
    postgres_password: str = ""
    postgres_pool_size: int = 5

    kafka_bootstrap_servers: str | None = None
    kafka_partitions: int = DEFAULT_PARTITIONS
    kafka_replication_factor: int = 1
    kafka_topic_prefix: str = ""

    relay_batch_size: int = 1000
    relay_poll_seconds: float = 0.5
    relay_process: bool = Field(
        default=False,
        description="publish from a child process (a second core), not the service's",
    )
    consumer_batch_size: int = 500

    host: str = "127.0.0.1"
    port: int = 8000

    def postgres_dsn(self) -> str:
        return (
            f"host={self.postgres_host} port={self.postgres_port} "
            f"dbname={self.postgres_dbname} user={self.postgres_user}"
            + (f" password={self.postgres_password}" if self.postgres_password else "")
        )
