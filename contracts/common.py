"""Value shapes shared by several contracts."""

from __future__ import annotations

from datetime import date, time
from typing import Literal
from uuid import UUID

from contracts.envelope import ContractModel

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
    minuten: int


class Verzuimdag(ContractModel):
    datum: date
    hele_dag: bool
    lesuren: list[int] = []


class VersleuteldPgn(ContractModel):
    """BSN or onderwijsnummer, AES-GCM encrypted with the shared PGN key."""

    soort: Literal["bsn", "onderwijsnummer"]
    versleuteld: str


Id = UUID
