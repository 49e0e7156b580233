"""One pupil on one date: the records that touch the day and the status of each slot.

The aggregate is small on purpose: a bulk import creates thousands in one save, and two
writes for the same pupil-day meet in one version sequence. Every event carries
the slot changes (`wijzigingen`: the new status of each changed slot, `null` when a slot
is no longer absent), so analyse can recount from events alone. Slot dicts are sparse:
a key that is null or false is left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from services.registratie.domain.classificatie import (
    BronFeit,
    SlotStatus,
    herbeoordelen_op,
)
from services.registratie.domain.ids import verzuimdag_id

__all__ = ["Verzuimdag", "verzuimdag_id"]


def _wijzigingen(
    oud: Mapping[int, dict[str, Any]], nieuw: Mapping[int, SlotStatus]
) -> list[dict[str, Any]]:
    wijzigingen: list[dict[str, Any]] = []
    for lesuur in sorted(set(oud) | set(nieuw)):
        nieuwe = nieuw[lesuur].naar_dict() if lesuur in nieuw else None
        vorige = oud.get(lesuur)
        if nieuwe != vorige:
            wijzigingen.append(
                {
                    "lesuur": lesuur,
                    "vorigeStatus": vorige["status"] if vorige else None,
                    "slot": nieuwe,
                }
            )
    return wijzigingen


class Verzuimdag(Aggregate):
    class Geopend(Aggregate.Created):
        leerling_id: UUID
        school_id: UUID
        datum: date
        bronnen: dict[str, Any]
        wijzigingen: list[dict[str, Any]]
        herbeoordelen_op: date | None

    class Bijgewerkt(Aggregate.Event):
        leerling_id: UUID
        datum: date
        bronnen: dict[str, Any]  # changed records; null = the record left this day
        wijzigingen: list[dict[str, Any]]
        herbeoordelen_op: date | None

        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, Verzuimdag)
            aggregate._pas_toe(self.bronnen, self.wijzigingen, self.herbeoordelen_op)

    def __init__(
        self,
        leerling_id: UUID,
        school_id: UUID,
        datum: date,
        bronnen: dict[str, Any],
        wijzigingen: list[dict[str, Any]],
        herbeoordelen_op: date | None,
    ) -> None:
        self.leerling_id = leerling_id
        self.school_id = school_id
        self.datum = datum
        self.bronnen: dict[str, dict[str, Any]] = {}
        self.statussen: dict[int, dict[str, Any]] = {}
        self.herbeoordelen_op: date | None = None
        self._pas_toe(bronnen, wijzigingen, herbeoordelen_op)

    @staticmethod
    def create_id(leerling_id: UUID, datum: date) -> UUID:
        return verzuimdag_id(leerling_id, datum)

    @classmethod
    def open(
        cls,
        leerling_id: UUID,
        school_id: UUID,
        datum: date,
        bronnen: Mapping[str, BronFeit],
        statussen: Mapping[int, SlotStatus],
    ) -> Verzuimdag:
        return cls._create(
            cls.Geopend,
            id=verzuimdag_id(leerling_id, datum),
            leerling_id=leerling_id,
            school_id=school_id,
            datum=datum,
            bronnen={k: b.naar_dict() for k, b in bronnen.items()},
            wijzigingen=_wijzigingen({}, statussen),
            herbeoordelen_op=herbeoordelen_op(statussen.values(), datum),
        )

    def _pas_toe(
        self,
        bronnen: Mapping[str, Any],
        wijzigingen: list[dict[str, Any]],
        herbeoordelen: date | None,
    ) -> None:
        for sleutel, bron in bronnen.items():
            if bron is None:
                self.bronnen.pop(sleutel, None)
            else:
                self.bronnen[sleutel] = bron
        for wijziging in wijzigingen:
            if wijziging["slot"] is None:
                self.statussen.pop(wijziging["lesuur"], None)
            else:
                self.statussen[wijziging["lesuur"]] = wijziging["slot"]
        self.herbeoordelen_op = herbeoordelen

    def bronfeiten(self) -> dict[str, BronFeit]:
        return {k: BronFeit.uit_dict(k, b) for k, b in self.bronnen.items()}

    def slotstatussen(self) -> dict[int, SlotStatus]:
        return {n: SlotStatus.uit_dict(s) for n, s in self.statussen.items()}

    def werk_bij(
        self, bronnen: Mapping[str, BronFeit], statussen: Mapping[int, SlotStatus]
    ) -> int:
        """Replace the day's records and statuses in one event, when anything changed.

        Returns the number of slots whose status changed.
        """
        nieuwe_bronnen = {k: b.naar_dict() for k, b in bronnen.items()}
        bron_delta: dict[str, Any] = {
            k: v for k, v in nieuwe_bronnen.items() if self.bronnen.get(k) != v
        }
        bron_delta.update({k: None for k in self.bronnen if k not in nieuwe_bronnen})
        wijzigingen = _wijzigingen(self.statussen, statussen)
        herbeoordelen = herbeoordelen_op(statussen.values(), self.datum)
        if (
            not bron_delta
            and not wijzigingen
            and herbeoordelen == self.herbeoordelen_op
        ):
            return 0
        self.trigger_event(
            self.Bijgewerkt,
            leerling_id=self.leerling_id,
            datum=self.datum,
            bronnen=bron_delta,
            wijzigingen=wijzigingen,
            herbeoordelen_op=herbeoordelen,
        )
        return len(wijzigingen)
