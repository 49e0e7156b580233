"""Use cases for the facts that give legal grounds: notices (afmeldingen), leave
requests and decisions, exemptions, suspensions and school closures.

Each such fact is written to the pupil (`Leerling`) and every pupil-day it covers is
reclassified in the same save. Days up to today (at most 62) are opened even without an
absence, so a record arriving at the same moment meets the notice in one version
sequence instead of missing it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from functools import partial
from uuid import UUID

from leerplicht.kalender import Periode
from leerplicht.regime import Regime, regime_op, verjaardag
from services.registratie.afwezigheden import MAX_DAGEN_TERUG, MAX_DAGEN_VOORUIT
from services.registratie.basis import RegistratieBasis
from services.registratie.domain.afmelding import (
    Afmelding,
    AfmeldingSoort,
    afmelding_id,
)
from services.registratie.domain.classificatie import Grond, Grondfeit
from services.registratie.domain.fouten import (
    DatumBuitenBereik,
    NietGevonden,
    OngeldigeInvoer,
    RegistratieFout,
    TotVoorVan,
)
from services.registratie.domain.leerling import Leerling, grondfeit_naar_dict
from services.registratie.domain.school import SchoolContext
from services.registratie.domain.signalen import SignaalSoort, grenst_aan_vakantie
from services.registratie.domain.tijd import lokale_datum
from services.registratie.domain.verlof import (
    ART11A_MINUTEN_PER_WEEK,
)
from services.registratie.domain.verzuimdag import Verzuimdag, verzuimdag_id
from services.registratie.modellen import (
    AfmeldingInvoer,
    AfmeldingView,
    GrondInvoer,
)
from services.registratie.werkeenheid import Werkeenheid

__all__ = [
    "MeldingenGebruik",
    "afmelding_view",
    "controleer_afmelding",
    "raak_periode",
]

_MAX_OPEN_DAGEN = 62


def _maandag(d: date) -> date:
    return d - timedelta(days=d.weekday())


def raak_periode(
    werk: Werkeenheid,
    leerling: Leerling,
    school: SchoolContext,
    van: date,
    tot: date | None,
    *,
    openen: bool = True,
) -> None:
    """Reclassify every recorded day of a period; with `openen` also open its first
    lesdagen up to today (see module doc)."""
    vandaag = werk.vandaag
    # Records reach at most MAX_DAGEN_TERUG back and MAX_DAGEN_VOORUIT ahead.
    eind = min(
        tot if tot is not None else max(van, vandaag),
        vandaag + timedelta(days=MAX_DAGEN_VOORUIT),
        van + timedelta(days=MAX_DAGEN_TERUG + MAX_DAGEN_VOORUIT),
    )
    if eind < van:
        return
    dagen = list(Periode(van, eind).dagen())
    werk.laad(verzuimdag_id(leerling.id, d) for d in dagen)
    open_tot = min(max(van, vandaag), van + timedelta(days=_MAX_OPEN_DAGEN))
    for d in dagen:
        if werk.haal(verzuimdag_id(leerling.id, d), Verzuimdag) is not None:
            werk.raak(leerling.id, d)
        elif openen and d <= open_tot and school.kalender_voor(d).is_lesdag(d):
            werk.raak(leerling.id, d, maak_aan=True)


def controleer_afmelding(invoer: AfmeldingInvoer) -> None:
    """What a notice must satisfy on its own, before anything is loaded."""
    if invoer.tot is not None and invoer.tot < invoer.van:
        raise TotVoorVan("tot", "tot ligt voor van")
    if invoer.lesuur_tot is not None and invoer.lesuur_van is None:
        raise OngeldigeInvoer("lesuurVan", "lesuurTot zonder lesuurVan")
    if (
        invoer.lesuur_van is not None
        and invoer.lesuur_tot is not None
        and invoer.lesuur_tot < invoer.lesuur_van
    ):
        raise TotVoorVan("lesuurTot", "lesuurTot ligt voor lesuurVan")


def _zelfde_afmelding(afmelding: Afmelding, invoer: AfmeldingInvoer) -> bool:
    """A notice sent again: what it says equals what was received the first time
    (a moment of receipt left out means "when it arrived" and is not compared)."""
    return (
        afmelding.soort == invoer.soort.value
        and afmelding.van == invoer.van
        and afmelding.tot_ontvangen == invoer.tot
        and afmelding.lesuur_van == invoer.lesuur_van
        and afmelding.lesuur_tot == invoer.lesuur_tot
        and afmelding.gemeld_door == invoer.gemeld_door
        and (invoer.ontvangen is None or invoer.ontvangen == afmelding.ontvangen)
    )


def afmelding_view(
    afmelding: Afmelding, feit: Grondfeit, *, nieuw: bool = True
) -> AfmeldingView:
    return AfmeldingView(
        afmelding_id=afmelding.id,
        leerling_id=afmelding.leerling_id,
        soort=AfmeldingSoort(afmelding.soort),
        van=afmelding.van,
        tot=afmelding.tot,
        # D8 timeliness only; an art. 11a notice above the weekly limit is
        # reported through binnen_limiet.
        tijdig=replace(feit, geldig=True).tijdig(),
        binnen_limiet=afmelding.binnen_limiet,
        versie=afmelding.version,
        nieuw=nieuw,
    )


class MeldingenGebruik(RegistratieBasis):
    def registreer_afmelding(
        self, invoer: AfmeldingInvoer, nu: datetime | None = None
    ) -> AfmeldingView:
        """A parent's notice; D8 timeliness is judged from `ontvangen`."""
        controleer_afmelding(invoer)
        afmelding, feit, nieuw = self._uitvoeren(
            partial(self.leg_afmelding_vast, invoer=invoer), nu
        )
        return afmelding_view(afmelding, feit, nieuw=nieuw)

    def leg_afmelding_vast(
        self, werk: Werkeenheid, invoer: AfmeldingInvoer
    ) -> tuple[Afmelding, Grondfeit, bool]:
        """The notice's changes in `werk`, and whether it is new (False: the same
        notice again by its bronId, nothing changed). A refusal (`RegistratieFout`)
        comes before any change, so a bulk can refuse one notice and go on with the
        next."""
        leerling = werk.leerling(invoer.leerling_id)
        _, school = werk.school(leerling.school_id)
        if invoer.bron_id is not None:
            sleutel = afmelding_id(leerling.id, invoer.bron or "", invoer.bron_id)
            bestaand = werk.haal(sleutel, Afmelding)
            if bestaand is not None:
                if not _zelfde_afmelding(bestaand, invoer):
                    raise OngeldigeInvoer(
                        "bronId",
                        "dit bronId hoort bij een afmelding met andere gegevens "
                        "(een ziekmelding beëindigt u met een betermelding)",
                    )
                return bestaand, bestaand.grondfeit(), False
        ontvangen = invoer.ontvangen or werk.moment
        lesuren = None
        if invoer.lesuur_van is not None:
            tot = invoer.lesuur_tot or invoer.lesuur_van
            lesuren = frozenset(range(invoer.lesuur_van, tot + 1))
        binnen = True
        if invoer.soort is AfmeldingSoort.VIJFJARIGE:
            binnen = self._art11a(werk, leerling, school, invoer, lesuren)
        afmelding = Afmelding(
            leerling_id=leerling.id,
            soort=invoer.soort.value,
            van=invoer.van,
            tot=invoer.tot,
            lesuur_van=invoer.lesuur_van,
            lesuur_tot=invoer.lesuur_tot,
            ontvangen=ontvangen,
            gemeld_door=invoer.gemeld_door,
            binnen_limiet=binnen,
            bron=invoer.bron,
            bron_id=invoer.bron_id,
        )
        werk.nieuw(afmelding)
        feit = Grondfeit(
            invoer.soort.grond, invoer.van, invoer.tot, lesuren, ontvangen, binnen
        )
        leerling.leg_grond_vast(
            leerling_id=leerling.id,
            verwijzing=afmelding.id.hex,
            feit=grondfeit_naar_dict(feit),
        )
        werk.bewaar(leerling)
        if invoer.soort is AfmeldingSoort.ZIEK:
            self._signaleer_ziekmelding(leerling, school, feit, werk)
        raak_periode(werk, leerling, school, invoer.van, invoer.tot)
        return afmelding, feit, True

    def _art11a(
        self,
        werk: Werkeenheid,
        leerling: Leerling,
        school: SchoolContext,
        invoer: AfmeldingInvoer,
        lesuren: frozenset[int] | None,
    ) -> bool:
        """Lpw art. 11a: 5 hours a week on notice (+5 granted), under 6 years only."""
        tot = invoer.tot or invoer.van
        if _maandag(tot) != _maandag(invoer.van):
            raise OngeldigeInvoer("tot", "art. 11a-uren gelden per week")
        feiten = leerling.feiten()
        kalender = school.kalender_voor(invoer.van)
        if (
            regime_op(invoer.van, feiten.geboortedatum, False, kalender)
            is not Regime.LEERPLICHT
        ):
            return False
        if tot >= verjaardag(feiten.geboortedatum, 6):
            return False
        minuten = 0
        d = invoer.van
        while d <= tot:
            if school.kalender_voor(d).is_lesdag(d):
                minuten += sum(
                    les.minuten
                    for les in school.rooster.lesuren_op(d)
                    if lesuren is None or les.nummer in lesuren
                )
            d += timedelta(days=1)
        week = _maandag(invoer.van)
        gebruikt = leerling.art11a_minuten.get(week.isoformat(), 0)
        ruimte = ART11A_MINUTEN_PER_WEEK + leerling.art11a_extra.get(
            week.isoformat(), 0
        )
        if gebruikt + minuten > ruimte:
            return False
        leerling.gebruik_art11a(leerling_id=leerling.id, week=week, minuten=minuten)
        return True

    def _signaleer_ziekmelding(
        self,
        leerling: Leerling,
        school: SchoolContext,
        feit: Grondfeit,
        werk: Werkeenheid,
    ) -> None:
        if not feit.tijdig():
            leerling.signaleer(SignaalSoort.LATE_ZIEKMELDING.value, feit.van)
        # An open-ended notice covers the days up to today (see raak_periode).
        eind = feit.tot if feit.tot else max(feit.van, lokale_datum(werk.moment))
        eind = min(eind, feit.van + timedelta(days=_MAX_OPEN_DAGEN))
        d = feit.van
        while d <= eind:
            if grenst_aan_vakantie(school.kalender_voor(d), d):
                leerling.signaleer(SignaalSoort.ZIEKMELDING_ROND_VAKANTIE.value, d)
            d += timedelta(days=1)
        werk.bewaar(leerling)

    def meld_beter(
        self, afmelding_id: UUID, tot: date, nu: datetime | None = None
    ) -> AfmeldingView:
        """Close an open-ended sick notice: the ground ends after `tot`."""

        def opdracht(werk: Werkeenheid) -> tuple[Afmelding, Grondfeit]:
            afmelding = werk.haal(afmelding_id, Afmelding)
            if afmelding is None:
                raise NietGevonden("afmelding", str(afmelding_id))
            if AfmeldingSoort(afmelding.soort) is not AfmeldingSoort.ZIEK:
                # A religious or art. 11a notice names its own days (art. 13, 11a).
                raise RegistratieFout("alleen een ziekmelding wordt beter gemeld")
            if tot < afmelding.van:
                raise TotVoorVan("tot", "tot ligt voor het begin van de afmelding")
            if tot > werk.vandaag + timedelta(days=MAX_DAGEN_VOORUIT):
                raise DatumBuitenBereik(
                    "tot", f"meer dan {MAX_DAGEN_VOORUIT} dagen vooruit"
                )
            leerling = werk.leerling(afmelding.leerling_id)
            _, school = werk.school(leerling.school_id)
            vorige = afmelding.tot
            afmelding.meld_beter(leerling_id=leerling.id, tot=tot)
            werk.bewaar(afmelding)
            oud = leerling.gronden[afmelding_id.hex]
            feit = Grondfeit(
                AfmeldingSoort(afmelding.soort).grond,
                afmelding.van,
                tot,
                frozenset(oud["lesuren"]) if oud["lesuren"] is not None else None,
                afmelding.ontvangen,
                oud["geldig"],
            )
            leerling.leg_grond_vast(
                leerling_id=leerling.id,
                verwijzing=afmelding_id.hex,
                feit=grondfeit_naar_dict(feit),
            )
            werk.bewaar(leerling)
            # Every day the old or the new end covers: a later `tot` than before
            # makes days geoorloofd again, an earlier one no longer.
            raak_periode(
                werk, leerling, school, afmelding.van, max(vorige or werk.vandaag, tot)
            )
            return afmelding, feit

        afmelding, feit = self._uitvoeren(opdracht, nu)
        return AfmeldingView(
            afmelding.id,
            afmelding.leerling_id,
            AfmeldingSoort(afmelding.soort),
            afmelding.van,
            afmelding.tot,
            feit.tijdig(),
            afmelding.binnen_limiet,
            afmelding.version,
        )

    def leg_grond_vast(self, invoer: GrondInvoer, nu: datetime | None = None) -> None:
        """A vrijstelling or schorsing on the pupil; the covered days reclassify."""
        if invoer.tot is not None and invoer.tot < invoer.van:
            raise TotVoorVan("tot", "tot ligt voor van")

        def opdracht(werk: Werkeenheid) -> None:
            leerling = werk.leerling(invoer.leerling_id)
            _, school = werk.school(leerling.school_id)
            lesuren = frozenset(invoer.lesuren) if invoer.lesuren else None
            feit = Grondfeit(Grond(invoer.grond), invoer.van, invoer.tot, lesuren)
            leerling.leg_grond_vast(
                leerling_id=leerling.id,
                verwijzing=f"{Grond(invoer.grond).value}:{invoer.kenmerk}",
                feit=grondfeit_naar_dict(feit),
            )
            werk.bewaar(leerling)
            raak_periode(werk, leerling, school, invoer.van, invoer.tot, openen=False)

        self._uitvoeren(opdracht, nu)
