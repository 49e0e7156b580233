"""The actions of a dossier: add, reassign, complete, cancel; each change audited.

Roles not given come from the school's RASCI matrix: the action carries the R and A
roles of its activity and the I roles to inform (process.md).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any, TypeVar
from uuid import uuid4

from leerplicht.kalender import werkdag_na
from services.opvolging.domain.actie import Actie, ActieSoort
from services.opvolging.domain.beleid import Opvolgingsbeleid
from services.opvolging.domain.dossierbasis import DossierBasis
from services.opvolging.domain.dossierstatus import DossierStatus
from services.opvolging.domain.evaluatie import Evaluatie
from services.opvolging.domain.fouten import (
    ActieNietOpen,
    ActieOnbekend,
    DossierGesloten,
    OngeldigeInvoer,
    VerkeerdeActie,
)
from services.opvolging.domain.handeling import Handeling
from services.opvolging.domain.rasci import Activiteit, Rol
from services.opvolging.domain.tijd import datum_van

__all__ = ["DossierActies", "keuze"]

E = TypeVar("E", bound=StrEnum)


def keuze(soort: type[E], waarde: str, veld: str) -> E:
    """An enum value from outside; an unknown one is invalid input, not a crash."""
    try:
        return soort(waarde)
    except ValueError:
        raise OngeldigeInvoer(f"ongeldige waarde voor {veld}: {waarde!r}") from None


class DossierActies(DossierBasis):
    # -- queries

    @property
    def is_open(self) -> bool:
        return self.status is DossierStatus.OPEN

    def actie(self, actie_id: str) -> Actie:
        try:
            return self.acties[actie_id]
        except KeyError:
            raise ActieOnbekend(f"actie {actie_id} niet in dossier {self.id}") from None

    def open_acties(self) -> list[Actie]:
        return [a for a in self.acties.values() if a.is_open]

    @property
    def laatste_evaluatie(self) -> Evaluatie | None:
        return self.evaluaties[-1] if self.evaluaties else None

    # -- commands

    def actie_toevoegen(
        self,
        *,
        titel: str,
        activiteit: str,
        beleid: Opvolgingsbeleid,
        handeling: Handeling,
        r_rol: str | None = None,
        a_rol: str | None = None,
        vervaldatum: date | None = None,
        actie_id: str | None = None,
    ) -> str:
        """A measure; with a known `actie_id` it is a repeat and changes nothing."""
        self._moet_open_zijn()
        if actie_id is not None and actie_id in self.acties:
            return actie_id
        return self._voeg_actie_toe(
            titel,
            keuze(Activiteit, activiteit, "activiteit"),
            ActieSoort.MAATREGEL,
            beleid,
            handeling,
            r_rol=keuze(Rol, r_rol, "r_rol") if r_rol else None,
            a_rol=keuze(Rol, a_rol, "a_rol") if a_rol else None,
            vervaldatum=vervaldatum,
            actie_id=actie_id,
        )

    def hertoewijzen(
        self,
        actie_id: str,
        *,
        r_rol: str,
        handeling: Handeling,
        a_rol: str | None = None,
        toelichting: str = "",
    ) -> None:
        actie = self._open_actie(actie_id)
        nieuwe_r = keuze(Rol, r_rol, "r_rol")
        nieuwe_a = keuze(Rol, a_rol, "a_rol") if a_rol else actie.a_rol
        if actie.soort.blokkeert_afsluiten and nieuwe_r is not Rol.VERZUIMCOORDINATOR:
            # D15, D17, D18: these stay with the verzuimcoördinator.
            raise VerkeerdeActie(f"actie {actie_id} hoort bij de verzuimcoördinator")
        self._trigger(
            self.ActieHertoegewezen,
            handeling,
            actie_id=actie_id,
            r_rol=nieuwe_r.value,
            a_rol=nieuwe_a.value,
            toelichting=toelichting,
        )

    def afronden(self, actie_id: str, *, uitkomst: str, handeling: Handeling) -> None:
        actie = self._open_actie(actie_id)
        self._geen_besluit(actie)
        if not uitkomst.strip():
            raise OngeldigeInvoer("een afgeronde actie heeft een uitkomst")
        self._rond_af(actie, uitkomst, handeling)

    def annuleren(self, actie_id: str, *, reden: str, handeling: Handeling) -> None:
        self._geen_besluit(self._open_actie(actie_id))
        if not reden.strip():
            raise OngeldigeInvoer("annuleren vraagt een reden")
        self._trigger(self.ActieGeannuleerd, handeling, actie_id=actie_id, reden=reden)

    # -- internals for the subclasses

    def _rond_af(self, actie: Actie, uitkomst: str, handeling: Handeling) -> None:
        self._trigger(
            self.ActieAfgerond,
            handeling,
            actie_id=actie.id,
            uitkomst=uitkomst,
            titel=actie.titel,
            soort=actie.soort.value,
        )

    def _trigger(
        self, event_class: type[Any], handeling: Handeling, **velden: Any
    ) -> None:
        self.trigger_event(
            event_class,
            leerling_id=self.leerling_id,
            school_id=self.school_id,
            door=handeling.door,
            op=handeling.op,
            **velden,
        )

    def _moet_open_zijn(self) -> None:
        if not self.is_open:
            raise DossierGesloten(f"dossier {self.id} is afgesloten")

    def _open_actie(self, actie_id: str) -> Actie:
        self._moet_open_zijn()
        actie = self.actie(actie_id)
        if not actie.is_open:
            raise ActieNietOpen(f"actie {actie_id} is al {actie.status.value}")
        return actie

    @staticmethod
    def _geen_besluit(actie: Actie) -> None:
        if actie.soort.is_besluit:
            raise VerkeerdeActie(
                f"actie {actie.id} is een besluit: bevestig of wijs af"
            )

    def _besluitactie(
        self,
        titel: str,
        activiteit: Activiteit,
        soort: ActieSoort,
        referentie: str,
        beleid: Opvolgingsbeleid,
        handeling: Handeling,
    ) -> str:
        # D15, D17 and D18 name the verzuimcoördinator, whatever the matrix says.
        return self._voeg_actie_toe(
            titel,
            activiteit,
            soort,
            beleid,
            handeling,
            r_rol=Rol.VERZUIMCOORDINATOR,
            referentie=referentie,
        )

    def _voeg_actie_toe(
        self,
        titel: str,
        activiteit: Activiteit,
        soort: ActieSoort,
        beleid: Opvolgingsbeleid,
        handeling: Handeling,
        *,
        r_rol: Rol | None = None,
        a_rol: Rol | None = None,
        vervaldatum: date | None = None,
        actie_id: str | None = None,
        referentie: str | None = None,
        ladderstap: int | None = None,
    ) -> str:
        if not titel.strip():
            raise OngeldigeInvoer("een actie heeft een titel")
        matrix = beleid.matrix
        r = r_rol or matrix.kies_r_rol(activiteit)
        a = a_rol or matrix.kies_a_rol(activiteit, r)
        termijn = beleid.actietermijn_werkdagen
        actie_id = actie_id or str(uuid4())
        self._trigger(
            self.ActieToegevoegd,
            handeling,
            actie_id=actie_id,
            titel=titel,
            activiteit=activiteit.value,
            soort=soort.value,
            r_rol=r.value,
            a_rol=a.value,
            i_rollen=[rol.value for rol in matrix.i_rollen(activiteit)],
            vervaldatum=vervaldatum or werkdag_na(datum_van(handeling.op), termijn),
            referentie=referentie,
            ladderstap=ladderstap,
        )
        return actie_id
