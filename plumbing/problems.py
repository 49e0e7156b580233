"""RFC 9457 problem details: the one shape of every 4xx and 5xx answer.

`problem_response` builds the response; `ProblemError` lets HTTP-layer code raise one;
`response_for_error` is the single mapper from `DomainError`/`ProblemError` to a
response. The JSON schemas here are what `plumbing.http` documents on every operation.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi.responses import JSONResponse

from plumbing.errors import DomainError

PROBLEM_MEDIA_TYPE = "application/problem+json"


def status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


class ProblemError(Exception):
    """Raise from HTTP-layer code to answer with a specific problem document."""

    def __init__(
        self,
        status: int,
        title: str | None = None,
        detail: str | None = None,
        type_: str = "about:blank",
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        self.status = status
        self.title = title or status_phrase(status)
        self.detail = detail
        self.type_ = type_
        self.headers = headers
        # Extra problem members, lowerCamelCase keys (e.g. `invalidParams`).
        self.extra: dict[str, Any] = extra
        super().__init__(detail or self.title)


def problem_body(
    status: int,
    title: str | None = None,
    detail: str | None = None,
    type_: str = "about:blank",
    instance: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": type_,
        "title": title or status_phrase(status),
        "status": status,
    }
    if detail is not None:
        body["detail"] = detail
    if instance is not None:
        body["instance"] = instance
    body.update(extra)
    return body


def problem_response(
    status: int,
    title: str | None = None,
    detail: str | None = None,
    type_: str = "about:blank",
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    """A JSON response with media type `application/problem+json`."""
    return JSONResponse(
        problem_body(status, title, detail, type_, instance, **extra),
        status_code=status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=headers,
    )


def response_for_error(exc: DomainError | ProblemError) -> JSONResponse:
    """The one place where raised errors become problem responses."""
    if isinstance(exc, ProblemError):
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            exc.type_,
            headers=exc.headers,
            **exc.extra,
        )
    return problem_response(exc.status, exc.title, exc.detail, exc.type_, **exc.extra)


INVALID_PARAM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "InvalidParam",
    "description": "One input field at fault, named as the client sent it.",
    "required": ["name", "reason"],
    "properties": {
        "name": {"type": "string", "examples": ["leerlingId"]},
        "reason": {"type": "string", "examples": ["Field required"]},
    },
}

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "title": "Problem",
    "description": "Problem details (RFC 9457).",
    "required": ["status", "title"],
    "properties": {
        "type": {
            "type": "string",
            "format": "uri-reference",
            "default": "about:blank",
            "description": "Identifies the kind of problem.",
        },
        "title": {"type": "string", "description": "Short summary of the kind."},
        "status": {"type": "integer", "minimum": 100, "maximum": 599},
        "detail": {"type": "string", "description": "This occurrence, for humans."},
        "instance": {
            "type": "string",
            "format": "uri-reference",
            "description": "This occurrence; for server errors the correlation id.",
        },
        "invalidParams": {
            "type": "array",
            "items": {"$ref": "#/components/schemas/InvalidParam"},
        },
    },
}
