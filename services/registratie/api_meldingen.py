"""`/afmeldingen` and `/verlofaanvragen`: parents' notices, leave requests and the
decisions on them.

A decision records who took it: the authenticated caller, never a name in the body
(R-VRL-GO-6: a leave decision is open to objection, so it must be traceable). A
person decides as head only with the role `schoolleider`, as leerplichtambtenaar
only with that role; a system (`sis`, `beheer`) passes on either.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from plumbing.errors import Conflict, NotFound
from plumbing.problems import ProblemError
from plumbing.security.access import note_leerlingen
from plumbing.security.callers import Caller, CallerKind, Rol
from services.registratie import api_lezen
from services.registratie.api_basis import (
    BESLISSEN,
    GEWIST,
    JSON,
    LEZEN,
    MEDIATYPE,
    NIET_GEVONDEN,
    SCHRIJVEN,
    UITGEVOERD,
    VERLOF_LEZEN,
    eigen_leerling,
    met_locatie,
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
    Afmelding,
    AfmeldingenBulkAntwoord,
    AfmeldingenBulkBody,
    BesluitBody,
    Verlofaanvraag,
)
from services.registratie.bulkregels import Regel
from services.registratie.domain.verlof import Beslisser, Uitkomst
from services.registratie.meldingen_bulk import MAX_AFMELDINGEN
from services.registratie.modellen import (
    AfmeldingInvoer,
    BesluitInvoer,
    VerlofaanvraagInvoer,
)
from services.registratie.service_app import RegistratieDienst, registratie

if TYPE_CHECKING:
    from plumbing.runtime import ServiceRuntime

__all__ = ["meldingen_router"]

_ROL_VAN = {Beslisser.HEAD: Rol.SCHOOLLEIDER, Beslisser.LPA: Rol.LEERPLICHTAMBTENAAR}


def _geen_afmelding() -> NotFound:
    return NotFound("Er is geen afmelding met dit id.")


def _geen_aanvraag() -> NotFound:
    return NotFound("Er is geen verlofaanvraag met dit id.")


def _mag_beslissen_als(caller: Caller, beslisser: Beslisser) -> None:
    if caller.kind is CallerKind.PERSOON and not caller.has_any_role(
        _ROL_VAN[beslisser]
    ):
        raise ProblemError(
            403, "Forbidden", f"Your roles do not allow deciding as {beslisser.value}."
        )


def _verwerk_afmeldingen(
    app: RegistratieDienst, caller: Caller, afmeldingen: list[Any]
) -> dict[str, Any]:
    """Notices about pupils the caller may not see are refused as unknown pupils
    before the use case sees them; the rest go in one save."""
    ids = {i for i in map(leerling_id_van, afmeldingen) if i is not None}
    scholen = {
        leerling_id: school_id
        for leerling_id, school_id in app.scholen_van(ids).items()
        if caller.may_access_school(str(school_id))
    }
    note_leerlingen(*scholen)
    leeg = {"afmeldingId": None, "tijdig": None, "binnenLimiet": None}
    antwoord = Bulkantwoord(len(afmeldingen), **leeg)
    door = []
    for index, afmelding in enumerate(afmeldingen):
        leerling_id = leerling_id_van(afmelding)
        if leerling_id is not None and leerling_id not in scholen:
            antwoord.weiger(index, "leerlingId", "onbekende leerling")
        else:
            antwoord.door(index)
            door.append(afmelding)

    def als_json(regel: Regel[Any]) -> dict[str, Any]:
        view = regel.resultaat
        if view is None:
            return leeg
        return {
            "afmeldingId": str(view.afmelding_id),
            "tijdig": view.tijdig,
            "binnenLimiet": view.binnen_limiet,
        }

    if door:
        antwoord.vul_aan(app.registreer_afmeldingen(door), als_json)
    return antwoord.als_json()


def meldingen_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(tags=["afmeldingen en verlof"])

    def app() -> RegistratieDienst:
        return registratie(runtime)

    async def leerling_in_body(caller: Caller, leerling_id: UUID) -> None:
        note_leerlingen(leerling_id)
        scholen = await runtime.run_sync(app().scholen_van, [leerling_id])
        verwijzing_toegestaan(caller, scholen.get(leerling_id), "leerlingId")

    async def eigen(caller: Caller, leerling_id: UUID, niet_gevonden: type) -> None:
        note_leerlingen(leerling_id)
        await eigen_leerling(runtime, app(), caller, leerling_id, niet_gevonden)

    async def aanvraag(caller: Caller, aanvraag_id: UUID) -> Verlofaanvraag:
        view = await uitvoeren(runtime, app().verlofaanvraag, aanvraag_id)
        await eigen(caller, view.leerling_id, _geen_aanvraag)
        return api_lezen.verlofaanvraag(view)

    @router.post(
        "/afmeldingen",
        response_model=Afmelding,
        response_model_by_alias=True,
        status_code=201,
        dependencies=JSON,
        responses={
            **MEDIATYPE,
            **UITGEVOERD,
            **GEWIST,
            200: {"model": Afmelding, "description": "Sent before (same bronId)"},
        },
        summary="A parent's notice: ill, religious obligation, or a 5-year-old",
    )
    async def meld_af(
        request: Request,
        body: AfmeldingInvoer,
        caller: Annotated[Caller, Depends(SCHRIJVEN)],
    ) -> JSONResponse:
        await leerling_in_body(caller, body.leerling_id)
        view = await uitvoeren(
            runtime,
            app().registreer_afmelding,
            body,
            verwijzingen={"leerling": "leerlingId"},
        )
        antwoord = await runtime.run_sync(api_lezen.afmelding, app(), view.afmelding_id)
        if antwoord is None:
            raise _geen_afmelding()
        return met_locatie(
            request,
            "afmelding",
            antwoord,
            201 if view.nieuw else 200,
            afmeldingId=str(view.afmelding_id),
        )

    @router.post(
        "/afmeldingen/bulk",
        response_model=AfmeldingenBulkAntwoord,
        response_model_by_alias=True,
        dependencies=JSON,
        responses=bulk_antwoorden(MAX_AFMELDINGEN, "notices"),
        summary=f"Up to {MAX_AFMELDINGEN} parents' notices, answered per notice",
    )
    async def meld_af_bulk(
        body: AfmeldingenBulkBody, caller: Annotated[Caller, Depends(SCHRIJVEN)]
    ) -> JSONResponse:
        begrens(body.afmeldingen, MAX_AFMELDINGEN, "afmeldingen")
        antwoord = await uitvoeren(
            runtime, _verwerk_afmeldingen, app(), caller, body.afmeldingen
        )
        return JSONResponse(antwoord)

    @router.get(
        "/afmeldingen/{afmeldingId}",
        name="afmelding",
        response_model=Afmelding,
        response_model_by_alias=True,
        responses=NIET_GEVONDEN,
        summary="A parent's notice and whether it was in time (D8)",
    )
    async def afmelding(
        afmeldingId: UUID,  # noqa: N803 - the path parameter's public name
        caller: Annotated[Caller, Depends(LEZEN)],
    ) -> Afmelding:
        antwoord = await runtime.run_sync(api_lezen.afmelding, app(), afmeldingId)
        if antwoord is None:
            raise _geen_afmelding()
        await eigen(caller, antwoord.leerling_id, _geen_afmelding)
        return antwoord

    @router.post(
        "/verlofaanvragen",
        response_model=Verlofaanvraag,
        response_model_by_alias=True,
        status_code=201,
        dependencies=JSON,
        responses={**MEDIATYPE, **UITGEVOERD, **GEWIST},
        summary="A leave request, assessed against the law at once",
    )
    async def vraag_verlof_aan(
        request: Request,
        body: VerlofaanvraagInvoer,
        caller: Annotated[Caller, Depends(SCHRIJVEN)],
    ) -> JSONResponse:
        await leerling_in_body(caller, body.leerling_id)
        view = await uitvoeren(
            runtime,
            app().dien_verlofaanvraag_in,
            body,
            verwijzingen={"leerling": "leerlingId"},
        )
        return met_locatie(
            request,
            "verlofaanvraag",
            api_lezen.verlofaanvraag(view),
            verlofaanvraagId=str(view.aanvraag_id),
        )

    @router.get(
        "/verlofaanvragen/{verlofaanvraagId}",
        name="verlofaanvraag",
        response_model=Verlofaanvraag,
        response_model_by_alias=True,
        responses=NIET_GEVONDEN,
        summary="A leave request with its assessment and decision",
    )
    async def verlofaanvraag(
        verlofaanvraagId: UUID,  # noqa: N803
        caller: Annotated[Caller, Depends(VERLOF_LEZEN)],
    ) -> Verlofaanvraag:
        return await aanvraag(caller, verlofaanvraagId)

    @router.post(
        "/verlofaanvragen/{verlofaanvraagId}/besluit",
        response_model=Verlofaanvraag,
        response_model_by_alias=True,
        dependencies=JSON,
        responses={
            **NIET_GEVONDEN,
            **MEDIATYPE,
            **UITGEVOERD,
            **GEWIST,
            409: {"description": "Already granted"},
            422: {"description": "The law forbids it"},
        },
        summary="Decide a leave request; the caller is recorded as decider",
    )
    async def besluit(
        verlofaanvraagId: UUID,  # noqa: N803
        body: BesluitBody,
        caller: Annotated[Caller, Depends(BESLISSEN)],
    ) -> Verlofaanvraag:
        huidig = await aanvraag(caller, verlofaanvraagId)
        _mag_beslissen_als(caller, body.beslisser)
        if huidig.uitkomst is Uitkomst.GRANTED:
            # R-VRL-GO-6: a granted leave is a decision taken; change it by objection.
            raise Conflict("Dit verlof is al verleend; het besluit ligt vast.")
        invoer = BesluitInvoer(
            uitkomst=body.uitkomst,
            reden=body.reden,
            beslisser=body.beslisser,
            door=caller.id,
            toelichting=body.toelichting,
        )
        view = await uitvoeren(runtime, app().besluit_verlof, verlofaanvraagId, invoer)
        return api_lezen.verlofaanvraag(view)

    return router
