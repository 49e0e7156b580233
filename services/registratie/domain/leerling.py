"""The pupil: enrolment data and the pupil-level facts that give legal grounds.

Notices, granted leave, exemptions and suspensions are kept here in compact form
(`Grondfeit`), so classifying one pupil-day needs only this aggregate, the school and
the day itself. The full notice and leave records live in their own aggregates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from leerplicht.regime import verjaardag
from services.registratie.domain.classificatie import (
    DagContext,
    Grond,
    Grondfeit,
    NietGeteld,
)
from services.registratie.domain.fouten import OngeldigeInvoer
from services.registratie.domain.school import SchoolContext

__all__ = [
    "MAX_LEEFTIJD",
    "MIN_LEEFTIJD",
    "PERSOONLIJKE_GEGEVENS",
    "Leerling",
    "LeerlingFeiten",
    "dagcontext",
    "controleer_leeftijd",
    "grondfeit_naar_dict",
]

#: The enrolment fields that identify the pupil: sealed with the pupil's own key in
#: the store, and gone from the aggregate once its personal data is erased.
PERSOONLIJKE_GEGEVENS = ("pgn", "geboortedatum", "leerlingnummer")

# The ages a pupil registered here can have. Leerplicht starts at 5 (Lpw art. 3),
# kwalificatieplicht runs to 18 (art. 4a) and RMC to 23; a school enrols from 4
# (and a SIS may send a pupil ahead of that), an MBO student may be older. Outside
# these a date of birth is a typing error, not a pupil.
MIN_LEEFTIJD = 2
MAX_LEEFTIJD = 30


def controleer_leeftijd(
    geboortedatum: date, inschrijving_vanaf: date, vandaag: date
) -> None:
    """Refuse a date of birth no pupil can have (see `MIN_LEEFTIJD`)."""
    if verjaardag(geboortedatum, MIN_LEEFTIJD) > vandaag:
        raise OngeldigeInvoer(
            "geboortedatum", f"een leerling is minstens {MIN_LEEFTIJD} jaar oud"
        )
    if verjaardag(geboortedatum, MAX_LEEFTIJD) <= vandaag:
        raise OngeldigeInvoer(
            "geboortedatum", f"een leerling is jonger dan {MAX_LEEFTIJD} jaar"
        )
    if inschrijving_vanaf < geboortedatum:
        raise OngeldigeInvoer("inschrijvingVanaf", "ligt voor de geboortedatum")


def grondfeit_naar_dict(feit: Grondfeit) -> dict[str, Any]:
    return {
        "grond": feit.grond.value,
        "van": feit.van.isoformat(),
        "tot": feit.tot.isoformat() if feit.tot else None,
        "lesuren": sorted(feit.lesuren) if feit.lesuren is not None else None,
        "ontvangen": feit.ontvangen.isoformat() if feit.ontvangen else None,
        "geldig": feit.geldig,
    }


def _dict_naar_grondfeit(verwijzing: str, data: dict[str, Any]) -> Grondfeit:
    return Grondfeit(
        grond=Grond(data["grond"]),
        van=date.fromisoformat(data["van"]),
        tot=date.fromisoformat(data["tot"]) if data["tot"] else None,
        lesuren=frozenset(data["lesuren"]) if data["lesuren"] is not None else None,
        ontvangen=datetime.fromisoformat(data["ontvangen"])
        if data["ontvangen"]
        else None,
        geldig=data["geldig"],
        verwijzing=verwijzing,
    )


@dataclass(frozen=True)
class LeerlingFeiten:
    leerling_id: UUID
    school_id: UUID
    geboortedatum: date
    startkwalificatie: date | None
    inschrijving_vanaf: date
    inschrijving_tot: date | None
    lesdagen: frozenset[int] | None
    gronden: tuple[Grondfeit, ...]


class Leerling(Aggregate):
    """A pupil enrolled at one school (D16: counting is per enrolment)."""

    @staticmethod
    def create_id(leerling_id: UUID) -> UUID:
        return leerling_id

    @event("Ingeschreven")
    def __init__(
        self, leerling_id: UUID, school_id: UUID, gegevens: dict[str, Any]
    ) -> None:
        self.school_id = school_id
        self.gegevens = dict(gegevens)
        self.gronden: dict[str, dict[str, Any]] = {}
        self.afgewezen_verlof: dict[str, list[str]] = {}
        self.vakantieverlof_jaren: dict[str, str] = {}
        self.go_dagen: dict[str, dict[str, int]] = {}
        self.art11a_minuten: dict[str, int] = {}
        self.art11a_extra: dict[str, int] = {}
        self.signalen: set[str] = set()
        self.gewist_op: datetime | None = None

    @event("Gewijzigd")
    def wijzig(self, leerling_id: UUID, gegevens: dict[str, Any]) -> None:
        self.gegevens = dict(gegevens)

    @event("GrondVastgelegd")
    def leg_grond_vast(
        self, leerling_id: UUID, verwijzing: str, feit: dict[str, Any]
    ) -> None:
        self.gronden[verwijzing] = feit

    @event("GrondVervallen")
    def laat_grond_vervallen(self, leerling_id: UUID, verwijzing: str) -> None:
        self.gronden.pop(verwijzing, None)

    @event("VerlofGeteld")
    def tel_verlof(
        self,
        leerling_id: UUID,
        verwijzing: str,
        soort: str,
        schooljaar: int,
        lesdagen: int,
    ) -> None:
        # D11: only granted vakantieverlof uses the once-per-school-year allowance;
        # D10: granted gewichtige omstandigheden add up per school year.
        if soort == "vakantieverlof":
            self.vakantieverlof_jaren[str(schooljaar)] = verwijzing
        else:
            self.go_dagen.setdefault(str(schooljaar), {})[verwijzing] = lesdagen

    @event("VerlofAfgewezen")
    def wijs_verlof_af(
        self, leerling_id: UUID, verwijzing: str, van: date, tot: date
    ) -> None:
        self.afgewezen_verlof[verwijzing] = [van.isoformat(), tot.isoformat()]

    @event("Art11aGebruikt")
    def gebruik_art11a(self, leerling_id: UUID, week: date, minuten: int) -> None:
        sleutel = week.isoformat()
        self.art11a_minuten[sleutel] = self.art11a_minuten.get(sleutel, 0) + minuten

    @event("Art11aUitgebreid")
    def breid_art11a_uit(self, leerling_id: UUID, week: date, minuten: int) -> None:
        self.art11a_extra[week.isoformat()] = minuten

    @event("SignaalAfgegeven")
    def geef_signaal(
        self, leerling_id: UUID, soort: str, datum: date, verwijzing: str | None
    ) -> None:
        self.signalen.add(f"{soort}:{datum.isoformat()}")

    @event("PersoonsgegevensGewist")
    def wis_persoonsgegevens(
        self, leerling_id: UUID, grond: str, door: str, op: datetime
    ) -> None:
        """AVG art. 17 (on request) or the school's retention period (art. 5(1)(e)):
        the pupil's key is destroyed after this fact is stored; it keeps who and
        when, never the data. Counts, days and grounds stay; the pupil is frozen."""
        self.gegevens = {
            veld: waarde
            for veld, waarde in self.gegevens.items()
            if veld not in PERSOONLIJKE_GEGEVENS
        }
        self.gewist_op = op

    @property
    def gewist(self) -> bool:
        return self.gewist_op is not None

    def signaleer(self, soort: str, datum: date, verwijzing: str | None = None) -> bool:
        """Raise a signal once per kind and date."""
        if f"{soort}:{datum.isoformat()}" in self.signalen:
            return False
        self.geef_signaal(
            leerling_id=self.id, soort=soort, datum=datum, verwijzing=verwijzing
        )
        return True

    def go_dagen_in(self, schooljaar: int) -> int:
        return sum(self.go_dagen.get(str(schooljaar), {}).values())

    def feiten(self) -> LeerlingFeiten:
        g = self.gegevens
        lesdagen = g.get("lesdagen")
        sk = g.get("startkwalificatie")
        tot = g.get("inschrijvingTot")
        return LeerlingFeiten(
            leerling_id=self.id,
            school_id=self.school_id,
            geboortedatum=date.fromisoformat(g["geboortedatum"]),
            startkwalificatie=date.fromisoformat(sk) if sk else None,
            inschrijving_vanaf=date.fromisoformat(g["inschrijvingVanaf"]),
            inschrijving_tot=date.fromisoformat(tot) if tot else None,
            lesdagen=frozenset(lesdagen) if lesdagen else None,
            gronden=tuple(_dict_naar_grondfeit(v, f) for v, f in self.gronden.items()),
        )


def _niet_geteld(
    school: SchoolContext, leerling: LeerlingFeiten, d: date
) -> NietGeteld | None:
    kalender = school.kalender_voor(d)
    if d.weekday() >= 5:
        return NietGeteld.WEEKEND
    if kalender.is_vakantiedag(d):
        return NietGeteld.VAKANTIE
    if not kalender.is_lesdag(d) or not school.rooster.lesuren_op(d):
        return NietGeteld.GEEN_LES
    if leerling.lesdagen is not None and d.isoweekday() not in leerling.lesdagen:
        return NietGeteld.GEEN_LESDAG_LEERLING
    if d < leerling.inschrijving_vanaf or (
        leerling.inschrijving_tot is not None and d > leerling.inschrijving_tot
    ):
        return NietGeteld.NIET_INGESCHREVEN
    regime = school.regime(leerling.geboortedatum, leerling.startkwalificatie, d)
    if not regime.meldbaar:
        # R-AGE-8 / S18: before leerplicht starts nothing counts.
        return NietGeteld.BUITEN_LEERPLICHT
    return None


def dagcontext(school: SchoolContext, leerling: LeerlingFeiten, d: date) -> DagContext:
    """Everything but the records that the classification of one pupil-day needs."""
    gronden = [
        g for g in leerling.gronden if g.van <= d and (g.tot is None or d <= g.tot)
    ]
    gronden.extend(
        Grondfeit(Grond.SLUITING, p.van, p.tot, verwijzing="school")
        for p in school.sluitingen
        if p.bevat(d)
    )
    return DagContext(
        datum=d,
        niet_geteld=_niet_geteld(school, leerling, d),
        eenheid=school.eenheid,
        drempel_minuten=school.beleid.te_laat_drempel_minuten,
        redenen=school.redenen,
        gronden=tuple(gronden),
    )
