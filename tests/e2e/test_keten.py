"""The thin slice through all four services on the real broker.

A pupil is registered at registratie, unauthorised absence is posted until the
16-hour duty holds (scenario S01), analyse counts it, opvolging opens a dossier and
ketenkoppeling files the verzuimmelding at the DUO stand-in: exactly one, also when
services are stopped and started again in the middle.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, time, timedelta
from uuid import UUID, uuid4

import pytest

from plumbing.clock import AMSTERDAM, FileClock
from services.registratie.domain.school import school_id_voor
from standins.duo import DuoStandin, HandKlok, Register, StandinInThread
from tests.e2e.harness import Keten, wait_for
from tests.registratie.service_dienst import BSN, school_body

BRIN = "99ZZ"
SCHOOL = school_id_voor(BRIN, "00")
VANDAAG = date(2025, 9, 17)


@pytest.fixture
def standin():
    klok = HandKlok(datetime.combine(VANDAAG, time(9), AMSTERDAM))
    register = Register(
        klok, behandeling_na=timedelta(hours=1), afsluiting_na=timedelta(hours=2)
    )
    dienst = DuoStandin(register, klok, seed=7)
    with StandinInThread(dienst) as server:
        yield dienst, server


@pytest.fixture
async def keten(broker, tmp_path, unique, standin):
    _, server = standin
    klok = tmp_path / "klok"
    FileClock.write(klok, datetime.combine(VANDAAG, time(12), AMSTERDAM))
    keten = Keten(
        broker,
        tmp_path,
        f"t{unique}.",
        scholen=[str(SCHOOL)],
        env={
            "verzuim_klok": f"file:{klok}",
            "duo_url": server.basis,
            "duo_status_poll_seconds": 0.2,
            "duo_retry_seconds": 0.1,
            "duo_retry_max_seconds": 0.5,
            "ketenkoppeling_interval_seconds": 0.05,
        },
    )
    await keten.start()
    yield keten
    await keten.stop()


async def register_pupil(keten: Keten) -> UUID:
    registratie = keten.clients["registratie"]
    answer = await registratie.put(f"/v1/scholen/{SCHOOL}", json=school_body(BRIN))
    assert answer.status_code in (200, 201), answer.text
    leerling = uuid4()
    answer = await registratie.put(
        f"/v1/leerlingen/{leerling}",
        json={
            "schoolId": str(SCHOOL),
            "geboortedatum": "2011-03-10",
            "pgn": BSN,
            "woongemeente": "0344",
            "inschrijvingVanaf": "2024-08-01",
        },
    )
    assert answer.status_code in (200, 201), answer.text
    return leerling


async def post_absence(keten: Keten, leerling: UUID, bron_id: str, dag: str, tot: int):
    answer = await keten.clients["registratie"].post(
        "/v1/afwezigheden",
        json={
            "bron": "somtoday",
            "bronId": bron_id,
            "leerlingId": str(leerling),
            "datum": dag,
            "lesuurVan": 1,
            "lesuurTot": tot,
            "redenCode": "A",
        },
    )
    assert answer.status_code in (200, 201), answer.text


async def meldingen_at(keten: Keten, status: str | None = None) -> list[dict]:
    params = {"schoolId": str(SCHOOL)} | ({"status": status} if status else {})
    answer = await keten.clients["ketenkoppeling"].get(
        "/v1/verzuimmeldingen", params=params
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    return body["verzuimmeldingen"] if isinstance(body, dict) else body


async def test_sixteen_hours_become_exactly_one_melding_at_duo(keten, standin):
    dienst, _ = standin
    leerling = await register_pupil(keten)

    for bron_id, dag, tot in (
        ("S01-1", "2025-09-15", 7),
        ("S01-2", "2025-09-16", 7),
        ("S01-3", "2025-09-17", 2),
    ):
        await post_absence(keten, leerling, bron_id, dag, tot)

    await wait_for(lambda: len(dienst.register.meldingen()) >= 1)
    await asyncio.sleep(2.0)  # anything that would send twice has had its chance
    held = dienst.register.meldingen()
    assert len(held) == 1

    duties = (
        await keten.clients["analyse"].get(
            "/v1/meldplichten", params={"schoolId": str(SCHOOL)}
        )
    ).json()
    duties = duties["meldplichten"] if isinstance(duties, dict) else duties
    assert [(d["verzuimsoort"], d["begindatum"], d["einddatum"]) for d in duties] == [
        ("V3", "2025-09-15", "2025-09-17")
    ]

    dossiers = (
        await keten.clients["opvolging"].get(
            "/v1/dossiers", params={"schoolId": str(SCHOOL)}
        )
    ).json()
    dossiers = dossiers["dossiers"] if isinstance(dossiers, dict) else dossiers
    assert len(dossiers) == 1

    accepted = await wait_for(lambda: meldingen_at(keten, "geregistreerd"))
    assert len(accepted) == 1
    assert accepted[0]["meldingsnummer"]


async def test_restarting_services_midway_still_gives_exactly_one_melding(
    keten, standin
):
    dienst, _ = standin
    leerling = await register_pupil(keten)
    await post_absence(keten, leerling, "R-1", "2025-09-15", 7)
    await post_absence(keten, leerling, "R-2", "2025-09-16", 7)

    # Analyse and ketenkoppeling go down; registratie keeps taking absence.
    await keten.stop_service("ketenkoppeling")
    await keten.stop_service("analyse")
    await post_absence(keten, leerling, "R-3", "2025-09-17", 2)
    await post_absence(keten, leerling, "R-3", "2025-09-17", 2)  # a SIS retry
    await keten.start_service("analyse")
    await asyncio.sleep(1.0)
    await keten.start_service("ketenkoppeling")

    try:
        await wait_for(lambda: len(dienst.register.meldingen()) >= 1)
    except AssertionError:
        print("meldingen at ketenkoppeling:", await meldingen_at(keten))
        raise
    # Restart ketenkoppeling once more right after it sent: no second melding.
    await keten.restart_service("ketenkoppeling")
    await wait_for(lambda: meldingen_at(keten, "geregistreerd"))
    await asyncio.sleep(2.0)
    assert len(dienst.register.meldingen()) == 1
