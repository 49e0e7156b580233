"""Which pupils a school has, split over a fixed number of small aggregates.

Needed to reclassify everyone's days when the school closes (Lpw art. 11(a)). One list
per school would grow with every enrolment and be replayed on each one; 64 buckets keep
each list small while a closure reads them all in one query.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.registratie.domain.ids import natuurlijk_id

__all__ = ["EMMERS", "Leerlingenlijst", "emmer_van", "lijst_id"]

EMMERS = 64


def lijst_id(school_id: UUID, emmer: int) -> UUID:
    return natuurlijk_id(f"leerlingenlijst:{school_id.hex}:{emmer}")


def emmer_van(leerling_id: UUID) -> int:
    return leerling_id.int % EMMERS


class Leerlingenlijst(Aggregate):
    @staticmethod
    def create_id(school_id: UUID, emmer: int) -> UUID:
        return lijst_id(school_id, emmer)

    @event("Aangelegd")
    def __init__(self, school_id: UUID, emmer: int) -> None:
        self.school_id = school_id
        self.leerlingen: list[UUID] = []

    @event("LeerlingToegevoegd")
    def voeg_toe(self, school_id: UUID, leerling_id: UUID) -> None:
        self.leerlingen.append(leerling_id)
