"""Continuous absence: LRV (under 18, D7) and RMC (18 to 22, no startkwalificatie, D6).

A run is a sequence of the pupil's lesdagen on which every lesson was missed without
valid reason, with no lesdag in between that breaks it. Lesdagen of a vacation-free week
are counted as window days (D2), so "more than 4 lesweken" means the run reaches the
21st window day after its first day. From that day on the continuing absence is
reported through the LRV or RMC melding (its einddatum follows when the pupil returns)
instead of through ever more weekly 16-hour repeat meldingen.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from leerplicht.kalender import VENSTER_WEEKDAGEN, Periode, vervaldatum
from leerplicht.regime import Regime
from services.analyse.domain import toelichting as tekst
from services.analyse.domain.leerlingdagen import Leerlingdagen
from services.analyse.domain.model import Meldplicht, Verzuimsoort
from services.analyse.domain.zestien_uur import is_achterstallig


@dataclass
class Continuuitkomst:
    meldplichten: list[Meldplicht] = field(default_factory=list)
    gedekte_dagen: set[date] = field(default_factory=set)


def _soort(regime: Regime) -> Verzuimsoort | None:
    if regime in (Regime.LEERPLICHT, Regime.KWALIFICATIEPLICHT):
        return Verzuimsoort.LRV
    if regime is Regime.RMC:
        return Verzuimsoort.RMC
    return None


def _reeksen(dagen: Leerlingdagen) -> list[tuple[Verzuimsoort, list[date]]]:
    reeksen: list[tuple[Verzuimsoort, list[date]]] = []
    for d in dagen.dagen:
        soort = _soort(dagen.regime(d))
        if soort is None or not dagen.volledig_afwezig(d):
            continue
        if reeksen:
            vorige_soort, vorige = reeksen[-1]
            if vorige_soort is soort and dagen.aansluitend(vorige[-1], d):
                vorige.append(d)
                continue
        reeksen.append((soort, [d]))
    return reeksen


def zoek_continu_verzuim(dagen: Leerlingdagen, vandaag: date) -> Continuuitkomst:
    uitkomst = Continuuitkomst()
    for soort, reeks in _reeksen(dagen):
        start = reeks[0]
        start_positie = dagen.positie(start)
        # D7 / R-MLD-15: more than 4 lesweken, i.e. beyond the 20 window days.
        trigger = next(
            (d for d in reeks if dagen.positie(d) - start_positie >= VENSTER_WEEKDAGEN),
            None,
        )
        if trigger is None:
            continue
        uitkomst.gedekte_dagen.update(d for d in reeks if d >= trigger)
        uitkomst.meldplichten.append(_meldplicht(dagen, soort, reeks, trigger, vandaag))
    return uitkomst


def _meldplicht(
    dagen: Leerlingdagen,
    soort: Verzuimsoort,
    reeks: list[date],
    trigger: date,
    vandaag: date,
) -> Meldplicht:
    start, laatste = reeks[0], reeks[-1]
    terug = dagen.volgende_lesdag(laatste)
    # D7: the einddatum is known once a later lesdag has passed without full absence.
    einddatum = laatste if terug is not None and terug < vandaag else None
    slots = [s for d in reeks for s in dagen.slots_op(d) if s.telt_ongeoorloofd]
    minuten = sum(s.minuten for s in slots)
    verval = vervaldatum(trigger)
    regel = (
        "langdurig relatief verzuim (LRV, D7)"
        if soort is Verzuimsoort.LRV
        else "RMC-verzuim, 18 tot 23 jaar zonder startkwalificatie (D6)"
    )
    einde_tekst = (
        f"De leerling is terug na {tekst.dag(einddatum)} (einddatum)."
        if einddatum is not None
        else "Het verzuim duurt voort; de einddatum volgt bij terugkeer."
    )
    return Meldplicht(
        sleutel=f"{soort}:{start.isoformat()}",
        soort=soort,
        begindatum=start,
        einddatum=einddatum,
        vastgesteld_op=trigger,
        vervaldatum=verval,
        minuten=minuten,
        slot_ids=tuple(sorted(s.slot_id for s in slots)),
        venster=Periode(start, laatste),
        achterstallig=is_achterstallig(
            trigger, vandaag, dagen.beleid.achterstallig_dagen
        ),
        ingediend=False,
        toelichting=(
            f"Meldplicht {soort}: {regel}. Vanaf {tekst.dag(start)} elke lesdag "
            f"volledig ongeoorloofd afwezig; op {tekst.dag(trigger)} langer dan vier "
            f"lesweken. {einde_tekst} Uiterlijk melden op {tekst.dag(verval)} (D4)."
        ),
    )
