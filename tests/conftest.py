"""Fixtures shared by all tests: the embedded broker, PostgreSQL, unique names."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

os.environ.setdefault("TZ", "Europe/Amsterdam")

POSTGRES_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres"


@pytest.fixture(scope="session")
def broker() -> Iterator[str]:
    """One embedded broker for the session; tests use unique topic names."""
    from plumbing.broker import EmbeddedBroker

    with EmbeddedBroker() as running:
        yield running.bootstrap_servers


@pytest.fixture
def own_broker() -> Iterator[object]:
    """A broker of the test's own, for tests that restart it."""
    from plumbing.broker import EmbeddedBroker

    with EmbeddedBroker() as running:
        yield running


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:10]


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    try:
        with psycopg.connect(POSTGRES_DSN, connect_timeout=3):
            return True
    except psycopg.Error:
        return False


@pytest.fixture
def postgres_schema(postgres_available: bool, unique: str) -> Iterator[str]:
    """A fresh schema in the test database, dropped afterwards."""
    if not postgres_available:
        pytest.fail("PostgreSQL at 127.0.0.1:5432 is required for this test")
    schema = f"t_{unique}"
    yield schema
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
