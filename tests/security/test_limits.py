"""Body size limit (with and without Content-Length) and the rate limit."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI, Request

from plumbing.security.limits import BodySizeLimit, RateLimit

LIMIT = 1000


class FakeClock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def echo_app() -> tuple[FastAPI, list[int]]:
    app = FastAPI()
    completed: list[int] = []

    @app.post("/v1/import")
    async def upload(request: Request) -> dict[str, int]:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
        completed.append(size)
        return {"size": size}

    @app.post("/v1/json")
    async def json_body(payload: dict[str, str]) -> dict[str, int]:
        completed.append(len(payload))
        return {"fields": len(payload)}

    @app.get("/v1/ping")
    async def ping() -> dict[str, str]:
        return {"pong": "ok"}

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return app, completed


async def client_for(app: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    )


@pytest.fixture
async def limited() -> AsyncIterator[tuple[httpx.AsyncClient, list[int]]]:
    app, completed = echo_app()
    async with await client_for(BodySizeLimit(app, max_bytes=LIMIT)) as client:
        yield client, completed


async def test_a_body_within_the_limit_passes(limited) -> None:
    client, completed = limited

    response = await client.post("/v1/import", content=b"x" * LIMIT)

    assert response.status_code == 200
    assert completed == [LIMIT]


async def test_a_declared_oversized_body_is_refused_before_reading(limited) -> None:
    client, completed = limited

    response = await client.post("/v1/import", content=b"x" * (LIMIT + 1))

    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 413
    assert completed == []


async def test_a_streamed_body_without_length_is_cut_off(limited) -> None:
    client, completed = limited
    pulled: list[int] = []

    async def chunks() -> AsyncIterator[bytes]:
        for number in range(100):
            pulled.append(number)
            yield b"y" * 100

    response = await client.post("/v1/import", content=chunks())

    assert "content-length" not in response.request.headers
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert completed == []
    assert len(pulled) <= LIMIT // 100 + 2  # reading stopped just past the limit


async def test_a_streamed_json_body_is_cut_off_too(limited) -> None:
    client, completed = limited

    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"a": "'
        for _ in range(30):
            yield b"z" * 100
        yield b'"}'

    response = await client.post(
        "/v1/json", content=chunks(), headers={"content-type": "application/json"}
    )

    assert response.status_code == 413
    assert completed == []


async def test_a_small_streamed_body_passes(limited) -> None:
    client, completed = limited

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"y" * 100

    response = await client.post("/v1/import", content=chunks())

    assert response.status_code == 200
    assert completed == [500]


async def test_the_rate_limit_answers_429_with_retry_after() -> None:
    app, _ = echo_app()
    clock = FakeClock()
    limited = RateLimit(app, per_second=1.0, burst=3, clock=clock)
    async with await client_for(limited) as client:
        key = {"X-API-Key": "vk_0123456789abcdef_secret"}
        first = [
            (await client.get("/v1/ping", headers=key)).status_code for _ in range(3)
        ]
        refused = await client.get("/v1/ping", headers=key)
        other_caller = await client.get("/v1/ping", headers={"X-API-Key": "vk_other"})
        health = [
            (await client.get("/health", headers=key)).status_code for _ in range(5)
        ]
        clock.now += 1.0
        after_wait = await client.get("/v1/ping", headers=key)
        again = await client.get("/v1/ping", headers=key)

    assert first == [200, 200, 200]
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    assert refused.headers["content-type"] == "application/problem+json"
    assert other_caller.status_code == 200
    assert health == [200] * 5
    assert after_wait.status_code == 200
    assert again.status_code == 429


async def test_retry_after_rounds_the_wait_up() -> None:
    app, _ = echo_app()
    limited = RateLimit(app, per_second=0.4, burst=1, clock=FakeClock())
    async with await client_for(limited) as client:
        await client.get("/v1/ping")
        refused = await client.get("/v1/ping")

    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "3"  # 1 token / 0.4 per second = 2.5 s


async def test_a_copied_key_id_does_not_drain_the_owners_bucket() -> None:
    app, _ = echo_app()
    limited = RateLimit(app, per_second=1.0, burst=2, clock=FakeClock())
    async with await client_for(limited) as client:
        for _ in range(5):
            await client.get(
                "/v1/ping", headers={"X-API-Key": "vk_0123456789abcdef_guess"}
            )
        owner = await client.get(
            "/v1/ping", headers={"X-API-Key": "vk_0123456789abcdef_real"}
        )

    assert owner.status_code == 200


def test_nonsense_settings_are_refused() -> None:
    app, _ = echo_app()
    with pytest.raises(ValueError):
        RateLimit(app, per_second=0, burst=1)
