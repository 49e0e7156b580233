"""`/afwezigheden`: absence records from a SIS, one at a time or in bulk.

A record is identified by school, `bron` and `bronId` (a client may retry): the same
record again answers 200 with the same resource and stores nothing; the same `bronId`
with another body is a correction, also answered 200 (the resource exists and was
replaced); only a new record answers 201. Every answer carries the `Location` of the
record and the current status of its slots.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from plumbing.errors import NotFound
from plumbing.security.access import note_leerlingen
from plumbing.security.callers import Caller
from plumbing.security.dependencies import ensure_school
from services.registratie import api_lezen
from services.registratie.afwezigheden import MAX_BULK
from services.registratie.api_basis import (
    GEWIST,
    JSON,
    LEZEN,
    MEDIATYPE,
    NIET_GEVONDEN,
    SCHRIJVEN,
    UITGEVOERD,
    TeGroot,
    met_locatie,
    uitvoeren,
    verwijzing_toegestaan,
)
from services.registratie.api_bulk import bulk_antwoorden
from services.registratie.api_modellen import Afwezigheid, BulkAntwoord, BulkBody
from services.registratie.domain.afwezigheid import Uitkomst
from services.registratie.domain.invoer import AfwezigheidInvoer
from services.registratie.service_app import RegistratieDienst, registratie

if TYPE_CHECKING:
    from plumbing.runtime import ServiceRuntime

__all__ = ["afwezigheden_router"]

_ONBEKEND = "onbekende leerling"


def _niet_gevonden() -> NotFound:
    return NotFound("Er is geen afwezigheid met dit id.")


def _leerling_id(record: Any) -> UUID | None:
    waarde = record.get("leerlingId") if isinstance(record, dict) else None
    if not isinstance(waarde, str):
        return None
    try:
        return UUID(waarde)
    except ValueError:
        return None  # the domain names the field when it validates the record


def _bulk_regel(index: int, bron_id: Any, reden: str) -> dict[str, Any]:
    return {
        "index": index,
        "bronId": bron_id if isinstance(bron_id, str) else None,
        "status": "rejected",
        "afwezigheidId": None,
        "veld": "leerlingId",
        "reden": reden,
    }


def _verwerk_bulk(
    app: RegistratieDienst,
    caller: Caller,
    records: list[Any],
    alleen_school: UUID | None = None,
) -> dict[str, Any]:
    """Records of pupils the caller may not see (or, with `alleen_school`, of
    another school) are rejected as unknown pupils before the domain sees them; the
    rest go in one save."""
    ids = {i for i in map(_leerling_id, records) if i is not None}
    scholen = {
        leerling_id: school_id
        for leerling_id, school_id in app.scholen_van(ids).items()
        if caller.may_access_school(str(school_id))
        and alleen_school in (None, school_id)
    }
    note_leerlingen(*scholen)
    regels: list[dict[str, Any] | None] = [None] * len(records)
    door: list[Any] = []
    plaats: list[int] = []
    for index, record in enumerate(records):
        leerling_id = _leerling_id(record)
        school_id = scholen.get(leerling_id) if leerling_id is not None else None
        if leerling_id is not None and school_id is None:
            regels[index] = _bulk_regel(index, record.get("bronId"), _ONBEKEND)
        else:
            door.append(record)
            plaats.append(index)
    if door:
        resultaat = app.registreer_bulk(door)
        for regel in resultaat.regels:
            index = plaats[regel.index]
            regels[index] = {
                "index": index,
                "bronId": regel.bron_id,
                "status": regel.status,
                "afwezigheidId": str(regel.afwezigheid_id)
                if regel.afwezigheid_id
                else None,
                "veld": regel.veld,
                "reden": regel.reden,
            }
    resultaten = [r for r in regels if r is not None]
    return {
        "aantallen": dict(Counter(r["status"] for r in resultaten)),
        "resultaten": resultaten,
    }


def afwezigheden_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(tags=["afwezigheden"])

    def app() -> RegistratieDienst:
        return registratie(runtime)

    async def gevonden(caller: Caller, afwezigheid_id: UUID) -> Afwezigheid:
        antwoord = await runtime.run_sync(api_lezen.afwezigheid, app(), afwezigheid_id)
        if antwoord is None:
            raise _niet_gevonden()
        ensure_school(caller, str(antwoord.school_id), _niet_gevonden)
        return antwoord

    @router.post(
        "/afwezigheden",
        response_model=Afwezigheid,
        response_model_by_alias=True,
        status_code=201,
        dependencies=JSON,
        responses={
            **MEDIATYPE,
            **UITGEVOERD,
            **GEWIST,
            200: {"model": Afwezigheid, "description": "Unchanged or corrected"},
        },
        summary="Record one absence (idempotent by bron + bronId)",
    )
    async def registreer(
        request: Request,
        body: AfwezigheidInvoer,
        caller: Annotated[Caller, Depends(SCHRIJVEN)],
    ) -> JSONResponse:
        dienst = app()
        note_leerlingen(body.leerling_id)
        scholen = await runtime.run_sync(dienst.scholen_van, [body.leerling_id])
        verwijzing_toegestaan(caller, scholen.get(body.leerling_id), "leerlingId")
        resultaat = await uitvoeren(
            runtime,
            dienst.registreer_afwezigheid,
            body,
            verwijzingen={"leerling": "leerlingId"},
        )
        afwezigheid_id = resultaat.afwezigheid.afwezigheid_id
        return met_locatie(
            request,
            "afwezigheid",
            await gevonden(caller, afwezigheid_id),
            201 if resultaat.uitkomst is Uitkomst.CREATED else 200,
            afwezigheidId=str(afwezigheid_id),
        )

    @router.post(
        "/afwezigheden/bulk",
        response_model=BulkAntwoord,
        response_model_by_alias=True,
        dependencies=JSON,
        responses=bulk_antwoorden(MAX_BULK, "records", GEWIST),
        summary=f"Record up to {MAX_BULK} absences, answered per record",
    )
    async def registreer_bulk(
        body: BulkBody,
        caller: Annotated[Caller, Depends(SCHRIJVEN)],
        school_id: Annotated[
            UUID | None,
            Query(
                alias="schoolId",
                description="only this school's pupils (an export of one school); "
                "a record of another school's pupil is rejected as unknown",
            ),
        ] = None,
    ) -> JSONResponse:
        if school_id is not None:
            verwijzing_toegestaan(caller, school_id, "schoolId", "school")
        if len(body.afwezigheden) > MAX_BULK:
            raise TeGroot(
                f"Hooguit {MAX_BULK} afwezigheden per verzoek.",
                invalidParams=[
                    {"name": "afwezigheden", "reason": f"hooguit {MAX_BULK} records"}
                ],
            )
        antwoord = await uitvoeren(
            runtime, _verwerk_bulk, app(), caller, body.afwezigheden, school_id
        )
        return JSONResponse(antwoord)

    @router.get(
        "/afwezigheden/{afwezigheidId}",
        name="afwezigheid",
        response_model=Afwezigheid,
        response_model_by_alias=True,
        responses=NIET_GEVONDEN,
        summary="An absence record and the current status of its slots",
    )
    async def afwezigheid(
        afwezigheidId: UUID,  # noqa: N803 - the path parameter's public name
        caller: Annotated[Caller, Depends(LEZEN)],
    ) -> Afwezigheid:
        return await gevonden(caller, afwezigheidId)

    @router.delete(
        "/afwezigheden/{afwezigheidId}",
        status_code=204,
        response_class=Response,
        responses={**NIET_GEVONDEN, **UITGEVOERD, **GEWIST},
        summary="Withdraw an absence record; its slots are classified again",
    )
    async def trek_in(
        afwezigheidId: UUID,  # noqa: N803
        caller: Annotated[Caller, Depends(SCHRIJVEN)],
    ) -> Response:
        await gevonden(caller, afwezigheidId)
        await uitvoeren(runtime, app().trek_afwezigheid_in, afwezigheidId)
        return Response(status_code=204)

    return router
