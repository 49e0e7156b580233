"""A mapper that seals a pupil's personal fields with the pupil's own key.

The store cipher (`crypto`) protects a copied database; it cannot erase one pupil,
because every event shares its key. `PersonalFieldMapper` also encrypts the fields
that `PersonalFields` rules name with the pupil's data key from the `Sleutelkluis`,
before the event is transcoded, compressed and encrypted as usual; reading does the
reverse. The domain never sees a token: it gets the clear value back, or
`VERNIETIGD` once the key was destroyed (crypto-shredding).

Only string values are sealed (`None` and numbers pass as they are), and a value
that already is a token is left alone, so a copied event is never sealed twice.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper, StoredEvent, Transcoder
from eventsourcing.utils import get_topic

from plumbing.security.sleutelkluis import Sleutelkluis, is_versleuteld

__all__ = ["PersonalFieldMapper", "PersonalFields"]

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
    """`Mapper` plus per-pupil encryption of the fields named by ``rules``."""

    def __init__(
        self,
        transcoder: Transcoder,
        compressor: Any = None,
        cipher: Any = None,
        *,
        vault: Sleutelkluis,
        rules: Mapping[type, PersonalFields],
    ) -> None:
        super().__init__(transcoder, compressor=compressor, cipher=cipher)
        self.vault = vault
        self._rules = {get_topic(cls): rule for cls, rule in rules.items()}

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
            if isinstance(value, str) and not is_versleuteld(value):
                return self.vault.versleutel(owner, value)
            return value

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
