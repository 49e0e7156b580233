"""The melding as the product hands it to the DUO adapter, and what comes back.

Field names are the product's own (snake_case Dutch); `berichten` maps them onto DUO's
element names. Personal data (BSN, onderwijsnummer, free text that may hold a medical
background, the melder's name and contact data) is left out of `repr`, so a logged
object never shows it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from services.ketenkoppeling.duo import validatie
from services.ketenkoppeling.duo.codes import (
    CcOntvanger,
    Leerweg,
    MeldingStatus,
    Mutatiesoort,
    SoortOpleiding,
    Verzuimsoort,
    VormOpleiding,
)

__all__ = [
    "DuoMelding",
    "DuoMutatie",
    "Melder",
    "Meldingsbevestiging",
    "Mutatiebevestiging",
    "Onderwijsdeelname",
    "Verzuimdag",
    "Verzuimgeval",
    "documentnummer",
]

# Fixed namespace so that the same duty always yields the same document number, in
# every process and after every restart: DUO sees a retry as the same document.
_DOCUMENT_NAMESPACE = uuid.UUID("4f1c2b9e-6a53-4d0e-9a57-2d3c8e1f7b60")


def documentnummer(*delen: str) -> str:
    """A deterministic `IdentificatiecodeBedrijfsdocument` for one message.

    Pass the duty id for a melding, and the duty id plus the kind and a sequence for a
    mutatie (e.g. `documentnummer(plicht_id, "intrekking")`). 35 characters.
    """
    if not delen or not all(delen):
        raise ValueError("documentnummer heeft niet-lege delen nodig")
    sleutel = "\x1f".join(delen)
    return "VK-" + uuid.uuid5(_DOCUMENT_NAMESPACE, sleutel).hex.upper()


@dataclass(frozen=True, slots=True)
class Verzuimdag:
    """One absence date: the whole day, or the lesson numbers (1..12) missed."""

    datum: date
    hele_dag: bool
    lesuren: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Melder:
    """The school's contact person for this melding (`Melder`)."""

    naam: str = field(repr=False)  # AanduidingContactpersoon, <= 100, required
    email: str = field(repr=False)  # EmailadresMelder, <= 100, required
    functie: str | None = None  # FunctieMelder, <= 60
    netnummer: str | None = field(default=None, repr=False)  # <= 5 digits
    abonneenummer: str | None = field(default=None, repr=False)  # <= 10 digits
    cc: CcOntvanger | None = None


@dataclass(frozen=True, slots=True)
class Onderwijsdeelname:
    soort: SoortOpleiding
    leerjaar_vo: int | None = None  # 1..6, VO
    niveau: int | None = None  # mbo niveau 1..4
    naam_opleiding: str | None = None  # <= 40
    leerweg: Leerweg | None = None
    vorm: VormOpleiding | None = None


@dataclass(frozen=True, slots=True)
class DuoMelding:
    """A new melding relatief verzuim, ready for `DuoClient.melden`.

    Exactly one of `bsn` and `onderwijsnummer` (Lpw art. 21a(10)). The receiving party
    is the gemeentecode of the pupil's address; `CodeUitvoerderVSV` follows from it.
    """

    document_id: str
    verzuimsoort: Verzuimsoort
    brin: str
    gemeentecode: str
    onderwijsdeelname: Onderwijsdeelname
    begindatum: date
    einddatum: date | None
    vermoedelijke_reden: str = field(repr=False)
    melder: Melder
    actie_ondernomen: bool
    bsn: str | None = field(default=None, repr=False)
    onderwijsnummer: str | None = field(default=None, repr=False)
    vestiging: str | None = None
    locatienaam: str | None = None
    verzuimdagen: tuple[Verzuimdag, ...] = ()
    alle_lessen_gemist: bool = False
    toelichting: str | None = field(default=None, repr=False)
    toelichting_ondernomen_actie: str | None = field(default=None, repr=False)
    toelichting_actie_gewenst: str | None = field(default=None, repr=False)

    @property
    def code_uitvoerder_vsv(self) -> str:
        """`"00"` + the gemeentecode (duo.md section 3)."""
        return "00" + self.gemeentecode

    def valideer(self) -> None:
        """Raise `OngeldigeMelding` naming every field DUO would refuse."""
        validatie.controleer_melding(self)


@dataclass(frozen=True, slots=True)
class DuoMutatie:
    """A change to a melding DUO already holds (`MutatieMeldingRelatiefVerzuim`).

    - EINDDATUM: `einddatum` set, e.g. the LRV melding's end (D7);
    - INTREKKING: status I, only after the verzuimcoördinator confirms (D15);
    - CORRECTIE: `correctie` holds the corrected melding; its melding part replaces
      DUO's (pupil, school and routing stay as they were).

    `laatste_mutatie` is the last-mutation moment the sender knows from opvragen;
    when given, DUO refuses the change if the melding changed since (F220).
    """

    document_id: str
    meldingsnummer: str
    brin: str
    soort: Mutatiesoort
    einddatum: date | None = None
    correctie: DuoMelding | None = None
    toelichting: str | None = field(default=None, repr=False)
    laatste_mutatie: datetime | None = None

    def valideer(self) -> None:
        """Raise `OngeldigeMelding` naming every field DUO would refuse."""
        validatie.controleer_mutatie(self)


@dataclass(frozen=True, slots=True)
class Meldingsbevestiging:
    """DUO holds the melding under `meldingsnummer` (DC0018, or found by opvragen)."""

    document_id: str
    meldingsnummer: str
    status: MeldingStatus
    laatste_mutatie: datetime


@dataclass(frozen=True, slots=True)
class Mutatiebevestiging:
    """DUO applied the mutatie (DC0001)."""

    document_id: str
    meldingsnummer: str
    datum: date
    laatste_mutatie: datetime


@dataclass(frozen=True, slots=True)
class Verzuimgeval:
    """One changed melding from opvragen gewijzigde meldingen (DC0011)."""

    meldingsnummer: str
    document_id: str | None
    status: MeldingStatus
    laatste_mutatie: datetime
    reden_afgesloten: str | None = None
