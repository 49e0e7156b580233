"""The audit trail: who read or changed which pupil's data, when, and how.

Its own event stream: `AuditLog` is an eventsourcing application whose only
events are `AuditRecord`s, one per pupil per request, stored apart from the
service's domain events (``audit.sqlite`` or the ``audit`` schema). Records hold
internal ids only (caller id, pupil uuid, school id), never a BSN or a name.

Writing: `AuditMiddleware` collects what a request touched (see `access`) and
hands a record to `AuditTrail`, a buffer that a background thread flushes every
second or every N records, so a request never waits for a write.

Reading: a table of the same database mirrors the records for queries by
pupil, school, caller and time. It is a projection that follows the log's
notification sequence from a tracked position, so it can always be rebuilt from
the log, and a crash between writing events and indexing them loses nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar
from uuid import UUID, uuid4

from eventsourcing.application import Application
from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import Notification

from plumbing.security._database import Database
from plumbing.security.callers import Caller
from plumbing.security.settings import SecuritySettings
from plumbing.store import store_env

logger = logging.getLogger(__name__)

READ = "read"
CHANGE = "change"
_CATCH_UP_BATCH = 1000

_INDEX_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS audit_index ("
    " positie BIGINT PRIMARY KEY,"
    " record_id TEXT NOT NULL,"
    " tijdstip TEXT NOT NULL,"
    " caller_id TEXT NOT NULL,"
    " caller_soort TEXT NOT NULL,"
    " rollen TEXT NOT NULL,"
    " actie TEXT NOT NULL,"
    " methode TEXT NOT NULL,"
    " pad TEXT NOT NULL,"
    " leerling_id TEXT,"
    " school_id TEXT,"
    " status INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS audit_index_leerling ON audit_index (leerling_id)",
    "CREATE INDEX IF NOT EXISTS audit_index_tijdstip ON audit_index (tijdstip)",
    "CREATE TABLE IF NOT EXISTS audit_index_positie ("
    " naam TEXT PRIMARY KEY, positie BIGINT NOT NULL)",
)
_INDEX_COLUMNS = (
    "positie, record_id, tijdstip, caller_id, caller_soort, rollen, actie,"
    " methode, pad, leerling_id, school_id, status"
)


class AuditRecord(DomainEvent):
    """One access to one pupil's data by one caller through one endpoint.

    ``originator_id`` is the record's own id; every record is version 1 of its
    own sequence, so appending never reads or locks earlier records.
    """

    caller_id: str
    caller_soort: str
    rollen: list[str]
    actie: str
    methode: str
    pad: str
    leerling_id: UUID | None
    school_id: str | None
    status: int

    @classmethod
    def of(
        cls,
        caller: Caller,
        *,
        methode: str,
        pad: str,
        status: int,
        leerling_id: UUID | None = None,
        school_id: str | None = None,
        tijdstip: datetime | None = None,
    ) -> AuditRecord:
        return cls(
            originator_id=uuid4(),
            originator_version=1,
            timestamp=tijdstip or datetime.now(UTC),
            caller_id=caller.id,
            caller_soort=str(caller.kind),
            rollen=sorted(str(rol) for rol in caller.rollen),
            actie=READ if methode.upper() in ("GET", "HEAD") else CHANGE,
            methode=methode.upper(),
            pad=pad,
            leerling_id=leerling_id,
            school_id=school_id,
            status=status,
        )


@dataclass(frozen=True)
class AuditRegel:
    """A record as the query API returns it, with its position in the log."""

    positie: int
    record_id: UUID
    tijdstip: datetime
    caller_id: str
    caller_soort: str
    rollen: tuple[str, ...]
    actie: str
    methode: str
    pad: str
    leerling_id: UUID | None
    school_id: str | None
    status: int


def _utc_text(moment: datetime) -> str:
    # One fixed format in UTC, so text order is time order in both databases.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


class AuditLog(Application):
    """The audit trail's event store plus its query table."""

    name = "AuditLog"
    env: ClassVar[dict[str, str]] = {}

    def __init__(self, env: dict[str, str], index: Database) -> None:
        super().__init__(env)
        self._index = index
        self._index_lock = threading.Lock()
        with index.transaction() as cursor:
            for statement in _INDEX_SCHEMA:
                cursor.execute(statement)

    @classmethod
    def from_settings(cls, settings: SecuritySettings, name: str = "audit") -> AuditLog:
        """The log in ``<data dir>/<name>.sqlite`` or the PostgreSQL schema ``name``."""
        return cls(store_env(name, settings), Database.for_settings(settings, name))

    def append(self, *records: AuditRecord) -> None:
        """Store records in one transaction, then bring the query table up to date."""
        if records:
            self.save(*records)
            self.catch_up()

    def catch_up(self) -> int:
        """Mirror notifications not yet in the query table; returns how many."""
        count = 0
        with self._index_lock:
            while True:
                row = self._index.fetchone(
                    "SELECT positie FROM audit_index_positie WHERE naam = 'audit'"
                )
                start = (int(row[0]) if row else 0) + 1
                batch = self.recorder.select_notifications(
                    start=start, limit=_CATCH_UP_BATCH
                )
                if batch:
                    self._index_batch(batch)
                    count += len(batch)
                if len(batch) < _CATCH_UP_BATCH:
                    return count

    def _index_batch(self, batch: list[Notification]) -> None:
        rows = []
        for notification in batch:
            event = self.mapper.to_domain_event(notification)
            if not isinstance(event, AuditRecord):
                continue
            rows.append(
                (
                    notification.id,
                    str(event.originator_id),
                    _utc_text(event.timestamp),
                    event.caller_id,
                    event.caller_soort,
                    ",".join(event.rollen),
                    event.actie,
                    event.methode,
                    event.pad,
                    str(event.leerling_id) if event.leerling_id else None,
                    event.school_id,
                    event.status,
                )
            )
        last = batch[-1].id
        with self._index.transaction() as cursor:
            # Another process may index the same notifications; it writes the same rows.
            if rows:
                cursor.executemany(
                    f"INSERT INTO audit_index ({_INDEX_COLUMNS}) VALUES"
                    " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (positie) DO NOTHING",
                    rows,
                )
            cursor.execute(
                "INSERT INTO audit_index_positie (naam, positie) VALUES ('audit', ?)"
                " ON CONFLICT (naam) DO UPDATE SET positie = excluded.positie"
                " WHERE audit_index_positie.positie < excluded.positie",
                (last,),
            )

    def query(
        self,
        *,
        leerling_id: UUID | None = None,
        school_ids: Collection[str] | None = None,
        caller_id: str | None = None,
        vanaf: datetime | None = None,
        tot: datetime | None = None,
        voor_positie: int | None = None,
        limit: int = 100,
    ) -> list[AuditRegel]:
        """Newest first. ``school_ids`` limits to those schools (an empty set finds
        nothing); ``vanaf`` is inclusive, ``tot`` exclusive; ``voor_positie`` pages."""
        self.catch_up()
        conditions: list[str] = []
        params: list[object] = []
        if leerling_id is not None:
            conditions.append("leerling_id = ?")
            params.append(str(leerling_id))
        if school_ids is not None:
            if not school_ids:
                return []
            conditions.append(f"school_id IN ({', '.join('?' * len(school_ids))})")
            params.extend(sorted(school_ids))
        if caller_id is not None:
            conditions.append("caller_id = ?")
            params.append(caller_id)
        if vanaf is not None:
            conditions.append("tijdstip >= ?")
            params.append(_utc_text(vanaf))
        if tot is not None:
            conditions.append("tijdstip < ?")
            params.append(_utc_text(tot))
        if voor_positie is not None:
            conditions.append("positie < ?")
            params.append(voor_positie)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        rows = self._index.fetchall(
            f"SELECT {_INDEX_COLUMNS} FROM audit_index{where}"
            " ORDER BY positie DESC LIMIT ?",
            (*params, limit),
        )
        return [_regel(row) for row in rows]

    def close(self) -> None:
        super().close()
        self._index.close()


def _regel(row: tuple[object, ...]) -> AuditRegel:
    (positie, record_id, tijdstip, caller_id, soort, rollen, actie, methode, pad,
     leerling_id, school_id, status) = row  # fmt: skip
    return AuditRegel(
        positie=int(str(positie)),
        record_id=UUID(str(record_id)),
        tijdstip=datetime.fromisoformat(str(tijdstip)),
        caller_id=str(caller_id),
        caller_soort=str(soort),
        rollen=tuple(part for part in str(rollen).split(",") if part),
        actie=str(actie),
        methode=str(methode),
        pad=str(pad),
        leerling_id=UUID(str(leerling_id)) if leerling_id else None,
        school_id=str(school_id) if school_id is not None else None,
        status=int(str(status)),
    )
