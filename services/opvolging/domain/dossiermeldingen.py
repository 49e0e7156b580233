"""The meldingen of a dossier: DUO status tracking and the decisions around them.

Decision outcomes are events of their own (`LuxeverzuimBevestigd`, ...): analyse and
ketenkoppeling act on them, so only the verzuimcoördinator's confirmation has effect.
"""

from __future__ import annotations

from datetime import date

from services.opvolging.domain.actie import Actie, ActieSoort
from services.opvolging.domain.beleid import Opvolgingsbeleid
from services.opvolging.domain.dossieracties import DossierActies, keuze
from services.opvolging.domain.fouten import (
    MeldingOnbekend,
    OngeldigeInvoer,
    VerkeerdeActie,
)
from services.opvolging.domain.handeling import Handeling
from services.opvolging.domain.melding import Melding, MeldingStatus
from services.opvolging.domain.rasci import Activiteit

__all__ = ["DossierMeldingen"]

_MELDEN = Activiteit.RAPPORTEREN_AAN_LEERPLICHTAMBTENAAR


class DossierMeldingen(DossierActies):
    def melding(self, meldplicht_id: str) -> Melding:
        try:
            return self.meldingen[meldplicht_id]
        except KeyError:
            tekst = f"melding {meldplicht_id} niet in dossier {self.id}"
            raise MeldingOnbekend(tekst) from None

    def intrekking_voorgesteld(
        self, *, meldplicht_id: str, beleid: Opvolgingsbeleid, handeling: Handeling
    ) -> str | None:
        """D15: a lower count after submission opens "intrekking beoordelen", once.

        None when the melding has already reached an end status.
        """
        self._moet_open_zijn()
        melding = self.melding(meldplicht_id)
        lopend = self._open_acties_voor(ActieSoort.INTREKKING_BEOORDELEN, meldplicht_id)
        if lopend:
            return lopend[0].id
        if melding.status.is_eindstatus:
            return None
        return self.intrekking_beoordelen(
            meldplicht_id=meldplicht_id, beleid=beleid, handeling=handeling
        )

    def intrekking_beoordelen(
        self, *, meldplicht_id: str, beleid: Opvolgingsbeleid, handeling: Handeling
    ) -> str:
        """Open "intrekking beoordelen" for the verzuimcoördinator, once per melding.

        Called directly when the dossier holding the melding is closed already: the
        decision still has to be made, so it goes to the pupil's open dossier.
        """
        self._moet_open_zijn()
        lopend = self._open_acties_voor(ActieSoort.INTREKKING_BEOORDELEN, meldplicht_id)
        if lopend:
            return lopend[0].id
        return self._besluitactie(
            "Intrekking beoordelen",
            _MELDEN,
            ActieSoort.INTREKKING_BEOORDELEN,
            meldplicht_id,
            beleid,
            handeling,
        )

    def meldplicht_bijwerken(
        self,
        meldplicht_id: str,
        *,
        einddatum: date | None,
        vervaldatum: date | None,
        toelichting: str,
        handeling: Handeling,
    ) -> bool:
        """A duty analyse published again with changes, e.g. the einddatum of an LRV
        melding once the pupil is back (D7); False when nothing changed.

        Works on closed dossiers too: the report must show the duty as it ended.
        """
        try:
            meldplicht = self.meldplichten[meldplicht_id]
        except KeyError:
            tekst = f"meldplicht {meldplicht_id} niet in dossier {self.id}"
            raise MeldingOnbekend(tekst) from None
        if einddatum is not None and einddatum < meldplicht.begindatum:
            raise OngeldigeInvoer("einddatum ligt voor de begindatum")
        nieuw = (einddatum, vervaldatum, toelichting)
        if nieuw == (
            meldplicht.einddatum,
            meldplicht.vervaldatum,
            meldplicht.toelichting,
        ):
            return False
        self._trigger(
            self.MeldplichtBijgewerkt,
            handeling,
            meldplicht_id=meldplicht_id,
            einddatum=einddatum,
            vervaldatum=vervaldatum,
            toelichting=toelichting,
        )
        return True

    def meldplicht_vervallen(
        self, meldplicht_id: str, *, reden: str, handeling: Handeling
    ) -> bool:
        """D15: a duty not yet submitted lapses; its melding and open actions stop.

        False when the melding already left the school (DUO has it, or it ended):
        then the withdrawal route of D15 applies instead.
        """
        melding = self.melding(meldplicht_id)
        if not melding.status.wacht_op_verzending:
            return False
        self._trigger(
            self.MeldingStatusGewijzigd,
            handeling,
            meldplicht_id=meldplicht_id,
            status=MeldingStatus.GEANNULEERD.value,
            reden=reden,
            meldingsnummer=None,
        )
        for actie in self.open_acties():
            if actie.referentie == meldplicht_id:
                self._trigger(
                    self.ActieGeannuleerd, handeling, actie_id=actie.id, reden=reden
                )
        return True

    # -- decisions (D15, D17, D18)

    def beslis(
        self, actie_id: str, *, bevestigd: bool, toelichting: str, handeling: Handeling
    ) -> None:
        """Confirm or reject a decision action, whichever of the three kinds it is."""
        soort = self.actie(actie_id).soort
        if soort is ActieSoort.LUXEVERZUIM_BEOORDELEN:
            beslissing = self.beslis_luxeverzuim
        elif soort is ActieSoort.ACHTERSTALLIGE_MELDING_BEVESTIGEN:
            beslissing = self.beslis_achterstallige_melding
        elif soort is ActieSoort.INTREKKING_BEOORDELEN:
            beslissing = self.beslis_intrekking
        else:
            raise VerkeerdeActie(f"actie {actie_id} is geen besluit")
        beslissing(
            actie_id, bevestigd=bevestigd, toelichting=toelichting, handeling=handeling
        )

    def beslis_luxeverzuim(
        self, actie_id: str, *, bevestigd: bool, toelichting: str, handeling: Handeling
    ) -> None:
        """D18: only a confirmation leads to a luxeverzuim melding (L)."""
        actie = self._besluit(actie_id, ActieSoort.LUXEVERZUIM_BEOORDELEN)
        event = self.LuxeverzuimBevestigd if bevestigd else self.LuxeverzuimAfgewezen
        self._trigger(
            event,
            handeling,
            actie_id=actie_id,
            toelichting=toelichting,
            signaal_id=actie.referentie,
        )

    def beslis_achterstallige_melding(
        self, actie_id: str, *, bevestigd: bool, toelichting: str, handeling: Handeling
    ) -> None:
        """D17: an achterstallige melding is sent only after confirmation."""
        actie = self._besluit(actie_id, ActieSoort.ACHTERSTALLIGE_MELDING_BEVESTIGEN)
        event = (
            self.AchterstalligeMeldingBevestigd
            if bevestigd
            else self.AchterstalligeMeldingAfgewezen
        )
        self._trigger(
            event,
            handeling,
            actie_id=actie_id,
            toelichting=toelichting,
            meldplicht_id=actie.referentie,
        )

    def beslis_intrekking(
        self, actie_id: str, *, bevestigd: bool, toelichting: str, handeling: Handeling
    ) -> None:
        """D15: only a confirmation sends the withdrawal (status I) to DUO."""
        actie = self._besluit(actie_id, ActieSoort.INTREKKING_BEOORDELEN)
        event = self.IntrekkingBevestigd if bevestigd else self.IntrekkingAfgewezen
        self._trigger(
            event,
            handeling,
            actie_id=actie_id,
            toelichting=toelichting,
            meldplicht_id=actie.referentie,
        )

    # -- DUO status

    def meldingstatus_wijzigen(
        self,
        meldplicht_id: str,
        *,
        status: str,
        beleid: Opvolgingsbeleid,
        handeling: Handeling,
        reden: str | None = None,
        meldingsnummer: str | None = None,
    ) -> bool:
        """Track DUO's status; False for a repeat or a stale status.

        Works on closed dossiers too: the municipality closes meldingen long after.
        """
        melding = self.melding(meldplicht_id)
        nieuw = keuze(MeldingStatus, status, "status")
        if nieuw is MeldingStatus.AFGEWEZEN and not (reden and reden.strip()):
            raise OngeldigeInvoer("een afgewezen melding heeft een reden")
        if not melding.is_nieuw(nieuw, reden):
            return False
        self._trigger(
            self.MeldingStatusGewijzigd,
            handeling,
            meldplicht_id=meldplicht_id,
            status=nieuw.value,
            reden=reden,
            meldingsnummer=meldingsnummer,
        )
        soort = ActieSoort.AFGEWEZEN_MELDING_HERSTELLEN
        herstel = self._open_acties_voor(soort, meldplicht_id)
        if nieuw is MeldingStatus.AFGEWEZEN and not herstel:
            # A refusal is our fault: the verzuimcoördinator fixes and resends it.
            titel = "Afgewezen melding herstellen"
            self._besluitactie(titel, _MELDEN, soort, meldplicht_id, beleid, handeling)
        elif not nieuw.wacht_op_verzending:
            for actie in herstel:
                self._rond_af(actie, f"melding alsnog {nieuw.omschrijving}", handeling)
        return True

    # -- internals

    def _besluit(self, actie_id: str, soort: ActieSoort) -> Actie:
        actie = self._open_actie(actie_id)
        if actie.soort is not soort:
            raise VerkeerdeActie(f"actie {actie_id} is geen {soort.value}")
        return actie

    def _open_acties_voor(self, soort: ActieSoort, referentie: str) -> list[Actie]:
        return [
            a
            for a in self.open_acties()
            if a.soort is soort and a.referentie == referentie
        ]
