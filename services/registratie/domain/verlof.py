"""Leave assessment: vakantieverlof (art. 13a), gewichtige omstandigheden (art. 14)
and extra hours for five-year-olds (art. 11a).

`beoordeel` is pure: it applies the hard legal limits and either denies (decided under
the head's mandate, with a reason code), routes to the leerplichtambtenaar, or leaves
the request to the head. `toets_besluit` guards a later decision: no one can grant what
the law forbids (Lpw art. 27 fines the head for it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from leerplicht.kalender import KalenderFout, SchoolKalender
from leerplicht.regime import verjaardag
from services.registratie.domain.fouten import VerlofFout
from services.registratie.domain.school import Beleid

__all__ = [
    "ART11A_MINUTEN_PER_WEEK",
    "Beoordeling",
    "Beslisser",
    "Reden",
    "Uitkomst",
    "VerlofContext",
    "VerlofSoort",
    "VerlofVerzoek",
    "Vlag",
    "beoordeel",
    "maximum_lesdagen",
    "toets_besluit",
]

# Lpw art. 13a(2), 14(3): at most ten days per school year decided by the head.
MAX_LESDAGEN = 10
# Lpw art. 11a: 5 hours a week on notice, 5 more on request.
ART11A_MINUTEN_PER_WEEK = 5 * 60


class VerlofSoort(StrEnum):
    VAKANTIEVERLOF = "vakantieverlof"
    GEWICHTIGE_OMSTANDIGHEDEN = "gewichtige_omstandigheden"
    ART11A_EXTRA = "art11a_extra"


class Uitkomst(StrEnum):
    GRANTED = "GRANTED"
    DENIED = "DENIED"
    ROUTED_TO_LPA = "ROUTED_TO_LPA"
    AWAITING_HEAD_DECISION = "AWAITING_HEAD_DECISION"


class Reden(StrEnum):
    MAX_10_DAYS = "MAX_10_DAYS"
    FIRST_TWO_LESWEKEN = "FIRST_TWO_LESWEKEN"
    NO_LEGAL_GROUND = "NO_LEGAL_GROUND"
    ALREADY_USED = "ALREADY_USED"
    NO_LESDAGEN = "NO_LESDAGEN"
    RETROACTIVE_TOO_LATE = "RETROACTIVE_TOO_LATE"
    MAX_5_HOURS = "MAX_5_HOURS"
    HEAD_DECISION = "HEAD_DECISION"
    LPA_DECISION = "LPA_DECISION"


class Vlag(StrEnum):
    LATE_REQUEST = "LATE_REQUEST"  # D9: flagged, never a denial
    ABOVE_GUIDELINE = "ABOVE_GUIDELINE"  # R-VRL-GO-4 policy table


class Beslisser(StrEnum):
    HEAD = "HEAD"
    LPA = "LPA"


@dataclass(frozen=True)
class VerlofVerzoek:
    soort: VerlofSoort
    van: date
    tot: date
    ingediend_op: date
    werkgeversverklaring: bool = False
    omstandigheid: str | None = None
    minuten: int | None = None  # art. 11a extra hours only


@dataclass(frozen=True)
class VerlofContext:
    kalender: SchoolKalender
    beleid: Beleid
    geboortedatum: date
    kwalificatieplichtig: bool = False
    lesdagen_leerling: frozenset[int] | None = None  # ISO weekdays, e.g. BBL
    vakantieverlof_gebruikt: bool = False
    go_dagen_eerder: int = 0


@dataclass(frozen=True)
class Beoordeling:
    uitkomst: Uitkomst
    lesdagen: int
    reden: Reden | None = None
    vlaggen: frozenset[Vlag] = field(default_factory=frozenset)
    beslisser: Beslisser | None = None


def maximum_lesdagen(ctx: VerlofContext) -> int:
    """D13: leerplichtig 10; kwalificatieplichtig floor(10 × lesdagen/week / 5), ≥ 1."""
    if not ctx.kwalificatieplichtig or ctx.lesdagen_leerling is None:
        return MAX_LESDAGEN
    return max(1, MAX_LESDAGEN * len(ctx.lesdagen_leerling) // 5)


def _lesdagen(verzoek: VerlofVerzoek, ctx: VerlofContext) -> int:
    # D12: leave is counted in lesdagen of this pupil.
    return sum(
        1
        for d in ctx.kalender.lesdagen(verzoek.van, verzoek.tot)
        if ctx.lesdagen_leerling is None or d.isoweekday() in ctx.lesdagen_leerling
    )


def _laat(verzoek: VerlofVerzoek, weken: int) -> frozenset[Vlag]:
    if (verzoek.van - verzoek.ingediend_op).days < weken * 7:
        return frozenset({Vlag.LATE_REQUEST})
    return frozenset()


def _afgewezen(reden: Reden, lesdagen: int, vlaggen: frozenset[Vlag]) -> Beoordeling:
    return Beoordeling(Uitkomst.DENIED, lesdagen, reden, vlaggen, Beslisser.HEAD)


def _vakantieverlof(
    verzoek: VerlofVerzoek, ctx: VerlofContext, lesdagen: int
) -> Beoordeling:
    vlaggen = _laat(verzoek, ctx.beleid.vakantieverlof_lead_time_weeks)
    try:
        eerste_twee = ctx.kalender.eerste_twee_lesweken()
    except KalenderFout:
        raise VerlofFout(
            "NO_CALENDAR", "geen schoolkalender voor dit schooljaar"
        ) from None
    if verzoek.van <= eerste_twee.tot and eerste_twee.van <= verzoek.tot:
        # Lpw art. 13a(1): never in the first two lesweken of the school year.
        return _afgewezen(Reden.FIRST_TWO_LESWEKEN, lesdagen, vlaggen)
    if lesdagen > maximum_lesdagen(ctx):
        # Lpw art. 13a(2), D13; R-VRL-VAK-3: no route to the LPA above 10 days.
        return _afgewezen(Reden.MAX_10_DAYS, lesdagen, vlaggen)
    if ctx.vakantieverlof_gebruikt:
        # Lpw art. 13a(1), D11: once per school year, counting granted leave only.
        return _afgewezen(Reden.ALREADY_USED, lesdagen, vlaggen)
    if not verzoek.werkgeversverklaring:
        # R-VRL-VAK-4: only the nature of a parent's job is a ground; proof required.
        return _afgewezen(Reden.NO_LEGAL_GROUND, lesdagen, vlaggen)
    return Beoordeling(Uitkomst.AWAITING_HEAD_DECISION, lesdagen, vlaggen=vlaggen)


def _gewichtig(
    verzoek: VerlofVerzoek, ctx: VerlofContext, lesdagen: int
) -> Beoordeling:
    if verzoek.omstandigheid == "extra_vakantie":
        # R-VRL-GO-4: extra holiday is never a gewichtige omstandigheid.
        return _afgewezen(Reden.NO_LEGAL_GROUND, lesdagen, frozenset())
    if verzoek.ingediend_op > verzoek.van + timedelta(days=2):
        # Lpw art. 14(2), D8: reasons given afterwards only within two days.
        return _afgewezen(Reden.RETROACTIVE_TOO_LATE, lesdagen, frozenset())
    if ctx.go_dagen_eerder + lesdagen > maximum_lesdagen(ctx):
        # Lpw art. 14(3), D10: above ten days a school year the LPA decides, as a whole.
        vlaggen = _laat(verzoek, ctx.beleid.go_over10_lead_time_weeks)
        return Beoordeling(
            Uitkomst.ROUTED_TO_LPA, lesdagen, vlaggen=vlaggen, beslisser=Beslisser.LPA
        )
    vlaggen: frozenset[Vlag] = frozenset()
    richtlijn = ctx.beleid.go_richtlijnen.get(verzoek.omstandigheid or "")
    if richtlijn is not None and lesdagen > richtlijn:
        vlaggen = frozenset({Vlag.ABOVE_GUIDELINE})
    return Beoordeling(Uitkomst.AWAITING_HEAD_DECISION, lesdagen, vlaggen=vlaggen)


def _art11a(verzoek: VerlofVerzoek, ctx: VerlofContext, lesdagen: int) -> Beoordeling:
    if verzoek.van >= verjaardag(ctx.geboortedatum, 6):
        # R-VRL-5JR-2: art. 11a stops on the 6th birthday.
        return _afgewezen(Reden.NO_LEGAL_GROUND, lesdagen, frozenset())
    minuten = verzoek.minuten or 0
    if minuten <= 0 or minuten > ART11A_MINUTEN_PER_WEEK:
        return _afgewezen(Reden.MAX_5_HOURS, lesdagen, frozenset())
    return Beoordeling(Uitkomst.AWAITING_HEAD_DECISION, lesdagen)


def beoordeel(verzoek: VerlofVerzoek, ctx: VerlofContext) -> Beoordeling:
    """Assess a leave request against the law and the school's policy."""
    if verzoek.tot < verzoek.van:
        raise VerlofFout("INVALID_PERIOD", "tot ligt voor van")
    if verzoek.soort is VerlofSoort.ART11A_EXTRA:
        if verzoek.van.isocalendar()[:2] != verzoek.tot.isocalendar()[:2]:
            raise VerlofFout("INVALID_PERIOD", "art. 11a-uren gelden per week")
        return _art11a(verzoek, ctx, _lesdagen(verzoek, ctx))
    lesdagen = _lesdagen(verzoek, ctx)
    if lesdagen == 0:
        return _afgewezen(Reden.NO_LESDAGEN, 0, frozenset())
    if verzoek.soort is VerlofSoort.VAKANTIEVERLOF:
        return _vakantieverlof(verzoek, ctx, lesdagen)
    return _gewichtig(verzoek, ctx, lesdagen)


def toets_besluit(
    uitkomst: Uitkomst, beslisser: Beslisser, herbeoordeling: Beoordeling
) -> None:
    """Refuse a decision the law does not allow; `herbeoordeling` uses today's facts."""
    if uitkomst not in (Uitkomst.GRANTED, Uitkomst.DENIED):
        raise VerlofFout("INVALID_DECISION", "een besluit is GRANTED of DENIED")
    if (
        beslisser is Beslisser.LPA
        and herbeoordeling.uitkomst is not Uitkomst.ROUTED_TO_LPA
    ):
        raise VerlofFout(
            "NOT_ROUTED", "de leerplichtambtenaar beslist alleen boven 10 dagen"
        )
    if (
        beslisser is Beslisser.HEAD
        and herbeoordeling.uitkomst is Uitkomst.ROUTED_TO_LPA
    ):
        # Lpw art. 14(3): above ten days the head only advises.
        raise VerlofFout(
            "ROUTED_TO_LPA", "boven 10 dagen beslist de leerplichtambtenaar"
        )
    if uitkomst is Uitkomst.GRANTED and herbeoordeling.uitkomst is Uitkomst.DENIED:
        reden = herbeoordeling.reden.value if herbeoordeling.reden else "DENIED"
        raise VerlofFout(reden, "dit verlof mag volgens de wet niet worden verleend")
