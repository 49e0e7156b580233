"""A very small SQL layer for the security tables (keys, vault, audit index).

These tables are plain rows, not events, so they use sqlite3 or psycopg directly.
SQL is written once with ``?`` placeholders and ``{blob}`` for the binary column
type; the PostgreSQL variant rewrites both. SQLite opens a connection per unit of
work (cheap, and safe across threads); PostgreSQL uses a small connection pool
whose connections search the given schema first.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import psycopg
from psycopg_pool import ConnectionPool

from plumbing.security.settings import SecuritySettings
from plumbing.store import ensure_postgres_schema


class _Cursor(Protocol):
    rowcount: int

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any: ...
    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...
    def fetchall(self) -> list[tuple[Any, ...]]: ...
    def fetchone(self) -> tuple[Any, ...] | None: ...


class Database:
    """One SQLite file or one PostgreSQL schema."""

    def __init__(
        self,
        *,
        sqlite_path: Path | None = None,
        postgres_dsn: str | None = None,
        schema: str = "public",
    ) -> None:
        if (sqlite_path is None) == (postgres_dsn is None):
            raise ValueError("give exactly one of sqlite_path and postgres_dsn")
        self.sqlite_path = sqlite_path
        self._pool: ConnectionPool | None = None
        if postgres_dsn is not None:
            self._pool = ConnectionPool(
                postgres_dsn,
                min_size=1,
                max_size=4,
                kwargs={"options": f"-c search_path={schema}"},
                open=True,
            )
        else:
            assert sqlite_path is not None
            sqlite_path.parent.mkdir(parents=True, exist_ok=True)
            # Keys and key hashes: readable by this user only (SQLite gives its
            # -wal and -shm files the same mode).
            with contextlib.suppress(FileExistsError):
                os.close(os.open(sqlite_path, os.O_CREAT | os.O_EXCL, 0o600))
            conn = self._sqlite()
            try:
                conn.execute("PRAGMA journal_mode=WAL")
            finally:
                conn.close()

    @classmethod
    def for_settings(
        cls, settings: SecuritySettings, name: str, sqlite_path: Path | None = None
    ) -> Database:
        """The database called ``name``: a file under the data dir or a schema."""
        if settings.verzuim_store == "postgres":
            ensure_postgres_schema(settings, name)
            return cls(postgres_dsn=settings.postgres_dsn(), schema=name)
        path = sqlite_path or settings.verzuim_data_dir / f"{name}.sqlite"
        return cls(sqlite_path=path)

    @classmethod
    def beside_store(cls, env: Mapping[str, str], name: str) -> Database | None:
        """The database called ``name`` next to the event store that ``env``
        (`plumbing.store.store_env`) describes; None for an in-memory store."""
        module = env.get("PERSISTENCE_MODULE", "")
        sqlite_name = env.get("SQLITE_DBNAME")
        if sqlite_name and "sqlite" in module.lower():
            store = Path(sqlite_name)
            if ":memory:" in str(store) or str(store).startswith("file:"):
                return None
            return cls(sqlite_path=store.parent / f"{name}.sqlite")
        if env.get("POSTGRES_DBNAME") and "postgres" in module.lower():
            dsn = " ".join(
                f"{part}={env.get(variable)}"
                for part, variable in (
                    ("host", "POSTGRES_HOST"),
                    ("port", "POSTGRES_PORT"),
                    ("dbname", "POSTGRES_DBNAME"),
                    ("user", "POSTGRES_USER"),
                    ("password", "POSTGRES_PASSWORD"),
                )
                if env.get(variable)
            )
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{name}"')
            return cls(postgres_dsn=dsn, schema=name)
        return None

    @property
    def is_postgres(self) -> bool:
        return self._pool is not None

    def sql(self, statement: str) -> str:
        if self.is_postgres:
            return statement.replace("?", "%s").replace("{blob}", "BYTEA")
        return statement.replace("{blob}", "BLOB")

    def _sqlite(self) -> sqlite3.Connection:
        assert self.sqlite_path is not None
        return sqlite3.connect(self.sqlite_path, timeout=30, isolation_level=None)

    @contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[_Cursor]:
        """A cursor inside one transaction; committed on success.

        SQLite write transactions take the write lock at the start, so two
        writers wait for each other instead of failing halfway.
        """
        if self._pool is not None:
            with (
                self._pool.connection() as pg_conn,
                pg_conn.transaction(),
                pg_conn.cursor() as pg_cursor,
            ):
                yield _Translating(pg_cursor, self)
            return
        conn = self._sqlite()
        try:
            conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            cursor = conn.cursor()
            try:
                yield _Translating(cursor, self)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        finally:
            conn.close()

    def execute(self, statement: str, params: Sequence[Any] = ()) -> int:
        with self.transaction() as cursor:
            cursor.execute(statement, params)
            return cursor.rowcount

    def fetchall(
        self, statement: str, params: Sequence[Any] = ()
    ) -> list[tuple[Any, ...]]:
        with self.transaction(write=False) as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall()

    def fetchone(
        self, statement: str, params: Sequence[Any] = ()
    ) -> tuple[Any, ...] | None:
        with self.transaction(write=False) as cursor:
            cursor.execute(statement, params)
            return cursor.fetchone()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()


class _Translating:
    """Wraps a driver cursor so callers always write ``?`` placeholders."""

    def __init__(self, cursor: Any, database: Database) -> None:
        self._cursor = cursor
        self._database = database

    @property
    def rowcount(self) -> int:
        return int(self._cursor.rowcount)

    def execute(self, statement: str, params: Sequence[Any] = ()) -> Any:
        return self._cursor.execute(self._database.sql(statement), tuple(params))

    def executemany(self, statement: str, rows: Sequence[Sequence[Any]]) -> None:
        self._cursor.executemany(
            self._database.sql(statement), [tuple(r) for r in rows]
        )

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self._cursor.fetchall())

    def fetchone(self) -> tuple[Any, ...] | None:
        row = self._cursor.fetchone()
        return None if row is None else tuple(row)
