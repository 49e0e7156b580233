"""HTTP API of analyse: a pupil's verzuimbeeld, the school's duties, the trends.

Paths without `/v1` (create_app adds it). Every route needs a caller with a role
that may see it, and answers 404 for another school's data as for missing data.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Literal, cast
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from plumbing.security.callers import Caller, Rol
from plumbing.security.dependencies import ensure_school, require_roles
from services.analyse.application import Analyse, LeerlingNietGevonden
from services.analyse.trends import als_csv

if TYPE_CHECKING:
    from plumbing.runtime import ServiceRuntime

__all__ = ["routers"]

# RASCI (process.md): analysing is the verzuimcoördinator's work, with mentor and
# zorgcoördinator consulted and the school leader informed.
MAG_VERZUIMBEELD_ZIEN = require_roles(
    Rol.VERZUIMCOORDINATOR, Rol.MENTOR, Rol.ZORGCOORDINATOR, Rol.SCHOOLLEIDER
)
MAG_MELDPLICHTEN_ZIEN = require_roles(
    Rol.VERZUIMCOORDINATOR, Rol.SCHOOLLEIDER, Rol.ADMINISTRATIE
)
MAG_TRENDS_ZIEN = require_roles(
    Rol.VERZUIMCOORDINATOR, Rol.SCHOOLLEIDER, Rol.ZORGCOORDINATOR
)

#: The states of `leesmodel.STATUSSEN`.
Meldplichtstatus = Literal[
    "open", "ingediend", "intrekkingVoorgesteld", "vervallen", "ingetrokken"
]

CSV = "text/csv"
NIET_GEVONDEN = {404: {"description": "Not found, or not of the caller's schools"}}


class _Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, from_attributes=True
    )


class Slot(_Model):
    slot_id: str
    datum: date
    lesuur: int | None
    status: str
    soort: str
    minuten: int


class Venstersom(_Model):
    minuten: int
    uren: float
    van: date | None
    tot: date | None


class OpenMeldplicht(_Model):
    meldplicht_id: UUID
    verzuimsoort: str
    status: str
    begindatum: date
    einddatum: date | None
    vervaldatum: date | None
    achterstallig: bool
    minuten: int
    toelichting: str
    slots: list[Slot]


class OpenSignaal(_Model):
    signaal_id: UUID
    soort: str
    datum: date
    toelichting: str
    slots: list[Slot]


class Verzuimbeeld(_Model):
    leerling_id: UUID
    school_id: UUID
    peildatum: date
    huidige_venstersom: Venstersom
    hoogste_venstersom: Venstersom
    meldplichten: list[OpenMeldplicht]
    signalen: list[OpenSignaal]


class Meldplicht(_Model):
    meldplicht_id: UUID
    leerling_id: UUID
    sleutel: str = Field(
        description="The duty's key within the pupil: its kind and the date it "
        "hangs on (e.g. `V3:2025-09-17`); `meldplichtId` is derived from it."
    )
    verzuimsoort: str
    status: Meldplichtstatus
    begindatum: date
    einddatum: date | None
    vervaldatum: date
    achterstallig: bool
    minuten: int


class Meldplichten(_Model):
    school_id: UUID
    meldplichten: list[Meldplicht]


class Trendregel(_Model):
    periode: str
    groep: str
    geoorloofd_minuten: int
    ongeoorloofd_minuten: int
    onbekend_minuten: int
    geoorloofd_uren: float
    ongeoorloofd_uren: float
    leerlingen: int
    leerlingen_met_meldplicht: int
    leerlingen_met_signaal: int


class Trends(_Model):
    school_id: UUID
    per: Literal["week", "maand"]
    groepering: Literal["leerjaar", "klas", "reden"]
    regels: list[Trendregel]


def _niet_gevonden() -> LeerlingNietGevonden:
    return LeerlingNietGevonden("Er is geen leerling met dit id.")


def routers(runtime: ServiceRuntime) -> list[APIRouter]:
    router = APIRouter(tags=["analyse"])

    def app() -> Analyse:
        return cast(Analyse, runtime.require_app())

    @router.get(
        "/leerlingen/{leerlingId}/verzuimbeeld",
        response_model=Verzuimbeeld,
        response_model_by_alias=True,
        responses=NIET_GEVONDEN,
        summary="Window sums, open duties and signals of a pupil, with their slots",
    )
    async def verzuimbeeld(
        leerlingId: UUID,  # noqa: N803 - the path parameter's public name
        caller: Annotated[Caller, Depends(MAG_VERZUIMBEELD_ZIEN)],
    ) -> Verzuimbeeld:
        leerling_id = str(leerlingId)
        school_id = await runtime.run_sync(app().school_van, leerling_id)
        ensure_school(caller, school_id, _niet_gevonden)
        beeld = await runtime.run_sync(
            app().verzuimbeeld, leerling_id, runtime.clock.today()
        )
        return Verzuimbeeld.model_validate(beeld)

    @router.get(
        "/meldplichten",
        response_model=Meldplichten,
        response_model_by_alias=True,
        responses=NIET_GEVONDEN,
        summary="A school's duties to report, with status and due date",
    )
    async def meldplichten(
        caller: Annotated[Caller, Depends(MAG_MELDPLICHTEN_ZIEN)],
        schoolId: Annotated[UUID, Query()],  # noqa: N803
        status: Annotated[Meldplichtstatus | None, Query()] = None,
    ) -> Meldplichten:
        ensure_school(caller, str(schoolId))
        gevonden = await runtime.run_sync(app().meldplichten, str(schoolId), status)
        return Meldplichten(
            school_id=schoolId,
            meldplichten=[Meldplicht.model_validate(m) for m in gevonden],
        )

    @router.get(
        "/trends",
        response_model=Trends,
        response_model_by_alias=True,
        responses={
            200: {"content": {CSV: {"schema": {"type": "string"}}}},
            **NIET_GEVONDEN,
        },
        summary="Absence per week or month, by year, class or reason; JSON or CSV",
    )
    async def trends(
        request: Request,
        caller: Annotated[Caller, Depends(MAG_TRENDS_ZIEN)],
        schoolId: Annotated[UUID, Query()],  # noqa: N803
        per: Annotated[Literal["week", "maand"], Query()] = "week",
        groepering: Annotated[Literal["leerjaar", "klas", "reden"], Query()] = (
            "leerjaar"
        ),
        van: Annotated[date | None, Query()] = None,
        tot: Annotated[date | None, Query()] = None,
        formaat: Annotated[Literal["json", "csv"] | None, Query()] = None,
    ) -> Trends | Response:
        ensure_school(caller, str(schoolId))
        regels = await runtime.run_sync(
            app().trends, str(schoolId), per, groepering, van, tot
        )
        wil_csv = formaat == "csv" or (
            formaat is None and CSV in request.headers.get("accept", "")
        )
        if wil_csv:
            return Response(als_csv(regels), media_type=f"{CSV}; charset=utf-8")
        return Trends(
            school_id=schoolId,
            per=per,
            groepering=groepering,
            regels=[Trendregel.model_validate(r) for r in regels],
        )

    return [router]
