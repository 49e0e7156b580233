"""Read use cases: a pupil-day's slots, a record, a leave request, a pupil, signals.

They read through the same unit of work as the commands, so a read sees exactly what a
command would classify against; nothing here writes.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from leerplicht.kalender import Periode
from services.registratie.afwezigheden import afwezigheid_view
from services.registratie.basis import RegistratieBasis
from services.registratie.domain.afwezigheid import Afwezigheid
from services.registratie.domain.fouten import NietGevonden
from services.registratie.domain.leerling import Leerling
from services.registratie.domain.verlofaanvraag import Verlofaanvraag
from services.registratie.domain.verzuimdag import Verzuimdag, verzuimdag_id
from services.registratie.modellen import (
    AfwezigheidView,
    LeerlingView,
    VerlofaanvraagView,
    VerzuimdagView,
)
from services.registratie.verloven import aanvraag_view
from services.registratie.werkeenheid import Werkeenheid, is_gewist

__all__ = ["OpvragenGebruik", "leerling_view"]


def leerling_view(leerling: Leerling) -> LeerlingView:
    g = leerling.gegevens
    gewist = is_gewist(leerling)
    tot = g.get("inschrijvingTot")
    return LeerlingView(
        leerling_id=leerling.id,
        school_id=leerling.school_id,
        geboortedatum=None if gewist else date.fromisoformat(g["geboortedatum"]),
        pgn_schema=g["pgnSchema"],
        woongemeente=g["woongemeente"],
        inschrijving_vanaf=date.fromisoformat(g["inschrijvingVanaf"]),
        inschrijving_tot=date.fromisoformat(tot) if tot else None,
        versie=leerling.version,
        gewist_op=leerling.gewist_op,
    )


class OpvragenGebruik(RegistratieBasis):
    def _lezen(self) -> Werkeenheid:
        return Werkeenheid(self, self.moment(), self._scholen)

    def verzuimdag(self, leerling_id: UUID, datum: date) -> VerzuimdagView | None:
        werk = self._lezen()
        dag = werk.haal(verzuimdag_id(leerling_id, datum), Verzuimdag)
        if dag is None:
            return None
        slots = sorted(dag.slotstatussen().values(), key=lambda s: s.lesuur)
        return VerzuimdagView(leerling_id, datum, slots, dag.version)

    def verzuimdagen(
        self, leerling_id: UUID, van: date, tot: date
    ) -> list[VerzuimdagView]:
        werk = self._lezen()
        ids = [verzuimdag_id(leerling_id, d) for d in Periode(van, tot).dagen()]
        werk.laad(ids)
        dagen = []
        for dag_id in ids:
            dag = werk.haal(dag_id, Verzuimdag)
            if dag is not None:
                slots = sorted(dag.slotstatussen().values(), key=lambda s: s.lesuur)
                dagen.append(VerzuimdagView(leerling_id, dag.datum, slots, dag.version))
        return dagen

    def afwezigheid(self, afwezigheid_id: UUID) -> AfwezigheidView:
        werk = self._lezen()
        afwezigheid = werk.haal(afwezigheid_id, Afwezigheid)
        if afwezigheid is None:
            raise NietGevonden("afwezigheid", str(afwezigheid_id))
        return afwezigheid_view(afwezigheid)

    def verlofaanvraag(self, aanvraag_id: UUID) -> VerlofaanvraagView:
        werk = self._lezen()
        aanvraag = werk.haal(aanvraag_id, Verlofaanvraag)
        if aanvraag is None:
            raise NietGevonden("verlofaanvraag", str(aanvraag_id))
        return aanvraag_view(aanvraag)

    def leerling(self, leerling_id: UUID) -> LeerlingView:
        werk = self._lezen()
        return leerling_view(werk.leerling(leerling_id, ook_gewist=True))

    def signalen(self, leerling_id: UUID) -> list[str]:
        werk = self._lezen()
        return sorted(werk.leerling(leerling_id, ook_gewist=True).signalen)
