"""The shared HTTP edge: problem details, API-Version, health/ready/metrics, OpenAPI."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, FastAPI, Query
from pydantic import BaseModel, ConfigDict, field_validator
from pydantic.alias_generators import to_camel

from plumbing.errors import Conflict, DomainError, NotFound
from plumbing.http import create_app
from plumbing.logging import configure_logging
from plumbing.metrics import ServiceMetrics
from plumbing.problems import ProblemError

_spec = importlib.util.spec_from_file_location(
    "adr_rules", Path(__file__).with_name("adr_rules.py")
)
assert _spec is not None and _spec.loader is not None
adr_rules = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("adr_rules", adr_rules)
_spec.loader.exec_module(adr_rules)

VERSION = "1.4.2"
TEST_BSN = "999993653"  # a test BSN that passes the eleven test


class Afwezigheidsmelding(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    leerling_id: str
    datum: dt.date
    eind_datum: dt.date | None = None
    begin_tijd: dt.time | None = None
    gemeld_op: dt.datetime
    bsn: str | None = None

    @field_validator("bsn")
    @classmethod
    def bsn_must_be_known(cls, value: str | None) -> str | None:
        if value is not None:
            raise ValueError(f"onbekend bsn {value}")
        return value


class LeerlingNietGevonden(NotFound):
    title = "Leerling niet gevonden"


class AlBesloten(Conflict):
    title = "Verlofaanvraag al besloten"


def _router() -> APIRouter:
    router = APIRouter()

    @router.post("/afwezigheden", status_code=201)
    def meld(melding: Afwezigheidsmelding) -> Afwezigheidsmelding:
        return melding

    @router.get("/leerlingen/{leerlingId}")
    def leerling(leerlingId: str) -> dict[str, str]:
        if leerlingId == "bestaat":
            return {"leerlingId": leerlingId}
        raise LeerlingNietGevonden("Er is geen leerling met dit id.")

    @router.get("/verlofaanvragen")
    def zoek(schooljaar: str = Query(pattern=r"^\d{4}-\d{4}$")) -> list[str]:
        return [schooljaar]

    @router.put("/verlofaanvragen/{verlofaanvraagId}/besluit")
    def besluit(verlofaanvraagId: str) -> dict[str, str]:
        raise AlBesloten("Over deze aanvraag is al besloten.")

    @router.delete("/verlofaanvragen/{verlofaanvraagId}")
    def intrekken(verlofaanvraagId: str) -> None:
        raise ProblemError(423, detail="Vergrendeld.", retryAfter=30)

    @router.get("/storing")
    def storing() -> dict[str, str]:
        raise RuntimeError(f"database password leaked for {TEST_BSN}")

    return router


def _app(**options: Any) -> FastAPI:
    return create_app(
        service="registratie",
        version=VERSION,
        description="Registratie van afwezigheid.",
        routers=[_router()],
        **options,
    )


def _client(app: FastAPI) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


def _valid_melding() -> dict[str, Any]:
    return {
        "leerlingId": "c0ffee00-0000-4000-8000-000000000001",
        "datum": "2025-03-10",
        "gemeldOp": "2025-03-10T08:15:00+01:00",
    }


async def test_valid_request_gets_api_version_header() -> None:
    async with _client(_app()) as client:
        response = await client.post("/v1/afwezigheden", json=_valid_melding())

    assert response.status_code == 201
    assert response.headers["API-Version"] == VERSION


async def test_invalid_body_is_400_naming_the_fields_as_sent() -> None:
    body = {"leerlingId": 12, "datum": "tiende maart", "gemeldOp": "gisteren"}

    async with _client(_app()) as client:
        response = await client.post("/v1/afwezigheden", json=body)

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["API-Version"] == VERSION
    problem = response.json()
    assert problem["status"] == 400
    assert problem["title"] and problem["detail"]
    names = {param["name"] for param in problem["invalidParams"]}
    assert names == {"leerlingId", "datum", "gemeldOp"}
    assert "tiende maart" not in response.text


async def test_validation_never_echoes_a_sensitive_value() -> None:
    body = {**_valid_melding(), "bsn": TEST_BSN}

    async with _client(_app()) as client:
        response = await client.post("/v1/afwezigheden", json=body)

    assert response.status_code == 400
    invalid = response.json()["invalidParams"]
    assert invalid == [{"name": "bsn", "reason": "Invalid value"}]
    assert TEST_BSN not in response.text


async def test_missing_body_and_bad_json_are_400() -> None:
    async with _client(_app()) as client:
        missing = await client.post("/v1/afwezigheden")
        broken = await client.post(
            "/v1/afwezigheden",
            content=b"{not json",
            headers={"content-type": "application/json"},
        )

    assert missing.status_code == 400
    assert missing.json()["invalidParams"][0]["name"] == "body"
    assert broken.status_code == 400
    assert broken.headers["content-type"] == "application/problem+json"


async def test_invalid_query_parameter_is_400() -> None:
    async with _client(_app()) as client:
        response = await client.get("/v1/verlofaanvragen", params={"schooljaar": "x"})

    assert response.status_code == 400
    assert response.json()["invalidParams"][0]["name"] == "schooljaar"


@pytest.mark.parametrize(
    ("method", "path", "status", "title"),
    [
        ("GET", "/v1/leerlingen/onbekend", 404, "Leerling niet gevonden"),
        ("GET", "/v1/bestaat-niet", 404, "Not Found"),
        ("PUT", "/v1/verlofaanvragen/a1/besluit", 409, "Verlofaanvraag al besloten"),
        ("DELETE", "/v1/verlofaanvragen/a1", 423, "Locked"),
        ("POST", "/v1/leerlingen/onbekend", 405, "Method Not Allowed"),
    ],
    ids=["domain-404", "route-404", "domain-409", "problem-error", "405"],
)
async def test_errors_are_problem_details(
    method: str, path: str, status: int, title: str
) -> None:
    async with _client(_app()) as client:
        response = await client.request(method, path)

    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["API-Version"] == VERSION
    problem = response.json()
    assert problem["status"] == status
    assert problem["title"] == title
    assert problem["type"] == "about:blank"


async def test_405_keeps_the_allow_header_and_problem_error_its_extras() -> None:
    async with _client(_app()) as client:
        not_allowed = await client.post("/v1/leerlingen/onbekend")
        locked = await client.delete("/v1/verlofaanvragen/a1")

    assert "GET" in not_allowed.headers["allow"]
    assert locked.json()["retryAfter"] == 30


async def test_unexpected_error_is_500_without_internals(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async with _client(_app()) as client:
        response = await client.get("/v1/storing")

    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["API-Version"] == VERSION
    problem = response.json()
    assert "password" not in response.text and TEST_BSN not in response.text
    correlation = response.headers["X-Correlation-ID"]
    assert problem["instance"] == f"urn:uuid:{correlation}"
    logged = [r for r in caplog.records if r.getMessage() == "unhandled error"]
    assert logged and logged[0].correlationId == correlation


async def test_domain_error_subclass_without_detail_uses_its_title() -> None:
    class Onbekend(DomainError):
        status = 422
        title = "Regel geschonden"

    router = APIRouter()

    @router.post("/meldingen")
    def meld() -> None:
        raise Onbekend()

    app = create_app(service="s", version="1.0.0", description="d", routers=[router])
    async with _client(app) as client:
        response = await client.post("/v1/meldingen")

    assert response.status_code == 422
    assert response.json() == {
        "type": "about:blank",
        "title": "Regel geschonden",
        "status": 422,
    }


async def test_health_is_alive_without_checks() -> None:
    async with _client(_app()) as client:
        response = await client.get("/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["API-Version"] == VERSION


async def test_ready_runs_sync_and_async_checks() -> None:
    def store() -> bool:
        return True

    async def broker() -> bool:
        return True

    async with _client(_app(readiness_checks=[store, broker])) as client:
        response = await client.get("/ready")

    assert response.status_code == 200
    assert response.json()["checks"] == {"store": "ok", "broker": "ok"}


async def test_ready_is_503_problem_when_a_check_fails_or_raises() -> None:
    def store() -> bool:
        return True

    async def broker() -> bool:
        raise ConnectionError("broker down")

    def relay() -> bool:
        return False

    async with _client(_app(readiness_checks=[store, broker, relay])) as client:
        response = await client.get("/ready")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["checks"] == {"store": "ok", "broker": "failed", "relay": "failed"}
    assert "broker down" not in response.text


async def test_lifespan_runs_and_can_add_readiness_checks() -> None:
    started: list[str] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started.append("store")

        def store() -> bool:
            return False

        app.state.readiness_checks.append(store)
        yield
        started.append("closed")

    app = _app(lifespan=lifespan)
    async with app.router.lifespan_context(app), _client(app) as client:
        response = await client.get("/ready")

    assert started == ["store", "closed"]
    assert response.status_code == 503


async def test_metrics_count_requests_by_route_template() -> None:
    app = _app()
    async with _client(app) as client:
        await client.get("/v1/leerlingen/bestaat")
        await client.get("/v1/leerlingen/onbekend")
        await client.get("/v1/storing")
        response = await client.get("/metrics")

    assert response.status_code == 200
    text = response.text
    template = 'route="/v1/leerlingen/{leerlingId}"'
    assert f'http_requests_total{{method="GET",{template},status="200"}} 1.0' in text
    assert f'http_requests_total{{method="GET",{template},status="404"}} 1.0' in text
    assert 'route="/v1/storing",status="500"} 1.0' in text
    assert "onbekend" not in text
    assert "http_request_duration_seconds_bucket" in text
    for name in ("events_stored_total", "consumer_lag", "dlq_messages_total"):
        assert f"# TYPE {name.removesuffix('_total')}" in text


async def test_metrics_key_is_required_when_configured() -> None:
    app = _app(metrics_key="geheim-voor-prometheus")
    async with _client(app) as client:
        without = await client.get("/metrics")
        wrong = await client.get("/metrics", headers={"X-Metrics-Key": "fout"})
        right = await client.get(
            "/metrics", headers={"X-Metrics-Key": "geheim-voor-prometheus"}
        )

    assert without.status_code == 401
    assert without.headers["content-type"] == "application/problem+json"
    assert wrong.status_code == 401
    assert right.status_code == 200


async def test_apps_have_separate_registries_and_share_a_given_one() -> None:
    shared = ServiceMetrics("registratie", VERSION)
    first, second = _app(metrics=shared), _app()
    shared.events_published_total.labels(topic="verzuim.registratie.v1").inc(3)

    async with _client(first) as one, _client(second) as other:
        shown = (await one.get("/metrics")).text
        elsewhere = (await other.get("/metrics")).text

    assert first.state.metrics is shared
    assert 'events_published_total{topic="verzuim.registratie.v1"} 3.0' in shown
    assert "verzuim.registratie.v1" not in elsewhere


def test_version_must_be_semver() -> None:
    with pytest.raises(ValueError, match="semver"):
        create_app(service="s", version="1.0", description="d", routers=[])


def test_routers_must_not_carry_the_version_prefix() -> None:
    router = APIRouter(prefix="/v1")

    @router.get("/leerlingen")
    def leerlingen() -> list[str]:
        return []

    with pytest.raises(ValueError, match="prefix"):
        create_app(service="s", version="1.0.0", description="d", routers=[router])


async def test_openapi_passes_the_api_design_rules() -> None:
    async with _client(_app()) as client:
        response = await client.get("/openapi.json")
        versioned = await client.get("/v1/openapi.json")

    document = response.json()
    assert adr_rules.lint(document) == []
    assert versioned.json() == document
    assert versioned.headers["Access-Control-Allow-Origin"] == "*"


async def test_openapi_shape() -> None:
    document = _app().openapi()

    assert document["info"]["version"] == VERSION
    assert set(document["info"]["contact"]) == {"name", "email", "url"}
    assert document["servers"] == [{"url": "/v1"}]
    assert "/afwezigheden" in document["paths"]
    assert not any(path.startswith("/v1") for path in document["paths"])
    assert not {"/health", "/ready", "/metrics"} & set(document["paths"])
    for item in document["paths"].values():
        for operation in item.values():
            responses = operation["responses"]
            assert "400" in responses and "422" not in responses
            problem = responses["400"]["content"]["application/problem+json"]
            assert problem["schema"] == {"$ref": "#/components/schemas/Problem"}
    schemas = document["components"]["schemas"]
    assert "HTTPValidationError" not in schemas
    properties = schemas["Afwezigheidsmelding"]["properties"]
    assert properties["eindDatum"]["format"] == "date"
    assert properties["beginTijd"]["format"] == "time-local"
    assert properties["gemeldOp"]["format"] == "date-time"


def test_checker_reports_what_breaks_the_rules() -> None:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1.0", "contact": {"name": "n"}},
        "servers": [{"url": "http://example.test/api"}],
        "paths": {
            "/Leerlingen/": {
                "post": {"responses": {"200": {"description": "ok"}}},
                "get": {
                    "parameters": [{"name": "school_id", "in": "query"}],
                    "responses": {
                        "422": {
                            "description": "x",
                            "content": {"application/json": {"schema": {}}},
                        }
                    },
                },
            }
        },
        "components": {
            "schemas": {
                "leerling_model": {
                    "properties": {
                        "geboorte_datum": {"type": "string"},
                        "startDatum": {"type": "string", "format": "date-time"},
                    }
                }
            }
        },
    }

    rules = {violation.rule for violation in adr_rules.lint(document)}

    assert rules == {
        "semver",
        "info-contact-fields-exist",
        "include-major-version-in-uri",
        "servers-use-https",
        "paths-no-trailing-slash",
        "paths-kebab-case",
        "problem-invalid-input",
        "missing-version-header",
        "query-keys-camel-case",
        "use-problem-schema",
        "schema-camel-case",
        "property-casing",
        "specify-format-for-date-and-time",
        "use-date-instead-of-datetime",
    }


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        ("/verlofaanvragen/{verlofaanvraagId}/besluit", True),
        ("/leerplicht-dossiers", True),
        ("/verlofAanvragen", False),
        ("/verlof_aanvragen", False),
        ("/verlofaanvragen/{verlofaanvraag_id}", False),
    ],
)
def test_kebab_case_helper(path: str, ok: bool) -> None:
    assert (adr_rules.kebab_case_violations([path]) == []) is ok


def test_json_logging_carries_service_extras_and_correlation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from plumbing.logging import correlation_id

    handler = configure_logging("opvolging", "INFO")
    token = correlation_id.set("abc-123")
    try:
        logging.getLogger("tests.platform").info(
            "events stored", extra={"event": "AfwezigheidGemeld", "count": 3}
        )
    finally:
        correlation_id.reset(token)
        logging.getLogger().removeHandler(handler)

    line = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)
    assert record["message"] == "events stored"
    assert record["service"] == "opvolging"
    assert record["level"] == "INFO"
    assert record["event"] == "AfwezigheidGemeld" and record["count"] == 3
    assert record["correlationId"] == "abc-123"


def test_json_logging_masks_personal_data_in_tracebacks(
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = configure_logging("registratie", "INFO")
    try:
        try:
            raise KeyError(f"leerling {TEST_BSN}")
        except KeyError:
            logging.getLogger("tests.platform").exception("lookup failed")
    finally:
        logging.getLogger().removeHandler(handler)

    line = capsys.readouterr().err.strip().splitlines()[-1]
    record = json.loads(line)
    assert "KeyError" in record["exc_info"]
    assert TEST_BSN not in line


def test_added_log_filters_apply_now_and_after_reconfiguring(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from plumbing.logging import add_log_filter, remove_log_filter

    class Tag(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            record.tagged = True
            return True

    tag = Tag()
    handler = configure_logging("analyse", "INFO")
    try:
        add_log_filter(tag)
        logging.getLogger("tests.platform").info("first")
        logging.getLogger().removeHandler(handler)
        handler = configure_logging("analyse", "INFO")
        logging.getLogger("tests.platform").info("second")
    finally:
        remove_log_filter(tag)
        logging.getLogger().removeHandler(handler)

    records = [json.loads(x) for x in capsys.readouterr().err.strip().splitlines()]
    assert [r["message"] for r in records[-2:]] == ["first", "second"]
    assert all(r["tagged"] is True for r in records[-2:])
