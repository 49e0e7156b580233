"""What a container's environment must satisfy, the same for compose and Kubernetes."""

from __future__ import annotations

import inspect
import os
from collections.abc import Mapping
from dataclasses import dataclass
from unittest import mock

from pydantic import ValidationError
from pydantic_settings import BaseSettings

from plumbing.settings import DEFAULT_PARTITIONS, PlatformSettings
from tests.deploy.variables import (
    PGN_HOLDERS,
    REQUIRED_EVERYWHERE,
    is_read,
    is_secret,
    required_for,
    settings_classes,
)

#: Variables of the interpreter and the image, not of the project.
_RUNTIME_NAMES = ("PATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE")


@dataclass(frozen=True)
class Setting:
    value: str
    #: Where the value comes from: "image", "literal", "configmap", "secret",
    #: "env_file".
    origin: str
    #: The ConfigMap, Secret or env file, when there is one.
    holder: str = ""


Environment = Mapping[str, Setting]

SECRET_ORIGINS = {"secret", "env_file"}


def unknown_names(environment: Environment) -> list[str]:
    """Set but read by no code: a typo, or a setting that was renamed or dropped."""
    return sorted(
        name for name in environment if name not in _RUNTIME_NAMES and not is_read(name)
    )


def missing_for_production(service: str, environment: Environment) -> list[str]:
    return sorted(
        name
        for name in required_for(service)
        if not environment.get(name, Setting("", "")).value
    )


def wrong_values(environment: Environment) -> list[str]:
    problems = [
        f"{name}={environment[name].value!r}, production needs {wanted!r}"
        for name, wanted in REQUIRED_EVERYWHERE.items()
        if wanted is not None and name in environment
        if environment[name].value != wanted
    ]
    partitions = environment.get("KAFKA_PARTITIONS")
    if partitions is not None and partitions.value != str(DEFAULT_PARTITIONS):
        problems.append(
            f"KAFKA_PARTITIONS={partitions.value}, the topics have {DEFAULT_PARTITIONS}"
        )
    clock = environment.get("VERZUIM_KLOK")
    if clock is not None and clock.value:
        problems.append(
            "VERZUIM_KLOK fixes the date for demos; production uses the system clock"
        )
    prefix = environment.get("KAFKA_TOPIC_PREFIX")
    if prefix is not None and prefix.value:
        problems.append("KAFKA_TOPIC_PREFIX is for tests; production topics have none")
    return problems


def exposed_secrets(environment: Environment) -> list[str]:
    """Secrets written into a ConfigMap, a compose file or the image."""
    return sorted(
        f"{name} from {setting.origin} {setting.holder}".strip()
        for name, setting in environment.items()
        if is_secret(name) and setting.origin not in SECRET_ORIGINS
    )


def pgn_key_misplaced(service: str, environment: Environment) -> bool:
    return ("VERZUIM_PGN_KEY" in environment) != (service in PGN_HOLDERS)


def derived_settings(settings: BaseSettings) -> list[object]:
    """Call the settings' ``*_settings()`` methods, which build (and validate) the
    settings of an adapter from them, e.g. ketenkoppeling's ``duo_settings()``."""
    built = []
    for name, member in inspect.getmembers(type(settings), inspect.isfunction):
        if name.endswith("_settings") and not name.startswith("_"):
            parameters = inspect.signature(member).parameters
            if list(parameters) == ["self"]:
                built.append(getattr(settings, name)())
    return built


def _services_first(settings_class: type) -> bool:
    return not issubclass(settings_class, PlatformSettings)


def settings_errors(environment: Environment) -> list[str]:
    """Build every settings class and the Kafka client options from the values.

    A value of the wrong type, an unknown choice or a contradiction (a DUO client
    certificate with a plain-http endpoint) fails here, not at the first start.
    The DUO check runs in ``duo_settings()``, so derived settings are built too.
    """
    from plumbing.topics import kafka_client_options

    values = {name: setting.value for name, setting in environment.items()}
    errors = []
    # pydantic-settings reads os.environ; this process's own stays as it is.
    with mock.patch.object(os, "environ", dict(values)):
        # A class that a service's settings build (ketenkoppeling's DuoSettings, from
        # DUO_URL) is checked as built, not as it would read the environment alone.
        derived: set[type] = set()
        for settings_class in sorted(settings_classes(), key=_services_first):
            if settings_class in derived:
                continue
            try:
                built = derived_settings(settings_class())
            except ValidationError as error:
                errors.append(f"{settings_class.__name__}: {error}")
            else:
                derived.update(type(item) for item in built)
    # The CA file exists only in the container; the options are what is checked.
    with mock.patch("plumbing.topics.create_ssl_context", return_value=object()):
        try:
            kafka_client_options(None, values)
        except ValueError as error:
            errors.append(f"kafka_client_options: {error}")
    return errors
