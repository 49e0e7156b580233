"""Who is calling: a system with an API key or a person with an OIDC token.

Every service receives a `Caller` from `dependencies.authenticated_caller` and
decides with it what the caller may see. Access is scoped twice: by role (what
kind of work) and by school (whose pupils).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Rol(StrEnum):
    """The roles of the RASCI matrix (process.md), plus two technical roles."""

    VERZUIMCOORDINATOR = "verzuimcoordinator"
    MENTOR = "mentor"
    ZORGCOORDINATOR = "zorgcoordinator"
    SCHOOLLEIDER = "schoolleider"
    ADMINISTRATIE = "administratie"
    ICT = "ict"
    OUDERS = "ouders"
    LEERPLICHTAMBTENAAR = "leerplichtambtenaar"
    # A student information system that pushes registrations.
    SIS = "sis"
    # Operators: key management, audit trail.
    BEHEER = "beheer"


class CallerKind(StrEnum):
    SYSTEEM = "systeem"
    PERSOON = "persoon"


def parse_rollen(values: Iterable[str], *, strict: bool = True) -> frozenset[Rol]:
    """Turn role names into `Rol` values.

    With ``strict=False`` unknown names are skipped: an identity provider may
    send roles that belong to other applications.
    """
    rollen: set[Rol] = set()
    for value in values:
        name = value.strip().lower()
        if not name:
            continue
        try:
            rollen.add(Rol(name))
        except ValueError:
            if strict:
                raise ValueError(f"unknown role: {name!r}") from None
    return frozenset(rollen)


@dataclass(frozen=True)
class Caller:
    """An authenticated caller; immutable, so it can be shared between threads."""

    id: str
    kind: CallerKind
    bestuur: str
    scholen: frozenset[str] = field(default_factory=frozenset)
    rollen: frozenset[Rol] = field(default_factory=frozenset)

    def may_access_school(self, school_id: str) -> bool:
        """True when the caller works for this school; there is no wildcard."""
        return school_id in self.scholen

    def has_any_role(self, *rollen: Rol | str) -> bool:
        return any(Rol(rol) in self.rollen for rol in rollen)
