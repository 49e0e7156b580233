"""Made-up pupils for the two demo schools, reproducible from a seed.

FABRICATED TEST DATA: names are random combinations from a short list, BSNs and
onderwijsnummers come from `identiteiten` (eleven test, never a real person's number).
Birth dates fit the leerjaar or groep of school year 2025-26, so some pupils turn 5, 16
or 18 during the year (rules.md R-AGE-1, R-AGE-2, R-AGE-4), and a few hold a
startkwalificatie already (R-MLD-11).
"""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Literal
from uuid import UUID

from tools.schooljaar.identiteiten import (
    ACHTERNAMEN,
    VOORNAMEN,
    maak_bsn,
    maak_onderwijsnummer,
)
from tools.schooljaar.kalenders import EERSTE_SCHOOLDAG, Schoolgegevens

__all__ = [
    "Leerling",
    "Profiel",
    "genereer_leerlingen",
    "is_ingeschreven",
    "verjaardag",
]

# How a pupil tends to be absent; `verzuim` draws the year's absence from it.
Profiel = Literal[
    "zelden", "gemiddeld", "ziekelijk", "laatkomer", "spijbelaar", "chronisch",
    "thuiszitter",
]  # fmt: skip

_MAX_KLAS = 28
_PROFIELEN_VO: tuple[tuple[Profiel, float], ...] = (
    ("chronisch", 0.007),
    ("spijbelaar", 0.04),
    ("laatkomer", 0.07),
    ("ziekelijk", 0.03),
    ("gemiddeld", 0.35),
)
_PROFIELEN_PO: tuple[tuple[Profiel, float], ...] = (
    ("chronisch", 0.007),
    ("laatkomer", 0.10),
    ("ziekelijk", 0.04),
    ("gemiddeld", 0.35),
)
# CBS gemeentecodes of municipalities around each school (regio midden, Utrecht).
_GEMEENTEN = {
    "vo": (
        ("0356", 40), ("0344", 20), ("0353", 15), ("0321", 10), ("0331", 5),
        ("0355", 3), ("0312", 3), ("0310", 2), ("0307", 2),
    ),
    "po": (("0344", 85), ("0356", 5), ("0310", 4), ("0312", 3), ("0321", 3)),
}  # fmt: skip


@dataclass(frozen=True)
class Leerling:
    """One made-up pupil; `als_invoer` is the registratie `LeerlingInvoer` body."""

    leerling_id: UUID
    school: str
    leerlingnummer: int
    roepnaam: str
    voorvoegsel: str
    achternaam: str
    geboortedatum: date
    leerjaar: int
    klas: str
    niveau: str | None
    woongemeente: str
    pgn: str = field(repr=False)
    pgn_soort: Literal["bsn", "onderwijsnummer"]
    inschrijving_vanaf: date
    startkwalificatie: date | None
    profiel: Profiel
    luxe_gezin: bool
    religieus: bool

    @property
    def naam(self) -> str:
        return " ".join(
            d for d in (self.roepnaam, self.voorvoegsel, self.achternaam) if d
        )

    def als_invoer(self, school_id: UUID | str) -> dict[str, Any]:
        return {
            "schoolId": str(school_id),
            "leerlingId": str(self.leerling_id),
            "leerlingnummer": str(self.leerlingnummer),
            "geboortedatum": self.geboortedatum.isoformat(),
            "pgn": self.pgn,
            "woongemeente": self.woongemeente,
            "inschrijvingVanaf": self.inschrijving_vanaf.isoformat(),
            "groep": self.klas,
            "leerjaar": self.leerjaar,
            "startkwalificatie": (
                self.startkwalificatie.isoformat() if self.startkwalificatie else None
            ),
        }


def verjaardag(geboortedatum: date, jaren: int) -> date:
    """The date of the n-th birthday; 29 February falls on 1 March in other years."""
    try:
        return geboortedatum.replace(year=geboortedatum.year + jaren)
    except ValueError:
        return date(geboortedatum.year + jaren, 3, 1)


def _kies_gewogen(rng: random.Random, opties: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([o for o, _ in opties], weights=[g for _, g in opties])[0]


def _profiel(rng: random.Random, kansen: tuple[tuple[Profiel, float], ...]) -> Profiel:
    trek = rng.random()
    for profiel, kans in kansen:
        if trek < kans:
            return profiel
        trek -= kans
    return "zelden"


@dataclass(frozen=True)
class _Plek:
    leerjaar: int
    niveau: str | None
    geboren_vanaf: date
    inschrijving: date | None = None  # None: on the 4th birthday (PO)
    spreiding_dagen: int = 365


def _aantallen(aantal: int, aandelen: tuple[float, ...]) -> list[int]:
    """Split `aantal` by shares; the last part takes the rounding difference."""
    delen = [round(aantal * aandeel) for aandeel in aandelen[:-1]]
    return [*delen, max(0, aantal - sum(delen))]


def _vo_plekken(rng: random.Random, aantal: int) -> list[_Plek]:
    # Cohort shares of leerjaar 1..6; mavo ends in year 4, havo in year 5.
    aandelen = (0.19, 0.19, 0.185, 0.18, 0.155, 0.10)
    plekken: list[_Plek] = []
    for leerjaar, n in enumerate(_aantallen(aantal, aandelen), start=1):
        for _ in range(n):
            if leerjaar <= 2:
                niveau = "brugklas"
            elif leerjaar <= 4:
                niveau = rng.choices(("mavo", "havo", "vwo"), (25, 40, 35))[0]
            elif leerjaar == 5:
                niveau = rng.choices(("havo", "vwo"), (55, 45))[0]
            else:
                niveau = "vwo"
            # Nominal: 12 on 1 October of leerjaar 1; some stayed down, a few skipped.
            jaar = 2012 - (leerjaar - 1) - rng.choices((0, 1, -1), (88, 9, 3))[0]
            plekken.append(
                _Plek(leerjaar, niveau, date(jaar, 10, 1), date(2026 - leerjaar, 8, 1))
            )
    return plekken


def _po_plekken(rng: random.Random, aantal: int) -> list[_Plek]:
    # Groep 1 at the start, groepen 2..8, and instromers who turn 4 during the year.
    aandelen = (0.10, *([0.85 / 7] * 7), 0.05)
    plekken: list[_Plek] = []
    for index, n in enumerate(_aantallen(aantal, aandelen)):
        for _ in range(n):
            if index == 8:
                # 4th birthday between Oct 2025 and Apr 2026: enrols that day.
                plekken.append(_Plek(1, None, date(2021, 10, 1), spreiding_dagen=212))
                continue
            groep = index + 1
            ouder = groep > 2 and rng.random() < 0.05  # kleuterverlenging
            jaar = 2020 - (groep - 1) - int(ouder)
            plekken.append(_Plek(groep, None, date(jaar, 10, 1)))
    return plekken


def _klasnamen(plekken: list[_Plek], sector: str) -> list[str]:
    """Split each leerjaar (and niveau) into classes of at most 28 pupils.

    PO groepen 1 and 2 sit together in combination classes "1/2A", "1/2B", ...
    """
    groepen: dict[str, list[int]] = {}
    for i, plek in enumerate(plekken):
        if sector == "po":
            sleutel = "1/2" if plek.leerjaar <= 2 else str(plek.leerjaar)
        elif plek.niveau == "brugklas":
            sleutel = str(plek.leerjaar)
        else:
            letter = {"mavo": "M", "havo": "H", "vwo": "V"}[plek.niveau or "vwo"]
            sleutel = f"{plek.leerjaar}{letter}"
        groepen.setdefault(sleutel, []).append(i)
    namen = [""] * len(plekken)
    for sleutel in sorted(groepen):
        indices = groepen[sleutel]
        klassen = math.ceil(len(indices) / _MAX_KLAS)
        for volgnummer, i in enumerate(indices):
            k = volgnummer % klassen
            # Letters for PO and brugklassen (1A, 1/2B), numbers for 3H1, 5V2.
            achtervoegsel = chr(ord("A") + k) if sleutel[-1].isdigit() else str(k + 1)
            namen[i] = sleutel + achtervoegsel
    return namen


def genereer_leerlingen(
    rng: random.Random, school: Schoolgegevens, aantal: int, uitgegeven: set[str]
) -> list[Leerling]:
    """`aantal` made-up pupils of `school`; `uitgegeven` keeps PGNs unique."""
    vo = school.sector == "vo"
    plekken = _vo_plekken(rng, aantal) if vo else _po_plekken(rng, aantal)
    klassen = _klasnamen(plekken, school.sector)
    nummer = 100_000 if vo else 5_000
    leerlingen: list[Leerling] = []
    for plek, klas in zip(plekken, klassen, strict=True):
        nummer += rng.randint(1, 9)
        geboren = plek.geboren_vanaf + timedelta(
            days=rng.randrange(plek.spreiding_dagen)
        )
        # PO pupils enrol on their 4th birthday (R-AGE-8: not yet leerplichtig).
        inschrijving = plek.inschrijving or verjaardag(geboren, 4)
        onderwijsnummer = rng.random() < 0.015
        pgn = (maak_onderwijsnummer if onderwijsnummer else maak_bsn)(rng, uitgegeven)
        startkwalificatie = None
        if vo and plek.leerjaar >= 5 and plek.niveau == "vwo" and rng.random() < 0.05:
            # Havo diploma first, then on to vwo: qualified, not kwalificatieplichtig.
            startkwalificatie = date(2025 if plek.leerjaar == 5 else 2024, 7, 9)
        voorvoegsel, achternaam = rng.choice(ACHTERNAMEN)
        profiel = _profiel(rng, _PROFIELEN_VO if vo else _PROFIELEN_PO)
        if profiel == "chronisch" and plek.leerjaar == 1 and vo:
            profiel = "spijbelaar"
        leerlingen.append(
            Leerling(
                leerling_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                school=school.sleutel,
                leerlingnummer=nummer,
                roepnaam=rng.choice(VOORNAMEN),
                voorvoegsel=voorvoegsel,
                achternaam=achternaam,
                geboortedatum=geboren,
                leerjaar=plek.leerjaar,
                klas=klas,
                niveau=plek.niveau,
                woongemeente=_kies_gewogen(rng, _GEMEENTEN[school.sleutel]),
                pgn=pgn,
                pgn_soort="onderwijsnummer" if onderwijsnummer else "bsn",
                inschrijving_vanaf=inschrijving,
                startkwalificatie=startkwalificatie,
                profiel=profiel,
                luxe_gezin=rng.random() < (0.04 if vo else 0.05),
                religieus=rng.random() < (0.06 if vo else 0.08),
            )
        )
    _wijs_thuiszitters_aan(leerlingen, rng, 2 if vo else 0)
    return leerlingen


def _wijs_thuiszitters_aan(
    leerlingen: list[Leerling], rng: random.Random, aantal: int
) -> None:
    """Make `aantal` pupils of leerjaar 2-4 long-term absentees (LRV, D7)."""
    kandidaten = [i for i, ll in enumerate(leerlingen) if 2 <= ll.leerjaar <= 4]
    for i in rng.sample(kandidaten, min(aantal, len(kandidaten))):
        oud = leerlingen[i]
        leerlingen[i] = replace(oud, profiel="thuiszitter")


def is_ingeschreven(leerling: Leerling, d: date) -> bool:
    return d >= max(leerling.inschrijving_vanaf, EERSTE_SCHOOLDAG)
