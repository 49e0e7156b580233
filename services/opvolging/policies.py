"""How opvolging reacts to upstream events: the consumer side.

Every reaction works in the consumer's unit of work: it loads with `uow.get`, changes
aggregates and hands new ones to `uow.add`. The consumer saves the whole batch with
its tracking rows in one transaction, so a batch is applied completely or not at
all, and an event seen again (redelivery, republish) is skipped before it gets here.

Topics are not ordered among each other: a DUO status from ketenkoppeling can arrive
before analyse's duty it is about. It is parked on the pupil's pointer and applied
when the duty arrives, instead of failing into the dead-letter topic.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from contracts.analyse import (
    IntrekkingVoorgesteld,
    MaatregelVoorgesteld,
    MeldplichtVastgesteld,
    MeldplichtVervallen,
    SignaalAfgegeven,
)
from contracts.envelope import CloudEvent, ContractEvent
from contracts.ketenkoppeling import VerzuimmeldingStatusGewijzigd
from contracts.registratie import (
    LeerlingGeregistreerd,
    LeerlingGewist,
    SchoolGeregistreerd,
    Slotclassificatie,
    VerzuimdagBijgewerkt,
    VerzuimGeclassificeerd,
    VerzuimVervallen,
)
from services.opvolging.domain.beleid import Opvolgingsbeleid
from services.opvolging.domain.fouten import DossierOnbekend
from services.opvolging.domain.handeling import Handeling
from services.opvolging.domain.leerlingdossiers import LeerlingDossiers
from services.opvolging.vertaling import (
    activiteit_van,
    kalendergegevens,
    meldingstatus_van,
    signaalsoort_van,
)
from services.opvolging.werkeenheid import (
    Werkeenheid,
    dossier_laden,
    dossier_van_melding,
    kalender_laden,
    lesweekverzuim_laden,
    open_of_voeg_bij,
    pointer_laden,
)

__all__ = ["OpvolgingPolicy", "SYSTEEM_ANALYSE", "SYSTEEM_KETENKOPPELING"]

logger = logging.getLogger(__name__)

#: The actors recorded for changes that systems, not people, made.
SYSTEEM_ANALYSE = "systeem:analyse"
SYSTEEM_KETENKOPPELING = "systeem:ketenkoppeling"

# The codes of analyse's protocol for the decisions the dossier opens itself.
_EIGEN_BESLUITEN = frozenset(
    {"achterstalligBevestigen", "intrekkingBeoordelen", "luxeverzuimBeoordelen"}
)
# Work the chain does itself: ketenkoppeling files the melding at DUO, and the dossier
# follows it in its meldingen (with an action of its own when DUO refuses it). As a
# measure to tick off it stayed open beside a melding DUO already held.
_DOOR_DE_KETEN = frozenset({"verzuimmeldingIndienen"})

_AFGEWEZEN_ZONDER_REDEN = "door DUO afgewezen; geen reden meegegeven"


class OpvolgingPolicy:
    """`Policy` of the consumer: one upstream contract event in a unit of work."""

    def __init__(
        self,
        beleid: Callable[[str], Opvolgingsbeleid],
        klok: Callable[[], datetime],
        wis: Callable[[Iterable[UUID], Iterable[UUID]], None] | None = None,
    ) -> None:
        """`beleid(school_id)`: the school's policy; `klok`: when a change happens;
        `wis(keys, cached)`: destroys an erased pupil's keys (the application's
        `erase`)."""
        self.beleid = beleid
        self.klok = klok
        self.wis = wis
        self._reacties: dict[type[Any], Callable[[Werkeenheid, Any], None]] = {
            MeldplichtVastgesteld: self.meldplicht_vastgesteld,
            SignaalAfgegeven: self.signaal_afgegeven,
            MaatregelVoorgesteld: self.maatregel_voorgesteld,
            IntrekkingVoorgesteld: self.intrekking_voorgesteld,
            MeldplichtVervallen: self.meldplicht_vervallen,
            VerzuimmeldingStatusGewijzigd: self.meldingstatus_gewijzigd,
            VerzuimdagBijgewerkt: self.verzuimdag_bijgewerkt,
            VerzuimGeclassificeerd: self.verzuim_geclassificeerd,
            VerzuimVervallen: self.verzuim_vervallen,
            LeerlingGeregistreerd: self.leerling_geregistreerd,
            SchoolGeregistreerd: self.school_geregistreerd,
            LeerlingGewist: self.leerling_gewist,
        }

    def __call__(
        self, uow: Werkeenheid, event: ContractEvent, envelope: CloudEvent
    ) -> None:
        reactie = self._reacties.get(type(event))
        if reactie is not None:  # other events on these topics are not for us
            reactie(uow, event)

    def _beleid(self, uow: Werkeenheid, school: str) -> Opvolgingsbeleid:
        """The school's policy, asked once per batch: it follows the stored
        calendar, which the batch itself changes only when it is saved."""
        per_school: dict[str, Opvolgingsbeleid] = uow.batch_state("beleid", dict)
        if school not in per_school:
            per_school[school] = self.beleid(school)
        return per_school[school]

    def _handeling(self, door: str) -> Handeling:
        return Handeling(door, self.klok())

    # -- analyse

    def meldplicht_vastgesteld(
        self, uow: Werkeenheid, e: MeldplichtVastgesteld
    ) -> None:
        """A new duty opens or joins the dossier; a known one is published again
        with changes (full state, e.g. the LRV einddatum, D7) and is updated where
        it is, even in a closed dossier."""
        (school, leerling), mid = _leerling(e), str(e.meldplicht_id)
        handeling = self._handeling(SYSTEEM_ANALYSE)
        bekend = dossier_van_melding(uow, school, leerling, mid)
        if bekend is not None:
            bekend.meldplicht_bijwerken(
                mid,
                einddatum=e.einddatum,
                vervaldatum=e.vervaldatum,
                toelichting=e.toelichting,
                handeling=handeling,
            )
            return
        beleid = self._beleid(uow, school)
        dossier, pointer = open_of_voeg_bij(uow, school, leerling, handeling, mid)
        dossier.meldplicht_ontvangen(
            meldplicht_id=mid,
            soort=e.verzuimsoort,
            begindatum=e.begindatum,
            einddatum=e.einddatum,
            vervaldatum=e.vervaldatum,
            achterstallig=e.achterstallig,
            toelichting=e.toelichting,
            beleid=beleid,
            handeling=handeling,
        )
        pointer.melding_koppelen(mid, dossier.id)
        for geparkeerd in pointer.geparkeerde_statussen_ophalen(mid):
            dossier.meldingstatus_wijzigen(
                mid,
                status=geparkeerd.status,
                beleid=beleid,
                handeling=geparkeerd.handeling,
                reden=geparkeerd.reden,
                meldingsnummer=geparkeerd.meldingsnummer,
            )

    def signaal_afgegeven(self, uow: Werkeenheid, e: SignaalAfgegeven) -> None:
        """A new signal opens or joins the dossier. Analyse publishes a changed
        signal again with the same id; the dossier keeps the signal as it came."""
        (school, leerling), sid = _leerling(e), str(e.signaal_id)
        pointer = pointer_laden(uow, school, leerling)
        if pointer is not None and sid in pointer.signalen:
            return
        handeling = self._handeling(SYSTEEM_ANALYSE)
        dossier, pointer = open_of_voeg_bij(uow, school, leerling, handeling, sid)
        dossier.signaal_ontvangen(
            signaal_id=sid,
            soort=signaalsoort_van(e.soort),
            datum=e.datum,
            toelichting=e.toelichting,
            beleid=self._beleid(uow, school),
            handeling=handeling,
        )
        pointer.signaal_koppelen(sid, dossier.id)

    def maatregel_voorgesteld(self, uow: Werkeenheid, e: MaatregelVoorgesteld) -> None:
        if e.code in _EIGEN_BESLUITEN or e.code in _DOOR_DE_KETEN:
            # D15, D17, D18: the dossier opened this decision itself when the duty,
            # signal or withdrawal arrived, with its own confirm/reject outcome; a
            # plain measure beside it could be ticked off without deciding.
            return
        (school, leerling), aanleiding = _leerling(e), str(e.aanleiding_id)
        handeling = self._handeling(SYSTEEM_ANALYSE)
        dossier, _ = open_of_voeg_bij(uow, school, leerling, handeling, aanleiding)
        dossier.actie_toevoegen(
            titel=f"{e.titel} (optioneel)" if e.optioneel else e.titel,
            activiteit=activiteit_van(e.activiteit),
            beleid=self._beleid(uow, school),
            handeling=handeling,
            r_rol=e.verantwoordelijke,
            a_rol=e.eindverantwoordelijke,
            vervaldatum=e.termijn,
            actie_id=str(e.maatregel_id),
        )

    def intrekking_voorgesteld(
        self, uow: Werkeenheid, e: IntrekkingVoorgesteld
    ) -> None:
        """D15: only the verzuimcoördinator's confirmation withdraws the melding."""
        (school, leerling), mid = _leerling(e), str(e.meldplicht_id)
        handeling = self._handeling(SYSTEEM_ANALYSE)
        beleid = self._beleid(uow, school)
        dossier = dossier_van_melding(uow, school, leerling, mid)
        if dossier is None:
            raise DossierOnbekend(f"geen dossier met melding {mid}")
        if dossier.is_open:
            dossier.intrekking_voorgesteld(
                meldplicht_id=mid, beleid=beleid, handeling=handeling
            )
            return
        if dossier.melding(mid).status.is_eindstatus:
            return
        # The dossier holding the melding was closed: the decision still has to be
        # made, in the pupil's open dossier.
        open_dossier, _ = open_of_voeg_bij(uow, school, leerling, handeling, mid)
        open_dossier.intrekking_beoordelen(
            meldplicht_id=mid, beleid=beleid, handeling=handeling
        )

    def meldplicht_vervallen(self, uow: Werkeenheid, e: MeldplichtVervallen) -> None:
        (school, leerling), mid = _leerling(e), str(e.meldplicht_id)
        dossier = dossier_van_melding(uow, school, leerling, mid)
        if dossier is None:
            logger.info(
                "vervallen meldplicht onbekend",
                extra={"event": "meldplicht_onbekend", "leerling": leerling},
            )
            return
        dossier.meldplicht_vervallen(
            mid, reden=e.reden, handeling=self._handeling(SYSTEEM_ANALYSE)
        )

    # -- ketenkoppeling

    def meldingstatus_gewijzigd(
        self, uow: Werkeenheid, e: VerzuimmeldingStatusGewijzigd
    ) -> None:
        (school, leerling), mid = _leerling(e), str(e.meldplicht_id)
        handeling = self._handeling(SYSTEEM_KETENKOPPELING)
        status = meldingstatus_van(e.status)
        reden = e.reden
        if e.status == "afgewezen" and not (reden and reden.strip()):
            reden = _AFGEWEZEN_ZONDER_REDEN
        pointer = pointer_laden(uow, school, leerling)
        dossier_id = pointer.meldingen.get(mid) if pointer is not None else None
        if dossier_id is None:
            # The duty has not arrived yet (another topic): keep the status for it.
            if pointer is None:
                pointer = LeerlingDossiers.maak(school, leerling)
                uow.add(pointer)
            pointer.status_parkeren(
                mid,
                status=status,
                reden=reden,
                meldingsnummer=e.meldingsnummer,
                handeling=handeling,
            )
            logger.info(
                "status geparkeerd",
                extra={"event": "status_geparkeerd", "leerling": leerling},
            )
            return
        dossier_laden(uow, dossier_id).meldingstatus_wijzigen(
            mid,
            status=status,
            beleid=self._beleid(uow, school),
            handeling=handeling,
            reden=reden,
            meldingsnummer=e.meldingsnummer,
        )

    # -- registratie: the figures behind the PDCA check

    def verzuimdag_bijgewerkt(self, uow: Werkeenheid, e: VerzuimdagBijgewerkt) -> None:
        """A pupil-day's changed slots in order, with the pupil's figures looked up
        once for the day. As slot by slot: the figures are made only for
        unauthorised minutes, and a slot that has none changes nothing before."""
        minuten = [
            _ongeoorloofd(slot) if isinstance(slot, Slotclassificatie) else None
            for slot in e.slots
        ]
        verzuim = lesweekverzuim_laden(
            uow,
            str(e.school_id),
            str(e.leerling_id),
            maak=any(m is not None and m > 0 for m in minuten),
        )
        if verzuim is None:
            return
        for slot, slotminuten in zip(e.slots, minuten, strict=True):
            if slotminuten is None:
                verzuim.slot_vervallen(slot.slot_id)
            else:
                verzuim.slot_classificeren(slot.slot_id, e.datum, slotminuten)

    def verzuim_geclassificeerd(
        self, uow: Werkeenheid, e: VerzuimGeclassificeerd
    ) -> None:
        minuten = _ongeoorloofd(e)
        verzuim = lesweekverzuim_laden(
            uow, str(e.school_id), str(e.leerling_id), maak=minuten > 0
        )
        if verzuim is not None:
            verzuim.slot_classificeren(e.slot_id, e.datum, minuten)

    def verzuim_vervallen(self, uow: Werkeenheid, e: VerzuimVervallen) -> None:
        verzuim = lesweekverzuim_laden(
            uow, str(e.school_id), str(e.leerling_id), maak=False
        )
        if verzuim is not None:
            verzuim.slot_vervallen(e.slot_id)

    def leerling_geregistreerd(
        self, uow: Werkeenheid, e: LeerlingGeregistreerd
    ) -> None:
        school, leerling = str(e.school_id), str(e.leerling_id)
        verzuim = lesweekverzuim_laden(uow, school, leerling, maak=e.klas is not None)
        if verzuim is not None:
            verzuim.klas_wijzigen(e.klas)

    def leerling_gewist(self, uow: Werkeenheid, e: LeerlingGewist) -> None:
        """The pupil's free text in every dossier (action titles and outcomes,
        decisions' and closing explanations) is sealed with the pupil's key: it is
        destroyed before the fact is stored, so the rest of this batch stores
        destroyed text and a redelivery destroys it again. Statuses, meldingen and
        the timeline stay."""
        school, leerling = _leerling(e)
        pointer = pointer_laden(uow, school, leerling)
        if pointer is not None:
            pointer.wis_persoonsgegevens(e.grond, e.gewist_op)
            uow.add(pointer)
        if self.wis is not None:
            self.wis([e.leerling_id], pointer.dossiers if pointer is not None else [])
        logger.info(
            "personal data erased",
            extra={"event": "leerling_gewist", "leerling": leerling},
        )

    def school_geregistreerd(self, uow: Werkeenheid, e: SchoolGeregistreerd) -> None:
        kalender_laden(uow, str(e.school_id)).vastleggen(kalendergegevens(e.kalender))


def _ongeoorloofd(slot: VerzuimGeclassificeerd | Slotclassificatie) -> int:
    """The minutes the PDCA figures count: the missed minutes of unauthorised time."""
    return slot.gemiste_minuten if slot.status == "ongeoorloofd" else 0


def _leerling(e: Any) -> tuple[str, str]:
    """(school, pupil) as the domain keys them: the contracts' UUIDs as text."""
    return str(e.school_id), str(e.leerling_id)
