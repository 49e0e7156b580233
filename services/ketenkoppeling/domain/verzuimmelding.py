"""The verzuimmelding the school owes DUO for one meldplicht, and its life at DUO.

One aggregate per duty; its id derives from the meldplicht id, so a duty seen again is
the same melding. Commands check the state and record events. Every change of `status`
is recorded by an event that carries the melding's identity (`Aangemaakt`,
`Geregistreerd`, `StatusGewijzigd`), so the relay can publish it without loading the
aggregate::

    wachtOpBevestiging (D17) ─▶ wachtend ─▶ geregistreerd ─▶ inBehandeling
                                 │  │           │               ├▶ afgesloten
                                 │  │           │               └▶ terKennisgeving
                                 │  ├▶ afgewezen└───────┬───────┘
                                 │  └▶ vervallen        ▼
                                 │          intrekkingTeVersturen ─▶ ingetrokken
                                 └ (D15: withdrawn before sending) ─▶ vervallen
"""

from __future__ import annotations

from datetime import date, datetime

from plumbing.clock import AMSTERDAM
from services.ketenkoppeling.domain.meldingstoestand import (
    ACHTERSTALLIG_BEVESTIGD,
    DUO_AFWIJZING,
    DUO_STATUS,
    HEROPEND,
    INTREKKING_AFGEWEZEN,
    INTREKKING_BEVESTIGD,
    INTREKKING_VERSTUURD,
    INTREKKING_VOOR_VERZENDING,
    MELDPLICHT_VERVALLEN,
    Meldingstoestand,
    melding_id,
)
from services.ketenkoppeling.domain.meldplicht import (
    DUO_VOLGORDE,
    NOG_TE_VERZENDEN,
    Meldingstatus,
    Meldplicht,
    Werk,
)

__all__ = ["Verzuimmelding", "melding_id"]


class Verzuimmelding(Meldingstoestand):
    # -- commands from upstream ------------------------------------------------------

    def werk_bij(self, plicht: Meldplicht, op: datetime) -> None:
        """The duty was stated again: before sending, it replaces the content."""
        # D17: the duty keeps the achterstallig flag it had when first detected.
        nieuw = plicht.met_achterstallig(self.plicht.achterstallig).als_gegevens()
        if self.status in NOG_TE_VERZENDEN:
            if nieuw != self._plicht:
                self._bijgewerkt(plicht=nieuw, op=op)
        elif self.status is Meldingstatus.VERVALLEN:
            if self.vervallen_oorzaak != MELDPLICHT_VERVALLEN or self.meldingsnummer:
                return
            self._bijgewerkt(plicht=nieuw, op=op)
            wacht = self.plicht.achterstallig and not self.bevestigd
            status = (
                Meldingstatus.WACHT_OP_BEVESTIGING if wacht else Meldingstatus.WACHTEND
            )
            self._wijzig_status(status, HEROPEND, op)
        elif (
            self.status in (Meldingstatus.GEREGISTREERD, Meldingstatus.IN_BEHANDELING)
            and self.einddatum_bij_duo is None
            and plicht.einddatum is not None
            and plicht.einddatum != self._plicht["einddatum"]
        ):
            # D7: the einddatum of a melding sent without one follows by mutatie.
            self._einddatum_bekend(einddatum=plicht.einddatum, op=op)

    def bevestig_achterstallig(self, door: str, op: datetime) -> None:
        """D17: the verzuimcoördinator confirmed; the melding may be sent now."""
        if self.status is Meldingstatus.WACHT_OP_BEVESTIGING:
            self._wijzig_status(
                Meldingstatus.WACHTEND, ACHTERSTALLIG_BEVESTIGD, op, door=door
            )

    def laat_vervallen(self, oorzaak: str, reden: str, op: datetime) -> None:
        """D15: a duty not yet submitted is cancelled (or, D17, not confirmed)."""
        if self.status in NOG_TE_VERZENDEN:
            self._wijzig_status(Meldingstatus.VERVALLEN, oorzaak, op, reden=reden)

    def vraag_intrekking(self, door: str, op: datetime) -> None:
        """D15: the verzuimcoördinator confirmed the withdrawal (status I)."""
        if self.status in (Meldingstatus.GEREGISTREERD, Meldingstatus.IN_BEHANDELING):
            self._wijzig_status(
                Meldingstatus.INTREKKING_TE_VERSTUREN,
                INTREKKING_BEVESTIGD,
                op,
                door=door,
            )
        elif self.status in NOG_TE_VERZENDEN or self.status is Meldingstatus.VERVALLEN:
            if self.uitkomst_onzeker:
                # DUO may hold it from an attempt whose answer was lost: ask first.
                if not self.intrekking_gevraagd:
                    self._intrekking_gevraagd(door=door, op=op)
            elif self.status in NOG_TE_VERZENDEN:
                self._wijzig_status(
                    Meldingstatus.VERVALLEN, INTREKKING_VOOR_VERZENDING, op, door=door
                )

    # -- commands from the DUO sender and the status poller --------------------------

    def start_poging(self, werk: Werk, op: datetime) -> datetime | None:
        """Record an attempt before it leaves; returns `eerdere_poging` for melden."""
        eerdere = self.eerste_meldpoging if self.uitkomst_onzeker else None
        self._poging_gestart(soort=str(werk), op=op)
        return eerdere

    def poging_mislukt(
        self, werk: Werk, reden: str, onzeker: bool, op: datetime
    ) -> None:
        self._poging_mislukt(soort=str(werk), reden=reden, onzeker=onzeker, op=op)

    def blokkeer(self, velden: list[str], op: datetime) -> None:
        """The melding cannot be sent until upstream data change; `velden` say why."""
        if sorted(velden) != self.blokkade:
            self._geblokkeerd(velden=sorted(velden), op=op)

    def geregistreerd(
        self,
        *,
        meldingsnummer: str,
        brin: str,
        laatste_mutatie: datetime,
        einddatum_verzonden: date | None,
        op: datetime,
        begindatum_verzonden: date | None = None,
    ) -> bool:
        """DUO holds the melding (DC0018, or found by opvragen). False if known.

        `begindatum_verzonden` is the begindatum of the message DUO accepted; the
        duty may have been stated again while that message was on its way, and
        analyse must count from what DUO holds (R-MLD-8). Without it, the duty's
        current begindatum is taken."""
        if self.meldingsnummer is not None:
            return False
        # Accepted after its due date: late all the same, even when no watch round
        # saw it waiting (a duty found in a backfill is often past due at once).
        self.termijn_verstreken(op.astimezone(AMSTERDAM).date(), op)
        self._geregistreerd(
            meldingsnummer=meldingsnummer,
            brin=brin,
            laatste_mutatie=laatste_mutatie,
            einddatum_verzonden=einddatum_verzonden,
            begindatum_verzonden=begindatum_verzonden or self.plicht.begindatum,
            op=op,
            **self._identiteit(status=Meldingstatus.GEREGISTREERD),
        )
        if self.intrekking_gevraagd:
            self._wijzig_status(
                Meldingstatus.INTREKKING_TE_VERSTUREN, INTREKKING_BEVESTIGD, op
            )
        return True

    def niet_bij_duo(self, op: datetime) -> None:
        """DUO does not hold it: an earlier uncertain attempt did not arrive."""
        self._niet_bij_duo(op=op)
        if self.status is Meldingstatus.WACHTEND and self.intrekking_gevraagd:
            self._wijzig_status(Meldingstatus.VERVALLEN, INTREKKING_VOOR_VERZENDING, op)

    def afgewezen(self, code: str, reden: str, op: datetime) -> None:
        """DUO refused the melding (DC0002): final, never sent again."""
        if self.status in NOG_TE_VERZENDEN and self.meldingsnummer is None:
            tekst = f"{code}: {reden}"
            self._wijzig_status(Meldingstatus.AFGEWEZEN, DUO_AFWIJZING, op, reden=tekst)

    def duo_status_gezien(
        self,
        status: Meldingstatus,
        reden: str | None,
        laatste_mutatie: datetime,
        op: datetime,
    ) -> bool:
        """A status DUO reports; only forward moves count. True if it changed."""
        if self.meldingsnummer is None or self.duo_status is None:
            return False
        if DUO_VOLGORDE[status] <= DUO_VOLGORDE[self.duo_status]:
            return False
        if (
            self.status is Meldingstatus.INTREKKING_TE_VERSTUREN
            and status is Meldingstatus.IN_BEHANDELING
        ):
            # The withdrawal still goes out; remember where DUO stands meanwhile.
            self._duo_status_bijgewerkt(
                duo_status=str(status), laatste_mutatie=laatste_mutatie, op=op
            )
            return True
        self._wijzig_status(
            status, DUO_STATUS, op, reden=reden, laatste_mutatie=laatste_mutatie
        )
        return True

    def ingetrokken(self, laatste_mutatie: datetime, op: datetime) -> None:
        if self.status is Meldingstatus.INTREKKING_TE_VERSTUREN:
            self._wijzig_status(
                Meldingstatus.INGETROKKEN,
                INTREKKING_VERSTUURD,
                op,
                laatste_mutatie=laatste_mutatie,
            )

    def intrekking_afgewezen(self, code: str, reden: str, op: datetime) -> None:
        """DUO refused status I (e.g. already closed): back to where DUO stands."""
        if self.status is Meldingstatus.INTREKKING_TE_VERSTUREN:
            terug = self.duo_status or Meldingstatus.GEREGISTREERD
            self._wijzig_status(
                terug, INTREKKING_AFGEWEZEN, op, reden=f"{code}: {reden}"
            )

    def einddatum_verstuurd(
        self, einddatum: date, laatste_mutatie: datetime, op: datetime
    ) -> None:
        self._einddatum_verstuurd(
            einddatum=einddatum, laatste_mutatie=laatste_mutatie, op=op
        )

    def einddatum_afgewezen(
        self, einddatum: date, code: str, reden: str, op: datetime
    ) -> None:
        self._einddatum_afgewezen(einddatum=einddatum, reden=f"{code}: {reden}", op=op)

    def termijn_verstreken(self, vandaag: date, op: datetime) -> bool:
        """D4: not accepted by DUO by the vervaldatum; recorded once. True if now."""
        vervaldatum = self._plicht["vervaldatum"]
        if self.termijn_overschreden or vervaldatum is None or vandaag <= vervaldatum:
            return False
        if self.meldingsnummer is not None or self.status is Meldingstatus.VERVALLEN:
            return False
        self._termijn_overschreden(
            vervaldatum=vervaldatum, op=op, **self._identiteit(status=self.status)
        )
        return True
