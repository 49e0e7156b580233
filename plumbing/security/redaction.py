"""A logging filter that masks secrets and BSN-like numbers: the second line of
defence behind the rule that personal data never goes into a log line.

`plumbing.logging.configure_logging` installs `RedactionFilter` on the JSON
handler. It works on handlers, not loggers: a logger's filters do not see the
records that propagate from its children.

What is masked, in the message, its arguments, extra fields and the formatted
traceback:

- every run of exactly nine digits (a BSN or onderwijsnummer; dates and
  timestamps have other lengths), also written as ``1234.56.782``;
- bearer tokens and anything shaped like a JWT;
- the secret part of API keys ``vk_<id>_<secret>`` (the key id stays, it names
  the key);
- values after ``password=``, ``secret:``, ``token=`` and the like, and the
  password in URLs such as ``postgresql://user:pw@host``;
- the whole value of an extra field whose name says it is secret or a BSN.
"""

from __future__ import annotations

import logging
import re
from typing import Any

MASK = "[REDACTED]"

_SENSITIVE_KEY = re.compile(
    r"pass(word|wd)?|wachtwoord|secret|token|authori[sz]ation|api[_-]?key|"
    r"cipher[_-]?key|pepper|bsn|pgn|onderwijsnummer|credential",
    re.IGNORECASE,
)

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Authorization header values; must run before the key=value rule below.
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]+"), rf"\1 {MASK}"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), MASK),
    (re.compile(r"\b(vk_[0-9a-f]{16}_)[A-Za-z0-9_-]+"), rf"\1{MASK}"),
    (re.compile(r"(://[^/\s:@]+:)[^@\s/]+@"), rf"\1{MASK}@"),
    (
        re.compile(
            r"(?i)\b((?:[a-z_-]*(?:password|passwd|pwd|wachtwoord|secret|token|"
            r"api[_-]?key|pepper))[\"']?\s*[:=]\s*[\"']?)([^\s\"'&,;]+)"
        ),
        rf"\1{MASK}",
    ),
    (re.compile(r"(?<![0-9A-Za-z])\d{4}\.\d{2}\.\d{3}(?![0-9A-Za-z])"), MASK),
    (re.compile(r"(?<![0-9A-Za-z])\d{9}(?![0-9A-Za-z])"), MASK),
)

# Attributes every LogRecord has; anything else came in through ``extra``.
_STANDARD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__
) | {"message", "asctime"}


def redact(text: str) -> str:
    """The text with secrets and BSN-like numbers masked."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_value(value: Any, depth: int = 0) -> Any:
    if depth > 5:
        return value
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return redact(str(value)) if len(str(value)) == 9 else value
    if isinstance(value, dict):
        return {
            key: MASK
            if isinstance(key, str) and _SENSITIVE_KEY.search(key)
            else _redact_value(item, depth + 1)
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return type(value)(_redact_value(item, depth + 1) for item in value)
    return value


class RedactionFilter(logging.Filter):
    """Masks in place and never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, dict):
            record.msg = _redact_value(record.msg)
        else:
            # Render the message once, so a secret in an argument is caught too.
            try:
                rendered = record.getMessage()
            except (TypeError, ValueError):
                rendered = f"{record.msg} {record.args!r}"
            record.msg = redact(rendered)
            record.args = None

        for name, value in list(record.__dict__.items()):
            if name in _STANDARD_ATTRIBUTES:
                continue
            if _SENSITIVE_KEY.search(name):
                setattr(record, name, MASK)
            else:
                setattr(record, name, _redact_value(value))

        if record.exc_info:
            # Formatters print ``exc_text`` when ``exc_info`` is gone, so the
            # traceback is formatted here once and masked.
            record.exc_text = redact(
                logging.Formatter().formatException(record.exc_info)
            )
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
