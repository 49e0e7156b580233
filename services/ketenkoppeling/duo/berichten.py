"""The client's side of the messages: requests from the model, answers into the model.

Element names and order follow `schema/verzuimmelding.xsd`; the stand-in has the
mirror image (reading requests, writing answers).
"""

from __future__ import annotations

from datetime import date, datetime

from lxml import etree

from services.ketenkoppeling.duo.codes import MeldingStatus
from services.ketenkoppeling.duo.errors import DuoAfwijzing, DuoProtocolFout
from services.ketenkoppeling.duo.model import (
    DuoMelding,
    DuoMutatie,
    Meldingsbevestiging,
    Mutatiebevestiging,
    Verzuimgeval,
)
from services.ketenkoppeling.duo.soap import MELDEN, MUTATIE, NS, OPVRAGEN, Operatie, q
from services.ketenkoppeling.duo.tijdstip import (
    als_datum_en_tijdstip,
    uit_datum_en_tijdstip,
)

__all__ = [
    "lees_melden_antwoord",
    "lees_mutatie_antwoord",
    "lees_opvragen_antwoord",
    "melden_verzoek",
    "mutatie_verzoek",
    "opvragen_verzoek",
]

# --- requests ---------------------------------------------------------------------


def melden_verzoek(melding: DuoMelding) -> etree._Element:
    wortel = _wortel(MELDEN)
    _sub(wortel, "IdentificatiecodeBedrijfsdocument", melding.document_id)
    _sub(wortel, "VerzendendeInstantie", melding.brin)
    _sub(wortel, "OntvangendeInstantie", melding.gemeentecode)
    uitvoerder = _sub(wortel, "IdentificatieUitvoerderVSV")
    _sub(uitvoerder, "CodeUitvoerderVSV", melding.code_uitvoerder_vsv)
    _sub(_sub(wortel, "IdentificatieOnderwijsinstelling"), "BRIN", melding.brin)
    if melding.vestiging is not None or melding.locatienaam is not None:
        locatie = _sub(wortel, "Onderwijslocatie")
        _sub_optioneel(locatie, "Vestigingsnummer", melding.vestiging)
        _sub_optioneel(locatie, "Onderwijslocatienaam", melding.locatienaam)
    ontvanger = _sub(wortel, "Onderwijsontvanger")
    if melding.bsn is not None:
        _sub(ontvanger, "BSN", melding.bsn)
    elif melding.onderwijsnummer is not None:
        _sub(ontvanger, "Onderwijsnummer", melding.onderwijsnummer)
    deelname = melding.onderwijsdeelname
    element = _sub(wortel, "Onderwijsdeelname")
    _sub(element, "SoortOpleiding", deelname.soort.value)
    _sub_optioneel(element, "LeerjaarVO", deelname.leerjaar_vo)
    _sub_optioneel(element, "NiveauOpleiding", deelname.niveau)
    _sub_optioneel(element, "NaamOpleiding", deelname.naam_opleiding)
    _sub_optioneel(element, "Leerweg", deelname.leerweg and deelname.leerweg.value)
    _sub_optioneel(element, "VormOpleiding", deelname.vorm and deelname.vorm.value)
    _meldingdeel(wortel, melding)
    return wortel


def mutatie_verzoek(mutatie: DuoMutatie) -> etree._Element:
    wortel = _wortel(MUTATIE)
    _sub(wortel, "IdentificatiecodeBedrijfsdocument", mutatie.document_id)
    _sub(wortel, "VerzendendeInstantie", mutatie.brin)
    identificatie = _sub(wortel, "IdentificatieMeldingRelatiefVerzuim")
    _sub(identificatie, "NummerMeldingRelatiefVerzuim", mutatie.meldingsnummer)
    if mutatie.laatste_mutatie is not None:
        _procesverloop(wortel, mutatie.laatste_mutatie)
    if mutatie.einddatum is not None:
        _sub(wortel, "Eindverzuim", mutatie.einddatum.isoformat())
    elif mutatie.correctie is not None:
        _meldingdeel(wortel, mutatie.correctie)
    else:
        intrekking = _sub(wortel, "Intrekking")
        _sub(
            intrekking, "StatusMeldingRelatiefVerzuim", MeldingStatus.INGETROKKEN.value
        )
        _sub_optioneel(intrekking, "Toelichting", mutatie.toelichting)
    return wortel


def opvragen_verzoek(
    brin: str, sinds: datetime, document_id: str | None = None
) -> etree._Element:
    """DC0010: the sender's meldingen changed at or after `sinds`."""
    wortel = _wortel(OPVRAGEN)
    _sub(wortel, "VerzendendeInstantie", brin)
    datum, tijdstip = als_datum_en_tijdstip(sinds)
    periode = _sub(wortel, "Selectieperiode")
    _sub(periode, "DatumBeginSelectieperiode", datum)
    _sub(periode, "TijdstipBeginSelectieperiode", tijdstip)
    _sub_optioneel(wortel, "IdentificatiecodeBedrijfsdocument", document_id)
    return wortel


def _meldingdeel(ouder: etree._Element, melding: DuoMelding) -> None:
    deel = _sub(ouder, "MeldingRelatiefVerzuim")
    _sub(deel, "Verzuimsoort", melding.verzuimsoort.value)
    _sub(deel, "Beginverzuim", melding.begindatum.isoformat())
    _sub_optioneel(
        deel, "Eindverzuim", melding.einddatum and melding.einddatum.isoformat()
    )
    _sub(deel, "VermoedelijkeReden", melding.vermoedelijke_reden)
    _sub_optioneel(deel, "Toelichting", melding.toelichting)
    _sub(deel, "ActieOndernemen", _boolean(melding.actie_ondernomen))
    _sub_optioneel(
        deel, "ToelichtingOndernomenactie", melding.toelichting_ondernomen_actie
    )
    _sub_optioneel(deel, "ToelichtingActieGewenst", melding.toelichting_actie_gewenst)
    _sub(deel, "AlleLessenGemist", _boolean(melding.alle_lessen_gemist))
    if melding.verzuimdagen:
        dagen = _sub(deel, "Verzuimdagen")
        for dag in melding.verzuimdagen:
            element = _sub(dagen, "Verzuimdag")
            _sub(element, "Datum", dag.datum.isoformat())
            _sub(element, "HeleDag", _boolean(dag.hele_dag))
            if dag.lesuren:
                lesuren = _sub(element, "Lesuren")
                for lesuur in dag.lesuren:
                    _sub(lesuren, "Lesuur", lesuur)
    melder = melding.melder
    element = _sub(deel, "Melder")
    _sub(element, "AanduidingContactpersoon", melder.naam)
    _sub_optioneel(element, "FunctieMelder", melder.functie)
    _sub(element, "EmailadresMelder", melder.email)
    if melder.netnummer is not None and melder.abonneenummer is not None:
        telefoon = _sub(element, "Telefoonnummer")
        _sub(telefoon, "Netnummer", melder.netnummer)
        _sub(telefoon, "Abonneenummer", melder.abonneenummer)
    _sub_optioneel(element, "CCEmailontvanger", melder.cc and melder.cc.value)


def _wortel(operatie: Operatie) -> etree._Element:
    return etree.Element(q(operatie.verzoek), nsmap={None: NS})


def _procesverloop(ouder: etree._Element, moment: datetime) -> None:
    datum, tijdstip = als_datum_en_tijdstip(moment)
    verloop = _sub(ouder, "Procesverloop")
    _sub(verloop, "DatumLaatsteMutatie", datum)
    _sub(verloop, "TijdstipLaatsteMutatie", tijdstip)


def _sub(ouder: etree._Element, naam: str, waarde: object = None) -> etree._Element:
    element = etree.SubElement(ouder, q(naam))
    if waarde is not None:
        element.text = str(waarde)
    return element


def _sub_optioneel(ouder: etree._Element, naam: str, waarde: object) -> None:
    if waarde is not None:
        _sub(ouder, naam, waarde)


def _boolean(waarde: bool) -> str:
    return "true" if waarde else "false"


# --- answers ----------------------------------------------------------------------


def lees_melden_antwoord(payload: etree._Element) -> Meldingsbevestiging:
    levering = _levering(payload, MELDEN, "DC0018LeveringNummerMeldingRelatiefVerzuim")
    return Meldingsbevestiging(
        document_id=_tekst(levering, "IdentificatiecodeBedrijfsdocument"),
        meldingsnummer=_meldingsnummer(levering),
        status=MeldingStatus(_tekst(levering, "StatusMeldingRelatiefVerzuim")),
        laatste_mutatie=_laatste_mutatie(levering),
    )


def lees_mutatie_antwoord(payload: etree._Element) -> Mutatiebevestiging:
    bevestiging = _levering(payload, MUTATIE, "DC0001Bevestiging")
    return Mutatiebevestiging(
        document_id=_tekst(bevestiging, "IdentificatiecodeBedrijfsdocument"),
        meldingsnummer=_meldingsnummer(bevestiging),
        datum=date.fromisoformat(_tekst(bevestiging, "DatumBedrijfsdocument")),
        laatste_mutatie=_laatste_mutatie(bevestiging),
    )


def lees_opvragen_antwoord(payload: etree._Element) -> list[Verzuimgeval]:
    levering = _levering(payload, OPVRAGEN, "DC0011LeveringMeldingRelatiefVerzuim")
    gevallen = []
    for geval in levering.iterfind(q("Verzuimgeval")):
        melding = _kind(geval, "MeldingRelatiefVerzuim")
        gevallen.append(
            Verzuimgeval(
                meldingsnummer=_meldingsnummer(melding),
                document_id=melding.findtext(q("IdentificatiecodeBedrijfsdocument")),
                status=MeldingStatus(_tekst(melding, "StatusMeldingRelatiefVerzuim")),
                laatste_mutatie=_laatste_mutatie(geval),
                reden_afgesloten=melding.findtext(q("RedenMeldingAfgesloten")),
            )
        )
    return gevallen


def _levering(payload: etree._Element, operatie: Operatie, naam: str) -> etree._Element:
    """The success element of the answer; a DC0002 is raised as `DuoAfwijzing`."""
    if payload.tag != q(operatie.antwoord):
        raise DuoProtocolFout(
            f"antwoord op {operatie.naam} is {etree.QName(payload).localname}"
        )
    fout = payload.find(q("DC0002Foutmelding"))
    if fout is not None:
        raise DuoAfwijzing(
            _tekst(fout, "Foutcode"),
            _tekst(fout, "Foutomschrijving"),
            document_id=fout.findtext(q("IdentificatiecodeBedrijfsdocument")),
            velden=[veld.text or "" for veld in fout.iterfind(q("Veld"))],
        )
    return _kind(payload, naam)


def _meldingsnummer(ouder: etree._Element) -> str:
    return _tekst(
        _kind(ouder, "IdentificatieMeldingRelatiefVerzuim"),
        "NummerMeldingRelatiefVerzuim",
    )


def _laatste_mutatie(ouder: etree._Element) -> datetime:
    verloop = _kind(ouder, "Procesverloop")
    return uit_datum_en_tijdstip(
        _tekst(verloop, "DatumLaatsteMutatie"),
        _tekst(verloop, "TijdstipLaatsteMutatie"),
    )


def _kind(ouder: etree._Element, naam: str) -> etree._Element:
    element = ouder.find(q(naam))
    if element is None:
        raise DuoProtocolFout(f"{naam} ontbreekt in {etree.QName(ouder).localname}")
    return element


def _tekst(ouder: etree._Element, naam: str) -> str:
    return (_kind(ouder, naam).text or "").strip()
