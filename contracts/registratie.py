"""Events published by registratie on ``verzuim.registratie.v1``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from contracts.common import (
    Contactpersoon,
    Eenheid,
    Kalender,
    Rooster,
    Sector,
    Slotminuten,
    Soort,
    Status,
    VersleuteldPgn,
)
from contracts.envelope import ContractEvent, register


class _Registratie(ContractEvent):
    service: ClassVar[str] = "registratie"


class SchoolGeregistreerd(_Registratie):
    """A school was registered or its settings changed (full state each time)."""

    school_id: UUID
    brin: str
    vestiging: str | None = None
    naam: str
    sector: Sector
    regio: str | None = None
    gemeente: str | None = None
    kalender: Kalender
    rooster: Rooster
    beleid: dict[str, Any] = {}
    contact_melder: Contactpersoon | None = None


class LeerlingGeregistreerd(_Registratie):
    """A pupil was registered or changed (full state each time)."""

    leerling_id: UUID
    school_id: UUID
    geboortedatum: date
    woongemeente: str
    inschrijving_vanaf: date
    inschrijving_tot: date | None = None
    klas: str | None = None
    leerjaar: int | None = None
    startkwalificatie: bool = False
    # Since when the pupil holds it (R-MLD-11); may lie after the publication date.
    startkwalificatie_sinds: date | None = None
    lesdagen: list[int] | None = None
    pgn: VersleuteldPgn


class VerzuimGeclassificeerd(_Registratie):
    """The status of one lesson slot was set or changed (a reclassification).

    ``minuten`` counts toward the 16 hours under D3; ``gemiste_minuten`` is the
    lesson time actually missed (lateness ladder, trends).
    """

    leerling_id: UUID
    school_id: UUID
    slot_id: str
    datum: date
    lesuur: int | None = None
    status: Status
    grond: str | None = None
    reden_code: str | None = None
    soort: Soort
    minuten: Slotminuten
    gemiste_minuten: Slotminuten
    eenheid: Eenheid
    luxe: bool = False
    ziek: bool = False
    laat_ziekgemeld: bool = False
    telt: bool = True


class VerzuimVervallen(_Registratie):
    """A lesson slot is no longer absent (withdrawn or corrected away)."""

    leerling_id: UUID
    school_id: UUID
    slot_id: str
    datum: date
    lesuur: int | None = None


class VerlofBesloten(_Registratie):
    leerling_id: UUID
    school_id: UUID
    verlofaanvraag_id: UUID
    soort: str
    van: date
    tot: date
    besluit: str
    reden: str | None = None


class RegistratieSignaal(_Registratie):
    """A signal registratie sees itself (late sick notice, sick around a vacation)."""

    leerling_id: UUID
    school_id: UUID
    soort: str
    datum: date
    toelichting: str


class LeerlingGewist(_Registratie):
    """A pupil's personal data was erased (AVG art. 17 on request, or art. 5(1)(e)
    when the retention period passed).

    Every service that received the pupil's personal data makes its own copy
    unreadable on receipt (it destroys its keys for that pupil) and keeps the
    counts, duties, melding statuses and audit facts. Carries no personal data;
    nothing new about this pupil follows.
    """

    leerling_id: UUID
    school_id: UUID
    grond: Literal["verzoek", "bewaartermijn"]
    gewist_op: datetime


register(
    SchoolGeregistreerd,
    LeerlingGeregistreerd,
    VerzuimGeclassificeerd,
    VerzuimVervallen,
    VerlofBesloten,
    RegistratieSignaal,
    LeerlingGewist,
)
