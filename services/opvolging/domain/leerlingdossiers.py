"""Per pupil per school: which dossier is open, and which dossier holds each melding.

Its id is derived from (school, leerling), so two writers that open a dossier for the
same pupil at once collide on this aggregate: one wins, the other retries and joins.
Counting is per enrolment (D16), so a pupil at two schools has two of these.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

__all__ = ["LeerlingDossiers"]

_NAAMRUIMTE = UUID("6f1c3a52-7d1e-4c55-9a0e-3e1f0b7d2c41")


class LeerlingDossiers(Aggregate):
    class Aangemaakt(Aggregate.Created):
        school_id: str
        leerling_id: str

    def __init__(self, school_id: str, leerling_id: str) -> None:
        self.school_id = school_id
        self.leerling_id = leerling_id
        self.open_dossier: UUID | None = None
        self.dossiers: list[UUID] = []
        self.meldingen: dict[str, UUID] = {}

    @staticmethod
    def id_voor(school_id: str, leerling_id: str) -> UUID:
        return uuid5(_NAAMRUIMTE, f"{school_id}\x1f{leerling_id}")

    @classmethod
    def maak(cls, school_id: str, leerling_id: str) -> LeerlingDossiers:
        return cls._create(
            cls.Aangemaakt,
            id=cls.id_voor(school_id, leerling_id),
            school_id=school_id,
            leerling_id=leerling_id,
        )

    class DossierGeopend(Aggregate.Event):
        dossier_id: UUID

        def apply(self, aggregate: LeerlingDossiers) -> None:
            aggregate.open_dossier = self.dossier_id
            aggregate.dossiers.append(self.dossier_id)

    class DossierGesloten(Aggregate.Event):
        dossier_id: UUID

        def apply(self, aggregate: LeerlingDossiers) -> None:
            if aggregate.open_dossier == self.dossier_id:
                aggregate.open_dossier = None

    class MeldingGekoppeld(Aggregate.Event):
        meldplicht_id: str
        dossier_id: UUID

        def apply(self, aggregate: LeerlingDossiers) -> None:
            aggregate.meldingen[self.meldplicht_id] = self.dossier_id

    def dossier_geopend(self, dossier_id: UUID) -> None:
        self.trigger_event(self.DossierGeopend, dossier_id=dossier_id)

    def dossier_gesloten(self, dossier_id: UUID) -> None:
        if self.open_dossier == dossier_id:
            self.trigger_event(self.DossierGesloten, dossier_id=dossier_id)

    def melding_koppelen(self, meldplicht_id: str, dossier_id: UUID) -> None:
        if meldplicht_id not in self.meldingen:
            self.trigger_event(
                self.MeldingGekoppeld,
                meldplicht_id=meldplicht_id,
                dossier_id=dossier_id,
            )
