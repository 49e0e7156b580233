"""The FastAPI app factory every service uses.

`create_app` gives each service the same HTTP edge:

- routers are mounted under the major version (`/v1/...`); the OpenAPI document lists
  their paths relative to `servers: [{url: "/v1"}]`, as the API Design Rules want;
- every error is an RFC 9457 problem (`application/problem+json`): invalid input is
  400 with `invalidParams`, domain errors keep their status, anything unexpected is a
  500 without internals, logged with a correlation id; layers around the routes
  (authentication, limits) document their answers per operation
  (`document_response`);
- every response carries `API-Version: <semver>`;
- `GET /health`, `GET /ready` and `GET /metrics` sit outside the versioned API and
  outside the OpenAPI document.
"""

from __future__ import annotations

import asyncio
import hmac
import inspect
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plumbing import logging as service_logging
from plumbing.errors import DomainError
from plumbing.metrics import CONTENT_TYPE_LATEST, ServiceMetrics
from plumbing.problems import (
    INVALID_PARAM_SCHEMA,
    PROBLEM_MEDIA_TYPE,
    PROBLEM_SCHEMA,
    ProblemError,
    problem_response,
    response_for_error,
)

logger = logging.getLogger(__name__)

ReadinessCheck = Callable[[], Awaitable[bool] | bool]

SEMVER = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?$")
DEFAULT_CONTACT = {
    "name": "Verzuimketen beheer",
    "email": "beheer@verzuimketen.example",
    "url": "https://verzuimketen.example/contact",
}
READINESS_TIMEOUT_SECONDS = 3.0

# Never echo, nor let a custom message reveal, the value of a field whose name
# contains one of these (a BSN/PGN, or a secret).
_SENSITIVE_NAME_PARTS = ("bsn", "pgn", "onderwijsnummer", "token", "key", "secret")
_LOCATIONS = ("body", "query", "path", "header", "cookie")


class _ServiceApp(FastAPI):
    """FastAPI whose OpenAPI document is adapted to the API Design Rules once."""

    api_prefix: str = "/v1"
    _adapted: dict[str, Any] | None = None

    def openapi(self) -> dict[str, Any]:
        schema = super().openapi()
        if schema is not self._adapted:
            adapt_openapi(
                schema,
                prefix=self.api_prefix,
                version=self.version,
                layer_responses=getattr(self.state, "layer_responses", ()),
            )
            self._adapted = schema
        return schema


#: An answer a layer outside the routes gives: (status, description, which
#: operations it applies to; None for all of them).
LayerResponse = tuple[str, str, Callable[[dict[str, Any]], bool] | None]


def document_response(
    app: FastAPI,
    status: int,
    description: str,
    *,
    when: Callable[[dict[str, Any]], bool] | None = None,
) -> None:
    """Document `status` on every operation `when` selects (all, without it).

    For answers that a layer outside the routes gives (authentication, request
    limits), so that each operation documents every 4xx it can answer. An
    operation that documents `status` itself keeps its own description. Call it
    while building the app, before the OpenAPI document is first served.
    """
    layers: list[LayerResponse] = getattr(app.state, "layer_responses", [])
    app.state.layer_responses = [*layers, (str(status), description, when)]


def create_app(
    *,
    service: str,
    version: str,
    description: str,
    routers: Sequence[APIRouter],
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[Any]] | None = None,
    readiness_checks: Sequence[ReadinessCheck] = (),
    metrics: ServiceMetrics | None = None,
    metrics_key: str | None = None,
    contact: dict[str, str] | None = None,
) -> FastAPI:
    """Build a service's app; `routers` hold paths without the `/v1` prefix.

    `app.state.metrics` is the `ServiceMetrics` (pass one in to share it with the relay
    and consumers); `app.state.readiness_checks` is a list the lifespan may append to
    once the store and the broker clients exist. A check returns True when ready;
    raising or taking longer than three seconds counts as not ready.
    """
    if not SEMVER.match(version):
        raise ValueError(f"version {version!r} is not semver (MAJOR.MINOR.PATCH)")
    prefix = f"/v{version.split('.')[0]}"

    app = _ServiceApp(
        title=service,
        version=version,
        description=description,
        lifespan=lifespan,
        contact=contact or DEFAULT_CONTACT,
        servers=[{"url": prefix}],
        redoc_url=None,
    )
    app.api_prefix = prefix
    for router in routers:
        _check_router_paths(router, prefix)
        app.include_router(router, prefix=prefix)

    app.state.service = service
    app.state.metrics = metrics or ServiceMetrics(service, version)
    app.state.readiness_checks = list(readiness_checks)
    app.state.metrics_key = metrics_key

    _install_error_handlers(app)
    _install_operational_routes(app, prefix)
    app.add_middleware(
        _ServiceBoundary,
        version=version,
        metrics=app.state.metrics,
        public_paths=("/openapi.json", f"{prefix}/openapi.json"),
    )
    return app


def _check_router_paths(router: APIRouter, prefix: str) -> None:
    for route in router.routes:
        path = getattr(route, "path", "")
        if path == prefix or path.startswith(prefix + "/"):
            raise ValueError(
                f"route {path!r} already starts with {prefix!r}: create_app adds the "
                "version prefix; declare paths without it"
            )


# --- errors -----------------------------------------------------------------------


def _field_name(loc: Sequence[str | int]) -> str:
    parts = list(loc)
    if parts and parts[0] in _LOCATIONS:
        where = str(parts.pop(0))
        if not parts:
            return where
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name


def _is_sensitive(loc: Sequence[str | int]) -> bool:
    names = [str(part).lower() for part in loc if isinstance(part, str)]
    return any(fragment in name for name in names for fragment in _SENSITIVE_NAME_PARTS)


def invalid_params(exc: RequestValidationError) -> list[dict[str, str]]:
    """The fields at fault, named as the client sent them; never their values."""
    params: list[dict[str, str]] = []
    for error in exc.errors():
        loc = error.get("loc", ())
        if _is_sensitive(loc):
            # A custom validator's message may quote the value: use a fixed reason.
            missing = error.get("type") == "missing"
            reason = "Field required" if missing else "Invalid value"
        else:
            reason = str(error.get("msg", "Invalid value"))
        params.append({"name": _field_name(loc), "reason": reason})
    return params


def _install_error_handlers(app: FastAPI) -> None:
    async def on_validation_error(
        request: Request, exc: RequestValidationError
    ) -> JSONResponse:
        params = invalid_params(exc)
        logger.info("request rejected as invalid", extra={"count": len(params)})
        return problem_response(
            400,
            "Invalid input",
            "The request has fields that are missing or not valid.",
            invalidParams=params,
        )

    async def on_http_error(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) else None
        return problem_response(exc.status_code, detail=detail, headers=exc.headers)

    async def on_domain_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, DomainError | ProblemError)
        return response_for_error(exc)

    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(StarletteHTTPException, on_http_error)
    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(ProblemError, on_domain_error)


# --- health, readiness, metrics ---------------------------------------------------


async def _run_check(check: ReadinessCheck) -> bool:
    try:
        if inspect.iscoroutinefunction(check):
            result = await asyncio.wait_for(check(), READINESS_TIMEOUT_SECONDS)
        else:
            outcome = await asyncio.wait_for(
                asyncio.to_thread(check), READINESS_TIMEOUT_SECONDS
            )
            if inspect.isawaitable(outcome):
                outcome = await asyncio.wait_for(outcome, READINESS_TIMEOUT_SECONDS)
            result = outcome
    except Exception as exc:  # any failure of a dependency means "not ready"
        logger.warning(
            "readiness check failed",
            extra={"check": _check_name(check), "error": type(exc).__name__},
        )
        return False
    return bool(result)


def _check_name(check: ReadinessCheck) -> str:
    return getattr(check, "__name__", type(check).__name__)


def _install_operational_routes(app: FastAPI, prefix: str) -> None:
    @app.get("/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/ready", include_in_schema=False)
    async def ready(request: Request) -> Response:
        checks: list[ReadinessCheck] = request.app.state.readiness_checks
        results = await asyncio.gather(*(_run_check(check) for check in checks))
        outcome = {
            _check_name(check): "ok" if ok else "failed"
            for check, ok in zip(checks, results, strict=True)
        }
        failed = [name for name, state in outcome.items() if state != "ok"]
        if failed:
            return problem_response(
                503,
                "Not ready",
                f"Not ready: {', '.join(failed)}.",
                checks=outcome,
            )
        return JSONResponse({"status": "ready", "checks": outcome})

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        expected: str | None = request.app.state.metrics_key
        if expected is not None:
            given = request.headers.get("X-Metrics-Key", "")
            if not hmac.compare_digest(given.encode(), expected.encode()):
                return problem_response(
                    401, detail="A valid X-Metrics-Key header is required."
                )
        body = request.app.state.metrics.exposition()
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    @app.get(f"{prefix}/openapi.json", include_in_schema=False)
    async def versioned_openapi(request: Request) -> JSONResponse:
        return JSONResponse(request.app.openapi())


# --- the boundary middleware ------------------------------------------------------


class _ServiceBoundary:
    """Outermost own layer: correlation id, API-Version, metrics, the 500 catch-all.

    Starlette runs handlers for plain `Exception` outside all middleware, where no
    header could be added and the error would be raised again to the server; so the
    catch-all lives here instead.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        version: str,
        metrics: ServiceMetrics,
        public_paths: tuple[str, ...],
    ) -> None:
        self.app = app
        self.version = version
        self.metrics = metrics
        self.public_paths = public_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        correlation = str(uuid.uuid4())
        token = service_logging.correlation_id.set(correlation)
        status = 500
        started = False
        began = time.perf_counter()

        async def send_with_headers(message: Message) -> None:
            nonlocal status, started
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["API-Version"] = self.version
                headers["X-Correlation-ID"] = correlation
                if scope["path"] in self.public_paths:
                    headers["Access-Control-Allow-Origin"] = "*"
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            logger.exception("unhandled error", extra={"correlationId": correlation})
            if started:
                raise
            response = problem_response(
                500,
                detail="An unexpected error occurred; it has been logged.",
                instance=f"urn:uuid:{correlation}",
            )
            await response(scope, receive, send_with_headers)
        finally:
            template = _route_template(scope)
            method = scope["method"]
            self.metrics.http_requests_total.labels(method, template, str(status)).inc()
            self.metrics.http_request_duration_seconds.labels(method, template).observe(
                time.perf_counter() - began
            )
            service_logging.correlation_id.reset(token)


def _route_template(scope: Scope) -> str:
    """The matched route's template, rebuilt from the path and its parameters.

    Ids become `{name}` again so the metric series stay few; an unmatched path is
    one series, whatever a scanner asks for.
    """
    if scope.get("route") is None:
        return "<unmatched>"
    by_value = {str(v): name for name, v in (scope.get("path_params") or {}).items()}
    segments = scope["path"].split("/")
    return "/".join(
        f"{{{by_value[segment]}}}" if segment in by_value else segment
        for segment in segments
    )


# --- the OpenAPI pass -------------------------------------------------------------

_METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
_FASTAPI_422_REF = "#/components/schemas/HTTPValidationError"


def adapt_openapi(
    schema: dict[str, Any],
    *,
    prefix: str,
    version: str,
    layer_responses: Sequence[LayerResponse] = (),
) -> None:
    """Make FastAPI's document follow the API Design Rules, in place.

    Paths become relative to the `servers` url (which holds the major version); every
    2xx/3xx response declares `API-Version`; every operation documents 400 and 500,
    and the answers of the layers around the routes (`document_response`);
    every 4xx/5xx is `application/problem+json`; FastAPI's own 422 disappears, since
    invalid input answers 400; `format: time` becomes `time-local` (our times are
    Europe/Amsterdam wall-clock times, without a zone).
    """
    paths: dict[str, Any] = {}
    for path, item in schema.get("paths", {}).items():
        if path != prefix and not path.startswith(prefix + "/"):
            raise RuntimeError(
                f"{path!r} is outside {prefix!r}; give it include_in_schema=False"
            )
        paths[path[len(prefix) :] or "/"] = item
        for method in _METHODS:
            if method in item:
                _adapt_operation(item[method], layer_responses)
    schema["paths"] = paths

    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for unused in ("HTTPValidationError", "ValidationError"):
        schemas.pop(unused, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas["InvalidParam"] = INVALID_PARAM_SCHEMA
    components.setdefault("headers", {})["API-Version"] = {
        "description": "The full semantic version of the API that answered.",
        "schema": {"type": "string", "examples": [version]},
        "example": version,
    }
    _rewrite_formats(schema)


def _adapt_operation(
    operation: dict[str, Any], layer_responses: Sequence[LayerResponse]
) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    fastapi_422 = responses.get("422", {})
    ref = (
        fastapi_422.get("content", {})
        .get("application/json", {})
        .get("schema", {})
        .get("$ref")
    )
    if ref == _FASTAPI_422_REF:
        del responses["422"]
    responses.setdefault("400", {"description": "Invalid input"})
    responses.setdefault("500", {"description": "Internal Server Error"})
    for status, description, when in layer_responses:
        if when is None or when(operation):
            responses.setdefault(status, {"description": description})

    for code, response in responses.items():
        if code[:1] in ("2", "3"):
            headers = response.setdefault("headers", {})
            headers["API-Version"] = {"$ref": "#/components/headers/API-Version"}
        elif code[:1] in ("4", "5"):
            content = response.get("content", {})
            given = content.get(PROBLEM_MEDIA_TYPE) or content.get("application/json")
            problem_schema = (given or {}).get("schema") or _PROBLEM_REF
            response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": problem_schema}}
    operation["responses"] = dict(sorted(responses.items()))


def _rewrite_formats(node: Any) -> None:
    """Local times get `time-local`; an optional value with a format keeps it on top.

    Pydantic writes `x: date | None` as `anyOf: [{type: string, format: date},
    {type: null}]`; the linter looks for `format` on the property itself, so such a
    pair becomes `{type: [string, "null"], format: date}` (the same JSON Schema).
    """
    if isinstance(node, dict):
        _merge_nullable_format(node)
        if node.get("format") == "time":
            node["format"] = "time-local"
        for value in node.values():
            _rewrite_formats(value)
    elif isinstance(node, list):
        for value in node:
            _rewrite_formats(value)


def _merge_nullable_format(node: dict[str, Any]) -> None:
    branches = node.get("anyOf")
    if not isinstance(branches, list) or len(branches) != 2:
        return
    nulls = [b for b in branches if b == {"type": "null"}]
    others = [b for b in branches if b != {"type": "null"}]
    if len(nulls) != 1 or len(others) != 1:
        return
    (other,) = others
    if "format" not in other or not isinstance(other.get("type"), str):
        return
    del node["anyOf"]
    node.update(other)
    node["type"] = [other["type"], "null"]
