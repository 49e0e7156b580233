"""The stand-in's verzuimregister: meldingen, their status and applied mutaties.

Statuses move R → B → G (or K for overig verzuim) after configurable delays on the
stand-in's clock, playing the municipality (duo.md section 6). The move is applied
lazily, before every read and write, with the moment it was due as its mutation time;
because every request applies due moves first, mutation times never run backwards.

State lives in memory and, when a file is given, is written to JSON after every change
so the demo survives a restart.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from services.ketenkoppeling.duo.codes import Foutcode, MeldingStatus
from services.ketenkoppeling.duo.tijdstip import naar_milliseconde
from standins.duo.klok import Klok
from standins.duo.verzoeken import Afwijzing, Meldverzoek, Mutatieverzoek

__all__ = ["Mutatierecord", "Register", "RegisterMelding"]

_REDEN = {
    MeldingStatus.AFGESLOTEN: "Afgehandeld door de leerplichtambtenaar",
    MeldingStatus.TER_KENNISGEVING_AANGENOMEN: "Ter kennisgeving aangenomen",
}


@dataclass
class RegisterMelding:
    meldingsnummer: str
    document_id: str
    vingerafdruk: str
    brin: str
    gemeentecode: str
    pgn_soort: str
    pgn: str
    verzuimsoort: str
    begindatum: date
    einddatum: date | None
    ontvangen: datetime
    status: MeldingStatus
    laatste_mutatie: datetime
    reden_afgesloten: str | None = None
    mutaties: list[str] = field(default_factory=list)

    def overzicht(self) -> dict[str, Any]:
        """For the admin endpoint: everything but the persoonsgebonden nummer."""
        gegevens = self._als_json()
        del gegevens["pgn"], gegevens["vingerafdruk"]
        return gegevens

    def _als_json(self) -> dict[str, Any]:
        gegevens = asdict(self)
        for sleutel, waarde in gegevens.items():
            if isinstance(waarde, date | datetime):
                gegevens[sleutel] = waarde.isoformat()
        gegevens["status"] = self.status.value
        return gegevens

    @classmethod
    def _uit_json(cls, gegevens: dict[str, Any]) -> RegisterMelding:
        einddatum = gegevens["einddatum"]
        return cls(
            **{
                **gegevens,
                "begindatum": date.fromisoformat(gegevens["begindatum"]),
                "einddatum": None
                if einddatum is None
                else date.fromisoformat(einddatum),
                "ontvangen": datetime.fromisoformat(gegevens["ontvangen"]),
                "laatste_mutatie": datetime.fromisoformat(gegevens["laatste_mutatie"]),
                "status": MeldingStatus(gegevens["status"]),
            }
        )


@dataclass(frozen=True)
class Mutatierecord:
    """An applied mutatie, kept to answer a repeated document number the same way."""

    meldingsnummer: str
    vingerafdruk: str
    datum: date
    laatste_mutatie: datetime


class Register:
    def __init__(
        self,
        klok: Klok,
        *,
        behandeling_na: timedelta,
        afsluiting_na: timedelta,
        bestand: Path | None = None,
    ) -> None:
        self._klok = klok
        self._behandeling_na = behandeling_na
        self._afsluiting_na = afsluiting_na
        self._bestand = bestand
        self._volgnummer = 0
        self._meldingen: dict[str, RegisterMelding] = {}
        self._per_document: dict[str, str] = {}
        self._mutaties: dict[str, Mutatierecord] = {}
        if bestand is not None and bestand.exists():
            self._laad(bestand)

    def nu(self) -> datetime:
        return naar_milliseconde(self._klok.nu())

    def meldingen(self) -> list[RegisterMelding]:
        self._voortgang()
        return list(self._meldingen.values())

    def bij_document(self, document_id: str) -> RegisterMelding | None:
        self._voortgang()
        nummer = self._per_document.get(document_id)
        return None if nummer is None else self._meldingen[nummer]

    def registreer(self, verzoek: Meldverzoek) -> tuple[RegisterMelding, bool]:
        """The melding for this document number, and whether it is new.

        A repeated document number with the same content is the same melding (the
        sender retried); with different content it is refused.
        """
        bestaand = self.bij_document(verzoek.document_id)
        if bestaand is not None:
            if bestaand.vingerafdruk != verzoek.vingerafdruk:
                raise Afwijzing(
                    Foutcode.DUBBEL,
                    "documentnummer al gebruikt voor een andere melding",
                    ("IdentificatiecodeBedrijfsdocument",),
                )
            return bestaand, False
        nu = self.nu()
        self._volgnummer += 1
        melding = RegisterMelding(
            meldingsnummer=f"{nu.year}{self._volgnummer:08d}",
            document_id=verzoek.document_id,
            vingerafdruk=verzoek.vingerafdruk,
            brin=verzoek.brin,
            gemeentecode=verzoek.gemeentecode,
            pgn_soort=verzoek.pgn_soort,
            pgn=verzoek.pgn,
            verzuimsoort=verzoek.deel.verzuimsoort,
            begindatum=verzoek.deel.begindatum,
            einddatum=verzoek.deel.einddatum,
            ontvangen=nu,
            status=MeldingStatus.GEREGISTREERD,
            laatste_mutatie=nu,
        )
        self._meldingen[melding.meldingsnummer] = melding
        self._per_document[melding.document_id] = melding.meldingsnummer
        self._bewaar()
        return melding, True

    def muteer(self, verzoek: Mutatieverzoek) -> tuple[Mutatierecord, bool]:
        """Apply a mutatie once; a repeated document number gets the first answer."""
        self._voortgang()
        eerder = self._mutaties.get(verzoek.document_id)
        if eerder is not None:
            if eerder.vingerafdruk != verzoek.vingerafdruk:
                raise Afwijzing(
                    Foutcode.DUBBEL,
                    "documentnummer al gebruikt voor een andere mutatie",
                    ("IdentificatiecodeBedrijfsdocument",),
                )
            return eerder, False
        melding = self._meldingen.get(verzoek.meldingsnummer)
        if melding is None or melding.brin != verzoek.brin:
            raise Afwijzing(
                Foutcode.ONBEKEND,
                "geen melding met dit nummer voor deze instelling",
                ("NummerMeldingRelatiefVerzuim",),
            )
        if melding.status.is_eindstatus:
            raise Afwijzing(
                Foutcode.STATUS,
                f"melding heeft status {melding.status.value}",
                ("StatusMeldingRelatiefVerzuim",),
            )
        bekend = verzoek.bekende_mutatie
        if bekend is not None and naar_milliseconde(bekend) != melding.laatste_mutatie:
            raise Afwijzing(
                Foutcode.GEWIJZIGD,
                "melding gewijzigd na de laatst bekende mutatie",
                ("Procesverloop",),
            )
        self._pas_toe(melding, verzoek)
        nu = self.nu()
        melding.laatste_mutatie = nu
        melding.mutaties.append(verzoek.document_id)
        record = Mutatierecord(
            melding.meldingsnummer, verzoek.vingerafdruk, nu.date(), nu
        )
        self._mutaties[verzoek.document_id] = record
        self._bewaar()
        return record, True

    def gewijzigd_sinds(
        self, brin: str, sinds: datetime, document_id: str | None
    ) -> list[RegisterMelding]:
        """The sender's meldingen whose last mutation is at or after `sinds`."""
        grens = naar_milliseconde(sinds)
        return sorted(
            (
                melding
                for melding in self.meldingen()
                if melding.brin == brin
                and melding.laatste_mutatie >= grens
                and (document_id is None or melding.document_id == document_id)
            ),
            key=lambda melding: melding.laatste_mutatie,
        )

    def _pas_toe(self, melding: RegisterMelding, verzoek: Mutatieverzoek) -> None:
        if verzoek.intrekking:
            melding.status = MeldingStatus.INGETROKKEN
            return
        if verzoek.correctie is not None:
            melding.verzuimsoort = verzoek.correctie.verzuimsoort
            melding.begindatum = verzoek.correctie.begindatum
            melding.einddatum = verzoek.correctie.einddatum
            return
        if verzoek.einddatum is not None and verzoek.einddatum < melding.begindatum:
            raise Afwijzing(
                Foutcode.DATUM, "Eindverzuim voor Beginverzuim", ("Eindverzuim",)
            )
        melding.einddatum = verzoek.einddatum

    def _voortgang(self) -> None:
        """Apply the municipality's status moves that are due by now."""
        nu = self.nu()
        gewijzigd = False
        for melding in self._meldingen.values():
            in_behandeling = melding.ontvangen + self._behandeling_na
            afgesloten = in_behandeling + self._afsluiting_na
            if melding.status is MeldingStatus.GEREGISTREERD and in_behandeling <= nu:
                melding.status = MeldingStatus.IN_BEHANDELING
                melding.laatste_mutatie = max(melding.laatste_mutatie, in_behandeling)
                gewijzigd = True
            if melding.status is MeldingStatus.IN_BEHANDELING and afgesloten <= nu:
                # Overig verzuim is a signal: the municipality takes note of it.
                melding.status = (
                    MeldingStatus.TER_KENNISGEVING_AANGENOMEN
                    if melding.verzuimsoort == "O"
                    else MeldingStatus.AFGESLOTEN
                )
                melding.reden_afgesloten = _REDEN[melding.status]
                melding.laatste_mutatie = max(melding.laatste_mutatie, afgesloten)
                gewijzigd = True
        if gewijzigd:
            self._bewaar()

    def _bewaar(self) -> None:
        if self._bestand is None:
            return
        inhoud = {
            "volgnummer": self._volgnummer,
            "meldingen": [m._als_json() for m in self._meldingen.values()],
            "mutaties": {
                document: {
                    "meldingsnummer": r.meldingsnummer,
                    "vingerafdruk": r.vingerafdruk,
                    "datum": r.datum.isoformat(),
                    "laatste_mutatie": r.laatste_mutatie.isoformat(),
                }
                for document, r in self._mutaties.items()
            },
        }
        tijdelijk = self._bestand.with_suffix(".tmp")
        tijdelijk.write_text(json.dumps(inhoud, indent=1), encoding="utf-8")
        os.replace(tijdelijk, self._bestand)

    def _laad(self, bestand: Path) -> None:
        inhoud = json.loads(bestand.read_text(encoding="utf-8"))
        self._volgnummer = int(inhoud["volgnummer"])
        for gegevens in inhoud["meldingen"]:
            melding = RegisterMelding._uit_json(gegevens)
            self._meldingen[melding.meldingsnummer] = melding
            self._per_document[melding.document_id] = melding.meldingsnummer
        for document, r in inhoud["mutaties"].items():
            self._mutaties[document] = Mutatierecord(
                r["meldingsnummer"],
                r["vingerafdruk"],
                date.fromisoformat(r["datum"]),
                datetime.fromisoformat(r["laatste_mutatie"]),
            )
