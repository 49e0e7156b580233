"""The absence record as received: one SIS registration, identified by school, source
and the source's own record id.

The id is a uuid5 of those natural keys, so sending a record twice (a client retry)
finds the same aggregate without a lookup table; the same id with other content is a
correction that replaces the earlier version.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.registratie.domain.ids import afwezigheid_id

__all__ = ["Afwezigheid", "Uitkomst", "afwezigheid_id"]


class Uitkomst(StrEnum):
    """What recording a record did (the HTTP layer maps created to 201)."""

    CREATED = "created"
    UNCHANGED = "unchanged"
    CORRECTED = "corrected"


class Afwezigheid(Aggregate):
    @staticmethod
    def create_id(school_id: UUID, bron: str, bron_id: str) -> UUID:
        return afwezigheid_id(school_id, bron, bron_id)

    @event("Geregistreerd")
    def __init__(
        self,
        leerling_id: UUID,
        school_id: UUID,
        bron: str,
        bron_id: str,
        invoer: dict[str, Any],
        dagen: list[str],
    ) -> None:
        self.leerling_id = leerling_id
        self.school_id = school_id
        self.bron = bron
        self.bron_id = bron_id
        self.invoer = invoer
        self.dagen = dagen
        self.ingetrokken = False

    @classmethod
    def registreer(
        cls,
        leerling_id: UUID,
        school_id: UUID,
        bron: str,
        bron_id: str,
        invoer: dict[str, Any],
        dagen: list[str],
    ) -> Afwezigheid:
        return cls._create(
            cls.Geregistreerd,  # type: ignore[attr-defined]
            id=afwezigheid_id(school_id, bron, bron_id),
            leerling_id=leerling_id,
            school_id=school_id,
            bron=bron,
            bron_id=bron_id,
            invoer=invoer,
            dagen=dagen,
        )

    @event("Gecorrigeerd")
    def corrigeer(
        self, leerling_id: UUID, invoer: dict[str, Any], dagen: list[str]
    ) -> None:
        self.invoer = invoer
        self.dagen = dagen
        self.ingetrokken = False

    @event("Ingetrokken")
    def trek_in(self, leerling_id: UUID) -> None:
        self.ingetrokken = True

    @property
    def datums(self) -> list[date]:
        return [date.fromisoformat(d) for d in self.dagen]
