"""Fixtures for registratie: an application on a temporary SQLite file with a settable
clock, TC-2526 schools (PO and VO) and fabricated pupils with test BSNs."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date, datetime, time
from pathlib import Path
from uuid import UUID

import pytest

from leerplicht.fixtures import PO_ROOSTER, TC_2425, TC_2526, VO_ROOSTER
from leerplicht.rooster import Rooster
from services.registratie.application import Registratie
from services.registratie.domain.invoer import Soort
from services.registratie.domain.school import RedenCode, rooster_naar_dict
from services.registratie.domain.tijd import AMSTERDAM
from services.registratie.modellen import LeerlingInvoer, SchoolInvoer
from tests.conftest import nieuw_bsn
from tests.registratie.service_dienst import Dienst

# Constructed test values that pass the eleven test; never issued.

REDENEN = [
    RedenCode(code="Z", omschrijving="Ziek", categorie="ziek", geoorloofd=True),
    RedenCode(
        code="A", omschrijving="Afwezig", categorie="spijbelen", geoorloofd=False
    ),
    RedenCode(
        code="V",
        omschrijving="Vakantie",
        categorie="vakantie",
        geoorloofd=False,
        luxe=True,
    ),
    RedenCode(
        code="TL",
        omschrijving="Te laat",
        categorie="te_laat",
        geoorloofd=False,
        soort=Soort.TE_LAAT,
    ),
]


class Klok:
    """A settable clock: tests move time forward explicitly."""

    def __init__(self, nu: datetime) -> None:
        self.nu = nu

    def zet(self, d: date, t: time = time(12, 0)) -> None:
        self.nu = datetime.combine(d, t, tzinfo=AMSTERDAM)

    def __call__(self) -> datetime:
        return self.nu


@pytest.fixture
def klok() -> Klok:
    return Klok(datetime(2025, 11, 10, 12, 0, tzinfo=AMSTERDAM))


@pytest.fixture
def db_pad(tmp_path: Path) -> str:
    return str(tmp_path / "registratie.db")


@pytest.fixture
def app(db_pad: str, klok: Klok) -> Iterator[Registratie]:
    registratie = Registratie(
        env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": db_pad},
        klok=klok,
    )
    yield registratie
    registratie.close()


def _school(app: Registratie, brin: str, sector: str, rooster: Rooster) -> UUID:
    invoer = SchoolInvoer(
        brin=brin,
        naam=f"Testschool {sector.upper()}",
        sector=sector,
        regio="midden",
        rooster=rooster_naar_dict(rooster),
        redenen=REDENEN,
    )
    return app.registreer_school(invoer, [TC_2425, TC_2526]).school_id


@pytest.fixture
def vo_school(app: Registratie) -> UUID:
    return _school(app, "05KO", "vo", VO_ROOSTER)


@pytest.fixture
def po_school(app: Registratie) -> UUID:
    return _school(app, "07NU00", "po", PO_ROOSTER)


@pytest.fixture
def school_met_rooster(app: Registratie) -> Callable[[Rooster], UUID]:
    return lambda rooster: _school(app, "12KB", "vo", rooster)


@pytest.fixture
def nieuwe_leerling(app: Registratie) -> Callable[..., UUID]:
    teller = iter(range(1, 10_000))

    def maak(
        school_id: UUID,
        geboortedatum: date = date(2011, 3, 10),
        pgn: str | None = None,
        **extra: object,
    ) -> UUID:
        nummer = next(teller)
        invoer = LeerlingInvoer(
            school_id=school_id,
            leerlingnummer=str(100000 + nummer),
            geboortedatum=geboortedatum,
            pgn=pgn or nieuw_bsn(),
            woongemeente="0344",
            inschrijving_vanaf=date(2021, 8, 1),
            **extra,  # type: ignore[arg-type]
        )
        return app.registreer_leerling(invoer).leerling_id

    return maak


@pytest.fixture
async def dienst(broker: str, unique: str, tmp_path: Path) -> AsyncIterator[Dienst]:
    """The running service (`service_dienst.Dienst`) with its schools A and B."""
    dienst = Dienst(broker, tmp_path, f"t{unique}.")
    await dienst.start(date(2025, 11, 20))
    await dienst.scholen()
    try:
        yield dienst
    finally:
        await dienst.stop()
