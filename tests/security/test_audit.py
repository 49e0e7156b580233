"""The audit trail: batched writes, queries by pupil, school, caller and time."""

from __future__ import annotations

import importlib.util
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import Depends, FastAPI

from plumbing.security._database import Database
from plumbing.security.access import note_leerlingen
from plumbing.security.apikeys import ApiKeyStore
from plumbing.security.audit import CHANGE, READ, AuditLog, AuditRecord
from plumbing.security.audit_api import audit_router
from plumbing.security.audit_trail import AuditMiddleware, AuditTrail
from plumbing.security.callers import Caller, CallerKind, Rol
from plumbing.security.dependencies import (
    Authenticator,
    ensure_school,
    install_authenticator,
    require_roles,
)
from plumbing.security.settings import SecuritySettings

_spec = importlib.util.spec_from_file_location(
    "security_conftest", Path(__file__).with_name("conftest.py")
)
assert _spec is not None and _spec.loader is not None
_conftest = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("security_conftest", _conftest)
_spec.loader.exec_module(_conftest)
add_problem_handlers = _conftest.add_problem_handlers

T0 = datetime(2025, 3, 10, 8, 30, tzinfo=UTC)
MENTOR = Caller(
    id="medewerker-1",
    kind=CallerKind.PERSOON,
    bestuur="bestuur-1",
    scholen=frozenset({"school-a"}),
    rollen=frozenset({Rol.MENTOR}),
)
SIS = Caller(
    id="apikey:0123456789abcdef",
    kind=CallerKind.SYSTEEM,
    bestuur="bestuur-1",
    scholen=frozenset({"school-a", "school-b"}),
    rollen=frozenset({Rol.SIS}),
)


@pytest.fixture
def log(settings: SecuritySettings) -> Iterator[AuditLog]:
    log = AuditLog.from_settings(settings)
    yield log
    log.close()


def record(
    caller: Caller, leerling: UUID, school: str, minutes: int, methode: str = "GET"
):
    return AuditRecord.of(
        caller,
        methode=methode,
        pad="/v1/leerlingen/{leerlingId}",
        status=200,
        leerling_id=leerling,
        school_id=school,
        tijdstip=T0 + timedelta(minutes=minutes),
    )


def test_records_are_found_by_pupil_school_caller_and_time(log: AuditLog) -> None:
    anna, bram = uuid4(), uuid4()
    log.append(
        record(MENTOR, anna, "school-a", 0),
        record(SIS, anna, "school-a", 5, methode="PUT"),
        record(SIS, bram, "school-b", 10, methode="POST"),
        record(MENTOR, bram, "school-b", 15),
    )

    by_pupil = log.query(leerling_id=anna)
    by_school = log.query(school_ids={"school-b"})
    by_caller = log.query(caller_id=SIS.id)
    by_time = log.query(vanaf=T0 + timedelta(minutes=5), tot=T0 + timedelta(minutes=15))

    assert [(r.caller_id, r.actie) for r in by_pupil] == [
        (SIS.id, CHANGE),
        (MENTOR.id, READ),
    ]
    assert {r.leerling_id for r in by_school} == {bram}
    assert [r.methode for r in by_caller] == ["POST", "PUT"]
    assert [r.tijdstip for r in by_time] == [
        T0 + timedelta(minutes=10),
        T0 + timedelta(minutes=5),
    ]
    assert log.query(school_ids=set()) == []
    assert by_pupil[0].rollen == ("sis",)
    assert by_pupil[0].pad == "/v1/leerlingen/{leerlingId}"


def test_time_filters_respect_the_offset(log: AuditLog) -> None:
    leerling = uuid4()
    log.append(record(MENTOR, leerling, "school-a", 0))
    amsterdam = T0.astimezone(ZoneInfo("Europe/Amsterdam"))  # 09:30+01:00 is 08:30 UTC

    assert len(log.query(vanaf=amsterdam)) == 1
    assert log.query(tot=amsterdam) == []


def test_pages_go_from_new_to_old(log: AuditLog) -> None:
    leerling = uuid4()
    log.append(*(record(MENTOR, leerling, "school-a", minute) for minute in range(7)))

    first = log.query(leerling_id=leerling, limit=3)
    second = log.query(leerling_id=leerling, limit=3, voor_positie=first[-1].positie)
    third = log.query(leerling_id=leerling, limit=3, voor_positie=second[-1].positie)

    minutes = [
        int((r.tijdstip - T0).total_seconds() // 60) for r in first + second + third
    ]
    assert minutes == [6, 5, 4, 3, 2, 1, 0]


def test_the_query_table_catches_up_with_events_it_missed(
    log: AuditLog, settings: SecuritySettings
) -> None:
    leerling = uuid4()
    # A crash after storing the events, before indexing them:
    log.save(
        record(MENTOR, leerling, "school-a", 0), record(MENTOR, leerling, "school-a", 1)
    )

    assert len(log.query(leerling_id=leerling)) == 2

    # The table is a projection: dropped, it is rebuilt from the log.
    database = Database.for_settings(settings, "audit")
    database.execute("DELETE FROM audit_index")
    database.execute("DELETE FROM audit_index_positie")
    assert len(log.query(leerling_id=leerling)) == 2


def test_the_trail_flushes_on_time_on_size_and_on_close(log: AuditLog) -> None:
    leerling = uuid4()
    trail = AuditTrail(log, flush_seconds=0.05, batch_size=1000)
    trail.add(record(MENTOR, leerling, "school-a", 0))
    deadline = time.monotonic() + 5
    while trail.pending and time.monotonic() < deadline:
        time.sleep(0.01)
    assert trail.pending == 0
    trail.close()

    sized = AuditTrail(log, flush_seconds=60, batch_size=10)
    sized.add(*(record(MENTOR, leerling, "school-a", m) for m in range(1, 11)))
    deadline = time.monotonic() + 5
    while sized.pending and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sized.pending == 0
    sized.add(record(MENTOR, leerling, "school-a", 11))
    sized.close()

    assert len(log.query(leerling_id=leerling, limit=100)) == 12


def test_records_wait_when_the_store_fails(log: AuditLog, monkeypatch) -> None:
    leerling = uuid4()
    original = log.append
    calls = {"n": 0}

    def failing_once(*records: AuditRecord) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("disk full")
        original(*records)

    monkeypatch.setattr(log, "append", failing_once)
    trail = AuditTrail(log, flush_seconds=60, batch_size=100)
    trail.add(*(record(MENTOR, leerling, "school-a", m) for m in range(3)))

    assert trail.flush() == 0
    assert trail.pending == 3
    assert trail.flush() == 3
    trail.close()
    assert len(log.query(leerling_id=leerling)) == 3


# -- through HTTP ----------------------------------------------------------------------

LEERLING_A = uuid4()
LEERLING_B = uuid4()
SCHOOL_VAN = {LEERLING_A: "school-a", LEERLING_B: "school-b"}
MAG_LEZEN = require_roles(Rol.MENTOR, Rol.SIS)


def build_app(log: AuditLog, trail: AuditTrail, keys: ApiKeyStore) -> FastAPI:
    app = FastAPI()
    add_problem_handlers(app)
    install_authenticator(app, Authenticator(api_keys=keys))
    app.include_router(audit_router(log), prefix="/v1")

    @app.get("/v1/leerlingen/{leerlingId}")
    def leerling(
        leerlingId: UUID, caller: Annotated[Caller, Depends(MAG_LEZEN)]
    ) -> dict:
        ensure_school(caller, SCHOOL_VAN[leerlingId])
        return {"leerlingId": str(leerlingId)}

    @app.post("/v1/afwezigheden")
    async def melden(caller: Annotated[Caller, Depends(MAG_LEZEN)]) -> dict:
        note_leerlingen(LEERLING_A, str(LEERLING_B))
        return {"ok": True}

    app.add_middleware(AuditMiddleware, trail=trail)
    return app


@pytest.fixture
async def http(log: AuditLog, settings: SecuritySettings) -> AsyncIterator[tuple]:
    keys = ApiKeyStore.from_settings(settings)
    trail = AuditTrail(log, flush_seconds=60)
    app = build_app(log, trail, keys)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client, keys, trail
    trail.close()


async def test_requests_leave_records_with_the_path_template(
    http, log: AuditLog
) -> None:
    client, keys, trail = http
    _, mentor = keys.create("portaal", "bestuur-1", ["school-a"], [Rol.MENTOR])
    _, sis = keys.create("SIS", "bestuur-1", ["school-a", "school-b"], [Rol.SIS])

    assert (
        await client.get(f"/v1/leerlingen/{LEERLING_A}", headers={"X-API-Key": mentor})
    ).status_code == 200
    assert (
        await client.get(f"/v1/leerlingen/{LEERLING_B}", headers={"X-API-Key": mentor})
    ).status_code == 404
    assert (
        await client.post("/v1/afwezigheden", headers={"X-API-Key": sis})
    ).status_code == 200
    assert (await client.get(f"/v1/leerlingen/{LEERLING_A}")).status_code == 401
    trail.flush()

    regels = log.query()
    seen = {
        (r.pad, r.methode, r.leerling_id, r.school_id, r.status, r.actie)
        for r in regels
    }
    assert seen == {
        ("/v1/leerlingen/{leerlingId}", "GET", LEERLING_A, "school-a", 200, READ),
        ("/v1/leerlingen/{leerlingId}", "GET", LEERLING_B, "school-b", 404, READ),
        ("/v1/afwezigheden", "POST", LEERLING_A, None, 200, CHANGE),
        ("/v1/afwezigheden", "POST", LEERLING_B, None, 200, CHANGE),
    }


async def test_operators_read_the_trail_of_their_own_schools_only(
    http, log: AuditLog
) -> None:
    client, keys, _ = http
    log.append(
        record(MENTOR, LEERLING_A, "school-a", 0),
        record(SIS, LEERLING_B, "school-b", 1),
        record(SIS, LEERLING_A, "school-a", 2),
    )
    _, beheer = keys.create("beheer", "bestuur-1", ["school-a"], [Rol.BEHEER])
    _, mentor = keys.create("portaal", "bestuur-1", ["school-a"], [Rol.MENTOR])
    headers = {"X-API-Key": beheer}

    everything = await client.get("/v1/auditregels", headers=headers)
    other_school = await client.get(
        "/v1/auditregels?schoolId=school-b", headers=headers
    )
    paged = await client.get("/v1/auditregels?limit=1", headers=headers)
    next_page = await client.get(
        f"/v1/auditregels?limit=1&voor={paged.json()['volgende']}", headers=headers
    )
    by_caller = await client.get(f"/v1/auditregels?callerId={SIS.id}", headers=headers)
    as_mentor = await client.get("/v1/auditregels", headers={"X-API-Key": mentor})
    bad_limit = await client.get("/v1/auditregels?limit=0", headers=headers)
    naive_time = await client.get(
        "/v1/auditregels?vanaf=2025-03-10T08:00:00", headers=headers
    )

    assert everything.status_code == 200
    body = everything.json()
    assert [r["schoolId"] for r in body["auditregels"]] == ["school-a", "school-a"]
    assert body["volgende"] is None
    assert set(body["auditregels"][0]) >= {
        "positie",
        "tijdstip",
        "callerId",
        "leerlingId",
        "pad",
    }
    assert other_school.json()["auditregels"] == []
    assert (
        len(paged.json()["auditregels"]) == 1 and paged.json()["volgende"] is not None
    )
    assert next_page.json()["auditregels"][0]["callerId"] == MENTOR.id
    assert [r["callerId"] for r in by_caller.json()["auditregels"]] == [SIS.id]
    assert as_mentor.status_code == 403
    assert bad_limit.status_code == 400
    assert naive_time.status_code == 400


@pytest.mark.postgres
def test_the_audit_log_works_on_postgresql(
    postgres_schema: str, tmp_path: Path
) -> None:
    settings = SecuritySettings(verzuim_data_dir=tmp_path, verzuim_store="postgres")
    log = AuditLog.from_settings(settings, name=postgres_schema)
    try:
        leerling = uuid4()
        log.append(
            record(MENTOR, leerling, "school-a", 0),
            record(SIS, leerling, "school-a", 1),
        )

        regels = log.query(leerling_id=leerling, school_ids={"school-a"})

        assert [r.caller_id for r in regels] == [SIS.id, MENTOR.id]
    finally:
        log.close()
