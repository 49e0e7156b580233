"""Upstream facts applied to the pupil picture, one evaluation per pupil per batch.

A consumer batch holds many slots of the same pupil (a day of lessons, an import).
`Batchwerk` stores the facts as they arrive and evaluates each touched pupil once,
in `before_save`, after every message of the batch: the engine's result depends
only on the final set of slots, not on their order. A decision about a pupil
(opvolging, ketenkoppeling) first brings that pupil up to date, then applies.

A pupil can be heard of before it can be evaluated: slots before the pupil's own
registration, or a pupil before its school. Nothing is lost: slots stay on the
`Leerling`, decisions are parked there, the school lists its waiting pupils, and
all of it is applied once the registration that was missing arrives.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from functools import partial
from typing import Any

from eventsourcing.persistence import (
    DatabaseError,
    InterfaceError,
    OperationalError,
)

from contracts.envelope import CloudEvent, ContractEvent, registered_types
from contracts.ketenkoppeling import VerzuimmeldingStatusGewijzigd
from contracts.opvolging import BesluitGenomen
from contracts.registratie import (
    LeerlingGeregistreerd,
    LeerlingGewist,
    SchoolGeregistreerd,
    Slotclassificatie,
    VerzuimdagBijgewerkt,
    VerzuimGeclassificeerd,
    VerzuimVervallen,
)
from plumbing.clock import AMSTERDAM
from plumbing.consumer import MessageFailed, UnitOfWork
from services.analyse.contracts_mapping import meldplicht_id, met_berichten, signaal_id
from services.analyse.domain.aggregate import Leerlingbeeld, Schoolcontext
from services.analyse.leerling import Leerling, Verzuimslot
from services.analyse.persoonsvelden import sleutels_van
from services.analyse.school import School, Schoolcontexten, sector_uit

__all__ = ["Batchwerk"]

logger = logging.getLogger(__name__)

_STORE_ERRORS = (OperationalError, InterfaceError, DatabaseError)
_LUXE = {"luxeverzuimBevestigd": True, "luxeverzuimAfgewezen": False}


class Batchwerk:
    def __init__(
        self, contexten: Schoolcontexten, uow: UnitOfWork, vandaag: date
    ) -> None:
        self._contexten = contexten
        self._uow = uow
        self._vandaag = vandaag
        self._slots: dict[str, dict[str, Verzuimslot | None]] = {}
        self._volledig: set[str] = set()  # give the picture all slots again
        self._herbereken: set[str] = set()  # the school's context changed
        self._schuld: dict[str, CloudEvent] = {}
        self._geladen: set[str] = set()  # pupils whose `Leerling` is in the uow

    # --- facts from registratie -------------------------------------------------------

    def school(self, bericht: SchoolGeregistreerd, envelope: CloudEvent) -> None:
        school = self._school(str(bericht.school_id))
        was_bekend = school.is_geregistreerd
        if not school.registreer(bericht):
            return
        # Waiting pupils get their picture; known pupils are evaluated again with
        # the new calendar, timetable or policy.
        doel = self._herbereken if was_bekend else self._volledig
        doel.update(school.leerlingen)
        for lid in school.leerlingen:
            self._schuld.setdefault(lid, envelope)

    def leerling(self, bericht: LeerlingGeregistreerd, envelope: CloudEvent) -> None:
        lid = str(bericht.leerling_id)
        self._schuld[lid] = envelope
        leerling = self._leerling(lid, str(bericht.school_id))
        if leerling.gewist:
            return  # nothing new about an erased pupil (a late copy, a republish)
        vorige = self._uow.get(School.create_id(leerling.school_id))
        if leerling.registreer(bericht, envelope.time.astimezone(AMSTERDAM).date()):
            self._volledig.add(lid)
        if vorige is not None and vorige.school_id != leerling.school_id:
            vorige.meld_af(lid)
            self._uow.add(vorige)
        self._school(leerling.school_id).meld_aan(lid)

    def slot(self, bericht: VerzuimGeclassificeerd, envelope: CloudEvent) -> None:
        lid = str(bericht.leerling_id)
        self._schuld[lid] = envelope
        self._zorg_voor(lid, str(bericht.school_id))
        slot = Verzuimslot.uit(bericht, bericht.datum)
        self._slots.setdefault(lid, {})[slot.slot_id] = slot

    def dag(self, bericht: VerzuimdagBijgewerkt, envelope: CloudEvent) -> None:
        """A pupil-day's changed slots in order, as `slot` and `slot_weg` would take
        them one by one, without making a per-slot message of each first."""
        lid = str(bericht.leerling_id)
        self._schuld[lid] = envelope
        self._zorg_voor(lid, str(bericht.school_id))
        slots = self._slots.setdefault(lid, {})
        for wijziging in bericht.slots:
            if isinstance(wijziging, Slotclassificatie):
                slots[wijziging.slot_id] = Verzuimslot.uit(wijziging, bericht.datum)
            else:
                slots[wijziging.slot_id] = None

    def slot_weg(self, bericht: VerzuimVervallen, envelope: CloudEvent) -> None:
        lid = str(bericht.leerling_id)
        self._schuld[lid] = envelope
        self._zorg_voor(lid, str(bericht.school_id))
        self._slots.setdefault(lid, {})[bericht.slot_id] = None

    # --- decisions --------------------------------------------------------------------

    def besluit(self, bericht: BesluitGenomen | VerzuimmeldingStatusGewijzigd) -> None:
        """A person's decision or DUO's registration; parked while the pupil waits."""
        lid = str(bericht.leerling_id)
        if self._leerling(lid, str(bericht.school_id)).gewist:
            logger.info(
                "decision about an erased pupil; its picture stays as it was",
                extra={"event": type(bericht).__name__, "leerling": lid},
            )
            return
        picture = self._bij(lid)
        if picture is None:
            inhoud = bericht.model_dump(mode="json", by_alias=True)
            self._uow.get(Leerling.create_id(lid)).parkeer(bericht.event_type(), inhoud)
            return
        self._voer_uit(*picture, bericht)

    def wis(self, bericht: LeerlingGewist, envelope: CloudEvent) -> None:
        """Registratie erased the pupil: bring it up to date with the batch so far,
        keep the window sums, then destroy analyse's keys for it. The keys go first:
        whatever of this batch is still to be stored about the pupil is stored as
        destroyed, and a redelivery after a failed save destroys them again."""
        lid = str(bericht.leerling_id)
        self._schuld[lid] = envelope
        leerling = self._leerling(lid, str(bericht.school_id))
        bijgewerkt = self._bij(lid)
        beeld = self._uow.get(Leerlingbeeld.create_id(lid))
        if beeld is not None:
            context = bijgewerkt[2] if bijgewerkt is not None else None
            beeld.wis_persoonsgegevens(context, self._vandaag)
            self._uow.add(beeld)
        if getattr(leerling, "gewist_op", None) is None:
            leerling.wis_persoonsgegevens(self._vandaag.isoformat())
        # The keys are the ids of the two aggregates; their cached copies go too
        # (what this batch saves is cached again, already without the data).
        sleutels = sleutels_van(lid)
        self._uow.app.erase(sleutels, cached=sleutels)
        logger.info(
            "personal data erased", extra={"event": "leerling_gewist", "leerling": lid}
        )

    def herbereken(self, leerling_id: str) -> None:
        """Evaluate again at the end of the batch, e.g. on a new day (D7, D17)."""
        self._herbereken.add(leerling_id)

    def before_save(self) -> None:
        open_werk = set(self._slots) | self._volledig | self._herbereken
        for lid in sorted(open_werk):
            try:
                self._bij(lid)
            except _STORE_ERRORS:
                raise
            except Exception as error:
                envelope = self._schuld.get(lid)
                if envelope is None:
                    raise
                raise MessageFailed(envelope, error) from error

    # --- the work per pupil -----------------------------------------------------------

    def _school(self, school_id: str) -> School:
        school = self._uow.get(School.create_id(school_id))
        if school is None:
            school = School(school_id)
        self._uow.add(school)
        return school

    def _leerling(self, leerling_id: str, school_id: str) -> Leerling:
        leerling = self._uow.get(Leerling.create_id(leerling_id))
        if leerling is None:
            leerling = Leerling(leerling_id, school_id)
        self._uow.add(leerling)
        self._geladen.add(leerling_id)
        return leerling

    def _zorg_voor(self, leerling_id: str, school_id: str) -> None:
        # Called for every slot of a batch: load (or make) the pupil once.
        if leerling_id not in self._geladen:
            self._leerling(leerling_id, school_id)

    def _bij(self, lid: str) -> tuple[Leerling, Leerlingbeeld, Schoolcontext] | None:
        """Bring one pupil up to date with the batch so far; None while it waits."""
        wijzigingen = self._slots.pop(lid, {})
        volledig = lid in self._volledig
        herbereken = lid in self._herbereken
        self._volledig.discard(lid)
        self._herbereken.discard(lid)
        leerling = self._uow.get(Leerling.create_id(lid))
        if leerling is None or leerling.gewist:
            return None  # an erased pupil's picture stays as it was
        veranderd = leerling.werk_verzuim_bij(wijzigingen) if wijzigingen else []
        school = self._uow.get(School.create_id(leerling.school_id))
        if not leerling.is_geregistreerd or school is None:
            return None
        if not school.is_geregistreerd:
            return None
        context = self._contexten.voor(school, leerling.lesdagen)
        beeld = self._uow.get(Leerlingbeeld.create_id(lid))
        gebeurtenissen = len(beeld.pending_events) if beeld is not None else 0
        if beeld is None:
            assert leerling.gegevens is not None and school.gegevens is not None
            beeld = Leerlingbeeld.nieuw(
                lid,
                date.fromisoformat(leerling.gegevens["geboortedatum"]),
                sector_uit(school.gegevens),
                startkwalificatie_sinds=leerling.startkwalificatie_sinds,
            )
            volledig = True
        elif beeld.startkwalificatie_sinds != leerling.startkwalificatie_sinds:
            met_berichten(
                leerling,
                beeld,
                context,
                lambda: beeld.wijzig_feiten(
                    context,
                    self._vandaag,
                    startkwalificatie_sinds=leerling.startkwalificatie_sinds,
                    einde_twaalf_schooljaren=beeld.einde_twaalf_schooljaren,
                    vrijgesteld_kwalificatieplicht=beeld.vrijgesteld_kwalificatieplicht,
                ),
            )
        self._uow.add(beeld)
        gewijzigd, verwijderd = self._slotwerk(leerling, beeld, veranderd, volledig)
        if gewijzigd or verwijderd:
            met_berichten(
                leerling,
                beeld,
                context,
                lambda: beeld.verwerk_slots(
                    gewijzigd, verwijderd, context, self._vandaag
                ),
            )
        # A command that changed the picture already evaluated it with this context.
        if herbereken and len(beeld.pending_events) == gebeurtenissen:
            met_berichten(
                leerling,
                beeld,
                context,
                lambda: beeld.herbereken(context, self._vandaag),
            )
        if leerling.wachtend:
            wachtend = list(leerling.wachtend)
            leerling.geparkeerd_verwerkt()
            for geparkeerd in wachtend:
                soort = registered_types()[geparkeerd["type"]]
                bericht = soort.model_validate(geparkeerd["inhoud"])
                self._voer_uit(leerling, beeld, context, bericht)
        return leerling, beeld, context

    @staticmethod
    def _slotwerk(
        leerling: Leerling, beeld: Leerlingbeeld, veranderd: list[str], volledig: bool
    ) -> tuple[list[Any], list[str]]:
        if volledig:
            tellend = {
                i: s.als_slot() for i, s in leerling.verzuim.items() if leerling.telt(s)
            }
            weg = [s.slot_id for s in beeld.slots if s.slot_id not in tellend]
            return list(tellend.values()), weg
        gewijzigd, weg = [], []
        for slot_id in veranderd:
            slot = leerling.verzuim.get(slot_id)
            if slot is not None and leerling.telt(slot):
                gewijzigd.append(slot.als_slot())
            else:
                weg.append(slot_id)
        return gewijzigd, weg

    def _voer_uit(
        self,
        leerling: Leerling,
        beeld: Leerlingbeeld,
        context: Schoolcontext,
        bericht: ContractEvent,
    ) -> None:
        opdracht = self._opdracht(leerling.leerling_id, beeld, context, bericht)
        if opdracht is not None:
            met_berichten(leerling, beeld, context, opdracht)

    def _opdracht(
        self,
        lid: str,
        beeld: Leerlingbeeld,
        context: Schoolcontext,
        bericht: ContractEvent,
    ) -> Callable[[], None] | None:
        resultaat = beeld.resultaat
        if isinstance(bericht, BesluitGenomen) and bericht.besluit in _LUXE:
            # D18: only a confirmation turns the suspicion into luxe verzuim.
            sleutels = {
                signaal_id(lid, s.sleutel): s.sleutel for s in resultaat.signalen
            }
            sleutel = sleutels.get(bericht.verwijzing_id)
            opdracht = partial(beeld.beoordeel_signaal, sleutel, _LUXE[bericht.besluit])
        elif isinstance(bericht, BesluitGenomen):
            if bericht.besluit != "intrekkingBevestigd":
                return None  # the other decisions are for opvolging and ketenkoppeling
            # D15: the verzuimcoördinator confirmed the withdrawal.
            sleutels = {
                meldplicht_id(lid, i.sleutel): i.sleutel
                for i in resultaat.intrekkingsvoorstellen
            }
            sleutel = sleutels.get(bericht.verwijzing_id)
            opdracht = partial(beeld.bevestig_intrekking, sleutel)
        elif isinstance(bericht, VerzuimmeldingStatusGewijzigd):
            if bericht.status != "geregistreerd":
                return None
            # D15: a duty that reached DUO is withdrawn, never silently cancelled.
            sleutels = {
                meldplicht_id(lid, m.sleutel): m.sleutel
                for m in (*beeld.vervallen, *resultaat.meldplichten)
            }
            sleutel = sleutels.get(bericht.meldplicht_id)
            opdracht = partial(
                beeld.registreer_indiening,
                sleutel,
                begindatum=bericht.begindatum,
                einddatum=bericht.einddatum,
            )
        else:
            return None
        if sleutel is None:
            logger.warning(
                "decision refers to nothing open; ignored",
                extra={"event": type(bericht).__name__, "leerling": lid},
            )
            return None
        return partial(opdracht, school=context, vandaag=self._vandaag)
