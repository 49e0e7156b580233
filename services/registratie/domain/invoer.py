"""The neutral absence record every SIS importer and the HTTP body map to.

Field names are snake_case in Python and camelCase on the wire (`bronId`,
`lesuurVan`, ...). A record is one SIS registration: a lesson range on one date, a time
span (ISO 8601, with an offset or as Amsterdam wall time), or whole days.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.alias_generators import to_camel

from services.registratie.domain.fouten import OngeldigeInvoer
from services.registratie.domain.tijd import Datum

__all__ = ["AfwezigheidInvoer", "Soort", "lees_invoer"]


class Soort(StrEnum):
    """Kind of registration (services/registratie/README.md, Absence records)."""

    AFWEZIG = "afwezig"
    TE_LAAT = "te_laat"
    VERWIJDERD = "verwijderd"
    # A teacher's observation that the pupil was there (Eduarte `Aanwezig`).
    AANWEZIG = "aanwezig"


def soort_van_de_lijn(waarde: Any) -> Any:
    """The HTTP contract spells lateness `teLaat` (camelCase like every other value
    on the wire); SIS exports and older clients send `te_laat`. Both are `TE_LAAT`."""
    return Soort.TE_LAAT if waarde == "teLaat" else waarde


class AfwezigheidInvoer(BaseModel):
    """One absence record as a SIS or the HTTP API sends it."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        frozen=True,
        extra="forbid",
        str_strip_whitespace=True,
    )

    bron_id: str = Field(min_length=1, max_length=100)
    bron: str = Field(min_length=1, max_length=40)
    leerling_id: UUID
    datum: Datum | None = None
    lesuur_van: int | None = Field(default=None, ge=1, le=20)
    lesuur_tot: int | None = Field(default=None, ge=1, le=20)
    van: str | None = Field(default=None, max_length=40)
    tot: str | None = Field(
        default=None,
        max_length=40,
        description="Required with `van` unless `lesuurVan` bounds the record: an "
        "open-ended absence is not taken.",
    )
    soort: Soort | None = None
    minuten: int | None = Field(default=None, ge=0, le=24 * 60)
    reden_code: str | None = Field(default=None, max_length=10)
    opmerking: str | None = Field(default=None, max_length=1024)

    @field_validator("soort", mode="before")
    @classmethod
    def _camel_soort(cls, waarde: Any) -> Any:
        return soort_van_de_lijn(waarde)

    def inhoud(self) -> dict[str, Any]:
        """The record as JSON; equal content means a re-sent record is unchanged."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)


def lees_invoer(waarde: AfwezigheidInvoer | Mapping[str, Any]) -> AfwezigheidInvoer:
    """Validate a raw record; the first problem becomes an `OngeldigeInvoer`."""
    if isinstance(waarde, AfwezigheidInvoer):
        return waarde
    try:
        return AfwezigheidInvoer.model_validate(waarde)
    except ValidationError as fout:
        eerste = fout.errors(include_url=False, include_input=False)[0]
        veld = ".".join(str(deel) for deel in eerste["loc"]) or "afwezigheid"
        raise OngeldigeInvoer(veld, eerste["msg"]) from None
