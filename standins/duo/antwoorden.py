"""The stand-in's answers: DC0018, DC0001, DC0011 and DC0002 payloads.

Every answer is checked against the shared schema before it leaves, so the stand-in
cannot send what real DUO (under this contract) would not.
"""

from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from services.ketenkoppeling.duo import soap
from services.ketenkoppeling.duo.soap import MELDEN, MUTATIE, NS, OPVRAGEN, Operatie, q
from services.ketenkoppeling.duo.tijdstip import als_datum_en_tijdstip
from standins.duo.register import Mutatierecord, RegisterMelding
from standins.duo.verzoeken import Afwijzing

__all__ = ["dc0001", "dc0002", "dc0011", "dc0018"]


def dc0018(melding: RegisterMelding, vandaag: date) -> etree._Element:
    wortel, levering = _antwoord(MELDEN, "DC0018LeveringNummerMeldingRelatiefVerzuim")
    _sub(levering, "IdentificatiecodeBedrijfsdocument", melding.document_id)
    _sub(levering, "DatumBedrijfsdocument", vandaag.isoformat())
    _meldingsnummer(levering, melding.meldingsnummer)
    _sub(levering, "StatusMeldingRelatiefVerzuim", melding.status.value)
    _procesverloop(levering, melding.laatste_mutatie)
    return _gecontroleerd(wortel)


def dc0001(document_id: str, record: Mutatierecord) -> etree._Element:
    wortel, bevestiging = _antwoord(MUTATIE, "DC0001Bevestiging")
    _sub(bevestiging, "IdentificatiecodeBedrijfsdocument", document_id)
    _sub(bevestiging, "DatumBedrijfsdocument", record.datum.isoformat())
    _meldingsnummer(bevestiging, record.meldingsnummer)
    _procesverloop(bevestiging, record.laatste_mutatie)
    return _gecontroleerd(wortel)


def dc0011(sinds: datetime, meldingen: list[RegisterMelding]) -> etree._Element:
    wortel, levering = _antwoord(OPVRAGEN, "DC0011LeveringMeldingRelatiefVerzuim")
    datum, tijdstip = als_datum_en_tijdstip(sinds)
    periode = _sub(levering, "Selectieperiode")
    _sub(periode, "DatumBeginSelectieperiode", datum)
    _sub(periode, "TijdstipBeginSelectieperiode", tijdstip)
    for melding in meldingen:
        geval = _sub(levering, "Verzuimgeval")
        deel = _sub(geval, "MeldingRelatiefVerzuim")
        _meldingsnummer(deel, melding.meldingsnummer)
        _sub(deel, "IdentificatiecodeBedrijfsdocument", melding.document_id)
        _sub(deel, "StatusMeldingRelatiefVerzuim", melding.status.value)
        if melding.reden_afgesloten is not None:
            _sub(deel, "RedenMeldingAfgesloten", melding.reden_afgesloten)
        _procesverloop(geval, melding.laatste_mutatie)
    return _gecontroleerd(wortel)


def dc0002(
    operatie: Operatie, afwijzing: Afwijzing, document_id: str | None
) -> etree._Element:
    wortel, fout = _antwoord(operatie, "DC0002Foutmelding")
    if document_id is not None:
        _sub(fout, "IdentificatiecodeBedrijfsdocument", document_id)
    _sub(fout, "Foutcode", afwijzing.code.value)
    _sub(fout, "Foutomschrijving", afwijzing.omschrijving)
    for veld in afwijzing.velden:
        _sub(fout, "Veld", veld)
    return _gecontroleerd(wortel)


def _antwoord(operatie: Operatie, inhoud: str) -> tuple[etree._Element, etree._Element]:
    wortel = etree.Element(q(operatie.antwoord), nsmap={None: NS})
    return wortel, _sub(wortel, inhoud)


def _gecontroleerd(wortel: etree._Element) -> etree._Element:
    soap.valideer(wortel, "uitgaand")
    return wortel


def _meldingsnummer(ouder: etree._Element, nummer: str) -> None:
    identificatie = _sub(ouder, "IdentificatieMeldingRelatiefVerzuim")
    _sub(identificatie, "NummerMeldingRelatiefVerzuim", nummer)


def _procesverloop(ouder: etree._Element, moment: datetime) -> None:
    datum, tijdstip = als_datum_en_tijdstip(moment)
    verloop = _sub(ouder, "Procesverloop")
    _sub(verloop, "DatumLaatsteMutatie", datum)
    _sub(verloop, "TijdstipLaatsteMutatie", tijdstip)


def _sub(ouder: etree._Element, naam: str, tekst: str | None = None) -> etree._Element:
    element = etree.SubElement(ouder, q(naam))
    element.text = tekst
    return element
