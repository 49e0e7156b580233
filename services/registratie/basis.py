"""The base of the registratie application: persistence set-up, the clock, and running a
unit of work with a retry on the library's version conflict (two writers for one
pupil-day).

Personal fields (`persoonsvelden`) are sealed with the pupil's own key from the key
vault beside the store (`Sleutelkluis.beside_store`), so erasing a pupil is
destroying one key. An in-memory store has no vault and seals nothing.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import psycopg
from eventsourcing.persistence import (
    JSONTranscoder,
    PersistenceError,
    RecordConflictError,
    Recording,
)
from eventsourcing.utils import EnvType, get_topic

from plumbing.security.crypto import BsnHasher
from plumbing.security.personal_fields import SealedFieldsApplication
from plumbing.security.sleutelkluis import Sleutelkluis, SleutelVernietigd
from plumbing.store import collect_events
from plumbing.transcodings import DateAsISO
from services.registratie.domain.fouten import LeerlingGewist, RegistratieFout
from services.registratie.domain.leerling import Leerling
from services.registratie.domain.tijd import AMSTERDAM, nu_amsterdam
from services.registratie.persoonsvelden import PERSOONSVELDEN
from services.registratie.pgnindex import PgnIndex
from services.registratie.werkeenheid import (
    AggregaatVoorraad,
    SchoolContextCache,
    Werkeenheid,
)

__all__ = ["MAX_POGINGEN", "OPSLAGFOUTEN", "RegistratieBasis", "TeVeelConflicten"]

logger = logging.getLogger(__name__)

R = TypeVar("R")

# Two writers for one pupil-day: the loser reloads and retries.
MAX_POGINGEN = 5
# Notifications read per query when scanning the pupils' events.
_BLOK = 1_000

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


class RegistratieBasis(SealedFieldsApplication):
    """Persistence comes from `env` (e.g. PERSISTENCE_MODULE=eventsourcing.sqlite).

    A process store (`ServiceApplication`): the relay records its position in it.
    Personal data comes in here, so new data for an erased pupil is refused.
    """

    name = "Registratie"
    personal_fields = PERSOONSVELDEN
    vault_name = "sleutelkluis"
    refuse_erased = True

    def __init__(
        self,
        env: EnvType | None = None,
        *,
        klok: Callable[[], datetime] | None = None,
        kluis: Sleutelkluis | None = None,
        pgn_hasher: BsnHasher | None = None,
    ) -> None:
        super().__init__(env, kluis=kluis)
        self._klok = klok or nu_amsterdam
        self._scholen = SchoolContextCache()
        self._voorraad = AggregaatVoorraad()
        # The service binds the configured key (`RegistratieDienst.bind`).
        self.pgn_index = PgnIndex(pgn_hasher or BsnHasher.beside_store(self.env))

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """As `Application.save`, with a cheap type test per aggregate (see
        `plumbing.store.collect_events`): a 10,000-record batch saves tens of
        thousands of events in one call."""
        verwerking = collect_events(*objs, **kwargs)
        recordings = self._record(verwerking)
        self._take_snapshots(verwerking)
        self._notify(recordings)
        self.notify(verwerking.events)
        return recordings

    def inschrijvingen(self) -> dict[UUID, dict[str, Any]]:
        """The last enrolment data of every pupil not erased, from the pupils' own
        events and without opening their sealed fields (no key is read)."""
        onderwerpen = [
            get_topic(cls)
            for cls in (
                Leerling.Ingeschreven,  # type: ignore[attr-defined]
                Leerling.Gewijzigd,  # type: ignore[attr-defined]
                Leerling.PersoonsgegevensGewist,  # type: ignore[attr-defined]
            )
        ]
        gegevens: dict[UUID, dict[str, Any]] = {}
        gewist: set[UUID] = set()
        begin = 1
        while notificaties := self.recorder.select_notifications(
            begin, _BLOK, topics=onderwerpen
        ):
            for notificatie in notificaties:
                event = self.read_sealed(notificatie)
                leerling_id = UUID(str(event.originator_id))
                if isinstance(event, Leerling.PersoonsgegevensGewist):  # type: ignore[attr-defined]
                    gewist.add(leerling_id)
                else:
                    gegevens[leerling_id] = event.gegevens
            begin = notificaties[-1].id + 1
        return {i: g for i, g in gegevens.items() if i not in gewist}

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
    ) -> R:
        """Run `opdracht` in a fresh unit of work and save it all at once.

        On a version conflict nothing was stored: reload everything and run again, so
        the caller is told "stored" only after a save that succeeded.
        """
        moment = self.moment(nu)
        for poging in range(1, MAX_POGINGEN + 1):
            werk = Werkeenheid(self, moment, self._scholen, self._voorraad)
            resultaat = opdracht(werk)
            werk.verwerk_dagen()
            inhoud = werk.aggregaten()
            try:
                self.save(*inhoud)
            except SleutelVernietigd as fout:
                # Erased between loading and saving (another process): refused.
                raise LeerlingGewist(str(fout.leerling_id)) from None
            except RecordConflictError:
                logger.info(
                    "versieconflict",
                    extra={"event": "versieconflict", "poging": poging},
                )
                continue
            # Stored: the next unit of work builds on this state.
            self._voorraad.onthoud([*inhoud, *werk.ongewijzigd()], kopie=False)
            return resultaat
        raise TeVeelConflicten(
            f"na {MAX_POGINGEN} pogingen nog steeds een versieconflict"
        )
