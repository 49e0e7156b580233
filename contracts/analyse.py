"""Events published by analyse on ``verzuim.analyse.v1``."""

from __future__ import annotations

from datetime import date
from typing import ClassVar
from uuid import UUID

from contracts.common import (
    Rol,
    SlotVerwijzing,
    Totaalminuten,
    Verzuimdag,
    Verzuimsoort,
)
from contracts.envelope import ContractEvent, register


class _Analyse(ContractEvent):
    service: ClassVar[str] = "analyse"


class MeldplichtVastgesteld(_Analyse):
    """A legal duty to report: the school must file a verzuimmelding at DUO.

    Published again with the same ``meldplicht_id`` when the duty changes (full
    state each time), e.g. when the einddatum of an LRV melding becomes known (D7).
    """

    meldplicht_id: UUID
    leerling_id: UUID
    school_id: UUID
    verzuimsoort: Verzuimsoort
    begindatum: date
    einddatum: date | None = None
    vervaldatum: date | None = None
    achterstallig: bool = False
    minuten: Totaalminuten
    slots: list[SlotVerwijzing]
    verzuimdagen: list[Verzuimdag]
    toelichting: str


class MeldplichtVervallen(_Analyse):
    """A duty not yet submitted no longer holds after a correction (D15)."""

    meldplicht_id: UUID
    leerling_id: UUID
    school_id: UUID
    reden: str


class IntrekkingVoorgesteld(_Analyse):
    """A submitted duty no longer holds: a person decides on withdrawal (D15)."""

    meldplicht_id: UUID
    leerling_id: UUID
    school_id: UUID
    reden: str


class SignaalAfgegeven(_Analyse):
    signaal_id: UUID
    leerling_id: UUID
    school_id: UUID
    soort: str
    datum: date
    toelichting: str
    slots: list[SlotVerwijzing] = []


class MaatregelVoorgesteld(_Analyse):
    maatregel_id: UUID
    leerling_id: UUID
    school_id: UUID
    aanleiding_id: UUID
    #: The measure's code in the school's protocol, e.g. "intrekkingBeoordelen".
    code: str | None = None
    titel: str
    activiteit: str
    verantwoordelijke: Rol
    eindverantwoordelijke: Rol
    optioneel: bool = False
    termijn: date | None = None


register(
    MeldplichtVastgesteld,
    MeldplichtVervallen,
    IntrekkingVoorgesteld,
    SignaalAfgegeven,
    MaatregelVoorgesteld,
)
