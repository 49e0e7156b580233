"""`/scholen`: register a school (identity, calendar, timetable, reason codes,
policy, contact), import its calendar from iCalendar, and record or take back a
closure (Lpw art. 11(a)).

A school's id is not free: it follows from BRIN and vestiging
(`uuid5(NAMESPACE_URL, "verzuimketen:school:" + brin + vestiging)`), so one school
can never be registered twice under two ids.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse

from leerplicht.identificatie import IdentificatieFout, valideer_brin
from leerplicht.kalender import KalenderFout, SchoolKalender
from leerplicht.kalender import Periode as KalenderPeriode
from plumbing.errors import InvalidInput, NotFound
from plumbing.security.callers import Caller
from plumbing.security.dependencies import ensure_school
from services.registratie import api_lezen
from services.registratie.api_basis import (
    JSON,
    LEZEN,
    MEDIATYPE,
    NIET_GEVONDEN,
    SCHRIJVEN,
    UITGEVOERD,
    uitvoeren,
    vereist_mediatype,
)
from services.registratie.api_modellen import (
    Kalender,
    Periode,
    School,
    SchoolBody,
    SluitingBody,
)
from services.registratie.domain.school import school_id_voor
from services.registratie.domain.tijd import EERSTE_DATUM, LAATSTE_DATUM
from services.registratie.modellen import SchoolInvoer
from services.registratie.service_app import RegistratieDienst, registratie

if TYPE_CHECKING:
    from plumbing.runtime import ServiceRuntime

__all__ = ["scholen_router"]

ICAL = "text/calendar"


def _niet_gevonden() -> NotFound:
    return NotFound("Er is geen school met dit id.")


def _perioden(perioden: list[Periode]) -> tuple[KalenderPeriode, ...]:
    return tuple(KalenderPeriode(p.van, p.tot) for p in perioden)


def _schoolkalender(kalender: Kalender) -> SchoolKalender:
    try:
        return SchoolKalender(
            vakanties=_perioden(kalender.vakanties),
            vrije_dagen=_perioden(kalender.vrije_dagen),
            studiedagen=_perioden(kalender.studiedagen),
            eerste_schooldag=kalender.eerste_schooldag,
        )
    except KalenderFout as fout:
        raise InvalidInput(str(fout), fields={"kalender": str(fout)}) from None


def _invoer(school_id: UUID, body: SchoolBody) -> SchoolInvoer:
    try:
        brin = valideer_brin(body.brin)
    except IdentificatieFout as fout:
        raise InvalidInput(
            "BRIN is niet geldig.", fields={"brin": fout.reden}
        ) from None
    vestiging = body.vestiging or brin.vestiging
    verwacht = school_id_voor(brin.instelling, vestiging)
    if school_id != verwacht:
        raise InvalidInput(
            "Het id van een school volgt uit BRIN en vestiging.",
            fields={"schoolId": f"hoort niet bij deze BRIN en vestiging ({verwacht})"},
        )
    rooster = {
        dag: [
            (les.nummer, les.begin.strftime("%H:%M"), les.eind.strftime("%H:%M"))
            for les in lessen
        ]
        for dag, lessen in body.rooster.lesuren.items()
    }
    return SchoolInvoer(
        brin=body.brin,
        vestiging=body.vestiging,
        naam=body.naam,
        sector=body.sector,
        regio=body.regio,
        rooster=rooster,
        redenen=body.redenen,
        beleid=body.beleid,
    )


def scholen_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(tags=["scholen"])

    def app() -> RegistratieDienst:
        return registratie(runtime)

    async def antwoord(school_id: UUID, status: int) -> JSONResponse:
        gevonden = await runtime.run_sync(api_lezen.school, app(), school_id)
        if gevonden is None:
            raise _niet_gevonden()
        return JSONResponse(gevonden.model_dump(mode="json", by_alias=True), status)

    @router.put(
        "/scholen/{schoolId}",
        response_model=School,
        response_model_by_alias=True,
        dependencies=JSON,
        responses={
            **NIET_GEVONDEN,
            **MEDIATYPE,
            **UITGEVOERD,
            201: {"model": School, "description": "Registered"},
        },
        summary="Register a school or replace its settings",
    )
    async def zet_school(
        schoolId: UUID,  # noqa: N803 - the path parameter's public name
        body: SchoolBody,
        caller: Annotated[Caller, Depends(SCHRIJVEN)],
    ) -> JSONResponse:
        ensure_school(caller, str(schoolId), _niet_gevonden)
        invoer = _invoer(schoolId, body)
        kalenders = [_schoolkalender(body.kalender)] if body.kalender else []
        contact = (
            body.contact_melder.model_dump(mode="json", by_alias=True)
            if body.contact_melder
            else None
        )
        dienst = app()
        bestond = await runtime.run_sync(dienst.school_aggregaat, schoolId)

        def registreer() -> None:
            with dienst.met_aanvulling(schoolId, body.gemeente, contact):
                dienst.registreer_school(invoer, kalenders)

        await uitvoeren(runtime, registreer)
        return await antwoord(schoolId, 200 if bestond is not None else 201)

    @router.put(
        "/scholen/{schoolId}/kalender",
        response_model=School,
        response_model_by_alias=True,
        dependencies=[Depends(vereist_mediatype(ICAL))],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {ICAL: {"schema": {"type": "string"}}},
            }
        },
        responses={**NIET_GEVONDEN, **MEDIATYPE, **UITGEVOERD},
        summary="Set a school year's calendar from an iCalendar file",
        description=(
            "Body: an iCalendar file (`text/calendar`). Each VEVENT is read by its "
            "CATEGORIES, else its SUMMARY: *vakantie* is a vacation, *studiedag* a "
            "study day, *vrije dag* or *vrij* a free day, *eerste schooldag* the "
            "first school day; other events are ignored. All-day events end the day "
            "before their DTEND. The file replaces the calendar of the school year "
            "its first school day opens (from `eersteSchooldag`, an event, or the "
            "first weekday after a summer vacation at its start); calendars of other "
            "school years stay."
        ),
    )
    async def importeer_kalender(
        schoolId: UUID,  # noqa: N803
        request: Request,
        caller: Annotated[Caller, Depends(SCHRIJVEN)],
        eersteSchooldag: Annotated[  # noqa: N803
            date | None, Query(ge=EERSTE_DATUM, le=LAATSTE_DATUM)
        ] = None,
    ) -> JSONResponse:
        ensure_school(caller, str(schoolId), _niet_gevonden)
        data = await request.body()
        await uitvoeren(
            runtime, app().importeer_kalender_ical, schoolId, data, eersteSchooldag
        )
        return await antwoord(schoolId, 200)

    @router.get(
        "/scholen/{schoolId}",
        response_model=School,
        response_model_by_alias=True,
        responses=NIET_GEVONDEN,
        summary="A school's registration",
    )
    async def school(
        schoolId: UUID,  # noqa: N803
        caller: Annotated[Caller, Depends(LEZEN)],
    ) -> JSONResponse:
        ensure_school(caller, str(schoolId), _niet_gevonden)
        return await antwoord(schoolId, 200)

    @router.post(
        "/scholen/{schoolId}/sluitingen",
        response_model=School,
        response_model_by_alias=True,
        dependencies=JSON,
        responses={**NIET_GEVONDEN, **MEDIATYPE, **UITGEVOERD},
        summary="The school is closed (Lpw art. 11(a)): absence then is geoorloofd",
    )
    async def sluiting(
        schoolId: UUID,  # noqa: N803
        body: SluitingBody,
        caller: Annotated[Caller, Depends(SCHRIJVEN)],
    ) -> JSONResponse:
        ensure_school(caller, str(schoolId), _niet_gevonden)
        await uitvoeren(
            runtime, app().sluit_school, schoolId, body.van, body.tot, body.reden
        )
        return await antwoord(schoolId, 200)

    @router.delete(
        "/scholen/{schoolId}/sluitingen/{van}",
        response_model=School,
        response_model_by_alias=True,
        responses={**NIET_GEVONDEN, **UITGEVOERD},
        summary="Take back a closure recorded in error; its days count again",
    )
    async def heropening(
        schoolId: UUID,  # noqa: N803
        van: date,
        caller: Annotated[Caller, Depends(SCHRIJVEN)],
    ) -> JSONResponse:
        ensure_school(caller, str(schoolId), _niet_gevonden)
        await uitvoeren(runtime, app().heropen_school, schoolId, van)
        return await antwoord(schoolId, 200)

    return router
