"""A school's own calendar as opvolging keeps it (rules section 8: no national table).

Evaluations fall due after N lesweken and compare lesweken: a vacation week is no
lesweek, so both need the school's vacations. The calendar arrives from registratie
with every change of the school's settings; only a real change is stored.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from leerplicht.kalender import Periode, SchoolKalender
from plumbing.identifiers import name_based_id

__all__ = ["Schoolkalender"]

_NAAMRUIMTE = UUID("3c1e9a57-5f2b-4b8a-a0d4-96e2f1c7b845")

#: {"vakanties": [[van, tot], ...], "vrijeDagen": ..., "studiedagen": ...,
#:  "eersteSchooldag": iso or None}; ISO dates, so the event stays plain data.
Kalendergegevens = dict[str, Any]


def _perioden(rijen: list[list[str]]) -> tuple[Periode, ...]:
    return tuple(
        Periode(date.fromisoformat(van), date.fromisoformat(tot)) for van, tot in rijen
    )


class Schoolkalender(Aggregate):
    class Aangemaakt(Aggregate.Created):
        school_id: str

    def __init__(self, school_id: str) -> None:
        self.school_id = school_id
        self.gegevens: Kalendergegevens | None = None

    @staticmethod
    def id_voor(school_id: str) -> UUID:
        return name_based_id(_NAAMRUIMTE, school_id)

    @classmethod
    def maak(cls, school_id: str) -> Schoolkalender:
        return cls._create(
            cls.Aangemaakt, id=cls.id_voor(school_id), school_id=school_id
        )

    class Vastgelegd(Aggregate.Event):
        gegevens: dict[str, Any]

        def apply(self, aggregate: Schoolkalender) -> None:
            aggregate.gegevens = self.gegevens

    def vastleggen(self, gegevens: Kalendergegevens) -> bool:
        """Store the calendar; False when it did not change."""
        if gegevens == self.gegevens:
            return False
        self.trigger_event(self.Vastgelegd, gegevens=gegevens)
        return True

    def kalender(self) -> SchoolKalender | None:
        if self.gegevens is None:
            return None
        eerste = self.gegevens.get("eersteSchooldag")
        return SchoolKalender(
            vakanties=_perioden(self.gegevens.get("vakanties", [])),
            vrije_dagen=_perioden(self.gegevens.get("vrijeDagen", [])),
            studiedagen=_perioden(self.gegevens.get("studiedagen", [])),
            eerste_schooldag=date.fromisoformat(eerste) if eerste else None,
        )
