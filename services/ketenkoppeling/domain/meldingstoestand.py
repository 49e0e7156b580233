"""The state of a verzuimmelding and the events that change it.

`Verzuimmelding` (in `verzuimmelding`) adds the commands; this base holds what the
events do, so replaying the events rebuilds the state. Every event that changes the
status carries the melding's identity (meldplicht, pupil, school, verzuimsoort), so
the relay can publish it without loading the aggregate.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.ketenkoppeling.domain.meldplicht import (
    DUO_VOLGORDE,
    Meldingstatus,
    Meldplicht,
    Werk,
)

_NAMESPACE = UUID("0b3e6f1c-7d2a-4e59-8c41-5a9d2e7f3b18")

# Why a status changed; kept in the event and shown in the history.
ACHTERSTALLIG_BEVESTIGD = "achterstalligBevestigd"
ACHTERSTALLIG_AFGEWEZEN = "achterstalligAfgewezen"
MELDPLICHT_VERVALLEN = "meldplichtVervallen"
HEROPEND = "heropend"
INTREKKING_BEVESTIGD = "intrekkingBevestigd"
INTREKKING_VOOR_VERZENDING = "intrekkingVoorVerzending"
INTREKKING_VERSTUURD = "intrekkingVerstuurd"
INTREKKING_AFGEWEZEN = "intrekkingAfgewezen"
DUO_AFWIJZING = "duoAfwijzing"
DUO_STATUS = "duoStatus"


def melding_id(meldplicht_id: UUID) -> UUID:
    return uuid5(_NAMESPACE, f"verzuimmelding/{meldplicht_id}")


class Meldingstoestand(Aggregate):
    @staticmethod
    def create_id(meldplicht_id: UUID, **_: Any) -> UUID:
        return melding_id(meldplicht_id)

    @event("Aangemaakt")
    def __init__(
        self,
        *,
        meldplicht_id: UUID,
        leerling_id: UUID,
        school_id: UUID,
        verzuimsoort: str,
        plicht: dict[str, Any],
        status: str,
        op: datetime,
    ) -> None:
        self.meldplicht_id = meldplicht_id
        self.leerling_id = leerling_id
        self.school_id = school_id
        self.verzuimsoort = verzuimsoort
        self._plicht = plicht
        self.status = Meldingstatus(status)
        self.duo_status: Meldingstatus | None = None
        self.meldingsnummer: str | None = None
        self.brin: str | None = None
        self.laatste_mutatie: datetime | None = None
        self.reden: str | None = None
        self.bevestigd = False
        self.vervallen_oorzaak: str | None = None
        self.intrekking_gevraagd = False
        self.einddatum_bij_duo: date | None = None
        self.begindatum_bij_duo: date | None = None
        self.einddatum_geweigerd: date | None = None
        self.blokkade: list[str] = []
        self.termijn_overschreden = False
        self.pogingen = 0
        self.laatste_fout: str | None = None
        self.eerste_meldpoging: datetime | None = None
        # A melden attempt whose outcome is unknown: running (or cut off by a crash),
        # or failed after the request may have reached DUO.
        self._lopend = False
        self._onzeker = False
        self.historie: list[dict[str, Any]] = []
        self._schrijf(op, "Aangemaakt", status, None)

    # -- reading ---------------------------------------------------------------------

    @property
    def plicht(self) -> Meldplicht:
        return Meldplicht.uit_gegevens(self._plicht)

    @property
    def uitkomst_onzeker(self) -> bool:
        return self._lopend or self._onzeker

    @property
    def einddatum_te_versturen(self) -> date | None:
        """D7: the einddatum DUO does not know yet (an LRV melding went without)."""
        einddatum = self._plicht["einddatum"]
        if self.status not in (
            Meldingstatus.GEREGISTREERD,
            Meldingstatus.IN_BEHANDELING,
        ):
            return None
        if einddatum is None or self.einddatum_bij_duo is not None:
            return None
        return None if einddatum == self.einddatum_geweigerd else einddatum

    @property
    def werk(self) -> Werk | None:
        """What the DUO sender still has to do, if anything."""
        if self.status is Meldingstatus.WACHTEND:
            return Werk.CONTROLEREN if self.intrekking_gevraagd else Werk.MELDEN
        if self.status is Meldingstatus.VERVALLEN and self.uitkomst_onzeker:
            return Werk.CONTROLEREN
        if self.status is Meldingstatus.INTREKKING_TE_VERSTUREN:
            return Werk.INTREKKEN
        if self.einddatum_te_versturen is not None:
            return Werk.EINDDATUM
        return None

    # -- events ------------------------------------------------------------------------

    def _identiteit(self, status: Meldingstatus) -> dict[str, Any]:
        return {
            "meldplicht_id": self.meldplicht_id,
            "leerling_id": self.leerling_id,
            "school_id": self.school_id,
            "verzuimsoort": self.verzuimsoort,
            "status": str(status),
        }

    def _wijzig_status(
        self,
        status: Meldingstatus,
        oorzaak: str,
        op: datetime,
        *,
        reden: str | None = None,
        door: str | None = None,
        laatste_mutatie: datetime | None = None,
    ) -> None:
        self._status_gewijzigd(
            oorzaak=oorzaak,
            reden=reden,
            door=door,
            meldingsnummer=self.meldingsnummer,
            laatste_mutatie=laatste_mutatie,
            op=op,
            **self._identiteit(status),
        )

    def _schrijf(
        self, op: datetime, soort: str, status: str, toelichting: str | None
    ) -> None:
        self.historie.append(
            {
                "op": op,
                "gebeurtenis": soort,
                "status": status,
                "toelichting": toelichting,
            }
        )

    @event("Bijgewerkt")
    def _bijgewerkt(self, plicht: dict[str, Any], op: datetime) -> None:
        self._plicht = plicht
        self._schrijf(op, "Bijgewerkt", self.status, None)

    @event("StatusGewijzigd")
    def _status_gewijzigd(
        self,
        meldplicht_id: UUID,
        leerling_id: UUID,
        school_id: UUID,
        verzuimsoort: str,
        status: str,
        oorzaak: str,
        reden: str | None,
        door: str | None,
        meldingsnummer: str | None,
        laatste_mutatie: datetime | None,
        op: datetime,
    ) -> None:
        self.status = Meldingstatus(status)
        self.reden = reden
        if self.status in DUO_VOLGORDE:
            self.duo_status = self.status
        if laatste_mutatie is not None:
            self.laatste_mutatie = laatste_mutatie
        if oorzaak == ACHTERSTALLIG_BEVESTIGD:
            self.bevestigd = True
        if oorzaak == INTREKKING_AFGEWEZEN:
            self.intrekking_gevraagd = False
        if self.status is Meldingstatus.VERVALLEN:
            self.vervallen_oorzaak = oorzaak
        if self.status is Meldingstatus.AFGEWEZEN:
            self._lopend = self._onzeker = False
        self._schrijf(op, oorzaak, status, reden)

    @event("Geregistreerd")
    def _geregistreerd(
        self,
        meldplicht_id: UUID,
        leerling_id: UUID,
        school_id: UUID,
        verzuimsoort: str,
        status: str,
        meldingsnummer: str,
        brin: str,
        laatste_mutatie: datetime,
        einddatum_verzonden: date | None,
        op: datetime,
        begindatum_verzonden: date | None = None,
    ) -> None:
        self.status = self.duo_status = Meldingstatus(status)
        self.meldingsnummer = meldingsnummer
        self.brin = brin
        self.laatste_mutatie = laatste_mutatie
        self.einddatum_bij_duo = einddatum_verzonden
        # Events stored before the begindatum was recorded leave it None.
        self.begindatum_bij_duo = begindatum_verzonden
        self.reden = None
        self.blokkade = []
        self._lopend = self._onzeker = False
        self._schrijf(op, "Geregistreerd", status, None)

    @event("PogingGestart")
    def _poging_gestart(self, soort: str, op: datetime) -> None:
        self.pogingen += 1
        if soort == Werk.MELDEN:
            self._lopend = True
            self.eerste_meldpoging = self.eerste_meldpoging or op
        self._schrijf(op, "PogingGestart", self.status, soort)

    @event("PogingMislukt")
    def _poging_mislukt(
        self, soort: str, reden: str, onzeker: bool, op: datetime
    ) -> None:
        self.laatste_fout = reden
        if soort == Werk.MELDEN:
            self._lopend = False
            self._onzeker = self._onzeker or onzeker
        self._schrijf(op, "PogingMislukt", self.status, reden)

    @event("Geblokkeerd")
    def _geblokkeerd(self, velden: list[str], op: datetime) -> None:
        self.blokkade = list(velden)
        self._schrijf(op, "Geblokkeerd", self.status, ", ".join(velden) or None)

    @event("NietBijDuo")
    def _niet_bij_duo(self, op: datetime) -> None:
        self._lopend = self._onzeker = False
        self._schrijf(op, "NietBijDuo", self.status, None)

    @event("IntrekkingGevraagd")
    def _intrekking_gevraagd(self, door: str, op: datetime) -> None:
        self.intrekking_gevraagd = True
        self._schrijf(op, "IntrekkingGevraagd", self.status, None)

    @event("DuoStatusBijgewerkt")
    def _duo_status_bijgewerkt(
        self, duo_status: str, laatste_mutatie: datetime, op: datetime
    ) -> None:
        self.duo_status = Meldingstatus(duo_status)
        self.laatste_mutatie = laatste_mutatie
        self._schrijf(op, "DuoStatusBijgewerkt", self.status, duo_status)

    @event("EinddatumBekend")
    def _einddatum_bekend(self, einddatum: date, op: datetime) -> None:
        self._plicht = {**self._plicht, "einddatum": einddatum}
        self._schrijf(op, "EinddatumBekend", self.status, einddatum.isoformat())

    @event("EinddatumVerstuurd")
    def _einddatum_verstuurd(
        self, einddatum: date, laatste_mutatie: datetime, op: datetime
    ) -> None:
        self.einddatum_bij_duo = einddatum
        self.laatste_mutatie = laatste_mutatie
        self._schrijf(op, "EinddatumVerstuurd", self.status, einddatum.isoformat())

    @event("EinddatumAfgewezen")
    def _einddatum_afgewezen(self, einddatum: date, reden: str, op: datetime) -> None:
        self.einddatum_geweigerd = einddatum
        self._schrijf(op, "EinddatumAfgewezen", self.status, reden)

    @event("TermijnOverschreden")
    def _termijn_overschreden(
        self,
        meldplicht_id: UUID,
        leerling_id: UUID,
        school_id: UUID,
        verzuimsoort: str,
        status: str,
        vervaldatum: date,
        op: datetime,
    ) -> None:
        self.termijn_overschreden = True
        self._schrijf(op, "TermijnOverschreden", status, vervaldatum.isoformat())
