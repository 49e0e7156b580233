"""Which environment variables the code reads, found in the code itself.

The deployment files may set only these, and must set the ones production needs.
Nothing here is a hand-kept list of settings: every pydantic-settings class under
``plumbing/``, ``services/`` and ``standins/`` is imported and its fields turned into
variable names the way pydantic-settings does (``env_prefix``, aliases,
``env_nested_delimiter`` for nested models); the Kafka TLS/SASL variables are
recorded while ``kafka_client_options`` reads them; the DUO stand-in's variables are
recorded while its argument parser is built.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

from pydantic import AliasChoices, BaseModel, SecretStr
from pydantic_settings import BaseSettings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS_PACKAGES = ("plumbing", "services", "standins")

# A module worth importing defines a class whose bases name some ...Settings class.
_DEFINES_SETTINGS = re.compile(r"^class\s+\w+\([^)]*Settings\b", re.MULTILINE)
_SECRET_NAME = re.compile(r"_(KEY|KEYS|PASSWORD|PEPPER|SECRET|SECRETS|TOKEN)$")

#: Production needs these set, whatever their defaults (the defaults run the
#: embedded set-up: SQLite files, a local broker, secrets made on first use).
#: A value other than None is the value production must have.
REQUIRED_EVERYWHERE: dict[str, str | None] = {
    "VERZUIM_STORE": "postgres",
    "POSTGRES_HOST": None,
    "POSTGRES_PORT": None,
    "POSTGRES_DBNAME": None,
    "POSTGRES_USER": None,
    "POSTGRES_PASSWORD": None,
    "KAFKA_BOOTSTRAP_SERVERS": None,
    "KAFKA_REPLICATION_FACTOR": "3",
    "VERZUIM_CIPHER_KEY": None,
    "HOST": "0.0.0.0",
}

#: Only these services hold the PGN key (contracts/pgn.py); only ketenkoppeling
#: talks to DUO.
REQUIRED_BY_SERVICE: dict[str, set[str]] = {
    "registratie": {"VERZUIM_PGN_KEY"},
    "analyse": set(),
    "opvolging": set(),
    "ketenkoppeling": {"VERZUIM_PGN_KEY", "DUO_URL"},
}
PGN_HOLDERS = {"registratie", "ketenkoppeling"}


@dataclass(frozen=True)
class Variable:
    name: str
    source: str
    secret: bool = False
    path: bool = False
    #: A dict field: ``NAME`` + delimiter + any key is read too.
    open_prefix: str | None = None


def _modules_defining_settings() -> Iterator[str]:
    for package in SETTINGS_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if _DEFINES_SETTINGS.search(path.read_text(encoding="utf-8")):
                relative = path.relative_to(ROOT).with_suffix("")
                yield ".".join(relative.parts)


@cache
def settings_classes() -> tuple[type[BaseSettings], ...]:
    found: dict[str, type[BaseSettings]] = {}
    for name in _modules_defining_settings():
        try:
            module = importlib.import_module(name)
        except ImportError as error:
            # The service could not start either: its settings module is broken.
            raise AssertionError(
                f"{name} defines settings but fails: {error}"
            ) from error
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseSettings)
                and value is not BaseSettings
                and value.__module__ == module.__name__
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return tuple(found[key] for key in sorted(found))


def _component_types(annotation: Any) -> list[Any]:
    """The types of a field, Optional and unions unpacked."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _component_types(arg)]
    return [annotation]


def _is_model(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel)


def _field_names(name: str, field: Any, prefix: str) -> list[str]:
    alias = field.validation_alias or field.alias
    if isinstance(alias, str):
        return [alias]
    if isinstance(alias, AliasChoices):
        return [choice for choice in alias.choices if isinstance(choice, str)]
    return [prefix + name]


def _model_variables(
    model: type[BaseModel], prefix: str, delimiter: str | None, source: str
) -> Iterator[Variable]:
    for name, field in model.model_fields.items():
        kinds = _component_types(field.annotation)
        for env_name in _field_names(name, field, prefix):
            upper = env_name.upper()
            is_dict = any(typing.get_origin(kind) is dict for kind in kinds)
            yield Variable(
                name=upper,
                source=f"{source}.{name}",
                secret=SecretStr in kinds,
                path=Path in kinds,
                open_prefix=upper + delimiter if (is_dict and delimiter) else None,
            )
            if delimiter:
                for kind in kinds:
                    if _is_model(kind) and not issubclass(kind, BaseSettings):
                        yield from _model_variables(
                            kind, upper + delimiter, delimiter, f"{source}.{name}"
                        )


def settings_variables(settings_class: type[BaseSettings]) -> list[Variable]:
    config = settings_class.model_config
    source = f"{settings_class.__module__}.{settings_class.__qualname__}"
    return list(
        _model_variables(
            settings_class,
            config.get("env_prefix") or "",
            config.get("env_nested_delimiter"),
            source,
        )
    )


class _RecordingEnviron(Mapping[str, str]):
    """An environment that remembers every name asked for."""

    def __init__(self, values: Mapping[str, str]) -> None:
        self.values = dict(values)
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        return self.values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def kafka_client_variables() -> set[str]:
    from plumbing.topics import kafka_client_options

    # The richest path: SASL over TLS reads every variable the function knows.
    environ = _RecordingEnviron(
        {
            "KAFKA_SECURITY_PROTOCOL": "SASL_SSL",
            "KAFKA_SASL_MECHANISM": "SCRAM-SHA-512",
            "KAFKA_SASL_USERNAME": "verzuimketen",
            "KAFKA_SASL_PASSWORD": "not-a-secret",
        }
    )
    kafka_client_options(None, environ)
    return environ.asked


def _asked_while(build: Callable[[], object]) -> set[str]:
    environ = _RecordingEnviron({})
    with mock.patch.object(os, "environ", environ):
        build()
    return environ.asked


def _plain_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="plain", description="plain")
    parser.add_argument("--number", type=int, default=None, help="plain")
    parser.add_argument("--many", action="append", default=[], metavar="A", help="x")
    return parser


def standin_variables() -> set[str]:
    """What the stand-in's parser reads, less what argparse itself looks at."""
    module = importlib.import_module("standins.duo.__main__")
    return _asked_while(module._parser) - _asked_while(_plain_parser)


@cache
def catalogue() -> dict[str, Variable]:
    """Every variable the code reads, by name."""
    found: dict[str, Variable] = {}
    for settings_class in settings_classes():
        for variable in settings_variables(settings_class):
            found.setdefault(variable.name, variable)
    for name in kafka_client_variables():
        found.setdefault(name, Variable(name, "plumbing.topics.kafka_client_options"))
    for name in standin_variables():
        found.setdefault(name, Variable(name, "standins.duo.__main__"))
    return found


def is_read(name: str) -> bool:
    known = catalogue()
    if name in known:
        return True
    return any(
        variable.open_prefix and name.startswith(variable.open_prefix)
        for variable in known.values()
    )


def is_secret(name: str) -> bool:
    """A value that must come from a secret store: a key, password or pepper."""
    variable = catalogue().get(name)
    if variable is not None and variable.path:
        return False  # a file name (DUO_CLIENT_KEY), not the key itself
    if variable is not None and variable.secret:
        return True
    return bool(_SECRET_NAME.search(name))


def _serves(settings_class: type[BaseSettings], service: str) -> bool:
    """Shared plumbing settings serve every service; a service's own, only it."""
    module = settings_class.__module__
    return module.startswith("plumbing.") or module.startswith(f"services.{service}.")


def secret_settings(service: str) -> set[str]:
    """The SecretStr settings a service reads: production must set them all."""
    from plumbing.settings import PlatformSettings

    return {
        variable.name
        for settings_class in settings_classes()
        if issubclass(settings_class, PlatformSettings)
        and _serves(settings_class, service)
        for variable in settings_variables(settings_class)
        if variable.secret and variable.open_prefix is None
    }


def required_for(service: str) -> set[str]:
    return (
        set(REQUIRED_EVERYWHERE)
        | secret_settings(service)
        | REQUIRED_BY_SERVICE[service]
    )
