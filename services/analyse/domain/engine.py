"""The analyse engine: one pure function from a pupil's facts to duties and signals.

`evalueer` depends only on the final set of slots, the meldingen already submitted and
the confirmed decisions (plus `vandaag` for D17 and a returned pupil's LRV
einddatum), never on the order in which corrections arrived. The aggregate compares
two results to decide which events to emit.

Order of the rules, because later ones read what earlier ones reported:

1. luxe verzuim (D18) marks its slots reported (D5);
2. continuous absence (LRV / RMC, D6, D7) takes over the days after its 4 lesweken;
3. the 16-hour rule counts what is left (rules section 8, D1–D4, D7);
4. policy signals: lateness ladder (P-LATE), MAZL (D19).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date

from services.analyse.domain import toelichting as tekst
from services.analyse.domain.beleidssignalen import mazl, te_laat_ladder
from services.analyse.domain.continu import zoek_continu_verzuim
from services.analyse.domain.leerlingdagen import Leerlingdagen
from services.analyse.domain.luxe import zoek_luxeverzuim
from services.analyse.domain.model import (
    AnalyseFout,
    Analyseresultaat,
    IngediendeMelding,
    Intrekkingsvoorstel,
    Leerlingfeiten,
    Meldplicht,
    Slot,
)
from services.analyse.domain.zestien_uur import tel_zestien_uur, teldagen

__all__ = ["evalueer"]


def evalueer(
    feiten: Leerlingfeiten,
    slots: Iterable[Slot],
    ingediend: Iterable[IngediendeMelding] = (),
    besluiten: Mapping[str, bool] | None = None,
    *,
    vandaag: date,
) -> Analyseresultaat:
    """Evaluate every rule for one pupil.

    `ingediend`: meldingen submitted to DUO (facts; a withdrawn one is left out).
    `besluiten`: the verzuimcoördinator's decisions on signals, by signal key:
    True confirms (a "vermoedelijk luxeverzuim" becomes luxe verzuim), False rejects.
    Decided signals are not raised again.
    """
    besluiten = besluiten or {}
    ingediend = list(ingediend)
    if len({m.sleutel for m in ingediend}) != len(ingediend):
        raise AnalyseFout("twee ingediende meldingen met dezelfde sleutel")
    dagen = Leerlingdagen(feiten, slots)

    luxe = zoek_luxeverzuim(dagen, besluiten, vandaag)
    continu = zoek_continu_verzuim(dagen, vandaag)
    telling = teldagen(dagen, luxe.gemelde_slot_ids, continu.gedekte_dagen)
    zestien = tel_zestien_uur(
        dagen, telling, [m for m in ingediend if m.soort.is_zestien_uur], vandaag
    )
    te_laat = te_laat_ladder(dagen, vandaag)

    overige, intrekkingen = koppel_aan_ingediend(
        luxe.meldplichten + continu.meldplichten + te_laat.meldplichten,
        [m for m in ingediend if not m.soort.is_zestien_uur],
    )
    signalen = [
        s
        for s in luxe.signalen + zestien.signalen + te_laat.signalen + mazl(dagen)
        if s.sleutel not in besluiten
    ]
    return Analyseresultaat.samenstellen(
        zestien.meldplichten + overige, zestien.intrekkingen + intrekkingen, signalen
    )


def _overlapt(meldplicht: Meldplicht, melding: IngediendeMelding) -> bool:
    eind_m = meldplicht.einddatum or date.max
    eind_i = melding.einddatum or date.max
    return meldplicht.begindatum <= eind_i and melding.begindatum <= eind_m


def koppel_aan_ingediend(
    berekend: list[Meldplicht], ingediend: list[IngediendeMelding]
) -> tuple[list[Meldplicht], list[Intrekkingsvoorstel]]:
    """Match computed L, LRV, RMC and O duties to the meldingen already submitted.

    A computed duty that is the submitted melding (same key, or the same kind over an
    overlapping period) carries the submitted key and begindatum, so an einddatum
    that became known later shows up as a change of that melding. A submitted
    melding without a computed counterpart lost its ground: withdrawal proposal (D15).
    """
    open_meldingen = sorted(ingediend, key=lambda m: (m.begindatum, m.sleutel))
    duties = sorted(berekend, key=lambda m: (m.begindatum, m.sleutel))
    # The same key first, for every duty: only what is left may pair by overlap, or
    # a later ladder step could take the melding that belongs to an earlier one.
    matches: dict[int, IngediendeMelding] = {}
    for i, duty in enumerate(duties):
        match = next((m for m in open_meldingen if m.sleutel == duty.sleutel), None)
        if match is not None:
            matches[i] = match
            open_meldingen.remove(match)
    for i, duty in enumerate(duties):
        if i in matches:
            continue
        match = next(
            (m for m in open_meldingen if m.soort is duty.soort and _overlapt(duty, m)),
            None,
        )
        if match is not None:
            matches[i] = match
            open_meldingen.remove(match)
    gekoppeld: list[Meldplicht] = []
    for i, duty in enumerate(duties):
        match = matches.get(i)
        if match is None:
            gekoppeld.append(duty)
            continue
        gekoppeld.append(
            replace(
                duty,
                sleutel=match.sleutel,
                begindatum=match.begindatum,
                achterstallig=False,
                ingediend=True,
            )
        )
    intrekkingen = [
        Intrekkingsvoorstel(
            sleutel=m.sleutel,
            soort=m.soort,
            begindatum=m.begindatum,
            einddatum=m.einddatum,
            minuten=0,
            toelichting=(
                f"Na correcties is er geen grond meer voor de ingediende melding "
                f"{m.soort} vanaf {tekst.dag(m.begindatum)}. Intrekking beoordelen "
                "door de verzuimcoördinator (D15)."
            ),
        )
        for m in open_meldingen
    ]
    return gekoppeld, intrekkingen
