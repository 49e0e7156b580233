"""Reads and checks incoming requests the way DUO would.

The schema catches form (lengths, patterns, required elements); what the schema
cannot say (eleven test, routing, conditionally required texts, dates) is checked
here. A refusal is an `Afwijzing`, which the stand-in answers with a DC0002. Reasons
and field lists name elements, never values.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree
from stdnum.nl import brin as stdnum_brin
from stdnum.nl import bsn as stdnum_bsn
from stdnum.nl import onderwijsnummer as stdnum_onderwijsnummer

from services.ketenkoppeling.duo import soap
from services.ketenkoppeling.duo.codes import Foutcode
from services.ketenkoppeling.duo.errors import OngeldigBericht
from services.ketenkoppeling.duo.soap import q
from services.ketenkoppeling.duo.tijdstip import uit_datum_en_tijdstip

__all__ = [
    "Afwijzing",
    "Meldingdeel",
    "Meldverzoek",
    "Mutatieverzoek",
    "Opvraagverzoek",
    "lees_meldverzoek",
    "lees_mutatieverzoek",
    "lees_opvraagverzoek",
]

_EINDDATUM_VERPLICHT = {"V3", "V4", "RMC"}


class Afwijzing(Exception):
    """DUO refuses the request; answered with a DC0002 Foutmelding."""

    def __init__(self, code: Foutcode, omschrijving: str, velden: tuple[str, ...] = ()):
        self.code = code
        self.omschrijving = omschrijving
        self.velden = velden
        super().__init__(f"{code.value} {omschrijving}")


@dataclass(frozen=True, slots=True)
class Meldingdeel:
    verzuimsoort: str
    begindatum: date
    einddatum: date | None


@dataclass(frozen=True, slots=True)
class Meldverzoek:
    document_id: str
    brin: str
    gemeentecode: str
    pgn_soort: str
    pgn: str
    deel: Meldingdeel
    vingerafdruk: str  # of the whole payload: a reused document number must match


@dataclass(frozen=True, slots=True)
class Mutatieverzoek:
    document_id: str
    brin: str
    meldingsnummer: str
    bekende_mutatie: datetime | None
    einddatum: date | None
    correctie: Meldingdeel | None
    intrekking: bool
    vingerafdruk: str


@dataclass(frozen=True, slots=True)
class Opvraagverzoek:
    brin: str
    sinds: datetime
    document_id: str | None


def lees_meldverzoek(payload: etree._Element) -> Meldverzoek:
    _schema(payload)
    document_id = _tekst(payload, "IdentificatiecodeBedrijfsdocument")
    brin = _tekst(payload, "IdentificatieOnderwijsinstelling", "BRIN")
    _controleer_afzender(payload, brin)
    gemeentecode = _tekst(payload, "OntvangendeInstantie")
    if _tekst(payload, "IdentificatieUitvoerderVSV", "CodeUitvoerderVSV") != (
        "00" + gemeentecode
    ):
        raise Afwijzing(
            Foutcode.ROUTERING,
            "CodeUitvoerderVSV is niet 00 + OntvangendeInstantie",
            ("CodeUitvoerderVSV",),
        )
    nummer = _kind(payload, "Onderwijsontvanger")[0]
    pgn_soort = etree.QName(nummer).localname
    pgn = (nummer.text or "").strip()
    # Lpw art. 21a(10): the persoonsgebonden nummer must be a real one.
    if pgn_soort == "BSN" and not stdnum_bsn.is_valid(pgn):
        raise Afwijzing(Foutcode.BSN, "BSN voldoet niet aan de elfproef", ("BSN",))
    if pgn_soort == "Onderwijsnummer" and not stdnum_onderwijsnummer.is_valid(pgn):
        raise Afwijzing(
            Foutcode.ONDERWIJSNUMMER, "onderwijsnummer ongeldig", ("Onderwijsnummer",)
        )
    deel = _meldingdeel(_kind(payload, "MeldingRelatiefVerzuim"), bij_mutatie=False)
    return Meldverzoek(
        document_id, brin, gemeentecode, pgn_soort, pgn, deel, _vingerafdruk(payload)
    )


def lees_mutatieverzoek(payload: etree._Element) -> Mutatieverzoek:
    _schema(payload)
    brin = _tekst(payload, "VerzendendeInstantie")
    _controleer_brin(brin)
    verloop = payload.find(q("Procesverloop"))
    bekende_mutatie = None
    if verloop is not None:
        bekende_mutatie = uit_datum_en_tijdstip(
            _tekst(verloop, "DatumLaatsteMutatie"),
            _tekst(verloop, "TijdstipLaatsteMutatie"),
        )
    einddatum = payload.findtext(q("Eindverzuim"))
    correctie = payload.find(q("MeldingRelatiefVerzuim"))
    return Mutatieverzoek(
        document_id=_tekst(payload, "IdentificatiecodeBedrijfsdocument"),
        brin=brin,
        meldingsnummer=_tekst(
            payload,
            "IdentificatieMeldingRelatiefVerzuim",
            "NummerMeldingRelatiefVerzuim",
        ),
        bekende_mutatie=bekende_mutatie,
        einddatum=date.fromisoformat(einddatum) if einddatum else None,
        correctie=None
        if correctie is None
        else _meldingdeel(correctie, bij_mutatie=True),
        intrekking=payload.find(q("Intrekking")) is not None,
        vingerafdruk=_vingerafdruk(payload),
    )


def lees_opvraagverzoek(payload: etree._Element) -> Opvraagverzoek:
    _schema(payload)
    brin = _tekst(payload, "VerzendendeInstantie")
    _controleer_brin(brin)
    return Opvraagverzoek(
        brin=brin,
        sinds=uit_datum_en_tijdstip(
            _tekst(payload, "Selectieperiode", "DatumBeginSelectieperiode"),
            _tekst(payload, "Selectieperiode", "TijdstipBeginSelectieperiode"),
        ),
        document_id=payload.findtext(q("IdentificatiecodeBedrijfsdocument")),
    )


def _meldingdeel(deel: etree._Element, *, bij_mutatie: bool) -> Meldingdeel:
    soort = _tekst(deel, "Verzuimsoort")
    begin = date.fromisoformat(_tekst(deel, "Beginverzuim"))
    eind_tekst = deel.findtext(q("Eindverzuim"))
    eind = date.fromisoformat(eind_tekst) if eind_tekst else None
    if eind is None and soort in _EINDDATUM_VERPLICHT:
        raise Afwijzing(
            Foutcode.VERPLICHT, f"Eindverzuim verplicht bij {soort}", ("Eindverzuim",)
        )
    if soort == "LRV" and eind is not None and not bij_mutatie:
        raise Afwijzing(
            Foutcode.DATUM, "LRV wordt zonder Eindverzuim gemeld", ("Eindverzuim",)
        )
    if eind is not None and eind < begin:
        raise Afwijzing(
            Foutcode.DATUM, "Eindverzuim voor Beginverzuim", ("Eindverzuim",)
        )

    actie = _boolean(_tekst(deel, "ActieOndernemen"))
    verplicht = "ToelichtingOndernomenactie" if actie else "ToelichtingActieGewenst"
    if not (deel.findtext(q(verplicht)) or "").strip():
        raise Afwijzing(Foutcode.VERPLICHT, f"{verplicht} ontbreekt", (verplicht,))

    for dag in deel.iterfind(f"{q('Verzuimdagen')}/{q('Verzuimdag')}"):
        datum = date.fromisoformat(_tekst(dag, "Datum"))
        if datum < begin or (eind is not None and datum > eind):
            raise Afwijzing(Foutcode.DATUM, "Verzuimdag buiten de periode", ("Datum",))
        heel = _boolean(_tekst(dag, "HeleDag"))
        if heel == (dag.find(q("Lesuren")) is not None):
            raise Afwijzing(
                Foutcode.VERPLICHT,
                "Lesuren alleen en verplicht bij een deel van de dag",
                ("Lesuren",),
            )
    return Meldingdeel(soort, begin, eind)


def _schema(payload: etree._Element) -> None:
    try:
        soap.valideer(payload, "inkomend")
    except OngeldigBericht as fout:
        raise Afwijzing(
            Foutcode.SCHEMA, "bericht voldoet niet aan het schema", fout.elementen
        ) from None


def _controleer_afzender(payload: etree._Element, brin: str) -> None:
    _controleer_brin(brin)
    if _tekst(payload, "VerzendendeInstantie") != brin:
        raise Afwijzing(
            Foutcode.AFZENDER,
            "VerzendendeInstantie is niet de BRIN",
            ("VerzendendeInstantie",),
        )


def _controleer_brin(brin: str) -> None:
    if not stdnum_brin.is_valid(brin):
        raise Afwijzing(Foutcode.BRIN, "BRIN ongeldig", ("BRIN",))


def _vingerafdruk(payload: etree._Element) -> str:
    return hashlib.sha256(etree.tostring(payload, method="c14n")).hexdigest()


def _boolean(waarde: str) -> bool:
    return waarde in {"true", "1"}


def _kind(ouder: etree._Element, naam: str) -> etree._Element:
    element = ouder.find(q(naam))
    if element is None:  # only when the schema and this reader disagree
        raise Afwijzing(Foutcode.SCHEMA, f"{naam} ontbreekt", (naam,))
    return element


def _tekst(ouder: etree._Element, *pad: str) -> str:
    element = ouder
    for naam in pad:
        element = _kind(element, naam)
    return (element.text or "").strip()
