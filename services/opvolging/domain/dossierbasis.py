"""State and events of the dossier aggregate.

The commands are layered on top: `DossierActies` (actions), `DossierMeldingen` (DUO
status and decisions) and `Dossier` (what opens it, PDCA, closing); only `Dossier` is
instantiated, so every event topic reads `...dossier:Dossier.<Event>`.

Every event carries `leerling_id`, `school_id`, the actor (`door`) and the aware moment
(`op`), and adds one line to the timeline, so the closing report needs nothing else.
Decision outcomes (D15, D17, D18) are events of their own, for other services to act on.
Event attributes are plain values (str, date, int, list, dict): enums are rebuilt when
an event is applied, so a replayed dossier equals the one that triggered the events.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate

from plumbing.copies import with_new_containers
from services.opvolging.domain.aanleiding import Meldplicht, Signaal, SignaalSoort
from services.opvolging.domain.actie import Actie, ActieSoort, ActieStatus
from services.opvolging.domain.dossierstatus import AfsluitReden, DossierStatus
from services.opvolging.domain.evaluatie import Evaluatie, Oordeel, WeekCijfer
from services.opvolging.domain.melding import (
    Melding,
    MeldingStatus,
    MeldingStatusWijziging,
)
from services.opvolging.domain.rasci import Activiteit, Rol
from services.opvolging.domain.tijd import datum_van
from services.opvolging.domain.tijdlijn import Gebeurtenis, omschrijving

__all__ = ["DossierBasis"]


class DossierBasis(Aggregate):
    def __deepcopy__(self, memo: dict[int, object]) -> DossierBasis:
        # The repository copies a cached dossier for every unit of work that loads
        # it, and a generic deep copy visits every line of its timeline. Only the
        # containers, the actions and the meldingen are changed in place by events;
        # the rest (duties, signals, evaluations, timeline lines) is frozen.
        kopie = with_new_containers(self)
        kopie.acties = {i: a.kopie() for i, a in self.acties.items()}
        kopie.meldingen = {i: m.kopie() for i, m in self.meldingen.items()}
        return kopie

    class Event(Aggregate.Event):
        leerling_id: str
        school_id: str
        door: str
        op: datetime

        def apply(self, aggregate: Any) -> None:
            self.wijzig(aggregate)
            soort = type(self).__name__
            tekst = omschrijving(self, aggregate)
            aggregate.tijdlijn.append(Gebeurtenis(self.op, self.door, soort, tekst))

        def wijzig(self, dossier: DossierBasis) -> None:
            """The state change; an event without one only adds a timeline line."""

    class Geopend(Aggregate.Created):
        leerling_id: str
        school_id: str
        door: str
        op: datetime
        aanleiding_id: str | None  # the duty, signal or measure that opened it

    def __init__(
        self,
        leerling_id: str,
        school_id: str,
        door: str,
        op: datetime,
        aanleiding_id: str | None,
    ) -> None:
        self.leerling_id = leerling_id
        self.school_id = school_id
        self.aanleiding_id = aanleiding_id
        self.geopend_door = door
        self.geopend_op = op
        self.status = DossierStatus.OPEN
        self.meldplichten: dict[str, Meldplicht] = {}
        self.signalen: dict[str, Signaal] = {}
        self.acties: dict[str, Actie] = {}
        self.meldingen: dict[str, Melding] = {}
        self.evaluaties: list[Evaluatie] = []
        self.ladderstap = -1  # index of the highest protocol step planned so far
        self.maatregelen_vanaf: date | None = None
        self.afsluitreden: AfsluitReden | None = None
        self.afsluittoelichting = ""
        self.afgesloten_door: str | None = None
        self.afgesloten_op: datetime | None = None
        self.tijdlijn: list[Gebeurtenis] = []

    class MeldplichtOntvangen(Event):
        meldplicht_id: str
        soort: str
        begindatum: date
        einddatum: date | None
        vervaldatum: date | None
        achterstallig: bool
        toelichting: str

        def wijzig(self, dossier: DossierBasis) -> None:
            mid = self.meldplicht_id
            dossier.meldplichten[mid] = Meldplicht(
                mid,
                self.soort,
                self.begindatum,
                self.einddatum,
                self.vervaldatum,
                self.achterstallig,
                self.toelichting,
                self.op,
            )
            dossier.meldingen[mid] = Melding(mid, self.soort, MeldingStatus.WACHT)

    class MeldplichtBijgewerkt(Event):
        meldplicht_id: str
        einddatum: date | None
        vervaldatum: date | None
        toelichting: str

        def wijzig(self, dossier: DossierBasis) -> None:
            mid = self.meldplicht_id
            dossier.meldplichten[mid] = replace(
                dossier.meldplichten[mid],
                einddatum=self.einddatum,
                vervaldatum=self.vervaldatum,
                toelichting=self.toelichting,
            )

    class SignaalOntvangen(Event):
        signaal_id: str
        soort: str
        datum: date
        toelichting: str

        def wijzig(self, dossier: DossierBasis) -> None:
            soort = SignaalSoort(self.soort)
            dossier.signalen[self.signaal_id] = Signaal(
                self.signaal_id, soort, self.datum, self.toelichting, self.op
            )

    class ActieToegevoegd(Event):
        actie_id: str
        titel: str
        activiteit: str
        soort: str
        r_rol: str
        a_rol: str
        i_rollen: list[str]
        vervaldatum: date
        referentie: str | None
        ladderstap: int | None

        def wijzig(self, dossier: DossierBasis) -> None:
            actie = Actie(
                id=self.actie_id,
                titel=self.titel,
                activiteit=Activiteit(self.activiteit),
                soort=ActieSoort(self.soort),
                r_rol=Rol(self.r_rol),
                a_rol=Rol(self.a_rol),
                i_rollen=tuple(Rol(r) for r in self.i_rollen),
                vervaldatum=self.vervaldatum,
                aangemaakt_door=self.door,
                aangemaakt_op=self.op,
                referentie=self.referentie,
                ladderstap=self.ladderstap,
            )
            dossier.acties[actie.id] = actie
            if self.ladderstap is not None:
                dossier.ladderstap = max(dossier.ladderstap, self.ladderstap)
            if (
                actie.soort is ActieSoort.MAATREGEL
                and dossier.maatregelen_vanaf is None
            ):
                dossier.maatregelen_vanaf = datum_van(self.op)

    class ActieHertoegewezen(Event):
        actie_id: str
        r_rol: str
        a_rol: str
        toelichting: str

        def wijzig(self, dossier: DossierBasis) -> None:
            actie = dossier.acties[self.actie_id]
            actie.r_rol, actie.a_rol = Rol(self.r_rol), Rol(self.a_rol)
            wat = f"toegewezen aan {actie.r_rol.value} (A: {actie.a_rol.value})"
            actie.wijzig(wat, self.door, self.op, self.toelichting)

    class ActieAfgerond(Event):
        actie_id: str
        uitkomst: str
        titel: str  # published with the outcome: ketenkoppeling quotes it to DUO
        soort: str

        def wijzig(self, dossier: DossierBasis) -> None:
            actie = dossier.acties[self.actie_id]
            actie.status, actie.uitkomst = ActieStatus.AFGEROND, self.uitkomst
            actie.wijzig("afgerond", self.door, self.op, self.uitkomst)

    class ActieGeannuleerd(Event):
        actie_id: str
        reden: str

        def wijzig(self, dossier: DossierBasis) -> None:
            actie = dossier.acties[self.actie_id]
            actie.status = ActieStatus.GEANNULEERD
            actie.wijzig("geannuleerd", self.door, self.op, self.reden)

    class Besluit(Event):
        """Base of the decision outcomes: closes the decision action."""

        actie_id: str
        toelichting: str
        uitkomst: ClassVar[str] = ""

        def wijzig(self, dossier: DossierBasis) -> None:
            actie = dossier.acties[self.actie_id]
            actie.status, actie.uitkomst = ActieStatus.AFGEROND, self.uitkomst
            actie.wijzig(self.uitkomst, self.door, self.op, self.toelichting)

    class LuxeverzuimBevestigd(Besluit):  # D18: only a confirmation creates melding L
        signaal_id: str
        uitkomst = "bevestigd"

    class LuxeverzuimAfgewezen(Besluit):
        signaal_id: str
        uitkomst = "afgewezen"

    class AchterstalligeMeldingBevestigd(Besluit):  # D17: only now is it sent
        meldplicht_id: str
        uitkomst = "bevestigd"

    class AchterstalligeMeldingAfgewezen(Besluit):
        meldplicht_id: str
        uitkomst = "afgewezen"

        def wijzig(self, dossier: DossierBasis) -> None:
            super().wijzig(dossier)
            melding = dossier.meldingen[self.meldplicht_id]
            melding.status = MeldingStatus.GEANNULEERD
            melding.historie.append(
                MeldingStatusWijziging(
                    melding.status, self.toelichting, self.door, self.op
                )
            )

    class IntrekkingBevestigd(Besluit):  # D15: only this confirmation sends status I
        meldplicht_id: str
        uitkomst = "bevestigd"

    class IntrekkingAfgewezen(Besluit):
        meldplicht_id: str
        uitkomst = "afgewezen"

    class MeldingStatusGewijzigd(Event):
        meldplicht_id: str
        status: str
        reden: str | None
        meldingsnummer: str | None

        def wijzig(self, dossier: DossierBasis) -> None:
            melding = dossier.meldingen[self.meldplicht_id]
            melding.status, melding.reden = MeldingStatus(self.status), self.reden
            melding.meldingsnummer = self.meldingsnummer or melding.meldingsnummer
            melding.historie.append(
                MeldingStatusWijziging(melding.status, self.reden, self.door, self.op)
            )

    class EvaluatieVastgelegd(Event):
        peildatum: date
        weken: list[dict[str, Any]]
        gemiddelde_voor: float | None
        gemiddelde_na: float | None
        oordeel: str
        voorgestelde_stap: int | None
        voorgestelde_titel: str | None
        toelichting: str

        def wijzig(self, dossier: DossierBasis) -> None:
            weken = tuple(WeekCijfer(w["week"], w["minuten"]) for w in self.weken)
            dossier.evaluaties.append(
                Evaluatie(
                    self.peildatum,
                    weken,
                    self.gemiddelde_voor,
                    self.gemiddelde_na,
                    Oordeel(self.oordeel),
                    self.voorgestelde_stap,
                    self.voorgestelde_titel,
                    self.toelichting,
                    self.door,
                    self.op,
                )
            )

    class Afgesloten(Event):
        reden: str
        toelichting: str

        def wijzig(self, dossier: DossierBasis) -> None:
            dossier.status = DossierStatus.AFGESLOTEN
            dossier.afsluitreden = AfsluitReden(self.reden)
            dossier.afsluittoelichting = self.toelichting
            dossier.afgesloten_door, dossier.afgesloten_op = self.door, self.op
