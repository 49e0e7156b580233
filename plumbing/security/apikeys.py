"""API keys for systems (a SIS pushing registrations, an operator's scripts).

A key looks like ``vk_<key id>_<secret>``. The key id is public (it names the key
in lists, logs and audit records); the secret is shown once, at creation, and only
a hash of it is stored.

Why HMAC-SHA256 with a server pepper and not a slow password hash: the secret is
32 random bytes, so nobody can guess it, however fast the hash; a slow KDF such as
scrypt only protects low-entropy passwords, and would cost tens of milliseconds of
CPU on every request that misses the cache. The pepper (a server secret kept out
of the database) means a copied key table alone does not even allow checking a
guess offline. Changing the pepper invalidates every key.

Run ``python -m plumbing.security.apikeys --help`` for the command line.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import re
import secrets
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from plumbing.security._database import Database
from plumbing.security.callers import Caller, CallerKind, Rol, parse_rollen
from plumbing.security.settings import SecuritySettings

KEY_PREFIX = "vk_"
_KEY_ID = re.compile(r"[0-9a-f]{16}")
_MAX_SECRET_LENGTH = 128
_CACHE_MAX_ENTRIES = 10_000

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS api_keys ("
    " key_id TEXT PRIMARY KEY,"
    " naam TEXT NOT NULL,"
    " bestuur TEXT NOT NULL,"
    " scholen TEXT NOT NULL,"
    " rollen TEXT NOT NULL,"
    " secret_hash TEXT NOT NULL,"
    " aangemaakt TEXT NOT NULL,"
    " ingetrokken TEXT)"
)
_COLUMNS = "key_id, naam, bestuur, scholen, rollen, aangemaakt, ingetrokken"


@dataclass(frozen=True)
class ApiKey:
    """What the store knows about a key; never the secret."""

    key_id: str
    naam: str
    bestuur: str
    scholen: frozenset[str]
    rollen: frozenset[Rol]
    aangemaakt: datetime
    ingetrokken: datetime | None = None

    def caller(self) -> Caller:
        return Caller(
            id=f"apikey:{self.key_id}",
            kind=CallerKind.SYSTEEM,
            bestuur=self.bestuur,
            scholen=self.scholen,
            rollen=self.rollen,
        )


@dataclass(frozen=True)
class _Verified:
    digest: str
    caller: Caller
    until: float


def split_key(presented: str) -> tuple[str, str] | None:
    """The key id and secret of a well-formed key, else None."""
    if not presented.startswith(KEY_PREFIX):
        return None
    key_id, _, secret = presented[len(KEY_PREFIX) :].partition("_")
    if not _KEY_ID.fullmatch(key_id) or not 0 < len(secret) <= _MAX_SECRET_LENGTH:
        return None
    return key_id, secret


class ApiKeyStore:
    """Create, list, revoke and verify API keys.

    Verified keys are remembered for ``cache_seconds``: a bulk import sends
    thousands of requests with one key and should not pay a database lookup for
    each. A revocation is seen at once by this process and within
    ``cache_seconds`` by the others.
    """

    def __init__(
        self,
        database: Database,
        pepper: bytes,
        *,
        cache_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._database = database
        self._pepper = pepper
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._cache: OrderedDict[str, _Verified] = OrderedDict()
        self._lock = threading.Lock()
        database.execute(_SCHEMA)

    @classmethod
    def from_settings(cls, settings: SecuritySettings) -> ApiKeyStore:
        return cls(
            Database.for_settings(settings, "apikeys"),
            settings.verzuim_apikey_pepper.get_secret_value().encode(),
            cache_seconds=settings.verzuim_apikey_cache_seconds,
        )

    def _digest(self, key_id: str, secret: str) -> str:
        message = f"{key_id}.{secret}".encode()
        return hmac.new(self._pepper, message, hashlib.sha256).hexdigest()

    def create(
        self, naam: str, bestuur: str, scholen: Iterable[str], rollen: Iterable[Rol]
    ) -> tuple[ApiKey, str]:
        """Store a new key; returns it with the full key text, shown only now."""
        key = ApiKey(
            key_id=secrets.token_hex(8),
            naam=naam,
            bestuur=bestuur,
            scholen=frozenset(scholen),
            rollen=frozenset(rollen),
            aangemaakt=datetime.now(UTC),
        )
        secret = secrets.token_urlsafe(32)
        self._database.execute(
            "INSERT INTO api_keys (key_id, naam, bestuur, scholen, rollen,"
            " secret_hash, aangemaakt) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                key.key_id,
                key.naam,
                key.bestuur,
                json.dumps(sorted(key.scholen)),
                json.dumps(sorted(key.rollen)),
                self._digest(key.key_id, secret),
                key.aangemaakt.isoformat(),
            ),
        )
        return key, f"{KEY_PREFIX}{key.key_id}_{secret}"

    def list(self) -> list[ApiKey]:
        rows = self._database.fetchall(
            f"SELECT {_COLUMNS} FROM api_keys ORDER BY aangemaakt, key_id"
        )
        return [_from_row(row) for row in rows]

    def revoke(self, key_id: str) -> bool:
        """Revoke a key; False when no active key has this id."""
        changed = self._database.execute(
            "UPDATE api_keys SET ingetrokken = ?"
            " WHERE key_id = ? AND ingetrokken IS NULL",
            (datetime.now(UTC).isoformat(), key_id),
        )
        with self._lock:
            self._cache.pop(key_id, None)
        return changed > 0

    def cached(self, presented: str) -> Caller | None:
        """The caller for a key verified recently; no I/O, safe on the event loop."""
        parts = split_key(presented)
        if parts is None:
            return None
        key_id, secret = parts
        digest = self._digest(key_id, secret)
        with self._lock:
            entry = self._cache.get(key_id)
            if entry is None:
                return None
            if entry.until <= self._clock():
                del self._cache[key_id]
                return None
            self._cache.move_to_end(key_id)
        # Compare in constant time: the cached digest is as secret as the stored one.
        return entry.caller if hmac.compare_digest(entry.digest, digest) else None

    def verify(self, presented: str) -> Caller | None:
        """The caller behind a key, or None for a malformed, unknown or revoked key."""
        caller = self.cached(presented)
        if caller is not None:
            return caller
        parts = split_key(presented)
        if parts is None:
            return None
        key_id, secret = parts
        digest = self._digest(key_id, secret)
        row = self._database.fetchone(
            f"SELECT {_COLUMNS}, secret_hash FROM api_keys WHERE key_id = ?", (key_id,)
        )
        if row is None:
            return None
        key, stored = _from_row(row[:-1]), str(row[-1])
        if not hmac.compare_digest(stored, digest) or key.ingetrokken is not None:
            return None
        caller = key.caller()
        with self._lock:
            self._cache[key_id] = _Verified(
                digest, caller, self._clock() + self._cache_seconds
            )
            while len(self._cache) > _CACHE_MAX_ENTRIES:
                self._cache.popitem(last=False)
        return caller

    def close(self) -> None:
        self._database.close()


def _from_row(row: tuple[object, ...]) -> ApiKey:
    key_id, naam, bestuur, scholen, rollen, aangemaakt, ingetrokken = row
    return ApiKey(
        key_id=str(key_id),
        naam=str(naam),
        bestuur=str(bestuur),
        scholen=frozenset(json.loads(str(scholen))),
        rollen=parse_rollen(json.loads(str(rollen))),
        aangemaakt=datetime.fromisoformat(str(aangemaakt)),
        ingetrokken=datetime.fromisoformat(str(ingetrokken)) if ingetrokken else None,
    )


def _split_list(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def main(argv: list[str] | None = None, store: ApiKeyStore | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m plumbing.security.apikeys", description="Manage API keys."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create a key and print it once")
    create.add_argument("--naam", required=True, help="what the key is for")
    create.add_argument("--bestuur", required=True, help="school board id")
    create.add_argument("--scholen", default="", help="school ids, comma-separated")
    create.add_argument("--rollen", required=True, help="roles, comma-separated")
    commands.add_parser("list", help="list keys (never their secrets)")
    revoke = commands.add_parser("revoke", help="revoke a key")
    revoke.add_argument("key_id")
    args = parser.parse_args(argv)

    try:
        rollen = (
            parse_rollen(_split_list(args.rollen)) if args.command == "create" else None
        )
    except ValueError as error:
        parser.error(str(error))
    if args.command == "create":
        for school in _split_list(args.scholen):
            try:
                UUID(school)
            except ValueError:
                # A BRIN or anything else would bind the key to nothing at all.
                parser.error(
                    f"--scholen takes school ids (UUIDs, as registratie gives them "
                    f"for a BRIN and vestiging), not {school!r}"
                )
    store = store or ApiKeyStore.from_settings(SecuritySettings())

    if args.command == "create":
        assert rollen is not None
        key, text = store.create(
            args.naam, args.bestuur, _split_list(args.scholen), rollen
        )
        print(f"key id: {key.key_id}")
        print(f"API key (shown once, store it now): {text}")
    elif args.command == "list":
        for key in store.list():
            status = (
                f"ingetrokken {key.ingetrokken:%Y-%m-%d}"
                if key.ingetrokken
                else "actief"
            )
            print(
                f"{key.key_id}  {key.naam}  bestuur={key.bestuur}"
                f"  scholen={','.join(sorted(key.scholen))}"
                f"  rollen={','.join(sorted(key.rollen))}  {status}"
            )
    else:
        if not store.revoke(args.key_id):
            print(f"no active key with id {args.key_id}", file=sys.stderr)
            return 1
        print(f"revoked {args.key_id}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
