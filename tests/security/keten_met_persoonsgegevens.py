"""The chain with a pupil's personal data at every door, for the security tests.

The four services run in-process on the embedded broker (`tests.e2e.harness`), on
SQLite files or on PostgreSQL (`opslag`), without any key configured: the store
key is made once in the data dir. `door_de_keten` sends a pupil with a BSN, a
school contact with a name, an absence whose remark gives an illness, a leave
decision with a reason and a follow-up action that names a person through the
chain until ketenkoppeling has filed the melding at the DUO stand-in. The
fixtures are registered in this package's conftest. All names, numbers and texts
are made up.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest

from plumbing.clock import AMSTERDAM, FileClock
from services.registratie.domain.school import school_id_voor
from standins.duo import DuoStandin, HandKlok, Register, StandinInThread
from tests.conftest import POSTGRES_DSN
from tests.e2e.harness import Keten, wait_for
from tests.registratie.service_dienst import school_body

BRIN = "99ZZ"
SCHOOL = school_id_voor(BRIN, "00")
VANDAAG = date(2025, 9, 17)

BSN = "123456782"  # constructed, never issued
GEBOORTEDATUM = "2010-12-29"
NAAM = "Zwaantje Proefmeijer-Testbeek"
ZIEKTE = "Hevige middenoorontsteking met koorts"
REDEN_BESLUIT = "Begrafenis van oudoom in Verzonnendorp"
GEHEIMEN = (BSN, GEBOORTEDATUM, NAAM, ZIEKTE, REDEN_BESLUIT)


# -- the chain ------------------------------------------------------------------------


@pytest.fixture
def standin() -> Iterator[tuple[DuoStandin, Any]]:
    klok = HandKlok(datetime.combine(VANDAAG, time(9), AMSTERDAM))
    register = Register(
        klok, behandeling_na=timedelta(hours=1), afsluiting_na=timedelta(hours=2)
    )
    dienst = DuoStandin(register, klok, seed=11)
    with StandinInThread(dienst) as server:
        yield dienst, server


@pytest.fixture(params=["sqlite", "postgres"])
def opslag(
    request: pytest.FixtureRequest, unique: str, postgres_available: bool
) -> Iterator[dict[str, Any]]:
    """The store settings: SQLite files, or a database of this test's own (the
    services' schemas carry fixed names)."""
    if request.param == "sqlite":
        yield {"verzuim_store": "sqlite"}
        return
    if not postgres_available:
        pytest.fail("PostgreSQL at 127.0.0.1:5432 is required for this test")
    database = f"t_{unique}"
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')
    try:
        yield {"verzuim_store": "postgres", "postgres_dbname": database}
    finally:
        with psycopg.connect(POSTGRES_DSN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture
async def keten(
    broker: str,
    tmp_path: Path,
    unique: str,
    standin: tuple[DuoStandin, Any],
    opslag: dict[str, Any],
) -> AsyncIterator[Keten]:
    _, server = standin
    klok = tmp_path / "klok"
    FileClock.write(klok, datetime.combine(VANDAAG, time(12), AMSTERDAM))
    keten = Keten(
        broker,
        tmp_path / "data",
        f"t{unique}.",
        scholen=[str(SCHOOL)],
        env={
            **opslag,
            "verzuim_klok": f"file:{klok}",
            "verzuim_cipher_key": None,
            "duo_url": server.basis,
            "duo_status_poll_seconds": 0.2,
            "duo_retry_seconds": 0.1,
            "duo_retry_max_seconds": 0.5,
            "ketenkoppeling_interval_seconds": 0.05,
        },
    )
    await keten.start()
    try:
        yield keten
    finally:
        await keten.stop()


async def ok(antwoord: Any) -> dict[str, Any]:
    assert antwoord.status_code in (200, 201), antwoord.text
    return dict(antwoord.json())


async def door_de_keten(keten: Keten, duo: DuoStandin) -> tuple[UUID, dict[str, Any]]:
    """Personal data in at every door the API has; until DUO holds the melding.
    Returns the pupil and the dossier's action that names a person and an illness."""
    registratie = keten.clients["registratie"]
    contact = {"naam": NAAM, "functie": "verzuimcoördinator", "email": "m@x.example"}
    await ok(
        await registratie.put(
            f"/v1/scholen/{SCHOOL}", json=school_body(BRIN, contactMelder=contact)
        )
    )
    leerling = uuid4()
    await ok(
        await registratie.put(
            f"/v1/leerlingen/{leerling}",
            json={
                "schoolId": str(SCHOOL),
                "leerlingnummer": "4711",
                "geboortedatum": GEBOORTEDATUM,
                "pgn": BSN,
                "woongemeente": "0344",
                "inschrijvingVanaf": "2024-08-01",
            },
        )
    )
    for bron_id, dag, tot in (
        ("P-1", "2025-09-15", 7),
        ("P-2", "2025-09-16", 7),
        ("P-3", "2025-09-17", 2),
    ):
        record = {
            "bron": "somtoday",
            "bronId": bron_id,
            "leerlingId": str(leerling),
            "datum": dag,
            "lesuurVan": 1,
            "lesuurTot": tot,
            "redenCode": "A",
            "opmerking": f"{ZIEKTE} ({bron_id})",
        }
        await ok(await registratie.post("/v1/afwezigheden", json=record))
    await ok(
        await registratie.post(
            "/v1/afmeldingen",
            json={"leerlingId": str(leerling), "soort": "ziek", "van": "2025-09-18"},
        )
    )
    aanvraag = await ok(
        await registratie.post(
            "/v1/verlofaanvragen",
            json={
                "leerlingId": str(leerling),
                "soort": "gewichtige_omstandigheden",
                "van": "2025-10-01",
                "tot": "2025-10-01",
                "omstandigheid": "overlijden_3e_4e_graad",
            },
        )
    )
    await ok(
        await registratie.post(
            f"/v1/verlofaanvragen/{aanvraag['verlofaanvraagId']}/besluit",
            json={"uitkomst": "GRANTED", "toelichting": REDEN_BESLUIT},
        )
    )

    await wait_for(lambda: len(duo.register.meldingen()) >= 1)

    async def dossiers() -> list[dict[str, Any]]:
        antwoord = await keten.clients["opvolging"].get(
            "/v1/dossiers", params={"schoolId": str(SCHOOL)}
        )
        return list((await ok(antwoord))["dossiers"])

    dossier = (await wait_for(dossiers))[0]
    actie = await ok(
        await keten.clients["opvolging"].post(
            f"/v1/dossiers/{dossier['id']}/acties",
            json={"titel": f"Gesprek met {NAAM} over {ZIEKTE}"},
        )
    )
    assert NAAM in actie["titel"]  # stored, and readable to whom may read it
    return leerling, {"dossierId": dossier["id"], **actie}
