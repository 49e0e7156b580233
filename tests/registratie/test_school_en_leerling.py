"""School and pupil registration, the iCalendar import, closures, exemptions and the
signals registratie raises itself."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from uuid import UUID

import pytest

from leerplicht.fixtures import TC_2526, VO_ROOSTER
from services.registratie.application import Registratie
from services.registratie.domain.afmelding import AfmeldingSoort
from services.registratie.domain.classificatie import Grond, NietGeteld, Status
from services.registratie.domain.fouten import OngeldigeInvoer
from services.registratie.domain.kalender_ical import lees_ical
from services.registratie.domain.school import rooster_naar_dict
from services.registratie.domain.signalen import SignaalSoort
from services.registratie.domain.tijd import AMSTERDAM
from services.registratie.modellen import (
    AfmeldingInvoer,
    GrondInvoer,
    LeerlingInvoer,
    SchoolInvoer,
)
from tests.registratie.conftest import REDENEN, Klok

ICAL = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Testschool//Jaarplanning 2025-2026//NL
BEGIN:VEVENT
UID:zomer-2025@test
DTSTART;VALUE=DATE:20250712
DTEND;VALUE=DATE:20250901
SUMMARY:Zomervakantie
END:VEVENT
BEGIN:VEVENT
UID:herfst@test
DTSTART;VALUE=DATE:20251018
DTEND;VALUE=DATE:20251027
SUMMARY:Herfstvakantie
CATEGORIES:Vakantie
END:VEVENT
BEGIN:VEVENT
UID:studie@test
DTSTART;VALUE=DATE:20251112
SUMMARY:Studiedag team
END:VEVENT
BEGIN:VEVENT
UID:goede-vrijdag@test
DTSTART;VALUE=DATE:20260403
DTEND;VALUE=DATE:20260404
SUMMARY:Goede Vrijdag
CATEGORIES:vrije dag
END:VEVENT
BEGIN:VEVENT
UID:ouderavond@test
DTSTART:20251104T190000Z
DTEND:20251104T210000Z
SUMMARY:Ouderavond
END:VEVENT
BEGIN:VEVENT
UID:kerst@test
DTSTART;VALUE=DATE:20251220
DTEND;VALUE=DATE:20260105
SUMMARY:Kerstvakantie
END:VEVENT
END:VCALENDAR
"""


def test_ical_import() -> None:
    kalender = lees_ical(ICAL)

    assert kalender.eerste_schooldag == date(2025, 9, 1)
    assert kalender.is_vakantieweek(date(2025, 10, 22))
    assert not kalender.is_lesdag(date(2025, 11, 12))  # study day
    assert not kalender.is_vakantieweek(date(2025, 11, 12))
    assert not kalender.is_lesdag(date(2026, 4, 3))  # free day, not a Friday rule
    assert kalender.is_lesdag(date(2025, 11, 4))  # the parents' evening is no free day
    assert not kalender.is_lesdag(date(2026, 1, 2))
    assert kalender.eerste_twee_lesweken().tot == date(2025, 9, 12)


def test_ical_via_de_applicatie(app: Registratie, vo_school: UUID) -> None:
    school = app.importeer_kalender_ical(vo_school, ICAL)

    # 2025-26 replaced by the file; the fixture's 2024-25 stays.
    assert school.schooljaren == [2024, 2025]


def test_school_opnieuw_registreren_is_idempotent(app: Registratie) -> None:
    invoer = SchoolInvoer(
        brin="07nu 00",
        naam="Test",
        sector="vo",
        rooster=rooster_naar_dict(VO_ROOSTER),
        redenen=REDENEN,
    )

    eerste = app.registreer_school(invoer, [TC_2526])
    tweede = app.registreer_school(invoer, [TC_2526])

    assert (eerste.brin, eerste.vestiging) == ("07NU", "00")
    assert tweede.versie == eerste.versie
    with pytest.raises(OngeldigeInvoer) as fout:
        app.registreer_school(invoer.model_copy(update={"brin": "30AJ0A"}))
    assert fout.value.veld == "brin"


def test_ongeldig_pgn_wordt_niet_herhaald(app: Registratie, vo_school: UUID) -> None:
    with pytest.raises(OngeldigeInvoer) as fout:
        app.registreer_leerling(
            LeerlingInvoer(
                school_id=vo_school,
                geboortedatum=date(2011, 3, 10),
                pgn="123456789",
                woongemeente="0344",
                inschrijving_vanaf=date(2023, 8, 1),
            )
        )

    assert fout.value.veld == "pgn"
    assert "123456789" not in str(fout.value)
    assert "123456789" not in repr(
        LeerlingInvoer(
            school_id=vo_school,
            geboortedatum=date(2011, 3, 10),
            pgn="123456789",
            woongemeente="0344",
            inschrijving_vanaf=date(2023, 8, 1),
        )
    )


def test_leerling_view_bevat_geen_pgn(
    app: Registratie, vo_school: UUID, nieuwe_leerling: Callable[..., UUID]
) -> None:
    view = app.leerling(nieuwe_leerling(vo_school))

    assert view.pgn_schema == "bsn"
    assert "123456782" not in repr(view) and "999990019" not in repr(view)


def test_buiten_inschrijving_en_bbl_lesdagen_tellen_niet(
    app: Registratie, vo_school: UUID, nieuwe_leerling: Callable[..., UUID]
) -> None:
    bbl = nieuwe_leerling(vo_school, date(2007, 1, 1), lesdagen=[2])
    weg = nieuwe_leerling(vo_school, inschrijving_tot=date(2025, 10, 31))
    for leerling in (bbl, weg):
        app.registreer_afwezigheid(
            {
                "bronId": f"x{leerling}",
                "bron": "las",
                "leerlingId": str(leerling),
                "datum": "2025-11-03",
            }
        )

    assert {s.niet_geteld for s in app.verzuimdag(bbl, date(2025, 11, 3)).slots} == {  # type: ignore[union-attr]
        NietGeteld.GEEN_LESDAG_LEERLING
    }
    assert {s.niet_geteld for s in app.verzuimdag(weg, date(2025, 11, 3)).slots} == {  # type: ignore[union-attr]
        NietGeteld.NIET_INGESCHREVEN
    }


def test_sluiting_en_schorsing_en_vrijstelling(
    app: Registratie, vo_school: UUID, nieuwe_leerling: Callable[..., UUID]
) -> None:
    a, b = nieuwe_leerling(vo_school), nieuwe_leerling(vo_school)
    for leerling in (a, b):
        for d in ("2025-11-03", "2025-11-04"):
            app.registreer_afwezigheid(
                {
                    "bronId": f"{leerling}-{d}",
                    "bron": "las",
                    "leerlingId": str(leerling),
                    "datum": d,
                    "redenCode": "A",
                }
            )

    app.sluit_school(vo_school, date(2025, 11, 3), date(2025, 11, 3), "stormschade")
    app.leg_grond_vast(
        GrondInvoer(
            leerling_id=b,
            grond=Grond.SCHORSING,
            van=date(2025, 11, 4),
            tot=date(2025, 11, 4),
            kenmerk="besluit-1",
        )
    )
    app.leg_grond_vast(
        GrondInvoer(
            leerling_id=a,
            grond=Grond.VRIJSTELLING,
            van=date(2025, 11, 4),
            lesuren=[7],
            kenmerk="gym",
        )
    )

    def gronden(leerling: UUID, d: date) -> set[tuple[Status, Grond | None]]:
        dag = app.verzuimdag(leerling, d)
        assert dag is not None
        return {(s.status, s.grond) for s in dag.slots}

    assert gronden(a, date(2025, 11, 3)) == {(Status.GEOORLOOFD, Grond.SLUITING)}
    assert gronden(b, date(2025, 11, 3)) == {(Status.GEOORLOOFD, Grond.SLUITING)}
    assert gronden(b, date(2025, 11, 4)) == {(Status.GEOORLOOFD, Grond.SCHORSING)}
    assert gronden(a, date(2025, 11, 4)) == {
        (Status.ONGEOORLOOFD, None),
        (Status.GEOORLOOFD, Grond.VRIJSTELLING),
    }


def test_ziekmelding_rond_de_vakantie_en_beter_melden(
    app: Registratie, vo_school: UUID, nieuwe_leerling: Callable[..., UUID], klok: Klok
) -> None:
    leerling = nieuwe_leerling(vo_school)
    klok.zet(date(2025, 10, 17), time(8))
    afmelding = app.registreer_afmelding(
        AfmeldingInvoer(
            leerling_id=leerling,
            soort=AfmeldingSoort.ZIEK,
            van=date(2025, 10, 15),
            ontvangen=datetime(2025, 10, 15, 7, 50, tzinfo=AMSTERDAM),
        )
    )

    assert afmelding.tijdig and afmelding.tot is None
    # Fri 2025-10-17 is the lesdag right before the herfstvakantie (D18).
    assert app.signalen(leerling) == [
        f"{SignaalSoort.ZIEKMELDING_ROND_VAKANTIE.value}:2025-10-17"
    ]

    klok.zet(date(2025, 10, 27), time(9))
    app.registreer_afwezigheid(
        {
            "bronId": "na-vakantie",
            "bron": "las",
            "leerlingId": str(leerling),
            "datum": "2025-10-27",
        }
    )
    ziek = app.verzuimdag(leerling, date(2025, 10, 27))
    app.meld_beter(afmelding.afmelding_id, date(2025, 10, 24))
    beter = app.verzuimdag(leerling, date(2025, 10, 27))

    assert ziek is not None and {s.grond for s in ziek.slots} == {Grond.ZIEKTE}
    assert beter is not None and {s.status for s in beter.slots} == {Status.ONBEKEND}
