"""Event store selection and the base class of every service application.

Each service is an ``eventsourcing`` application with its own store: a SQLite file
under ``VERZUIM_DATA_DIR`` by default, or a PostgreSQL schema named after the service.
The store is a *process* store: beside the events it keeps tracking rows, which the
relay uses for its published position and the consumers use to remember which
upstream events they applied.

Event payloads are always stored encrypted, the larger ones compressed first
(`store_env`, `plumbing.compression`): with ``VERZUIM_CIPHER_KEY`` when set, else
with a key made once under the data dir.

The library records at most one tracking row per transaction. A consumer applies a
batch of Kafka messages for many pupils in one transaction, so the recorders below
accept a list of tracking rows (``trackings=[...]``) written atomically with the
events that the batch caused.

On PostgreSQL the recorders below also write events without psycopg's pipeline
mode (`_PostgresEventWriter`): the library's pipelined insert never returns once a
batch is larger than the socket buffers hold, and it holds the events table's lock
while it waits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from typing import Any, ClassVar
from uuid import UUID

import psycopg
from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    InterfaceError,
    OperationalError,
    ProcessRecorder,
    StoredEvent,
    Tracking,
)
from eventsourcing.postgres import (
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresFactory,
    PostgresProcessRecorder,
)
from eventsourcing.sqlite import SQLiteFactory, SQLiteProcessRecorder
from eventsourcing.utils import retry
from psycopg.sql import Identifier
from psycopg.types.composite import CompositeInfo, register_composite

from plumbing.settings import PlatformSettings

logger = logging.getLogger(__name__)


class _SQLiteMultiTrackingRecorder(SQLiteProcessRecorder):
    def _insert_events(self, c: Any, stored_events: Sequence[Any], **kwargs: Any):
        returning = self._insert_rows(c, stored_events)
        trackings = [kwargs.get("tracking"), *kwargs.get("trackings", ())]
        for tracking in trackings:
            if tracking is not None:
                self._insert_tracking(c, tracking)
        return returning

    def _insert_rows(self, c: Any, stored_events: Sequence[Any]) -> list[int]:
        """All rows in one ``executemany``, instead of the library's statement per
        row (the largest cost of a big save after encoding).

        The notification id is the rowid. SQLite gives a row without one the
        largest rowid in the table plus one, and this transaction holds the write
        lock from its first insert on, so the batch got the consecutive ids that
        end at the last one inserted.
        """
        if not stored_events:
            return []
        c.executemany(
            self.insert_events_statement,
            [
                (
                    s.originator_id.hex
                    if isinstance(s.originator_id, UUID)
                    else s.originator_id,
                    s.originator_version,
                    s.topic,
                    s.state,
                )
                for s in stored_events
            ],
        )
        c.execute("SELECT last_insert_rowid()")
        last = c.fetchone()[0]
        return list(range(last - len(stored_events) + 1, last + 1))


# Bytes of event state per INSERT statement of a large batch.
_INSERT_BYTES = 500_000


class _PostgresEventWriter(PostgresApplicationRecorder):
    """Inserts events in one ordinary transaction instead of a psycopg pipeline.

    The library queues the tracking rows, the table lock and the insert in a
    pipeline and then calls ``Pipeline.sync()``. In psycopg 3.3 that sync flushes
    the connection's output buffer once and then only waits to read; when the
    insert statement is larger than the socket buffers take at that moment (a few
    MB on loopback, a 10,000-record bulk in registratie), the rest of it stays in
    the client. The server then waits in ``ClientRead`` for the rest of the
    statement, holding the EXCLUSIVE lock on the events table, and the client waits
    for an answer: both forever. Outside pipeline mode psycopg sends a statement
    completely before it reads.

    The steps and their order are the library's: tracking rows, the lock that
    makes notification ids follow commit order, NOTIFY, the events (in statements
    of about `_INSERT_BYTES`, to keep the parameters small), one commit.
    """

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if self.datastore.enable_db_functions:
            return super().insert_events(stored_events, **kwargs)
        notification_ids: list[int] = []
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            self._insert_events(curs, stored_events, **kwargs)
            if not stored_events:
                return None
            self._lock_table(curs)
            self._notify_channel(curs)
            for part in _parts(stored_events):
                rows = [
                    self.construct_pg_stored_event(
                        e.originator_id, e.originator_version, e.topic, e.state
                    )
                    for e in part
                ]
                curs.execute(self.insert_events_statement, (rows,))
                notification_ids.extend(r["notification_id"] for r in curs.fetchall())
        return notification_ids


def _parts(events: Sequence[StoredEvent]) -> list[Sequence[StoredEvent]]:
    parts: list[Sequence[StoredEvent]] = []
    begin, size = 0, 0
    for i, stored in enumerate(events):
        size += len(stored.state)
        if size >= _INSERT_BYTES:
            parts.append(events[begin : i + 1])
            begin, size = i + 1, 0
    if begin < len(events):
        parts.append(events[begin:])
    return parts


class _PostgresMultiTrackingRecorder(_PostgresEventWriter, PostgresProcessRecorder):
    def _insert_events(self, curs: Any, stored_events: Sequence[Any], **kwargs: Any):
        for tracking in kwargs.get("trackings", ()):
            self._insert_tracking(curs, tracking=tracking)
        super()._insert_events(curs, stored_events, **kwargs)


class SQLiteStore(SQLiteFactory):
    """SQLite infrastructure whose process recorder takes several tracking rows."""

    process_recorder_class = _SQLiteMultiTrackingRecorder


class _QuotingPostgresDatastore(PostgresDatastore):
    """Looks up the store's composite types with the schema name quoted.

    The library writes ``schema.type`` unquoted there, and the schema is the
    service's name: ``analyse`` is a reserved word in PostgreSQL (its spelling of
    ANALYZE), so analyse could not start on PostgreSQL at all.
    """

    def register_type_adapters(self) -> None:
        names = [n for n in self.db_type_names if n not in self.psycopg_type_adapters]
        if not names:
            return
        with self.get_connection() as conn:
            for name in names:
                info = CompositeInfo.fetch(conn, Identifier(self.schema, name))
                if info is None:
                    continue
                register_composite(info, conn)
                self.psycopg_type_adapters[name] = info
                assert info.python_type is not None, info
                self.psycopg_python_types[name] = info.python_type


class PostgresStore(PostgresFactory):
    """PostgreSQL infrastructure whose recorders insert events without psycopg's
    pipeline, and whose process recorder takes several tracking rows."""

    application_recorder_class = _PostgresEventWriter  # the audit logs use it
    process_recorder_class = _PostgresMultiTrackingRecorder

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        # Same state, one method changed: the library builds the datastore itself.
        self.datastore.__class__ = _QuotingPostgresDatastore


def store_env(service: str, settings: PlatformSettings) -> dict[str, str]:
    """The ``eventsourcing`` environment for one service's own store."""
    env: dict[str, str] = {}
    if settings.verzuim_store == "postgres":
        ensure_postgres_schema(settings, service)
        env.update(
            PERSISTENCE_MODULE=f"{__name__}:PostgresStore",
            POSTGRES_DBNAME=settings.postgres_dbname,
            POSTGRES_HOST=settings.postgres_host,
            POSTGRES_PORT=str(settings.postgres_port),
            POSTGRES_USER=settings.postgres_user,
            POSTGRES_PASSWORD=settings.postgres_password,
            POSTGRES_SCHEMA=service,
            POSTGRES_POOL_SIZE=str(settings.postgres_pool_size),
            POSTGRES_LOCK_TIMEOUT="5",
        )
    else:
        settings.verzuim_data_dir.mkdir(parents=True, exist_ok=True)
        env.update(
            PERSISTENCE_MODULE=f"{__name__}:SQLiteStore",
            SQLITE_DBNAME=str(settings.verzuim_data_dir / f"{service}.sqlite"),
            SQLITE_LOCK_TIMEOUT="30",
        )
    # Personal data at rest: payloads are AES-GCM encrypted (the larger ones
    # compressed first), with the configured key or else the one kept in the data
    # dir; earlier keys stay readable during a key rotation. (Imported here:
    # security imports this module.)
    from plumbing.security.crypto import store_cipher_env

    old_keys = getattr(settings, "verzuim_cipher_old_keys", "")
    env.update(
        store_cipher_env(
            settings.verzuim_data_dir, settings.verzuim_cipher_key, old_keys.split(",")
        )
    )
    master = getattr(settings, "verzuim_sleutelkluis_master_key", None)
    if master is not None:
        # Registratie's mapper opens the key vault from this environment.
        env["SLEUTELKLUIS_MASTER_KEY"] = master.get_secret_value()
    return env


class StoreUnreachable(RuntimeError):
    """The PostgreSQL store cannot be opened; says where and what to do."""


def ensure_postgres_schema(settings: PlatformSettings, schema: str) -> None:
    try:
        conn = psycopg.connect(settings.postgres_dsn(), autocommit=True)
    except psycopg.OperationalError as error:
        # The services create their schemas, not the database: say so in one line
        # instead of a driver traceback (the password is not in the message).
        raise StoreUnreachable(
            f"PostgreSQL database {settings.postgres_dbname!r} at "
            f"{settings.postgres_host}:{settings.postgres_port} cannot be opened "
            f"({str(error).strip().splitlines()[-1]}); create it first, e.g. "
            f"createdb -h {settings.postgres_host} -p {settings.postgres_port} "
            f"{settings.postgres_dbname}"
        ) from None
    with conn:
        conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')


def collect_events(*objs: Any, **kwargs: Any) -> ProcessingEvent[Any]:
    """The pending events of `objs` (aggregates or events), as the library's
    `ProcessingEvent.collect_events` gathers them, with a plain type test.

    The library tests every object against runtime-checkable protocols, which on
    Python 3.11 costs more than writing a small event; a consumer batch saves
    hundreds of aggregates at once.
    """
    processing_event: ProcessingEvent[Any] = ProcessingEvent()
    for obj in objs:
        if isinstance(obj, Aggregate):
            processing_event.events.extend(obj.collect_events())
            processing_event.aggregates[obj.id] = obj
        elif obj is not None:
            processing_event.collect_events(obj)
    processing_event.saved_kwargs.update(kwargs)
    return processing_event


class ServiceApplication(Application):
    """Base application: a process store and batch saves with tracking rows."""

    env: ClassVar[dict[str, str]] = {"AGGREGATE_CACHE_MAXSIZE": "10000"}

    def construct_recorder(self) -> ProcessRecorder:
        return self.factory.process_recorder()

    @property
    def process_recorder(self) -> ProcessRecorder:
        recorder = self.recorder
        assert isinstance(recorder, ProcessRecorder)
        return recorder

    def on_recorded(self, callback: Callable[[], None]) -> None:
        """Call ``callback`` (from the saving thread) after every save that stored
        something: the relay in this process starts publishing at once instead of
        at its next poll."""
        self.__dict__.setdefault("_on_recorded", []).append(callback)

    def _notify(self, recordings: list[Any]) -> None:
        super()._notify(recordings)
        if recordings:
            for callback in self.__dict__.get("_on_recorded", ()):
                callback()

    def save_tracked(self, *objs: Any, trackings: Iterable[Tracking] = ()) -> None:
        """Save aggregates or events and tracking rows in one transaction.

        The tracking table refuses a position that is not higher than the one
        recorded for the same name, so a batch that a second consumer already
        applied fails as a whole (``IntegrityError``) and stores nothing.
        """
        processing_event = collect_events(*objs, trackings=list(trackings))
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)

    def tracked_position(self, name: str) -> int:
        return self.process_recorder.max_tracking_id(name) or 0

    def count_notifications(self, upto: int) -> int:
        """How many notifications have an id up to ``upto`` (ids may have gaps)."""
        count = 0
        start = 1
        while start <= upto:
            batch = self.recorder.select_notifications(
                start=start, limit=10_000, stop=upto
            )
            if not batch:
                break
            count += len(batch)
            start = batch[-1].id + 1
        return count
