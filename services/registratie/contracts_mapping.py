"""From registratie's stored events to the public `contracts.registratie` events.

The relay maps one stored event to at most one message, but some domain events
lack what a contract needs (the school and counting unit of a pupil-day, a school's
full state), and one save may change a school several times and publish it once.
A `Verzuimdag` event becomes one `VerzuimdagBijgewerkt` with every slot it changed
(not one message per slot: that was 2.6 messages per pupil-day to store, relay and
consume three times). So the messages are built when their cause is saved, from the
aggregates' state at that moment, and stored in the same transaction as
`Uitgaand` events (`uitgaande_berichten`); `to_contract` only reads them back. A
republish after a broker loss then carries the same content, and every message is
published exactly when its cause was committed.

The pupil's PGN is encrypted with the shared PGN key before it is stored here
(`contracts.pgn.versleutel`): it is never in clear text on Kafka.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any, Protocol
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate, DomainEvent

from contracts.envelope import ContractEvent
from contracts.pgn import versleutel
from contracts.registratie import (
    LeerlingGeregistreerd,
    LeerlingGewist,
    RegistratieSignaal,
    SchoolGeregistreerd,
    VerlofBesloten,
    VerzuimdagBijgewerkt,
    VerzuimGeclassificeerd,
    VerzuimVervallen,
)
from leerplicht.kalender import schooljaar_van
from plumbing.security.sleutelkluis import VERNIETIGD
from services.registratie.domain.classificatie import Grond, SlotStatus, Status
from services.registratie.domain.leerling import Leerling
from services.registratie.domain.school import School
from services.registratie.domain.verlof import Uitkomst
from services.registratie.domain.verlofaanvraag import Verlofaanvraag
from services.registratie.domain.verzuimdag import Verzuimdag

__all__ = ["Bronnen", "Uitgaand", "slot_id", "to_contract", "uitgaande_berichten"]

_CONTRACTEN: dict[str, type[ContractEvent]] = {
    cls.__name__: cls
    for cls in (
        SchoolGeregistreerd,
        LeerlingGeregistreerd,
        VerzuimGeclassificeerd,
        VerzuimVervallen,
        VerzuimdagBijgewerkt,
        VerlofBesloten,
        RegistratieSignaal,
        LeerlingGewist,
    )
}

_SCHOOLGEGEVENS = (School.Geregistreerd, School.Gewijzigd, School.KalenderVastgesteld)
_LEERLINGGEGEVENS = (Leerling.Ingeschreven, Leerling.Gewijzigd)
_SOORT = {"afwezig": "afwezig", "te_laat": "teLaat", "verwijderd": "verwijderd"}
_SIGNAALTEKST = {
    "late_ziekmelding": "Ziekmelding later dan twee dagen na de eerste afwezige dag "
    "(D8); de status is ongeoorloofd tot bewijs volgt.",
    "ziekmelding_rond_vakantie": "Ziekmelding op de lesdag direct voor of na een "
    "vakantie: mogelijk luxe verzuim (D18), ter beoordeling.",
    "afwezig_na_afgewezen_verlof": "Afwezig in een periode waarvoor verlof is "
    "afgewezen (D18), ter beoordeling.",
}


class Uitgaand(DomainEvent):
    """One contract message (by its class name), stored with the save that caused it."""

    soort: str
    data: dict[str, Any]


class Bronnen(Protocol):
    """What building the messages needs beyond the aggregates being saved."""

    def pgn_sleutel(self) -> str: ...

    def eenheid_van(self, school_id: UUID) -> str: ...

    def school_van(self, leerling_id: UUID) -> UUID | None: ...

    def school_aggregaat(self, school_id: UUID) -> School | None: ...

    def schoolaanvulling(self, school_id: UUID) -> Mapping[str, Any]: ...


def to_contract(domain_event: object) -> ContractEvent | None:
    """The public event for a stored `Uitgaand`; None for every domain event.

    A pupil's registration whose sealed fields were erased (`persoonsvelden`) is
    not published again (a republish after a broker loss): it has nothing left to
    say, and what it said before stays with the services that received it.
    """
    if not isinstance(domain_event, Uitgaand):
        return None
    if domain_event.data.get("geboortedatum") == VERNIETIGD:
        return None
    return _CONTRACTEN[domain_event.soort].model_validate(domain_event.data)


def slot_id(leerling_id: UUID, datum: date, lesuur: int) -> str:
    """A lesson slot's id: stable, so a reclassification replaces the earlier one."""
    return f"{leerling_id}/{datum.isoformat()}/{lesuur}"


def _bericht(contract: type[ContractEvent], data: dict[str, Any]) -> Uitgaand:
    return Uitgaand(
        originator_id=uuid4(),
        originator_version=1,
        timestamp=Uitgaand.create_timestamp(),
        soort=contract.__name__,
        data=data,
    )


def uitgaande_berichten(
    events: Sequence[Any],
    aggregaten: Mapping[Any, Aggregate],
    bronnen: Bronnen,
    vandaag: date,
    aanvullingen: Mapping[UUID, Mapping[str, Any]] | None = None,
) -> list[Uitgaand]:
    """The messages caused by `events`, in their order; `aggregaten` is their state
    after the save, `vandaag` the service clock's date. `aanvullingen` holds the
    school supplements this save changes: those schools are published in full even
    without a school event among `events`."""
    nieuw = aanvullingen or {}
    berichten: list[Uitgaand] = []
    scholen: dict[UUID, None] = dict.fromkeys(nieuw)
    leerlingen: dict[UUID, Leerling] = {}
    for event in events:
        if isinstance(event, Verzuimdag.Geopend | Verzuimdag.Bijgewerkt):
            dag = aggregaten[event.originator_id]
            assert isinstance(dag, Verzuimdag)
            bericht = _dagbericht(event, dag, bronnen)
            if bericht is not None:
                berichten.append(bericht)
        elif isinstance(event, _LEERLINGGEGEVENS):
            leerling = aggregaten[event.originator_id]
            assert isinstance(leerling, Leerling)
            leerlingen[leerling.id] = leerling
        elif isinstance(event, Leerling.PersoonsgegevensGewist):
            leerling = aggregaten[event.originator_id]
            assert isinstance(leerling, Leerling)
            leerlingen.pop(leerling.id, None)
            berichten.append(_gewist(event, leerling))
        elif isinstance(event, Leerling.SignaalAfgegeven):
            leerling = aggregaten[event.originator_id]
            assert isinstance(leerling, Leerling)
            berichten.append(_signaal(event, leerling))
        elif isinstance(event, Verlofaanvraag.Ingediend | Verlofaanvraag.Besloten):
            bericht = _verlofbesluit(event, aggregaten, bronnen)
            if bericht is not None:
                berichten.append(bericht)
        elif isinstance(event, _SCHOOLGEGEVENS):
            scholen[event.originator_id] = None
    for school_id in scholen:
        school = aggregaten.get(school_id)
        if not isinstance(school, School):
            school = bronnen.school_aggregaat(school_id)
        if school is not None:
            aanvulling = nieuw.get(school_id) or bronnen.schoolaanvulling(school_id)
            berichten.append(_school(school, aanvulling, vandaag))
    if leerlingen:
        sleutel = bronnen.pgn_sleutel()
        berichten.extend(_leerling(ll, sleutel, vandaag) for ll in leerlingen.values())
    return berichten


def _dagbericht(event: Any, dag: Verzuimdag, bronnen: Bronnen) -> Uitgaand | None:
    """One message for the slots this day event changed; None when none of them
    changed for the chain (only records moved, or a slot stayed present)."""
    slots: list[dict[str, Any]] = []
    for wijziging in event.wijzigingen:
        lesuur: int = wijziging["lesuur"]
        slot = SlotStatus.uit_dict(wijziging["slot"]) if wijziging["slot"] else None
        if slot is None or slot.status is Status.AANWEZIG:
            # The slot is no longer absent: withdrawn, corrected away, or the
            # pupil was seen in class after all.
            if wijziging["vorigeStatus"] not in (None, Status.AANWEZIG.value):
                slots.append(
                    {
                        "wijziging": "vervallen",
                        "slotId": slot_id(dag.leerling_id, dag.datum, lesuur),
                        "lesuur": lesuur,
                    }
                )
            continue
        slots.append(
            {
                "wijziging": "geclassificeerd",
                "slotId": slot_id(dag.leerling_id, dag.datum, lesuur),
                "lesuur": lesuur,
                "status": slot.status.value,
                "grond": slot.grond.value if slot.grond else None,
                "redenCode": slot.reden_code,
                "soort": _SOORT[slot.soort.value],
                # D3: the minutes that count toward 16 hours (PO minutes, VO/MBO
                # one hour per whole lesson); the missed minutes beside them.
                "minuten": slot.telwaarde,
                "gemisteMinuten": slot.gemist,
                "luxe": slot.luxe,
                "ziek": slot.grond is Grond.ZIEKTE
                or slot.categorie == "ziek"
                or slot.late_sick_notice,
                "laatZiekgemeld": slot.late_sick_notice,
                # A day without lessons for this pupil never counts.
                "telt": slot.niet_geteld is None,
            }
        )
    if not slots:
        return None
    return _bericht(
        VerzuimdagBijgewerkt,
        {
            "leerlingId": str(dag.leerling_id),
            "schoolId": str(dag.school_id),
            "datum": dag.datum.isoformat(),
            "eenheid": bronnen.eenheid_van(dag.school_id),
            "slots": slots,
        },
    )


def _signaal(event: Any, leerling: Leerling) -> Uitgaand:
    return _bericht(
        RegistratieSignaal,
        {
            "leerlingId": str(leerling.id),
            "schoolId": str(leerling.school_id),
            "soort": event.soort,
            "datum": event.datum.isoformat(),
            "toelichting": _SIGNAALTEKST.get(event.soort, event.soort),
        },
    )


def _gewist(event: Any, leerling: Leerling) -> Uitgaand:
    """Every service that holds a copy erases it on receipt (`LeerlingGewist`)."""
    return _bericht(
        LeerlingGewist,
        {
            "leerlingId": str(leerling.id),
            "schoolId": str(leerling.school_id),
            "grond": event.grond,
            "gewistOp": event.op.isoformat(),
        },
    )


def _verlofbesluit(
    event: Any, aggregaten: Mapping[Any, Aggregate], bronnen: Bronnen
) -> Uitgaand | None:
    """A decision: the head's or LPA's, or a denial under the head's mandate at
    submission (the law leaves no room, Lpw art. 13a, 14)."""
    if event.uitkomst not in (Uitkomst.GRANTED.value, Uitkomst.DENIED.value):
        return None
    aanvraag = aggregaten[event.originator_id]
    assert isinstance(aanvraag, Verlofaanvraag)
    leerling = aggregaten.get(aanvraag.leerling_id)
    school_id = (
        leerling.school_id
        if isinstance(leerling, Leerling)
        else bronnen.school_van(aanvraag.leerling_id)
    )
    if school_id is None:
        raise LookupError("leave request of a pupil without a school")
    return _bericht(
        VerlofBesloten,
        {
            "leerlingId": str(aanvraag.leerling_id),
            "schoolId": str(school_id),
            "verlofaanvraagId": str(aanvraag.id),
            "soort": aanvraag.soort,
            "van": aanvraag.van.isoformat(),
            "tot": aanvraag.tot.isoformat(),
            "besluit": event.uitkomst,
            "reden": event.reden,
        },
    )


def _leerling(leerling: Leerling, sleutel: str, vandaag: date) -> Uitgaand:
    g = leerling.gegevens
    sinds = g.get("startkwalificatie")
    return _bericht(
        LeerlingGeregistreerd,
        {
            "leerlingId": str(leerling.id),
            "schoolId": str(leerling.school_id),
            "geboortedatum": g["geboortedatum"],
            "woongemeente": g["woongemeente"],
            "inschrijvingVanaf": g["inschrijvingVanaf"],
            "inschrijvingTot": g.get("inschrijvingTot"),
            "klas": g.get("klas") or g.get("groep"),
            "leerjaar": g.get("leerjaar"),
            "startkwalificatie": sinds is not None
            and date.fromisoformat(sinds) <= vandaag,
            "startkwalificatieSinds": sinds,
            "lesdagen": g.get("lesdagen"),
            "pgn": versleutel(g["pgn"], g["pgnSchema"], sleutel).model_dump(
                by_alias=True
            ),
        },
    )


def _perioden(lijsten: Iterable[list[list[str]]]) -> list[dict[str, str]]:
    gezien = sorted({(van, tot) for lijst in lijsten for van, tot in lijst})
    return [{"van": van, "tot": tot} for van, tot in gezien]


def _kalender(
    kalenders: Mapping[str, Mapping[str, Any]], peildatum: date
) -> dict[str, Any]:
    """All registered school years in one calendar; the first school day is the
    current year's (or else the latest year's)."""
    jaren = sorted(kalenders, key=int)
    huidig = str(schooljaar_van(peildatum).van.year)
    eerste_van = huidig if huidig in kalenders else (jaren[-1] if jaren else None)
    return {
        "vakanties": _perioden(kalenders[j]["vakanties"] for j in jaren),
        "vrijeDagen": _perioden(kalenders[j]["vrijeDagen"] for j in jaren),
        "studiedagen": _perioden(kalenders[j]["studiedagen"] for j in jaren),
        "eersteSchooldag": (
            kalenders[eerste_van].get("eersteSchooldag") if eerste_van else None
        ),
    }


def _school(school: School, aanvulling: Mapping[str, Any], vandaag: date) -> Uitgaand:
    rooster = {
        weekdag: [{"nummer": nr, "begin": b, "eind": e} for nr, b, e in lessen]
        for weekdag, lessen in school.rooster.items()
    }
    return _bericht(
        SchoolGeregistreerd,
        {
            "schoolId": str(school.id),
            "brin": school.brin,
            "vestiging": school.vestiging,
            "naam": school.naam,
            "sector": school.sector,
            "regio": school.regio,
            "gemeente": aanvulling.get("gemeente"),
            "kalender": _kalender(school.kalenders, vandaag),
            "rooster": {"lesuren": rooster},
            "beleid": dict(school.beleid),
            "contactMelder": aanvulling.get("contactMelder"),
        },
    )
