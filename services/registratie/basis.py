"""The base of the registratie application: persistence set-up, the clock, and running a
unit of work with a retry on the library's version conflict (pitfall T10).

Personal fields (`persoonsvelden`) are sealed with the pupil's own key from the key
vault beside the store (`Sleutelkluis.beside_store`), so erasing a pupil is
destroying one key. An in-memory store has no vault and seals nothing.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

import psycopg
from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    JSONTranscoder,
    Mapper,
    PersistenceError,
    RecordConflictError,
    Recording,
    Transcoding,
)
from eventsourcing.utils import Environment, EnvType, get_topic

from plumbing.security.personal_fields import PersonalFieldMapper
from plumbing.security.sleutelkluis import Sleutelkluis, SleutelVernietigd
from plumbing.store import ServiceApplication
from services.registratie.domain.fouten import LeerlingGewist, RegistratieFout
from services.registratie.domain.tijd import AMSTERDAM, nu_amsterdam
from services.registratie.opslag import AggregaatCache, GrotePostgresRecorder
from services.registratie.persoonsvelden import PERSOONSVELDEN
from services.registratie.werkeenheid import SchoolContextCache, Werkeenheid

__all__ = ["MAX_POGINGEN", "OPSLAGFOUTEN", "RegistratieBasis", "TeVeelConflicten"]

logger = logging.getLogger(__name__)

R = TypeVar("R")

# Two writers for one pupil-day: the loser reloads and retries (T10).
MAX_POGINGEN = 5

# Failures of the store, the key vault or the machine: never the fault of one record,
# so never turned into a record's rejection (the request fails, nothing is saved).
OPSLAGFOUTEN: tuple[type[BaseException], ...] = (
    PersistenceError,
    SleutelVernietigd,
    sqlite3.Error,
    psycopg.Error,
    OSError,
    MemoryError,
)


class TeVeelConflicten(RegistratieFout):
    """Still conflicting after MAX_POGINGEN attempts; nothing was stored."""


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class RegistratieBasis(ServiceApplication):
    """Persistence comes from `env` (e.g. PERSISTENCE_MODULE=eventsourcing.sqlite).

    A process store (`ServiceApplication`): the relay records its position in it.
    """

    name = "Registratie"

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        klok: Callable[[], datetime] | None = None,
        kluis: Sleutelkluis | None = None,
    ) -> None:
        # Read by construct_mapper, which the library calls from its __init__.
        self._gegeven_kluis = kluis
        self.kluis: Sleutelkluis | None = None
        super().__init__(env)
        self._klok = klok or nu_amsterdam
        self._scholen = SchoolContextCache()
        self._bewaard = AggregaatCache()

    def construct_mapper(self) -> Mapper[UUID]:
        """The library's mapper, sealing personal fields with the pupil's key."""
        mapper = super().construct_mapper()
        self.kluis = self._gegeven_kluis or Sleutelkluis.beside_store(self.env)
        if self.kluis is None:
            return mapper
        return PersonalFieldMapper(
            mapper.transcoder,
            compressor=mapper.compressor,
            cipher=mapper.cipher,
            vault=self.kluis,
            rules=PERSOONSVELDEN,
        )

    def _record(self, processing_event: ProcessingEvent[Any]) -> list[Recording[Any]]:
        if isinstance(self.mapper, PersonalFieldMapper) and self.kluis is not None:
            # One write for the keys of every new pupil in the save, not one each.
            eigenaren = self.mapper.owners(processing_event.events)
            if eigenaren:
                self.kluis.maak_sleutels(eigenaren)
        return super()._record(processing_event)

    def close(self) -> None:
        super().close()
        if self.kluis is not None and self._gegeven_kluis is None:
            self.kluis.close()

    def construct_env(self, name: str, env: EnvType | None = None) -> Environment:
        """On PostgreSQL, write large batches with `GrotePostgresRecorder`."""
        omgeving = super().construct_env(name, env)
        postgres = omgeving.get("PERSISTENCE_MODULE") == "eventsourcing.postgres"
        if postgres and not omgeving.get("PROCESS_RECORDER_TOPIC"):
            omgeving["PROCESS_RECORDER_TOPIC"] = get_topic(GrotePostgresRecorder)
        return omgeving

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """As `Application.save`, with a cheap type test per aggregate.

        The library tests every object against runtime-checkable protocols, which on
        Python 3.11 costs more than writing the event; a 10,000-record batch saves tens
        of thousands of events in one call.
        """
        verwerking: ProcessingEvent[UUID] = ProcessingEvent()
        for obj in objs:
            if isinstance(obj, Aggregate):
                verwerking.events.extend(obj.collect_events())
                verwerking.aggregates[obj.id] = obj
            elif obj is not None:
                verwerking.collect_events(obj)
        verwerking.saved_kwargs.update(kwargs)
        recordings = self._record(verwerking)
        self._take_snapshots(verwerking)
        self._notify(recordings)
        self.notify(verwerking.events)
        return recordings

    def moment(self, nu: datetime | None = None) -> datetime:
        """An aware instant; a naive value is Amsterdam wall time."""
        moment = nu if nu is not None else self._klok()
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=AMSTERDAM)
        return moment

    def _uitvoeren(
        self,
        opdracht: Callable[[Werkeenheid], R],
        nu: datetime | None = None,
        *,
        bewaren: bool = False,
    ) -> R:
        """Run `opdracht` in a fresh unit of work and save it all at once.

        On a version conflict nothing was stored: reload everything and run again, so
        the caller is told "stored" only after a save that succeeded. With
        `bewaren`, the unit takes the pupils and schools it reads from the cache of
        earlier such units and puts them back after its save (`AggregaatCache`):
        only for a use case that returns no aggregate, so nobody holds one that a
        later unit takes out.
        """
        moment = self.moment(nu)
        bewaard = self._bewaard if bewaren else None
        for poging in range(1, MAX_POGINGEN + 1):
            werk = Werkeenheid(self, moment, self._scholen, bewaard)
            resultaat = opdracht(werk)
            werk.verwerk_dagen()
            try:
                self.save(*werk.aggregaten())
            except SleutelVernietigd as fout:
                # Erased between loading and saving (another process): refused.
                raise LeerlingGewist(str(fout.leerling_id)) from None
            except RecordConflictError:
                logger.info(
                    "versieconflict",
                    extra={"event": "versieconflict", "poging": poging},
                )
                continue
            werk.na_opslaan()
            return resultaat
        raise TeVeelConflicten(
            f"na {MAX_POGINGEN} pogingen nog steeds een versieconflict"
        )
