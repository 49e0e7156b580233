"""What the ketenkoppeling keeps from upstream to fill a melding: school and pupil.

The pupil's persoonsgebonden nummer is kept as it arrived, encrypted with the shared
PGN key; it is decrypted only when a melding is sent to DUO (Lpw art. 21a(10)).
Upstream topics are read independently, so a pupil's record may be created by an
action or an early decision before registratie's own event arrives.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from plumbing.identifiers import name_based_id
from plumbing.security.sleutelkluis import VERNIETIGD

_NAMESPACE = UUID("5c2d8e4a-1f3b-4a76-9e0d-7b6c5a4f3e21")


def school_gegevens_id(school_id: UUID) -> UUID:
    return name_based_id(_NAMESPACE, f"school/{school_id}")


def leerling_gegevens_id(leerling_id: UUID) -> UUID:
    return name_based_id(_NAMESPACE, f"leerling/{leerling_id}")


def _als_datum(waarde: date | str) -> date:
    return waarde if isinstance(waarde, date) else date.fromisoformat(waarde)


class Schoolgegevens(Aggregate):
    """A school as registratie last described it (full state each time)."""

    @staticmethod
    def create_id(school_id: UUID, **_: Any) -> UUID:
        return school_gegevens_id(school_id)

    @event("Geregistreerd")
    def __init__(self, *, school_id: UUID, gegevens: dict[str, Any]) -> None:
        self.school_id = school_id
        self.gegevens = gegevens

    def werk_bij(self, gegevens: dict[str, Any]) -> None:
        if gegevens != self.gegevens:
            self._bijgewerkt(gegevens=gegevens)

    @event("Bijgewerkt")
    def _bijgewerkt(self, gegevens: dict[str, Any]) -> None:
        self.gegevens = gegevens

    @property
    def brin(self) -> str:
        return str(self.gegevens["brin"])

    @property
    def vestiging(self) -> str | None:
        return self.gegevens.get("vestiging")

    @property
    def naam(self) -> str:
        return str(self.gegevens["naam"])

    @property
    def sector(self) -> str:
        return str(self.gegevens["sector"])

    @property
    def contact_melder(self) -> dict[str, Any] | None:
        return self.gegevens.get("contact_melder")


class Leerlinggegevens(Aggregate):
    """A pupil: registration details, actions taken and early decisions."""

    @staticmethod
    def create_id(leerling_id: UUID, **_: Any) -> UUID:
        return leerling_gegevens_id(leerling_id)

    @event("Aangemaakt")
    def __init__(self, *, leerling_id: UUID) -> None:
        self.leerling_id = leerling_id
        self.gegevens: dict[str, Any] | None = None
        self.acties: dict[str, dict[str, Any]] = {}
        self.besluiten: dict[str, str] = {}
        self.gewist_op: datetime | None = None

    @property
    def geregistreerd(self) -> bool:
        return self.gegevens is not None

    def registreer(self, gegevens: dict[str, Any]) -> None:
        """`gegevens`: school_id, geboortedatum, woongemeente, leerjaar, pgn."""
        if gegevens != self.gegevens:
            self._geregistreerd(gegevens=gegevens)

    def actie_afgerond(
        self,
        *,
        actie_id: UUID,
        school_id: UUID,
        titel: str,
        uitkomst: str,
        afgerond_op: date,
    ) -> None:
        """An action already taken; it goes into `toelichtingOndernomenactie`."""
        self._actie_afgerond(
            actie_id=str(actie_id),
            school_id=school_id,
            titel=titel,
            uitkomst=uitkomst,
            afgerond_op=afgerond_op,
        )

    def besluit_vooraf(self, meldplicht_id: UUID, besluit: str) -> None:
        """A decision about a duty whose melding has not arrived yet."""
        if self.besluiten.get(str(meldplicht_id)) != besluit:
            self._besluit_vooraf(meldplicht_id=str(meldplicht_id), besluit=besluit)

    def besluit_over(self, meldplicht_id: UUID) -> str | None:
        return self.besluiten.get(str(meldplicht_id))

    def acties_voor(self, school_id: UUID) -> list[dict[str, Any]]:
        """Actions taken at this school, oldest first."""
        eigen = [a for a in self.acties.values() if a["school_id"] == school_id]
        return sorted(eigen, key=lambda a: (a["afgerond_op"], a["titel"]))

    @property
    def gewist(self) -> bool:
        return getattr(self, "gewist_op", None) is not None

    def wis_persoonsgegevens(self, grond: str, op: datetime) -> None:
        """Registratie erased the pupil; its keys here are destroyed too."""
        if not self.gewist:
            self._persoonsgegevens_gewist(grond=grond, op=op)

    def meerderjarig_op(self, datum: date) -> bool:
        if self.gegevens is None:
            return False
        try:
            # Stored as text since sealing (older events hold a date).
            geboren = _als_datum(self.gegevens["geboortedatum"])
        except (TypeError, ValueError):
            return False  # erased: the date of birth reads as destroyed
        jaren = datum.year - geboren.year
        if (datum.month, datum.day) < (geboren.month, geboren.day):
            jaren -= 1
        return jaren >= 18

    @event("Geregistreerd")
    def _geregistreerd(self, gegevens: dict[str, Any]) -> None:
        self.gegevens = gegevens

    @event("ActieAfgerond")
    def _actie_afgerond(
        self,
        actie_id: str,
        school_id: UUID,
        titel: str,
        uitkomst: str,
        afgerond_op: date,
    ) -> None:
        self.acties[actie_id] = {
            "school_id": school_id,
            "titel": titel,
            "uitkomst": uitkomst,
            "afgerond_op": afgerond_op,
        }

    @event("PersoonsgegevensGewist")
    def _persoonsgegevens_gewist(self, grond: str, op: datetime) -> None:
        # The number, date of birth and action texts go; school, municipality,
        # year and that actions were taken stay (a melding's statuses stay too).
        if self.gegevens is not None:
            self.gegevens = {**self.gegevens, "geboortedatum": None, "pgn": None}
        self.acties = {
            actie_id: {**actie, "titel": VERNIETIGD, "uitkomst": VERNIETIGD}
            for actie_id, actie in self.acties.items()
        }
        self.gewist_op = op

    @event("BesluitVooraf")
    def _besluit_vooraf(self, meldplicht_id: str, besluit: str) -> None:
        self.besluiten[meldplicht_id] = besluit


class Statusvolging(Aggregate):
    """Per BRIN, the DUO moment from which the next status poll asks for changes."""

    @staticmethod
    def create_id(**_: Any) -> UUID:
        return uuid5(_NAMESPACE, "duo-statusvolging")

    @event("Aangemaakt")
    def __init__(self) -> None:
        self.posities: dict[str, datetime] = {}

    def schuif_op(self, brin: str, sinds: datetime) -> None:
        huidig = self.posities.get(brin)
        if huidig is None or sinds > huidig:
            self._opgeschoven(brin=brin, sinds=sinds)

    @event("Opgeschoven")
    def _opgeschoven(self, brin: str, sinds: datetime) -> None:
        self.posities[brin] = sinds
