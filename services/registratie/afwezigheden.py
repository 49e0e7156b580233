"""Use cases for absence records: record one and withdraw one (a bulk: `bulk`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from leerplicht.kalender import schooljaar_van
from services.registratie.basis import RegistratieBasis
from services.registratie.domain.afwezigheid import (
    Afwezigheid,
    Uitkomst,
    afwezigheid_id,
)
from services.registratie.domain.classificatie import BronFeit
from services.registratie.domain.fouten import (
    DatumBuitenBereik,
    NietGevonden,
    OnbekendeRedenCode,
    OngeldigeInvoer,
)
from services.registratie.domain.invoer import AfwezigheidInvoer, Soort, lees_invoer
from services.registratie.domain.omzetting import DagDeel, naar_dagdelen
from services.registratie.domain.school import SchoolContext
from services.registratie.modellen import (
    AfwezigheidView,
    RegistratieResultaat,
)
from services.registratie.werkeenheid import Werkeenheid

__all__ = ["AfwezighedenGebruik", "MAX_BULK", "MAX_DAGEN_TERUG", "MAX_DAGEN_VOORUIT"]

MAX_BULK = 10_000
# Records older than this belong to a closed school year; further ahead is a typo.
MAX_DAGEN_TERUG = 400
MAX_DAGEN_VOORUIT = 60


def afwezigheid_view(afwezigheid: Afwezigheid) -> AfwezigheidView:
    return AfwezigheidView(
        afwezigheid_id=afwezigheid.id,
        leerling_id=afwezigheid.leerling_id,
        school_id=afwezigheid.school_id,
        bron=afwezigheid.bron,
        bron_id=afwezigheid.bron_id,
        invoer=dict(afwezigheid.invoer),
        dagen=afwezigheid.datums,
        ingetrokken=afwezigheid.ingetrokken,
        versie=afwezigheid.version,
    )


def _soort_en_code(
    invoer: AfwezigheidInvoer, school: SchoolContext
) -> tuple[Soort, str | None]:
    code = invoer.reden_code or None
    reden = school.redenen.get(code) if code else None
    if code and reden is None:
        raise OnbekendeRedenCode(
            "redenCode", f"code {code!r} staat niet in de codelijst"
        )
    if invoer.soort is not None:
        return invoer.soort, code
    return (reden.soort if reden is not None else Soort.AFWEZIG), code


@dataclass(frozen=True)
class _Beoordeeld:
    """A record checked and converted, nothing changed yet (`_leg_vast` does that)."""

    invoer: AfwezigheidInvoer
    leerling_id: UUID
    school_id: UUID
    bestaand: Afwezigheid | None
    inhoud: dict[str, Any]
    # None: the same record again, nothing to change.
    soort: Soort | None = None
    code: str | None = None
    delen: tuple[DagDeel, ...] = ()


class AfwezighedenGebruik(RegistratieBasis):
    def _beoordeel(self, werk: Werkeenheid, invoer: AfwezigheidInvoer) -> _Beoordeeld:
        """Validate and convert, changing nothing: a rejected record leaves no
        trace."""
        leerling = werk.leerling(invoer.leerling_id)
        _, school = werk.school(leerling.school_id)
        aggregate_id = afwezigheid_id(school.school_id, invoer.bron, invoer.bron_id)
        bestaand = werk.haal(aggregate_id, Afwezigheid)
        if bestaand is not None and bestaand.leerling_id != leerling.id:
            raise OngeldigeInvoer("bronId", "dit bronId hoort bij een andere leerling")
        inhoud = invoer.inhoud()
        beoordeeld = _Beoordeeld(
            invoer, leerling.id, school.school_id, bestaand, inhoud
        )
        if (
            bestaand is not None
            and not bestaand.ingetrokken
            and bestaand.invoer == inhoud
        ):
            return beoordeeld

        soort, code = _soort_en_code(invoer, school)
        delen = naar_dagdelen(invoer, school.rooster, soort)
        vandaag = werk.vandaag
        if delen[0].datum < vandaag - timedelta(days=MAX_DAGEN_TERUG):
            raise DatumBuitenBereik(
                "datum", f"meer dan {MAX_DAGEN_TERUG} dagen geleden"
            )
        if delen[-1].datum > vandaag + timedelta(days=MAX_DAGEN_VOORUIT):
            raise DatumBuitenBereik(
                "datum", f"meer dan {MAX_DAGEN_VOORUIT} dagen vooruit"
            )
        # Without the school year's calendar a vacation day would count as a lesdag
        # (and its hours toward a melding): refuse rather than guess.
        for deel in delen:
            if not school.heeft_kalender(deel.datum):
                jaar = schooljaar_van(deel.datum)
                raise DatumBuitenBereik(
                    "datum",
                    "de school heeft geen kalender voor schooljaar "
                    f"{jaar.van.year}-{jaar.tot.year}",
                )
        return replace(beoordeeld, soort=soort, code=code, delen=delen)

    @staticmethod
    def _leg_vast(
        werk: Werkeenheid, beoordeeld: _Beoordeeld
    ) -> tuple[Uitkomst, Afwezigheid]:
        """Put a checked record's slots on its days and record it."""
        bestaand = beoordeeld.bestaand
        soort = beoordeeld.soort
        if soort is None:
            assert bestaand is not None
            return Uitkomst.UNCHANGED, bestaand
        invoer = beoordeeld.invoer
        leerling_id = beoordeeld.leerling_id
        sleutel = afwezigheid_id(beoordeeld.school_id, invoer.bron, invoer.bron_id).hex
        if bestaand is not None:
            for oud in bestaand.datums:
                werk.zet_bron(leerling_id, oud, sleutel, None)
        for deel in beoordeeld.delen:
            feit = BronFeit(sleutel, invoer.bron, soort, beoordeeld.code, deel.slots)
            werk.zet_bron(leerling_id, deel.datum, sleutel, feit)
        dagen = [deel.datum.isoformat() for deel in beoordeeld.delen]
        if bestaand is None:
            nieuw = Afwezigheid.registreer(
                leerling_id=leerling_id,
                school_id=beoordeeld.school_id,
                bron=invoer.bron,
                bron_id=invoer.bron_id,
                invoer=beoordeeld.inhoud,
                dagen=dagen,
            )
            werk.nieuw(nieuw)
            return Uitkomst.CREATED, nieuw
        bestaand.corrigeer(
            leerling_id=leerling_id, invoer=beoordeeld.inhoud, dagen=dagen
        )
        werk.bewaar(bestaand)
        return Uitkomst.CORRECTED, bestaand

    def _verwerk_record(
        self, werk: Werkeenheid, invoer: AfwezigheidInvoer
    ) -> tuple[Uitkomst, Afwezigheid]:
        return self._leg_vast(werk, self._beoordeel(werk, invoer))

    def registreer_afwezigheid(
        self, record: AfwezigheidInvoer | Mapping[str, Any], nu: datetime | None = None
    ) -> RegistratieResultaat:
        """Record one absence: created, unchanged (same record again) or corrected."""
        invoer = lees_invoer(record)
        uitkomst, afwezigheid = self._uitvoeren(
            lambda werk: self._verwerk_record(werk, invoer), nu
        )
        return RegistratieResultaat(uitkomst, afwezigheid_view(afwezigheid))

    def trek_afwezigheid_in(
        self, afwezigheid_id: UUID, nu: datetime | None = None
    ) -> AfwezigheidView:
        """Withdraw a record: its slots are reclassified as if it never came."""

        def opdracht(werk: Werkeenheid) -> Afwezigheid:
            afwezigheid = werk.haal(afwezigheid_id, Afwezigheid)
            if afwezigheid is None:
                raise NietGevonden("afwezigheid", str(afwezigheid_id))
            if not afwezigheid.ingetrokken:
                werk.leerling(afwezigheid.leerling_id)
                afwezigheid.trek_in(leerling_id=afwezigheid.leerling_id)
                werk.bewaar(afwezigheid)
                for d in afwezigheid.datums:
                    werk.zet_bron(afwezigheid.leerling_id, d, afwezigheid.id.hex, None)
            return afwezigheid

        return afwezigheid_view(self._uitvoeren(opdracht, nu))
