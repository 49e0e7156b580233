"""The facts and results of classifying one pupil-day: statuses, legal grounds (with
their article), the records of the day, and the one status of each lesson slot.
The classification itself is `classificatie.classificeer`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from leerplicht.rooster import Eenheid
from services.registratie.domain.invoer import Soort
from services.registratie.domain.omzetting import Slot
from services.registratie.domain.school import RedenCode
from services.registratie.domain.tijd import lokale_datum

__all__ = [
    "BronFeit",
    "DagContext",
    "Grond",
    "Grondfeit",
    "NOTICE_DAGEN",
    "NietGeteld",
    "SlotStatus",
    "Status",
]

# D8: notices within two calendar days after (illness) or before (religion).
NOTICE_DAGEN = 2


class Status(StrEnum):
    ONBEKEND = "onbekend"
    GEOORLOOFD = "geoorloofd"
    ONGEOORLOOFD = "ongeoorloofd"
    AANWEZIG = "aanwezig"


class Grond(StrEnum):
    """Legal grounds of D14 step 1, with the article they rest on."""

    VERLOF_13A = "vakantieverlof"
    VERLOF_14 = "gewichtige_omstandigheden"
    ZIEKTE = "ziekte"
    VRIJSTELLING = "vrijstelling"
    SCHORSING = "schorsing"
    SLUITING = "sluiting"
    VIJFJARIGE = "vijfjarige"
    RELIGIE = "religie"

    @property
    def artikel(self) -> str:
        return _ARTIKELEN[self]


_ARTIKELEN = {
    Grond.VERLOF_13A: "Lpw art. 11(f), 13a",
    Grond.VERLOF_14: "Lpw art. 11(g), 14",
    Grond.ZIEKTE: "Lpw art. 11(d), 12",
    Grond.VRIJSTELLING: "Lpw art. 5, 11, 15",
    Grond.SCHORSING: "Lpw art. 11(c)",
    Grond.SLUITING: "Lpw art. 11(a)",
    Grond.VIJFJARIGE: "Lpw art. 11a",
    Grond.RELIGIE: "Lpw art. 11(e), 13",
}


class NietGeteld(StrEnum):
    """Why a recorded day does not count (no lessons for this pupil that day)."""

    WEEKEND = "weekend"
    VAKANTIE = "vakantie"
    GEEN_LES = "geen_les"
    GEEN_LESDAG_LEERLING = "geen_lesdag_leerling"
    BUITEN_LEERPLICHT = "buiten_leerplicht"
    NIET_INGESCHREVEN = "niet_ingeschreven"


@dataclass(frozen=True, slots=True)
class Grondfeit:
    """A fact that may give a legal ground: notice, granted leave, exemption, ..."""

    grond: Grond
    van: date
    tot: date | None  # inclusive; None = open-ended
    lesuren: frozenset[int] | None = None  # None = the whole day
    ontvangen: datetime | None = None  # aware; for notices (D8)
    geldig: bool = True
    verwijzing: str = ""

    def dekt(self, d: date, lesuur: int) -> bool:
        if d < self.van or (self.tot is not None and d > self.tot):
            return False
        return self.lesuren is None or lesuur in self.lesuren

    def tijdig(self) -> bool:
        """D8: sick notice ≤ 2 days after the first absent day, religious ≥ 2 before."""
        if not self.geldig:
            return False
        if self.grond is Grond.ZIEKTE and self.ontvangen is not None:
            return lokale_datum(self.ontvangen) <= self.van + timedelta(
                days=NOTICE_DAGEN
            )
        if self.grond is Grond.RELIGIE and self.ontvangen is not None:
            return lokale_datum(self.ontvangen) <= self.van - timedelta(
                days=NOTICE_DAGEN
            )
        return True


@dataclass(frozen=True, slots=True)
class BronFeit:
    """The part of one absence record that falls on this day."""

    sleutel: str  # the afwezigheid id (hex)
    bron: str
    soort: Soort
    reden_code: str | None
    slots: tuple[Slot, ...]

    def naar_dict(self) -> dict[str, Any]:
        return {
            "bron": self.bron,
            "soort": self.soort,
            "redenCode": self.reden_code,
            "slots": [[s.lesuur, s.gemist, s.duur] for s in self.slots],
        }

    @classmethod
    def uit_dict(cls, sleutel: str, data: Mapping[str, Any]) -> BronFeit:
        return cls(
            sleutel,
            data["bron"],
            Soort(data["soort"]),
            data["redenCode"],
            tuple(Slot(a, b, c) for a, b, c in data["slots"]),
        )


@dataclass(frozen=True, slots=True)
class DagContext:
    datum: date
    niet_geteld: NietGeteld | None
    eenheid: Eenheid
    drempel_minuten: int | None
    redenen: Mapping[str, RedenCode]
    gronden: tuple[Grondfeit, ...]


@dataclass(frozen=True, slots=True)
class SlotStatus:
    """The one status of one lesson slot, with what D3 counts for it."""

    lesuur: int
    status: Status
    soort: Soort
    gemist: int
    duur: int
    telwaarde: int  # D3 minutes; counts toward 16 hours only when ongeoorloofd
    bron: str
    grond: Grond | None = None
    categorie: str | None = None
    reden_code: str | None = None
    luxe: bool = False
    late_sick_notice: bool = False
    niet_geteld: NietGeteld | None = None

    def naar_dict(self) -> dict[str, Any]:
        """Event form; keys that are null or false are left out (sparse)."""
        data: dict[str, Any] = {
            "lesuur": self.lesuur,
            "status": self.status,
            "soort": self.soort,
            "gemist": self.gemist,
            "duur": self.duur,
            "telwaarde": self.telwaarde,
            "bron": self.bron,
        }
        if self.grond is not None:
            data["grond"] = self.grond
            data["artikel"] = _ARTIKELEN[self.grond]
        if self.categorie is not None:
            data["categorie"] = self.categorie
        if self.reden_code is not None:
            data["redenCode"] = self.reden_code
        if self.luxe:
            data["luxe"] = True
        if self.late_sick_notice:
            data["lateSickNotice"] = True
        if self.niet_geteld is not None:
            data["nietGeteld"] = self.niet_geteld
        return data

    @classmethod
    def uit_dict(cls, data: Mapping[str, Any]) -> SlotStatus:
        grond = data.get("grond")
        niet_geteld = data.get("nietGeteld")
        return cls(
            lesuur=data["lesuur"],
            status=Status(data["status"]),
            soort=Soort(data["soort"]),
            gemist=data["gemist"],
            duur=data["duur"],
            telwaarde=data["telwaarde"],
            bron=data["bron"],
            grond=Grond(grond) if grond else None,
            categorie=data.get("categorie"),
            reden_code=data.get("redenCode"),
            luxe=data.get("luxe", False),
            late_sick_notice=data.get("lateSickNotice", False),
            niet_geteld=NietGeteld(niet_geteld) if niet_geteld else None,
        )
