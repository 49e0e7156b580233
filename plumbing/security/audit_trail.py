"""Getting audit records written without making requests wait.

`AuditMiddleware` opens an access scope per request and, when the response has
been sent, turns what the request touched into `AuditRecord`s for the
`AuditTrail`. The trail buffers them and a background thread appends them to
the `AuditLog` in batches: every ``flush_seconds`` or as soon as ``batch_size``
records wait.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plumbing.security.access import AccessScope, access_scope
from plumbing.security.audit import AuditLog, AuditRecord
from plumbing.security.settings import SecuritySettings

logger = logging.getLogger(__name__)

#: The path parameter that names a pupil, by the API rules' lowerCamelCase.
LEERLING_PARAMETER = "leerlingId"
SCHOOL_PARAMETER = "schoolId"


class AuditTrail:
    """A buffer in front of the `AuditLog`, flushed by its own thread.

    When the store is down, records wait in memory (up to ``max_pending``, then
    the oldest are dropped and the loss is logged as a count) and are written
    at the next successful flush. `close` writes what is left.
    """

    def __init__(
        self,
        log: AuditLog,
        *,
        flush_seconds: float = 1.0,
        batch_size: int = 500,
        max_pending: int = 100_000,
    ) -> None:
        self.log = log
        self.flush_seconds = flush_seconds
        self.batch_size = batch_size
        self._pending: deque[AuditRecord] = deque(maxlen=max_pending)
        self._dropped = 0
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = False
        self._thread = threading.Thread(
            target=self._run, name="audit-trail", daemon=True
        )
        self._thread.start()

    @classmethod
    def from_settings(cls, settings: SecuritySettings, log: AuditLog) -> AuditTrail:
        return cls(
            log,
            flush_seconds=settings.verzuim_audit_flush_seconds,
            batch_size=settings.verzuim_audit_batch_size,
        )

    def add(self, *records: AuditRecord) -> None:
        """Queue records; never blocks on I/O."""
        with self._lock:
            for record in records:
                if len(self._pending) == self._pending.maxlen:
                    self._dropped += 1
                self._pending.append(record)
            full = len(self._pending) >= self.batch_size
        if full:
            self._wake.set()

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> int:
        """Write everything queued now; returns how many records were written."""
        written = 0
        with self._flush_lock:
            while True:
                with self._lock:
                    batch = [
                        self._pending.popleft()
                        for _ in range(min(self.batch_size, len(self._pending)))
                    ]
                    dropped, self._dropped = self._dropped, 0
                if dropped:
                    logger.error(
                        "audit records dropped",
                        extra={"event": "audit_dropped", "count": dropped},
                    )
                if not batch:
                    return written
                try:
                    self.log.append(*batch)
                except Exception:
                    logger.exception(
                        "audit write failed",
                        extra={"event": "audit_write_failed", "count": len(batch)},
                    )
                    with self._lock:
                        self._pending.extendleft(reversed(batch))
                    return written
                written += len(batch)

    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait(self.flush_seconds)
            self._wake.clear()
            self.flush()

    def close(self) -> None:
        self._stopping = True
        self._wake.set()
        self._thread.join(timeout=10)
        self.flush()


def _uuid(value: object) -> UUID | None:
    try:
        return value if isinstance(value, UUID) else UUID(str(value))
    except ValueError:
        return None


class AuditMiddleware:
    """Writes one audit record per pupil touched by an authenticated request.

    The pupil comes from a ``leerlingId`` path parameter or from
    `access.note_leerlingen`; the school from a ``schoolId`` path parameter or
    `dependencies.ensure_school`. Refused requests (403, 404) are recorded too:
    an attempt is worth knowing about. Requests without a caller or a pupil
    leave no record.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        trail: AuditTrail,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.app = app
        self.trail = trail
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        status = 500

        async def capture_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        with access_scope() as access:
            try:
                await self.app(scope, receive, capture_status)
            finally:
                self._record(scope, access, status)

    def _record(self, scope: Scope, access: AccessScope, status: int) -> None:
        if access.caller is None:
            return
        path_params = scope.get("path_params", {})
        leerlingen = set(access.leerlingen)
        if LEERLING_PARAMETER in path_params:
            leerling = _uuid(path_params[LEERLING_PARAMETER])
            if leerling is not None:
                leerlingen.add(leerling)
        if not leerlingen:
            return
        route = scope.get("route")
        pad = getattr(route, "path", None) or "<unmatched>"
        school_id = access.school_id or path_params.get(SCHOOL_PARAMETER)
        moment = self.clock()
        self.trail.add(
            *(
                AuditRecord.of(
                    access.caller,
                    methode=scope["method"],
                    pad=pad,
                    status=status,
                    leerling_id=leerling,
                    school_id=str(school_id) if school_id is not None else None,
                    tijdstip=moment,
                )
                for leerling in sorted(leerlingen)
            )
        )
