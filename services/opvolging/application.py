"""Use cases of opvolging, as an eventsourcing application.

Storage comes from `env`, e.g. {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
"SQLITE_DBNAME": path}. Two aggregates are written: the `Dossier`, and per (school,
pupil) a `LeerlingDossiers` pointer that keeps open-or-join safe with several writers.
Listings come from `DossierOverzicht`, an in-memory projection caught up from the
notification log before each query (rebuilt from the log after a restart).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import JSONTranscoder, RecordConflictError, Transcoding

from services.opvolging.domain.beleid import Opvolgingsbeleid
from services.opvolging.domain.dossier import Dossier
from services.opvolging.domain.evaluatie import Evaluatie, WeekCijfer
from services.opvolging.domain.fouten import DossierOnbekend, OpvolgingFout
from services.opvolging.domain.handeling import Handeling
from services.opvolging.domain.leerlingdossiers import LeerlingDossiers
from services.opvolging.domain.overzicht import DossierOverzicht
from services.opvolging.domain.rapport import LeerlingGegevens, afsluitrapport, als_html
from services.opvolging.domain.tijd import AMSTERDAM, datum_van
from services.opvolging.domain.worklist import WerklijstRegel, werklijst

__all__ = ["DateAsISO", "Opvolging"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

# A version conflict means another writer changed the same dossier or pointer first;
# commands only read the aggregates they save, so reloading and running again is safe.
_POGINGEN = 5


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


def _standaardbeleid(school_id: str) -> Opvolgingsbeleid:
    return Opvolgingsbeleid()


def _nu() -> datetime:
    return datetime.now(AMSTERDAM)


class Opvolging(Application[UUID]):
    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        beleid: Callable[[str], Opvolgingsbeleid] = _standaardbeleid,
        klok: Callable[[], datetime] = _nu,
    ) -> None:
        """`beleid(school_id)`: a school's policy; `klok`: the moment of a change."""
        super().__init__(env)
        self.beleid = beleid
        self._klok = klok
        self.overzicht = DossierOverzicht(
            lambda start, limit: self.recorder.select_notifications(start, limit),
            self.dossier,
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

    # -- inputs from analyse: open a dossier or join the open one

    def meldplicht_vastgesteld(
        self,
        *,
        leerling_id: str,
        school_id: str,
        meldplicht_id: str,
        soort: str,
        begindatum: date,
        einddatum: date | None,
        vervaldatum: date | None,
        achterstallig: bool,
        toelichting: str,
        door: str,
        op: datetime | None = None,
    ) -> UUID:
        def opdracht(d: Dossier, p: LeerlingDossiers, h: Handeling) -> UUID:
            d.meldplicht_ontvangen(
                meldplicht_id=meldplicht_id,
                soort=soort,
                begindatum=begindatum,
                einddatum=einddatum,
                vervaldatum=vervaldatum,
                achterstallig=achterstallig,
                toelichting=toelichting,
                beleid=self.beleid(school_id),
                handeling=h,
            )
            p.melding_koppelen(meldplicht_id, d.id)
            return d.id

        return self._bij_leerling(school_id, leerling_id, door, op, opdracht)

    def signaal_afgegeven(
        self,
        *,
        leerling_id: str,
        school_id: str,
        signaal_id: str,
        soort: str,
        datum: date,
        toelichting: str,
        door: str,
        op: datetime | None = None,
    ) -> UUID:
        def opdracht(d: Dossier, p: LeerlingDossiers, h: Handeling) -> UUID:
            d.signaal_ontvangen(
                signaal_id=signaal_id,
                soort=soort,
                datum=datum,
                toelichting=toelichting,
                beleid=self.beleid(school_id),
                handeling=h,
            )
            return d.id

        return self._bij_leerling(school_id, leerling_id, door, op, opdracht)

    def maatregel_voorgesteld(
        self,
        *,
        leerling_id: str,
        school_id: str,
        titel: str,
        activiteit: str,
        door: str,
        r_rol: str | None = None,
        a_rol: str | None = None,
        vervaldatum: date | None = None,
        maatregel_id: str | None = None,
        op: datetime | None = None,
    ) -> tuple[UUID, str]:
        """A measure analyse decided on; `maatregel_id` makes a redelivery harmless."""

        def opdracht(d: Dossier, p: LeerlingDossiers, h: Handeling) -> tuple[UUID, str]:
            actie_id = d.actie_toevoegen(
                titel=titel,
                activiteit=activiteit,
                beleid=self.beleid(school_id),
                handeling=h,
                r_rol=r_rol,
                a_rol=a_rol,
                vervaldatum=vervaldatum,
                actie_id=maatregel_id,
            )
            return d.id, actie_id

        return self._bij_leerling(school_id, leerling_id, door, op, opdracht)

    def intrekking_voorgesteld(
        self,
        *,
        leerling_id: str,
        school_id: str,
        meldplicht_id: str,
        door: str,
        op: datetime | None = None,
    ) -> tuple[UUID, str | None]:
        """D15: "intrekking beoordelen" in the dossier that holds the melding."""
        dossier_id = self._dossier_van_melding(school_id, leerling_id, meldplicht_id)
        beleid = self.beleid(school_id)
        actie_id = self._wijzig(
            dossier_id,
            door,
            op,
            lambda d, h: d.intrekking_voorgesteld(
                meldplicht_id=meldplicht_id, beleid=beleid, handeling=h
            ),
        )
        return dossier_id, actie_id

    # -- input from ketenkoppeling

    def meldingstatus_gewijzigd(
        self,
        *,
        leerling_id: str,
        school_id: str,
        meldplicht_id: str,
        status: str,
        door: str,
        reden: str | None = None,
        meldingsnummer: str | None = None,
        op: datetime | None = None,
    ) -> bool:
        """False when the status is a repeat or stale (redelivery, late feedback)."""
        dossier_id = self._dossier_van_melding(school_id, leerling_id, meldplicht_id)
        beleid = self.beleid(school_id)
        return self._wijzig(
            dossier_id,
            door,
            op,
            lambda d, h: d.meldingstatus_wijzigen(
                meldplicht_id,
                status=status,
                beleid=beleid,
                handeling=h,
                reden=reden,
                meldingsnummer=meldingsnummer,
            ),
        )

    # -- actions and decisions by staff

    def actie_toevoegen(
        self,
        dossier_id: UUID,
        *,
        titel: str,
        activiteit: str,
        door: str,
        r_rol: str | None = None,
        a_rol: str | None = None,
        vervaldatum: date | None = None,
        actie_id: str | None = None,
        op: datetime | None = None,
    ) -> str:
        return self._wijzig(
            dossier_id,
            door,
            op,
            lambda d, h: d.actie_toevoegen(
                titel=titel,
                activiteit=activiteit,
                beleid=self.beleid(d.school_id),
                handeling=h,
                r_rol=r_rol,
                a_rol=a_rol,
                vervaldatum=vervaldatum,
                actie_id=actie_id,
            ),
        )

    def actie_hertoewijzen(
        self,
        dossier_id: UUID,
        actie_id: str,
        *,
        r_rol: str,
        door: str,
        a_rol: str | None = None,
        toelichting: str = "",
        op: datetime | None = None,
    ) -> None:
        self._wijzig(
            dossier_id,
            door,
            op,
            lambda d, h: d.hertoewijzen(
                actie_id, r_rol=r_rol, a_rol=a_rol, toelichting=toelichting, handeling=h
            ),
        )

    def actie_afronden(
        self,
        dossier_id: UUID,
        actie_id: str,
        *,
        uitkomst: str,
        door: str,
        op: datetime | None = None,
    ) -> None:
        self._wijzig(
            dossier_id,
            door,
            op,
            lambda d, h: d.afronden(actie_id, uitkomst=uitkomst, handeling=h),
        )

    def actie_annuleren(
        self,
        dossier_id: UUID,
        actie_id: str,
        *,
        reden: str,
        door: str,
        op: datetime | None = None,
    ) -> None:
        self._wijzig(
            dossier_id,
            door,
            op,
            lambda d, h: d.annuleren(actie_id, reden=reden, handeling=h),
        )

    def beslis(
        self,
        dossier_id: UUID,
        actie_id: str,
        *,
        bevestigd: bool,
        door: str,
        toelichting: str = "",
        op: datetime | None = None,
    ) -> None:
        """Confirm or reject a decision (D15, D17, D18); the outcome is an event."""
        self._wijzig(
            dossier_id,
            door,
            op,
            lambda d, h: d.beslis(
                actie_id, bevestigd=bevestigd, toelichting=toelichting, handeling=h
            ),
        )

    # -- PDCA and closing

    def evalueer(
        self,
        dossier_id: UUID,
        *,
        cijfers: Iterable[WeekCijfer],
        peildatum: date,
        door: str,
        op: datetime | None = None,
    ) -> Evaluatie:
        weken = list(cijfers)
        return self._wijzig(
            dossier_id,
            door,
            op,
            lambda d, h: d.evalueer(
                cijfers=weken,
                peildatum=peildatum,
                beleid=self.beleid(d.school_id),
                handeling=h,
            ),
        )

    def verschuldigde_evaluaties(
        self, peildatum: date, school_id: str | None = None
    ) -> list[Dossier]:
        return self.overzicht.evaluatie_verschuldigd(peildatum, self.beleid, school_id)

    def voer_verschuldigde_evaluaties_uit(
        self,
        peildatum: date,
        cijfers_van: Callable[[Dossier], Sequence[WeekCijfer]],
        *,
        door: str,
        school_id: str | None = None,
        op: datetime | None = None,
    ) -> dict[UUID, Evaluatie]:
        """Evaluate each due dossier with the minutes per lesweek `cijfers_van` gives.

        A dossier that fails is logged and skipped; the others still run.
        """
        resultaat: dict[UUID, Evaluatie] = {}
        for dossier in self.verschuldigde_evaluaties(peildatum, school_id):
            try:
                resultaat[dossier.id] = self.evalueer(
                    dossier.id,
                    cijfers=cijfers_van(dossier),
                    peildatum=peildatum,
                    door=door,
                    op=op,
                )
            except OpvolgingFout as fout:
                logger.warning(
                    "evaluatie overgeslagen",
                    extra={
                        "event": "evaluatie_fout",
                        "dossier": str(dossier.id),
                        "fout": type(fout).__name__,
                    },
                )
        logger.info(
            "evaluaties", extra={"event": "evaluaties", "count": len(resultaat)}
        )
        return resultaat

    def afsluiten(
        self,
        dossier_id: UUID,
        *,
        reden: str,
        door: str,
        toelichting: str = "",
        op: datetime | None = None,
    ) -> None:
        handeling = self._handeling(door, op)

        def opdracht() -> None:
            dossier = self.dossier(dossier_id)
            dossier.afsluiten(reden=reden, toelichting=toelichting, handeling=handeling)
            pointer = self._pointer(dossier.school_id, dossier.leerling_id)
            pointer.dossier_gesloten(dossier.id)
            self.save(dossier, pointer)

        self._herhaal(opdracht)
        logger.info(
            "afgesloten",
            extra={"event": "dossier_afgesloten", "dossier": str(dossier_id)},
        )

    # -- queries

    def dossier(self, dossier_id: UUID) -> Dossier:
        try:
            dossier: object = self.repository.get(dossier_id)
        except AggregateNotFoundError:
            raise DossierOnbekend(f"dossier {dossier_id} bestaat niet") from None
        if not isinstance(dossier, Dossier):
            raise DossierOnbekend(f"dossier {dossier_id} bestaat niet")
        return dossier

    def open_dossier(self, school_id: str, leerling_id: str) -> Dossier | None:
        try:
            pointer = self._pointer(school_id, leerling_id)
        except AggregateNotFoundError:
            return None
        return self.dossier(pointer.open_dossier) if pointer.open_dossier else None

    def dossiers(
        self, school_id: str, *, status: str | None = None, rol: str | None = None
    ) -> list[Dossier]:
        return self.overzicht.van_school(school_id, status=status, rol=rol)

    def werklijst(
        self, school_id: str, rol: str, peildatum: date | None = None
    ) -> list[WerklijstRegel]:
        peildatum = peildatum or datum_van(self._klok())
        return werklijst(self.dossiers(school_id, status="open"), rol, peildatum)

    def rapport(self, dossier_id: UUID, leerling: LeerlingGegevens) -> dict[str, Any]:
        return afsluitrapport(self.dossier(dossier_id), leerling)

    def rapport_html(self, dossier_id: UUID, leerling: LeerlingGegevens) -> str:
        return als_html(self.rapport(dossier_id, leerling))

    # -- internals

    def _handeling(self, door: str, op: datetime | None) -> Handeling:
        return Handeling(door, op or self._klok())

    def _herhaal(self, opdracht: Callable[[], T]) -> T:
        for poging in range(1, _POGINGEN):
            try:
                return opdracht()
            except RecordConflictError:
                logger.info("conflict", extra={"event": "conflict", "poging": poging})
        return opdracht()

    def _wijzig(
        self,
        dossier_id: UUID,
        door: str,
        op: datetime | None,
        opdracht: Callable[[Dossier, Handeling], T],
    ) -> T:
        handeling = self._handeling(door, op)

        def uitvoeren() -> T:
            dossier = self.dossier(dossier_id)
            resultaat = opdracht(dossier, handeling)
            self.save(dossier)
            return resultaat

        return self._herhaal(uitvoeren)

    def _bij_leerling(
        self,
        school_id: str,
        leerling_id: str,
        door: str,
        op: datetime | None,
        opdracht: Callable[[Dossier, LeerlingDossiers, Handeling], T],
    ) -> T:
        """Run a command on the pupil's open dossier, opening one when there is none."""
        handeling = self._handeling(door, op)

        def uitvoeren() -> T:
            try:
                pointer = self._pointer(school_id, leerling_id)
            except AggregateNotFoundError:
                pointer = LeerlingDossiers.maak(school_id, leerling_id)
            if pointer.open_dossier is not None:
                dossier = self.dossier(pointer.open_dossier)
            else:
                dossier = Dossier.open(
                    leerling_id=leerling_id, school_id=school_id, handeling=handeling
                )
                pointer.dossier_geopend(dossier.id)
                logger.info(
                    "geopend",
                    extra={"event": "dossier_geopend", "dossier": str(dossier.id)},
                )
            resultaat = opdracht(dossier, pointer, handeling)
            self.save(dossier, pointer)
            return resultaat

        return self._herhaal(uitvoeren)

    def _pointer(self, school_id: str, leerling_id: str) -> LeerlingDossiers:
        pointer_id = LeerlingDossiers.id_voor(school_id, leerling_id)
        pointer: object = self.repository.get(pointer_id)
        if not isinstance(pointer, LeerlingDossiers):
            raise AggregateNotFoundError(pointer_id)
        return pointer

    def _dossier_van_melding(
        self, school_id: str, leerling_id: str, meldplicht_id: str
    ) -> UUID:
        try:
            dossier_id = self._pointer(school_id, leerling_id).meldingen.get(
                meldplicht_id
            )
        except AggregateNotFoundError:
            dossier_id = None
        if dossier_id is None:
            raise DossierOnbekend(f"geen dossier met melding {meldplicht_id}")
        return dossier_id
