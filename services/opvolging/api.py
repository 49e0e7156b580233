"""The HTTP API of opvolging: dossiers, their evaluations, closing and the report.

Routes carry no `/v1` (the platform adds it). Every change records who made it (the
authenticated caller's id) and when (the runtime clock). The actions of a dossier
are in `api_acties`; access, roles and the error mapping in `api_toegang`.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from plumbing.runtime import ServiceRuntime
from plumbing.security.callers import Caller
from plumbing.security.dependencies import ensure_school
from services.opvolging.api_acties import acties_router
from services.opvolging.api_modellen import (
    AfsluitingIn,
    DossierLijst,
    DossierUit,
    EvaluatieIn,
    EvaluatieLijst,
    EvaluatieUit,
)
from services.opvolging.api_toegang import (
    COORDINEREN,
    GEWIST,
    LEZEN,
    NIET_GEVONDEN,
    DossierId,
    DossierToegang,
    noteer_leerlingen,
)
from services.opvolging.api_weergave import (
    camel_sleutels,
    dossier_uit,
    evaluatie_uit,
    samenvatting_uit,
)
from services.opvolging.domain.actie import Actie, ActieSoort
from services.opvolging.domain.dossierstatus import DossierStatus
from services.opvolging.domain.evaluatie import WeekCijfer
from services.opvolging.domain.rasci import Rol
from services.opvolging.domain.worklist import werklijst

__all__ = ["routers"]


def routers(runtime: ServiceRuntime) -> list[APIRouter]:
    toegang = DossierToegang(runtime)
    return [_dossiers_router(toegang), acties_router(toegang)]


def _dossiers_router(toegang: DossierToegang) -> APIRouter:
    router = APIRouter(tags=["dossiers"])

    @router.get("/dossiers", response_model_by_alias=True, responses=NIET_GEVONDEN)
    async def dossiers(
        caller: Annotated[Caller, Depends(LEZEN)],
        school_id: Annotated[UUID, Query(alias="schoolId")],
        status: Annotated[DossierStatus | None, Query()] = None,
        rol: Annotated[Rol | None, Query(description="the R role's worklist")] = None,
        actie: Annotated[
            ActieSoort | None,
            Query(description="only dossiers with an open action of this kind"),
        ] = None,
    ) -> DossierLijst:
        """A school's dossiers; with `rol` its worklist: open actions, overdue first;
        with `actie` only those where an action of that kind is open (for `rol`:
        open for that role), e.g. the decisions waiting for the coördinator."""
        school = str(school_id)
        ensure_school(caller, school)
        opvolging = toegang.app
        gevonden = await toegang.uitvoeren(
            opvolging.dossiers,
            school,
            status=status.value if status else None,
            rol=rol.value if rol else None,
        )
        vandaag = toegang.runtime.clock.today()
        if actie is not None and rol is None:
            # The few dossiers waiting for this kind, before sorting their actions.
            gevonden = [
                d for d in gevonden if any(a.soort == actie for a in d.open_acties())
            ]
        open_acties: dict[UUID, list[Actie]] = {d.id: [] for d in gevonden}
        if rol is not None:
            for regel in werklijst(gevonden, rol.value, vandaag):
                open_acties[regel.dossier_id].append(regel.actie)
            gevonden = sorted(
                gevonden, key=lambda d: _eerste(open_acties[d.id], vandaag)
            )
        else:
            for d in gevonden:
                open_acties[d.id] = sorted(
                    d.open_acties(), key=lambda a: (a.vervaldatum, a.aangemaakt_op)
                )
        if actie is not None:
            # Of the actions listed: with `rol`, that role's own.
            gevonden = [
                d for d in gevonden if any(a.soort == actie for a in open_acties[d.id])
            ]
        noteer_leerlingen(*(d.leerling_id for d in gevonden))
        beleid = opvolging.beleid(school)
        return DossierLijst(
            dossiers=[
                samenvatting_uit(d, open_acties[d.id], beleid, vandaag)
                for d in gevonden
            ]
        )

    @router.get(
        "/dossiers/{dossierId}", response_model_by_alias=True, responses=NIET_GEVONDEN
    )
    async def dossier(
        dossier_id: DossierId, caller: Annotated[Caller, Depends(LEZEN)]
    ) -> DossierUit:
        d = await toegang.dossier(caller, dossier_id)
        return dossier_uit(
            d, toegang.app.beleid(d.school_id), toegang.runtime.clock.today()
        )

    @router.get(
        "/dossiers/{dossierId}/evaluaties",
        response_model_by_alias=True,
        responses=NIET_GEVONDEN,
    )
    async def evaluaties(
        dossier_id: DossierId, caller: Annotated[Caller, Depends(LEZEN)]
    ) -> EvaluatieLijst:
        d = await toegang.dossier(caller, dossier_id)
        return EvaluatieLijst(
            evaluaties=[evaluatie_uit(e) for e in d.evaluaties],
            volgende_evaluatie=d.evaluatie_verschuldigd_op(
                toegang.app.beleid(d.school_id)
            ),
        )

    @router.post(
        "/dossiers/{dossierId}/evaluaties",
        status_code=201,
        response_model_by_alias=True,
        responses={
            404: {"description": "Not found"},
            409: {"description": "No measures"},
            **GEWIST,
        },
    )
    async def evalueren(
        dossier_id: DossierId,
        body: EvaluatieIn,
        caller: Annotated[Caller, Depends(COORDINEREN)],
    ) -> EvaluatieUit:
        """PDCA check now; a failing measure plans the next step of the protocol."""
        await toegang.dossier(caller, dossier_id)
        cijfers = (
            [WeekCijfer(w.week, w.minuten) for w in body.weken]
            if body.weken is not None
            else None
        )
        evaluatie = await toegang.uitvoeren(
            toegang.app.evalueer,
            dossier_id,
            cijfers=cijfers,
            peildatum=body.peildatum or toegang.runtime.clock.today(),
            door=caller.id,
            op=toegang.runtime.clock.now(),
        )
        return evaluatie_uit(evaluatie)

    @router.post(
        "/dossiers/{dossierId}/afsluiting",
        response_model_by_alias=True,
        responses={
            404: {"description": "Not found"},
            409: {"description": "Refused"},
            **GEWIST,
        },
    )
    async def afsluiten(
        dossier_id: DossierId,
        body: AfsluitingIn,
        caller: Annotated[Caller, Depends(COORDINEREN)],
    ) -> DossierUit:
        """Close the dossier with a reason; open decisions or unsent meldingen block."""
        await toegang.dossier(caller, dossier_id)
        await toegang.uitvoeren(
            toegang.app.afsluiten,
            dossier_id,
            reden=body.reden.value,
            toelichting=body.toelichting,
            door=caller.id,
            op=toegang.runtime.clock.now(),
        )
        d = await toegang.uitvoeren(toegang.app.dossier, dossier_id)
        return dossier_uit(
            d, toegang.app.beleid(d.school_id), toegang.runtime.clock.today()
        )

    @router.get(
        "/dossiers/{dossierId}/rapport",
        response_model=None,
        responses={
            200: {
                "description": "The report; HTML with `Accept: text/html`",
                "content": {
                    "application/json": {"schema": {"type": "object"}},
                    "text/html": {"schema": {"type": "string"}},
                },
            },
            404: {"description": "Not found"},
        },
    )
    async def rapport(
        dossier_id: DossierId,
        request: Request,
        caller: Annotated[Caller, Depends(LEZEN)],
    ) -> Response:
        """Everything that happened in the dossier: the closing report once closed."""
        await toegang.dossier(caller, dossier_id)
        if _wil_html(request.headers.get("accept", "")):
            html = await toegang.uitvoeren(toegang.app.rapport_html, dossier_id)
            return HTMLResponse(html)
        inhoud = await toegang.uitvoeren(toegang.app.rapport, dossier_id)
        return JSONResponse(camel_sleutels(inhoud))

    return router


def _eerste(acties: list[Actie], vandaag: date) -> tuple[Any, ...]:
    """Worklist order of a dossier: by its most urgent action (overdue first)."""
    if not acties:
        return (True, vandaag, "")
    a = acties[0]
    return (not a.is_te_laat(vandaag), a.vervaldatum, a.aangemaakt_op.isoformat())


def _wil_html(accept: str) -> bool:
    """True when the client prefers HTML over JSON (plain order, no q-weights needed
    for the browsers and tools that ask this service)."""
    soorten = [deel.split(";")[0].strip().lower() for deel in accept.split(",")]
    if "text/html" not in soorten:
        return False
    return "application/json" not in soorten or soorten.index(
        "text/html"
    ) < soorten.index("application/json")
