"""Request limits as ASGI middleware: body size and a rate limit per caller.

Both answer with problem+json before the service does any work. Add them after
`create_app` so they sit outside the service's own layers::

    install_limits(app, settings)
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from plumbing.http import document_response
from plumbing.problems import problem_response
from plumbing.security.settings import SecuritySettings

OPERATIONAL_PATHS = ("/health", "/ready", "/metrics")


class _BodyTooLarge(HTTPException):
    """Raised from ``receive`` to stop the app reading; an HTTPException so the
    framework handles it quietly instead of logging a crash."""

    def __init__(self) -> None:
        super().__init__(status_code=413)


def _too_large(max_bytes: int) -> JSONResponse:
    return problem_response(
        413,
        "Content Too Large",
        f"The request body is larger than {max_bytes} bytes.",
    )


class BodySizeLimit:
    """Refuses request bodies above ``max_bytes`` with 413.

    A declared Content-Length above the limit is refused before reading. Without
    one (chunked uploads) the bytes are counted as they arrive; the moment the
    count passes the limit the app's read fails, whatever the app answers is
    dropped, and the 413 goes out instead, so nothing past the limit is buffered.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        declared = Headers(scope=scope).get("content-length")
        if (
            declared is not None
            and declared.isdigit()
            and int(declared) > self.max_bytes
        ):
            await _too_large(self.max_bytes)(scope, receive, send)
            return

        received = 0
        exceeded = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    raise _BodyTooLarge()
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded and not started:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _too_large(self.max_bytes)(scope, receive, send)


@dataclass
class _Bucket:
    tokens: float
    updated: float


def credential_fingerprint(scope: Scope) -> str:
    """Whom to count a request against, without verifying anything.

    The whole credential is hashed, not just a key id or a token subject: both
    can be copied from someone else's request, and would let an attacker drain
    that caller's bucket. Without a credential the client address counts.
    """
    headers = Headers(scope=scope)
    credential = headers.get("authorization") or headers.get("x-api-key")
    if credential:
        return "c:" + hashlib.sha256(credential.encode()).hexdigest()[:32]
    client = scope.get("client")
    return f"a:{client[0] if client else 'unknown'}"


class RateLimit:
    """A token bucket per caller: ``burst`` requests at once, then ``per_second``.

    Refused requests get 429 with ``Retry-After`` (whole seconds). Buckets live
    in this process; with several replicas each enforces its own share. The
    least recently used buckets are forgotten beyond ``max_buckets``.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        per_second: float,
        burst: int,
        identify: Callable[[Scope], str] = credential_fingerprint,
        exempt_paths: Iterable[str] = OPERATIONAL_PATHS,
        clock: Callable[[], float] = time.monotonic,
        max_buckets: int = 10_000,
    ) -> None:
        if per_second <= 0 or burst < 1:
            raise ValueError("per_second must be > 0 and burst >= 1")
        self.app = app
        self.per_second = per_second
        self.burst = burst
        self.identify = identify
        self.exempt_paths = frozenset(exempt_paths)
        self.clock = clock
        self.max_buckets = max_buckets
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def _wait_seconds(self, identity: str) -> float:
        """Take a token; 0 when there was one, else the seconds until there is."""
        now = self.clock()
        bucket = self._buckets.get(identity)
        if bucket is None:
            bucket = _Bucket(tokens=float(self.burst), updated=now)
            self._buckets[identity] = bucket
            if len(self._buckets) > self.max_buckets:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(identity)
            elapsed = max(0.0, now - bucket.updated)
            bucket.tokens = min(self.burst, bucket.tokens + elapsed * self.per_second)
            bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return 0.0
        return (1.0 - bucket.tokens) / self.per_second

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        wait = self._wait_seconds(self.identify(scope))
        if wait == 0.0:
            await self.app(scope, receive, send)
            return
        retry_after = max(1, math.ceil(wait))
        response = problem_response(
            429,
            "Too Many Requests",
            f"Rate limit of {self.per_second:g} requests per second exceeded.",
            headers={"Retry-After": str(retry_after)},
        )
        await response(scope, receive, send)


def install_limits(app: FastAPI, settings: SecuritySettings) -> None:
    """Add both limits; the rate limit is outermost, so it refuses before any read.

    Every operation documents the 429, every operation with a body the 413.
    """
    app.add_middleware(BodySizeLimit, max_bytes=settings.verzuim_max_body_bytes)
    app.add_middleware(
        RateLimit,
        per_second=settings.verzuim_rate_limit_per_second,
        burst=settings.verzuim_rate_limit_burst,
    )
    document_response(
        app,
        413,
        f"The body is larger than {settings.verzuim_max_body_bytes} bytes",
        when=lambda operation: "requestBody" in operation,
    )
    document_response(app, 429, "Too many requests; see Retry-After")
