"""The registratie application as the service runs it: `Registratie` plus its outbox.

`RegistratieDienst` adds three things to the domain's application, none of which
change how it classifies:

- every save also stores the contract messages it causes (`contracts_mapping`), in
  the same transaction, so the relay publishes exactly what was committed;
- a school's `gemeente` and `contactMelder`, which the domain does not keep, live in
  a small `SchoolAanvulling` aggregate saved with the school's own save;
- the service clock, the PGN key and the PGN index's hash key are bound once the
  runtime is known (`bind`), since `build_app` only receives the store
  environment.

The lookups (pupil → school, school → unit) are cached: a pupil never changes school
(D16: a transfer is a new enrolment) and a school never changes sector.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, ProcessingEvent
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Recording
from pydantic import SecretStr

from contracts.pgn import sleutel_uit_instellingen
from plumbing.security.crypto import BsnHasher
from plumbing.settings import PlatformSettings
from services.registratie.application import Registratie
from services.registratie.contracts_mapping import uitgaande_berichten
from services.registratie.domain.leerling import Leerling
from services.registratie.domain.school import School, Sector
from services.registratie.domain.tijd import lokale_datum
from services.registratie.opslag import laad_aggregaten
from services.registratie.pgnindex import PgnIndex

if TYPE_CHECKING:
    from plumbing.runtime import ServiceRuntime

__all__ = ["RegistratieDienst", "SchoolAanvulling", "pgn_sleutel", "registratie"]

# The supplement that the next save of this thread's use case stores with a school.
_AANVULLING: contextvars.ContextVar[tuple[UUID, dict[str, Any]] | None] = (
    contextvars.ContextVar("registratie_schoolaanvulling", default=None)
)


def aanvulling_id(school_id: UUID) -> UUID:
    return uuid5(NAMESPACE_URL, f"verzuimketen:schoolaanvulling:{school_id.hex}")


class SchoolAanvulling(Aggregate):
    """What the contracts need of a school beyond the domain's `School`."""

    @staticmethod
    def create_id(school_id: UUID) -> UUID:
        return aanvulling_id(school_id)

    @event("Vastgelegd")
    def __init__(self, school_id: UUID, gegevens: dict[str, Any]) -> None:
        self.school_id = school_id
        self.gegevens = gegevens

    @event("Gewijzigd")
    def wijzig(self, gegevens: dict[str, Any]) -> None:
        self.gegevens = gegevens


class RegistratieDienst(Registratie):
    """`Registratie` with its outbox; construct with `env=` like any application."""

    name = "Registratie"  # the same store (tables, tracking) as the domain's own

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        super().__init__(env)
        self._pgn_sleutel: str | None = None
        self._school_van: dict[UUID, UUID] = {}
        self._eenheid: dict[UUID, str] = {}

    # --- binding to the runtime ------------------------------------------------

    @property
    def gebonden(self) -> bool:
        return self._pgn_sleutel is not None

    def bind(
        self,
        klok: Callable[[], datetime],
        pgn_sleutel: str,
        pgn_hasher: BsnHasher | None = None,
    ) -> None:
        """Use the service clock for "now", the shared key for the PGN on the wire
        and the configured key of the PGN index (`VERZUIM_BSN_HASH_KEY`)."""
        self._klok = klok
        self._pgn_sleutel = pgn_sleutel
        if pgn_hasher is not None:
            self.pgn_index = PgnIndex(pgn_hasher)

    # --- the outbox --------------------------------------------------------------

    def _record(self, processing_event: ProcessingEvent[Any]) -> list[Recording[Any]]:
        aanvullingen: dict[UUID, dict[str, Any]] = {}
        wachtend = _AANVULLING.get()
        if wachtend is not None:
            school_id, gegevens = wachtend
            if self._leg_aanvulling_vast(processing_event, school_id, gegevens):
                aanvullingen[school_id] = gegevens
        berichten = uitgaande_berichten(
            processing_event.events,
            processing_event.aggregates,
            self,
            lokale_datum(self.moment()),
            aanvullingen,
        )
        processing_event.events.extend(berichten)
        for aggregate in processing_event.aggregates.values():
            if isinstance(aggregate, Leerling):
                self._school_van[aggregate.id] = aggregate.school_id
        return super()._record(processing_event)

    def _leg_aanvulling_vast(
        self, verwerking: ProcessingEvent[Any], school_id: UUID, gegevens: dict
    ) -> bool:
        """Add the school's supplement to this save; True when it changed."""
        bestaat = school_id in verwerking.aggregates or (
            self.school_aggregaat(school_id) is not None
        )
        if not bestaat:
            return False
        aanvulling = self._aanvulling(school_id)
        if aanvulling is None:
            aanvulling = SchoolAanvulling(school_id=school_id, gegevens=gegevens)
        elif aanvulling.gegevens != gegevens:
            aanvulling.wijzig(gegevens=gegevens)
        else:
            return False
        verwerking.collect_events(aanvulling)
        return True

    @contextmanager
    def met_aanvulling(
        self, school_id: UUID, gemeente: str | None, contact: dict | None
    ) -> Iterator[None]:
        """Store `gemeente` and `contactMelder` with the school use case run inside."""
        gegevens = {"gemeente": gemeente, "contactMelder": contact}
        token = _AANVULLING.set((school_id, gegevens))
        try:
            yield
        finally:
            _AANVULLING.reset(token)

    # --- `contracts_mapping.Bronnen` ---------------------------------------------

    def pgn_sleutel(self) -> str:
        if self._pgn_sleutel is None:
            raise RuntimeError("the PGN key is not bound: call bind() first")
        return self._pgn_sleutel

    def eenheid_van(self, school_id: UUID) -> str:
        eenheid = self._eenheid.get(school_id)
        if eenheid is None:
            school = self.school_aggregaat(school_id)
            if school is None:
                raise LookupError(f"school {school_id} does not exist")
            eenheid = self._eenheid[school_id] = Sector(school.sector).eenheid.value
        return eenheid

    def school_van(self, leerling_id: UUID) -> UUID | None:
        return self.scholen_van([leerling_id]).get(leerling_id)

    def school_aggregaat(self, school_id: UUID) -> School | None:
        return self._aggregaat(school_id, School)

    def schoolaanvulling(self, school_id: UUID) -> Mapping[str, Any]:
        aanvulling = self._aanvulling(school_id)
        return aanvulling.gegevens if aanvulling is not None else {}

    # --- lookups for the HTTP layer ----------------------------------------------

    def scholen_van(self, leerling_ids: Iterable[UUID]) -> dict[UUID, UUID]:
        """The school of every known pupil among `leerling_ids` (unknown: absent)."""
        ids = list(dict.fromkeys(leerling_ids))
        ontbrekend = [i for i in ids if i not in self._school_van]
        if ontbrekend:
            for aggregate_id, aggregate in laad_aggregaten(self, ontbrekend).items():
                if isinstance(aggregate, Leerling):
                    self._school_van[aggregate_id] = aggregate.school_id
        return {i: self._school_van[i] for i in ids if i in self._school_van}

    def leerling_aggregaat(self, leerling_id: UUID) -> Leerling | None:
        return self._aggregaat(leerling_id, Leerling)

    def aggregaat(self, aggregate_id: UUID, soort: type[Any]) -> Any | None:
        """A stored aggregate of the given type, or None (unknown or other type)."""
        return self._aggregaat(aggregate_id, soort)

    def _aanvulling(self, school_id: UUID) -> SchoolAanvulling | None:
        return self._aggregaat(aanvulling_id(school_id), SchoolAanvulling)

    def _aggregaat(self, aggregate_id: UUID, soort: type[Any]) -> Any | None:
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, soort) else None

    def vandaag(self) -> date:
        return lokale_datum(self.moment())


def pgn_sleutel(settings: PlatformSettings) -> str:
    """`VERZUIM_PGN_KEY`, or the key kept in the data dir (embedded set-up)."""
    waarde = getattr(settings, "verzuim_pgn_key", None)
    tekst = waarde.get_secret_value() if isinstance(waarde, SecretStr) else waarde
    return sleutel_uit_instellingen(tekst, settings.verzuim_data_dir)


def registratie(runtime: ServiceRuntime) -> RegistratieDienst:
    """The running application, bound to the service clock and the PGN key."""
    app = runtime.require_app()
    if not isinstance(app, RegistratieDienst):
        raise TypeError("registratie runs a RegistratieDienst")
    if not app.gebonden:
        app.bind(
            runtime.clock.now,
            pgn_sleutel(runtime.settings),
            BsnHasher.from_settings(runtime.security_settings),
        )
    return app
