"""The actions of a dossier over HTTP: list, add, reassign, complete, cancel, decide.

Sub-resources are nouns (`afronding`, `annulering`, `besluit`, `toewijzing`), as
the Dutch API Design Rules ask. Every change records the caller and the moment.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from plumbing.security.callers import Caller
from services.opvolging.api_modellen import (
    ActieIn,
    ActieLijst,
    ActieUit,
    AfrondingIn,
    AnnuleringIn,
    BesluitIn,
    ToewijzingIn,
)
from services.opvolging.api_toegang import (
    BESLISSEN,
    COORDINEREN,
    GEWIST,
    LEZEN,
    NIET_GEVONDEN,
    PLANNEN,
    UITVOEREN,
    ActieId,
    DossierId,
    DossierToegang,
)
from services.opvolging.api_weergave import actie_uit

__all__ = ["acties_router"]


def acties_router(toegang: DossierToegang) -> APIRouter:
    router = APIRouter(tags=["acties"])

    @router.get(
        "/dossiers/{dossierId}/acties",
        response_model_by_alias=True,
        responses=NIET_GEVONDEN,
    )
    async def acties(
        dossier_id: DossierId, caller: Annotated[Caller, Depends(LEZEN)]
    ) -> ActieLijst:
        d = await toegang.dossier(caller, dossier_id)
        vandaag = toegang.runtime.clock.today()
        return ActieLijst(acties=[actie_uit(a, vandaag) for a in d.acties.values()])

    @router.post(
        "/dossiers/{dossierId}/acties",
        status_code=201,
        response_model_by_alias=True,
        responses={
            404: {"description": "No such dossier"},
            409: {"description": "Closed"},
            **GEWIST,
        },
    )
    async def actie_toevoegen(
        dossier_id: DossierId,
        body: ActieIn,
        request: Request,
        response: Response,
        caller: Annotated[Caller, Depends(PLANNEN)],
    ) -> ActieUit:
        await toegang.dossier(caller, dossier_id)
        actie_id = await toegang.uitvoeren(
            toegang.app.actie_toevoegen,
            dossier_id,
            titel=body.titel,
            activiteit=body.activiteit.value,
            r_rol=body.r_rol.value if body.r_rol else None,
            a_rol=body.a_rol.value if body.a_rol else None,
            vervaldatum=body.vervaldatum,
            door=caller.id,
            op=toegang.runtime.clock.now(),
        )
        response.headers["Location"] = f"{request.url.path}/{actie_id}"
        return await toegang.actie_na_wijziging(dossier_id, actie_id)

    @router.get(
        "/dossiers/{dossierId}/acties/{actieId}",
        response_model_by_alias=True,
        responses=NIET_GEVONDEN,
    )
    async def actie(
        dossier_id: DossierId,
        actie_id: ActieId,
        caller: Annotated[Caller, Depends(LEZEN)],
    ) -> ActieUit:
        d = await toegang.dossier(caller, dossier_id)
        return actie_uit(toegang.actie(d, actie_id), toegang.runtime.clock.today())

    @router.put(
        "/dossiers/{dossierId}/acties/{actieId}/toewijzing",
        response_model_by_alias=True,
        responses={
            404: {"description": "Not found"},
            409: {"description": "Not open"},
            **GEWIST,
        },
    )
    async def toewijzen(
        dossier_id: DossierId,
        actie_id: ActieId,
        body: ToewijzingIn,
        caller: Annotated[Caller, Depends(COORDINEREN)],
    ) -> ActieUit:
        """Give the action to another R role (and optionally another A role)."""
        toegang.actie(await toegang.dossier(caller, dossier_id), actie_id)
        await toegang.uitvoeren(
            toegang.app.actie_hertoewijzen,
            dossier_id,
            actie_id,
            r_rol=body.r_rol.value,
            a_rol=body.a_rol.value if body.a_rol else None,
            toelichting=body.toelichting,
            door=caller.id,
            op=toegang.runtime.clock.now(),
        )
        return await toegang.actie_na_wijziging(dossier_id, actie_id)

    @router.post(
        "/dossiers/{dossierId}/acties/{actieId}/afronding",
        response_model_by_alias=True,
        responses={
            404: {"description": "Not found"},
            409: {"description": "Not open"},
            **GEWIST,
        },
    )
    async def afronden(
        dossier_id: DossierId,
        actie_id: ActieId,
        body: AfrondingIn,
        caller: Annotated[Caller, Depends(UITVOEREN)],
    ) -> ActieUit:
        toegang.mag_uitvoeren(
            caller, toegang.actie(await toegang.dossier(caller, dossier_id), actie_id)
        )
        await toegang.uitvoeren(
            toegang.app.actie_afronden,
            dossier_id,
            actie_id,
            uitkomst=body.uitkomst,
            door=caller.id,
            op=toegang.runtime.clock.now(),
        )
        return await toegang.actie_na_wijziging(dossier_id, actie_id)

    @router.post(
        "/dossiers/{dossierId}/acties/{actieId}/annulering",
        response_model_by_alias=True,
        responses={
            404: {"description": "Not found"},
            409: {"description": "Not open"},
            **GEWIST,
        },
    )
    async def annuleren(
        dossier_id: DossierId,
        actie_id: ActieId,
        body: AnnuleringIn,
        caller: Annotated[Caller, Depends(UITVOEREN)],
    ) -> ActieUit:
        toegang.mag_uitvoeren(
            caller, toegang.actie(await toegang.dossier(caller, dossier_id), actie_id)
        )
        await toegang.uitvoeren(
            toegang.app.actie_annuleren,
            dossier_id,
            actie_id,
            reden=body.reden,
            door=caller.id,
            op=toegang.runtime.clock.now(),
        )
        return await toegang.actie_na_wijziging(dossier_id, actie_id)

    @router.post(
        "/dossiers/{dossierId}/acties/{actieId}/besluit",
        response_model_by_alias=True,
        responses={
            404: {"description": "Not found"},
            409: {"description": "Decided"},
            **GEWIST,
        },
    )
    async def besluiten(
        dossier_id: DossierId,
        actie_id: ActieId,
        body: BesluitIn,
        caller: Annotated[Caller, Depends(BESLISSEN)],
    ) -> ActieUit:
        """Confirm or reject luxeverzuim (D18), a backlog melding (D17) or a
        withdrawal (D15); the outcome is published as `BesluitGenomen`."""
        toegang.actie(await toegang.dossier(caller, dossier_id), actie_id)
        await toegang.uitvoeren(
            toegang.app.beslis,
            dossier_id,
            actie_id,
            bevestigd=body.bevestigd,
            toelichting=body.toelichting,
            door=caller.id,
            op=toegang.runtime.clock.now(),
        )
        return await toegang.actie_na_wijziging(dossier_id, actie_id)

    return router
