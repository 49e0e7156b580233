"""Deterministic aggregate ids: uuid5 of natural keys, so idempotency needs no lookup.

Computed often in a bulk import (every record, every pupil-day), hence the cache.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from hashlib import sha1
from uuid import NAMESPACE_URL, UUID

__all__ = ["afwezigheid_id", "natuurlijk_id", "verzuimdag_id"]

_PREFIX = NAMESPACE_URL.bytes


@lru_cache(maxsize=200_000)
def natuurlijk_id(sleutel: str) -> UUID:
    """uuid5(NAMESPACE_URL, "verzuimketen:" + sleutel), as `uuid.uuid5` computes it."""
    digest = sha1(
        _PREFIX + f"verzuimketen:{sleutel}".encode(), usedforsecurity=False
    ).digest()
    return UUID(bytes=digest[:16], version=5)


def afwezigheid_id(school_id: UUID, bron: str, bron_id: str) -> UUID:
    return natuurlijk_id(f"afwezigheid:{school_id.hex}:{bron}:{bron_id}")


def verzuimdag_id(leerling_id: UUID, datum: date) -> UUID:
    return natuurlijk_id(f"verzuimdag:{leerling_id.hex}:{datum.isoformat()}")
