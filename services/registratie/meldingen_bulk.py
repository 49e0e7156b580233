"""Use case for a bulk of parents' notices: up to `MAX_AFMELDINGEN` in one save,
answered per notice.

Every notice is the single use case (`leg_afmelding_vast`) as one step of the bulk
(`bulkregels`), so a bulk classifies, stores and publishes exactly what the same
notices one by one would have; the store is asked for the pupils, schools and days
of all notices at once instead of per notice.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from leerplicht.kalender import Periode
from services.registratie.bulkregels import Regel, lees_model, per_regel
from services.registratie.domain.fouten import NietGevonden, OngeldigeInvoer
from services.registratie.domain.leerling import Leerling
from services.registratie.domain.verzuimdag import verzuimdag_id
from services.registratie.meldingen import (
    MeldingenGebruik,
    afmelding_view,
    controleer_afmelding,
)
from services.registratie.modellen import AfmeldingInvoer, AfmeldingView
from services.registratie.werkeenheid import Werkeenheid

__all__ = ["MAX_AFMELDINGEN", "MeldingenBulkGebruik"]

MAX_AFMELDINGEN = 5_000
# Days prefetched per notice (an open-ended one reaches up to today).
_VOORAF_DAGEN = 62


def _lees(waarde: AfmeldingInvoer | Mapping[str, Any]) -> AfmeldingInvoer:
    invoer = lees_model(AfmeldingInvoer, waarde)
    controleer_afmelding(invoer)
    return invoer


def laad_leerlingen(werk: Werkeenheid, leerling_ids: Sequence[Any]) -> list[Leerling]:
    """Prefetch pupils and their schools in two queries; ids that are no pupil are
    left for the item's own step to refuse."""
    werk.laad(leerling_ids)
    leerlingen = []
    for leerling_id in dict.fromkeys(leerling_ids):
        try:
            leerling = werk.haal(leerling_id, Leerling)
        except NietGevonden:
            continue
        if leerling is not None:
            leerlingen.append(leerling)
    werk.laad(leerling.school_id for leerling in leerlingen)
    return leerlingen


class MeldingenBulkGebruik(MeldingenGebruik):
    def registreer_afmeldingen(
        self,
        afmeldingen: Sequence[AfmeldingInvoer | Mapping[str, Any]],
        nu: datetime | None = None,
    ) -> list[Regel[AfmeldingView]]:
        """Record notices in one save, answering each: accepted (with the notice)
        or rejected with field and reason (see `bulkregels`)."""
        if len(afmeldingen) > MAX_AFMELDINGEN:
            raise OngeldigeInvoer("afmeldingen", f"maximaal {MAX_AFMELDINGEN} per keer")

        def stap(werk: Werkeenheid, invoer: AfmeldingInvoer) -> Regel[AfmeldingView]:
            afmelding, feit, nieuw = self.leg_afmelding_vast(werk, invoer)
            status = "accepted" if nieuw else "unchanged"
            return Regel(0, status, afmelding_view(afmelding, feit, nieuw=nieuw))

        return per_regel(self, afmeldingen, _lees, stap, self._laad_vooraf, nu)

    def _laad_vooraf(
        self, werk: Werkeenheid, invoeren: Sequence[AfmeldingInvoer]
    ) -> None:
        ids = [invoer.leerling_id for invoer in invoeren]
        if self.kluis is not None:
            # The date of birth is sealed: open every pupil's key in one query.
            self.kluis.laad_sleutels(ids)
        laad_leerlingen(werk, ids)
        dagen = []
        for invoer in invoeren:
            eind = min(
                invoer.tot or max(invoer.van, werk.vandaag),
                invoer.van + timedelta(days=_VOORAF_DAGEN),
            )
            if eind >= invoer.van:
                dagen.extend(
                    verzuimdag_id(invoer.leerling_id, d)
                    for d in Periode(invoer.van, eind).dagen()
                )
        werk.laad(dagen)
