"""What the report shows: plain dataclasses the driver fills from the services' APIs.

Everything is already counted when it gets here; the report only lays it out. Hours
are floats (minutes / 60); dates are `datetime.date`. Names may be shown (the report
is for the school), but never a BSN, onderwijsnummer or medical detail.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

__all__ = [
    "Drempelleerling",
    "Kerncijfers",
    "Leerjaaruren",
    "Meldinguitleg",
    "Rapportgegevens",
    "Slotregel",
    "Slotuur",
    "VERZUIMSOORTEN",
    "Weekuren",
    "uren_per_leerjaar",
    "uren_per_week",
]

# duo.md section 5: the verzuimsoort codes the chain may file.
VERZUIMSOORTEN = {
    "V3": "16 uur in 4 lesweken (onder 18)",
    "V4": "16 uur in 4 lesweken (18+)",
    "L": "Luxe verzuim",
    "LRV": "Langdurig relatief verzuim",
    "RMC": "RMC-verzuim (18-22, zonder startkwalificatie)",
    "O": "Overig verzuim",
}


@dataclass(frozen=True)
class Weekuren:
    """Absence in one week, starting on `maandag`, in hours per status."""

    maandag: date
    geoorloofd: float
    ongeoorloofd: float
    onbekend: float = 0.0


@dataclass(frozen=True)
class Leerjaaruren:
    """Absence of one leerjaar (VO) or groep (PO) of one school, in hours."""

    school: str
    leerjaar: int
    geoorloofd: float
    ongeoorloofd: float
    leerlingen: int = 0

    @property
    def label(self) -> str:
        return f"{self.school} {self.leerjaar}"


@dataclass(frozen=True)
class Drempelleerling:
    """A pupil over a threshold: the legal 16 hours, a lateness step, MAZL, ..."""

    naam: str
    school: str
    klas: str
    drempel: str
    ongeoorloofd_uren: float
    te_laat: int = 0
    meldingen: int = 0


@dataclass(frozen=True)
class Slotregel:
    """One lesson slot behind a melding (contracts `SlotVerwijzing`)."""

    datum: date
    lesuur: int | None
    minuten: int


@dataclass(frozen=True)
class Meldinguitleg:
    """One verzuimmelding with what a person needs to see why it exists."""

    leerling: str
    school: str
    verzuimsoort: str
    begindatum: date
    einddatum: date | None
    vervaldatum: date | None
    minuten: int
    slots: list[Slotregel]
    duo_status: str
    meldingsnummer: str | None
    toelichting: str
    achterstallig: bool = False

    @property
    def soortlabel(self) -> str:
        return VERZUIMSOORTEN.get(self.verzuimsoort, self.verzuimsoort)

    def slots_per_dag(self) -> list[tuple[date, list[Slotregel]]]:
        per_dag: dict[date, list[Slotregel]] = defaultdict(list)
        for slot in self.slots:
            per_dag[slot.datum].append(slot)
        return [
            (d, sorted(per_dag[d], key=lambda s: s.lesuur or 0))
            for d in sorted(per_dag)
        ]


@dataclass(frozen=True)
class Kerncijfers:
    """The run's figures; counts by kind are `{kind: count}` dicts."""

    records_verstuurd: int = 0
    records_geaccepteerd: int = 0
    records_gecorrigeerd: int = 0
    records_ongewijzigd: int = 0
    records_afgewezen: int = 0
    records_verwacht_afgewezen: int = 0
    records_ingetrokken: int = 0
    afmeldingen: int = 0
    verlofaanvragen: int = 0
    verzuim_geclassificeerd: dict[str, int] = field(default_factory=dict)
    meldplichten: dict[str, int] = field(default_factory=dict)
    meldingen_status: dict[str, int] = field(default_factory=dict)
    meldingen_geaccepteerd: int = 0
    signalen: dict[str, int] = field(default_factory=dict)
    notificaties_bezorgd: int = 0
    notificaties_mislukt: int = 0
    dossiers_open: int = 0
    dossiers_gesloten: int = 0
    duur_seconden: float = 0.0


@dataclass(frozen=True)
class Rapportgegevens:
    """Everything the HTML report and the terminal summary show."""

    titel: str
    schooljaar: str
    gegenereerd_op: datetime
    scholen: list[str]
    cijfers: Kerncijfers
    per_week: list[Weekuren] = field(default_factory=list)
    per_leerjaar: list[Leerjaaruren] = field(default_factory=list)
    boven_drempel: list[Drempelleerling] = field(default_factory=list)
    meldingen: list[Meldinguitleg] = field(default_factory=list)
    dlq: dict[str, int] = field(default_factory=dict)
    seed: int | None = None
    # What the run checked: (name, passed, details); the reconciliation is one.
    controles: list[tuple[str, bool, list[str]]] = field(default_factory=list)


@dataclass(frozen=True)
class Slotuur:
    """One classified lesson slot as the driver reads it back (status, minutes)."""

    datum: date
    school: str
    leerjaar: int
    status: str  # "geoorloofd" | "ongeoorloofd" | "onbekend"
    minuten: int


def _maandag(d: date) -> date:
    return d - timedelta(days=d.weekday())


def uren_per_week(slots: Iterable[Slotuur], van: date, tot: date) -> list[Weekuren]:
    """Hours per week from `van` to `tot`, weeks without absence included as zero."""
    per_week: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for slot in slots:
        per_week[_maandag(slot.datum)][slot.status] += slot.minuten
    weken = []
    maandag = _maandag(van)
    while maandag <= tot:
        minuten = per_week.get(maandag, {})
        weken.append(
            Weekuren(
                maandag,
                minuten.get("geoorloofd", 0) / 60,
                minuten.get("ongeoorloofd", 0) / 60,
                minuten.get("onbekend", 0) / 60,
            )
        )
        maandag += timedelta(days=7)
    return weken


def uren_per_leerjaar(
    slots: Iterable[Slotuur], leerlingen: dict[tuple[str, int], int] | None = None
) -> list[Leerjaaruren]:
    """Hours per (school, leerjaar); `leerlingen` adds the head count of each."""
    per_jaar: dict[tuple[str, int], dict[str, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    for slot in slots:
        per_jaar[(slot.school, slot.leerjaar)][slot.status] += slot.minuten
    sleutels = sorted(set(per_jaar) | set(leerlingen or {}))
    return [
        Leerjaaruren(
            school,
            leerjaar,
            per_jaar[(school, leerjaar)].get("geoorloofd", 0) / 60,
            per_jaar[(school, leerjaar)].get("ongeoorloofd", 0) / 60,
            (leerlingen or {}).get((school, leerjaar), 0),
        )
        for school, leerjaar in sleutels
    ]
