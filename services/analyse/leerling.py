"""What analyse keeps of a pupil beside the domain's `Leerlingbeeld`.

`Leerling` holds the pupil's registration (school, class, enrolment, lesdagen), every
classified lesson slot as registratie sent it (also the ones that do not count, for
the trends), decisions that arrived before the pupil could be evaluated, and the
outgoing contract messages. The domain picture only receives the slots that count:
`telt` and within the enrolment (D16: counting is per enrolment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from contracts.registratie import (
    LeerlingGeregistreerd,
    Slotclassificatie,
    VerzuimGeclassificeerd,
)
from plumbing.copies import with_new_containers
from plumbing.identifiers import name_based_id
from plumbing.security.sleutelkluis import ONLEESBAAR, VERNIETIGD
from services.analyse.domain.model import Slot

__all__ = ["Leerling", "Verzuimslot"]

_NAMESPACE = UUID("5d0f2c8e-7b41-4a9a-8e36-c1f9a04b6e27")


@dataclass(frozen=True, slots=True)
class Verzuimslot:
    """One classified lesson slot as registratie sent it."""

    slot_id: str
    datum: str
    lesuur: int | None
    status: str
    minuten: int
    gemiste_minuten: int
    soort: str
    luxe: bool
    ziek: bool
    telt: bool
    reden_code: str | None

    @classmethod
    def uit(
        cls, bericht: VerzuimGeclassificeerd | Slotclassificatie, datum: date
    ) -> Verzuimslot:
        """From a per-slot message, or from a slot of a pupil-day and its date."""
        return cls(
            slot_id=bericht.slot_id,
            datum=datum.isoformat(),
            lesuur=bericht.lesuur,
            status=bericht.status,
            minuten=bericht.minuten,
            gemiste_minuten=bericht.gemiste_minuten,
            soort=bericht.soort,
            luxe=bericht.luxe,
            ziek=bericht.ziek,
            telt=bericht.telt,
            reden_code=bericht.reden_code,
        )

    def naar(self) -> dict[str, Any]:
        return {naam: getattr(self, naam) for naam in self.__slots__}

    @property
    def dag(self) -> date:
        return date.fromisoformat(self.datum)

    def als_slot(self) -> Slot:
        return Slot(
            slot_id=self.slot_id,
            datum=self.dag,
            lesuur=self.lesuur,
            status=self.status,  # type: ignore[arg-type]
            minuten=self.minuten,
            soort=self.soort,  # type: ignore[arg-type]
            luxe=self.luxe,
            ziek=self.ziek,
        )

    def __deepcopy__(self, memo: dict[int, object]) -> Verzuimslot:
        return self  # immutable: a copied aggregate may share it


class Leerling(Aggregate):
    def __deepcopy__(self, memo: dict[int, object]) -> Leerling:
        return with_new_containers(self)  # nested values are never changed in place

    @staticmethod
    def create_id(leerling_id: str) -> UUID:
        return name_based_id(_NAMESPACE, f"leerling/{leerling_id}")

    @event("Aangemaakt")
    def __init__(self, leerling_id: str, school_id: str) -> None:
        self.leerling_id = leerling_id
        self.school_id = school_id
        self.gegevens: dict[str, Any] | None = None
        self.verzuim: dict[str, Verzuimslot] = {}
        self.wachtend: list[dict[str, Any]] = []
        self.gewist_op: str | None = None

    # --- registration -----------------------------------------------------------------

    @property
    def gewist(self) -> bool:
        """Erased: the fact is stored, or (had that save been lost) the sealed date of
        birth reads as destroyed. Nothing about the pupil is evaluated again."""
        if getattr(self, "gewist_op", None) is not None:
            return True
        return self.gegevens is not None and self.gegevens["geboortedatum"] in (
            VERNIETIGD,
            ONLEESBAAR,
        )

    @event("PersoonsgegevensGewist")
    def wis_persoonsgegevens(self, op: str) -> None:
        """Registratie erased the pupil (`LeerlingGewist`): the date of birth and
        parked decisions (their free text) go; enrolment, class and slots stay."""
        if self.gegevens is not None:
            self.gegevens = {**self.gegevens, "geboortedatum": None}
        self.wachtend = []
        self.gewist_op = op

    @property
    def is_geregistreerd(self) -> bool:
        return self.gegevens is not None

    @property
    def lesdagen(self) -> tuple[int, ...] | None:
        if self.gegevens is None or self.gegevens["lesdagen"] is None:
            return None
        return tuple(self.gegevens["lesdagen"])

    @property
    def startkwalificatie_sinds(self) -> date | None:
        sinds = (self.gegevens or {}).get("startkwalificatie_sinds")
        return date.fromisoformat(sinds) if sinds else None

    def registreer(self, bericht: LeerlingGeregistreerd, bekend_op: date) -> bool:
        """Store the registration; True when it differs from what was stored.

        The contract says whether the pupil holds a startkwalificatie, not since
        when: one present at the first registration counts from the start, one that
        appears later from the day the change was published.
        """
        vorig = self.startkwalificatie_sinds
        if not bericht.startkwalificatie:
            sinds = None
        elif vorig is not None:
            sinds = vorig
        else:
            sinds = date.min if self.gegevens is None else bekend_op
        gegevens = {
            "geboortedatum": bericht.geboortedatum.isoformat(),
            "klas": bericht.klas,
            "leerjaar": bericht.leerjaar,
            "lesdagen": sorted(bericht.lesdagen) if bericht.lesdagen else None,
            "inschrijving_vanaf": bericht.inschrijving_vanaf.isoformat(),
            "inschrijving_tot": (
                bericht.inschrijving_tot.isoformat()
                if bericht.inschrijving_tot
                else None
            ),
            "startkwalificatie_sinds": sinds.isoformat() if sinds else None,
        }
        school_id = str(bericht.school_id)
        if gegevens == self.gegevens and school_id == self.school_id:
            return False
        self._geregistreerd(school_id, gegevens)
        return True

    @event("Geregistreerd")
    def _geregistreerd(self, school_id: str, gegevens: dict[str, Any]) -> None:
        self.school_id = school_id
        self.gegevens = gegevens

    def ingeschreven_op(self, d: date) -> bool:
        if self.gegevens is None:
            return False
        tot = self.gegevens["inschrijving_tot"]
        return self.gegevens["inschrijving_vanaf"] <= d.isoformat() and (
            tot is None or d.isoformat() <= tot
        )

    def telt(self, slot: Verzuimslot) -> bool:
        """Whether the slot goes to the domain picture (contract `telt`, D16)."""
        return slot.telt and self.ingeschreven_op(slot.dag)

    # --- slots ------------------------------------------------------------------------

    def werk_verzuim_bij(self, wijzigingen: dict[str, Verzuimslot | None]) -> list[str]:
        """Apply new, changed and removed slots; returns the ids that really changed."""
        gewijzigd = [
            s
            for i, s in wijzigingen.items()
            if s is not None and self.verzuim.get(i) != s
        ]
        verwijderd = sorted(
            i for i, s in wijzigingen.items() if s is None and i in self.verzuim
        )
        if gewijzigd or verwijderd:
            self._verzuim_bijgewerkt([s.naar() for s in gewijzigd], verwijderd)
        return [s.slot_id for s in gewijzigd] + verwijderd

    @event("VerzuimBijgewerkt")
    def _verzuim_bijgewerkt(
        self, gewijzigd: list[dict[str, Any]], verwijderd: list[str]
    ) -> None:
        for data in gewijzigd:
            slot = Verzuimslot(**data)
            self.verzuim[slot.slot_id] = slot
        for slot_id in verwijderd:
            self.verzuim.pop(slot_id, None)

    # --- waiting decisions and outgoing messages --------------------------------------

    @event("BerichtGeparkeerd")
    def parkeer(self, berichttype: str, inhoud: dict[str, Any]) -> None:
        """Keep a decision about a pupil that cannot be evaluated yet."""
        self.wachtend.append({"type": berichttype, "inhoud": inhoud})

    @event("GeparkeerdVerwerkt")
    def geparkeerd_verwerkt(self) -> None:
        self.wachtend = []

    @event("BerichtKlaargezet")
    def zet_klaar(self, berichttype: str, inhoud: dict[str, Any]) -> None:
        """A contract message for the relay; the payload is complete when stored."""
