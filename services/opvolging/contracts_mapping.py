"""Stored domain events → the public contracts on ``verzuim.opvolging.v1``.

The relay calls `to_contract` for every stored event, without state: each published
event is built from the one domain event alone. Internal events (the pointer, the
figures behind the PDCA check, timeline-only changes) map to None.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid5

from contracts.envelope import ContractEvent
from contracts.opvolging import (
    ActieAfgerond,
    Besluit,
    BesluitGenomen,
    DossierGeopend,
    DossierGesloten,
)
from services.opvolging.domain.actie import ActieSoort
from services.opvolging.domain.dossier import Dossier
from services.opvolging.domain.tijd import datum_van

__all__ = ["to_contract"]

# Ids in the domain are strings; those that came from contracts are UUIDs already.
_NAAMRUIMTE = UUID("a4f3b2f1-8c1d-4e8b-9b52-5d1f0c3e7a90")

# Decision outcome → (contract value, the event attribute naming what it is about).
_BESLUITEN: dict[type[Any], tuple[Besluit, str]] = {
    Dossier.LuxeverzuimBevestigd: ("luxeverzuimBevestigd", "signaal_id"),  # D18
    Dossier.LuxeverzuimAfgewezen: ("luxeverzuimAfgewezen", "signaal_id"),
    Dossier.AchterstalligeMeldingBevestigd: ("achterstalligBevestigd", "meldplicht_id"),
    # The melding is never sent: ketenkoppeling lets it lapse.
    Dossier.AchterstalligeMeldingAfgewezen: ("achterstalligAfgewezen", "meldplicht_id"),
    Dossier.IntrekkingBevestigd: ("intrekkingBevestigd", "meldplicht_id"),  # D15
    Dossier.IntrekkingAfgewezen: ("intrekkingAfgewezen", "meldplicht_id"),
}


def _uuid(waarde: str | UUID) -> UUID:
    if isinstance(waarde, UUID):
        return waarde
    try:
        return UUID(waarde)
    except ValueError:
        return uuid5(_NAAMRUIMTE, waarde)


def _sleutels(event: Any) -> dict[str, UUID]:
    return {
        "dossier_id": event.originator_id,
        "leerling_id": _uuid(event.leerling_id),
        "school_id": _uuid(event.school_id),
    }


def to_contract(event: Any) -> ContractEvent | None:
    if isinstance(event, Dossier.Geopend):
        aanleiding = event.aanleiding_id or event.originator_id
        return DossierGeopend(**_sleutels(event), aanleiding_id=_uuid(aanleiding))
    if isinstance(event, Dossier.ActieAfgerond):
        if event.soort != ActieSoort.MAATREGEL.value:
            return None  # repairing a refused melding is not a measure for the pupil
        return ActieAfgerond(
            **_sleutels(event),
            actie_id=_uuid(event.actie_id),
            titel=event.titel,
            uitkomst=event.uitkomst,
            afgerond_op=datum_van(event.op),
        )
    besluit = _BESLUITEN.get(type(event))
    if besluit is not None:
        waarde, verwijzing = besluit
        return BesluitGenomen(
            **_sleutels(event),
            besluit=waarde,
            verwijzing_id=_uuid(getattr(event, verwijzing)),
            door=event.door,
            op=event.op,
            toelichting=event.toelichting or None,
        )
    if isinstance(event, Dossier.Afgesloten):
        return DossierGesloten(**_sleutels(event), reden=event.reden)
    return None
