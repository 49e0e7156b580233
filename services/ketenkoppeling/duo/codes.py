"""Code lists of the DUO verzuim interface (D21: they live in this adapter only).

The values follow the legacy IB-Groep "VSV webservice v2" lists as far as they are
public (duo.md sections 5-7). The fault codes are this adapter's own: DUO's current
list is not public, so the stand-in and the client agree on these.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "CcOntvanger",
    "Foutcode",
    "Leerweg",
    "MeldingStatus",
    "Mutatiesoort",
    "SoortOpleiding",
    "Verzuimsoort",
    "VormOpleiding",
]


class Verzuimsoort(StrEnum):
    """Kinds of melding the product sends (duo.md section 5).

    `V1` and `V2` belong to the rule before 2009 and are never sent, so they are not
    members: a melding with them cannot be built.
    """

    V3 = "V3"  # 16 uur in 4 weken, under 18 (D1)
    V4 = "V4"  # 16 uur in 4 weken, 18+, only under D6
    RMC = "RMC"  # 18-22 without startkwalificatie (D6)
    L = "L"  # luxe verzuim (D18)
    LRV = "LRV"  # langdurig relatief verzuim, sent without einddatum (D7)
    O = "O"  # noqa: E741 - overig verzuim; the member is DUO's code letter

    @property
    def einddatum_verplicht(self) -> bool:
        """Whether the melding itself must carry an einddatum (rules 3.2)."""
        return self in {Verzuimsoort.V3, Verzuimsoort.V4, Verzuimsoort.RMC}


class MeldingStatus(StrEnum):
    """`StatusMeldingRelatiefVerzuim` as DUO reports it (duo.md section 6)."""

    GEREGISTREERD = "R"
    IN_BEHANDELING = "B"
    AFGESLOTEN = "G"
    TER_KENNISGEVING_AANGENOMEN = "K"
    INGETROKKEN = "I"
    OVERGEDRAGEN = "D"  # abolished in Aug 2020, still on old meldingen

    @property
    def is_eindstatus(self) -> bool:
        return self in {
            MeldingStatus.AFGESLOTEN,
            MeldingStatus.TER_KENNISGEVING_AANGENOMEN,
            MeldingStatus.INGETROKKEN,
            MeldingStatus.OVERGEDRAGEN,
        }


class Mutatiesoort(StrEnum):
    """What a `MutatieMeldingRelatiefVerzuim` changes."""

    EINDDATUM = "EINDDATUM"  # D7: the einddatum of an LRV melding follows later
    CORRECTIE = "CORRECTIE"  # the melding part replaced by a corrected one
    INTREKKING = "INTREKKING"  # D15: status I after the verzuimcoördinator confirms


class SoortOpleiding(StrEnum):
    # The legacy list knew VO and BVE only; primary schools report via DUO since
    # 2017 (rules section 3.3), so this adapter's own schema adds PO.
    PO = "PO"
    VO = "VO"
    BVE = "BVE"


class VormOpleiding(StrEnum):
    VOLTIJD = "VT"
    DEELTIJD = "DT"


class Leerweg(StrEnum):
    BOL = "BOL"
    BBL = "BBL"


class CcOntvanger(StrEnum):
    """Who gets a copy of DUO's e-mail about the melding (`CCEmailontvanger`)."""

    CONTACTPERSOON = "CONTACTPERSOON"
    BEHANDELAAR = "BEHANDELAAR"
    BEIDE = "BEIDE"


class Foutcode(StrEnum):
    """Codes in a `DC0002Foutmelding` (the adapter's own list, see module docstring)."""

    SCHEMA = "F100"  # the message does not match the schema
    BSN = "F110"  # BSN fails the eleven test
    ONDERWIJSNUMMER = "F111"  # onderwijsnummer fails its check
    BRIN = "F120"  # BRIN malformed
    AFZENDER = "F121"  # VerzendendeInstantie is not the BRIN of the melding
    ROUTERING = "F130"  # CodeUitvoerderVSV does not match OntvangendeInstantie
    VERPLICHT = "F140"  # a conditionally required field is missing
    DATUM = "F150"  # dates inconsistent (end before begin, day outside period)
    VERZUIMSOORT = "F160"  # verzuimsoort not accepted for this message
    ONBEKEND = "F200"  # no melding with this meldingsnummer for this sender
    STATUS = "F210"  # the melding's status does not allow this mutation
    GEWIJZIGD = "F220"  # changed since the last mutation the sender knows of
    DUBBEL = "F230"  # document number reused for different content
    AFGEWEZEN = "F900"  # refused for a reason DUO does not detail
