"""Recount a whole school year for 1,500 made-up pupils and report time and memory.

Targets: under 20 seconds and under 300 MB peak for about 150,000 slots. Two passes:
the pure engine from scratch per pupil, and the aggregate path (one batch of slots
per pupil, events collected). Run:

    .venv/bin/python benchmarks/analyse_recount.py [--leerlingen 1500] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from collections import Counter
from datetime import date

from leerplicht.fixtures import MBO_BBL_ROOSTER, PO_ROOSTER, TC_2526, VO_ROOSTER
from services.analyse.domain.aggregate import Leerlingbeeld, Schoolcontext
from services.analyse.domain.engine import evalueer
from services.analyse.domain.model import (
    Leerlingfeiten,
    Sector,
    Slot,
    Slotsoort,
    Slotstatus,
)

LESDAGEN = TC_2526.lesdagen(date(2025, 9, 1), date(2026, 7, 17))
VANDAAG = date(2026, 7, 17)
ROOSTERS = {Sector.PO: PO_ROOSTER, Sector.VO: VO_ROOSTER, Sector.MBO: MBO_BBL_ROOSTER}


class Generator:
    """A realistic mix: mostly light absence, some truants, long illness, luxe trips."""

    def __init__(self, rnd: random.Random, sector: Sector) -> None:
        self.rnd = rnd
        self.sector = sector
        self.slots: dict[str, Slot] = {}

    def _lesuren(self, dag: date) -> list[int]:
        return [lu.nummer for lu in ROOSTERS[self.sector].lesuren_op(dag)]

    def dag(self, dag: date, status: Slotstatus, luxe: bool = False) -> None:
        ziek = status is Slotstatus.GEOORLOOFD
        for lu in ROOSTERS[self.sector].lesuren_op(dag):
            # D3: PO counts the missed minutes, VO/MBO one hour per lesuur <= 60 min.
            minuten = lu.minuten if self.sector is Sector.PO else max(lu.minuten, 60)
            slot_id = f"{dag}/{lu.nummer}"
            self._voeg(
                Slot(slot_id, dag, lu.nummer, status, minuten, luxe=luxe, ziek=ziek)
            )

    def lesuur(self, dag: date) -> None:
        lesuren = self._lesuren(dag)
        if not lesuren:
            return
        lu = self.rnd.choice(lesuren)
        status = self.rnd.choice([Slotstatus.ONGEOORLOOFD] * 4 + [Slotstatus.ONBEKEND])
        minuten = 60 if self.sector is not Sector.PO else self.rnd.choice([30, 60, 90])
        self._voeg(Slot(f"{dag}/{lu}", dag, lu, status, minuten))

    def te_laat(self, dag: date) -> None:
        minuten = self.rnd.choice([5, 10, 20]) if self.sector is Sector.PO else 0
        self._voeg(
            Slot(
                f"{dag}/laat",
                dag,
                1,
                Slotstatus.ONGEOORLOOFD,
                minuten,
                soort=Slotsoort.TE_LAAT,
            )
        )

    def _voeg(self, slot: Slot) -> None:
        self.slots[slot.slot_id] = slot


def leerling(rnd: random.Random) -> tuple[Leerlingfeiten, list[Slot]]:
    sector = rnd.choices([Sector.PO, Sector.VO, Sector.MBO], weights=[30, 60, 10])[0]
    jaar = {Sector.PO: rnd.randint(2014, 2020), Sector.VO: rnd.randint(2007, 2013)}
    geboren = date(jaar.get(sector, rnd.randint(2005, 2009)), rnd.randint(1, 12), 15)
    g = Generator(rnd, sector)
    profiel = rnd.choices(["licht", "spijbelaar", "langziek", "luxe"], [70, 15, 10, 5])[
        0
    ]
    # Everybody: some sick days, a few skipped lessons, some late arrivals.
    for dag in rnd.sample(LESDAGEN, rnd.randint(5, 14)):
        g.dag(dag, Slotstatus.GEOORLOOFD)
    for dag in rnd.sample(LESDAGEN, rnd.randint(15, 50)):
        g.lesuur(dag)
    for dag in rnd.sample(LESDAGEN, rnd.randint(0, 14)):
        g.te_laat(dag)
    if profiel == "spijbelaar":
        start = rnd.randrange(len(LESDAGEN) - 30)
        for dag in LESDAGEN[start : start + rnd.randint(3, 25)]:
            g.dag(dag, Slotstatus.ONGEOORLOOFD)
    elif profiel == "langziek":
        start = rnd.randrange(len(LESDAGEN) - 20)
        for dag in LESDAGEN[start : start + rnd.randint(5, 15)]:
            g.dag(dag, Slotstatus.GEOORLOOFD)
    elif profiel == "luxe":
        for dag in (date(2026, 2, 12), date(2026, 2, 13)):
            g.dag(dag, Slotstatus.ONGEOORLOOFD, luxe=True)
    feiten = Leerlingfeiten(geboren, sector, TC_2526, ROOSTERS[sector])
    return feiten, list(g.slots.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leerlingen", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    rnd = random.Random(args.seed)
    populatie = [leerling(rnd) for _ in range(args.leerlingen)]
    aantal_slots = sum(len(slots) for _, slots in populatie)

    begin = time.perf_counter()
    soorten: Counter[str] = Counter()
    for feiten, slots in populatie:
        resultaat = evalueer(feiten, slots, vandaag=VANDAAG)
        soorten.update(m.soort.value for m in resultaat.meldplichten)
        soorten.update(s.soort.value for s in resultaat.signalen)
    engine_sec = time.perf_counter() - begin

    begin = time.perf_counter()
    gebeurtenissen = 0
    for i, (feiten, slots) in enumerate(populatie):
        beeld = Leerlingbeeld.nieuw(f"bench-{i}", feiten.geboortedatum, feiten.sector)
        school = Schoolcontext(feiten.kalender, feiten.rooster)
        beeld.verwerk_slots(slots, [], school, VANDAAG)
        gebeurtenissen += len(beeld.collect_events())
    aggregate_sec = time.perf_counter() - begin

    piek_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"leerlingen         {args.leerlingen}")
    print(f"slots              {aantal_slots}")
    print(f"engine (herteling) {engine_sec:.2f} s")
    print(f"aggregate + events {aggregate_sec:.2f} s ({gebeurtenissen} events)")
    print(f"piekgeheugen       {piek_mb:.0f} MB (ru_maxrss, hele proces)")
    print(
        "uitkomsten         "
        + ", ".join(f"{k}={v}" for k, v in sorted(soorten.items()))
    )
    binnen = engine_sec < 20 and aggregate_sec < 20 and piek_mb < 300
    print("doel (< 20 s, < 300 MB): " + ("gehaald" if binnen else "NIET gehaald"))


if __name__ == "__main__":
    main()
