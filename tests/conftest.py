"""Fixtures shared by all tests: the embedded broker, PostgreSQL, unique names."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

os.environ.setdefault("TZ", "Europe/Amsterdam")

POSTGRES_DSN = "host=127.0.0.1 port=5432 dbname=test user=postgres"


def _test_bsns() -> Iterator[str]:
    """Made-up BSNs of the 9999xxxxx range that pass the eleven test, in turn."""
    for begin in itertools.cycle(range(10_000)):
        cijfers = f"9999{begin:04d}"
        controle = sum((9 - i) * int(c) for i, c in enumerate(cijfers)) % 11
        if controle < 10 and cijfers + str(controle) != "999990019":
            yield cijfers + str(controle)


_BSNS = _test_bsns()


def nieuw_bsn() -> str:
    """A BSN no other pupil of a test's school has (a school holds one once)."""
    return next(_BSNS)


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
