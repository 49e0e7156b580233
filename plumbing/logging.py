"""One structured JSON logging set-up for every service and tool.

Each record is one JSON object on stderr with `timestamp`, `level`, `logger`,
`message`, `service`, the request's `correlationId` when there is one, and any
key/value extras the caller passes::

    logger.info("events stored", extra={"event": "AfwezigheidGemeld", "count": 3})

Keys that the house uses: `event` (an event type name), `leerling` (the internal
pupil id, never a BSN or name), `count`, `topic`, `partition`. Personal data never goes
into a log line; the redaction filter from `plumbing.security.redaction` is installed
on the handler when that module is present, as a second line of defence.
"""

from __future__ import annotations

import importlib
import logging
import sys
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.json import JsonFormatter

#: The id of the HTTP request being handled; set by the middleware of `plumbing.http`.
correlation_id: ContextVar[str | None] = ContextVar("correlation_id", default=None)

_HANDLER_NAME = "verzuimketen-json"
_extra_filters: list[logging.Filter] = []


class _ContextFilter(logging.Filter):
    """Adds the service name and the current correlation id to every record."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        current = correlation_id.get()
        if current is not None and not hasattr(record, "correlationId"):
            record.correlationId = current
        return True


def _redaction_filter() -> logging.Filter | None:
    """The security engineer's redaction filter, if that module exists."""
    try:
        module: Any = importlib.import_module("plumbing.security.redaction")
    except ModuleNotFoundError as exc:
        if exc.name not in ("plumbing.security.redaction", "plumbing.security"):
            raise
        return None
    factory = getattr(module, "RedactionFilter", None)
    if factory is None:
        return None
    return factory()


def add_log_filter(log_filter: logging.Filter) -> None:
    """Install a filter on the JSON handler now and on every later configuration."""
    _extra_filters.append(log_filter)
    handler = _json_handler()
    if handler is not None:
        handler.addFilter(log_filter)


def remove_log_filter(log_filter: logging.Filter) -> None:
    if log_filter in _extra_filters:
        _extra_filters.remove(log_filter)
    handler = _json_handler()
    if handler is not None:
        handler.removeFilter(log_filter)


def _json_handler() -> logging.Handler | None:
    for handler in logging.getLogger().handlers:
        if handler.get_name() == _HANDLER_NAME:
            return handler
    return None


def configure_logging(service: str, level: str = "INFO") -> logging.Handler:
    """Route all logging (ours, uvicorn's, aiokafka's) through one JSON handler.

    Idempotent: calling it again replaces the handler, so tests and the launcher can
    call it freely.
    """
    root = logging.getLogger()
    previous = _json_handler()
    if previous is not None:
        root.removeHandler(previous)

    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(
        JsonFormatter(
            "{asctime}{levelname}{name}{message}",
            style="{",
            rename_fields={
                "asctime": "timestamp",
                "levelname": "level",
                "name": "logger",
            },
        )
    )
    handler.addFilter(_ContextFilter(service))
    redaction = _redaction_filter()
    if redaction is not None:
        handler.addFilter(redaction)
    for extra in _extra_filters:
        handler.addFilter(extra)

    root.addHandler(handler)
    root.setLevel(level.upper())

    # Uvicorn installs its own handlers; let its records reach ours instead.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        uvicorn_logger = logging.getLogger(name)
        uvicorn_logger.handlers.clear()
        uvicorn_logger.propagate = True
    # aiokafka reports every reconnect attempt at INFO/ERROR; warnings are enough.
    logging.getLogger("aiokafka").setLevel(max(root.level, logging.WARNING))
    # httpx logs every request it makes at INFO: the DUO and partner calls have
    # their own log lines with what matters (melding, attempt, outcome).
    logging.getLogger("httpx").setLevel(max(root.level, logging.WARNING))
    return handler
