"""Pausing Python's cyclic garbage collector while one large unit of work runs.

A bulk of 10,000 records creates about a million small objects that all live until
the save; the collector counts them as survivors and runs a full collection over the
whole heap several times per bulk (on Python 3.11, a quarter of the time of a bulk).
Reference counting still frees everything that is not a cycle, so pausing the
collector only defers cycles until the work is done, and the next collection finds
them as usual.

The collector is one switch for the whole process: `paused_gc` counts the holders,
so work running in several threads at once only turns it back on when the last one
finishes (and never turns it on when it was off before the first started).
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]

_lock = threading.Lock()
_holders = 0
_was_enabled = False


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run the body with the cyclic collector off (see the module doc)."""
    global _holders, _was_enabled
    with _lock:
        if _holders == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _was_enabled:
                gc.enable()
