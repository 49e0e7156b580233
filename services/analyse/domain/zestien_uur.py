"""The 16-hour rule: 16 hours of unauthorised absence in 4 lesweken (rules section 8).

Submitted meldingen are facts: each one consumed every hour up to and including its
einddatum (R-MLD-8), so counting restarts after the last submitted einddatum and the
only question for an earlier period is whether the submitted melding still has its
16 hours (D15). New duties are found greedily from that point on, in date order, the
way the engine would have found them running day by day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from leerplicht.kalender import VENSTER_WEEKDAGEN, vervaldatum
from leerplicht.regime import Regime
from leerplicht.rooster import DREMPEL_MELDPLICHT_MINUTEN
from services.analyse.domain import toelichting as tekst
from services.analyse.domain.leerlingdagen import Leerlingdagen
from services.analyse.domain.model import (
    IngediendeMelding,
    Intrekkingsvoorstel,
    Meldplicht,
    Signaal,
    Signaalsoort,
    Verzuimsoort,
)


@dataclass(frozen=True, slots=True)
class Teldag:
    """One date with counted, unreported unauthorised minutes."""

    datum: date
    positie: int
    minuten: int
    slot_ids: tuple[str, ...]


@dataclass
class Zestienuursuitkomst:
    meldplichten: list[Meldplicht] = field(default_factory=list)
    intrekkingen: list[Intrekkingsvoorstel] = field(default_factory=list)
    signalen: list[Signaal] = field(default_factory=list)


def is_achterstallig(vastgesteld_op: date, vandaag: date, dagen: int) -> bool:
    """D17: the duty arose more than `dagen` days before it was detected."""
    return (vandaag - vastgesteld_op).days > dagen


def teldagen(
    dagen: Leerlingdagen, uitgesloten_slots: set[str], uitgesloten_dagen: set[date]
) -> list[Teldag]:
    """Per date the minutes that count toward 16 hours.

    Slots under Regime.GEEN count 0 (S18); RMC dates only count under the policy
    `melden18PlusBij16Uur` (D6); luxe slots are already reported (D5); days covered by
    an LRV or RMC melding are reported through that melding (D7).
    """
    resultaat = []
    for d in dagen.dagen:
        regime = dagen.regime(d)
        if regime is Regime.GEEN or d in uitgesloten_dagen:
            continue
        if regime is Regime.RMC and not dagen.beleid.melden_18plus_bij_16_uur:
            continue
        tellend = [
            s
            for s in dagen.slots_op(d)
            if s.telt_ongeoorloofd
            and s.minuten > 0
            and s.slot_id not in uitgesloten_slots
        ]
        if tellend:
            resultaat.append(
                Teldag(
                    d,
                    dagen.positie(d),
                    sum(s.minuten for s in tellend),
                    tuple(s.slot_id for s in tellend),
                )
            )
    return resultaat


def tel_zestien_uur(
    dagen: Leerlingdagen,
    telling: list[Teldag],
    ingediend: Iterable[IngediendeMelding],
    vandaag: date,
) -> Zestienuursuitkomst:
    uitkomst = Zestienuursuitkomst()
    beleid = dagen.beleid
    herhaling = timedelta(days=beleid.herhaalmelding_dagen)
    meldingen = sorted(ingediend, key=lambda m: (m.einddatum or date.max, m.sleutel))
    vorige_einde: date | None = None
    signaal_in_segment = False
    # 16 hours reached again while a repeat melding was not yet allowed (D7): the
    # duty stands, its melding waits for the first day the repeat is allowed.
    uitgesteld = False
    links = 0  # first day counted since the last restart (R-MLD-8)
    som = 0
    j = 0
    k = 0
    while True:
        volgende = meldingen[k] if k < len(meldingen) else None
        if uitgesteld and vorige_einde is not None:
            vanaf = vorige_einde + herhaling
            # Due once that day has come and what follows is no longer this
            # segment's: a day after it, a submitted melding, or nothing more.
            if j < len(telling) and (
                volgende is None or telling[j].datum < volgende.begindatum
            ):
                daarna: date | None = telling[j].datum
            else:
                daarna = volgende.begindatum if volgende is not None else None
            if daarna is None or daarna > vanaf:
                uitgesteld = False
                if vandaag >= vanaf and som >= DREMPEL_MELDPLICHT_MINUTEN:
                    uitkomst.meldplichten.append(
                        _nieuwe_meldplicht(
                            dagen, telling[links:j], som, vandaag, herhaling_vanaf=vanaf
                        )
                    )
                    vorige_einde = telling[j - 1].datum
                    links, som, signaal_in_segment = j, 0, False
        # Days before the next submitted melding's begindatum are scanned freely, so
        # an unsubmitted earlier duty is found whatever order DUO confirmed them in;
        # from its begindatum to its einddatum the days belong to that melding.
        if j < len(telling) and (
            volgende is None or telling[j].datum < volgende.begindatum
        ):
            dag = telling[j]
            som += dag.minuten
            # Sliding anchor (D2): the best window ending today starts 19 window
            # days back.
            while dag.positie - telling[links].positie >= VENSTER_WEEKDAGEN:
                som -= telling[links].minuten
                links += 1
            herhaling_mag = vorige_einde is None or dag.datum >= vorige_einde + (
                herhaling
            )
            j += 1
            # D1: due at >= 960 minutes; D7: a repeat melding at most once per 7 days.
            if som >= DREMPEL_MELDPLICHT_MINUTEN:
                if herhaling_mag:
                    uitkomst.meldplichten.append(
                        _nieuwe_meldplicht(dagen, telling[links:j], som, vandaag)
                    )
                    vorige_einde = dag.datum
                    links, som, signaal_in_segment = j, 0, False
                    continue
                uitgesteld = True
            drempel = beleid.signaalverzuim_minuten
            if drempel is not None and som >= drempel and not signaal_in_segment:
                uitkomst.signalen.append(_signaalverzuim(dagen, telling[links:j], som))
                signaal_in_segment = True
            continue
        if volgende is None:
            break
        einde = volgende.einddatum or volgende.begindatum
        while j < len(telling) and telling[j].datum <= einde:
            j += 1
        einde_positie = dagen.positie(einde)
        in_venster = [
            t for t in telling[links:j] if einde_positie - t.positie < VENSTER_WEEKDAGEN
        ]
        _beoordeel_ingediend(uitkomst, dagen, volgende, in_venster)
        vorige_einde = einde
        links, som, signaal_in_segment, uitgesteld = j, 0, False, False
        k += 1
    return uitkomst


def _soort(dagen: Leerlingdagen, einddatum: date) -> Verzuimsoort:
    return Verzuimsoort.V4 if dagen.regime(einddatum) is Regime.RMC else Verzuimsoort.V3


def _nieuwe_meldplicht(
    dagen: Leerlingdagen,
    venster: list[Teldag],
    som: int,
    vandaag: date,
    herhaling_vanaf: date | None = None,
) -> Meldplicht:
    """`herhaling_vanaf`: the duty arose while a repeat melding was not yet allowed
    (D7); it stands from that day, with the hours counted up to its last day."""
    begindatum, einddatum = venster[0].datum, venster[-1].datum
    soort = _soort(dagen, einddatum)
    periode = dagen.venster(begindatum)
    slot_ids = tuple(sorted(s for t in venster for s in t.slot_ids))
    verval = vervaldatum(einddatum)
    uitstel = (
        ""
        if herhaling_vanaf is None
        else (
            "Een herhaalmelding mag ten hoogste eens per "
            f"{dagen.beleid.herhaalmelding_dagen} dagen (D7): deze staat vanaf "
            f"{tekst.dag(herhaling_vanaf)}. "
        )
    )
    uitleg = (
        f"Meldplicht {soort} (16 uur in 4 lesweken, Lpw art. 21a; D1): "
        f"{tekst.uren(som)} ongeoorloofd verzuim in het venster "
        f"{tekst.periode(periode)}, uit {tekst.aantal_slots(len(slot_ids))}. "
        f"De grens van 16 uur is bereikt op {'of voor ' if uitstel else ''}"
        f"{tekst.dag(einddatum)} (einddatum); begindatum {tekst.dag(begindatum)}. "
        f"{uitstel}Uiterlijk melden op "
        f"{tekst.dag(verval)} (D4). De telling begint opnieuw op "
        f"{tekst.dag(einddatum + timedelta(days=1))} (R-MLD-8)."
    )
    return Meldplicht(
        sleutel=f"{soort}:{einddatum.isoformat()}",
        soort=soort,
        begindatum=begindatum,
        einddatum=einddatum,
        vastgesteld_op=herhaling_vanaf or einddatum,
        vervaldatum=verval,
        minuten=som,
        slot_ids=slot_ids,
        venster=periode,
        achterstallig=is_achterstallig(
            einddatum, vandaag, dagen.beleid.achterstallig_dagen
        ),
        ingediend=False,
        toelichting=uitleg,
    )


def _beoordeel_ingediend(
    uitkomst: Zestienuursuitkomst,
    dagen: Leerlingdagen,
    melding: IngediendeMelding,
    venster: list[Teldag],
) -> None:
    som = sum(t.minuten for t in venster)
    einde = melding.einddatum or melding.begindatum
    if som >= DREMPEL_MELDPLICHT_MINUTEN:
        slot_ids = tuple(sorted(s for t in venster for s in t.slot_ids))
        uitkomst.meldplichten.append(
            Meldplicht(
                sleutel=melding.sleutel,
                soort=melding.soort,
                begindatum=melding.begindatum,
                einddatum=melding.einddatum,
                vastgesteld_op=einde,
                vervaldatum=vervaldatum(einde),
                minuten=som,
                slot_ids=slot_ids,
                venster=dagen.venster(melding.begindatum),
                achterstallig=False,
                ingediend=True,
                toelichting=(
                    f"Ingediende melding {melding.soort}: nog steeds "
                    f"{tekst.uren(som)} ongeoorloofd verzuim tot en met "
                    f"{tekst.dag(einde)}."
                ),
            )
        )
        return
    # D15: after submission only the verzuimcoördinator can confirm a withdrawal.
    uitkomst.intrekkingen.append(
        Intrekkingsvoorstel(
            sleutel=melding.sleutel,
            soort=melding.soort,
            begindatum=melding.begindatum,
            einddatum=melding.einddatum,
            minuten=som,
            toelichting=(
                f"Na correcties telt de ingediende melding {melding.soort} nog "
                f"{tekst.uren(som)} ongeoorloofd verzuim in vier lesweken tot en met "
                f"{tekst.dag(einde)}, minder dan 16 uur (D1). Intrekking beoordelen "
                "door de verzuimcoördinator (D15)."
            ),
        )
    )


def _signaalverzuim(dagen: Leerlingdagen, venster: list[Teldag], som: int) -> Signaal:
    datum = venster[-1].datum
    periode = dagen.venster(venster[0].datum)
    return Signaal(
        sleutel=f"signaalverzuim:{datum.isoformat()}",
        soort=Signaalsoort.SIGNAALVERZUIM,
        datum=datum,
        slot_ids=tuple(sorted(s for t in venster for s in t.slot_ids)),
        venster=periode,
        toelichting=(
            f"{tekst.uren(som)} ongeoorloofd verzuim in het venster "
            f"{tekst.periode(periode)}: onder de wettelijke grens, maar boven de "
            "signaalgrens van de school (P-SIGNAAL). Een melding overig verzuim is "
            "mogelijk, niet verplicht."
        ),
    )
