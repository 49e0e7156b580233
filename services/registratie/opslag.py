"""Loading many aggregates at once, for the SQLite and PostgreSQL recorders of
eventsourcing 9.5.

A bulk import touches thousands of aggregates that mostly do not exist yet; asking the
repository for each costs a transaction per id. `laad_aggregaten` reads the stored
events of a whole chunk of ids at once and reconstructs the aggregates with the
application's own mapper; any other recorder falls back to the repository. (Writing a
large batch safely on PostgreSQL is the store's job: `plumbing.store`.)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresAggregateRecorder
from eventsourcing.sqlite import SQLiteAggregateRecorder

__all__ = ["laad_aggregaten"]

_CHUNK = 500


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


def laad_aggregaten(
    app: Application[UUID],
    ids: Iterable[UUID],
    basis: Callable[[UUID], Aggregate | None] | None = None,
) -> dict[UUID, Aggregate]:
    """The existing aggregates among `ids`; ids without events are simply absent.

    `basis` may give a copy of an aggregate as it was at some version: then only
    the events stored after that version are decoded and applied to it. The store
    is read either way, so what comes back is never older than what is stored."""
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
            begin = basis(aggregate_id) if basis is not None else None
            aggregate = _bijgewerkt(app, begin, rijen)
            if aggregate is not None:
                gevonden[aggregate_id] = aggregate
    return gevonden


def _bijgewerkt(
    app: Application[UUID], begin: Aggregate | None, rijen: list[StoredEvent]
) -> Aggregate | None:
    """The aggregate of `rijen` (one id's stored events, in order), built on `begin`
    when that is an earlier state of it (a later one means the store was restored
    from an older backup: then from scratch)."""
    aggregate = None
    if begin is not None and begin.version <= rijen[-1].originator_version:
        aggregate = begin
        rijen = [r for r in rijen if r.originator_version > begin.version]
    # What `project_aggregate` does, without its runtime protocol check per event
    # (on Python 3.11 that check costs more than applying the event).
    for stored in rijen:
        aggregate = app.mapper.to_domain_event(stored).mutate(aggregate)  # type: ignore[attr-defined]
    return aggregate
