"""The PGN index itself: what it stores, and filling it for pupils registered
before it existed. The numbers are made up (eleven test)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from uuid import UUID

import pytest

from leerplicht.fixtures import VO_ROOSTER
from plumbing.security.crypto import BsnHasher
from plumbing.store import store_env
from services.registratie.application import Registratie
from services.registratie.domain.tijd import AMSTERDAM
from services.registratie.indexeren import main as indexeren
from services.registratie.modellen import LeerlingInvoer
from services.registratie.pgnindex import PgnIndex
from services.registratie.service import Settings
from services.registratie.service_app import RegistratieDienst, pgn_sleutel
from services.registratie.wissing import Wisgrond
from tests.conftest import nieuw_bsn
from tests.registratie.conftest import _school


@contextlib.contextmanager
def _zonder_index() -> Iterator[None]:
    """Registrations as a version before the index made them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(PgnIndex, "leg_vast", lambda *args, **kwargs: False)
        yield


def _gevonden(app: Registratie, school: UUID, pgn: str) -> list[UUID]:
    return app.pgn_index.zoek(app, [school], pgn)


def test_the_store_holds_neither_the_number_nor_its_hash(
    app: Registratie,
    vo_school: UUID,
    nieuwe_leerling: Callable[..., UUID],
    db_pad: str,
) -> None:
    bsn = nieuw_bsn()
    leerling = nieuwe_leerling(vo_school, pgn=bsn)
    assert _gevonden(app, vo_school, bsn) == [leerling]

    ruw = Path(db_pad).read_bytes()
    with contextlib.closing(sqlite3.connect(db_pad)) as conn:
        rijen = conn.execute("SELECT originator_id FROM stored_events")
        ids = " ".join(str(rij[0]) for rij in rijen)
    digest = BsnHasher.beside_store(app.env).digest(bsn)  # the key it was made with
    for geheim in (bsn, digest):
        assert geheim.encode() not in ruw
        assert geheim not in ids


def test_pupils_registered_before_the_index_are_added_once(
    app: Registratie,
    vo_school: UUID,
    po_school: UUID,
    nieuwe_leerling: Callable[..., UUID],
) -> None:
    bsn, dubbel_bsn, gewist_bsn = nieuw_bsn(), nieuw_bsn(), nieuw_bsn()
    with _zonder_index():
        oud = nieuwe_leerling(vo_school, pgn=bsn)
        elders = nieuwe_leerling(po_school, pgn=bsn)  # another enrolment (D16)
        eerste = nieuwe_leerling(vo_school, pgn=dubbel_bsn)
        tweede = nieuwe_leerling(vo_school, pgn=dubbel_bsn)
        gewist = nieuwe_leerling(vo_school, pgn=gewist_bsn)
    app.wis_persoonsgegevens(gewist, Wisgrond.VERZOEK, "test:beheer")
    assert _gevonden(app, vo_school, bsn) == []

    resultaat = app.vul_pgn_index()

    assert (resultaat.leerlingen, resultaat.toegevoegd) == (4, 3)
    assert len(resultaat.dubbel) == 1
    assert set(resultaat.dubbel[0]) == {eerste, tweede}
    assert _gevonden(app, vo_school, bsn) == [oud]
    assert _gevonden(app, po_school, bsn) == [elders]
    assert _gevonden(app, vo_school, gewist_bsn) == []
    again = app.vul_pgn_index()
    assert (again.toegevoegd, len(again.dubbel)) == (0, 1)


def _dienst(settings: Settings) -> RegistratieDienst:
    app = RegistratieDienst(env=store_env("registratie", settings))
    app.bind(
        lambda: datetime(2025, 11, 10, 12, tzinfo=AMSTERDAM),
        pgn_sleutel(settings),
        BsnHasher.from_settings(settings),
    )
    return app


def test_the_command_fills_the_services_own_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(verzuim_data_dir=tmp_path, verzuim_klok="2025-11-10")
    bsn = nieuw_bsn()
    app = _dienst(settings)
    try:
        school = _school(app, "05KO", "vo", VO_ROOSTER)
        with _zonder_index():
            leerling = app.registreer_leerling(
                LeerlingInvoer(
                    school_id=school,
                    geboortedatum=date(2011, 3, 10),
                    pgn=bsn,
                    woongemeente="0344",
                    inschrijving_vanaf=date(2024, 8, 1),
                )
            ).leerling_id
    finally:
        app.close()

    assert indexeren([], settings) == 0
    assert "1 van 1 leerling(en) toegevoegd, 0 dubbel" in capsys.readouterr().out

    app = _dienst(settings)  # as the service finds it after a restart
    try:
        assert _gevonden(app, school, bsn) == [leerling]
    finally:
        app.close()
