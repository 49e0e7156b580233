"""Crypto-shredding in registratie: personal fields sealed with the pupil's own key,
erasure on request, the retention period, and the command that runs both.

The `app` fixture stores without the store cipher, so what the raw file shows here
is what the per-pupil key alone hides. All names, numbers and texts are made up.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.utils import get_topic

from leerplicht.fixtures import TC_2526, VO_ROOSTER
from plumbing.security.sleutelkluis import VERNIETIGD
from plumbing.store import store_env
from services.registratie.application import Registratie
from services.registratie.contracts_mapping import Uitgaand, to_contract
from services.registratie.domain.afmelding import AfmeldingSoort
from services.registratie.domain.classificatie import Status
from services.registratie.domain.fouten import LeerlingGewist
from services.registratie.domain.leerling import Leerling
from services.registratie.domain.school import rooster_naar_dict
from services.registratie.domain.tijd import AMSTERDAM
from services.registratie.domain.verlof import Uitkomst, VerlofSoort
from services.registratie.modellen import (
    AfmeldingInvoer,
    BesluitInvoer,
    LeerlingInvoer,
    SchoolInvoer,
    VerlofaanvraagInvoer,
)
from services.registratie.service import Settings
from services.registratie.service_app import RegistratieDienst, pgn_sleutel
from services.registratie.wissen import main
from services.registratie.wissing import Wisgrond
from tests.conftest import nieuw_bsn
from tests.registratie.conftest import REDENEN, Klok

BSN = "123456782"  # constructed test value, never issued
LEERLINGNUMMER = "LLN-4711-ZX"
GEBOORTEDATUM = date(2011, 3, 10)
OPMERKING = "Koorts en keelontsteking na het werkweekkamp"
TOELICHTING = "Uitvaart van grootvader Testbeek in Proefdorp"
DINSDAG = date(2025, 11, 4)


def _rauw(directory: Path, naam: str) -> bytes:
    """Every byte of a SQLite store, its WAL included."""
    return b"".join(
        p.read_bytes() for p in directory.iterdir() if p.name.startswith(naam)
    )


def _school(app: Registratie) -> UUID:
    invoer = SchoolInvoer(
        brin="05KO",
        naam="Testschool VO",
        sector="vo",
        regio="midden",
        rooster=rooster_naar_dict(VO_ROOSTER),
        redenen=REDENEN,
    )
    return app.registreer_school(invoer, [TC_2526]).school_id


def _leerling(
    app: Registratie, school_id: UUID, tot: date | None = None, pgn: str = BSN
) -> UUID:
    invoer = LeerlingInvoer(
        school_id=school_id,
        leerling_id=uuid4(),
        leerlingnummer=LEERLINGNUMMER,
        geboortedatum=GEBOORTEDATUM,
        pgn=pgn,
        woongemeente="0344",
        inschrijving_vanaf=date(2021, 8, 1),
        inschrijving_tot=tot,
    )
    return app.registreer_leerling(invoer).leerling_id


def _afwezig(app: Registratie, leerling: UUID, bron_id: str, **extra: Any) -> UUID:
    record = {
        "bron": "somtoday",
        "bronId": bron_id,
        "leerlingId": str(leerling),
        "datum": DINSDAG.isoformat(),
        "lesuurVan": 1,
        "lesuurTot": 4,
        "redenCode": "A",
        **extra,
    }
    return app.registreer_afwezigheid(record).afwezigheid.afwezigheid_id


def _verlof_met_besluit(app: Registratie, leerling: UUID) -> UUID:
    aanvraag = app.dien_verlofaanvraag_in(
        VerlofaanvraagInvoer(
            leerling_id=leerling,
            soort=VerlofSoort.GEWICHTIGE_OMSTANDIGHEDEN,
            van=date(2025, 11, 20),
            tot=date(2025, 11, 20),
            ingediend_op=date(2025, 11, 10),
            omstandigheid="overlijden_2e_graad",
        )
    )
    app.besluit_verlof(
        aanvraag.aanvraag_id,
        BesluitInvoer(
            uitkomst=Uitkomst.GRANTED, door="test:directeur", toelichting=TOELICHTING
        ),
    )
    return aanvraag.aanvraag_id


def _statussen(app: Registratie, leerling: UUID) -> list[tuple[date, int, Status]]:
    return [
        (dag.datum, slot.lesuur, slot.status)
        for dag in app.verzuimdagen(leerling, date(2025, 11, 3), date(2025, 11, 21))
        for slot in dag.slots
    ]


@pytest.fixture
def leerling_met_gegevens(app: Registratie) -> tuple[UUID, UUID, UUID]:
    """A pupil with a BSN, an absence with a remark and a decided leave request."""
    leerling = _leerling(app, _school(app))
    afwezigheid = _afwezig(app, leerling, "R-1", opmerking=OPMERKING)
    aanvraag = _verlof_met_besluit(app, leerling)
    return leerling, afwezigheid, aanvraag


def test_personal_fields_are_sealed_with_the_pupils_key(
    app: Registratie, leerling_met_gegevens: tuple[UUID, UUID, UUID], tmp_path: Path
) -> None:
    leerling, afwezigheid, aanvraag = leerling_met_gegevens

    rauw = _rauw(tmp_path, "registratie.db")
    for geheim in (BSN, LEERLINGNUMMER, GEBOORTEDATUM.isoformat(), OPMERKING):
        assert geheim.encode() not in rauw, geheim
    assert TOELICHTING.encode() not in rauw
    assert b"pv1:" in rauw  # sealed, not left out
    assert b"ongeoorloofd" in rauw  # the store cipher is off: counts stay readable
    # The application reads them back as they came in.
    assert app.leerling(leerling).geboortedatum == GEBOORTEDATUM
    assert app.afwezigheid(afwezigheid).invoer["opmerking"] == OPMERKING
    assert app.verlofaanvraag(aanvraag).toelichting == TOELICHTING
    # A re-sent record is still recognised as the same one.
    _afwezig(app, leerling, "R-1", opmerking=OPMERKING)
    assert app.afwezigheid(afwezigheid).versie == 1


def test_erasing_destroys_the_data_and_keeps_the_counts(
    app: Registratie,
    leerling_met_gegevens: tuple[UUID, UUID, UUID],
    klok: Klok,
    db_pad: str,
) -> None:
    leerling, afwezigheid, aanvraag = leerling_met_gegevens
    statussen = _statussen(app, leerling)
    assert (DINSDAG, 1, Status.ONGEOORLOOFD) in statussen

    resultaat = app.wis_persoonsgegevens(leerling, Wisgrond.VERZOEK, "test:beheer")

    assert resultaat.nieuw
    view = app.leerling(leerling)
    assert view.geboortedatum is None
    assert view.gewist_op == klok.nu
    assert view.woongemeente == "0344"  # not identifying: it stays
    assert app.afwezigheid(afwezigheid).invoer["opmerking"] == VERNIETIGD
    assert app.afwezigheid(afwezigheid).invoer["redenCode"] == "A"
    assert app.verlofaanvraag(aanvraag).toelichting == VERNIETIGD
    assert app.verlofaanvraag(aanvraag).uitkomst is Uitkomst.GRANTED
    assert _statussen(app, leerling) == statussen

    # The fact says who, when and why, and nothing about the pupil.
    feiten = app.recorder.select_notifications(
        1, 100, topics=[get_topic(Leerling.PersoonsgegevensGewist)]
    )
    assert len(feiten) == 1
    feit = app.mapper.to_domain_event(feiten[0])
    assert (feit.grond, feit.door, feit.op) == ("verzoek", "test:beheer", klok.nu)
    assert set(vars(feit)) - {"originator_id", "originator_version", "timestamp"} == {
        "leerling_id",
        "grond",
        "door",
        "op",
    }

    # Nothing new is recorded about the pupil.
    with pytest.raises(LeerlingGewist):
        _afwezig(app, leerling, "R-2", opmerking="nieuwe tekst")
    with pytest.raises(LeerlingGewist):
        _leerling_opnieuw(app, leerling)
    with pytest.raises(LeerlingGewist):
        app.registreer_afmelding(
            AfmeldingInvoer(
                leerling_id=leerling, soort=AfmeldingSoort.ZIEK, van=DINSDAG
            )
        )
    # Erasing again changes nothing.
    assert not app.wis_persoonsgegevens(leerling, Wisgrond.VERZOEK, "x").nieuw

    # After a restart the data is gone from the store too, and the daily jobs
    # (reassessment, a school closure) pass the pupil by.
    app.close()
    opnieuw = Registratie(
        env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": db_pad},
        klok=klok,
    )
    try:
        assert opnieuw.leerling(leerling).geboortedatum is None
        assert opnieuw.afwezigheid(afwezigheid).invoer["opmerking"] == VERNIETIGD
        klok.zet(date(2025, 11, 24), time(9))
        opnieuw.herbeoordeel(date(2025, 11, 24))
        opnieuw.sluit_school(
            opnieuw.leerling(leerling).school_id,
            DINSDAG,
            DINSDAG,
            "storing",
        )
        assert _statussen(opnieuw, leerling) == statussen
    finally:
        opnieuw.close()


def _leerling_opnieuw(app: Registratie, leerling: UUID) -> None:
    app.registreer_leerling(
        LeerlingInvoer(
            school_id=app.leerling(leerling).school_id,
            leerling_id=leerling,
            geboortedatum=GEBOORTEDATUM,
            pgn=BSN,
            woongemeente="0344",
            inschrijving_vanaf=date(2021, 8, 1),
        )
    )


def test_an_interrupted_erasure_is_finished_by_running_it_again(
    app: Registratie,
    leerling_met_gegevens: tuple[UUID, UUID, UUID],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    leerling, afwezigheid, _ = leerling_met_gegevens
    assert app.kluis is not None

    def stroomuitval(leerling_id: UUID) -> bool:
        raise OSError("disk gone")

    with monkeypatch.context() as patch:
        patch.setattr(app.kluis, "vernietig", stroomuitval)
        with pytest.raises(OSError):
            app.wis_persoonsgegevens(leerling, Wisgrond.VERZOEK, "test:beheer")
    # The fact was stored first: the pupil is frozen and shows nothing.
    assert app.leerling(leerling).geboortedatum is None
    assert not app.kluis.is_vernietigd(leerling)

    assert not app.wis_persoonsgegevens(leerling, Wisgrond.VERZOEK, "x").nieuw
    assert app.kluis.is_vernietigd(leerling)
    assert app.afwezigheid(afwezigheid).invoer["opmerking"] == VERNIETIGD


def test_the_retention_period_erases_who_left_longer_ago(
    app: Registratie, klok: Klok
) -> None:
    school = _school(app)
    lang_weg = _leerling(app, school, tot=date(2023, 7, 15))
    net_weg = _leerling(app, school, tot=date(2025, 7, 15), pgn=nieuw_bsn())
    nog_hier = _leerling(app, school, pgn=nieuw_bsn())
    vandaag = klok.nu.date()  # 2025-11-10

    assert app.verlopen_inschrijvingen(vandaag, 730) == [lang_weg]
    gewist = app.wis_verlopen(vandaag, 730, "test:bewaartermijn")

    assert [r.leerling_id for r in gewist] == [lang_weg]
    assert app.leerling(lang_weg).geboortedatum is None
    assert app.leerling(net_weg).geboortedatum == GEBOORTEDATUM
    assert app.verlopen_inschrijvingen(vandaag, 730) == []
    # Two years later the other one's turn has come; the enrolled pupil stays.
    assert app.verlopen_inschrijvingen(vandaag + timedelta(days=730), 730) == [net_weg]
    assert nog_hier not in app.verlopen_inschrijvingen(date(2040, 1, 1), 730)


# -- the command, on the service's own store -----------------------------------------


def _dienst_met_leerlingen(settings: Settings) -> dict[str, UUID]:
    app = RegistratieDienst(env=store_env("registratie", settings))
    app.bind(
        lambda: datetime(2025, 11, 10, 12, tzinfo=AMSTERDAM), pgn_sleutel(settings)
    )
    try:
        school = _school(app)
        return {
            "lang_weg": _leerling(app, school, tot=date(2023, 7, 15)),
            "net_weg": _leerling(app, school, tot=date(2025, 7, 15), pgn="999990019"),
            "nog_hier": _leerling(app, school, pgn="111222333"),
        }
    finally:
        app.close()


def _lees(settings: Settings, leerling: UUID) -> tuple[date | None, list[Any]]:
    """The pupil's date of birth and the registration messages the relay would
    publish again, read from the store as a fresh process does."""
    app = RegistratieDienst(env=store_env("registratie", settings))
    try:
        berichten = [
            to_contract(app.mapper.to_domain_event(n))
            for n in app.recorder.select_notifications(
                1, 10_000, topics=[get_topic(Uitgaand)]
            )
        ]
        return app.leerling(leerling).geboortedatum, [
            b
            for b in berichten
            if b is not None and getattr(b, "leerling_id", None) == leerling
        ]
    finally:
        app.close()


def test_the_command_erases_on_request_and_by_retention_period(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def settings(vandaag: str, **extra: Any) -> Settings:
        return Settings(verzuim_data_dir=tmp_path, verzuim_klok=vandaag, **extra)

    leerlingen = _dienst_met_leerlingen(settings("2025-11-10"))
    assert _lees(settings("2025-11-10"), leerlingen["lang_weg"])[0] == GEBOORTEDATUM

    assert main(["bewaartermijn", "--proef"], settings("2025-11-10")) == 0
    assert f"zou wissen: {leerlingen['lang_weg']}" in capsys.readouterr().out
    assert _lees(settings("2025-11-10"), leerlingen["lang_weg"])[0] == GEBOORTEDATUM

    assert main(["--door", "test:beheer", "bewaartermijn"], settings("2025-11-10")) == 0
    uit = capsys.readouterr().out
    assert f"gewist: {leerlingen['lang_weg']}" in uit
    assert str(leerlingen["net_weg"]) not in uit
    geboortedatum, berichten = _lees(settings("2025-11-10"), leerlingen["lang_weg"])
    assert geboortedatum is None
    # Its registration is not published again; the erasure is, for the services
    # that hold a copy (`LeerlingGewist`), on the retention ground.
    assert [(type(b).__name__, b.grond) for b in berichten] == [
        ("LeerlingGewist", "bewaartermijn")
    ]
    assert _lees(settings("2025-11-10"), leerlingen["net_weg"])[1]  # others are

    # The clock and the period are settings: later, or shorter, erases more.
    korter = settings("2025-11-10", verzuim_bewaartermijn_dagen=100)
    assert main(["bewaartermijn"], korter) == 0
    assert f"gewist: {leerlingen['net_weg']}" in capsys.readouterr().out

    assert main(["leerling", str(leerlingen["nog_hier"])], settings("2025-11-10")) == 0
    assert capsys.readouterr().out.startswith("gewist:")
    assert main(["leerling", str(leerlingen["nog_hier"])], settings("2025-11-10")) == 0
    assert capsys.readouterr().out.startswith("was al gewist:")
    assert main(["leerling", str(uuid4())], settings("2025-11-10")) == 1
    # The vault holds the pupils' keys: readable by this user only.
    assert (tmp_path / "sleutelkluis.sqlite").stat().st_mode & 0o077 == 0


def test_without_a_store_on_disk_nothing_is_sealed_or_erased() -> None:
    app = Registratie(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    try:
        assert app.kluis is None
        with pytest.raises(RuntimeError):
            app.wis_persoonsgegevens(uuid4(), Wisgrond.VERZOEK, "x")
    finally:
        app.close()
