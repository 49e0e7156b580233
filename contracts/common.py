"""Value shapes shared by several contracts."""

from __future__ import annotations

from datetime import date, time
from typing import Annotated, Literal
from uuid import UUID

from pydantic import Field

from contracts.envelope import ContractModel

# The minutes of one lesson slot: never negative, never more than a day.
Slotminuten = Annotated[int, Field(ge=0, le=24 * 60)]
# Minutes summed over many slots (a duty): never negative, and at most ten years of
# whole days, more than any pupil's absence can add up to.
Totaalminuten = Annotated[int, Field(ge=0, le=10 * 366 * 24 * 60)]

Sector = Literal["po", "vo", "mbo"]
Status = Literal["onbekend", "geoorloofd", "ongeoorloofd"]
Soort = Literal["afwezig", "teLaat", "verwijderd"]
Eenheid = Literal["klokuur", "lesuur"]
Verzuimsoort = Literal["V3", "V4", "L", "LRV", "RMC", "O"]
Rol = Literal[
    "verzuimcoordinator",
    "mentor",
    "zorgcoordinator",
    "schoolleider",
    "administratie",
    "ict",
    "ouders",
    "leerplichtambtenaar",
]


class Periode(ContractModel):
    van: date
    tot: date


class Kalender(ContractModel):
    vakanties: list[Periode] = []
    vrije_dagen: list[Periode] = []
    studiedagen: list[Periode] = []
    eerste_schooldag: date | None = None


class Lesuur(ContractModel):
    nummer: int
    begin: time
    eind: time


class Rooster(ContractModel):
    """Lesson periods per ISO weekday ("1" = Monday .. "5" = Friday)."""

    lesuren: dict[str, list[Lesuur]]


class Contactpersoon(ContractModel):
    naam: str
    functie: str | None = None
    email: str
    telefoon: str | None = None


class SlotVerwijzing(ContractModel):
    """One lesson slot behind a duty or signal: a person must be able to see why."""

    slot_id: str
    datum: date
    lesuur: int | None = None
    minuten: Slotminuten


class Verzuimdag(ContractModel):
    datum: date
    hele_dag: bool
    lesuren: list[int] = []


class VersleuteldPgn(ContractModel):
    """BSN or onderwijsnummer, AES-GCM encrypted with the shared PGN key."""

    soort: Literal["bsn", "onderwijsnummer"]
    versleuteld: str


Id = UUID
