"""What the routes of the registratie API share: roles, the mapping of the domain's
errors to problem details, and the media-type checks.

Everything of a school the caller does not work for answers exactly as if it did
not exist: 404 for a resource in the path, 400 "unknown" for a pupil or school named
in a body.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from fastapi import Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from plumbing.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    RuleViolation,
)
from plumbing.security.callers import Caller, Rol
from plumbing.security.dependencies import ensure_school, require_roles
from services.registratie.basis import TeVeelConflicten
from services.registratie.domain.fouten import (
    LeerlingGewist,
    NietGevonden,
    PgnInGebruik,
    RegistratieFout,
    ValidatieFout,
    VerlofFout,
)

if TYPE_CHECKING:
    from plumbing.runtime import ServiceRuntime
    from services.registratie.service_app import RegistratieDienst

__all__ = [
    "BESLISSEN",
    "GEWIST",
    "JSON",
    "LEZEN",
    "MEDIATYPE",
    "UITGEVOERD",
    "NIET_GEVONDEN",
    "SCHRIJVEN",
    "VERLOF_LEZEN",
    "OnbekendeVerwijzing",
    "OnjuistMediatype",
    "TeGroot",
    "als_probleem",
    "eigen_leerling",
    "uitvoeren",
    "verwijzing_toegestaan",
]

_LEZERS = (
    Rol.VERZUIMCOORDINATOR,
    Rol.MENTOR,
    Rol.ZORGCOORDINATOR,
    Rol.SCHOOLLEIDER,
    Rol.ADMINISTRATIE,
    Rol.ICT,
    Rol.SIS,
    Rol.BEHEER,
)
# RASCI "registreren verzuim": the SIS (ICT, R) records; people read.
SCHRIJVEN = require_roles(Rol.SIS, Rol.BEHEER)
LEZEN = require_roles(*_LEZERS)
# Lpw art. 13a, 14: the head decides, above ten days the leerplichtambtenaar.
BESLISSEN = require_roles(
    Rol.SIS, Rol.BEHEER, Rol.SCHOOLLEIDER, Rol.LEERPLICHTAMBTENAAR
)
VERLOF_LEZEN = require_roles(*_LEZERS, Rol.LEERPLICHTAMBTENAAR)

NIET_GEVONDEN: dict[int | str, dict[str, Any]] = {
    404: {"description": "Not found, or not of the caller's schools"}
}
# Every operation with a body checks its media type (`vereist_json`, ...).
MEDIATYPE: dict[int | str, dict[str, Any]] = {
    415: {"description": "The body is not of the media type the operation takes"}
}
# What a use case run through `uitvoeren` may refuse with (`als_probleem`).
UITGEVOERD: dict[int | str, dict[str, Any]] = {
    409: {
        "description": "Concurrent changes kept conflicting (try again), or the "
        "pupil's PGN is held by another pupil of the school (`leerlingId` names it)"
    },
    422: {"description": "A rule refuses it (e.g. leave the law forbids)"},
}
# Where a use case meets a pupil whose personal data was erased (`Gewist`).
GEWIST: dict[int | str, dict[str, Any]] = {
    410: {"description": "The pupil's personal data was erased; nothing new is taken"}
}


class OnjuistMediatype(DomainError):
    status = 415
    title = "Unsupported Media Type"


class TeGroot(DomainError):
    status = 413
    title = "Content Too Large"


class Gewist(DomainError):
    """The pupil's personal data was erased; nothing new is taken about them."""

    status = 410
    title = "Gone"


class OnbekendeVerwijzing(InvalidInput):
    """A pupil or school named in a body that does not exist (or is not yours)."""

    def __init__(self, veld: str, soort: str) -> None:
        super().__init__(
            f"Er is geen {soort} met dit id.", fields={veld: f"onbekende {soort}"}
        )


def met_locatie(
    request: Request,
    route: str,
    antwoord: BaseModel,
    status: int = 201,
    **padparameters: str,
) -> JSONResponse:
    """A resource as camelCase JSON with the `Location` of its own GET route."""
    locatie = request.url_for(route, **padparameters)
    return JSONResponse(
        antwoord.model_dump(mode="json", by_alias=True),
        status,
        headers={"Location": locatie.path},
    )


def _mediatype(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


def vereist_json(request: Request) -> None:
    soort = _mediatype(request)
    if soort != "application/json" and not soort.endswith("+json"):
        raise OnjuistMediatype("Send the body as application/json.")


def vereist_mediatype(*soorten: str) -> Callable[[Request], None]:
    def controleer(request: Request) -> None:
        if _mediatype(request) not in soorten:
            raise OnjuistMediatype(f"Send the body as {' or '.join(soorten)}.")

    return controleer


JSON = [Depends(vereist_json)]


def als_probleem(
    fout: RegistratieFout, verwijzingen: Mapping[str, str] | None = None
) -> DomainError:
    """The problem answer for a domain error of registratie.

    `verwijzingen` maps a kind of resource ("leerling") to the body field that named
    it ("leerlingId"): an unknown one there is bad input, not a missing resource.
    """
    if isinstance(fout, ValidatieFout):
        return InvalidInput("Een veld is niet geldig.", fields={fout.veld: fout.reden})
    if isinstance(fout, NietGevonden):
        veld = (verwijzingen or {}).get(fout.soort)
        if veld is not None:
            return OnbekendeVerwijzing(veld, fout.soort)
        return NotFound(f"Er is geen {fout.soort} met dit id.")
    if isinstance(fout, VerlofFout):
        if fout.code == "INVALID_PERIOD":
            return InvalidInput(fout.reden, fields={"tot": fout.reden})
        return RuleViolation(fout.reden, code=fout.code)
    if isinstance(fout, TeVeelConflicten):
        return Conflict("Gelijktijdige wijzigingen; probeer het opnieuw.")
    if isinstance(fout, PgnInGebruik):
        # The holder is of the same school, which the caller works for.
        return Conflict(
            "Dit pgn staat bij deze school al op een andere leerling.",
            code="PGN_IN_GEBRUIK",
            leerlingId=fout.houder,
            invalidParams=[{"name": "pgn", "reason": "al in gebruik bij deze school"}],
        )
    if isinstance(fout, LeerlingGewist):
        return Gewist(str(fout))
    return RuleViolation(str(fout))


async def uitvoeren(
    runtime: ServiceRuntime,
    functie: Callable[..., Any],
    *args: Any,
    verwijzingen: Mapping[str, str] | None = None,
) -> Any:
    """Run a use case off the event loop; domain errors become problem answers."""
    try:
        return await runtime.run_sync(functie, *args)
    except RegistratieFout as fout:
        raise als_probleem(fout, verwijzingen) from None


def verwijzing_toegestaan(
    caller: Caller, school_id: Any, veld: str, soort: str = "leerling"
) -> None:
    """A pupil or school named in a body: unknown or not yours is one answer."""
    if school_id is None:
        raise OnbekendeVerwijzing(veld, soort)
    ensure_school(caller, str(school_id), lambda: OnbekendeVerwijzing(veld, soort))


async def eigen_leerling(
    runtime: ServiceRuntime,
    app: RegistratieDienst,
    caller: Caller,
    leerling_id: Any,
    niet_gevonden: Callable[[], Exception],
) -> None:
    """A pupil in the path: unknown or of another school is one answer."""
    scholen = await runtime.run_sync(app.scholen_van, [leerling_id])
    school_id = scholen.get(leerling_id)
    if school_id is None:
        raise niet_gevonden()
    ensure_school(caller, str(school_id), niet_gevonden)
