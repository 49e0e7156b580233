"""The duty as analyse states it, in the shape the verzuimmelding keeps it.

Plain values: the policy builds them from the `MeldplichtVastgesteld` contract, the
aggregate stores them in its events as dicts of plain values and dates.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any


class Meldingstatus(StrEnum):
    """The states of a verzuimmelding: contract `MeldingStatus` plus one local one."""

    WACHTEND = "wachtend"
    WACHT_OP_BEVESTIGING = "wachtOpBevestiging"  # D17
    GEREGISTREERD = "geregistreerd"
    IN_BEHANDELING = "inBehandeling"
    AFGESLOTEN = "afgesloten"
    TER_KENNISGEVING = "terKennisgeving"
    INGETROKKEN = "ingetrokken"
    AFGEWEZEN = "afgewezen"
    VERVALLEN = "vervallen"
    # D15: the verzuimcoördinator confirmed the withdrawal; status I is not sent yet.
    INTREKKING_TE_VERSTUREN = "intrekkingTeVersturen"


#: Not yet at DUO.
NOG_TE_VERZENDEN = frozenset(
    {Meldingstatus.WACHTEND, Meldingstatus.WACHT_OP_BEVESTIGING}
)

#: How far a melding got at DUO: a status report never moves it back (duo.md 6).
DUO_VOLGORDE: dict[Meldingstatus, int] = {
    Meldingstatus.GEREGISTREERD: 1,
    Meldingstatus.IN_BEHANDELING: 2,
    Meldingstatus.AFGESLOTEN: 3,
    Meldingstatus.TER_KENNISGEVING: 3,
    Meldingstatus.INGETROKKEN: 3,
}

#: Held by DUO and still open to a mutatie (einddatum, intrekking).
OPEN_BIJ_DUO = frozenset(
    {
        Meldingstatus.GEREGISTREERD,
        Meldingstatus.IN_BEHANDELING,
        Meldingstatus.INTREKKING_TE_VERSTUREN,
    }
)


class Werk(StrEnum):
    """What the DUO sender has to do for a melding."""

    MELDEN = "melden"
    # An earlier attempt may have reached DUO, but the melding must not be sent
    # (withdrawn or cancelled meanwhile): only ask DUO whether it holds it.
    CONTROLEREN = "controleren"
    INTREKKEN = "intrekken"
    EINDDATUM = "einddatum"


@dataclass(frozen=True, slots=True)
class Verzuimdag:
    datum: date
    hele_dag: bool
    lesuren: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Meldplicht:
    verzuimsoort: str
    begindatum: date
    einddatum: date | None
    vervaldatum: date | None  # D4
    achterstallig: bool  # D17
    minuten: int
    verzuimdagen: tuple[Verzuimdag, ...]
    toelichting: str

    @property
    def einddatum_bij_melden(self) -> date | None:
        """D7: an LRV melding goes without einddatum; it follows by mutatie."""
        return None if self.verzuimsoort == "LRV" else self.einddatum

    def met_achterstallig(self, achterstallig: bool) -> Meldplicht:
        return replace(self, achterstallig=achterstallig)

    def als_gegevens(self) -> dict[str, Any]:
        return {
            "verzuimsoort": self.verzuimsoort,
            "begindatum": self.begindatum,
            "einddatum": self.einddatum,
            "vervaldatum": self.vervaldatum,
            "achterstallig": self.achterstallig,
            "minuten": self.minuten,
            "verzuimdagen": [
                {"datum": d.datum, "hele_dag": d.hele_dag, "lesuren": list(d.lesuren)}
                for d in self.verzuimdagen
            ],
            "toelichting": self.toelichting,
        }

    @classmethod
    def uit_gegevens(cls, gegevens: dict[str, Any]) -> Meldplicht:
        return cls(
            verzuimsoort=gegevens["verzuimsoort"],
            begindatum=gegevens["begindatum"],
            einddatum=gegevens["einddatum"],
            vervaldatum=gegevens["vervaldatum"],
            achterstallig=gegevens["achterstallig"],
            minuten=gegevens["minuten"],
            verzuimdagen=tuple(
                Verzuimdag(d["datum"], d["hele_dag"], tuple(d["lesuren"]))
                for d in gegevens["verzuimdagen"]
            ),
            toelichting=gegevens["toelichting"],
        )


@dataclass(frozen=True, slots=True)
class DuoStand:
    """Where DUO says a melding stands (one row of "opvragen gewijzigde meldingen").

    `status` is None for a DUO status the product does not follow.
    """

    document_id: str | None
    meldingsnummer: str
    status: Meldingstatus | None
    reden: str | None
    laatste_mutatie: datetime
