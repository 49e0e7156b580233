"""Which pupil of a school holds a PGN, found without the PGN itself.

One small aggregate per (school, PGN), whose id derives from the keyed hash of
the number (`plumbing.security.crypto.BsnHasher`): the store holds neither the
number nor its hash, only an id that nobody without the hash key can link to a
number (a plain hash of a 9-digit number is reversed by trying all of them). It
is written in the same save as the pupil's registration, change or erasure, so
the index cannot drift from the pupils, and it makes the number unique per
school: two pupils registered with one PGN at once collide on its version.
"""

from __future__ import annotations

from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.registratie.domain.ids import natuurlijk_id

__all__ = ["PgnVermelding", "vermelding_id"]


def vermelding_id(school_id: UUID, pgn_hash: str) -> UUID:
    return natuurlijk_id(f"pgn:{school_id.hex}:{pgn_hash}")


class PgnVermelding(Aggregate):
    @staticmethod
    def create_id(school_id: UUID, pgn_hash: str) -> UUID:
        return vermelding_id(school_id, pgn_hash)

    @classmethod
    def nieuw(cls, school_id: UUID, pgn_hash: str, leerling_id: UUID) -> PgnVermelding:
        # The hash makes the id and is not kept in any event.
        return cls._create(
            cls.Toegekend,
            id=vermelding_id(school_id, pgn_hash),
            school_id=school_id,
            leerling_id=leerling_id,
        )

    class Toegekend(Aggregate.Created):
        school_id: UUID
        leerling_id: UUID

    def __init__(self, school_id: UUID, leerling_id: UUID) -> None:
        self.school_id = school_id
        self.houder: UUID | None = leerling_id

    @event("Overgenomen")
    def ken_toe(self, leerling_id: UUID) -> None:
        """The number is free again and now this pupil's."""
        self.houder = leerling_id

    @event("Vrijgegeven")
    def geef_vrij(self, leerling_id: UUID) -> None:
        """The pupil's number changed, or the pupil was erased."""
        self.houder = None
