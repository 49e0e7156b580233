"""Leader election: exactly one relay per service publishes at a time.

On PostgreSQL the leader holds a session-level advisory lock on a connection of
its own; when its process dies the connection closes and the lock is free, so a
second replica takes over at its next attempt (within ``retry_seconds``). On the
SQLite default, all replicas share one machine, and an exclusive ``flock`` on a
file beside the database does the same job.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
from pathlib import Path
from typing import Protocol

import psycopg

logger = logging.getLogger(__name__)


class LeaderLock(Protocol):
    async def acquire(self) -> None: ...

    async def still_leader(self) -> bool: ...

    async def release(self) -> None: ...


def _lock_key(name: str) -> int:
    # Advisory locks take a signed 64-bit key; derive a stable one from the name.
    digest = hashlib.sha256(name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PostgresLeaderLock:
    def __init__(self, dsn: str, name: str, *, retry_seconds: float = 1.0) -> None:
        self._dsn = dsn
        self._name = name
        self._key = _lock_key(name)
        self._retry = retry_seconds
        self._conn: psycopg.AsyncConnection | None = None

    async def acquire(self) -> None:
        while True:
            try:
                if self._conn is None or self._conn.closed:
                    self._conn = await psycopg.AsyncConnection.connect(
                        self._dsn, autocommit=True
                    )
                cursor = await self._conn.execute(
                    "SELECT pg_try_advisory_lock(%s)", (self._key,)
                )
                row = await cursor.fetchone()
                if row and row[0]:
                    logger.info("leader elected", extra={"lock": self._name})
                    return
            except psycopg.Error:
                logger.warning("leader lock attempt failed", exc_info=True)
                await self._close()
            await asyncio.sleep(self._retry)

    async def still_leader(self) -> bool:
        if self._conn is None or self._conn.closed:
            return False
        try:
            await self._conn.execute("SELECT 1")
        except psycopg.Error:
            await self._close()
            return False
        return True

    async def release(self) -> None:
        if self._conn is not None and not self._conn.closed:
            with contextlib.suppress(psycopg.Error):
                await self._conn.execute("SELECT pg_advisory_unlock(%s)", (self._key,))
        await self._close()

    async def _close(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(psycopg.Error):
                await self._conn.close()
        self._conn = None


class FileLeaderLock:
    def __init__(self, path: Path, *, retry_seconds: float = 1.0) -> None:
        self._path = path
        self._retry = retry_seconds
        self._file = None

    async def acquire(self) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            handle = open(self._path, "a")  # noqa: SIM115 - held while leader
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                await asyncio.sleep(self._retry)
                continue
            self._file = handle
            return

    async def still_leader(self) -> bool:
        return self._file is not None

    async def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
