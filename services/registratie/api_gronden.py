"""Legal grounds besides notices and leave: a pupil well again, a vrijstelling or a
schorsing on the pupil (a closure of the whole school is in `api_scholen`).

Each makes the days it covers geoorloofd (or, for a sick notice that ends, no longer
so) and classifies them again at once, like the facts in `api_meldingen`. A
vrijstelling or schorsing is known by the school's own reference (`kenmerk`): the
same reference again replaces it, so a SIS can send it as often as it likes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path

from plumbing.errors import NotFound
from plumbing.security.access import note_leerlingen
from plumbing.security.callers import Caller
from services.registratie import api_lezen
from services.registratie.api_basis import (
    GEWIST,
    JSON,
    MEDIATYPE,
    NIET_GEVONDEN,
    SCHRIJVEN,
    UITGEVOERD,
    eigen_leerling,
    uitvoeren,
)
from services.registratie.api_modellen import (
    Afmelding,
    BetermeldingBody,
    GrondAntwoord,
    GrondBody,
)
from services.registratie.domain.classificatie import Grond
from services.registratie.modellen import GrondInvoer
from services.registratie.service_app import RegistratieDienst, registratie

if TYPE_CHECKING:
    from plumbing.runtime import ServiceRuntime

__all__ = ["gronden_router"]

Kenmerk = Annotated[
    str,
    Path(
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="the school's own reference of the decision",
    ),
]
_ANTWOORDEN = {**NIET_GEVONDEN, **MEDIATYPE, **UITGEVOERD, **GEWIST}


def _geen_leerling() -> NotFound:
    return NotFound("Er is geen leerling met dit id.")


def gronden_router(runtime: ServiceRuntime) -> APIRouter:
    router = APIRouter(tags=["afmeldingen en verlof"])

    def app() -> RegistratieDienst:
        return registratie(runtime)

    async def van_caller(caller: Caller, leerling_id: UUID) -> None:
        note_leerlingen(leerling_id)
        await eigen_leerling(runtime, app(), caller, leerling_id, _geen_leerling)

    async def leg_vast(
        caller: Caller, leerling_id: UUID, grond: Grond, kenmerk: str, body: GrondBody
    ) -> GrondAntwoord:
        await van_caller(caller, leerling_id)
        invoer = GrondInvoer(
            leerling_id=leerling_id,
            grond=grond,
            van=body.van,
            tot=body.tot,
            lesuren=body.lesuren,
            kenmerk=kenmerk,
        )
        await uitvoeren(runtime, app().leg_grond_vast, invoer)
        return GrondAntwoord(
            leerling_id=leerling_id,
            grond=grond.value,
            kenmerk=kenmerk,
            **body.model_dump(),
        )

    @router.post(
        "/afmeldingen/{afmeldingId}/betermelding",
        response_model=Afmelding,
        response_model_by_alias=True,
        dependencies=JSON,
        responses=_ANTWOORDEN,
        summary="The pupil is well again: an open sick notice ends on `tot`",
    )
    async def meld_beter(
        afmeldingId: UUID,  # noqa: N803 - the path parameter's public name
        body: BetermeldingBody,
        caller: Annotated[Caller, Depends(SCHRIJVEN)],
    ) -> Afmelding:
        gevonden = await runtime.run_sync(api_lezen.afmelding, app(), afmeldingId)
        if gevonden is None:
            raise NotFound("Er is geen afmelding met dit id.")
        await van_caller(caller, gevonden.leerling_id)
        await uitvoeren(runtime, app().meld_beter, afmeldingId, body.tot)
        antwoord = await runtime.run_sync(api_lezen.afmelding, app(), afmeldingId)
        assert antwoord is not None  # stored a moment ago
        return antwoord

    def grond_route(meervoud: str, grond: Grond, samenvatting: str) -> None:
        async def leg_grond_vast(
            leerlingId: UUID,  # noqa: N803 - the path parameter's public name
            kenmerk: Kenmerk,
            body: GrondBody,
            caller: Annotated[Caller, Depends(SCHRIJVEN)],
        ) -> GrondAntwoord:
            return await leg_vast(caller, leerlingId, grond, kenmerk, body)

        router.put(
            f"/leerlingen/{{leerlingId}}/{meervoud}/{{kenmerk}}",
            response_model=GrondAntwoord,
            response_model_by_alias=True,
            dependencies=JSON,
            responses=_ANTWOORDEN,
            summary=samenvatting,
            name=f"leg_{grond.value}_vast",
        )(leg_grond_vast)

    grond_route(
        "vrijstellingen",
        Grond.VRIJSTELLING,
        "A vrijstelling (Lpw art. 5, 11, 15): its days are geoorloofd",
    )
    grond_route(
        "schorsingen",
        Grond.SCHORSING,
        "A schorsing (Lpw art. 11(c)): its days are geoorloofd",
    )

    return router
