"""The application: open-or-join, listings, several writers on one database."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4
from zoneinfo import ZoneInfo

import pytest

from services.opvolging.application import Opvolging
from services.opvolging.domain.beleid import Opvolgingsbeleid
from services.opvolging.domain.evaluatie import LadderStap
from services.opvolging.domain.fouten import DossierOnbekend
from services.opvolging.domain.rasci import Activiteit, Rol

AMS = ZoneInfo("Europe/Amsterdam")
SCHOOL = "99XX-01"


def _op(dag: str) -> datetime:
    return datetime.fromisoformat(f"{dag}T10:00").replace(tzinfo=AMS)


def _meldplicht(app: Opvolging, leerling: str, mid: str, dag: str = "2025-09-18"):
    return app.meldplicht_vastgesteld(
        leerling_id=leerling,
        school_id=SCHOOL,
        meldplicht_id=mid,
        soort="V3",
        begindatum=date(2025, 9, 15),
        einddatum=date(2025, 9, 17),
        vervaldatum=date(2025, 9, 24),
        achterstallig=False,
        toelichting="",
        door="analyse",
        op=_op(dag),
    )


def _geregistreerd(app: Opvolging, leerling: str, mid: str) -> None:
    app.meldingstatus_gewijzigd(
        leerling_id=leerling,
        school_id=SCHOOL,
        meldplicht_id=mid,
        status="geregistreerd",
        door="ketenkoppeling",
        op=_op("2025-09-19"),
    )


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(tmp_path / "opvolging.db"),
    }


def test_signals_and_duties_of_one_pupil_share_the_open_dossier(app: Opvolging) -> None:
    eerste = app.signaal_afgegeven(
        leerling_id="LL-31",
        school_id=SCHOOL,
        signaal_id="SG-31",
        soort="mazl",
        datum=date(2025, 9, 10),
        toelichting="",
        door="analyse",
        op=_op("2025-09-10"),
    )
    tweede = _meldplicht(app, "LL-31", "MP-31")
    ander = _meldplicht(app, "LL-32", "MP-32")

    assert eerste == tweede != ander
    dossier = app.dossier(eerste)
    assert set(dossier.signalen) == {"SG-31"} and set(dossier.meldplichten) == {"MP-31"}


def test_after_closing_a_new_duty_opens_a_new_dossier_and_status_finds_the_old_one(
    app: Opvolging,
) -> None:
    oud = _meldplicht(app, "LL-33", "MP-33")
    _geregistreerd(app, "LL-33", "MP-33")
    app.afsluiten(oud, reden="leerling_vertrokken", door="vc-1", op=_op("2025-09-22"))

    nieuw = _meldplicht(app, "LL-33", "MP-34", dag="2025-11-03")
    app.meldingstatus_gewijzigd(
        leerling_id="LL-33",
        school_id=SCHOOL,
        meldplicht_id="MP-33",
        status="afgesloten",
        door="ketenkoppeling",
        op=_op("2025-11-04"),
    )

    assert nieuw != oud
    assert app.open_dossier(SCHOOL, "LL-33").id == nieuw
    assert app.dossier(oud).meldingen["MP-33"].status.value == "afgesloten"
    assert "MP-33" not in app.dossier(nieuw).meldingen


def test_unknown_dossier_or_melding(app: Opvolging) -> None:
    with pytest.raises(DossierOnbekend):
        app.dossier(uuid4())
    with pytest.raises(DossierOnbekend):
        app.meldingstatus_gewijzigd(
            leerling_id="LL-0",
            school_id=SCHOOL,
            meldplicht_id="MP-0",
            status="geregistreerd",
            door="ketenkoppeling",
        )


def test_listing_by_school_status_and_role(app: Opvolging) -> None:
    a = _meldplicht(app, "LL-41", "MP-41")
    b = _meldplicht(app, "LL-42", "MP-42")
    app.maatregel_voorgesteld(
        leerling_id="LL-43",
        school_id="88YY-01",
        titel="Gesprek",
        door="analyse",
        activiteit="uitvoeren_maatregelen",
        op=_op("2025-09-18"),
    )
    _geregistreerd(app, "LL-42", "MP-42")
    app.afsluiten(b, reden="leerling_vertrokken", door="vc-1", op=_op("2025-09-22"))

    assert [d.id for d in app.dossiers(SCHOOL)] == [a, b]
    assert [d.id for d in app.dossiers(SCHOOL, status="open")] == [a]
    assert [d.id for d in app.dossiers(SCHOOL, rol="mentor")] == [a]
    assert app.dossiers(SCHOOL, rol="zorgcoordinator") == []
    assert len(app.dossiers("88YY-01")) == 1


def test_a_proposed_measure_is_added_once(app: Opvolging) -> None:
    for _ in range(2):
        dossier_id, actie_id = app.maatregel_voorgesteld(
            leerling_id="LL-44",
            school_id=SCHOOL,
            titel="Gesprek zorgteam",
            activiteit="uitvoeren_maatregelen",
            r_rol="zorgcoordinator",
            a_rol="schoolleider",
            maatregel_id="MR-44",
            door="analyse",
        )

    actie = app.dossier(dossier_id).actie(actie_id)
    assert len(app.dossier(dossier_id).acties) == 1
    assert (actie.r_rol, actie.a_rol, actie.id) == (
        Rol.ZORGCOORDINATOR,
        Rol.SCHOOLLEIDER,
        "MR-44",
    )


def test_decision_outcome_reaches_the_notification_log(app: Opvolging) -> None:
    dossier_id = app.signaal_afgegeven(
        leerling_id="LL-45",
        school_id=SCHOOL,
        signaal_id="SG-45",
        soort="vermoedelijk_luxeverzuim",
        datum=date(2025, 10, 27),
        toelichting="",
        door="analyse",
        op=_op("2025-10-27"),
    )
    [actie] = app.dossier(dossier_id).acties.values()

    app.beslis(dossier_id, actie.id, bevestigd=True, door="vc-1", op=_op("2025-10-28"))

    laatste = app.notification_log.select(start=None, limit=10)[-1]
    assert laatste.topic.endswith("dossier:Dossier.LuxeverzuimBevestigd")
    event = app.mapper.to_domain_event(laatste)
    assert (event.signaal_id, event.leerling_id, event.school_id) == (
        "SG-45",
        "LL-45",
        SCHOOL,
    )


def test_a_schools_own_policy_is_used(tmp_path: Path) -> None:
    eigen = Opvolgingsbeleid(
        ladder=(LadderStap("Telefoontje ouders", Activiteit.INFORMEREN_BETROKKENEN),),
        actietermijn_werkdagen=2,
    )
    app = Opvolging(_env(tmp_path), beleid=lambda school: eigen)

    dossier_id = _meldplicht(app, "LL-46", "MP-46")

    [actie] = app.dossier(dossier_id).acties.values()
    assert actie.titel == "Telefoontje ouders"
    assert (actie.r_rol, actie.a_rol) == (Rol.VERZUIMCOORDINATOR, Rol.OUDERS)
    assert actie.vervaldatum == date(2025, 9, 22)  # Thu + 2 working days
    app.close()


def test_a_second_process_sees_every_write_and_rebuilds_at_start(
    tmp_path: Path,
) -> None:
    a = Opvolging(_env(tmp_path))
    b = Opvolging(_env(tmp_path))
    assert b.dossiers(SCHOOL) == []

    eerste = _meldplicht(a, "LL-51", "MP-51")
    assert [d.id for d in b.dossiers(SCHOOL, rol="mentor")] == [eerste]

    [actie] = a.dossier(eerste).acties.values()
    a.actie_afronden(eerste, actie.id, uitkomst="gesprek", door="mentor-1")
    assert b.dossiers(SCHOOL, rol="mentor") == []

    c = Opvolging(_env(tmp_path))  # a restart: the projection comes from the log
    assert c.dossiers(SCHOOL)[0] == a.dossier(eerste)
    for app in (a, b, c):
        app.close()


def test_a_concurrent_change_is_retried_not_lost(tmp_path: Path) -> None:
    a = Opvolging(_env(tmp_path))
    b = Opvolging(_env(tmp_path))
    dossier_id = _meldplicht(a, "LL-52", "MP-52")
    [eerste_actie] = a.dossier(dossier_id).acties.values()
    opslaan = a.save
    pogingen: list[int] = []

    def save_na_concurrent_schrijver(*aggregates: Any, **kwargs: Any) -> Any:
        pogingen.append(1)
        if len(pogingen) == 1:  # another writer gets in between load and save
            b.actie_afronden(
                dossier_id, eerste_actie.id, uitkomst="gesprek", door="m-1"
            )
        return opslaan(*aggregates, **kwargs)

    a.save = save_na_concurrent_schrijver  # type: ignore[method-assign]
    nieuw = a.actie_toevoegen(
        dossier_id, titel="Huisbezoek", activiteit="uitvoeren_maatregelen", door="vc-1"
    )

    dossier = b.dossier(dossier_id)
    assert len(pogingen) == 2
    assert dossier.actie(eerste_actie.id).uitkomst == "gesprek"
    assert dossier.actie(nieuw).titel == "Huisbezoek"
    a.close()
    b.close()


def test_two_writers_opening_for_one_pupil_end_in_one_dossier(tmp_path: Path) -> None:
    a = Opvolging(_env(tmp_path))
    b = Opvolging(_env(tmp_path))
    opslaan = a.save
    pogingen: list[int] = []

    def save_na_concurrent_schrijver(*aggregates: Any, **kwargs: Any) -> Any:
        pogingen.append(1)
        if len(pogingen) == 1:  # b opens a dossier for the same pupil first
            _meldplicht(b, "LL-53", "MP-53b")
        return opslaan(*aggregates, **kwargs)

    a.save = save_na_concurrent_schrijver  # type: ignore[method-assign]
    van_a = _meldplicht(a, "LL-53", "MP-53a")

    assert len(pogingen) == 2
    assert [d.id for d in b.dossiers(SCHOOL)] == [van_a]
    assert set(b.dossier(van_a).meldplichten) == {"MP-53a", "MP-53b"}
    a.close()
    b.close()


def test_worklist_defaults_to_the_clock_date(app: Opvolging) -> None:
    _meldplicht(app, "LL-54", "MP-54")  # mentor action due 25 September

    [regel] = app.werklijst(SCHOOL, "mentor")  # the app's clock says 1 October

    assert regel.dagen_te_laat == 6
