"""Classification of lesson slots: a pure function of the facts of one pupil-day.

D14 precedence per slot: (1) a valid legal ground makes it geoorloofd; (2) otherwise
the school's reason-code mapping decides; (3) with no code and no notice the slot is
onbekend until the D8 notice period has passed, then ongeoorloofd. One slot holds one
status: records from several sources for the same slot never add up, and the choice
between them depends only on their content, so any order of arrival gives the same end
state (services/registratie/README.md, From record to lesson slots).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta

from leerplicht.rooster import telwaarde_minuten
from services.registratie.domain.feiten import (
    NOTICE_DAGEN,
    BronFeit,
    DagContext,
    Grond,
    Grondfeit,
    NietGeteld,
    SlotStatus,
    Status,
)
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
    "classificeer",
    "herbeoordelen_op",
]

# The order in which D14 lists the grounds; the first valid one is cited.
_VOORRANG = tuple(Grond)

# Enum member lookups are slow on Python 3.11; the hot paths use these.
_ONBEKEND = Status.ONBEKEND
_GEOORLOOFD = Status.GEOORLOOFD
_ONGEOORLOOFD = Status.ONGEOORLOOFD
_AANWEZIG = Status.AANWEZIG


# Observed presence (late, removed, present) beats a plain absence report for the
# same slot: the pupil was there. Never added up, only one record decides.
_RANG = {Soort.AFWEZIG: 0, Soort.AANWEZIG: 1, Soort.TE_LAAT: 2, Soort.VERWIJDERD: 2}
_ZIEKTE = Grond.ZIEKTE
_SOORT_AANWEZIG = Soort.AANWEZIG


def _code_voorkeur(code: str | None, redenen: Mapping[str, RedenCode]) -> int:
    """An explained absence wins: geoorloofd code > luxe code > other code > none."""
    reden = redenen.get(code) if code else None
    if reden is None:
        return 0
    if reden.geoorloofd:
        return 3
    return 2 if reden.luxe else 1


def _kies(
    kandidaten: list[tuple[BronFeit, Slot]], redenen: Mapping[str, RedenCode]
) -> tuple[BronFeit, Slot, str | None]:
    """The deciding record for one slot, chosen by content only (order-independent)."""
    if len(kandidaten) == 1:
        bron, slot = kandidaten[0]
        return bron, slot, bron.reden_code
    bron, slot = max(
        kandidaten, key=lambda k: (_RANG[k[0].soort], k[1].gemist, k[0].sleutel)
    )
    rang = _RANG[bron.soort]
    codes = [b for b, _ in kandidaten if _RANG[b.soort] == rang and b.reden_code]
    code_bron = max(
        codes,
        key=lambda b: (_code_voorkeur(b.reden_code, redenen), b.sleutel),
        default=None,
    )
    return bron, slot, code_bron.reden_code if code_bron else None


def _status(
    lesuur: int,
    code: str | None,
    ctx: DagContext,
    moment_datum: date,
) -> tuple[Status, Grond | None, str | None, bool, bool]:
    """(status, grond, categorie, luxe, lateSickNotice) for an absent slot (D14)."""
    te_laat_ziek = False
    if ctx.gronden:
        dekkend = [g for g in ctx.gronden if g.dekt(ctx.datum, lesuur)]
        geldig = {g.grond for g in dekkend if g.tijdig()}
        for grond in _VOORRANG:
            if grond in geldig:
                return _GEOORLOOFD, grond, grond.value, False, False
        te_laat_ziek = any(g.grond is _ZIEKTE and not g.tijdig() for g in dekkend)
    reden = ctx.redenen.get(code) if code else None
    if reden is not None:
        status = _GEOORLOOFD if reden.geoorloofd else _ONGEOORLOOFD
        return status, None, reden.categorie, reden.luxe, te_laat_ziek
    if te_laat_ziek:
        # R-VRL-ZIEK-2: a late notice shifts the burden of proof; no ground applies.
        return _ONGEOORLOOFD, None, "ziek_te_laat_gemeld", False, True
    if moment_datum > ctx.datum + timedelta(days=NOTICE_DAGEN):
        return _ONGEOORLOOFD, None, "ongemeld", False, False
    return _ONBEKEND, None, None, False, False


def classificeer(
    bronnen: Iterable[BronFeit], ctx: DagContext, moment: datetime
) -> dict[int, SlotStatus]:
    """The status of every slot the records of this day touch, at `moment` (aware)."""
    per_slot: dict[int, list[tuple[BronFeit, Slot]]] = {}
    for bron in bronnen:
        for slot in bron.slots:
            per_slot.setdefault(slot.lesuur, []).append((bron, slot))

    moment_datum = lokale_datum(moment)
    resultaat: dict[int, SlotStatus] = {}
    for lesuur, kandidaten in per_slot.items():
        bron, slot, code = _kies(kandidaten, ctx.redenen)
        if bron.soort is _SOORT_AANWEZIG:
            resultaat[lesuur] = SlotStatus(
                lesuur,
                _AANWEZIG,
                bron.soort,
                0,
                slot.duur,
                0,
                bron.sleutel,
                niet_geteld=ctx.niet_geteld,
            )
            continue
        status, grond, categorie, luxe, laat = _status(lesuur, code, ctx, moment_datum)
        telwaarde = 0
        if ctx.niet_geteld is None:
            telwaarde = telwaarde_minuten(
                ctx.eenheid,
                slot.duur,
                slot.gemist,
                slot.gemist >= slot.duur,
                ctx.drempel_minuten,
            )
        resultaat[lesuur] = SlotStatus(
            lesuur,
            status,
            bron.soort,
            slot.gemist,
            slot.duur,
            telwaarde,
            bron.sleutel,
            grond,
            categorie,
            code,
            luxe,
            laat,
            ctx.niet_geteld,
        )
    return resultaat


def herbeoordelen_op(statussen: Iterable[SlotStatus], datum: date) -> date | None:
    """The first date on which time alone changes this day: onbekend → ongeoorloofd."""
    if any(s.status is _ONBEKEND for s in statussen):
        return datum + timedelta(days=NOTICE_DAGEN + 1)
    return None
