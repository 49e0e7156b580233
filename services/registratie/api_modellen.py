"""Request and response bodies of the registratie HTTP API (camelCase on the wire).

Absence records, notices and leave requests use the domain's own input models
(`AfwezigheidInvoer`, `AfmeldingInvoer`, `VerlofaanvraagInvoer`); schools and pupils
have bodies of their own here, in the shapes of `contracts.common` (calendar,
timetable, contact) so that what goes in is what the contracts carry out.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any, Literal
from uuid import UUID

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationInfo,
    field_validator,
)
from pydantic.alias_generators import to_camel

from services.registratie.domain.afmelding import AfmeldingSoort
from services.registratie.domain.school import Beleid, RedenCode, Sector
from services.registratie.domain.tijd import Datum
from services.registratie.domain.verlof import (
    Beslisser,
    Reden,
    Uitkomst,
    VerlofSoort,
)

_WEEKDAGEN = {"1", "2", "3", "4", "5", "6", "7"}


class _Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid"
    )


def _niet_voor(veld: str) -> Any:
    """A validator that refuses an end before the start named `veld`."""

    def controleer(cls: type, waarde: Any, info: ValidationInfo) -> Any:
        begin = info.data.get(veld)
        if waarde is not None and begin is not None and waarde < begin:
            raise ValueError(f"ligt voor {to_camel(veld)}")
        return waarde

    return classmethod(controleer)


# --- schools ------------------------------------------------------------------------


class Periode(_Model):
    van: Datum
    tot: Datum

    controleer_tot = field_validator("tot")(_niet_voor("van"))


class Kalender(_Model):
    """One school year; `eersteSchooldag` says which (Aug-Dec: that year's Sept)."""

    eerste_schooldag: Datum
    vakanties: list[Periode] = []
    vrije_dagen: list[Periode] = []
    studiedagen: list[Periode] = []


class SchooljaarKalender(Kalender):
    schooljaar: int = Field(description="The year the school year starts in.")


class Lesuur(_Model):
    nummer: int = Field(ge=1, le=20)
    begin: time
    eind: time

    @field_validator("eind")
    @classmethod
    def _na_begin(cls, eind: time, info: ValidationInfo) -> time:
        begin = info.data.get("begin")
        if begin is not None and eind <= begin:
            raise ValueError("ligt niet na begin")
        return eind


class Rooster(_Model):
    """Lesson periods per ISO weekday ("1" = Monday .. "5" = Friday)."""

    lesuren: dict[str, list[Lesuur]]

    @field_validator("lesuren")
    @classmethod
    def _weekdagen(cls, lesuren: dict[str, list[Lesuur]]) -> dict[str, list[Lesuur]]:
        onbekend = sorted(set(lesuren) - _WEEKDAGEN)
        if onbekend:
            raise ValueError(f"geen ISO-weekdag: {', '.join(onbekend)}")
        if not any(lesuren.values()):
            # Without a lesson no record ever gets a slot, and sending it again
            # changes nothing: a school always has lessons on some weekday.
            raise ValueError("geen enkel lesuur: een rooster heeft lessen")
        return lesuren


class Contactpersoon(_Model):
    naam: str = Field(min_length=1, max_length=120)
    functie: str | None = Field(default=None, max_length=80)
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=200)
    telefoon: str | None = Field(default=None, max_length=30)


class SchoolBody(_Model):
    brin: str = Field(min_length=4, max_length=10, examples=["99ZZ"])
    vestiging: str | None = Field(default=None, pattern=r"^[0-9]{2}$")
    naam: str = Field(min_length=1, max_length=120)
    sector: Sector
    regio: str | None = Field(default=None, max_length=40)
    gemeente: str | None = Field(
        default=None, pattern=r"^[0-9]{4}$", description="CBS gemeentecode"
    )
    kalender: Kalender | None = None
    rooster: Rooster
    redenen: list[RedenCode] = Field(
        default_factory=list, description="The SIS reason codes and their meaning."
    )
    beleid: Beleid = Field(default_factory=Beleid)
    contact_melder: Contactpersoon | None = None


class School(_Model):
    school_id: UUID
    brin: str
    vestiging: str | None
    naam: str
    sector: Sector
    regio: str | None
    gemeente: str | None
    kalenders: list[SchooljaarKalender]
    rooster: Rooster
    redenen: list[RedenCode]
    beleid: dict[str, Any]
    contact_melder: Contactpersoon | None
    sluitingen: list[Sluiting] = Field(
        default_factory=list, description="Closures (Lpw art. 11(a)), oldest first."
    )
    versie: int


class Sluiting(_Model):
    van: date
    tot: date
    reden: str


# --- pupils -------------------------------------------------------------------------


class LeerlingBody(_Model):
    school_id: UUID
    leerling_id: UUID | None = Field(
        default=None, description="Optional; when given, equal to the path's id."
    )
    leerlingnummer: str | None = Field(default=None, max_length=40)
    geboortedatum: Datum = Field(
        description="On the service's date a pupil is at least 2 and under 30 "
        "years old (leerplicht from 5, RMC to 23, MBO students older)."
    )
    pgn: str = Field(
        min_length=1,
        max_length=20,
        json_schema_extra={"writeOnly": True},
        description="BSN or onderwijsnummer (eleven test); never answered back.",
    )
    woongemeente: str = Field(description="CBS gemeentecode, four digits")
    inschrijving_vanaf: Datum = Field(description="Not before the date of birth.")
    inschrijving_tot: Datum | None = None
    klas: str | None = Field(default=None, max_length=20)
    groep: str | None = Field(default=None, max_length=20, description="PO: groep")
    leerjaar: int | None = Field(default=None, ge=1, le=8)
    startkwalificatie: Datum | None = Field(
        default=None, description="Since when the pupil holds a startkwalificatie."
    )
    lesdagen: list[int] | None = Field(
        default=None, description="ISO weekdays with lessons (e.g. MBO BBL)."
    )

    controleer_tot = field_validator("inschrijving_tot")(
        _niet_voor("inschrijving_vanaf")
    )


class PgnAanduiding(_Model):
    soort: Literal["bsn", "onderwijsnummer"]
    laatste_cijfers: str = Field(description="The last two digits, for checking.")


class Leerling(_Model):
    leerling_id: UUID
    school_id: UUID
    leerlingnummer: str | None
    geboortedatum: date | None = Field(description="null once erased")
    pgn: PgnAanduiding | None = Field(description="null once erased")
    woongemeente: str
    inschrijving_vanaf: date
    inschrijving_tot: date | None
    klas: str | None
    leerjaar: int | None
    startkwalificatie: date | None
    lesdagen: list[int] | None
    versie: int
    persoonsgegevens: Literal["aanwezig", "vernietigd"] = Field(
        default="aanwezig",
        description="vernietigd: erased (AVG art. 17 or the retention period); "
        "number, date of birth and leerlingnummer are gone, the counts stay",
    )


class LeerlingZoekvraag(_Model):
    """Find pupils by number: in the body, so it is in no URL, log or history."""

    pgn: str = Field(
        min_length=1,
        max_length=20,
        json_schema_extra={"writeOnly": True},
        description="BSN or onderwijsnummer (eleven test); never answered back.",
    )
    school_id: UUID | None = Field(
        default=None,
        description="Only this school (one of the caller's); else all of them.",
    )


class Leerlingen(_Model):
    """The pupils found; empty when none of the caller's schools has the number."""

    leerlingen: list[Leerling]


# --- absence ------------------------------------------------------------------------


class Slot(_Model):
    """The one status of one lesson slot (D14) and what it counts (D3)."""

    lesuur: int
    status: Literal["onbekend", "geoorloofd", "ongeoorloofd", "aanwezig"]
    soort: str
    gemiste_minuten: int
    lesduur: int
    minuten: int = Field(description="D3 minutes toward 16 hours if ongeoorloofd.")
    telt: bool
    niet_geteld: str | None = Field(description="Why the day does not count.")
    grond: str | None
    artikel: str | None
    categorie: str | None
    reden_code: str | None
    luxe: bool
    laat_ziekgemeld: bool
    afwezigheid_id: UUID | None = Field(description="The record that decides it.")


class Verzuimdag(_Model):
    datum: date
    slots: list[Slot]


class Afwezigheid(_Model):
    afwezigheid_id: UUID
    leerling_id: UUID
    school_id: UUID
    bron: str
    bron_id: str
    registratie: dict[str, Any] = Field(
        description="The record as received, without the free-text remark."
    )
    ingetrokken: bool
    dagen: list[Verzuimdag] = Field(description="Current status of its slots.")
    versie: int


class BulkBody(_Model):
    afwezigheden: list[Any] = Field(
        description="Up to 10,000 records, each checked on its own."
    )


class BulkRegel(_Model):
    index: int
    bron_id: str | None
    status: Literal["accepted", "unchanged", "corrected", "rejected"]
    afwezigheid_id: UUID | None = None
    veld: str | None = None
    reden: str | None = None


class BulkAntwoord(_Model):
    aantallen: dict[str, int]
    resultaten: list[BulkRegel]


class Verzuimdagen(_Model):
    leerling_id: UUID
    van: date
    tot: date
    dagen: list[Verzuimdag]


# --- notices and leave --------------------------------------------------------------


class Afmelding(_Model):
    afmelding_id: UUID
    leerling_id: UUID
    soort: AfmeldingSoort
    van: date
    tot: date | None
    lesuur_van: int | None
    lesuur_tot: int | None
    ontvangen: datetime
    gemeld_door: str
    tijdig: bool = Field(description="D8: within the notice period.")
    binnen_limiet: bool
    bron: str | None = None
    bron_id: str | None = Field(default=None, description="The sender's own id.")
    versie: int


class BesluitBody(_Model):
    """Who decides is the authenticated caller; the body says what and why."""

    uitkomst: Literal[Uitkomst.GRANTED, Uitkomst.DENIED]
    reden: Reden | None = None
    beslisser: Beslisser = Beslisser.HEAD
    toelichting: str = Field(min_length=1, max_length=1000)


class Verlofaanvraag(_Model):
    verlofaanvraag_id: UUID
    leerling_id: UUID
    soort: VerlofSoort
    van: date
    tot: date
    lesdagen: int
    uitkomst: Uitkomst
    reden: Reden | None
    vlaggen: list[str]
    beslisser: Beslisser | None
    besloten_door: str | None
    toelichting: str | None
    versie: int


# --- bulks of pupils and notices ----------------------------------------------------


class LeerlingenBulkBody(_Model):
    leerlingen: list[Any] = Field(
        description="Up to 5,000 pupils, each the body of "
        "`PUT /v1/leerlingen/{leerlingId}` with its `leerlingId`; each is checked "
        "on its own."
    )


class LeerlingenBulkRegel(_Model):
    index: int
    leerling_id: UUID | None
    status: Literal["accepted", "updated", "unchanged", "rejected"] = Field(
        description="accepted: registered; updated: details replaced; unchanged: "
        "the same details again; rejected: see veld and reden (nothing stored)."
    )
    veld: str | None = None
    reden: str | None = None


class LeerlingenBulkAntwoord(_Model):
    aantallen: dict[str, int]
    resultaten: list[LeerlingenBulkRegel]


class AfmeldingenBulkBody(_Model):
    afmeldingen: list[Any] = Field(
        description="Up to 5,000 notices, each the body of `POST /v1/afmeldingen`; "
        "each is checked on its own."
    )


class AfmeldingenBulkRegel(_Model):
    index: int
    status: Literal["accepted", "unchanged", "rejected"] = Field(
        description="accepted: recorded (see afmeldingId); unchanged: the same "
        "notice was sent before under its bronId (nothing stored); rejected: see "
        "veld and reden (nothing stored)."
    )
    afmelding_id: UUID | None = None
    tijdig: bool | None = Field(default=None, description="D8, when accepted.")
    binnen_limiet: bool | None = None
    veld: str | None = None
    reden: str | None = None


class AfmeldingenBulkAntwoord(_Model):
    aantallen: dict[str, int]
    resultaten: list[AfmeldingenBulkRegel]


# --- legal grounds beyond notices and leave -------------------------------------------


class BetermeldingBody(_Model):
    """The last day an open-ended sick notice covers."""

    tot: Datum


class GrondBody(_Model):
    """A vrijstelling or schorsing as the school decided it; `kenmerk` (in the path)
    is its reference in the school's own records."""

    van: Datum
    tot: Datum | None = Field(default=None, description="open-ended when absent")
    lesuren: list[StrictInt] | None = Field(
        default=None, max_length=20, description="only these lesuren; all when absent"
    )

    controleer_tot = field_validator("tot")(_niet_voor("van"))

    @field_validator("lesuren")
    @classmethod
    def _geldige_lesuren(cls, lesuren: list[int] | None) -> list[int] | None:
        if lesuren is not None and (
            not lesuren or any(not 1 <= n <= 20 for n in lesuren)
        ):
            raise ValueError("lesuren van 1 tot en met 20, minstens één")
        return lesuren


class GrondAntwoord(GrondBody):
    leerling_id: UUID
    grond: str
    kenmerk: str


class SluitingBody(_Model):
    """A school closure: every pupil's absence in it is geoorloofd."""

    van: Datum
    tot: Datum
    reden: str = Field(min_length=1, max_length=200)

    controleer_tot = field_validator("tot")(_niet_voor("van"))
