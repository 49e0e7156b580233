"""A leave request with its assessment and every decision taken on it.

R-VRL-GO-6: leave decisions are formal decisions open to objection, so the aggregate
records who decided, when and why, and keeps earlier decisions in its history.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.registratie.domain.verlof import (
    Beoordeling,
    Beslisser,
    Reden,
    Uitkomst,
    VerlofSoort,
    VerlofVerzoek,
)

__all__ = ["Verlofaanvraag"]


class Verlofaanvraag(Aggregate):
    @event("Ingediend")
    def __init__(
        self,
        leerling_id: UUID,
        soort: str,
        van: date,
        tot: date,
        ingediend_op: date,
        werkgeversverklaring: bool,
        omstandigheid: str | None,
        minuten: int | None,
        uitkomst: str,
        reden: str | None,
        vlaggen: list[str],
        lesdagen: int,
        beslisser: str | None,
    ) -> None:
        self.leerling_id = leerling_id
        self.soort = soort
        self.van = van
        self.tot = tot
        self.ingediend_op = ingediend_op
        self.werkgeversverklaring = werkgeversverklaring
        self.omstandigheid = omstandigheid
        self.minuten = minuten
        self.uitkomst = uitkomst
        self.reden = reden
        self.vlaggen = vlaggen
        self.lesdagen = lesdagen
        self.beslisser = beslisser
        self.besloten_door: str | None = None
        self.toelichting: str | None = None
        self.besloten_op: datetime | None = None

    @classmethod
    def dien_in(
        cls, leerling_id: UUID, verzoek: VerlofVerzoek, beoordeling: Beoordeling
    ) -> Verlofaanvraag:
        return cls(
            leerling_id=leerling_id,
            soort=verzoek.soort.value,
            van=verzoek.van,
            tot=verzoek.tot,
            ingediend_op=verzoek.ingediend_op,
            werkgeversverklaring=verzoek.werkgeversverklaring,
            omstandigheid=verzoek.omstandigheid,
            minuten=verzoek.minuten,
            uitkomst=beoordeling.uitkomst.value,
            reden=beoordeling.reden.value if beoordeling.reden else None,
            vlaggen=sorted(v.value for v in beoordeling.vlaggen),
            lesdagen=beoordeling.lesdagen,
            beslisser=beoordeling.beslisser.value if beoordeling.beslisser else None,
        )

    @event("Besloten")
    def besluit(
        self,
        leerling_id: UUID,
        uitkomst: str,
        reden: str | None,
        beslisser: str,
        door: str,
        toelichting: str,
        op: datetime,
    ) -> None:
        self.uitkomst = uitkomst
        self.reden = reden
        self.beslisser = beslisser
        self.besloten_door = door
        self.toelichting = toelichting
        self.besloten_op = op

    def verzoek(self) -> VerlofVerzoek:
        return VerlofVerzoek(
            soort=VerlofSoort(self.soort),
            van=self.van,
            tot=self.tot,
            ingediend_op=self.ingediend_op,
            werkgeversverklaring=self.werkgeversverklaring,
            omstandigheid=self.omstandigheid,
            minuten=self.minuten,
        )

    @property
    def status(self) -> Uitkomst:
        return Uitkomst(self.uitkomst)

    @property
    def beslisser_rol(self) -> Beslisser | None:
        return Beslisser(self.beslisser) if self.beslisser else None

    @property
    def reden_code(self) -> Reden | None:
        return Reden(self.reden) if self.reden else None
