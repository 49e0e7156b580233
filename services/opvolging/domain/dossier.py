"""The dossier: one pupil's verzuim episode at one school, from first duty to closing.

Commands validate, then trigger the events of `DossierBasis`; each takes the
`Handeling` (who, when). Actions are in `DossierActies`; the DUO status of the meldingen
and the decisions (D15, D17, D18) in `DossierMeldingen`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from services.opvolging.domain.aanleiding import (
    SignaalSoort,
    signaalsoort,
    verzuimsoort,
)
from services.opvolging.domain.actie import ActieSoort
from services.opvolging.domain.beleid import Opvolgingsbeleid
from services.opvolging.domain.dossieracties import keuze
from services.opvolging.domain.dossiermeldingen import DossierMeldingen
from services.opvolging.domain.dossierstatus import AfsluitReden
from services.opvolging.domain.evaluatie import (
    Evaluatie,
    Oordeel,
    WeekCijfer,
    advies,
    beoordeel,
    na_lesweken,
)
from services.opvolging.domain.fouten import (
    AfsluitenGeweigerd,
    EvaluatieFout,
    OngeldigeInvoer,
)
from services.opvolging.domain.handeling import Handeling
from services.opvolging.domain.melding import MeldingStatus
from services.opvolging.domain.rasci import Activiteit

__all__ = ["Dossier"]


class Dossier(DossierMeldingen):
    @classmethod
    def open(
        cls,
        *,
        leerling_id: str,
        school_id: str,
        handeling: Handeling,
        aanleiding_id: str | None = None,
    ) -> Dossier:
        if not leerling_id or not school_id:
            raise OngeldigeInvoer("leerling_id en school_id zijn verplicht")
        return cls._create(
            cls.Geopend,
            leerling_id=leerling_id,
            school_id=school_id,
            door=handeling.door,
            op=handeling.op,
            aanleiding_id=aanleiding_id,
        )

    # -- what opens or joins the dossier

    def meldplicht_ontvangen(
        self,
        *,
        meldplicht_id: str,
        soort: str,
        begindatum: date,
        einddatum: date | None,
        vervaldatum: date | None,
        achterstallig: bool,
        toelichting: str,
        beleid: Opvolgingsbeleid,
        handeling: Handeling,
    ) -> bool:
        """Add a duty; False when the duty is already in the dossier (redelivery)."""
        self._moet_open_zijn()
        if meldplicht_id in self.meldplichten:
            return False
        verzuimsoort(soort)
        if einddatum is not None and einddatum < begindatum:
            raise OngeldigeInvoer("einddatum ligt voor de begindatum")
        self._trigger(
            self.MeldplichtOntvangen,
            handeling,
            meldplicht_id=meldplicht_id,
            soort=soort,
            begindatum=begindatum,
            einddatum=einddatum,
            vervaldatum=vervaldatum,
            achterstallig=achterstallig,
            toelichting=toelichting,
        )
        if achterstallig:
            # D17: an overdue duty is sent only once the verzuimcoördinator confirms.
            self._besluitactie(
                "Achterstallige melding bevestigen",
                Activiteit.RAPPORTEREN_AAN_LEERPLICHTAMBTENAAR,
                ActieSoort.ACHTERSTALLIGE_MELDING_BEVESTIGEN,
                meldplicht_id,
                beleid,
                handeling,
            )
        self._start_protocol(beleid, handeling)
        return True

    def signaal_ontvangen(
        self,
        *,
        signaal_id: str,
        soort: str,
        datum: date,
        toelichting: str,
        beleid: Opvolgingsbeleid,
        handeling: Handeling,
    ) -> bool:
        """Add a signal; False when it is already in the dossier (redelivery)."""
        self._moet_open_zijn()
        if signaal_id in self.signalen:
            return False
        signaal = signaalsoort(soort)
        self._trigger(
            self.SignaalOntvangen,
            handeling,
            signaal_id=signaal_id,
            soort=signaal.value,
            datum=datum,
            toelichting=toelichting,
        )
        if signaal is SignaalSoort.VERMOEDELIJK_LUXEVERZUIM:
            # D18: the suspicion is decided first; a rejected one needs no protocol.
            self._besluitactie(
                "Vermoedelijk luxeverzuim beoordelen",
                Activiteit.ANALYSEREN_VERZUIM,
                ActieSoort.LUXEVERZUIM_BEOORDELEN,
                signaal_id,
                beleid,
                handeling,
            )
        else:
            self._start_protocol(beleid, handeling)
        return True

    # -- PDCA: check and act

    def evaluatie_verschuldigd_op(self, beleid: Opvolgingsbeleid) -> date | None:
        """N lesweken after the first measure, then N lesweken after each evaluation."""
        if not self.is_open or self.maatregelen_vanaf is None:
            return None
        laatste = self.laatste_evaluatie
        basis = laatste.peildatum if laatste else self.maatregelen_vanaf
        return na_lesweken(basis, beleid.evaluatie.interval_weken, beleid.kalender)

    def evalueer(
        self,
        *,
        cijfers: Iterable[WeekCijfer],
        peildatum: date,
        beleid: Opvolgingsbeleid,
        handeling: Handeling,
    ) -> Evaluatie:
        """Record whether the measures work; if not, plan the next ladder step."""
        self._moet_open_zijn()
        if self.maatregelen_vanaf is None:
            raise EvaluatieFout(f"dossier {self.id} heeft nog geen maatregelen")
        uitslag = beoordeel(
            cijfers, self.maatregelen_vanaf, peildatum, beleid.evaluatie
        )
        stap_loopt = any(a.ladderstap == self.ladderstap for a in self.open_acties())
        act = advies(uitslag.oordeel, self.ladderstap, stap_loopt, beleid.ladder)
        weken = [
            {"week": c.week, "minuten": c.minuten} for c in uitslag.voor + uitslag.na
        ]
        titel = beleid.ladder[act.stap].titel if act.stap is not None else None
        self._trigger(
            self.EvaluatieVastgelegd,
            handeling,
            peildatum=peildatum,
            weken=weken,
            gemiddelde_voor=uitslag.gemiddelde_voor,
            gemiddelde_na=uitslag.gemiddelde_na,
            oordeel=uitslag.oordeel.value,
            voorgestelde_stap=act.stap,
            voorgestelde_titel=titel,
            toelichting=act.toelichting,
        )
        if act.stap is not None:
            self._plan_stap(act.stap, beleid, handeling)
        return self.evaluaties[-1]

    # -- closing

    def afsluiten(self, *, reden: str, toelichting: str, handeling: Handeling) -> None:
        """Close the episode; open measures are cancelled, open decisions block it."""
        self._moet_open_zijn()
        grond = keuze(AfsluitReden, reden, "reden")
        if any(a.soort.blokkeert_afsluiten for a in self.open_acties()):
            raise AfsluitenGeweigerd("er staan nog besluiten of herstelacties open")
        if any(m.status.wacht_op_verzending for m in self.meldingen.values()):
            raise AfsluitenGeweigerd("een melding is nog niet door DUO geregistreerd")
        laatste = self.laatste_evaluatie
        oordeel = laatste.oordeel if laatste else None
        if (
            grond is AfsluitReden.VERZUIM_GESTOPT
            and oordeel is not Oordeel.VERZUIM_GESTOPT
        ):
            raise AfsluitenGeweigerd("de laatste evaluatie toont geen gestopt verzuim")
        if grond is AfsluitReden.VOLDOENDE_VERBETERD and not (
            oordeel and oordeel.maatregelen_werken
        ):
            raise AfsluitenGeweigerd("de laatste evaluatie toont geen verbetering")
        gemeld = [
            m
            for m in self.meldingen.values()
            if m.status is not MeldingStatus.GEANNULEERD
        ]
        if grond is AfsluitReden.GEEN_VERVOLG_NODIG and gemeld:
            raise AfsluitenGeweigerd(
                "een dossier met meldingen vraagt een andere reden"
            )
        for actie in self.open_acties():
            self._trigger(
                self.ActieGeannuleerd,
                handeling,
                actie_id=actie.id,
                reden="dossier afgesloten",
            )
        self._trigger(
            self.Afgesloten, handeling, reden=grond.value, toelichting=toelichting
        )

    # -- the protocol ladder

    def _start_protocol(self, beleid: Opvolgingsbeleid, handeling: Handeling) -> None:
        """PDCA "do": the first step of the school's ladder, once per dossier."""
        if self.ladderstap < 0:
            self._plan_stap(0, beleid, handeling)

    def _plan_stap(
        self, index: int, beleid: Opvolgingsbeleid, handeling: Handeling
    ) -> None:
        stap = beleid.ladder[index]
        self._voeg_actie_toe(
            stap.titel,
            stap.activiteit,
            ActieSoort.MAATREGEL,
            beleid,
            handeling,
            r_rol=beleid.matrix.kies_r_rol(stap.activiteit, stap.rol),
            ladderstap=index,
        )
