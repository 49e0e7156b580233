"""What every SIS importer returns: records in the neutral model, and the rows it
rejected with their line number and a reason (never the row's personal content)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from services.registratie.domain.invoer import AfwezigheidInvoer

__all__ = [
    "Afgewezen",
    "ImportFout",
    "ImportResultaat",
    "Ingelezen",
    "bron_id_uit",
    "maak_invoer",
    "zoek_leerling",
]


class ImportFout(ValueError):
    """A row that cannot become a record; the message names the problem, not data."""


@dataclass(frozen=True, slots=True)
class Ingelezen:
    regel: int
    invoer: AfwezigheidInvoer

    def body(self) -> dict[str, Any]:
        """The record as the bulk endpoint takes it (camelCase, nulls left out)."""
        return self.invoer.model_dump(mode="json", by_alias=True, exclude_none=True)


@dataclass(frozen=True, slots=True)
class Afgewezen:
    regel: int
    reden: str


@dataclass
class ImportResultaat:
    records: list[Ingelezen] = field(default_factory=list)
    afgewezen: list[Afgewezen] = field(default_factory=list)

    def weiger(self, regel: int, reden: str) -> None:
        self.afgewezen.append(Afgewezen(regel, reden))


def bron_id_uit(*delen: object) -> str:
    """A stable record id for formats without one: a hash of the identifying fields,
    so a re-import is recognised as the same record and an edit as a correction."""
    tekst = "|".join("" if d is None else str(d) for d in delen)
    return hashlib.sha1(tekst.encode(), usedforsecurity=False).hexdigest()[:24]


def zoek_leerling(leerlingen: Mapping[str, UUID], nummer: str) -> UUID:
    leerling_id = leerlingen.get(nummer)
    if leerling_id is None:
        raise ImportFout("leerlingnummer staat niet in de koppeltabel")
    return leerling_id


def maak_invoer(**velden: Any) -> AfwezigheidInvoer:
    try:
        return AfwezigheidInvoer(**velden)
    except ValidationError as fout:
        eerste = fout.errors(include_url=False, include_input=False)[0]
        veld = ".".join(str(d) for d in eerste["loc"])
        raise ImportFout(f"{veld}: {eerste['msg']}") from None
