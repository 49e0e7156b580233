"""School-policy signals: the lateness ladder (P-LATE) and MAZL (P-MAZL, D19).

Policy, not law: every number comes from `Beleid`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from leerplicht.kalender import Periode, schooljaar_van, vervaldatum
from services.analyse.domain import toelichting as tekst
from services.analyse.domain.leerlingdagen import Leerlingdagen
from services.analyse.domain.model import (
    MELDENDE_ACTIES,
    LateScope,
    Meldplicht,
    Signaal,
    Signaalsoort,
    Slot,
    Slotsoort,
    Verzuimsoort,
)
from services.analyse.domain.zestien_uur import is_achterstallig


@dataclass
class Beleidsuitkomst:
    meldplichten: list[Meldplicht] = field(default_factory=list)
    signalen: list[Signaal] = field(default_factory=list)


def _scope(d: date, scope: LateScope) -> str:
    if scope is LateScope.KALENDERMAAND:
        return f"{d.year}-{d.month:02d}"
    jaar = schooljaar_van(d)
    return f"{jaar.van.year}-{jaar.tot.year}"


def te_laat_ladder(dagen: Leerlingdagen, vandaag: date) -> Beleidsuitkomst:
    """P-LATE: the n-th unauthorised late arrival within the scope hits ladder step n.

    Every late-arrival slot is one late arrival; the counter restarts per school year
    or per calendar month (policy `late.scope`).
    """
    uitkomst = Beleidsuitkomst()
    beleid = dagen.beleid
    tredes = {t.aantal: t for t in beleid.te_laat_ladder}
    per_scope: dict[str, list[Slot]] = {}
    for d in dagen.dagen:
        for s in dagen.slots_op(d):
            if s.soort is Slotsoort.TE_LAAT and s.telt_ongeoorloofd:
                per_scope.setdefault(_scope(d, beleid.te_laat_scope), []).append(s)
    for scope, keer in per_scope.items():
        for n, slot in enumerate(keer, start=1):
            trede = tredes.get(n)
            if trede is None:
                continue
            ids = tuple(s.slot_id for s in keer[:n])
            periode = Periode(keer[0].datum, slot.datum)
            uitkomst.signalen.append(
                Signaal(
                    sleutel=f"te-laat:{scope}:{n}",
                    soort=Signaalsoort.TE_LAAT,
                    datum=slot.datum,
                    slot_ids=ids,
                    venster=periode,
                    acties=trede.acties,
                    toelichting=(
                        f"{n}e keer ongeoorloofd te laat in {scope} "
                        f"({tekst.periode(periode)}); stap {n} van de te-laatladder "
                        f"van de school (P-LATE): {', '.join(trede.acties)}."
                    ),
                )
            )
            if (
                MELDENDE_ACTIES.intersection(trede.acties)
                and dagen.regime(slot.datum).meldbaar
            ):
                uitkomst.meldplichten.append(
                    _overig(dagen, scope, n, periode, keer[:n], vandaag)
                )
    return uitkomst


def _overig(
    dagen: Leerlingdagen,
    scope: str,
    n: int,
    periode: Periode,
    slots: list[Slot],
    vandaag: date,
) -> Meldplicht:
    verval = vervaldatum(periode.tot)
    minuten = sum(s.minuten for s in slots)
    return Meldplicht(
        sleutel=f"{Verzuimsoort.O}:te-laat:{scope}:{n}",
        soort=Verzuimsoort.O,
        begindatum=periode.van,
        einddatum=None,
        vastgesteld_op=periode.tot,
        vervaldatum=verval,
        minuten=minuten,
        slot_ids=tuple(sorted(s.slot_id for s in slots)),
        venster=periode,
        achterstallig=is_achterstallig(
            periode.tot, vandaag, dagen.beleid.achterstallig_dagen
        ),
        ingediend=False,
        toelichting=(
            f"Melding O (overig verzuim, optioneel; schoolbeleid P-LATE): {n} keer "
            f"ongeoorloofd te laat in {tekst.periode(periode)}."
        ),
    )


def _ziekte_episodes(dagen: Leerlingdagen) -> list[list[date]]:
    episodes: list[list[date]] = []
    for d in dagen.dagen:
        if not dagen.is_lesdag(d) or not any(s.is_ziek for s in dagen.slots_op(d)):
            continue
        if episodes and dagen.aansluitend(episodes[-1][-1], d):
            episodes[-1].append(d)
        else:
            episodes.append([d])
    return episodes


def mazl(dagen: Leerlingdagen) -> list[Signaal]:
    """D19: 4 new sick episodes in 12 lesweken, or the 7th consecutive sick lesdag."""
    beleid = dagen.beleid
    signalen: list[Signaal] = []
    nieuw: list[list[date]] = []
    for episode in _ziekte_episodes(dagen):
        nieuw.append(episode)
        if len(nieuw) >= beleid.mazl_aantal_episodes:
            eerste = nieuw[-beleid.mazl_aantal_episodes]
            afstand = dagen.lesweek(episode[0]) - dagen.lesweek(eerste[0])
            if afstand < beleid.mazl_lesweken:
                telling = nieuw[-beleid.mazl_aantal_episodes :]
                signalen.append(_frequent(dagen, telling))
                # "New" episodes: the next signal needs a fresh set of episodes.
                nieuw = []
        if len(episode) >= beleid.mazl_aaneengesloten_lesdagen:
            signalen.append(
                _langdurig(dagen, episode, beleid.mazl_aaneengesloten_lesdagen)
            )
    return signalen


def _ziek_ids(dagen: Leerlingdagen, data: list[date]) -> tuple[str, ...]:
    return tuple(
        sorted(s.slot_id for d in data for s in dagen.slots_op(d) if s.is_ziek)
    )


def _frequent(dagen: Leerlingdagen, episodes: list[list[date]]) -> Signaal:
    d = episodes[-1][0]
    starts = ", ".join(tekst.dag(e[0]) for e in episodes)
    return Signaal(
        sleutel=f"mazl-frequent:{d.isoformat()}",
        soort=Signaalsoort.ZORGWEKKEND_ZIEKTEVERZUIM,
        datum=d,
        slot_ids=_ziek_ids(dagen, [d for e in episodes for d in e]),
        venster=Periode(episodes[0][0], d),
        toelichting=(
            f"Zorgwekkend ziekteverzuim (MAZL, D19): {len(episodes)} nieuwe "
            f"ziekmeldingen binnen 12 lesweken, gestart op {starts}."
        ),
    )


def _langdurig(dagen: Leerlingdagen, episode: list[date], grens: int) -> Signaal:
    d = episode[grens - 1]
    return Signaal(
        sleutel=f"mazl-aaneengesloten:{episode[0].isoformat()}",
        soort=Signaalsoort.ZORGWEKKEND_ZIEKTEVERZUIM,
        datum=d,
        slot_ids=_ziek_ids(dagen, episode[:grens]),
        venster=Periode(episode[0], d),
        toelichting=(
            f"Zorgwekkend ziekteverzuim (MAZL, D19): {tekst.dag(d)} is de {grens}e "
            f"aaneengesloten lesdag ziek, sinds {tekst.dag(episode[0])}."
        ),
    )
