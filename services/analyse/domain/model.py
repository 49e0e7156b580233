"""Values the analyse engine reads and produces.

Input: a pupil's facts and the counted slots registratie delivered. Output: the
meldplichten (duties to report to DUO), withdrawal proposals for submitted meldingen
that lost their ground, and signals for the verzuimcoördinator. All minutes are whole
minutes after the D3 conversion; 16 hours is 960 minutes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from leerplicht.kalender import Periode, SchoolKalender
from leerplicht.rooster import Rooster

__all__ = [
    "Analyseresultaat",
    "AnalyseFout",
    "Beleid",
    "IngediendeMelding",
    "Intrekkingsvoorstel",
    "LateScope",
    "Leerlingfeiten",
    "Meldplicht",
    "Sector",
    "Signaal",
    "Signaalsoort",
    "Slot",
    "Slotsoort",
    "Slotstatus",
    "Trede",
    "Verzuimsoort",
]


class AnalyseFout(ValueError):
    """Input the engine cannot evaluate (two slots with one id, an unknown key)."""


class Slotstatus(StrEnum):
    ONGEOORLOOFD = "ongeoorloofd"
    GEOORLOOFD = "geoorloofd"
    ONBEKEND = "onbekend"


class Slotsoort(StrEnum):
    AFWEZIG = "afwezig"
    TE_LAAT = "teLaat"
    VERWIJDERD = "verwijderd"


class Sector(StrEnum):
    PO = "PO"
    VO = "VO"
    MBO = "MBO"


class Verzuimsoort(StrEnum):
    """DUO verzuimsoort codes (rules section 6.4)."""

    V3 = "V3"  # 16 uur in 4 lesweken, under 18
    V4 = "V4"  # 16 uur in 4 lesweken, 18+ (policy, D6)
    LRV = "LRV"  # langdurig relatief verzuim (D7)
    RMC = "RMC"  # 18-22 without startkwalificatie (D6)
    L = "L"  # luxe verzuim (D18)
    O = "O"  # noqa: E741 - overig verzuim, the DUO code is the letter O

    @property
    def is_zestien_uur(self) -> bool:
        return self in (Verzuimsoort.V3, Verzuimsoort.V4)


class Signaalsoort(StrEnum):
    VERMOEDELIJK_LUXEVERZUIM = "vermoedelijkLuxeverzuim"  # D18
    ZORGWEKKEND_ZIEKTEVERZUIM = "zorgwekkendZiekteverzuim"  # D19, P-MAZL
    TE_LAAT = "teLaat"  # P-LATE
    SIGNAALVERZUIM = "signaalverzuim"  # P-SIGNAAL, below the statutory threshold


class LateScope(StrEnum):
    SCHOOLJAAR = "schoolYear"
    KALENDERMAAND = "calendarMonth"


@dataclass(frozen=True, slots=True)
class Slot:
    """One counted lesson slot (or a PO block / whole day when `lesuur` is None).

    `minuten` are the counting minutes of D3, already converted by registratie.
    """

    slot_id: str
    datum: date
    lesuur: int | None
    status: Slotstatus
    minuten: int
    soort: Slotsoort = Slotsoort.AFWEZIG
    luxe: bool = False
    ziek: bool = False

    def __post_init__(self) -> None:
        if self.minuten < 0:
            raise AnalyseFout("een slot heeft geen negatieve minuten")
        # Accept the plain contract strings ("ongeoorloofd", "teLaat") as well.
        object.__setattr__(self, "status", Slotstatus(self.status))
        object.__setattr__(self, "soort", Slotsoort(self.soort))

    @property
    def telt_ongeoorloofd(self) -> bool:
        return self.status is Slotstatus.ONGEOORLOOFD

    @property
    def is_ziek(self) -> bool:
        return self.ziek and self.status is Slotstatus.GEOORLOOFD

    def __deepcopy__(self, memo: dict[int, object]) -> Slot:
        return self  # immutable: a copied aggregate may share it


@dataclass(frozen=True, slots=True)
class Trede:
    """One step of the lateness ladder: at the n-th late arrival, these actions."""

    aantal: int
    acties: tuple[str, ...]


# Action codes on the lateness ladder; the two melding codes create an O melding.
ACTIE_GESPREK_OUDERS = "gesprekOuders"
ACTIE_BRIEF = "brief"
ACTIE_MELDING_OVERIG = "meldingOverigVerzuim"
ACTIE_HERHAALMELDING = "herhaalmelding"
MELDENDE_ACTIES = frozenset({ACTIE_MELDING_OVERIG, ACTIE_HERHAALMELDING})

# P-LATE default ladder "3-6-9-12" (rules section 7).
STANDAARD_LADDER = (
    Trede(3, (ACTIE_GESPREK_OUDERS,)),
    Trede(6, (ACTIE_BRIEF,)),
    Trede(9, (ACTIE_MELDING_OVERIG, ACTIE_BRIEF)),
    Trede(12, (ACTIE_HERHAALMELDING,)),
)


@dataclass(frozen=True)
class Beleid:
    """School policy (rules section 7 defaults); never law, always configurable."""

    melden_18plus_bij_16_uur: bool = False  # D6
    te_laat_ladder: tuple[Trede, ...] = STANDAARD_LADDER
    te_laat_scope: LateScope = LateScope.SCHOOLJAAR
    mazl_aantal_episodes: int = 4  # D19
    mazl_lesweken: int = 12
    mazl_aaneengesloten_lesdagen: int = 7
    # P-SIGNAAL: raise a signal when the window sum reaches this (None: off).
    signaalverzuim_minuten: int | None = None
    herhaalmelding_dagen: int = 7  # D7
    achterstallig_dagen: int = 28  # D17


@dataclass(frozen=True)
class Leerlingfeiten:
    """What the engine knows about one pupil and the school it is enrolled at."""

    geboortedatum: date
    sector: Sector
    kalender: SchoolKalender
    rooster: Rooster
    beleid: Beleid = field(default_factory=Beleid)
    startkwalificatie_sinds: date | None = None
    einde_twaalf_schooljaren: date | None = None
    vrijgesteld_kwalificatieplicht: bool = False


@dataclass(frozen=True, slots=True)
class IngediendeMelding:
    """A melding the school already submitted to DUO: a fact the engine builds on."""

    sleutel: str
    soort: Verzuimsoort
    begindatum: date
    einddatum: date | None

    def __deepcopy__(self, memo: dict[int, object]) -> IngediendeMelding:
        return self  # immutable: a copied aggregate may share it


@dataclass(frozen=True)
class Meldplicht:
    """A duty to report, with the slots and the window behind it."""

    sleutel: str
    soort: Verzuimsoort
    begindatum: date
    einddatum: date | None
    vastgesteld_op: date  # the day the duty arose: the 16th hour, the LRV day, ...
    vervaldatum: date  # D4
    minuten: int
    slot_ids: tuple[str, ...]
    venster: Periode | None
    achterstallig: bool  # D17
    ingediend: bool
    toelichting: str

    def __deepcopy__(self, memo: dict[int, object]) -> Meldplicht:
        return self  # immutable: a copied aggregate may share it


@dataclass(frozen=True)
class Intrekkingsvoorstel:
    """D15: a submitted melding whose ground a correction removed."""

    sleutel: str
    soort: Verzuimsoort
    begindatum: date
    einddatum: date | None
    minuten: int
    toelichting: str

    def __deepcopy__(self, memo: dict[int, object]) -> Intrekkingsvoorstel:
        return self  # immutable: a copied aggregate may share it


@dataclass(frozen=True)
class Signaal:
    """A signal for the verzuimcoördinator (D18, D19, P-LATE, P-SIGNAAL)."""

    sleutel: str
    soort: Signaalsoort
    datum: date
    slot_ids: tuple[str, ...]
    venster: Periode | None
    toelichting: str
    acties: tuple[str, ...] = ()

    def __deepcopy__(self, memo: dict[int, object]) -> Signaal:
        return self  # immutable: a copied aggregate may share it


@dataclass(frozen=True)
class Analyseresultaat:
    meldplichten: tuple[Meldplicht, ...] = ()
    intrekkingsvoorstellen: tuple[Intrekkingsvoorstel, ...] = ()
    signalen: tuple[Signaal, ...] = ()

    @classmethod
    def samenstellen(
        cls,
        meldplichten: Iterable[Meldplicht],
        intrekkingsvoorstellen: Iterable[Intrekkingsvoorstel],
        signalen: Iterable[Signaal],
    ) -> Analyseresultaat:
        """A result in its canonical order, so equal content compares equal."""
        return cls(
            meldplichten=tuple(
                sorted(
                    meldplichten, key=lambda m: (m.vastgesteld_op, m.soort, m.sleutel)
                )
            ),
            intrekkingsvoorstellen=tuple(
                sorted(intrekkingsvoorstellen, key=lambda i: (i.begindatum, i.sleutel))
            ),
            signalen=tuple(sorted(signalen, key=lambda s: (s.datum, s.sleutel))),
        )

    def meldplicht(self, sleutel: str) -> Meldplicht:
        for m in self.meldplichten:
            if m.sleutel == sleutel:
                return m
        raise AnalyseFout(f"geen meldplicht {sleutel}")

    def van_soort(self, soort: Verzuimsoort) -> tuple[Meldplicht, ...]:
        return tuple(m for m in self.meldplichten if m.soort is soort)

    def signalen_van(self, soort: Signaalsoort) -> tuple[Signaal, ...]:
        return tuple(s for s in self.signalen if s.soort is soort)
