"""The application: open-or-join, listings, several writers on one database."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from plumbing.clock import FixedClock
from services.opvolging.application import Opvolging
from services.opvolging.domain.beleid import Opvolgingsbeleid
from services.opvolging.domain.evaluatie import LadderStap
from services.opvolging.domain.fouten import DossierOnbekend
from services.opvolging.domain.rasci import Activiteit, Rol
from tests.opvolging.stroom import (
    SCHOOL,
    Stroom,
    maatregel,
    meldplicht,
    op,
    signaal,
    status,
    uid,
)


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "PERSISTENCE_MODULE": "plumbing.store:SQLiteStore",
        "SQLITE_DBNAME": str(tmp_path / "opvolging.db"),
    }


@pytest.fixture
def klok() -> FixedClock:
    return FixedClock(op("2025-09-18", "10:00"))


@pytest.fixture
def stroom(app: Opvolging, klok: FixedClock) -> Stroom:
    return Stroom(app, klok)


@pytest.fixture
def twee(tmp_path: Path, klok: FixedClock) -> Iterator[tuple[Stroom, Stroom]]:
    """Two processes on one database."""
    a, b = Opvolging(_env(tmp_path)), Opvolging(_env(tmp_path))
    yield Stroom(a, klok), Stroom(b, klok)
    a.close()
    b.close()


def test_signals_and_duties_of_one_pupil_share_the_open_dossier(
    app: Opvolging, stroom: Stroom
) -> None:
    stroom.pas_toe(
        signaal("LL-31", "SG-31", "zorgwekkendZiekteverzuim", date(2025, 9, 10))
    )
    eerste = stroom.dossier_id("LL-31")
    stroom.pas_toe(meldplicht("LL-31", "MP-31"), meldplicht("LL-32", "MP-32"))

    assert stroom.dossier_id("LL-31") == eerste != stroom.dossier_id("LL-32")
    dossier = app.dossier(eerste)
    assert set(dossier.signalen) == {str(uid("SG-31"))}
    assert set(dossier.meldplichten) == {str(uid("MP-31"))}
    assert dossier.aanleiding_id == str(uid("SG-31"))


def test_after_closing_a_new_duty_opens_a_new_dossier_and_status_finds_the_old_one(
    app: Opvolging, stroom: Stroom
) -> None:
    stroom.pas_toe(
        meldplicht("LL-33", "MP-33"), status("LL-33", "MP-33", "geregistreerd")
    )
    oud = stroom.dossier_id("LL-33")
    app.afsluiten(oud, reden="leerling_vertrokken", door="vc-1", op=op("2025-09-22"))

    stroom.pas_toe(meldplicht("LL-33", "MP-34"), moment=op("2025-11-03"))
    stroom.pas_toe(status("LL-33", "MP-33", "afgesloten"), moment=op("2025-11-04"))

    nieuw = stroom.dossier_id("LL-33")
    assert nieuw != oud
    assert app.dossier(oud).meldingen[str(uid("MP-33"))].status.value == "afgesloten"
    assert str(uid("MP-33")) not in app.dossier(nieuw).meldingen


def test_unknown_dossier(app: Opvolging) -> None:
    with pytest.raises(DossierOnbekend):
        app.dossier(uid("geen dossier"))


def test_listing_by_school_status_and_role(app: Opvolging, stroom: Stroom) -> None:
    ander = uid("school 88YY-01")
    stroom.pas_toe(
        meldplicht("LL-41", "MP-41"),
        meldplicht("LL-42", "MP-42"),
        maatregel("LL-43", "MR-43", "SG-43", "Gesprek", school=ander),
        status("LL-42", "MP-42", "geregistreerd"),
    )
    a, b = stroom.dossier_id("LL-41"), stroom.dossier_id("LL-42")
    app.afsluiten(b, reden="leerling_vertrokken", door="vc-1", op=op("2025-09-22"))

    assert [d.id for d in app.dossiers(SCHOOL)] == [a, b]
    assert [d.id for d in app.dossiers(SCHOOL, status="open")] == [a]
    assert [d.id for d in app.dossiers(SCHOOL, rol="mentor")] == [a]
    assert app.dossiers(SCHOOL, rol="zorgcoordinator") == []
    assert len(app.dossiers(str(ander))) == 1


def test_a_proposed_measure_is_added_once(app: Opvolging, stroom: Stroom) -> None:
    voorstel = maatregel(
        "LL-44",
        "MR-44",
        "SG-44",
        "Gesprek zorgteam",
        verantwoordelijke="zorgcoordinator",
        eindverantwoordelijke="schoolleider",
    )
    stroom.pas_toe(voorstel)
    stroom.pas_toe(voorstel)

    dossier = app.dossier(stroom.dossier_id("LL-44"))
    [actie] = dossier.acties.values()
    assert (actie.r_rol, actie.a_rol, actie.id, actie.activiteit) == (
        Rol.ZORGCOORDINATOR,
        Rol.SCHOOLLEIDER,
        str(uid("MR-44")),
        Activiteit.UITVOEREN_MAATREGELEN,
    )


def test_decision_outcome_reaches_the_notification_log(
    app: Opvolging, stroom: Stroom
) -> None:
    stroom.pas_toe(
        signaal("LL-45", "SG-45", "vermoedelijkLuxeverzuim", date(2025, 10, 27))
    )
    dossier_id = stroom.dossier_id("LL-45")
    [actie] = app.dossier(dossier_id).acties.values()

    app.beslis(dossier_id, actie.id, bevestigd=True, door="vc-1", op=op("2025-10-28"))

    laatste = app.recorder.select_notifications(1, 1000)[-1]
    assert laatste.topic.endswith("dossier:Dossier.LuxeverzuimBevestigd")
    event = app.mapper.to_domain_event(laatste)
    assert (event.signaal_id, event.leerling_id, event.school_id) == (
        str(uid("SG-45")),
        str(uid("LL-45")),
        SCHOOL,
    )


def test_a_schools_own_policy_is_used(tmp_path: Path, klok: FixedClock) -> None:
    eigen = Opvolgingsbeleid(
        ladder=(LadderStap("Telefoontje ouders", Activiteit.INFORMEREN_BETROKKENEN),),
        actietermijn_werkdagen=2,
    )
    app = Opvolging(_env(tmp_path), beleid=lambda school: eigen)

    Stroom(app, klok).pas_toe(meldplicht("LL-46", "MP-46"))

    [dossier] = app.dossiers(SCHOOL)
    [actie] = dossier.acties.values()
    assert actie.titel == "Telefoontje ouders"
    assert (actie.r_rol, actie.a_rol) == (Rol.VERZUIMCOORDINATOR, Rol.OUDERS)
    assert actie.vervaldatum == date(2025, 9, 22)  # Thu + 2 working days
    app.close()


def test_a_second_process_sees_every_write_and_rebuilds_at_start(
    tmp_path: Path, twee: tuple[Stroom, Stroom]
) -> None:
    a, b = twee
    assert b.app.dossiers(SCHOOL) == []

    a.pas_toe(meldplicht("LL-51", "MP-51"))
    eerste = a.dossier_id("LL-51")
    assert [d.id for d in b.app.dossiers(SCHOOL, rol="mentor")] == [eerste]

    [actie] = a.app.dossier(eerste).acties.values()
    a.app.actie_afronden(eerste, actie.id, uitkomst="gesprek", door="mentor-1")
    assert b.app.dossiers(SCHOOL, rol="mentor") == []

    c = Opvolging(_env(tmp_path))  # a restart: the projection comes from the log
    assert c.dossiers(SCHOOL)[0] == a.app.dossier(eerste)
    c.close()


def test_a_concurrent_change_is_retried_not_lost(twee: tuple[Stroom, Stroom]) -> None:
    a, b = twee
    a.pas_toe(meldplicht("LL-52", "MP-52"))
    dossier_id = a.dossier_id("LL-52")
    [eerste_actie] = a.app.dossier(dossier_id).acties.values()
    opslaan = a.app.save
    pogingen: list[int] = []

    def save_na_concurrent_schrijver(*aggregates: Any, **kwargs: Any) -> Any:
        pogingen.append(1)
        if len(pogingen) == 1:  # another writer gets in between load and save
            b.app.actie_afronden(
                dossier_id, eerste_actie.id, uitkomst="gesprek", door="m-1"
            )
        return opslaan(*aggregates, **kwargs)

    a.app.save = save_na_concurrent_schrijver  # type: ignore[method-assign]
    nieuw = a.app.actie_toevoegen(
        dossier_id, titel="Huisbezoek", activiteit="uitvoeren_maatregelen", door="vc-1"
    )

    dossier = b.app.dossier(dossier_id)
    assert len(pogingen) == 2
    assert dossier.actie(eerste_actie.id).uitkomst == "gesprek"
    assert dossier.actie(nieuw).titel == "Huisbezoek"


def test_two_writers_opening_for_one_pupil_end_in_one_dossier(
    twee: tuple[Stroom, Stroom],
) -> None:
    a, b = twee
    opslaan = a.app.save
    pogingen: list[int] = []

    def save_na_concurrent_schrijver(*aggregates: Any, **kwargs: Any) -> Any:
        pogingen.append(1)
        if len(pogingen) == 1:  # b opens a dossier for the same pupil first
            b.pas_toe(meldplicht("LL-53", "MP-53b"))
        return opslaan(*aggregates, **kwargs)

    a.app.save = save_na_concurrent_schrijver  # type: ignore[method-assign]
    a.pas_toe(meldplicht("LL-53", "MP-53a"))

    assert len(pogingen) == 2
    [dossier] = b.app.dossiers(SCHOOL)
    assert set(dossier.meldplichten) == {str(uid("MP-53a")), str(uid("MP-53b"))}


def test_worklist_defaults_to_the_clock_date(app: Opvolging, stroom: Stroom) -> None:
    stroom.pas_toe(meldplicht("LL-54", "MP-54"))  # mentor action due 25 September

    [regel] = app.werklijst(SCHOOL, "mentor")  # the app's clock says 1 October

    assert regel.dagen_te_laat == 6
