"""The CloudEvents 1.0 envelope around every event that crosses a service boundary.

Structured JSON mode: one Kafka message value is one envelope. Two extension
attributes carry what consumers need for exactly-once effects:

- ``sequence``: the event's position in the publishing service's notification log.
  Per key it only grows, so a consumer remembers the highest one it applied per
  (source, key) and skips anything at or below it (redelivery, republish).
- ``partitionkey``: the pupil's internal id (or the school's, for school events),
  also used as the Kafka message key so one pupil's events stay in order.
"""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model
from pydantic.alias_generators import to_camel

TYPE_PREFIX = "nl.verzuimketen"


class ContractError(ValueError):
    """A message that is not a valid envelope or event of a known type."""


class ContractModel(BaseModel):
    """Base of contract payloads: camelCase on the wire, snake_case in Python."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="forbid"
    )


class ContractEvent(ContractModel):
    """Base of every published event. Subclasses set ``service`` and ``version``."""

    service: ClassVar[str]
    version: ClassVar[int] = 1

    @classmethod
    def event_type(cls) -> str:
        return f"{TYPE_PREFIX}.{cls.service}.{cls.__name__}.v{cls.version}"

    def partition_key(self) -> str:
        key = getattr(self, "leerling_id", None) or getattr(self, "school_id", None)
        if key is None:
            raise ContractError(f"{type(self).__name__} has no partition key")
        return str(key)


class CloudEvent(BaseModel):
    model_config = ConfigDict(extra="allow")

    specversion: Literal["1.0"] = "1.0"
    id: str = Field(min_length=1)
    source: str = Field(min_length=1)
    type: str = Field(min_length=1)
    time: datetime
    subject: str | None = None
    datacontenttype: Literal["application/json"] = "application/json"
    sequence: str = Field(pattern=r"^[0-9]+$")
    partitionkey: str = Field(min_length=1)
    data: dict[str, Any]


#: The Kafka header with the envelope's `type`, beside the structured message (as in
#: the CloudEvents Kafka binding's `ce_` headers), for consumers that filter by type.
TYPE_HEADER = "ce_type"

_REGISTRY: dict[str, type[ContractEvent]] = {}


def register(*event_classes: type[ContractEvent]) -> None:
    for cls in event_classes:
        _REGISTRY[cls.event_type()] = cls


def registered_types() -> dict[str, type[ContractEvent]]:
    return dict(_REGISTRY)


def source_of(service: str) -> str:
    return f"/verzuimketen/{service}"


def wrap(
    event: ContractEvent, *, event_id: str, sequence: int, time: datetime
) -> CloudEvent:
    key = event.partition_key()
    return CloudEvent(
        id=event_id,
        source=source_of(event.service),
        type=event.event_type(),
        time=time,
        subject=key,
        sequence=str(sequence),
        partitionkey=key,
        data=event.model_dump(mode="json", by_alias=True, exclude_none=True),
    )


def encode(envelope: CloudEvent) -> bytes:
    return envelope.model_dump_json(exclude_none=True).encode()


def decode(
    raw: bytes | None, type_hint: str | None = None
) -> tuple[CloudEvent, ContractEvent]:
    """Parse and validate one message value; :class:`ContractError` if it is bad.

    ``type_hint`` is the type the message says it carries outside the value (the
    ``ce_type`` header): with it, envelope and event are validated in one pass
    from the JSON, which is several times cheaper than building the envelope's
    ``data`` as a dict and validating that again. The hint is only a shortcut: the
    envelope's own ``type`` must agree, and anything the shortcut refuses is
    parsed again the long way, for the error message (or in case the hint lied).
    The returned envelope's ``data`` is then the event itself.
    """
    if raw is None:
        raise ContractError("message has no value")
    if type_hint is not None:
        event_class = _REGISTRY.get(type_hint)
        if event_class is not None:
            try:
                typed = _typed_envelope(event_class).model_validate_json(raw)
            except (ValueError, ValidationError):
                pass
            else:
                if typed.type == type_hint:
                    event = typed.data
                    if event.partition_key() != typed.partitionkey:
                        raise ContractError(
                            "partitionkey does not match the event's key"
                        )
                    return typed, event
    try:
        # pydantic parses the JSON itself: no Python dict of the whole message first.
        envelope = CloudEvent.model_validate_json(raw)
    except (ValueError, ValidationError) as error:
        raise ContractError(f"not a CloudEvents envelope: {error}") from None
    event_class = _REGISTRY.get(envelope.type)
    if event_class is None:
        raise ContractError(f"unknown event type {envelope.type!r}")
    try:
        event = event_class.model_validate(envelope.data)
    except ValidationError as error:
        raise ContractError(f"invalid {envelope.type}: {error}") from None
    if event.partition_key() != envelope.partitionkey:
        raise ContractError("partitionkey does not match the event's key")
    return envelope, event


@functools.cache
def _typed_envelope(event_class: type[ContractEvent]) -> type[Any]:
    """The envelope whose ``data`` is validated as ``event_class``, made once."""
    return create_model(
        f"{event_class.__name__}Envelope", __base__=CloudEvent, data=(event_class, ...)
    )
