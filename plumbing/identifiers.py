"""Name-based aggregate ids, remembered.

Services derive an aggregate's id from the keys it is found by (a pupil, a school),
so every message about a pupil computes the same `uuid5` again: a SHA-1 and a new
UUID each time, for a few thousand pupils over and over. The id of a name never
changes, so the last ones made are kept.
"""

from __future__ import annotations

from functools import lru_cache
from uuid import UUID, uuid5

__all__ = ["name_based_id"]


@lru_cache(maxsize=32_768)
def name_based_id(namespace: UUID, name: str) -> UUID:
    """`uuid5(namespace, name)`; UUIDs are immutable, so one object serves all."""
    return uuid5(namespace, name)
