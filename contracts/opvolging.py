"""Events published by opvolging on ``verzuim.opvolging.v1``."""

from __future__ import annotations

from datetime import date, datetime
from typing import ClassVar, Literal
from uuid import UUID

from contracts.envelope import ContractEvent, register


class _Opvolging(ContractEvent):
    service: ClassVar[str] = "opvolging"


class DossierGeopend(_Opvolging):
    dossier_id: UUID
    leerling_id: UUID
    school_id: UUID
    aanleiding_id: UUID


class ActieAfgerond(_Opvolging):
    """Actions already taken travel with the melding.

    DUO field ``toelichtingOndernomenactie``.
    """

    dossier_id: UUID
    leerling_id: UUID
    school_id: UUID
    actie_id: UUID
    titel: str
    uitkomst: str
    afgerond_op: date


Besluit = Literal[
    "luxeverzuimBevestigd",
    "luxeverzuimAfgewezen",
    "achterstalligBevestigd",
    "achterstalligAfgewezen",
    "intrekkingBevestigd",
    "intrekkingAfgewezen",
]


class BesluitGenomen(_Opvolging):
    """A decision the rules leave to a person (D15, D17, D18)."""

    dossier_id: UUID
    leerling_id: UUID
    school_id: UUID
    besluit: Besluit
    verwijzing_id: UUID
    door: str
    op: datetime
    toelichting: str | None = None


class DossierGesloten(_Opvolging):
    dossier_id: UUID
    leerling_id: UUID
    school_id: UUID
    reden: str


register(DossierGeopend, ActieAfgerond, BesluitGenomen, DossierGesloten)
