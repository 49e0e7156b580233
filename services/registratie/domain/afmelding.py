"""A parent's notice: illness (art. 12), religious obligation (art. 13) or the hours a
five-year-old may stay home on notice (art. 11a).

Timeliness (D8) is judged by the classification from `ontvangen`; the notice itself is
kept as received. A notice without `tot` lasts until the pupil is reported better.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from services.registratie.domain.classificatie import Grond

__all__ = ["Afmelding", "AfmeldingSoort"]


class AfmeldingSoort(StrEnum):
    ZIEK = "ziek"
    RELIGIEUS = "religieus"
    VIJFJARIGE = "vijfjarige"

    @property
    def grond(self) -> Grond:
        return {
            AfmeldingSoort.ZIEK: Grond.ZIEKTE,
            AfmeldingSoort.RELIGIEUS: Grond.RELIGIE,
            AfmeldingSoort.VIJFJARIGE: Grond.VIJFJARIGE,
        }[self]


class Afmelding(Aggregate):
    @event("Ontvangen")
    def __init__(
        self,
        leerling_id: UUID,
        soort: str,
        van: date,
        tot: date | None,
        lesuur_van: int | None,
        lesuur_tot: int | None,
        ontvangen: datetime,
        gemeld_door: str,
        binnen_limiet: bool,
    ) -> None:
        self.leerling_id = leerling_id
        self.soort = soort
        self.van = van
        self.tot = tot
        self.lesuur_van = lesuur_van
        self.lesuur_tot = lesuur_tot
        self.ontvangen = ontvangen
        self.gemeld_door = gemeld_door
        self.binnen_limiet = binnen_limiet
        self.ingetrokken = False

    @event("BeterGemeld")
    def meld_beter(self, leerling_id: UUID, tot: date) -> None:
        self.tot = tot

    @event("Ingetrokken")
    def trek_in(self, leerling_id: UUID) -> None:
        self.ingetrokken = True
