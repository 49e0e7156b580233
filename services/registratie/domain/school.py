"""The school: identity, calendar, timetable, reason-code mapping and policy.

`School` is the event-sourced aggregate; `SchoolContext` is the derived, read-only view
the classification uses (real `SchoolKalender` and `Rooster` objects, built once per
version).
Policy defaults are those of rules section 7.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from leerplicht.kalender import Periode, SchoolKalender
from leerplicht.regime import (
    Regime,
    Regimetijdlijn,
    leerplicht_einde,
    leerplicht_start,
)
from leerplicht.rooster import Eenheid, Lesuur, Rooster
from services.registratie.domain.invoer import Soort, soort_van_de_lijn

__all__ = [
    "Beleid",
    "RedenCode",
    "School",
    "SchoolContext",
    "Sector",
    "kalender_naar_dict",
    "rooster_naar_dict",
    "school_id_voor",
]


class Sector(StrEnum):
    PO = "po"
    VO = "vo"
    MBO = "mbo"

    @property
    def eenheid(self) -> Eenheid:
        # D3: PO counts klokuren, VO and MBO count lesuren.
        return Eenheid.KLOKUUR if self is Sector.PO else Eenheid.LESUUR


class _Model(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, frozen=True
    )


class RedenCode(_Model):
    """One SIS reason code as the school configured it; in every SIS authorisation
    belongs to the code (services/registratie/README.md, The school)."""

    code: str = Field(min_length=1, max_length=10)
    omschrijving: str = Field(default="", max_length=60)
    categorie: str = Field(min_length=1, max_length=40)
    geoorloofd: bool
    # Magister `bluxeverzuim`: a holiday code, luxe verzuim under D18.
    luxe: bool = False
    soort: Soort = Soort.AFWEZIG

    @field_validator("soort", mode="before")
    @classmethod
    def _camel_soort(cls, waarde: Any) -> Any:
        return soort_van_de_lijn(waarde)


class Beleid(_Model):
    """School policy (rules section 7); configurable, never law."""

    # D3: a partly missed VO/MBO lesson counts toward 16 hours from this many minutes.
    te_laat_drempel_minuten: int | None = Field(default=None, ge=1, le=120)
    late_ladder: tuple[tuple[int, str], ...] = (
        (3, "talk"),
        (6, "letter"),
        (9, "report_overig"),
        (12, "report_again"),
    )
    late_scope: str = "schoolYear"
    mazl_frequent_count: int = 4
    mazl_frequent_window_weeks: int = 12
    mazl_consecutive_school_days: int = 7
    melden18_plus_bij16_uur: bool = Field(default=False, alias="melden18PlusBij16Uur")
    vakantieverlof_lead_time_weeks: int = 8  # D9
    go_over10_lead_time_weeks: int = 4  # D9
    wtsv_enabled: bool = False  # D20
    praktijktijd_telt: bool = True  # D3, MBO
    # R-VRL-GO-4: typical caps in lesdagen per circumstance; exceeding one only flags.
    go_richtlijnen: dict[str, int] = Field(
        default_factory=lambda: {
            "verhuizing": 1,
            "huwelijk": 2,
            "overlijden_1e_graad": 4,
            "overlijden_2e_graad": 2,
            "overlijden_3e_4e_graad": 1,
            "jubileum": 1,
        }
    )


def school_id_voor(brin: str, vestiging: str | None) -> UUID:
    return uuid5(NAMESPACE_URL, f"verzuimketen:school:{brin}{vestiging or ''}")


def _periode_naar_lijst(perioden: tuple[Periode, ...]) -> list[list[str]]:
    return [[p.van.isoformat(), p.tot.isoformat()] for p in perioden]


def _lijst_naar_periode(lijst: list[list[str]]) -> tuple[Periode, ...]:
    return tuple(
        Periode(date.fromisoformat(a), date.fromisoformat(b)) for a, b in lijst
    )


def kalender_naar_dict(kalender: SchoolKalender) -> dict[str, Any]:
    return {
        "eersteSchooldag": (
            kalender.eerste_schooldag.isoformat() if kalender.eerste_schooldag else None
        ),
        "vakanties": _periode_naar_lijst(kalender.vakanties),
        "vrijeDagen": _periode_naar_lijst(kalender.vrije_dagen),
        "studiedagen": _periode_naar_lijst(kalender.studiedagen),
    }


def dict_naar_kalender(data: dict[str, Any]) -> SchoolKalender:
    eerste = data.get("eersteSchooldag")
    return SchoolKalender(
        vakanties=_lijst_naar_periode(data["vakanties"]),
        vrije_dagen=_lijst_naar_periode(data["vrijeDagen"]),
        studiedagen=_lijst_naar_periode(data["studiedagen"]),
        eerste_schooldag=date.fromisoformat(eerste) if eerste else None,
    )


def rooster_naar_dict(rooster: Rooster) -> dict[str, list[list[Any]]]:
    return {
        str(weekdag): [
            [les.nummer, les.begin.strftime("%H:%M"), les.eind.strftime("%H:%M")]
            for les in lessen
        ]
        for weekdag, lessen in rooster.per_weekdag.items()
    }


def dict_naar_rooster(data: dict[str, list[list[Any]]]) -> Rooster:
    return Rooster(
        {
            int(weekdag): tuple(
                Lesuur(int(nr), time.fromisoformat(b), time.fromisoformat(e))
                for nr, b, e in lessen
            )
            for weekdag, lessen in data.items()
        }
    )


@dataclass(frozen=True)
class SchoolContext:
    """What classification needs of a school, as domain objects."""

    school_id: UUID
    sector: Sector
    redenen: dict[str, RedenCode]
    beleid: Beleid
    rooster: Rooster
    kalenders: dict[int, SchoolKalender]
    sluitingen: tuple[Periode, ...]
    _leeg: SchoolKalender = field(default_factory=SchoolKalender, repr=False)
    # Per birth date: (leerplicht start, leerplicht end) against these calendars.
    _leerplicht: dict[tuple[date, int], tuple[date, date]] = field(
        default_factory=dict, repr=False, compare=False
    )

    # Per birth date, diploma date and school year: the pupil's regime boundaries.
    _tijdlijnen: dict[tuple[date, date | None, int], Regimetijdlijn] = field(
        default_factory=dict, repr=False, compare=False
    )

    @property
    def eenheid(self) -> Eenheid:
        return self.sector.eenheid

    def regime(
        self, geboortedatum: date, startkwalificatie_sinds: date | None, d: date
    ) -> Regime:
        """The regime on d (rules section 2, Lpw art. 3 and 4a) with d's school
        calendar; the boundaries are computed once per pupil and school year, not
        for every pupil-day a bulk classifies."""
        schooljaar = d.year if d.month >= 8 else d.year - 1
        sleutel = (geboortedatum, startkwalificatie_sinds, schooljaar)
        tijdlijn = self._tijdlijnen.get(sleutel)
        if tijdlijn is None:
            tijdlijn = Regimetijdlijn.voor(
                geboortedatum,
                self.kalender_voor(d),
                startkwalificatie_sinds=startkwalificatie_sinds,
            )
            self._tijdlijnen[sleutel] = tijdlijn
        return tijdlijn.op(d)

    def kalender_voor(self, d: date) -> SchoolKalender:
        """The calendar of d's school year; without one only weekends and public
        holidays are free."""
        # R-AGE-3: the school year starts on 1 August (inlined: called per slot-day).
        return self.kalenders.get(d.year if d.month >= 8 else d.year - 1, self._leeg)

    def heeft_kalender(self, d: date) -> bool:
        """Whether the school gave a calendar for d's school year (R-AGE-3)."""
        return (d.year if d.month >= 8 else d.year - 1) in self.kalenders

    def is_gesloten(self, d: date) -> bool:
        return any(p.bevat(d) for p in self.sluitingen)

    def leerplicht(self, geboortedatum: date, d: date) -> tuple[date, date]:
        """R-AGE-1/2: first and last day of leerplicht, with d's school calendar."""
        sleutel = (geboortedatum, d.year if d.month >= 8 else d.year - 1)
        grenzen = self._leerplicht.get(sleutel)
        if grenzen is None:
            kalender = self.kalender_voor(d)
            grenzen = (
                leerplicht_start(geboortedatum, kalender),
                leerplicht_einde(geboortedatum),
            )
            self._leerplicht[sleutel] = grenzen
        return grenzen


class School(Aggregate):
    """A school (BRIN + vestiging) and everything registratie needs to know about it."""

    @staticmethod
    def create_id(school_id: UUID) -> UUID:
        return school_id

    @event("Geregistreerd")
    def __init__(
        self,
        school_id: UUID,
        brin: str,
        vestiging: str | None,
        naam: str,
        sector: str,
        regio: str | None,
        rooster: dict[str, list[list[Any]]],
        redenen: list[dict[str, Any]],
        beleid: dict[str, Any],
    ) -> None:
        self.brin = brin
        self.vestiging = vestiging
        self.naam = naam
        self.sector = sector
        self.regio = regio
        self.rooster = rooster
        self.redenen = {r["code"]: r for r in redenen}
        self.beleid = beleid
        self.kalenders: dict[str, dict[str, Any]] = {}
        self.sluitingen: list[dict[str, Any]] = []

    @event("Gewijzigd")
    def wijzig(
        self,
        school_id: UUID,
        naam: str,
        regio: str | None,
        rooster: dict[str, list[list[Any]]],
        redenen: list[dict[str, Any]],
        beleid: dict[str, Any],
    ) -> None:
        self.naam = naam
        self.regio = regio
        self.rooster = rooster
        self.redenen = {r["code"]: r for r in redenen}
        self.beleid = beleid

    @event("KalenderVastgesteld")
    def stel_kalender_vast(
        self, school_id: UUID, schooljaar: int, kalender: dict[str, Any]
    ) -> None:
        self.kalenders[str(schooljaar)] = kalender

    @event("Gesloten")
    def sluit(self, school_id: UUID, van: date, tot: date, reden: str) -> None:
        # Lpw art. 11(a): the school is closed or teaching is suspended.
        self.sluitingen.append(
            {"van": van.isoformat(), "tot": tot.isoformat(), "reden": reden}
        )

    @event("Heropend")
    def heropen(self, school_id: UUID, van: date) -> None:
        """A closure recorded in error is taken back (the one starting on `van`)."""
        self.sluitingen = [s for s in self.sluitingen if s["van"] != van.isoformat()]

    def sluiting_op(self, van: date) -> dict[str, Any] | None:
        return next((s for s in self.sluitingen if s["van"] == van.isoformat()), None)

    def context(self) -> SchoolContext:
        return SchoolContext(
            school_id=self.id,
            sector=Sector(self.sector),
            redenen={c: RedenCode.model_validate(r) for c, r in self.redenen.items()},
            beleid=Beleid.model_validate(self.beleid),
            rooster=dict_naar_rooster(self.rooster),
            kalenders={
                int(j): dict_naar_kalender(k) for j, k in self.kalenders.items()
            },
            sluitingen=tuple(
                Periode(date.fromisoformat(s["van"]), date.fromisoformat(s["tot"]))
                for s in self.sluitingen
            ),
        )
