"""Absence trends of one school per week or month, grouped by year, class or reason.

Minutes are the lesson time actually missed (`gemisteMinuten`), split by status;
every classified slot counts here, also those that do not count toward 16 hours.
"Over a threshold" is a pupil with a duty (meldplicht) that arose in the period, or
with a signal dated in it; with grouping by reason a pupil counts under the reasons
of the slots behind the duty or signal.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import astuple, dataclass, field, fields
from datetime import date
from typing import Literal

from services.analyse.leesmodel import LOPEND, Leerlingstand, Leesmodel

__all__ = ["Groepering", "Per", "Trendregel", "als_csv", "bereken_trends"]

Per = Literal["week", "maand"]
Groepering = Literal["leerjaar", "klas", "reden"]

_ONBEKEND = "onbekend"


@dataclass(frozen=True)
class Trendregel:
    periode: str
    groep: str
    geoorloofd_minuten: int
    ongeoorloofd_minuten: int
    onbekend_minuten: int
    geoorloofd_uren: float
    ongeoorloofd_uren: float
    leerlingen: int
    leerlingen_met_meldplicht: int
    leerlingen_met_signaal: int


@dataclass
class _Cel:
    minuten: dict[str, int] = field(default_factory=dict)
    leerlingen: set[str] = field(default_factory=set)
    met_meldplicht: set[str] = field(default_factory=set)
    met_signaal: set[str] = field(default_factory=set)


def periode_van(d: date, per: Per) -> str:
    if per == "maand":
        return f"{d.year}-{d.month:02d}"
    jaar, week, _ = d.isocalendar()
    return f"{jaar}-W{week:02d}"


def _groep(stand: Leerlingstand, groepering: Groepering, reden: str | None) -> str:
    if groepering == "klas":
        return stand.klas or _ONBEKEND
    if groepering == "leerjaar":
        return str(stand.leerjaar) if stand.leerjaar is not None else _ONBEKEND
    return reden or _ONBEKEND


def _groepen(
    stand: Leerlingstand, groepering: Groepering, slot_ids: Iterable[str]
) -> set[str]:
    if groepering != "reden":
        return {_groep(stand, groepering, None)}
    return {
        _groep(stand, groepering, stand.slots[i][3])
        for i in slot_ids
        if i in stand.slots
    }


def bereken_trends(
    leesmodel: Leesmodel,
    school_id: str,
    per: Per,
    groepering: Groepering,
    van: date | None = None,
    tot: date | None = None,
) -> list[Trendregel]:
    def binnen(d: date) -> bool:
        return (van is None or d >= van) and (tot is None or d <= tot)

    cellen: dict[tuple[str, str], _Cel] = {}

    def cel(d: date, groep: str) -> _Cel:
        return cellen.setdefault((periode_van(d, per), groep), _Cel())

    with leesmodel.lock:
        for lid, stand in leesmodel.van_school(school_id):
            for datum, status, minuten, reden in stand.slots.values():
                if not binnen(datum):
                    continue
                c = cel(datum, _groep(stand, groepering, reden))
                c.minuten[status] = c.minuten.get(status, 0) + minuten
                c.leerlingen.add(lid)
            for m in stand.meldplichten.values():
                if m.status in LOPEND and binnen(m.vastgesteld_op):
                    for groep in _groepen(stand, groepering, m.slot_ids):
                        cel(m.vastgesteld_op, groep).met_meldplicht.add(lid)
            for datum, slot_ids in stand.signalen.values():
                if binnen(datum):
                    for groep in _groepen(stand, groepering, slot_ids):
                        cel(datum, groep).met_signaal.add(lid)
    return [_regel(periode, groep, c) for (periode, groep), c in sorted(cellen.items())]


def _regel(periode: str, groep: str, c: _Cel) -> Trendregel:
    geoorloofd = c.minuten.get("geoorloofd", 0)
    ongeoorloofd = c.minuten.get("ongeoorloofd", 0)
    return Trendregel(
        periode=periode,
        groep=groep,
        geoorloofd_minuten=geoorloofd,
        ongeoorloofd_minuten=ongeoorloofd,
        onbekend_minuten=c.minuten.get("onbekend", 0),
        geoorloofd_uren=round(geoorloofd / 60, 2),
        ongeoorloofd_uren=round(ongeoorloofd / 60, 2),
        leerlingen=len(c.leerlingen),
        leerlingen_met_meldplicht=len(c.met_meldplicht),
        leerlingen_met_signaal=len(c.met_signaal),
    )


def _camel(naam: str) -> str:
    eerste, *rest = naam.split("_")
    return eerste + "".join(deel.capitalize() for deel in rest)


def als_csv(regels: Iterable[Trendregel]) -> str:
    """RFC 4180 CSV with the JSON field names as header."""
    uit = io.StringIO()
    schrijver = csv.writer(uit, lineterminator="\r\n")
    schrijver.writerow([_camel(f.name) for f in fields(Trendregel)])
    for regel in regels:
        schrijver.writerow(astuple(regel))
    return uit.getvalue()
