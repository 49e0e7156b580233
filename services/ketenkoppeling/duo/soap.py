"""SOAP 1.1 envelopes around the adapter's own schema (D21).

Shared by the client and the DUO stand-in: both sides wrap, unwrap and validate with
the same schema, so they cannot drift apart. The parser resolves no entities and
fetches nothing from the network.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from lxml import etree

from services.ketenkoppeling.duo.errors import OngeldigBericht

__all__ = [
    "CONTENT_TYPE",
    "MELDEN",
    "MUTATIE",
    "NS",
    "OPERATIES",
    "OPVRAGEN",
    "SOAP_ENV",
    "Operatie",
    "SoapFault",
    "fault_envelop",
    "pak_uit",
    "q",
    "schema",
    "valideer",
    "verpak",
]

NS = "urn:verzuimketen:duo:verzuimmelding:v1"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
CONTENT_TYPE = "text/xml; charset=utf-8"
SCHEMA_PAD = Path(__file__).with_name("schema") / "verzuimmelding.xsd"

# lxml starts a schema error with the element's qualified name.
_ELEMENT_IN_MELDING = re.compile(r"Element '(?:\{[^}]*\})?([^']+)'")

_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True
)


def q(naam: str) -> str:
    """The qualified (Clark) name of an element in the adapter's namespace."""
    return f"{{{NS}}}{naam}"


@dataclass(frozen=True, slots=True)
class Operatie:
    """One operation: its SOAPAction and the request and response elements."""

    naam: str
    verzoek: str
    antwoord: str

    @property
    def soap_action(self) -> str:
        # SOAP 1.1 sends the action as a quoted URI.
        return f'"{NS}#{self.naam}"'


MELDEN = Operatie(
    "meldenRelatiefVerzuim",
    "MeldenRelatiefVerzuimRequestElement",
    "MeldenRelatiefVerzuimResponseElement",
)
MUTATIE = Operatie(
    "mutatieMeldingRelatiefVerzuim",
    "MutatieMeldingRelatiefVerzuimRequestElement",
    "MutatieMeldingRelatiefVerzuimResponseElement",
)
OPVRAGEN = Operatie(
    "aanvraagGewijzigdeMeldingRelatiefVerzuim",
    "AanvraagGewijzigdeMeldingRelatiefVerzuimRequestElement",
    "AanvraagGewijzigdeMeldingRelatiefVerzuimResponseElement",
)
OPERATIES = {operatie.soap_action: operatie for operatie in (MELDEN, MUTATIE, OPVRAGEN)}


class SoapFault(Exception):
    """A SOAP 1.1 Fault, or a message that is not a usable SOAP envelope."""

    def __init__(self, faultcode: str, faultstring: str) -> None:
        self.faultcode = faultcode
        self.faultstring = faultstring
        super().__init__(f"{faultcode}: {faultstring}")

    @property
    def door_afzender(self) -> bool:
        """A `Client` fault: the message was wrong, sending it again won't help."""
        return self.faultcode.rpartition(":")[2] == "Client"


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PAD), _PARSER))


def valideer(payload: etree._Element, richting: str) -> None:
    """Raise `OngeldigBericht` when the payload breaks the schema.

    The report keeps the element's name and lxml's error type only: the rest of the
    message quotes the offending value, which may be a BSN.
    """
    controle = schema()
    if controle.validate(payload):
        return
    plaatsen = []
    for fout in controle.error_log:
        gevonden = _ELEMENT_IN_MELDING.match(fout.message)
        element = gevonden.group(1) if gevonden else "?"
        plaatsen.append(f"{element} ({fout.type_name})")
    raise OngeldigBericht(richting, plaatsen)


def verpak(payload: etree._Element) -> bytes:
    envelop = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soapenv": SOAP_ENV})
    etree.SubElement(envelop, f"{{{SOAP_ENV}}}Header")
    body = etree.SubElement(envelop, f"{{{SOAP_ENV}}}Body")
    body.append(copy.deepcopy(payload))  # append() would move the caller's element
    return etree.tostring(envelop, xml_declaration=True, encoding="utf-8")


def pak_uit(inhoud: bytes) -> etree._Element:
    """The single element in the Body; a Fault in the Body is raised as `SoapFault`."""
    try:
        envelop = etree.fromstring(inhoud, _PARSER)
    except etree.XMLSyntaxError:
        raise SoapFault("soapenv:Client", "geen goedgevormde XML") from None
    if envelop.tag != f"{{{SOAP_ENV}}}Envelope":
        raise SoapFault("soapenv:VersionMismatch", "geen SOAP 1.1 Envelope")
    body = envelop.find(f"{{{SOAP_ENV}}}Body")
    kinderen = [] if body is None else [k for k in body if isinstance(k.tag, str)]
    if len(kinderen) != 1:
        raise SoapFault("soapenv:Client", "Body moet precies een element bevatten")
    payload = kinderen[0]
    if payload.tag == f"{{{SOAP_ENV}}}Fault":
        raise SoapFault(
            payload.findtext("faultcode", default="soapenv:Server"),
            payload.findtext("faultstring", default=""),
        )
    # Detach from the envelope so that validation sees the payload as a document,
    # without the envelope's namespace declarations.
    losgemaakt = etree.fromstring(etree.tostring(payload), _PARSER)
    etree.cleanup_namespaces(losgemaakt)
    return losgemaakt


def fault_envelop(faultcode: str, faultstring: str) -> bytes:
    """A SOAP 1.1 Fault envelope (sent with HTTP 500)."""
    envelop = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soapenv": SOAP_ENV})
    body = etree.SubElement(envelop, f"{{{SOAP_ENV}}}Body")
    fault = etree.SubElement(body, f"{{{SOAP_ENV}}}Fault")
    etree.SubElement(fault, "faultcode").text = faultcode
    etree.SubElement(fault, "faultstring").text = faultstring
    return etree.tostring(envelop, xml_declaration=True, encoding="utf-8")
