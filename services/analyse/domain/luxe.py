"""Luxe verzuim (D18, R-MLD-12) and the signal "vermoedelijk luxeverzuim".

Slots the school coded as holiday (luxe) without granted leave form one L melding per
period of consecutive lesdagen, whatever the number of hours; their minutes are
reported by it and never count toward 16 hours again (D5). Unauthorised absence or a
sick notice on the lesdag right before or after a vacation only raises a signal; a
confirmation by the verzuimcoördinator turns that day into luxe verzuim.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from leerplicht.kalender import Periode, vervaldatum
from services.analyse.domain import toelichting as tekst
from services.analyse.domain.leerlingdagen import Leerlingdagen
from services.analyse.domain.model import (
    Meldplicht,
    Signaal,
    Signaalsoort,
    Slot,
    Slotsoort,
    Verzuimsoort,
)
from services.analyse.domain.zestien_uur import is_achterstallig

VOORVOEGSEL_VERMOEDELIJK = "vermoedelijk-luxe:"


@dataclass
class Luxeuitkomst:
    meldplichten: list[Meldplicht] = field(default_factory=list)
    signalen: list[Signaal] = field(default_factory=list)
    gemelde_slot_ids: set[str] = field(default_factory=set)


def vermoedelijk_sleutel(d: date) -> str:
    return f"{VOORVOEGSEL_VERMOEDELIJK}{d.isoformat()}"


def _verdacht(slot: Slot) -> bool:
    ongeoorloofd_weg = slot.telt_ongeoorloofd and slot.soort is Slotsoort.AFWEZIG
    return not slot.luxe and (ongeoorloofd_weg or slot.is_ziek)


def zoek_luxeverzuim(
    dagen: Leerlingdagen, besluiten: Mapping[str, bool], vandaag: date
) -> Luxeuitkomst:
    uitkomst = Luxeuitkomst()
    luxe: dict[date, list[Slot]] = {}
    for d in dagen.dagen:
        if not dagen.onder_lpw(d):
            continue
        gecodeerd = [s for s in dagen.slots_op(d) if s.luxe and s.telt_ongeoorloofd]
        if gecodeerd:
            luxe[d] = gecodeerd
        if not dagen.is_lesdag(d) or not dagen.grenst_aan_vakantie(d):
            continue
        verdacht = [s for s in dagen.slots_op(d) if _verdacht(s)]
        if not verdacht:
            continue
        sleutel = vermoedelijk_sleutel(d)
        besluit = besluiten.get(sleutel)
        if besluit is True:
            luxe.setdefault(d, []).extend(verdacht)
        elif besluit is None:
            uitkomst.signalen.append(_signaal(sleutel, d, verdacht))

    for periode in _perioden(dagen, sorted(luxe)):
        slots = [s for d in periode for s in luxe[d]]
        uitkomst.meldplichten.append(_meldplicht(dagen, periode, slots, vandaag))
        uitkomst.gemelde_slot_ids.update(s.slot_id for s in slots)
    return uitkomst


def _perioden(dagen: Leerlingdagen, data: list[date]) -> list[list[date]]:
    perioden: list[list[date]] = []
    for d in data:
        if perioden and dagen.aansluitend(perioden[-1][-1], d):
            perioden[-1].append(d)
        else:
            perioden.append([d])
    return perioden


def _signaal(sleutel: str, d: date, slots: list[Slot]) -> Signaal:
    ziek = any(s.is_ziek for s in slots)
    wat = "een ziekmelding" if ziek else "ongeoorloofd verzuim"
    return Signaal(
        sleutel=sleutel,
        soort=Signaalsoort.VERMOEDELIJK_LUXEVERZUIM,
        datum=d,
        slot_ids=tuple(sorted(s.slot_id for s in slots)),
        venster=Periode(d, d),
        toelichting=(
            f"Op {tekst.dag(d)}, de lesdag direct voor of na een vakantie, staat "
            f"{wat}. Vermoedelijk luxeverzuim (D18): de verzuimcoördinator bevestigt "
            "of verwerpt; alleen een bevestiging leidt tot een melding luxe verzuim."
        ),
    )


def _meldplicht(
    dagen: Leerlingdagen, periode: list[date], slots: list[Slot], vandaag: date
) -> Meldplicht:
    begindatum, einddatum = periode[0], periode[-1]
    verval = vervaldatum(einddatum)
    minuten = sum(s.minuten for s in slots if s.telt_ongeoorloofd)
    return Meldplicht(
        sleutel=f"{Verzuimsoort.L}:{begindatum.isoformat()}",
        soort=Verzuimsoort.L,
        begindatum=begindatum,
        einddatum=einddatum,
        vastgesteld_op=einddatum,
        vervaldatum=verval,
        minuten=minuten,
        slot_ids=tuple(sorted(s.slot_id for s in slots)),
        venster=Periode(begindatum, einddatum),
        achterstallig=is_achterstallig(
            einddatum, vandaag, dagen.beleid.achterstallig_dagen
        ),
        ingediend=False,
        toelichting=(
            f"Meldplicht L (luxe verzuim, D18): afwezig zonder verlof van "
            f"{tekst.dag(begindatum)} t/m {tekst.dag(einddatum)} "
            f"({len(periode)} lesdagen), ongeacht het aantal uren. Deze "
            f"{tekst.uren(minuten)} tellen niet opnieuw mee voor de 16 uur (D5). "
            f"Uiterlijk melden op {tekst.dag(verval)} (D4)."
        ),
    )
