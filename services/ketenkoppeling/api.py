"""HTTP API of the ketenkoppeling: where each verzuimmelding stands at DUO, and the
partner notifications, with a manual retry for a failed one.

Every route needs a caller with a school role; data of another school answers 404,
exactly as a missing record does. No answer carries a BSN or onderwijsnummer: the
views are built from the melding's own fields, which never hold one.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from contracts.common import Verzuimsoort
from plumbing.errors import NotFound
from plumbing.security.access import note_leerlingen
from plumbing.security.callers import Caller, Rol
from plumbing.security.dependencies import ensure_school, require_roles
from services.ketenkoppeling.achtergrond import app_van
from services.ketenkoppeling.domain.fouten import (
    MeldingNietGevonden,
    NotificatieNietGevonden,
)
from services.ketenkoppeling.domain.verzuimmelding import Verzuimmelding
from services.ketenkoppeling.partners import Notificatie

if TYPE_CHECKING:
    from plumbing.runtime import ServiceRuntime

__all__ = ["routers"]

MAG_LEZEN = require_roles(
    Rol.VERZUIMCOORDINATOR, Rol.SCHOOLLEIDER, Rol.ZORGCOORDINATOR, Rol.ADMINISTRATIE
)
MAG_OPNIEUW_AANBIEDEN = require_roles(Rol.VERZUIMCOORDINATOR, Rol.BEHEER)

Statusfilter = Literal[
    "wachtend",
    "wachtOpBevestiging",
    "geregistreerd",
    "inBehandeling",
    "afgesloten",
    "terKennisgeving",
    "ingetrokken",
    "afgewezen",
    "vervallen",
    "intrekkingTeVersturen",
]
Notificatiefilter = Literal["open", "bezorgd", "mislukt"]

_MELDING_ONBEKEND = "Er is geen verzuimmelding met dit id."
_NOTIFICATIE_ONBEKEND = "Er is geen notificatie met dit id."


class SchoolNietGevonden(NotFound):
    title = "School niet gevonden"


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class VerzuimmeldingStand(_Model):
    """A verzuimmelding as the school sees it."""

    melding_id: UUID
    meldplicht_id: UUID
    leerling_id: UUID
    school_id: UUID
    verzuimsoort: str
    status: Statusfilter
    meldingsnummer: str | None = None
    begindatum: date
    einddatum: date | None = None
    vervaldatum: date | None = None
    achterstallig: bool
    termijn_overschreden: bool
    pogingen: int
    laatste_fout: str | None = None
    reden: str | None = None
    blokkade: list[str] = []


class Historieregel(_Model):
    op: datetime
    gebeurtenis: str
    status: str
    toelichting: str | None = None


class VerzuimmeldingMetHistorie(VerzuimmeldingStand):
    historie: list[Historieregel]


class Bezorgpoging(_Model):
    nummer: int
    resultaat: str
    statuscode: int | None = None
    fout: str | None = None
    tijdstip: datetime


class NotificatieStand(_Model):
    notificatie_id: UUID
    leerling_id: UUID
    school_id: UUID
    soort: str
    ontvanger: str
    kanaal: str
    status: Notificatiefilter
    onderwerp: str
    aangemaakt_op: datetime
    bezorgd_op: datetime | None = None
    reden_mislukt: str | None = None
    pogingen: list[Bezorgpoging]


def _melding(melding: Verzuimmelding) -> dict[str, object]:
    plicht = melding.plicht
    return {
        "melding_id": melding.id,
        "meldplicht_id": melding.meldplicht_id,
        "leerling_id": melding.leerling_id,
        "school_id": melding.school_id,
        "verzuimsoort": melding.verzuimsoort,
        "status": str(melding.status),
        "meldingsnummer": melding.meldingsnummer,
        # DUO keeps the begindatum it was sent (no mutation changes it), also when
        # the duty was stated again while the melding was on its way.
        "begindatum": melding.begindatum_bij_duo or plicht.begindatum,
        "einddatum": plicht.einddatum,
        "vervaldatum": plicht.vervaldatum,
        "achterstallig": plicht.achterstallig,
        "termijn_overschreden": melding.termijn_overschreden,
        "pogingen": melding.pogingen,
        "laatste_fout": melding.laatste_fout,
        "reden": melding.reden,
        "blokkade": list(melding.blokkade),
    }


def _notificatie(notificatie: Notificatie) -> NotificatieStand:
    # The address is left out: for parents it is personal data.
    return NotificatieStand(
        notificatie_id=notificatie.id,
        leerling_id=UUID(notificatie.leerling_id),
        school_id=UUID(notificatie.school_id),
        soort=notificatie.soort,
        ontvanger=str(notificatie.rol),
        kanaal=str(notificatie.kanaal),
        status=str(notificatie.status),  # type: ignore[arg-type]
        onderwerp=notificatie.onderwerp,
        aangemaakt_op=notificatie.aangemaakt_op,
        bezorgd_op=notificatie.bezorgd_op,
        reden_mislukt=notificatie.reden_mislukt,
        pogingen=[
            Bezorgpoging(
                nummer=p.nummer,
                resultaat=str(p.resultaat),
                statuscode=p.statuscode,
                fout=p.fout,
                tijdstip=p.tijdstip,
            )
            for p in notificatie.pogingen
        ],
    )


# `_scholen`: a school asked for that does not exist or is not the caller's.
_SCHOOL_ONBEKEND: dict[int | str, dict[str, Any]] = {
    404: {"description": "No such school (of the caller's)"}
}


def _scholen(caller: Caller, school_id: UUID | None) -> list[UUID]:
    """The schools a listing covers: the one asked for, or all of the caller's."""
    if school_id is not None:
        ensure_school(
            caller,
            str(school_id),
            lambda: SchoolNietGevonden("Er is geen school met dit id."),
        )
        return [school_id]
    scholen = []
    for waarde in sorted(caller.scholen):
        try:
            scholen.append(UUID(waarde))
        except ValueError:
            continue
    return scholen


def routers(runtime: ServiceRuntime) -> list[APIRouter]:
    router = APIRouter(tags=["ketenkoppeling"])

    @router.get(
        "/verzuimmeldingen",
        response_model=list[VerzuimmeldingStand],
        summary="Verzuimmeldingen met hun stand bij DUO",
        responses=_SCHOOL_ONBEKEND,
    )
    async def verzuimmeldingen(
        caller: Annotated[Caller, Depends(MAG_LEZEN)],
        schoolId: Annotated[UUID | None, Query()] = None,
        status: Annotated[Statusfilter | None, Query()] = None,
        verzuimsoort: Annotated[Verzuimsoort | None, Query()] = None,
    ) -> list[VerzuimmeldingStand]:
        app = app_van(runtime)
        meldingen = await runtime.run_sync(app.meldingen, _scholen(caller, schoolId))
        gekozen = [
            m
            for m in meldingen
            if (status is None or m.status == status)
            and (verzuimsoort is None or m.verzuimsoort == verzuimsoort)
        ]
        note_leerlingen(*(m.leerling_id for m in gekozen))
        return [VerzuimmeldingStand.model_validate(_melding(m)) for m in gekozen]

    @router.get(
        "/verzuimmeldingen/{meldingId}",
        response_model=VerzuimmeldingMetHistorie,
        summary="Een verzuimmelding met haar geschiedenis",
        responses={404: {"description": "Not Found"}},
    )
    async def verzuimmelding(
        meldingId: UUID, caller: Annotated[Caller, Depends(MAG_LEZEN)]
    ) -> VerzuimmeldingMetHistorie:
        melding = await runtime.run_sync(app_van(runtime).melding, meldingId)
        ensure_school(
            caller,
            str(melding.school_id),
            lambda: MeldingNietGevonden(_MELDING_ONBEKEND),
        )
        note_leerlingen(melding.leerling_id)
        return VerzuimmeldingMetHistorie.model_validate(
            {**_melding(melding), "historie": melding.historie}
        )

    @router.get(
        "/notificaties",
        response_model=list[NotificatieStand],
        summary="Notificaties aan partners en hun bezorging",
        responses=_SCHOOL_ONBEKEND,
    )
    async def notificaties(
        caller: Annotated[Caller, Depends(MAG_LEZEN)],
        schoolId: Annotated[UUID | None, Query()] = None,
        status: Annotated[Notificatiefilter | None, Query()] = None,
    ) -> list[NotificatieStand]:
        app = app_van(runtime)
        scholen = [str(s) for s in _scholen(caller, schoolId)]
        lijst = await runtime.run_sync(app.notificaties, scholen)
        gekozen = [n for n in lijst if status is None or str(n.status) == status]
        return [_notificatie(n) for n in gekozen]

    @router.post(
        "/notificaties/{notificatieId}/opnieuw",
        response_model=NotificatieStand,
        status_code=202,
        summary="Een mislukte notificatie opnieuw aanbieden",
        responses={404: {"description": "Not Found"}, 409: {"description": "Conflict"}},
    )
    async def opnieuw(
        notificatieId: UUID, caller: Annotated[Caller, Depends(MAG_OPNIEUW_AANBIEDEN)]
    ) -> NotificatieStand:
        app = app_van(runtime)
        notificatie = await runtime.run_sync(app.notificatie, notificatieId)
        ensure_school(
            caller,
            notificatie.school_id,
            lambda: NotificatieNietGevonden(_NOTIFICATIE_ONBEKEND),
        )
        bijgewerkt = await runtime.run_sync(
            app.bied_opnieuw_aan, notificatieId, caller.id, runtime.clock.now()
        )
        return _notificatie(bijgewerkt)

    return [router]
