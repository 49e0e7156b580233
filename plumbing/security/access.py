"""What one request touched: the caller, the pupils and the school.

The audit middleware opens an `AccessScope` per request; the authentication
dependency, `ensure_school` and endpoints fill it in; the middleware writes the
audit record when the response is sent. The scope is a mutable object held in a
context variable, so code running in FastAPI's worker threads (which see a copy
of the context) still writes into the same object.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from uuid import UUID

from plumbing.security.callers import Caller


@dataclass
class AccessScope:
    caller: Caller | None = None
    leerlingen: set[UUID] = field(default_factory=set)
    school_id: str | None = None


_current: ContextVar[AccessScope | None] = ContextVar("access_scope", default=None)


@contextmanager
def access_scope() -> Iterator[AccessScope]:
    scope = AccessScope()
    token = _current.set(scope)
    try:
        yield scope
    finally:
        _current.reset(token)


def current_scope() -> AccessScope | None:
    return _current.get()


def note_caller(caller: Caller) -> None:
    scope = _current.get()
    if scope is not None:
        scope.caller = caller


def note_leerlingen(*leerling_ids: UUID | str) -> None:
    """Tell the audit trail which pupils' data this request read or changed.

    Endpoints call this for pupils that are not in the path (a list, a batch
    import); a ``leerlingId`` path parameter is picked up without it.
    """
    scope = _current.get()
    if scope is not None:
        scope.leerlingen.update(_as_uuid(value) for value in leerling_ids)


def note_school(school_id: str) -> None:
    scope = _current.get()
    if scope is not None:
        scope.school_id = school_id


def _as_uuid(value: UUID | str) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
