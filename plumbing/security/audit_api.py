"""`GET /v1/auditregels`: the audit trail for operators (role ``beheer``).

An operator sees only records of the schools in their own scope, whatever
filter they send, so one school board's trail never shows in another's.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from plumbing.security.audit import AuditLog, AuditRegel
from plumbing.security.callers import Caller, Rol
from plumbing.security.dependencies import require_roles

MAX_LIMIT = 1000
# Positions are 64-bit integers in both databases; a larger `voor` cannot be bound.
MAX_POSITIE = 2**63 - 1


def _in_utc(moment: datetime) -> datetime:
    """An instant the trail can compare with: it is compared in UTC, and near the
    ends of `datetime` the offset alone overflows."""
    try:
        moment.astimezone(UTC)
    except OverflowError:
        raise ValueError("ligt buiten het bereik van een tijdstip") from None
    return moment


Tijdstip = Annotated[AwareDatetime, AfterValidator(_in_utc)]


class _CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class AuditRegelOut(_CamelModel):
    """One access to one pupil's data."""

    positie: int = Field(
        description="Position in the audit log; use as `voor` to page."
    )
    tijdstip: datetime
    caller_id: str
    caller_soort: str = Field(description="`systeem` or `persoon`.")
    rollen: list[str]
    actie: str = Field(description="`read` or `change`.")
    methode: str
    pad: str = Field(description="The endpoint's path template.")
    leerling_id: UUID | None
    school_id: str | None
    status: int

    @classmethod
    def of(cls, regel: AuditRegel) -> AuditRegelOut:
        return cls(
            positie=regel.positie,
            tijdstip=regel.tijdstip,
            caller_id=regel.caller_id,
            caller_soort=regel.caller_soort,
            rollen=list(regel.rollen),
            actie=regel.actie,
            methode=regel.methode,
            pad=regel.pad,
            leerling_id=regel.leerling_id,
            school_id=regel.school_id,
            status=regel.status,
        )


class AuditRegels(_CamelModel):
    auditregels: list[AuditRegelOut]
    volgende: int | None = Field(
        description="Pass as `voor` for the next (older) page; null on the last page."
    )


def audit_router(log: AuditLog) -> APIRouter:
    """The router; `create_app` mounts it under ``/v1``."""
    router = APIRouter(tags=["audit"])

    @router.get(
        "/auditregels",
        response_model=AuditRegels,
        response_model_by_alias=True,
        summary="Audit trail of access to pupil data",
    )
    async def auditregels(
        caller: Annotated[Caller, Depends(require_roles(Rol.BEHEER))],
        leerling_id: Annotated[UUID | None, Query(alias="leerlingId")] = None,
        school_id: Annotated[str | None, Query(alias="schoolId")] = None,
        caller_id: Annotated[str | None, Query(alias="callerId")] = None,
        vanaf: Annotated[Tijdstip | None, Query()] = None,
        tot: Annotated[Tijdstip | None, Query()] = None,
        voor: Annotated[int | None, Query(ge=1, le=MAX_POSITIE)] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 100,
    ) -> AuditRegels:
        schools = set(caller.scholen)
        if school_id is not None:
            schools &= {school_id}
        regels = await asyncio.to_thread(
            log.query,
            leerling_id=leerling_id,
            school_ids=schools,
            caller_id=caller_id,
            vanaf=vanaf,
            tot=tot,
            voor_positie=voor,
            limit=limit + 1,
        )
        volgende = regels[limit - 1].positie if len(regels) > limit else None
        return AuditRegels(
            auditregels=[AuditRegelOut.of(regel) for regel in regels[:limit]],
            volgende=volgende,
        )

    return router
