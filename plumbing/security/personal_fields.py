"""A mapper that seals a pupil's personal fields with the pupil's own key.

The store cipher (`crypto`) protects a copied database; it cannot erase one pupil,
because every event shares its key. `PersonalFieldMapper` also encrypts the fields
that `PersonalFields` rules name with the pupil's data key from the `Sleutelkluis`,
before the event is transcoded, compressed and encrypted as usual; reading does the
reverse. The domain never sees a token: it gets the clear value back, or
`VERNIETIGD` once the key was destroyed (crypto-shredding).

Only string values are sealed (`None` and numbers pass as they are), and a value
that already is a token is left alone, so a copied event is never sealed twice.

`SealedFieldsApplication` wires this into a service application: the vault beside
its store, the keys of a save made in one write, and `erase` to destroy them. The
service that takes personal data in (registratie) refuses new data for an erased
pupil; a service that receives copies (analyse, opvolging, ketenkoppeling) stores
what still arrives about that pupil as `VERNIETIGD`, so a late message never
blocks its consumer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import (
    Mapper,
    Recording,
    StoredEvent,
    Tracking,
    Transcoder,
)
from eventsourcing.utils import EnvType, get_topic

from plumbing.security.sleutelkluis import (
    VERNIETIGD,
    Sleutelkluis,
    SleutelVernietigd,
    is_versleuteld,
)
from plumbing.store import ServiceApplication

__all__ = [
    "PersonalFieldMapper",
    "PersonalFields",
    "SealedFieldsApplication",
    "aggregate_owner",
]

FieldPath = tuple[str, ...]


@dataclass(frozen=True)
class PersonalFields:
    """Which fields of one event class are personal, and whose they are.

    ``owner`` gets the event's state (its attributes) and answers the pupil whose
    key seals the fields, or None when this event holds none (e.g. a message of
    another kind). ``paths`` lead through nested dicts: ``("gegevens", "pgn")``.
    """

    owner: Callable[[Mapping[str, Any]], UUID | None]
    paths: tuple[FieldPath, ...]


def aggregate_owner(state: Mapping[str, Any]) -> UUID:
    """The event's own aggregate owns the key: for aggregates whose later events
    do not name the pupil (the service erases the ids it derives from the pupil)."""
    return UUID(str(state["originator_id"]))


def _replace(state: Any, path: FieldPath, change: Callable[[Any], Any]) -> Any:
    """A copy of ``state`` with the value at ``path`` changed; copies only the
    dicts on the path, so the event that the domain holds stays as it was."""
    if not isinstance(state, dict) or path[0] not in state:
        return state
    copy = dict(state)
    if len(path) == 1:
        copy[path[0]] = change(state[path[0]])
    else:
        copy[path[0]] = _replace(state[path[0]], path[1:], change)
    return copy


def _values(state: Any, path: FieldPath) -> Iterable[Any]:
    for part in path:
        if not isinstance(state, dict) or part not in state:
            return ()
        state = state[part]
    return (state,)


class PersonalFieldMapper(Mapper[UUID]):
    """`Mapper` plus per-pupil encryption of the fields named by ``rules``.

    A field for an owner whose key was destroyed raises `SleutelVernietigd`, or
    with ``refuse_erased=False`` is stored as `VERNIETIGD`.
    """

    def __init__(
        self,
        transcoder: Transcoder,
        compressor: Any = None,
        cipher: Any = None,
        *,
        vault: Sleutelkluis,
        rules: Mapping[type, PersonalFields],
        refuse_erased: bool = True,
    ) -> None:
        super().__init__(transcoder, compressor=compressor, cipher=cipher)
        self.vault = vault
        self._rules = {get_topic(cls): rule for cls, rule in rules.items()}
        self._refuse_erased = refuse_erased

    def _rule(self, topic: str) -> PersonalFields | None:
        return self._rules.get(topic)

    def owners(self, domain_events: Sequence[Any]) -> set[UUID]:
        """The pupils whose keys sealing these events needs (to make them at once)."""
        found: set[UUID] = set()
        for domain_event in domain_events:
            rule = self._rule(get_topic(type(domain_event)))
            if rule is None:
                continue
            state = vars(domain_event)
            owner = rule.owner(state)
            if owner is not None and any(
                isinstance(value, str) and not is_versleuteld(value)
                for path in rule.paths
                for value in _values(state, path)
            ):
                found.add(owner)
        return found

    def to_stored_event(self, domain_event: Any) -> StoredEvent:
        rule = self._rule(get_topic(type(domain_event)))
        if rule is None:
            return super().to_stored_event(domain_event)
        state: dict[str, Any] = dict(vars(domain_event))
        owner = rule.owner(state)
        if owner is None:
            return super().to_stored_event(domain_event)

        def seal(value: Any) -> Any:
            if not isinstance(value, str) or is_versleuteld(value):
                return value
            try:
                return self.vault.versleutel(owner, value)
            except SleutelVernietigd:
                if self._refuse_erased:
                    raise
                return VERNIETIGD

        for path in rule.paths:
            state = _replace(state, path, seal)
        sealed = object.__new__(type(domain_event))
        object.__setattr__(sealed, "__dict__", state)
        return super().to_stored_event(sealed)

    def to_domain_event(self, stored_event: StoredEvent) -> Any:
        domain_event = super().to_domain_event(stored_event)
        rule = self._rule(stored_event.topic)
        if rule is None:
            return domain_event
        state: dict[str, Any] = vars(domain_event)
        owner = rule.owner(state)
        if owner is None:
            return domain_event

        def unseal(value: Any) -> Any:
            return (
                self.vault.ontsleutel(owner, value) if is_versleuteld(value) else value
            )

        for path in rule.paths:
            state = _replace(state, path, unseal)
        object.__setattr__(domain_event, "__dict__", state)
        return domain_event

    def to_sealed_domain_event(self, stored_event: StoredEvent) -> Any:
        """The event with its personal fields still sealed: for scans that do not
        need them (no key lookups)."""
        return super().to_domain_event(stored_event)


class SealedFieldsApplication(ServiceApplication):
    """A service application that seals its pupils' personal fields (module doc).

    Subclasses name the fields (``personal_fields``) and the vault beside their
    store (``vault_name``: a SQLite file in the store's directory or a PostgreSQL
    schema; each service its own, since services share a data dir when embedded).
    An in-memory store has no vault and seals nothing.
    """

    personal_fields: ClassVar[Mapping[type, PersonalFields]] = {}
    vault_name: ClassVar[str] = "sleutelkluis"
    #: True where personal data comes in; False for services holding copies.
    refuse_erased: ClassVar[bool] = False
    #: True: a save puts what it stored back into the repository's cache
    #: (`keep_in_cache`), for services whose next batch reads the same aggregates.
    cache_saved: ClassVar[bool] = False

    def __init__(
        self, env: EnvType | None = None, *, kluis: Sleutelkluis | None = None
    ) -> None:
        # Read by construct_mapper, which the library calls from its __init__.
        self._gegeven_kluis = kluis
        self.kluis: Sleutelkluis | None = None
        # Aggregates of erased pupils: a copy saved in the same batch may still hold
        # the clear text, so they are never put back into the cache from a save.
        self._not_cached: set[UUID] = set()
        super().__init__(env)

    def save_tracked(self, *objs: Any, trackings: Iterable[Tracking] = ()) -> None:
        super().save_tracked(*objs, trackings=trackings)
        if self.cache_saved:
            self.keep_in_cache(objs)

    def keep_in_cache(self, aggregates: Iterable[Any]) -> None:
        """Put saved aggregates into the repository's cache.

        With fast-forwarding on, the library leaves a saved aggregate out of the
        cache, so the next unit of work would read back, decrypt and apply the
        events it just wrote. What was stored is exactly these objects; another
        writer's later events are still fast-forwarded on the next get. An erased
        pupil's aggregates are left out (`erase`)."""
        cache = self.repository.cache
        if cache is None:
            return
        for aggregate in aggregates:
            if (
                isinstance(aggregate, Aggregate)
                and aggregate.id not in self._not_cached
            ):
                cache.put(aggregate.id, aggregate)

    def construct_mapper(self) -> Mapper[UUID]:
        mapper = super().construct_mapper()
        self.kluis = self._gegeven_kluis or Sleutelkluis.beside_store(
            self.env, self.vault_name
        )
        if self.kluis is None:
            return mapper
        return PersonalFieldMapper(
            mapper.transcoder,
            compressor=mapper.compressor,
            cipher=mapper.cipher,
            vault=self.kluis,
            rules=self.personal_fields,
            refuse_erased=self.refuse_erased,
        )

    def _record(self, processing_event: ProcessingEvent[Any]) -> list[Recording[Any]]:
        if isinstance(self.mapper, PersonalFieldMapper) and self.kluis is not None:
            # One write for the keys of every new owner in the save, not one each.
            owners = self.mapper.owners(processing_event.events)
            if owners:
                self.kluis.maak_sleutels(owners)
        return super()._record(processing_event)

    def read_sealed(self, stored_event: StoredEvent) -> Any:
        """The event with its personal fields still sealed: for projections that
        need none of them (no key lookups, no clear values kept in memory)."""
        if isinstance(self.mapper, PersonalFieldMapper):
            return self.mapper.to_sealed_domain_event(stored_event)
        return self.mapper.to_domain_event(stored_event)

    def erase(self, owners: Iterable[UUID], cached: Iterable[UUID] = ()) -> None:
        """Destroy the keys of ``owners``; idempotent. Fields sealed with them read
        as `VERNIETIGD` from now on, in this process at once.

        ``cached``: aggregates whose copy in the repository's cache still holds
        the clear values; they are dropped, so the next read opens the store.
        """
        cached = list(cached)
        self._not_cached.update(cached)
        cache = self.repository.cache
        if cache is not None:
            for aggregate_id in cached:
                with contextlib.suppress(KeyError):
                    cache.get(aggregate_id, evict=True)
        if self.kluis is None:
            return
        for owner in owners:
            self.kluis.vernietig(owner)

    def close(self) -> None:
        super().close()
        if self.kluis is not None and self._gegeven_kluis is None:
            self.kluis.close()
