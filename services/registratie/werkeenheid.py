"""One unit of work of registratie: load what a command needs, collect the changes to
pupil-days, classify every touched day once, and hand all aggregates to one save.

Both a single record and a bulk of 10,000 go through this, so they classify the same
way. The classification itself is the pure `classificeer`; this class only gathers its
facts and lets each `Verzuimdag` diff old against new statuses.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, DomainEvent

from plumbing.security.sleutelkluis import VERNIETIGD
from services.registratie.domain.classificatie import (
    BronFeit,
    SlotStatus,
    Status,
    classificeer,
)
from services.registratie.domain.fouten import (
    LeerlingGewist,
    NietGevonden,
    RegistratieFout,
)
from services.registratie.domain.leerling import Leerling, LeerlingFeiten, dagcontext
from services.registratie.domain.leerlingenlijst import Leerlingenlijst
from services.registratie.domain.school import School, SchoolContext
from services.registratie.domain.signalen import SignaalSoort, in_afgewezen_verlof
from services.registratie.domain.tijd import lokale_datum
from services.registratie.domain.verzuimdag import Verzuimdag, verzuimdag_id
from services.registratie.opslag import laad_aggregaten

__all__ = [
    "AggregaatVoorraad",
    "DagNietTeClassificeren",
    "SchoolContextCache",
    "Werkeenheid",
    "is_gewist",
]

T = TypeVar("T", bound=Aggregate)


def is_gewist(leerling: Leerling) -> bool:
    """Erased: the fact is stored, or (should that save have been lost) the key is
    gone and the date of birth reads as destroyed."""
    return leerling.gewist or leerling.gegevens.get("geboortedatum") == VERNIETIGD


class SchoolContextCache:
    """Derived school contexts per (school, version): building calendars is not free."""

    def __init__(self) -> None:
        self._contexten: dict[tuple[UUID, int], SchoolContext] = {}

    def voor(self, school: School) -> SchoolContext:
        sleutel = (school.id, school.version)
        context = self._contexten.get(sleutel)
        if context is None:
            if len(self._contexten) > 256:
                self._contexten.clear()
            context = school.context()
            self._contexten[sleutel] = context
        return context


class AggregaatVoorraad:
    """The latest known state of the aggregates every command loads again (schools,
    pupils, pupil lists), kept between units of work, so a load decodes only the
    events stored since that state rather than all of them.

    The store is read on every load (`laad_aggregaten` applies what is newer), so a
    command never starts from a stale version, whichever process wrote last. A
    state is handed over, not copied (copying every pupil of a bulk cost more than
    the bulk's own classification of some days): the unit of work that takes it
    owns it, and gives it back only when its save succeeded (`Werkeenheid.
    ongewijzigd` and what it saved). One that fails or conflicts gives nothing
    back, so the next load starts from the store again.
    An entry lives `bewaartijd` seconds, as long as the key vault keeps a key, so a
    pupil's data read before its key was destroyed is not kept longer than that."""

    SOORTEN: tuple[type[Aggregate], ...] = (School, Leerling, Leerlingenlijst)

    def __init__(
        self,
        bewaartijd: float = 60.0,
        maximum: int = 20_000,
        klok: Callable[[], float] = time.monotonic,
    ) -> None:
        self._bewaartijd = bewaartijd
        self._maximum = maximum
        self._klok = klok
        self._staat: dict[UUID, tuple[Aggregate, float]] = {}
        self._uitgegeven: dict[UUID, tuple[int, float]] = {}

    def basis(self, aggregate_id: UUID) -> Aggregate | None:
        """The kept state to build on, taken out (the caller owns it now), or None
        (unknown, or kept too long)."""
        bewaard = self._staat.pop(aggregate_id, None)
        if bewaard is None or bewaard[1] <= self._klok():
            return None
        if len(self._uitgegeven) >= self._maximum:
            self._uitgegeven.clear()  # taken by units of work that failed
        # Given back unchanged, it keeps the time it may be kept: using a pupil
        # does not extend how long data read under its key stays here.
        self._uitgegeven[aggregate_id] = (bewaard[0].version, bewaard[1])
        return bewaard[0]

    def onthoud(self, aggregaten: Iterable[object], *, kopie: bool = True) -> None:
        """Keep the state of these aggregates (as loaded, or as just saved).

        `kopie=False` only for aggregates of a unit of work whose save succeeded
        (saved, or loaded and left unchanged): it has ended and changes them no
        more. One still in use is copied, since its unit of work may fail."""
        nu = self._klok()
        for aggregate in aggregaten:
            if not isinstance(aggregate, self.SOORTEN):
                continue
            bewaard = self._staat.get(aggregate.id)
            if (
                bewaard is not None
                and bewaard[0].version == aggregate.version
                and bewaard[1] > nu
            ):
                continue
            if len(self._staat) >= self._maximum:
                self._staat.clear()
            uitgegeven = self._uitgegeven.pop(aggregate.id, None)
            if uitgegeven is not None and uitgegeven[0] == aggregate.version:
                tot = uitgegeven[1]
            else:
                tot = nu + self._bewaartijd
            if tot <= nu:
                continue
            staat = copy.deepcopy(aggregate) if kopie else aggregate
            self._staat[aggregate.id] = (staat, tot)


class DagNietTeClassificeren(Exception):  # noqa: N818 - a Dutch name, not "Error"
    """Classifying one pupil-day failed unexpectedly; `sleutels` names the records
    (their aggregate ids in hex) that changed the day in this unit of work, so a bulk
    can refuse just those and run again. The cause is chained."""

    def __init__(self, leerling_id: UUID, datum: date, sleutels: set[str]) -> None:
        self.leerling_id = leerling_id
        self.datum = datum
        self.sleutels = sleutels
        super().__init__(f"dag {datum.isoformat()} niet te classificeren")


@dataclass
class _Dag:
    leerling_id: UUID
    datum: date
    delta: dict[str, BronFeit | None] = field(default_factory=dict)
    maak_aan: bool = False


class Werkeenheid:
    def __init__(
        self,
        app: Application[UUID],
        moment: datetime,
        scholen: SchoolContextCache,
        voorraad: AggregaatVoorraad | None = None,
    ) -> None:
        self.app = app
        self.moment = moment
        self.vandaag = lokale_datum(moment)
        self._scholen = scholen
        self._voorraad = voorraad
        self._geladen: dict[UUID, Aggregate | None] = {}
        self._te_bewaren: dict[UUID, Aggregate] = {}
        self._dagen: dict[UUID, _Dag] = {}
        # A bulk's items, each closed as a step: their events in the order single
        # requests would have saved them, and what the open step changed.
        self._gesloten: list[DomainEvent] = []
        self._in_stap: dict[UUID, Aggregate] = {}
        self.gewijzigde_slots = 0

    def laad(self, ids: Iterable[UUID]) -> None:
        """Prefetch aggregates (one query per chunk); unknown ids are remembered."""
        ontbrekend = [i for i in dict.fromkeys(ids) if i not in self._geladen]
        if not ontbrekend:
            return
        voorraad = self._voorraad
        gevonden = laad_aggregaten(
            self.app, ontbrekend, voorraad.basis if voorraad is not None else None
        )
        for aggregate_id in ontbrekend:
            self._geladen[aggregate_id] = gevonden.get(aggregate_id)

    def haal(self, aggregate_id: UUID, soort: type[T]) -> T | None:
        if aggregate_id not in self._geladen:
            self.laad([aggregate_id])
        aggregate = self._geladen[aggregate_id]
        if aggregate is not None and not isinstance(aggregate, soort):
            raise NietGevonden(soort.__name__.lower(), str(aggregate_id))
        return aggregate

    def nieuw(self, aggregate: Aggregate) -> None:
        self._geladen[aggregate.id] = aggregate
        self.bewaar(aggregate)

    def bewaar(self, aggregate: Aggregate) -> None:
        self._te_bewaren[aggregate.id] = aggregate
        self._in_stap[aggregate.id] = aggregate

    def school(self, school_id: UUID) -> tuple[School, SchoolContext]:
        school = self.haal(school_id, School)
        if school is None:
            raise NietGevonden("school", str(school_id))
        return school, self._scholen.voor(school)

    def leerling(self, leerling_id: UUID, *, ook_gewist: bool = False) -> Leerling:
        """The pupil; one whose personal data was erased only for reading
        (``ook_gewist``): nothing new is recorded about them."""
        leerling = self.haal(leerling_id, Leerling)
        if leerling is None:
            raise NietGevonden("leerling", str(leerling_id))
        if not ook_gewist and is_gewist(leerling):
            raise LeerlingGewist(str(leerling_id))
        return leerling

    def _dag(self, leerling_id: UUID, datum: date) -> _Dag:
        dag_id = verzuimdag_id(leerling_id, datum)
        dag = self._dagen.get(dag_id)
        if dag is None:
            dag = self._dagen[dag_id] = _Dag(leerling_id, datum)
        return dag

    def zet_bron(
        self, leerling_id: UUID, datum: date, sleutel: str, feit: BronFeit | None
    ) -> None:
        """Put (or with None: take away) one record's part of a pupil-day."""
        self._dag(leerling_id, datum).delta[sleutel] = feit

    def raak(self, leerling_id: UUID, datum: date, maak_aan: bool = False) -> None:
        """Reclassify a pupil-day whose facts changed elsewhere (a notice, leave)."""
        dag = self._dag(leerling_id, datum)
        dag.maak_aan = dag.maak_aan or maak_aan

    def verwerk_dagen(self) -> None:
        """Classify every touched pupil-day once and let each day emit its changes."""
        self.laad(self._dagen)
        feiten: dict[UUID, LeerlingFeiten] = {}
        for dag_id, werk in self._dagen.items():
            leerling = self.leerling(werk.leerling_id, ook_gewist=True)
            if is_gewist(leerling):
                # Without a date of birth a day cannot be classified; the days of
                # an erased pupil keep the status they had (a school closure or the
                # daily reassessment passes them by).
                continue
            _, school = self.school(leerling.school_id)
            bestaand = self.haal(dag_id, Verzuimdag)
            bronnen = bestaand.bronfeiten() if bestaand is not None else {}
            for sleutel, feit in werk.delta.items():
                if feit is None:
                    bronnen.pop(sleutel, None)
                else:
                    bronnen[sleutel] = feit
            if bestaand is None and not bronnen and not werk.maak_aan:
                continue
            try:
                # Pure from here on: no store, only the facts already loaded.
                if leerling.id not in feiten:
                    feiten[leerling.id] = leerling.feiten()
                context = dagcontext(school, feiten[leerling.id], werk.datum)
                statussen = classificeer(bronnen.values(), context, self.moment)
            except RegistratieFout:
                raise
            except Exception as fout:
                raise DagNietTeClassificeren(
                    leerling.id, werk.datum, set(werk.delta)
                ) from fout
            if bestaand is None:
                self.nieuw(
                    Verzuimdag.open(
                        leerling.id, leerling.school_id, werk.datum, bronnen, statussen
                    )
                )
                self.gewijzigde_slots += len(statussen)
            else:
                self.gewijzigde_slots += bestaand.werk_bij(bronnen, statussen)
                self.bewaar(bestaand)
            self._signaleer_afgewezen_verlof(leerling, werk.datum, statussen.values())
        self._dagen.clear()

    def _signaleer_afgewezen_verlof(
        self, leerling: Leerling, datum: date, statussen: Iterable[SlotStatus]
    ) -> None:
        if not leerling.afgewezen_verlof:
            return
        afwezig = any(s.status is not Status.AANWEZIG for s in statussen)
        perioden = [
            (date.fromisoformat(a), date.fromisoformat(b))
            for a, b in leerling.afgewezen_verlof.values()
        ]
        # D18: absence in a period for which leave was denied.
        soort = SignaalSoort.AFWEZIG_NA_AFGEWEZEN_VERLOF.value
        if (
            afwezig
            and in_afgewezen_verlof(datum, perioden)
            and leerling.signaleer(soort, datum)
        ):
            self.bewaar(leerling)

    def sluit_stap(self) -> None:
        """End one item of a bulk as if it were a request of its own: classify the
        days it touched and set its events aside in order, so the one save of the
        bulk stores (and publishes) what the items one by one would have."""
        self.verwerk_dagen()
        for aggregate in self._in_stap.values():
            self._gesloten.extend(aggregate.collect_events())
        self._in_stap.clear()

    def ongewijzigd(self) -> list[Aggregate]:
        """The loaded aggregates this unit of work did not change: after a save
        that succeeded they are as stored."""
        return [
            a
            for a in self._geladen.values()
            if a is not None and a.id not in self._te_bewaren and not a.pending_events
        ]

    def aggregaten(self) -> list[Aggregate | DomainEvent]:
        """What the save stores: the events of closed steps first, then every
        aggregate to keep (with what is still pending on it)."""
        return [*self._gesloten, *self._te_bewaren.values()]
