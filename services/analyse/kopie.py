"""Cheap copies of aggregates whose containers hold only immutable values.

The repository hands out a deep copy of a cached aggregate for every command, so a
failed command never corrupts the cache. A generic deep copy visits every slot of a
pupil, twice per batch; new containers with the same immutable values are as safe.
"""

from __future__ import annotations

from copy import copy
from typing import TypeVar

T = TypeVar("T")


def met_nieuwe_containers(aggregaat: T) -> T:
    kopie = object.__new__(type(aggregaat))
    for naam, waarde in vars(aggregaat).items():
        if isinstance(waarde, dict | list | set):
            waarde = copy(waarde)
        vars(kopie)[naam] = waarde
    return kopie
