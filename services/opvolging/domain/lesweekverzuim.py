"""Per pupil at one school: the unauthorised minutes behind the PDCA check.

Kept from registratie's classified lesson slots, so an evaluation sees absence below
every threshold too, not only the hours that made a duty. One slot holds one status
(D14): a newer classification replaces the older one, and a slot that is no longer
unauthorised stops counting. The minutes are the lesson time actually missed
(lateness included), which is what a measure is meant to bring down.
"""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

from eventsourcing.domain import Aggregate

from leerplicht.kalender import SchoolKalender
from plumbing.copies import with_new_containers
from plumbing.identifiers import name_based_id
from services.opvolging.domain.evaluatie import WeekCijfer

__all__ = ["Lesweekverzuim", "evaluatieweken"]

_NAAMRUIMTE = UUID("0b6f3e0c-2a8d-4f4e-8e61-7c2d95a4d1b3")

# The weeks "before" the measures: the 4-lesweek window of the 16-hour rule (D2).
_WEKEN_VOOR = 4


def _maandag(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _is_lesweek(maandag: date, kalender: SchoolKalender | None) -> bool:
    return kalender is None or not kalender.is_vakantieweek(maandag)


def evaluatieweken(
    maatregelen_vanaf: date, peildatum: date, kalender: SchoolKalender | None
) -> list[date]:
    """The Mondays of the lesweken an evaluation compares, oldest first.

    Four lesweken up to and including the week the measures started, then every
    complete lesweek after it: a week is complete once its Friday lies before the
    peildatum. Vacation weeks are left out, so they never pass for a quiet week, and
    the baseline does not reach back before the school year's first day.
    """
    start = _maandag(maatregelen_vanaf)
    eerste = kalender.eerste_schooldag if kalender is not None else None
    grens = _maandag(eerste) if eerste else start - timedelta(weeks=_WEKEN_VOOR)
    weken: list[date] = []
    week = start
    while len(weken) < _WEKEN_VOOR and week >= grens:
        if _is_lesweek(week, kalender):
            weken.insert(0, week)
        week -= timedelta(days=7)
    week = start + timedelta(days=7)
    while week + timedelta(days=4) < peildatum:
        if _is_lesweek(week, kalender):
            weken.append(week)
        week += timedelta(days=7)
    return weken


class Lesweekverzuim(Aggregate):
    def __deepcopy__(self, memo: dict[int, object]) -> Lesweekverzuim:
        # Loaded for every slot batch of the pupil; its slots are (date, int) tuples.
        return with_new_containers(self)

    class Aangemaakt(Aggregate.Created):
        school_id: str
        leerling_id: str

    def __init__(self, school_id: str, leerling_id: str) -> None:
        self.school_id = school_id
        self.leerling_id = leerling_id
        self.klas: str | None = None
        self.slots: dict[str, tuple[date, int]] = {}
        self.ooit_geteld = False  # has registratie ever reported unauthorised time?

    @staticmethod
    def id_voor(school_id: str, leerling_id: str) -> UUID:
        return name_based_id(_NAAMRUIMTE, f"{school_id}\x1f{leerling_id}")

    @classmethod
    def maak(cls, school_id: str, leerling_id: str) -> Lesweekverzuim:
        return cls._create(
            cls.Aangemaakt,
            id=cls.id_voor(school_id, leerling_id),
            school_id=school_id,
            leerling_id=leerling_id,
        )

    class SlotGeteld(Aggregate.Event):
        slot_id: str
        datum: date
        minuten: int

        def apply(self, aggregate: Lesweekverzuim) -> None:
            aggregate.slots[self.slot_id] = (self.datum, self.minuten)
            aggregate.ooit_geteld = True

    class SlotVervallen(Aggregate.Event):
        slot_id: str

        def apply(self, aggregate: Lesweekverzuim) -> None:
            aggregate.slots.pop(self.slot_id, None)

    class KlasGewijzigd(Aggregate.Event):
        klas: str | None

        def apply(self, aggregate: Lesweekverzuim) -> None:
            aggregate.klas = self.klas

    def slot_classificeren(self, slot_id: str, datum: date, minuten: int) -> bool:
        """Unauthorised minutes of a slot (0: not unauthorised); False if unchanged."""
        if minuten <= 0:
            return self.slot_vervallen(slot_id)
        if self.slots.get(slot_id) == (datum, minuten):
            return False
        self.trigger_event(
            self.SlotGeteld, slot_id=slot_id, datum=datum, minuten=minuten
        )
        return True

    def slot_vervallen(self, slot_id: str) -> bool:
        if slot_id not in self.slots:
            return False
        self.trigger_event(self.SlotVervallen, slot_id=slot_id)
        return True

    def klas_wijzigen(self, klas: str | None) -> bool:
        if klas == self.klas:
            return False
        self.trigger_event(self.KlasGewijzigd, klas=klas)
        return True

    def weekcijfers(self, weken: list[date]) -> list[WeekCijfer]:
        """The unauthorised minutes of each given lesweek (Mondays), 0 if none."""
        per_week = dict.fromkeys(weken, 0)
        for datum, minuten in self.slots.values():
            maandag = _maandag(datum)
            if maandag in per_week:
                per_week[maandag] += minuten
        return [WeekCijfer(week, minuten) for week, minuten in per_week.items()]
