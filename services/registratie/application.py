"""The registratie application: register schools and pupils, record absence, notices
and leave, and reclassify when facts or time change.

Construct it with an `env` such as ``Registratie(env={"PERSISTENCE_MODULE":
"eventsourcing.sqlite", "SQLITE_DBNAME": path})``.
Every method takes and returns plain dataclasses or pydantic models (`modellen`), so the
HTTP layer and the Kafka wiring stay outside.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from uuid import UUID

from leerplicht.identificatie import IdentificatieFout, valideer_brin
from leerplicht.kalender import Periode, SchoolKalender
from services.registratie.afwezigheden import MAX_DAGEN_TERUG, MAX_DAGEN_VOORUIT
from services.registratie.bulk import BulkGebruik
from services.registratie.domain.fouten import (
    DatumBuitenBereik,
    NietGevonden,
    OngeldigeInvoer,
    TotVoorVan,
)
from services.registratie.domain.kalender_ical import lees_ical
from services.registratie.domain.leerlingenlijst import (
    EMMERS,
    Leerlingenlijst,
    lijst_id,
)
from services.registratie.domain.school import (
    School,
    Sector,
    dict_naar_rooster,
    kalender_naar_dict,
    school_id_voor,
)
from services.registratie.domain.tijd import begin_van_dag
from services.registratie.domain.verzuimdag import Verzuimdag, verzuimdag_id
from services.registratie.herbeoordeling import (
    HERBEOORDELING_ID,
    Herbeoordeling,
    lees_nieuwe_dagen,
)
from services.registratie.indexering import IndexeringGebruik
from services.registratie.leerlingen import LeerlingenGebruik
from services.registratie.meldingen_bulk import MeldingenBulkGebruik
from services.registratie.modellen import (
    HerbeoordelingResultaat,
    SchoolInvoer,
    SchoolView,
)
from services.registratie.opvragen import OpvragenGebruik
from services.registratie.verloven import VerlovenGebruik
from services.registratie.werkeenheid import Werkeenheid
from services.registratie.wissing import WissenGebruik

__all__ = ["Registratie"]

logger = logging.getLogger(__name__)

# A closure is days or weeks (a storm, a strike), like an open notice at most.
MAX_SLUITING_DAGEN = 62


def _school_view(school: School) -> SchoolView:
    return SchoolView(
        school_id=school.id,
        brin=school.brin,
        vestiging=school.vestiging,
        naam=school.naam,
        sector=Sector(school.sector),
        schooljaren=sorted(int(j) for j in school.kalenders),
        versie=school.version,
    )


class Registratie(
    BulkGebruik,
    LeerlingenGebruik,
    MeldingenBulkGebruik,
    VerlovenGebruik,
    OpvragenGebruik,
    WissenGebruik,
    IndexeringGebruik,
):
    # --- schools -------------------------------------------------------------------

    def registreer_school(
        self, invoer: SchoolInvoer, kalenders: Iterable[SchoolKalender] = ()
    ) -> SchoolView:
        """Register or update a school; calendars are keyed by their school year."""
        try:
            brin = valideer_brin(invoer.brin)
        except IdentificatieFout as fout:
            raise OngeldigeInvoer("brin", fout.reden) from None
        vestiging = invoer.vestiging or brin.vestiging
        school_id = school_id_voor(brin.instelling, vestiging)
        rooster = {k: [list(les) for les in v] for k, v in invoer.rooster.items()}
        redenen = [r.model_dump(mode="json") for r in invoer.redenen]
        beleid = invoer.beleid.model_dump(mode="json", by_alias=True)
        self._controleer_rooster(rooster)
        kalenderlijst = list(kalenders)

        def opdracht(werk: Werkeenheid) -> School:
            school = werk.haal(school_id, School)
            if school is None:
                school = School(
                    school_id=school_id,
                    brin=brin.instelling,
                    vestiging=vestiging,
                    naam=invoer.naam,
                    sector=invoer.sector.value,
                    regio=invoer.regio,
                    rooster=rooster,
                    redenen=redenen,
                    beleid=beleid,
                )
                werk.nieuw(school)
            elif (
                school.naam,
                school.regio,
                school.rooster,
                list(school.redenen.values()),
                school.beleid,
            ) != (invoer.naam, invoer.regio, rooster, redenen, beleid):
                school.wijzig(
                    school_id=school_id,
                    naam=invoer.naam,
                    regio=invoer.regio,
                    rooster=rooster,
                    redenen=redenen,
                    beleid=beleid,
                )
                werk.bewaar(school)
            for kalender in kalenderlijst:
                self._zet_kalender(school, kalender)
                werk.bewaar(school)
            return school

        return _school_view(self._uitvoeren(opdracht))

    @staticmethod
    def _controleer_rooster(rooster: dict[str, list[list[object]]]) -> None:
        if not any(rooster.values()):
            raise OngeldigeInvoer(
                "rooster", "geen enkel lesuur: een rooster heeft lessen"
            )
        try:
            dict_naar_rooster(rooster)  # type: ignore[arg-type]
        except ValueError as fout:
            raise OngeldigeInvoer("rooster", str(fout)) from None

    @staticmethod
    def _zet_kalender(school: School, kalender: SchoolKalender) -> None:
        if kalender.eerste_schooldag is None:
            raise OngeldigeInvoer("kalender", "eerste schooldag ontbreekt")
        jaar = (
            kalender.eerste_schooldag.year
            if kalender.eerste_schooldag.month >= 8
            else (kalender.eerste_schooldag.year - 1)
        )
        data = kalender_naar_dict(kalender)
        if school.kalenders.get(str(jaar)) != data:
            school.stel_kalender_vast(
                school_id=school.id, schooljaar=jaar, kalender=data
            )

    def stel_kalender_vast(
        self, school_id: UUID, kalender: SchoolKalender
    ) -> SchoolView:
        def opdracht(werk: Werkeenheid) -> School:
            school, _ = werk.school(school_id)
            self._zet_kalender(school, kalender)
            werk.bewaar(school)
            return school

        return _school_view(self._uitvoeren(opdracht))

    def importeer_kalender_ical(
        self, school_id: UUID, data: bytes | str, eerste_schooldag: date | None = None
    ) -> SchoolView:
        """Set a school year's calendar from an iCalendar file."""
        kalender = lees_ical(data, eerste_schooldag)
        if kalender.eerste_schooldag is None:
            raise OngeldigeInvoer(
                "eersteSchooldag",
                "eerste schooldag ontbreekt: geef ?eersteSchooldag= of een "
                "VEVENT 'Eerste schooldag'",
            )
        return self.stel_kalender_vast(school_id, kalender)

    def sluit_school(
        self,
        school_id: UUID,
        van: date,
        tot: date,
        reden: str,
        nu: datetime | None = None,
    ) -> SchoolView:
        """Lpw art. 11(a): a closure makes every pupil's absence geoorloofd. The same
        closure again changes nothing; one per first day."""
        if tot < van:
            raise TotVoorVan("tot", "tot ligt voor van")
        if (tot - van).days >= MAX_SLUITING_DAGEN:
            raise DatumBuitenBereik(
                "tot", f"een sluiting duurt hooguit {MAX_SLUITING_DAGEN} dagen"
            )

        def opdracht(werk: Werkeenheid) -> School:
            vandaag = werk.vandaag
            if not (
                vandaag - timedelta(days=MAX_DAGEN_TERUG)
                <= van
                <= vandaag + timedelta(days=MAX_DAGEN_VOORUIT)
            ):
                raise DatumBuitenBereik(
                    "van",
                    "buiten het bereik van de records (400 dagen terug, 60 vooruit)",
                )
            school, _ = werk.school(school_id)
            bestaand = school.sluiting_op(van)
            nieuw = {"van": van.isoformat(), "tot": tot.isoformat(), "reden": reden}
            if bestaand == nieuw:
                return school
            if bestaand is not None:
                raise OngeldigeInvoer(
                    "van",
                    "op deze dag begint al een andere sluiting; heropen die eerst",
                )
            school.sluit(school_id=school_id, van=van, tot=tot, reden=reden)
            werk.bewaar(school)
            self._raak_school(werk, school_id, van, tot)
            return school

        return _school_view(self._uitvoeren(opdracht, nu))

    def heropen_school(
        self, school_id: UUID, van: date, nu: datetime | None = None
    ) -> SchoolView:
        """Take back the closure that starts on `van`; its days count again."""

        def opdracht(werk: Werkeenheid) -> School:
            school, _ = werk.school(school_id)
            sluiting = school.sluiting_op(van)
            if sluiting is None:
                raise NietGevonden("sluiting", van.isoformat())
            school.heropen(school_id=school_id, van=van)
            werk.bewaar(school)
            tot = date.fromisoformat(sluiting["tot"])
            self._raak_school(werk, school_id, van, tot)
            return school

        return _school_view(self._uitvoeren(opdracht, nu))

    @staticmethod
    def _raak_school(werk: Werkeenheid, school_id: UUID, van: date, tot: date) -> None:
        """Classify again every recorded day of every pupil of the school in a
        period; days without a record yet pick the school's state up when one comes."""
        lijsten = [lijst_id(school_id, emmer) for emmer in range(EMMERS)]
        werk.laad(lijsten)
        leerlingen = [
            leerling_id
            for lijst in (werk.haal(i, Leerlingenlijst) for i in lijsten)
            if lijst is not None
            for leerling_id in lijst.leerlingen
        ]
        dagen = list(Periode(van, tot).dagen())
        werk.laad(leerlingen)
        werk.laad(verzuimdag_id(ll, d) for ll in leerlingen for d in dagen)
        for leerling_id in leerlingen:
            for d in dagen:
                if werk.haal(verzuimdag_id(leerling_id, d), Verzuimdag) is not None:
                    werk.raak(leerling_id, d)

    # --- time passing --------------------------------------------------------------

    def herbeoordeel(self, vandaag: date) -> HerbeoordelingResultaat:
        """Scheduled daily: onbekend slots whose D8 notice period passed become
        ongeoorloofd (D14 step 3). Evaluated at 00:00 Amsterdam of `vandaag`."""

        def opdracht(werk: Werkeenheid) -> tuple[int, int]:
            tracker = werk.haal(HERBEOORDELING_ID, Herbeoordeling)
            if tracker is None:
                tracker = Herbeoordeling()
                werk.nieuw(tracker)
            positie, open_nu = lees_nieuwe_dagen(self, tracker.positie)
            klaar = tracker.verwerk(positie, open_nu, vandaag)
            werk.bewaar(tracker)
            werk.laad(klaar)
            for dag_id in klaar:
                dag = werk.haal(dag_id, Verzuimdag)
                if dag is not None:
                    werk.raak(dag.leerling_id, dag.datum)
            werk.verwerk_dagen()
            return len(klaar), werk.gewijzigde_slots

        dagen, slots = self._uitvoeren(opdracht, begin_van_dag(vandaag))
        logger.info("herbeoordeeld", extra={"event": "herbeoordeling", "count": dagen})
        return HerbeoordelingResultaat(vandaag, dagen, slots)
