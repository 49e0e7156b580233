"""Per-pupil data keys for crypto-shredding (re-exported by `crypto`).

Every pupil gets one random AES-256 key, made on first use and kept in its own
table (``leerling_sleutels``), wrapped with the vault's master key when one is
configured. Personal fields are encrypted with it (AES-GCM, the pupil id as
associated data, so a value cannot be moved to another pupil) into a text token
``pv1:<base64>`` that fits in any event field.

`vernietig` deletes the key and leaves a tombstone row: from then on the pupil's
fields read as `VERNIETIGD`, wherever copies of the events are (Kafka, backups),
and new personal data for that pupil is refused. Reading never raises: a
shredded or damaged field comes back as a marker, so a page still renders.
"""

from __future__ import annotations

import base64
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from plumbing.security._database import Database
from plumbing.security.settings import SecuritySettings

logger = logging.getLogger(__name__)

#: What a field of an erased pupil reads as.
VERNIETIGD = "[vernietigd]"
#: What a damaged or foreign ciphertext reads as (logged, never raised).
ONLEESBAAR = "[onleesbaar]"
#: Fields that the services encrypt with the pupil's key before storing an event.
PERSOONLIJKE_VELDEN = frozenset(
    {
        "pgn",
        "bsn",
        "onderwijsnummer",
        "geboortedatum",
        "voornaam",
        "voorletters",
        "roepnaam",
        "tussenvoegsel",
        "achternaam",
        "naam",
        "toelichting",
        "opmerking",
    }
)

_PREFIX = "pv1:"
_WRAPPED, _PLAIN = b"\x01", b"\x00"
_NONCE_BYTES = 12
_CACHE_MAX_ENTRIES = 50_000

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS leerling_sleutels ("
    " leerling_id TEXT PRIMARY KEY,"
    " sleutel {blob},"
    " aangemaakt TEXT NOT NULL,"
    " vernietigd TEXT)"
)


class SleutelVernietigd(Exception):
    """New personal data for a pupil whose key was destroyed: refused."""

    def __init__(self, leerling_id: UUID) -> None:
        self.leerling_id = leerling_id
        super().__init__("the personal data of this pupil was erased")


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def is_versleuteld(value: object) -> bool:
    return isinstance(value, str) and value.startswith(_PREFIX)


class Sleutelkluis:
    """The key vault. Thread-safe; keys are cached for ``cache_seconds``.

    After `vernietig`, this process forgets the key at once; other processes
    holding it in their cache can decrypt for at most ``cache_seconds`` more.
    """

    def __init__(
        self,
        database: Database,
        master_key: bytes | None = None,
        *,
        cache_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._database = database
        self._master = AESGCM(master_key) if master_key else None
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._cache: dict[UUID, tuple[bytes | None, float]] = {}
        self._lock = threading.Lock()
        database.execute(_SCHEMA)

    @classmethod
    def from_settings(
        cls, settings: SecuritySettings, name: str = "sleutelkluis"
    ) -> Sleutelkluis:
        master = settings.verzuim_sleutelkluis_master_key
        return cls(
            Database.for_settings(settings, name),
            base64.b64decode(master.get_secret_value()) if master else None,
        )

    @classmethod
    def beside_store(
        cls, env: Mapping[str, str], name: str = "sleutelkluis"
    ) -> Sleutelkluis | None:
        """The vault next to the event store that ``env`` describes (the same one
        `from_settings` opens for those settings); None for an in-memory store.

        The master key comes from ``SLEUTELKLUIS_MASTER_KEY`` in ``env``, which
        `plumbing.store.store_env` sets from ``VERZUIM_SLEUTELKLUIS_MASTER_KEY``.
        """
        database = Database.beside_store(env, name)
        if database is None:
            return None
        master = env.get("SLEUTELKLUIS_MASTER_KEY")
        return cls(database, base64.b64decode(master) if master else None)

    # -- keys ------------------------------------------------------------------------

    def _wrap(self, leerling_id: UUID, key: bytes) -> bytes:
        if self._master is None:
            return _PLAIN + key
        nonce = os.urandom(_NONCE_BYTES)
        return _WRAPPED + nonce + self._master.encrypt(nonce, key, leerling_id.bytes)

    def _unwrap(self, leerling_id: UUID, stored: bytes) -> bytes:
        if stored[:1] == _PLAIN:
            return stored[1:]
        if self._master is None:
            raise InvalidTag("a wrapped key needs the vault's master key")
        nonce, wrapped = stored[1 : 1 + _NONCE_BYTES], stored[1 + _NONCE_BYTES :]
        return self._master.decrypt(nonce, wrapped, leerling_id.bytes)

    def _key(self, leerling_id: UUID, *, create: bool) -> bytes | None:
        """The pupil's key; None when destroyed, or absent and not to be made."""
        now = self._clock()
        with self._lock:
            cached = self._cache.get(leerling_id)
        if cached is not None and cached[1] > now:
            return cached[0]

        with self._database.transaction(write=create) as cursor:
            if create:
                cursor.execute(
                    "INSERT INTO leerling_sleutels (leerling_id, sleutel, aangemaakt)"
                    " VALUES (?, ?, ?) ON CONFLICT (leerling_id) DO NOTHING",
                    (
                        str(leerling_id),
                        self._wrap(leerling_id, AESGCM.generate_key(256)),
                        datetime.now(UTC).isoformat(),
                    ),
                )
            cursor.execute(
                "SELECT sleutel FROM leerling_sleutels WHERE leerling_id = ?",
                (str(leerling_id),),
            )
            row = cursor.fetchone()
        if row is None:
            return None  # never had a key, and none was asked for: nothing cached
        key = None if row[0] is None else self._unwrap(leerling_id, bytes(row[0]))
        self._remember({leerling_id: key}, now)
        return key

    def _remember(self, keys: Mapping[UUID, bytes | None], now: float) -> None:
        with self._lock:
            if len(self._cache) + len(keys) > _CACHE_MAX_ENTRIES:
                self._cache.clear()
            for leerling_id, key in keys.items():
                self._cache[leerling_id] = (key, now + self._cache_seconds)

    def maak_sleutels(self, leerling_ids: Iterable[UUID]) -> None:
        """Make (or load) the keys of many pupils in one transaction.

        A bulk import calls this first: one write instead of one per new pupil.
        """
        now = self._clock()
        with self._lock:
            wanted = sorted(
                i
                for i in set(leerling_ids)
                if (cached := self._cache.get(i)) is None or cached[1] <= now
            )
        if not wanted:
            return
        moment = datetime.now(UTC).isoformat()
        found: dict[UUID, bytes | None] = {}
        with self._database.transaction() as cursor:
            cursor.executemany(
                "INSERT INTO leerling_sleutels (leerling_id, sleutel, aangemaakt)"
                " VALUES (?, ?, ?) ON CONFLICT (leerling_id) DO NOTHING",
                [
                    (str(i), self._wrap(i, AESGCM.generate_key(256)), moment)
                    for i in wanted
                ],
            )
            for start in range(0, len(wanted), 500):
                chunk = [str(i) for i in wanted[start : start + 500]]
                cursor.execute(
                    "SELECT leerling_id, sleutel FROM leerling_sleutels"
                    f" WHERE leerling_id IN ({', '.join('?' * len(chunk))})",
                    chunk,
                )
                for text_id, stored in cursor.fetchall():
                    leerling_id = UUID(str(text_id))
                    found[leerling_id] = (
                        None
                        if stored is None
                        else self._unwrap(leerling_id, bytes(stored))
                    )
        self._remember(found, self._clock())

    def laad_sleutels(self, leerling_ids: Iterable[UUID]) -> None:
        """Read the existing keys of many pupils at once (a bulk read then opens
        their fields without one query per pupil); makes no key."""
        now = self._clock()
        with self._lock:
            wanted = sorted(
                i
                for i in set(leerling_ids)
                if (cached := self._cache.get(i)) is None or cached[1] <= now
            )
        found: dict[UUID, bytes | None] = {}
        for start in range(0, len(wanted), 500):
            chunk = [str(i) for i in wanted[start : start + 500]]
            rows = self._database.fetchall(
                "SELECT leerling_id, sleutel FROM leerling_sleutels"
                f" WHERE leerling_id IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
            for text_id, stored in rows:
                leerling_id = UUID(str(text_id))
                found[leerling_id] = (
                    None if stored is None else self._unwrap(leerling_id, bytes(stored))
                )
        self._remember(found, now)

    def vernietig(self, leerling_id: UUID) -> bool:
        """Destroy the pupil's key; True when a key existed until now.

        Idempotent. Leaves a tombstone, so the pupil gets no new key later.
        """
        moment = datetime.now(UTC).isoformat()
        with self._database.transaction() as cursor:
            cursor.execute(
                "UPDATE leerling_sleutels SET sleutel = NULL, vernietigd = ?"
                " WHERE leerling_id = ? AND sleutel IS NOT NULL",
                (moment, str(leerling_id)),
            )
            destroyed = cursor.rowcount > 0
            # A pupil without a key yet still gets a tombstone.
            cursor.execute(
                "INSERT INTO leerling_sleutels (leerling_id, sleutel, aangemaakt,"
                " vernietigd) VALUES (?, NULL, ?, ?)"
                " ON CONFLICT (leerling_id) DO NOTHING",
                (str(leerling_id), moment, moment),
            )
        with self._lock:
            self._cache[leerling_id] = (None, self._clock() + self._cache_seconds)
        logger.info(
            "pupil key destroyed",
            extra={"event": "sleutel_vernietigd", "leerling": str(leerling_id)},
        )
        return destroyed

    def is_vernietigd(self, leerling_id: UUID) -> bool:
        row = self._database.fetchone(
            "SELECT vernietigd FROM leerling_sleutels WHERE leerling_id = ?",
            (str(leerling_id),),
        )
        return row is not None and row[0] is not None

    # -- fields ----------------------------------------------------------------------

    def versleutel(self, leerling_id: UUID, waarde: str | None) -> str | None:
        """The encrypted token for one value; None stays None."""
        if waarde is None:
            return None
        key = self._key(leerling_id, create=True)
        if key is None:
            raise SleutelVernietigd(leerling_id)
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(key).encrypt(nonce, waarde.encode(), leerling_id.bytes)
        return _PREFIX + _b64(nonce + sealed)

    def ontsleutel(self, leerling_id: UUID, token: str | None) -> str | None:
        """The value; `VERNIETIGD` after erasure, `ONLEESBAAR` when damaged."""
        if token is None:
            return None
        if not is_versleuteld(token):
            logger.warning("field is not encrypted", extra={"event": "veld_onleesbaar"})
            return ONLEESBAAR
        try:
            key = self._key(leerling_id, create=False)
            if key is None:
                return VERNIETIGD
            data = _unb64(token[len(_PREFIX) :])
            nonce, sealed = data[:_NONCE_BYTES], data[_NONCE_BYTES:]
            return AESGCM(key).decrypt(nonce, sealed, leerling_id.bytes).decode()
        except (InvalidTag, ValueError):
            logger.warning(
                "field cannot be decrypted",
                extra={"event": "veld_onleesbaar", "leerling": str(leerling_id)},
            )
            return ONLEESBAAR

    def versleutel_velden(
        self,
        leerling_id: UUID,
        velden: Mapping[str, Any],
        persoonlijk: frozenset[str] = PERSOONLIJKE_VELDEN,
    ) -> dict[str, Any]:
        """A copy of ``velden`` with the personal string fields encrypted."""
        return {
            naam: self.versleutel(leerling_id, waarde)
            if naam in persoonlijk and isinstance(waarde, str)
            else waarde
            for naam, waarde in velden.items()
        }

    def ontsleutel_velden(
        self, leerling_id: UUID, velden: Mapping[str, Any]
    ) -> dict[str, Any]:
        """A copy of ``velden`` with every encrypted token decrypted."""
        return {
            naam: self.ontsleutel(leerling_id, waarde)
            if is_versleuteld(waarde)
            else waarde
            for naam, waarde in velden.items()
        }

    def close(self) -> None:
        self._database.close()
