"""Use cases for pupils: register or update one, or a whole school's roll in one save.

A pupil is written to its own `Leerling` and to one of the school's `Leerlingenlijst`
buckets, never to the `School` itself, so enrolments at one school do not conflict
with each other (only two in the same bucket at the same moment do, and the loser
retries). A bulk runs the single use case per pupil (`bulkregels`): the same checks,
events and messages, one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid4, uuid5

from leerplicht.identificatie import (
    IdentificatieFout,
    valideer_gemeentecode,
    valideer_pgn,
)
from services.registratie.basis import RegistratieBasis
from services.registratie.bulkregels import Regel, per_regel
from services.registratie.domain.fouten import (
    LeerlingGewist,
    OngeldigeInvoer,
    TotVoorVan,
)
from services.registratie.domain.leerling import Leerling, controleer_leeftijd
from services.registratie.domain.leerlingenlijst import (
    Leerlingenlijst,
    emmer_van,
    lijst_id,
)
from services.registratie.domain.tijd import lokale_datum
from services.registratie.modellen import LeerlingInvoer, LeerlingView
from services.registratie.opvragen import leerling_view
from services.registratie.werkeenheid import Werkeenheid, is_gewist

__all__ = ["MAX_LEERLINGEN", "LeerlingenGebruik"]

MAX_LEERLINGEN = 5_000


@dataclass(frozen=True)
class _Inschrijving:
    """A pupil's input, checked; `gegevens` is what the aggregate keeps."""

    invoer: LeerlingInvoer
    leerling_id: UUID
    gegevens: dict[str, Any]


class LeerlingenGebruik(RegistratieBasis):
    def registreer_leerling(self, invoer: LeerlingInvoer) -> LeerlingView:
        """Register or update a pupil; the PGN is validated, never echoed."""
        inschrijving = self._controleer_leerling(invoer)
        leerling, _ = self._uitvoeren(
            lambda werk: self._schrijf_leerling(werk, inschrijving)
        )
        return leerling_view(leerling)

    def registreer_leerlingen(
        self, invoeren: Sequence[LeerlingInvoer]
    ) -> list[Regel[UUID]]:
        """Register or update many pupils in one save, answering each: accepted
        (new), updated, unchanged, or rejected with field and reason."""
        if len(invoeren) > MAX_LEERLINGEN:
            raise OngeldigeInvoer("leerlingen", f"maximaal {MAX_LEERLINGEN} per keer")

        def voorbereid(werk: Werkeenheid, lijst: Sequence[_Inschrijving]) -> None:
            if self.kluis is not None:
                self.kluis.laad_sleutels(i.leerling_id for i in lijst)
            werk.laad(i.leerling_id for i in lijst)
            werk.laad(i.invoer.school_id for i in lijst)
            werk.laad(
                lijst_id(i.invoer.school_id, emmer_van(i.leerling_id)) for i in lijst
            )

        def stap(werk: Werkeenheid, inschrijving: _Inschrijving) -> Regel[UUID]:
            leerling, status = self._schrijf_leerling(werk, inschrijving)
            return Regel(0, status, leerling.id)

        return per_regel(self, invoeren, self._controleer_leerling, stap, voorbereid)

    def _controleer_leerling(self, invoer: LeerlingInvoer) -> _Inschrijving:
        """What a pupil's input must satisfy on its own, before anything is loaded."""
        try:
            pgn = valideer_pgn(invoer.pgn)
        except IdentificatieFout as fout:
            raise OngeldigeInvoer("pgn", fout.reden) from None
        try:
            gemeente = valideer_gemeentecode(invoer.woongemeente)
        except IdentificatieFout as fout:
            raise OngeldigeInvoer("woongemeente", fout.reden) from None
        if (
            invoer.inschrijving_tot is not None
            and invoer.inschrijving_tot < invoer.inschrijving_vanaf
        ):
            raise TotVoorVan("inschrijvingTot", "ligt voor inschrijvingVanaf")
        controleer_leeftijd(
            invoer.geboortedatum,
            invoer.inschrijving_vanaf,
            lokale_datum(self.moment()),
        )
        if invoer.lesdagen is not None and not set(invoer.lesdagen) <= set(range(1, 6)):
            raise OngeldigeInvoer("lesdagen", "ISO-weekdagen 1 (maandag) tot en met 5")
        leerling_id = invoer.leerling_id or (
            uuid5(
                NAMESPACE_URL,
                f"verzuimketen:leerling:{invoer.school_id.hex}:{invoer.leerlingnummer}",
            )
            if invoer.leerlingnummer
            else uuid4()
        )
        gegevens = invoer.model_dump(
            mode="json", by_alias=True, exclude={"school_id", "leerling_id", "pgn"}
        )
        gegevens.update(
            {"pgn": pgn.nummer, "pgnSchema": pgn.schema.value, "woongemeente": gemeente}
        )
        return _Inschrijving(invoer, leerling_id, gegevens)

    def _schrijf_leerling(
        self, werk: Werkeenheid, inschrijving: _Inschrijving
    ) -> tuple[Leerling, str]:
        """The pupil's changes in `werk`, and whether it was new, updated or the
        same; every refusal comes before any change. The PGN is unique per school
        (`PgnInGebruik`, the keyed-hash index `pgnindex`)."""
        leerling_id, gegevens = inschrijving.leerling_id, inschrijving.gegevens
        school, _ = werk.school(inschrijving.invoer.school_id)
        leerling = werk.haal(leerling_id, Leerling)
        if leerling is None:
            self.pgn_index.leg_vast(werk, school.id, leerling_id, gegevens["pgn"])
            leerling = Leerling(
                leerling_id=leerling_id, school_id=school.id, gegevens=gegevens
            )
            werk.nieuw(leerling)
            emmer = emmer_van(leerling_id)
            lijst = werk.haal(lijst_id(school.id, emmer), Leerlingenlijst)
            if lijst is None:
                lijst = Leerlingenlijst(school_id=school.id, emmer=emmer)
                werk.nieuw(lijst)
            lijst.voeg_toe(school_id=school.id, leerling_id=leerling_id)
            werk.bewaar(lijst)
            return leerling, "accepted"
        if is_gewist(leerling):
            raise LeerlingGewist(str(leerling_id))
        if leerling.school_id != school.id:
            # D16: a transfer is a new enrolment at the other school.
            raise OngeldigeInvoer(
                "schoolId", "leerling staat bij een andere school ingeschreven"
            )
        # Also claims the number of a pupil registered before the index.
        vorig = leerling.gegevens.get("pgn")
        self.pgn_index.leg_vast(werk, school.id, leerling_id, gegevens["pgn"], vorig)
        if leerling.gegevens == gegevens:
            return leerling, "unchanged"
        leerling.wijzig(leerling_id=leerling_id, gegevens=gegevens)
        werk.bewaar(leerling)
        return leerling, "updated"
