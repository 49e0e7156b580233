"""Events published by registratie on ``verzuim.registratie.v1``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Annotated, Any, ClassVar, Literal
from uuid import UUID

from pydantic import Field

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
from contracts.envelope import ContractEvent, ContractModel, register


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


class Slotclassificatie(ContractModel):
    """A slot of a pupil-day whose status was set or changed.

    The fields and meaning of `VerzuimGeclassificeerd` (``minuten`` under D3),
    without what the day carries once for all its slots."""

    wijziging: Literal["geclassificeerd"]
    slot_id: str
    lesuur: int | None = None
    status: Status
    grond: str | None = None
    reden_code: str | None = None
    soort: Soort
    minuten: Slotminuten
    gemiste_minuten: Slotminuten
    luxe: bool = False
    ziek: bool = False
    laat_ziekgemeld: bool = False
    telt: bool = True


class Slotvervallen(ContractModel):
    """A slot of a pupil-day that is no longer absent (as `VerzuimVervallen`)."""

    wijziging: Literal["vervallen"]
    slot_id: str
    lesuur: int | None = None


Slotwijziging = Annotated[
    Slotclassificatie | Slotvervallen, Field(discriminator="wijziging")
]


class VerzuimdagBijgewerkt(_Registratie):
    """The lesson slots of one pupil-day that changed, each classified or withdrawn.

    Registratie publishes this instead of one `VerzuimGeclassificeerd` or
    `VerzuimVervallen` per slot. Consumers still take those two (an older
    registratie, a republished old log); `per_slot` gives this day as them, so one
    handler serves both."""

    leerling_id: UUID
    school_id: UUID
    datum: date
    eenheid: Eenheid
    slots: list[Slotwijziging] = Field(min_length=1)

    @classmethod
    def van_slots(
        cls, slots: Sequence[VerzuimGeclassificeerd | VerzuimVervallen]
    ) -> VerzuimdagBijgewerkt:
        """The per-slot events of one pupil-day as one message (`per_slot` back)."""
        eerste = slots[0]
        eenheden = {s.eenheid for s in slots if isinstance(s, VerzuimGeclassificeerd)}
        dagen = {(s.leerling_id, s.school_id, s.datum) for s in slots}
        if len(dagen) != 1 or len(eenheden) > 1:
            raise ValueError("slots of more than one pupil-day or counting unit")
        return cls(
            leerling_id=eerste.leerling_id,
            school_id=eerste.school_id,
            datum=eerste.datum,
            eenheid=eenheden.pop() if eenheden else "lesuur",
            slots=[
                Slotvervallen(wijziging="vervallen", slot_id=s.slot_id, lesuur=s.lesuur)
                if isinstance(s, VerzuimVervallen)
                else Slotclassificatie(
                    wijziging="geclassificeerd",
                    **s.model_dump(
                        exclude={"leerling_id", "school_id", "datum", "eenheid"}
                    ),
                )
                for s in slots
            ],
        )

    def per_slot(self) -> list[VerzuimGeclassificeerd | VerzuimVervallen]:
        """The day's slots as the per-slot events, in the order they were sent.

        Built without validating again: every field was validated with this event."""
        dag = {
            "leerling_id": self.leerling_id,
            "school_id": self.school_id,
            "datum": self.datum,
        }
        berichten: list[VerzuimGeclassificeerd | VerzuimVervallen] = []
        for slot in self.slots:
            if isinstance(slot, Slotvervallen):
                berichten.append(
                    VerzuimVervallen.model_construct(
                        slot_id=slot.slot_id, lesuur=slot.lesuur, **dag
                    )
                )
            else:
                velden = dict(slot)
                del velden["wijziging"]
                berichten.append(
                    VerzuimGeclassificeerd.model_construct(
                        eenheid=self.eenheid, **dag, **velden
                    )
                )
        return berichten


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
    VerzuimdagBijgewerkt,
    VerlofBesloten,
    RegistratieSignaal,
    LeerlingGewist,
)
