"""Window sums for the pupil picture: how close is a pupil to the next 16 hours?

A read-only view on what the 16-hour rule counts (D1–D3): unauthorised minutes not
already reported by a luxe melding (D5) or an LRV/RMC melding (D7), after the
einddatum of the latest 16-hour melding, since counting restarts the day after it
(R-MLD-8). Evaluating it never changes the pupil's picture.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from leerplicht.kalender import VENSTER_WEEKDAGEN, Periode, SchoolKalender
from services.analyse.domain.continu import zoek_continu_verzuim
from services.analyse.domain.leerlingdagen import Leerlingdagen
from services.analyse.domain.luxe import zoek_luxeverzuim
from services.analyse.domain.model import Leerlingfeiten, Meldplicht, Slot
from services.analyse.domain.zestien_uur import Teldag, teldagen

# A window of 20 window days spans at most a few vacation weeks; this bounds the walk.
_MAX_TERUG = 200


@dataclass(frozen=True)
class Venstersom:
    minuten: int
    venster: Periode | None


@dataclass(frozen=True)
class Venstersommen:
    huidig: Venstersom  # the window of 20 window days ending today
    hoogste: Venstersom  # the largest sum of any window (D2) since the restart


def venstersommen(
    feiten: Leerlingfeiten,
    slots: Iterable[Slot],
    meldplichten: Iterable[Meldplicht],
    besluiten: Mapping[str, bool],
    vandaag: date,
) -> Venstersommen:
    dagen = Leerlingdagen(feiten, slots)
    luxe = zoek_luxeverzuim(dagen, besluiten, vandaag)
    continu = zoek_continu_verzuim(dagen, vandaag)
    herstart = max(
        (m.einddatum or m.begindatum for m in meldplichten if m.soort.is_zestien_uur),
        default=None,
    )
    telling = [
        t
        for t in teldagen(dagen, luxe.gemelde_slot_ids, continu.gedekte_dagen)
        if herstart is None or t.datum > herstart
    ]
    return Venstersommen(
        huidig=_huidig(feiten.kalender, telling, vandaag),
        hoogste=_hoogste(dagen, telling),
    )


def _hoogste(dagen: Leerlingdagen, telling: list[Teldag]) -> Venstersom:
    # Every window is anchored on a date with counted time (D2); the best window
    # ending at day j starts at the earliest day at most 19 window days before it.
    beste, anker = 0, None
    som, links = 0, 0
    for dag in telling:
        som += dag.minuten
        while dag.positie - telling[links].positie >= VENSTER_WEEKDAGEN:
            som -= telling[links].minuten
            links += 1
        if som > beste:
            beste, anker = som, telling[links].datum
    return Venstersom(beste, dagen.venster(anker) if anker is not None else None)


def _huidig(
    kalender: SchoolKalender, telling: list[Teldag], vandaag: date
) -> Venstersom:
    laatste = kalender.vensterpositie(vandaag)
    if not kalender.is_vensterdag(vandaag):
        laatste -= 1  # the position is that of the first window day after today
    som = sum(
        t.minuten
        for t in telling
        if t.datum <= vandaag and laatste - t.positie < VENSTER_WEEKDAGEN
    )
    return Venstersom(som, Periode(_venster_begin(kalender, vandaag), vandaag))


def _venster_begin(kalender: SchoolKalender, einde: date) -> date:
    d, geteld = einde, 0
    for _ in range(_MAX_TERUG):
        if kalender.is_vensterdag(d):
            geteld += 1
            if geteld == VENSTER_WEEKDAGEN:
                return d
        d -= timedelta(days=1)
    return d
