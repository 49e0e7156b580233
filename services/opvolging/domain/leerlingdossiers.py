"""Per pupil per school: which dossier is open, and which holds each melding and signal.

Its id is derived from (school, leerling), so two writers that open a dossier for the
same pupil at once collide on this aggregate: one wins, the other retries and joins.
Counting is per enrolment (D16), so a pupil at two schools has two of these.

It also holds the DUO statuses that arrived before their duty: ketenkoppeling and
analyse publish on different topics, so a status may overtake the duty it is about.
Such a status is parked here and applied when the duty arrives.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate

from plumbing.copies import with_new_containers
from plumbing.identifiers import name_based_id
from services.opvolging.domain.handeling import Handeling

__all__ = ["GeparkeerdeStatus", "LeerlingDossiers"]

_NAAMRUIMTE = UUID("6f1c3a52-7d1e-4c55-9a0e-3e1f0b7d2c41")


@dataclass(frozen=True)
class GeparkeerdeStatus:
    """A DUO status for a duty this pupil's dossiers do not hold yet."""

    status: str
    reden: str | None
    meldingsnummer: str | None
    handeling: Handeling


class LeerlingDossiers(Aggregate):
    def __deepcopy__(self, memo: dict[int, object]) -> LeerlingDossiers:
        # Loaded for every analyse message about the pupil; only the lists of
        # parked statuses are changed in place, the values in them are frozen.
        kopie = with_new_containers(self)
        kopie.geparkeerd = {m: list(s) for m, s in self.geparkeerd.items()}
        return kopie

    class Aangemaakt(Aggregate.Created):
        school_id: str
        leerling_id: str

    def __init__(self, school_id: str, leerling_id: str) -> None:
        self.school_id = school_id
        self.leerling_id = leerling_id
        self.open_dossier: UUID | None = None
        self.dossiers: list[UUID] = []
        self.meldingen: dict[str, UUID] = {}
        self.signalen: dict[str, UUID] = {}
        self.geparkeerd: dict[str, list[GeparkeerdeStatus]] = {}
        self.gewist_op: datetime | None = None

    @staticmethod
    def id_voor(school_id: str, leerling_id: str) -> UUID:
        return name_based_id(_NAAMRUIMTE, f"{school_id}\x1f{leerling_id}")

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

    class SignaalGekoppeld(Aggregate.Event):
        signaal_id: str
        dossier_id: UUID

        def apply(self, aggregate: LeerlingDossiers) -> None:
            aggregate.signalen[self.signaal_id] = self.dossier_id

    class StatusGeparkeerd(Aggregate.Event):
        meldplicht_id: str
        status: str
        reden: str | None
        meldingsnummer: str | None
        door: str
        op: datetime

        def apply(self, aggregate: LeerlingDossiers) -> None:
            geparkeerd = GeparkeerdeStatus(
                self.status,
                self.reden,
                self.meldingsnummer,
                Handeling(self.door, self.op),
            )
            aggregate.geparkeerd.setdefault(self.meldplicht_id, []).append(geparkeerd)

    class GeparkeerdVerwerkt(Aggregate.Event):
        meldplicht_id: str

        def apply(self, aggregate: LeerlingDossiers) -> None:
            aggregate.geparkeerd.pop(self.meldplicht_id, None)

    class PersoonsgegevensGewist(Aggregate.Event):
        """Registratie erased the pupil: the free text in the dossiers is made
        unreadable (the pupil's key is destroyed); statuses and the timeline stay."""

        grond: str
        op: datetime

        def apply(self, aggregate: LeerlingDossiers) -> None:
            aggregate.gewist_op = self.op

    @property
    def gewist(self) -> bool:
        return getattr(self, "gewist_op", None) is not None

    def wis_persoonsgegevens(self, grond: str, op: datetime) -> None:
        if not self.gewist:
            self.trigger_event(self.PersoonsgegevensGewist, grond=grond, op=op)

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

    def signaal_koppelen(self, signaal_id: str, dossier_id: UUID) -> None:
        """Remember where a signal went: analyse sends it again when it changes."""
        if signaal_id not in self.signalen:
            self.trigger_event(
                self.SignaalGekoppeld, signaal_id=signaal_id, dossier_id=dossier_id
            )

    def status_parkeren(
        self,
        meldplicht_id: str,
        *,
        status: str,
        reden: str | None,
        meldingsnummer: str | None,
        handeling: Handeling,
    ) -> None:
        self.trigger_event(
            self.StatusGeparkeerd,
            meldplicht_id=meldplicht_id,
            status=status,
            reden=reden,
            meldingsnummer=meldingsnummer,
            door=handeling.door,
            op=handeling.op,
        )

    def geparkeerde_statussen_ophalen(
        self, meldplicht_id: str
    ) -> list[GeparkeerdeStatus]:
        """The parked statuses of a duty, oldest first; they are no longer parked."""
        statussen = self.geparkeerd.get(meldplicht_id, [])
        if statussen:
            self.trigger_event(self.GeparkeerdVerwerkt, meldplicht_id=meldplicht_id)
        return list(statussen)
