"""Generates the AsyncAPI 3 document of every event that crosses a service boundary.

``python -m contracts.asyncapi`` rewrites ``contracts/asyncapi.yaml``; a test fails
when the checked-in document differs from what the models say.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import yaml

import contracts  # noqa: F401 - registers every event type
from contracts.envelope import CloudEvent, registered_types
from contracts.topics import TOPIC_OF_SERVICE, dlq

DOCUMENT = Path(__file__).with_name("asyncapi.yaml")


def _schema_of(model: type) -> dict[str, Any]:
    return model.model_json_schema(  # type: ignore[attr-defined]
        by_alias=True, ref_template="#/components/schemas/{model}"
    )


def build() -> dict[str, Any]:
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}

    envelope = _schema_of(CloudEvent)
    schemas["CloudEvent"] = {k: v for k, v in envelope.items() if k != "$defs"}

    by_service: dict[str, list[str]] = {}
    for event_type, model in sorted(registered_types().items()):
        schema = _schema_of(model)
        for name, definition in schema.pop("$defs", {}).items():
            schemas[name] = definition
        name = model.__name__
        schemas[name] = schema
        messages[name] = {
            "name": event_type,
            "title": name,
            "summary": (model.__doc__ or name).strip().splitlines()[0],
            "contentType": "application/cloudevents+json",
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/CloudEvent"},
                    {
                        "type": "object",
                        "properties": {
                            "type": {"const": event_type},
                            "data": {"$ref": f"#/components/schemas/{name}"},
                        },
                    },
                ]
            },
        }
        by_service.setdefault(model.service, []).append(name)

    for service, topic in TOPIC_OF_SERVICE.items():
        channel = topic.replace(".", "_")
        channels[channel] = {
            "address": topic,
            "description": f"Events published by {service}; key = the pupil's id.",
            "messages": {
                name: {"$ref": f"#/components/messages/{name}"}
                for name in by_service.get(service, [])
            },
        }
        channels[f"{channel}_dlq"] = {
            "address": dlq(topic),
            "description": "Messages a consumer could not apply, with the error "
            "in the headers dlq.error, dlq.origin.topic/partition/offset.",
        }
        operations[f"publish_{service}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel}"},
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Verzuimketen domain events",
            "version": "1.0.0",
            "description": "Events between registratie, analyse, opvolging and "
            "ketenkoppeling, each in a CloudEvents 1.0 envelope.",
        },
        "defaultContentType": "application/cloudevents+json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def render() -> str:
    return yaml.safe_dump(build(), sort_keys=True, allow_unicode=True, width=88)


if __name__ == "__main__":
    DOCUMENT.write_text(render())
    sys.stdout.write(f"wrote {DOCUMENT}\n")
