"""`/leerlingen`: register a pupil or many at once, read one back (never its PGN),
find it by its PGN, and its slots."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse

from leerplicht.identificatie import IdentificatieFout, valideer_pgn
from plumbing.errors import InvalidInput, NotFound
from plumbing.security.access import note_leerlingen
from plumbing.security.callers import Caller
from plumbing.security.dependencies import ensure_school
from services.registratie import api_lezen
from services.registratie.api_basis import (
    GEWIST,
    JSON,
    LEZEN,
    MEDIATYPE,
    NIET_GEVONDEN,
    SCHRIJVEN,
    UITGEVOERD,
    eigen_leerling,
    uitvoeren,
    verwijzing_toegestaan,
)
from services.registratie.api_bulk import (
    Bulkantwoord,
    begrens,
    bulk_antwoorden,
    leerling_id_van,
)
from services.registratie.api_modellen import (
    Leerling,
    LeerlingBody,
    Leerlingen,
    LeerlingenBulkAntwoord,
    LeerlingenBulkBody,
    LeerlingZoekvraag,
    Verzuimdagen,
)
from services.registratie.bulkregels import Regel, lees_model
from services.registratie.domain.fouten import ValidatieFout
from services.registratie.domain.tijd import EERSTE_DATUM, LAATSTE_DATUM
from services.registratie.leerlingen import MAX_LEERLINGEN
from services.registratie.modellen import LeerlingInvoer
from services.registratie.service_app import RegistratieDienst, registratie

if TYPE_CHECKING:
    from plumbing.runtime import ServiceRuntime

__all__ = ["MAX_DAGEN_OPVRAAG", "leerlingen_router"]

# One school year and a bit: longer periods are paged by the client.
MAX_DAGEN_OPVRAAG = 400


def _niet_gevonden() -> NotFound:
    return NotFound("Er is geen leerling met dit id.")


def _als_uuids(scholen: Iterable[str]) -> list[UUID]:
    """The caller's schools that can be registratie's (a school id is a UUID)."""
    gevonden = []
    for school in sorted(scholen):
        with contextlib.suppress(ValueError):
            gevonden.append(UUID(school))
    return gevonden


def _invoer(leerling_id: UUID, body: LeerlingBody) -> LeerlingInvoer:
    if body.leerling_id is not None and body.leerling_id != leerling_id:
        raise InvalidInput(
            "Het id in de body wijkt af van het pad.",
            fields={"leerlingId": "wijkt af van het id in het pad"},
        )
    if body.klas and body.groep and body.klas != body.groep:
        raise InvalidInput(
            "Klas en groep spreken elkaar tegen.",
            fields={"groep": "wijkt af van klas; geef er één"},
        )
    return LeerlingInvoer(
        school_id=body.school_id,
        leerling_id=leerling_id,
        leerlingnummer=body.leerlingnummer,
        geboortedatum=body.geboortedatum,
        pgn=body.pgn,
        woongemeente=body.woongemeente,
        inschrijving_vanaf=body.inschrijving_vanaf,
        inschrijving_tot=body.inschrijving_tot,
        groep=body.klas or body.groep,
        leerjaar=body.leerjaar,
        startkwalificatie=body.startkwalificatie,
        lesdagen=body.lesdagen,
    )


def _verwerk_leerlingen(
    app: RegistratieDienst, caller: Caller, leerlingen: list[Any]
) -> dict[str, Any]:
    """Each pupil checked as `PUT /v1/leerlingen/{leerlingId}` checks it (a school
    or an existing pupil the caller does not work for is unknown); the rest go in
    one save."""
    bestaand = app.scholen_van(
        i for i in map(leerling_id_van, leerlingen) if i is not None
    )
    antwoord = Bulkantwoord(len(leerlingen))
    invoeren: list[LeerlingInvoer] = []
    for index, item in enumerate(leerlingen):
        leerling_id = leerling_id_van(item)
        leeg = {"leerlingId": str(leerling_id) if leerling_id else None}
        try:
            body = lees_model(LeerlingBody, item)
        except ValidatieFout as fout:
            antwoord.weiger(index, fout.veld, fout.reden, **leeg)
            continue
        if body.leerling_id is None:
            antwoord.weiger(index, "leerlingId", "ontbreekt", **leeg)
            continue
        if not caller.may_access_school(str(body.school_id)):
            antwoord.weiger(index, "schoolId", "onbekende school", **leeg)
            continue
        school_id = bestaand.get(body.leerling_id)
        if school_id is not None and not caller.may_access_school(str(school_id)):
            antwoord.weiger(index, "leerlingId", "onbekende leerling", **leeg)
            continue
        try:
            invoeren.append(_invoer(body.leerling_id, body))
        except InvalidInput as fout:
            eerste = fout.extra["invalidParams"][0]
            antwoord.weiger(index, eerste["name"], eerste["reason"], **leeg)
            continue
        antwoord.door(index)
    note_leerlingen(*(invoer.leerling_id for invoer in invoeren))

    if invoeren:
        regels = app.registreer_leerlingen(invoeren)
        # A refused pupil is answered with the id it was sent with, as above.
        ids = iter([invoer.leerling_id for invoer in invoeren])

        def als_json(regel: Regel[Any]) -> dict[str, Any]:
            gestuurd = next(ids)
            return {"leerlingId": str(regel.resultaat or gestuurd)}

        antwoord.vul_aan(regels, als_json)
    return antwoord.als_json()


def leerlingen_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(tags=["leerlingen"])

    def app() -> RegistratieDienst:
        return registratie(runtime)

    async def van_caller(caller: Caller, leerling_id: UUID) -> None:
        await eigen_leerling(runtime, app(), caller, leerling_id, _niet_gevonden)

    @router.put(
        "/leerlingen/{leerlingId}",
        response_model=Leerling,
        response_model_by_alias=True,
        dependencies=JSON,
        responses={
            **NIET_GEVONDEN,
            **MEDIATYPE,
            **UITGEVOERD,
            **GEWIST,
            201: {"model": Leerling, "description": "Registered"},
        },
        summary="Register a pupil or replace its details",
    )
    async def zet_leerling(
        leerlingId: UUID,  # noqa: N803 - the path parameter's public name
        body: LeerlingBody,
        caller: Annotated[Caller, Depends(SCHRIJVEN)],
    ) -> JSONResponse:
        verwijzing_toegestaan(caller, body.school_id, "schoolId", "school")
        invoer = _invoer(leerlingId, body)
        dienst = app()
        bestond = await runtime.run_sync(dienst.scholen_van, [leerlingId])
        if leerlingId in bestond:
            # A pupil of a school the caller does not work for is not there for
            # them, as on every other path; whoever may see both schools hears
            # from the use case that a transfer is a new enrolment (D16).
            ensure_school(caller, str(bestond[leerlingId]), _niet_gevonden)
        await uitvoeren(
            runtime,
            dienst.registreer_leerling,
            invoer,
            verwijzingen={"school": "schoolId"},
        )
        gevonden = await runtime.run_sync(api_lezen.leerling, dienst, leerlingId)
        if gevonden is None:
            raise _niet_gevonden()
        return JSONResponse(
            gevonden.model_dump(mode="json", by_alias=True),
            200 if bestond else 201,
        )

    @router.post(
        "/leerlingen/bulk",
        response_model=LeerlingenBulkAntwoord,
        response_model_by_alias=True,
        dependencies=JSON,
        responses=bulk_antwoorden(MAX_LEERLINGEN, "pupils"),
        summary=f"Register or update up to {MAX_LEERLINGEN} pupils in one request",
    )
    async def zet_leerlingen(
        body: LeerlingenBulkBody, caller: Annotated[Caller, Depends(SCHRIJVEN)]
    ) -> JSONResponse:
        begrens(body.leerlingen, MAX_LEERLINGEN, "leerlingen")
        antwoord = await uitvoeren(
            runtime, _verwerk_leerlingen, app(), caller, body.leerlingen
        )
        return JSONResponse(antwoord)

    @router.post(
        "/leerlingen/zoeken",
        response_model=Leerlingen,
        response_model_by_alias=True,
        dependencies=JSON,
        responses=MEDIATYPE,
        summary="Find pupils of the caller's schools by BSN or onderwijsnummer",
        description="The number goes in the body and is never answered back. It is "
        "looked up through its keyed hash (HMAC-SHA256), per school: a school holds "
        "a number at most once. Pupils of schools the caller does not work for are "
        "never found; erased pupils neither.",
    )
    async def zoek_leerlingen(
        body: LeerlingZoekvraag, caller: Annotated[Caller, Depends(LEZEN)]
    ) -> Leerlingen:
        try:
            pgn = valideer_pgn(body.pgn)
        except IdentificatieFout as fout:
            raise InvalidInput(
                "Een veld is niet geldig.", fields={"pgn": fout.reden}
            ) from None
        if body.school_id is not None:
            verwijzing_toegestaan(caller, body.school_id, "schoolId", "school")
            scholen = [body.school_id]
        else:
            scholen = _als_uuids(caller.scholen)
        dienst = app()

        def zoek() -> list[Leerling]:
            ids = dienst.pgn_index.zoek(dienst, scholen, pgn.nummer)
            gevonden = (api_lezen.leerling(dienst, i) for i in ids)
            return [ll for ll in gevonden if ll is not None]

        leerlingen = await runtime.run_sync(zoek)
        note_leerlingen(*(ll.leerling_id for ll in leerlingen))
        return Leerlingen(leerlingen=leerlingen)

    @router.get(
        "/leerlingen/{leerlingId}",
        response_model=Leerling,
        response_model_by_alias=True,
        responses=NIET_GEVONDEN,
        summary="A pupil's registration (the PGN only by kind and last digits)",
    )
    async def leerling(
        leerlingId: UUID,  # noqa: N803
        caller: Annotated[Caller, Depends(LEZEN)],
    ) -> Leerling:
        gevonden = await runtime.run_sync(api_lezen.leerling, app(), leerlingId)
        if gevonden is None:
            raise _niet_gevonden()
        ensure_school(caller, str(gevonden.school_id), _niet_gevonden)
        return gevonden

    @router.get(
        "/leerlingen/{leerlingId}/verzuimdagen",
        response_model=Verzuimdagen,
        response_model_by_alias=True,
        responses=NIET_GEVONDEN,
        summary="The status of every recorded lesson slot of a pupil in a period",
    )
    async def verzuimdagen(
        leerlingId: UUID,  # noqa: N803
        caller: Annotated[Caller, Depends(LEZEN)],
        van: Annotated[date, Query(ge=EERSTE_DATUM, le=LAATSTE_DATUM)],
        tot: Annotated[date, Query(ge=EERSTE_DATUM, le=LAATSTE_DATUM)],
    ) -> Verzuimdagen:
        if tot < van:
            raise InvalidInput("tot ligt voor van.", fields={"tot": "ligt voor van"})
        if tot - van > timedelta(days=MAX_DAGEN_OPVRAAG):
            raise InvalidInput(
                "De periode is te lang.",
                fields={"tot": f"hooguit {MAX_DAGEN_OPVRAAG} dagen na van"},
            )
        await van_caller(caller, leerlingId)
        dagen = await runtime.run_sync(
            api_lezen.verzuimdagen, app(), leerlingId, van, tot
        )
        return Verzuimdagen(leerling_id=leerlingId, van=van, tot=tot, dagen=dagen)

    return router
