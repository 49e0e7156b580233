"""What the use cases of `Registratie` take and return.

Inputs are pydantic models with camelCase aliases (the HTTP bodies); outputs are frozen
dataclasses. A pupil's PGN is an input only: no output carries it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from services.registratie.domain.afmelding import AfmeldingSoort
from services.registratie.domain.afwezigheid import Uitkomst
from services.registratie.domain.classificatie import Grond, SlotStatus
from services.registratie.domain.school import Beleid, RedenCode, Sector
from services.registratie.domain.tijd import Datum, Moment
from services.registratie.domain.verlof import Beslisser, Reden, VerlofSoort
from services.registratie.domain.verlof import Uitkomst as VerlofUitkomst

__all__ = [
    "AfmeldingInvoer",
    "AfmeldingView",
    "AfwezigheidView",
    "BesluitInvoer",
    "BulkRegel",
    "BulkResultaat",
    "GrondInvoer",
    "HerbeoordelingResultaat",
    "LeerlingInvoer",
    "LeerlingView",
    "RegistratieResultaat",
    "SchoolInvoer",
    "SchoolView",
    "VerlofaanvraagInvoer",
    "VerlofaanvraagView",
    "VerzuimdagView",
]


class _Invoer(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True, extra="forbid"
    )


class SchoolInvoer(_Invoer):
    brin: str = Field(min_length=4, max_length=10)
    vestiging: str | None = Field(default=None, pattern=r"^[0-9]{2}$")
    naam: str = Field(min_length=1, max_length=120)
    sector: Sector
    regio: str | None = Field(default=None, max_length=40)
    # ISO weekday → [[lesuur, "HH:MM", "HH:MM"], ...]
    rooster: dict[str, list[tuple[int, str, str]]]
    redenen: list[RedenCode] = Field(default_factory=list)
    beleid: Beleid = Field(default_factory=Beleid)


class LeerlingInvoer(_Invoer):
    school_id: UUID
    leerling_id: UUID | None = None
    leerlingnummer: str | None = Field(default=None, max_length=40)
    geboortedatum: Datum
    # BSN or onderwijsnummer; validated by the use case so no error echoes it.
    pgn: str = Field(min_length=1, max_length=20, repr=False)
    woongemeente: str
    inschrijving_vanaf: Datum
    inschrijving_tot: Datum | None = None
    groep: str | None = Field(default=None, max_length=20)  # PO
    klas: str | None = Field(default=None, max_length=20)  # VO / MBO
    leerjaar: int | None = Field(default=None, ge=1, le=8)
    startkwalificatie: Datum | None = None
    lesdagen: list[int] | None = None  # ISO weekdays the pupil has lessons (MBO BBL)


class AfmeldingInvoer(_Invoer):
    leerling_id: UUID
    soort: AfmeldingSoort
    van: Datum
    tot: Datum | None = None
    lesuur_van: int | None = Field(default=None, ge=1, le=20)
    lesuur_tot: int | None = Field(default=None, ge=1, le=20)
    ontvangen: Moment | None = None  # default: now
    gemeld_door: str = Field(default="ouder", max_length=40)
    # The sender's own id of the notice (per pupil and `bron`): sent again, the same
    # notice is answered and nothing is stored. Without it every notice is new.
    bron: str | None = Field(default=None, min_length=1, max_length=40)
    bron_id: str | None = Field(default=None, min_length=1, max_length=100)


class VerlofaanvraagInvoer(_Invoer):
    leerling_id: UUID
    soort: VerlofSoort
    # A school year outside this range overflows (R-AGE-3: 1 August - 31 July).
    van: Datum
    tot: Datum
    ingediend_op: Datum | None = None  # default: today
    werkgeversverklaring: bool = False
    omstandigheid: str | None = Field(default=None, max_length=60)
    minuten: int | None = Field(default=None, ge=1, le=600)


class BesluitInvoer(_Invoer):
    uitkomst: Literal[VerlofUitkomst.GRANTED, VerlofUitkomst.DENIED]
    reden: Reden | None = None
    beslisser: Beslisser = Beslisser.HEAD
    door: str = Field(min_length=1, max_length=100)
    toelichting: str = Field(min_length=1, max_length=1000)


class GrondInvoer(_Invoer):
    """A vrijstelling or schorsing on the pupil's record (Lpw art. 11(c), 5, 15)."""

    leerling_id: UUID
    grond: Literal[Grond.VRIJSTELLING, Grond.SCHORSING]
    van: Datum
    tot: Datum | None = None
    lesuren: list[int] | None = None
    kenmerk: str = Field(min_length=1, max_length=100)


@dataclass(frozen=True)
class SchoolView:
    school_id: UUID
    brin: str
    vestiging: str | None
    naam: str
    sector: Sector
    schooljaren: list[int]
    versie: int


@dataclass(frozen=True)
class LeerlingView:
    leerling_id: UUID
    school_id: UUID
    geboortedatum: date | None  # None once the personal data is erased
    pgn_schema: str
    woongemeente: str
    inschrijving_vanaf: date
    inschrijving_tot: date | None
    versie: int
    gewist_op: datetime | None = None


@dataclass(frozen=True)
class AfwezigheidView:
    afwezigheid_id: UUID
    leerling_id: UUID
    school_id: UUID
    bron: str
    bron_id: str
    invoer: dict[str, Any]
    dagen: list[date]
    ingetrokken: bool
    versie: int


@dataclass(frozen=True)
class RegistratieResultaat:
    uitkomst: Uitkomst
    afwezigheid: AfwezigheidView


@dataclass(frozen=True)
class BulkRegel:
    index: int
    bron_id: str | None
    status: Literal["accepted", "unchanged", "corrected", "rejected"]
    afwezigheid_id: UUID | None = None
    veld: str | None = None
    reden: str | None = None


@dataclass(frozen=True)
class BulkResultaat:
    regels: list[BulkRegel]
    aantallen: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class VerzuimdagView:
    leerling_id: UUID
    datum: date
    slots: list[SlotStatus]
    versie: int


@dataclass(frozen=True)
class AfmeldingView:
    afmelding_id: UUID
    leerling_id: UUID
    soort: AfmeldingSoort
    van: date
    tot: date | None
    tijdig: bool
    binnen_limiet: bool
    versie: int
    nieuw: bool = True  # False: the same notice was sent before (by bronId)


@dataclass(frozen=True)
class VerlofaanvraagView:
    aanvraag_id: UUID
    leerling_id: UUID
    soort: VerlofSoort
    van: date
    tot: date
    lesdagen: int
    uitkomst: VerlofUitkomst
    reden: Reden | None
    vlaggen: list[str]
    beslisser: Beslisser | None
    besloten_door: str | None
    toelichting: str | None
    versie: int


@dataclass(frozen=True)
class HerbeoordelingResultaat:
    vandaag: date
    dagen: int
    gewijzigde_slots: int
