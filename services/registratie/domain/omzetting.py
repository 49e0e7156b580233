"""From an absence record to lesson slots per date.

A record names lessons (`lesuurVan`/`lesuurTot`), a time span (`van`/`tot`) or whole
days. The result is, per date, the lessons it touches with the minutes missed in each.
Missed minutes always come from the timetable, never from the wall-clock span of a whole
day. Late arrival is bounded by the lesson (services/registratie/README.md, Absence
records).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from leerplicht.rooster import Lesuur, Rooster
from services.registratie.domain.fouten import (
    DatumBuitenBereik,
    LesuurBuitenRooster,
    OngeldigeInvoer,
    TeLaatBuitenLesuur,
    TotVoorVan,
)
from services.registratie.domain.invoer import AfwezigheidInvoer, Soort
from services.registratie.domain.tijd import Tijdstip, einde_van_dag, lees_tijdstip

__all__ = [
    "DagDeel",
    "MAX_DAGEN_PER_RECORD",
    "OPEN_AFWEZIGHEID",
    "Slot",
    "naar_dagdelen",
]

# A longer span is almost certainly an input error; a long illness is sent as notices.
MAX_DAGEN_PER_RECORD = 62
OPEN_AFWEZIGHEID = (
    "tot ontbreekt: een open afwezigheid wordt nog niet ondersteund; stuur een tot "
    "of per dag (een ziekmelding zonder tot kan wel, via /afmeldingen)"
)


@dataclass(frozen=True, slots=True)
class Slot:
    """One lesson touched by a record: minutes missed out of the lesson's length."""

    lesuur: int
    gemist: int
    duur: int

    @property
    def volledig(self) -> bool:
        return self.gemist >= self.duur


@dataclass(frozen=True, slots=True)
class DagDeel:
    """The part of one record that falls on one date."""

    datum: date
    slots: tuple[Slot, ...]


def _vol(les: Lesuur) -> Slot:
    minuten = les.minuten
    return Slot(les.nummer, minuten, minuten)


def _op(d: date, t: time) -> datetime:
    return datetime.combine(d, t)


def _overlap(les: Lesuur, d: date, start: datetime, eind: datetime) -> int:
    begin = max(start, _op(d, les.begin))
    einde = min(eind, _op(d, les.eind))
    return max(0, int((einde - begin).total_seconds() // 60))


def _verdeel_vooraan(lessen: list[Lesuur], minuten: int, veld: str) -> list[Slot]:
    """Late arrival: minutes run from the start of the first lesson, never past the
    last."""
    totaal = sum(les.minuten for les in lessen)
    if minuten > totaal:
        raise TeLaatBuitenLesuur(
            veld,
            f"{minuten} minuten passen niet in lesuur {lessen[0].nummer}"
            f"–{lessen[-1].nummer} ({totaal} minuten)",
        )
    slots, rest = [], minuten
    for les in lessen:
        deel = min(rest, les.minuten)
        if deel:
            slots.append(Slot(les.nummer, deel, les.minuten))
        rest -= deel
    return slots


def _verdeel_achteraan(lessen: list[Lesuur], minuten: int, veld: str) -> list[Slot]:
    """Removal from class: minutes run back from the end of the last lesson."""
    slots = _verdeel_vooraan(list(reversed(lessen)), minuten, veld)
    return sorted(slots, key=lambda s: s.lesuur)


def _gekozen_lessen(rooster: Rooster, d: date, van: int, tot: int) -> list[Lesuur]:
    op_dag = {les.nummer: les for les in rooster.lesuren_op(d)}
    for nummer, veld in ((van, "lesuurVan"), (tot, "lesuurTot")):
        if nummer not in op_dag:
            raise LesuurBuitenRooster(veld, f"geen lesuur {nummer} op {d.isoformat()}")
    return [op_dag[n] for n in sorted(op_dag) if van <= n <= tot]


def _tijdvak_slots(
    lessen: list[Lesuur], d: date, start: datetime, eind: datetime, soort: Soort
) -> list[Slot]:
    slots = []
    for les in lessen:
        gemist = _overlap(les, d, start, eind)
        if gemist:
            slots.append(
                Slot(les.nummer, 0 if soort is Soort.AANWEZIG else gemist, les.minuten)
            )
    return slots


def _lesuur_slots(
    invoer: AfwezigheidInvoer,
    lessen: list[Lesuur],
    d: date,
    soort: Soort,
    tijdvak: tuple[datetime, datetime] | None,
) -> list[Slot]:
    if soort is Soort.AANWEZIG:
        return [Slot(les.nummer, 0, les.minuten) for les in lessen]
    if soort is Soort.AFWEZIG:
        # The SIS's own lesson numbers win over its clock times (which may follow
        # another bell schedule): the named lessons are missed in full.
        return [_vol(les) for les in lessen]
    if invoer.minuten is not None:
        if invoer.minuten == 0:
            raise OngeldigeInvoer("minuten", "0 minuten is geen registratie")
        if soort is Soort.TE_LAAT:
            return _verdeel_vooraan(lessen, invoer.minuten, "minuten")
        return _verdeel_achteraan(lessen, invoer.minuten, "minuten")
    if tijdvak is not None:
        start, eind = tijdvak
        if start < _op(d, lessen[0].begin) or eind > _op(d, lessen[-1].eind):
            raise TeLaatBuitenLesuur("tot", "tijdvak valt buiten de genoemde lesuren")
        return _tijdvak_slots(lessen, d, start, eind, soort)
    if soort is Soort.TE_LAAT:
        raise OngeldigeInvoer("minuten", "te laat vraagt minuten of een tijdvak")
    return [_vol(les) for les in lessen]


def _grenzen(invoer: AfwezigheidInvoer) -> tuple[date, datetime, datetime, bool]:
    van_t: Tijdstip | None = lees_tijdstip(invoer.van, "van") if invoer.van else None
    tot_t: Tijdstip | None = lees_tijdstip(invoer.tot, "tot") if invoer.tot else None
    if invoer.datum is None and van_t is None:
        raise OngeldigeInvoer("datum", "datum of van is verplicht")
    begin_datum = invoer.datum if invoer.datum is not None else van_t.datum  # type: ignore[union-attr]
    if van_t is not None and van_t.datum != begin_datum:
        raise OngeldigeInvoer("van", "valt niet op de opgegeven datum")
    if van_t is not None and tot_t is None and invoer.lesuur_van is None:
        # A SIS sends no end for "nog afwezig". Counting it on every lesdag up to
        # its end would need the daily job to extend the record; until then it is
        # refused rather than counted as its first day only.
        raise OngeldigeInvoer("tot", OPEN_AFWEZIGHEID)
    start = van_t.moment if van_t is not None else _op(begin_datum, time())
    if tot_t is None:
        eind = einde_van_dag(begin_datum, "van" if invoer.datum is None else "datum")
    elif tot_t.alleen_datum:
        eind = einde_van_dag(tot_t.datum, "tot")
    else:
        eind = tot_t.moment
    if eind <= start:
        raise TotVoorVan("tot", "tot ligt niet na van")
    tijdvak = (van_t is not None and not van_t.alleen_datum) or (
        tot_t is not None and not tot_t.alleen_datum
    )
    return begin_datum, start, eind, tijdvak


def naar_dagdelen(
    invoer: AfwezigheidInvoer, rooster: Rooster, soort: Soort
) -> tuple[DagDeel, ...]:
    """Split a record into the lesson slots it touches on each date it covers."""
    begin_datum, start, eind, tijdvak = _grenzen(invoer)
    laatste = (eind - timedelta(microseconds=1)).date()
    if (laatste - begin_datum).days + 1 > MAX_DAGEN_PER_RECORD:
        raise DatumBuitenBereik("tot", f"meer dan {MAX_DAGEN_PER_RECORD} dagen")
    if invoer.lesuur_tot is not None and invoer.lesuur_van is None:
        raise OngeldigeInvoer("lesuurVan", "lesuurTot zonder lesuurVan")
    lesuur_tot = (
        invoer.lesuur_tot if invoer.lesuur_tot is not None else invoer.lesuur_van
    )
    if invoer.lesuur_van is not None and lesuur_tot is not None:
        if lesuur_tot < invoer.lesuur_van:
            raise TotVoorVan("lesuurTot", "lesuurTot ligt voor lesuurVan")
        if laatste != begin_datum:
            raise OngeldigeInvoer("lesuurVan", "een lesuurbereik hoort bij één datum")

    delen = []
    d = begin_datum
    while d <= laatste:
        lessen = list(rooster.lesuren_op(d))
        slots: list[Slot] = []
        if lessen and invoer.lesuur_van is not None and lesuur_tot is not None:
            gekozen = _gekozen_lessen(rooster, d, invoer.lesuur_van, lesuur_tot)
            slots = _lesuur_slots(
                invoer, gekozen, d, soort, (start, eind) if tijdvak else None
            )
        elif lessen and tijdvak:
            if invoer.minuten is not None and soort is Soort.TE_LAAT:
                raise OngeldigeInvoer("lesuurVan", "minuten te laat vragen een lesuur")
            slots = _tijdvak_slots(lessen, d, start, eind, soort)
            if not slots and begin_datum == laatste:
                raise LesuurBuitenRooster("van", "tijdvak valt buiten het rooster")
        elif lessen:
            if soort is Soort.TE_LAAT:
                raise OngeldigeInvoer(
                    "lesuurVan", "te laat vraagt een lesuur of tijdvak"
                )
            if soort is Soort.AANWEZIG:
                slots = [Slot(les.nummer, 0, les.minuten) for les in lessen]
            else:
                slots = [_vol(les) for les in lessen]
        delen.append(DagDeel(d, tuple(slots)))
        d += timedelta(days=1)
    return tuple(delen)
