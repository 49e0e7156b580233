"""Cheap copies of aggregates whose containers hold only immutable values.

The repository hands out a deep copy of a cached aggregate for every command, so a
failed command never corrupts the cache. A generic deep copy visits every value of,
say, a pupil's slots, once per consumer batch; new containers holding the same
immutable values are as safe and cost a fraction. An aggregate opts in with

    def __deepcopy__(self, memo):
        return with_new_containers(self)

and must then never change a value inside its containers in place.
"""

from __future__ import annotations

from copy import copy
from typing import TypeVar

__all__ = ["with_new_containers"]

T = TypeVar("T")


def with_new_containers(aggregate: T) -> T:
    duplicate = object.__new__(type(aggregate))
    for name, value in vars(aggregate).items():
        if isinstance(value, dict | list | set):
            value = copy(value)
        vars(duplicate)[name] = value
    return duplicate
