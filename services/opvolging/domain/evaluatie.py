"""PDCA check and act: do the measures work, and what is the next step if they do not.

The caller supplies the pupil's unauthorised minutes per lesweek (analyse owns the
counting); this module only compares the weeks before the measures with those after.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from leerplicht.kalender import SchoolKalender
from services.opvolging.domain.fouten import EvaluatieFout
from services.opvolging.domain.rasci import Activiteit, Rol

__all__ = [
    "Beoordeling",
    "Evaluatie",
    "Evaluatieregels",
    "LadderStap",
    "Oordeel",
    "STANDAARD_LADDER",
    "Advies",
    "WeekCijfer",
    "advies",
    "beoordeel",
    "na_lesweken",
]


def _maandag(d: date) -> date:
    return d - timedelta(days=d.weekday())


@dataclass(frozen=True)
class WeekCijfer:
    """Unauthorised minutes in one lesweek; `week` is any day of it, kept as Monday."""

    week: date
    minuten: int

    def __post_init__(self) -> None:
        if isinstance(self.minuten, bool) or not isinstance(self.minuten, int):
            raise EvaluatieFout("minuten moet een geheel getal zijn")
        if self.minuten < 0:
            raise EvaluatieFout("minuten kan niet negatief zijn")
        object.__setattr__(self, "week", _maandag(self.week))


class Oordeel(StrEnum):
    VERZUIM_GESTOPT = "verzuim_gestopt"
    VERBETERD = "verbeterd"
    NIET_VERBETERD = "niet_verbeterd"
    ONVOLDOENDE_GEGEVENS = "onvoldoende_gegevens"

    @property
    def maatregelen_werken(self) -> bool:
        return self in (Oordeel.VERZUIM_GESTOPT, Oordeel.VERBETERD)

    @property
    def omschrijving(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True)
class Evaluatieregels:
    """School policy for the check; none of these numbers is law."""

    interval_weken: int = 2  # an evaluation every N lesweken after the first action
    stil_weken: int = 2  # N lesweken without unauthorised absence: verzuim stopped
    minimale_daling: float = 0.5  # the weekly average must drop by this fraction

    def __post_init__(self) -> None:
        if self.interval_weken < 1 or self.stil_weken < 1:
            raise EvaluatieFout("interval en stille weken moeten minstens 1 zijn")
        if not 0 < self.minimale_daling <= 1:
            raise EvaluatieFout("minimale daling ligt tussen 0 en 1")


@dataclass(frozen=True)
class Beoordeling:
    voor: tuple[WeekCijfer, ...]
    na: tuple[WeekCijfer, ...]
    gemiddelde_voor: float | None
    gemiddelde_na: float | None
    oordeel: Oordeel


def _gemiddelde(cijfers: tuple[WeekCijfer, ...]) -> float | None:
    if not cijfers:
        return None
    return round(sum(c.minuten for c in cijfers) / len(cijfers), 1)


def beoordeel(
    cijfers: Iterable[WeekCijfer],
    maatregelen_vanaf: date,
    peildatum: date,
    regels: Evaluatieregels,
) -> Beoordeling:
    """Compare the lesweken before the measures with those after, up to the peildatum.

    The week in which the measures started counts as "before": a measure needs time.
    The caller passes complete lesweken only; vacation weeks are simply absent.
    """
    per_week: dict[date, WeekCijfer] = {}
    for cijfer in cijfers:
        if cijfer.week in per_week:
            raise EvaluatieFout(f"week {cijfer.week.isoformat()} komt twee keer voor")
        per_week[cijfer.week] = cijfer
    start = _maandag(maatregelen_vanaf)
    tot = _maandag(peildatum)
    weken = sorted(
        (c for c in per_week.values() if c.week <= tot), key=lambda c: c.week
    )
    voor = tuple(c for c in weken if c.week <= start)
    na = tuple(c for c in weken if c.week > start)

    gemiddelde_voor = _gemiddelde(voor)
    gemiddelde_na = _gemiddelde(na)
    laatste = na[-regels.stil_weken :]
    if len(laatste) == regels.stil_weken and all(c.minuten == 0 for c in laatste):
        oordeel = Oordeel.VERZUIM_GESTOPT
    elif gemiddelde_voor is None or gemiddelde_na is None:
        oordeel = Oordeel.ONVOLDOENDE_GEGEVENS
    elif gemiddelde_na <= gemiddelde_voor * (1 - regels.minimale_daling):
        oordeel = Oordeel.VERBETERD
    else:
        oordeel = Oordeel.NIET_VERBETERD
    return Beoordeling(voor, na, gemiddelde_voor, gemiddelde_na, oordeel)


def na_lesweken(
    vanaf: date, aantal: int, kalender: SchoolKalender | None = None
) -> date:
    """The same weekday `aantal` lesweken later; vacation weeks do not count.

    Without a calendar every week counts.
    """
    if aantal < 0:
        raise EvaluatieFout("aantal lesweken kan niet negatief zijn")
    d = vanaf
    while aantal > 0:
        d += timedelta(days=7)
        if kalender is None or not kalender.is_vakantieweek(d):
            aantal -= 1
    return d


@dataclass(frozen=True)
class LadderStap:
    """One step of the school's escalation protocol, with its RASCI activity."""

    titel: str
    activiteit: Activiteit
    rol: Rol | None = None  # preferred R role, used when the matrix has it as R


STANDAARD_LADDER: tuple[LadderStap, ...] = (
    LadderStap(
        "Gesprek mentor met leerling", Activiteit.UITVOEREN_MAATREGELEN, Rol.MENTOR
    ),
    LadderStap(
        "Gesprek met ouders", Activiteit.UITVOEREN_MAATREGELEN, Rol.VERZUIMCOORDINATOR
    ),
    LadderStap(
        "Brief aan ouders", Activiteit.INFORMEREN_BETROKKENEN, Rol.VERZUIMCOORDINATOR
    ),
    LadderStap(
        "Bespreking in het zorgteam",
        Activiteit.UITVOEREN_MAATREGELEN,
        Rol.ZORGCOORDINATOR,
    ),
    LadderStap(
        "Overleg met de leerplichtambtenaar",
        Activiteit.RAPPORTEREN_AAN_LEERPLICHTAMBTENAAR,
        Rol.VERZUIMCOORDINATOR,
    ),
)


@dataclass(frozen=True)
class Advies:
    """PDCA "act": the ladder step to plan next (or none), and why."""

    stap: int | None
    toelichting: str


def advies(
    oordeel: Oordeel,
    huidige_stap: int,
    stap_loopt: bool,
    ladder: tuple[LadderStap, ...],
) -> Advies:
    """One ladder step up when the measures do not work and the current step is done.

    A step whose action is still open has not been tried yet, so it is not skipped.
    """
    if oordeel is Oordeel.VERZUIM_GESTOPT:
        return Advies(None, "geen ongeoorloofd verzuim meer: afsluiten voorgesteld")
    if oordeel is not Oordeel.NIET_VERBETERD:
        return Advies(None, "")
    if stap_loopt:
        return Advies(None, "de huidige stap van het protocol is nog niet uitgevoerd")
    if huidige_stap + 1 >= len(ladder):
        return Advies(None, "de laatste stap van het protocol is bereikt")
    return Advies(huidige_stap + 1, "")


@dataclass(frozen=True)
class Evaluatie:
    """A recorded check in a dossier."""

    peildatum: date
    weken: tuple[WeekCijfer, ...]
    gemiddelde_voor: float | None
    gemiddelde_na: float | None
    oordeel: Oordeel
    voorgestelde_stap: int | None
    voorgestelde_titel: str | None
    toelichting: str
    door: str
    op: datetime

    @property
    def maatregelen_werken(self) -> bool:
        return self.oordeel.maatregelen_werken
