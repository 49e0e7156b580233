"""Failure modes of the DUO stand-in, set at start and changed at run time.

Fractions are drawn per request from the stand-in's random generator (seedable, so a
demo run can be repeated).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Storingen", "Uitvalvenster"]


class Uitvalvenster(BaseModel):
    """DUO answers 503 from `van` until `tot` (the stand-in's clock)."""

    van: datetime
    tot: datetime


class Storingen(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vertraging_ms: int = Field(default=0, ge=0, description="delay before every answer")
    fractie_5xx: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="share of requests answered 500; half of them after processing",
    )
    fractie_timeout_na_accept: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="share of new meldingen/mutaties stored and then answered late",
    )
    timeout_slaap_ms: int = Field(
        default=35_000,
        ge=0,
        description="the late answer's delay; above client timeout",
    )
    fractie_afwijzing: float = Field(
        default=0.0,
        ge=0,
        le=1,
        description="share of meldingen/mutaties refused (F900)",
    )
    uitval: list[Uitvalvenster] = Field(default_factory=list)

    def uitval_tot(self, nu: datetime) -> datetime | None:
        """The end of the outage `nu` falls in, if any."""
        einden = [
            venster.tot for venster in self.uitval if venster.van <= nu < venster.tot
        ]
        return max(einden, default=None)
