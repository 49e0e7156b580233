"""Use cases for absence records: record one, withdraw one, record a bulk of them."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

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
    RegistratieFout,
    ValidatieFout,
)
from services.registratie.domain.invoer import AfwezigheidInvoer, Soort, lees_invoer
from services.registratie.domain.leerling import Leerling
from services.registratie.domain.omzetting import naar_dagdelen
from services.registratie.domain.school import SchoolContext
from services.registratie.modellen import (
    AfwezigheidView,
    BulkRegel,
    BulkResultaat,
    RegistratieResultaat,
)
from services.registratie.werkeenheid import Werkeenheid

__all__ = ["AfwezighedenGebruik", "MAX_BULK", "MAX_DAGEN_TERUG", "MAX_DAGEN_VOORUIT"]

logger = logging.getLogger(__name__)

MAX_BULK = 10_000
# Records older than this belong to a closed school year; further ahead is a typo.
MAX_DAGEN_TERUG = 400
MAX_DAGEN_VOORUIT = 60

_BULK_STATUS = {
    Uitkomst.CREATED: "accepted",
    Uitkomst.UNCHANGED: "unchanged",
    Uitkomst.CORRECTED: "corrected",
}


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


class AfwezighedenGebruik(RegistratieBasis):
    def _verwerk_record(
        self, werk: Werkeenheid, invoer: AfwezigheidInvoer
    ) -> tuple[Uitkomst, Afwezigheid]:
        """Validate and convert first, mutate after: a rejected record leaves no
        trace."""
        leerling = werk.leerling(invoer.leerling_id)
        _, school = werk.school(leerling.school_id)
        aggregate_id = afwezigheid_id(school.school_id, invoer.bron, invoer.bron_id)
        bestaand = werk.haal(aggregate_id, Afwezigheid)
        if bestaand is not None and bestaand.leerling_id != leerling.id:
            raise OngeldigeInvoer("bronId", "dit bronId hoort bij een andere leerling")
        inhoud = invoer.inhoud()
        if (
            bestaand is not None
            and not bestaand.ingetrokken
            and bestaand.invoer == inhoud
        ):
            return Uitkomst.UNCHANGED, bestaand

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

        sleutel = aggregate_id.hex
        if bestaand is not None:
            for oud in bestaand.datums:
                werk.zet_bron(leerling.id, oud, sleutel, None)
        for deel in delen:
            feit = BronFeit(sleutel, invoer.bron, soort, code, deel.slots)
            werk.zet_bron(leerling.id, deel.datum, sleutel, feit)
        dagen = [deel.datum.isoformat() for deel in delen]
        if bestaand is None:
            nieuw = Afwezigheid.registreer(
                leerling_id=leerling.id,
                school_id=school.school_id,
                bron=invoer.bron,
                bron_id=invoer.bron_id,
                invoer=inhoud,
                dagen=dagen,
            )
            werk.nieuw(nieuw)
            return Uitkomst.CREATED, nieuw
        bestaand.corrigeer(leerling_id=leerling.id, invoer=inhoud, dagen=dagen)
        werk.bewaar(bestaand)
        return Uitkomst.CORRECTED, bestaand

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

    def registreer_bulk(
        self,
        records: Sequence[AfwezigheidInvoer | Mapping[str, Any]],
        nu: datetime | None = None,
    ) -> BulkResultaat:
        """Record up to 10,000 records in one save, answering per record.

        A bad record is rejected with its field and reason and never rejects the rest.
        """
        if len(records) > MAX_BULK:
            raise OngeldigeInvoer("afwezigheden", f"maximaal {MAX_BULK} per keer")
        regels = self._uitvoeren(lambda werk: self._bulk(werk, records), nu)
        aantallen = Counter(regel.status for regel in regels)
        logger.info(
            "bulk verwerkt",
            extra={"event": "bulk", "count": len(regels), **dict(aantallen)},
        )
        return BulkResultaat(regels, dict(aantallen))

    def _bulk(
        self,
        werk: Werkeenheid,
        records: Sequence[AfwezigheidInvoer | Mapping[str, Any]],
    ) -> list[BulkRegel]:
        regels: list[BulkRegel | None] = [None] * len(records)
        geldig: list[tuple[int, AfwezigheidInvoer]] = []
        for index, record in enumerate(records):
            try:
                geldig.append((index, lees_invoer(record)))
            except ValidatieFout as fout:
                regels[index] = BulkRegel(
                    index, _bron_id(record), "rejected", None, fout.veld, fout.reden
                )

        # Prefetch in three round trips instead of one per record (and the pupils'
        # keys in one more, before their sealed fields are opened).
        if self.kluis is not None:
            self.kluis.laad_sleutels(invoer.leerling_id for _, invoer in geldig)
        werk.laad(invoer.leerling_id for _, invoer in geldig)
        leerlingen = [werk.haal(i.leerling_id, Leerling) for _, i in geldig]
        werk.laad(leerling.school_id for leerling in leerlingen if leerling is not None)
        sleutels = [
            afwezigheid_id(leerling.school_id, invoer.bron, invoer.bron_id)
            for (_, invoer), leerling in zip(geldig, leerlingen, strict=True)
            if leerling is not None
        ]
        werk.laad(sleutels)

        for index, invoer in geldig:
            try:
                uitkomst, afwezigheid = self._verwerk_record(werk, invoer)
            except ValidatieFout as fout:
                regels[index] = BulkRegel(
                    index, invoer.bron_id, "rejected", None, fout.veld, fout.reden
                )
            except NietGevonden as fout:
                regels[index] = BulkRegel(
                    index, invoer.bron_id, "rejected", None, "leerlingId", str(fout)
                )
            except RegistratieFout as fout:
                regels[index] = BulkRegel(
                    index, invoer.bron_id, "rejected", None, None, str(fout)
                )
            else:
                regels[index] = BulkRegel(
                    index,
                    invoer.bron_id,
                    _BULK_STATUS[uitkomst],
                    afwezigheid.id,  # type: ignore[arg-type]
                )
        return [regel for regel in regels if regel is not None]


def _bron_id(record: AfwezigheidInvoer | Mapping[str, Any]) -> str | None:
    if isinstance(record, AfwezigheidInvoer):
        return record.bron_id
    waarde = (
        record.get("bronId", record.get("bron_id"))
        if isinstance(record, Mapping)
        else None
    )
    return str(waarde) if waarde is not None else None
