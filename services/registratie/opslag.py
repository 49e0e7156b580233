"""Storage paths for large batches, for the SQLite and PostgreSQL recorders of
eventsourcing 9.5.

- `laad_aggregaten`: a bulk import touches thousands of aggregates that mostly do not
  exist yet; asking the repository for each costs a transaction per id. This reads the
  stored events of a whole chunk of ids at once and reconstructs the aggregates with the
  application's own mapper; any other recorder falls back to the repository.
- `AggregaatCache`: the pupils and schools a bulk read, as its save left them, so the
  next bulk need not decrypt and replay them again; what the store holds decides
  whether a cached one is still current.
- `GrotePostgresRecorder`: the library writes a batch as one statement in psycopg's
  pipeline mode, which never returns once the batch holds a few megabytes (psycopg
  issue 685: client and server both wait). Large batches are written in chunks,
  without the pipeline, in the same single transaction and under the same table lock.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder, PostgresProcessRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder

__all__ = ["AggregaatCache", "GrotePostgresRecorder", "laad_aggregaten"]

_CHUNK = 500
# Above this many bytes of event state a batch avoids the pipeline (see module doc).
GROOT_BYTES = 1_000_000
_DEEL_BYTES = 500_000


def _sqlite(
    recorder: SQLiteAggregateRecorder, ids: Sequence[UUID]
) -> list[StoredEvent]:
    vraagtekens = ",".join("?" * len(ids))
    sql = (
        f"SELECT originator_id, originator_version, topic, state "
        f"FROM {recorder.events_table_name} WHERE originator_id IN ({vraagtekens}) "
        f"ORDER BY originator_id, originator_version"
    )
    with recorder.datastore.transaction(commit=False) as c:
        c.execute(sql, [i.hex for i in ids])
        return [
            StoredEvent(
                originator_id=recorder.convert_originator_id(r["originator_id"]),
                originator_version=r["originator_version"],
                topic=r["topic"],
                state=r["state"],
            )
            for r in c.fetchall()
        ]


def _postgres(
    recorder: PostgresAggregateRecorder, ids: Sequence[UUID]
) -> list[StoredEvent]:
    from psycopg.sql import SQL, Identifier

    sql = SQL(
        "SELECT originator_id, originator_version, topic, state FROM {schema}.{table} "
        "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
    ).format(
        schema=Identifier(recorder.datastore.schema),
        table=Identifier(recorder.events_table_name),
    )
    sleutels: list[Any] = (
        list(ids)
        if recorder.datastore.originator_id_type == "uuid"
        else [str(i) for i in ids]
    )
    with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
        curs.execute(sql, [sleutels])
        return [
            StoredEvent(
                originator_id=r["originator_id"],
                originator_version=r["originator_version"],
                topic=r["topic"],
                state=bytes(r["state"]),
            )
            for r in curs.fetchall()
        ]


class AggregaatCache:
    """Aggregates as a successful save left them, for a later unit of work.

    A unit of work takes out (`neem`) what it is about to load, so no two units ever
    hold the same object and a unit that fails takes its changes with it; it puts
    its aggregates back (`leg_terug`) only after its save succeeded. Taking one out
    does not make it current: `laad_aggregaten` uses it only at the version the
    store holds (another process may have written since). An entry is dropped after
    `bewaartijd` seconds, the time the key vault keeps a key: a pupil whose key was
    destroyed elsewhere reads as erased no later than it did without this cache.
    """

    def __init__(
        self,
        maxsize: int = 20_000,
        bewaartijd: float = 60.0,
        klok: Callable[[], float] = time.monotonic,
    ) -> None:
        self._maxsize = maxsize
        self._bewaartijd = bewaartijd
        self._klok = klok
        self._inhoud: dict[UUID, tuple[Aggregate, float]] = {}
        self._slot = threading.Lock()

    def neem(self, ids: Iterable[UUID]) -> dict[UUID, Aggregate]:
        nu = self._klok()
        genomen: dict[UUID, Aggregate] = {}
        with self._slot:
            for aggregate_id in ids:
                entry = self._inhoud.pop(aggregate_id, None)
                if entry is not None and entry[1] > nu:
                    genomen[aggregate_id] = entry[0]
        return genomen

    def leg_terug(self, aggregates: Iterable[Aggregate]) -> None:
        tot = self._klok() + self._bewaartijd
        with self._slot:
            for aggregate in aggregates:
                self._inhoud.pop(aggregate.id, None)
                self._inhoud[aggregate.id] = (aggregate, tot)
            while len(self._inhoud) > self._maxsize:
                del self._inhoud[next(iter(self._inhoud))]

    def __len__(self) -> int:
        return len(self._inhoud)


def laad_aggregaten(
    app: Application[UUID],
    ids: Iterable[UUID],
    bekend: Mapping[UUID, Aggregate] | None = None,
) -> dict[UUID, Aggregate]:
    """The existing aggregates among `ids`; ids without events are simply absent.

    An aggregate in `bekend` (taken from an `AggregaatCache`) is used as it is when
    the store holds no later version of it, brought up to date with just the later
    events when it does.
    """
    bekend = bekend or {}
    uniek = list(dict.fromkeys(ids))
    recorder = app.recorder
    snel = app.snapshots is None and isinstance(
        recorder, SQLiteAggregateRecorder | PostgresAggregateRecorder
    )
    gevonden: dict[UUID, Aggregate] = {}
    if not snel:
        for aggregate_id in uniek:
            try:
                gevonden[aggregate_id] = app.repository.get(aggregate_id)
            except AggregateNotFoundError:
                continue
        return gevonden

    for i in range(0, len(uniek), _CHUNK):
        deel = uniek[i : i + _CHUNK]
        if isinstance(recorder, SQLiteAggregateRecorder):
            opgeslagen = _sqlite(recorder, deel)
        else:
            assert isinstance(recorder, PostgresAggregateRecorder)
            opgeslagen = _postgres(recorder, deel)
        per_id: dict[UUID, list[StoredEvent]] = defaultdict(list)
        for stored in opgeslagen:
            oid = stored.originator_id
            per_id[oid if isinstance(oid, UUID) else UUID(oid)].append(stored)
        for aggregate_id, rijen in per_id.items():
            aggregate = _bijgewerkt(app, bekend.get(aggregate_id), rijen)
            if aggregate is not None:
                gevonden[aggregate_id] = aggregate
    return gevonden


def _bijgewerkt(
    app: Application[UUID], bekend: Aggregate | None, rijen: list[StoredEvent]
) -> Aggregate | None:
    """The aggregate of `rijen` (one id's stored events, in order), from `bekend`
    when that is an earlier state of it."""
    aggregate = None
    if bekend is not None and bekend.version <= rijen[-1].originator_version:
        aggregate = bekend
        rijen = [r for r in rijen if r.originator_version > bekend.version]
    # What `project_aggregate` does, without its runtime protocol check per event
    # (on Python 3.11 that check costs more than applying the event).
    for stored in rijen:
        aggregate = app.mapper.to_domain_event(stored).mutate(aggregate)  # type: ignore[attr-defined]
    return aggregate


class GrotePostgresRecorder(PostgresProcessRecorder):
    """`PostgresProcessRecorder` that writes large batches in chunks (module doc)."""

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        omvang = sum(len(e.state) for e in stored_events)
        if omvang <= GROOT_BYTES or self.datastore.enable_db_functions:
            return super().insert_events(stored_events, **kwargs)
        nummers: list[int] = []
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            # Tracking rows first, then the lock that orders notification ids by
            # commit, then the events: the same steps as the library, one transaction.
            self._insert_events(curs, stored_events, **kwargs)
            self._lock_table(curs)
            self._notify_channel(curs)
            for deel in _delen(stored_events):
                waarden = [
                    self.construct_pg_stored_event(
                        e.originator_id, e.originator_version, e.topic, e.state
                    )
                    for e in deel
                ]
                curs.execute(self.insert_events_statement, (waarden,))
                nummers.extend(rij["notification_id"] for rij in curs.fetchall())
        return nummers


def _delen(events: Sequence[StoredEvent]) -> list[Sequence[StoredEvent]]:
    delen: list[Sequence[StoredEvent]] = []
    begin, omvang = 0, 0
    for i, stored in enumerate(events):
        omvang += len(stored.state)
        if omvang >= _DEEL_BYTES:
            delen.append(events[begin : i + 1])
            begin, omvang = i + 1, 0
    if begin < len(events):
        delen.append(events[begin:])
    return delen
