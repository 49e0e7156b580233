"""Something partners may need to hear about, recorded before anyone is told.

The policy (for upstream events) and the DUO sender (for a melding sent or withdrawn)
record an `Aanleiding`; the notification job turns it into `Notificatie` aggregates and
delivers them. The id derives from the source event, so the same event never yields a
second aanleiding, and the notification ids derived from it stay the same too.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

_NAMESPACE = UUID("9a4f2c7e-3b1d-4e8a-a5c6-2d7e9f1b4c30")


def aanleiding_id(bron: str) -> UUID:
    return uuid5(_NAMESPACE, f"aanleiding/{bron}")


class Aanleidingstatus(StrEnum):
    OPEN = "open"
    VERWERKT = "verwerkt"
    # The school configured no notifications: nobody to tell.
    OVERGESLAGEN = "overgeslagen"
    # Routing or templates failed; tried again when the service starts.
    NIET_TE_ROUTEREN = "nietTeRouteren"


class Aanleiding(Aggregate):
    @staticmethod
    def create_id(bron: str, **_: Any) -> UUID:
        return aanleiding_id(bron)

    @event("Aangemaakt")
    def __init__(
        self,
        *,
        bron: str,
        soort: str,
        leerling_id: UUID,
        school_id: UUID,
        datum: date,
        meldingsoort: str | None,
        begindatum: date | None,
        einddatum: date | None,
        meldingsnummer: str | None,
    ) -> None:
        """`soort` is a partners `NotificatieSoort`; `meldingsoort` a verzuimsoort."""
        self.bron = bron
        self.soort = soort
        self.leerling_id = leerling_id
        self.school_id = school_id
        self.datum = datum
        self.meldingsoort = meldingsoort
        self.begindatum = begindatum
        self.einddatum = einddatum
        self.meldingsnummer = meldingsnummer
        self.status = Aanleidingstatus.OPEN
        self.reden: str | None = None
        self.notificatie_ids: list[UUID] = []

    def verwerkt(self, notificatie_ids: list[UUID], op: datetime) -> None:
        self._verwerkt(notificatie_ids=list(notificatie_ids), op=op)

    def overgeslagen(self, reden: str, op: datetime) -> None:
        if self.status is not Aanleidingstatus.OVERGESLAGEN:
            self._overgeslagen(reden=reden, op=op)

    def niet_te_routeren(self, reden: str, op: datetime) -> None:
        if self.status is not Aanleidingstatus.NIET_TE_ROUTEREN or reden != self.reden:
            self._niet_te_routeren(reden=reden, op=op)

    def bezorging_afgehandeld(
        self, *, notificatie_id: UUID, rol: str, kanaal: str, status: str, op: datetime
    ) -> None:
        """One notification was delivered or failed; published as NotificatieBezorgd."""
        self._afgehandeld(
            notificatie_id=notificatie_id,
            leerling_id=self.leerling_id,
            school_id=self.school_id,
            rol=rol,
            kanaal=kanaal,
            status=status,
            op=op,
        )

    @event("Verwerkt")
    def _verwerkt(self, notificatie_ids: list[UUID], op: datetime) -> None:
        self.status = Aanleidingstatus.VERWERKT
        self.reden = None
        self.notificatie_ids = list(notificatie_ids)

    @event("Overgeslagen")
    def _overgeslagen(self, reden: str, op: datetime) -> None:
        self.status = Aanleidingstatus.OVERGESLAGEN
        self.reden = reden

    @event("NietTeRouteren")
    def _niet_te_routeren(self, reden: str, op: datetime) -> None:
        self.status = Aanleidingstatus.NIET_TE_ROUTEREN
        self.reden = reden

    @event("BezorgingAfgehandeld")
    def _afgehandeld(
        self,
        notificatie_id: UUID,
        leerling_id: UUID,
        school_id: UUID,
        rol: str,
        kanaal: str,
        status: str,
        op: datetime,
    ) -> None:
        pass
