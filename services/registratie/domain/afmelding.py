"""A parent's notice: illness (art. 12), religious obligation (art. 13) or the hours a
five-year-old may stay home on notice (art. 11a).

Timeliness (D8) is judged by the classification from `ontvangen`; the notice itself is
kept as received. A notice without `tot` lasts until the pupil is reported better.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from uuid import UUID, uuid4, uuid5

from eventsourcing.domain import Aggregate, event

from services.registratie.domain.classificatie import Grond, Grondfeit

__all__ = ["Afmelding", "AfmeldingSoort", "afmelding_id"]


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


_NAMESPACE = UUID("5d0b8f3e-2c41-4f6a-9e57-1a8c3d2b7e64")


def afmelding_id(leerling_id: UUID, bron: str, bron_id: str) -> UUID:
    """The id of a notice the sender names itself: the same id every time."""
    return uuid5(_NAMESPACE, f"{leerling_id}/{bron}/{bron_id}")


class Afmelding(Aggregate):
    @staticmethod
    def create_id(
        leerling_id: UUID, bron: str | None = None, bron_id: str | None = None
    ) -> UUID:
        if bron_id is None:
            return uuid4()  # an anonymous notice: each one is new
        return afmelding_id(leerling_id, bron or "", bron_id)

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
        bron: str | None = None,
        bron_id: str | None = None,
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
        self.bron = bron
        self.bron_id = bron_id
        # As received: a betermelding changes `tot`, a re-sent notice is compared
        # with what was sent.
        self.tot_ontvangen = tot
        self.ingetrokken = False

    def grondfeit(self) -> Grondfeit:
        """The ground the notice gives as it stands, timed by its receipt (D8)."""
        return Grondfeit(
            AfmeldingSoort(self.soort).grond,
            self.van,
            self.tot,
            ontvangen=self.ontvangen,
        )

    @event("BeterGemeld")
    def meld_beter(self, leerling_id: UUID, tot: date) -> None:
        self.tot = tot

    @event("Ingetrokken")
    def trek_in(self, leerling_id: UUID) -> None:
        self.ingetrokken = True
