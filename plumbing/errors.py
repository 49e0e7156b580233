"""Base class for the errors a service's domain and use cases raise.

Plain Python on purpose: the domain never imports FastAPI. The HTTP layer
(`plumbing.http`) turns every `DomainError` into an RFC 9457 problem response in one
place, using the class-level `status` and `title` and the instance's `detail`.

Subclass per situation, beside the model that raises it::

    class VerlofaanvraagNietGevonden(DomainError):
        status = 404
        title = "Verlofaanvraag niet gevonden"

    raise VerlofaanvraagNietGevonden("Er is geen verlofaanvraag met dit id.")

The `detail` ends up in the response body: never put a BSN, a name or a medical
reason in it.
"""

from __future__ import annotations

from typing import Any, ClassVar


class DomainError(Exception):
    """A rule of the domain refused the request; carries its HTTP meaning."""

    status: ClassVar[int] = 400
    title: ClassVar[str] = "Bad Request"
    type_: ClassVar[str] = "about:blank"

    def __init__(self, detail: str | None = None, **extra: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail
        # Extra problem members, lowerCamelCase keys (e.g. `invalidParams`).
        self.extra: dict[str, Any] = extra


class InvalidInput(DomainError):
    """Input that is well-formed but breaks a rule; names the fields at fault."""

    status = 400
    title = "Invalid input"

    def __init__(self, detail: str | None = None, *, fields: dict[str, str]) -> None:
        invalid = [{"name": name, "reason": reason} for name, reason in fields.items()]
        super().__init__(detail, invalidParams=invalid)


class NotFound(DomainError):
    status = 404
    title = "Not Found"


class Conflict(DomainError):
    """The request clashes with the current state (e.g. a decision already taken)."""

    status = 409
    title = "Conflict"


class RuleViolation(DomainError):
    """Understood, but a domain rule forbids it in the current state."""

    status = 422
    title = "Unprocessable Content"
