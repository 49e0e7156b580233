"""Fixtures for the opvolging tests. All pupils, schools and people are made up."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from services.opvolging.application import Opvolging
from services.opvolging.domain.beleid import Opvolgingsbeleid
from services.opvolging.domain.dossier import Dossier
from services.opvolging.domain.handeling import Handeling
from tests.opvolging.dienst import Dienst

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
SCHOOL = "99XX-01"
LEERLING = "LL-1001"

MaakHandeling = Callable[..., Handeling]


@pytest.fixture
def h() -> MaakHandeling:
    """h("2025-09-18", door="vc-1", tijd="09:00") → who and when, Amsterdam time."""

    def maak(dag: str, door: str = "vc-1", tijd: str = "09:00") -> Handeling:
        moment = datetime.fromisoformat(f"{dag}T{tijd}").replace(tzinfo=AMSTERDAM)
        return Handeling(door, moment)

    return maak


@pytest.fixture
def beleid() -> Opvolgingsbeleid:
    return Opvolgingsbeleid()


@pytest.fixture
def dossier_met_meldplicht(h: MaakHandeling, beleid: Opvolgingsbeleid) -> Dossier:
    """A pupil crossed 16 hours (S01 dates): a dossier with the first ladder step."""
    dossier = Dossier.open(
        leerling_id=LEERLING, school_id=SCHOOL, handeling=h("2025-09-18", "analyse")
    )
    dossier.meldplicht_ontvangen(
        meldplicht_id="MP-1",
        soort="V3",
        begindatum=date(2025, 9, 15),
        einddatum=date(2025, 9, 17),
        vervaldatum=date(2025, 9, 24),
        achterstallig=False,
        toelichting="16 lesuren ongeoorloofd",
        beleid=beleid,
        handeling=h("2025-09-18", "analyse"),
    )
    return dossier


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Opvolging]:
    env = {
        "PERSISTENCE_MODULE": "plumbing.store:SQLiteStore",
        "SQLITE_DBNAME": str(tmp_path / "opvolging.db"),
    }
    opvolging = Opvolging(env, klok=lambda: datetime(2025, 10, 1, 9, tzinfo=AMSTERDAM))
    yield opvolging
    opvolging.close()


@pytest.fixture
async def dienst(broker: str, tmp_path: Path, unique: str) -> AsyncIterator[Dienst]:
    """Opvolging on the real broker with its own topic prefix; the clock starts on
    Thursday 18 September 2025 and moves when the test writes it."""
    running = Dienst(broker, tmp_path, f"t{unique}.")
    running.zet_klok(datetime(2025, 9, 18, 9, tzinfo=AMSTERDAM))
    await running.start()
    try:
        yield running
    finally:
        await running.stop()
