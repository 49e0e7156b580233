"""A save of many megabytes on PostgreSQL returns instead of hanging.

The library writes a batch in psycopg's pipeline mode and calls ``Pipeline.sync()``
after the insert. With a statement larger than the socket buffers, that sync stops
sending while part of the statement is still in the client's buffer and waits for an
answer; the server waits in ``ClientRead`` for the rest of it, holding the events
table's lock. The full-year demo hung there on a 10,000-record bulk.
"""

from __future__ import annotations

import base64
import os
import threading
import uuid
from collections.abc import Callable

import psycopg
import pytest
from eventsourcing.domain import Aggregate, event
from eventsourcing.persistence import Tracking

from plumbing.settings import PlatformSettings
from plumbing.store import ServiceApplication, store_env
from tests.conftest import POSTGRES_DSN

pytestmark = pytest.mark.postgres

# Well above what the loopback socket buffers hold (the hang was certain from
# about 10 MB on these machines), and still a save of well under a second.
EVENTS = 1_200
EVENT_BYTES = 12_000
TIMEOUT_SECONDS = 20


class Bijlage(Aggregate):
    """An aggregate whose one event carries incompressible bytes."""

    @event("Toegevoegd")
    def __init__(self, inhoud: str) -> None:
        self.inhoud = inhoud


class Archief(ServiceApplication):
    name = "archief"


@pytest.fixture
def archief(postgres_schema):
    app = Archief(
        env=store_env(postgres_schema, PlatformSettings(verzuim_store="postgres"))
    )
    yield app
    app.close()


def _bijlagen() -> list[Bijlage]:
    return [
        Bijlage(inhoud=base64.b64encode(os.urandom(EVENT_BYTES)).decode())
        for _ in range(EVENTS)
    ]


def _beeindig_sessies_met_locks_in(schema: str) -> None:
    with psycopg.connect(POSTGRES_DSN, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(l.pid) FROM pg_locks l"
            " JOIN pg_class c ON c.oid = l.relation"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = %s AND l.pid <> pg_backend_pid()",
            (schema,),
        )


def _binnen_de_tijd(schema: str, opslaan: Callable[[], object]) -> None:
    """Run ``opslaan``; fail when it hangs, after ending the sessions holding locks
    in ``schema`` (so the save returns and the schema can be dropped)."""
    fouten: list[BaseException] = []

    def draai() -> None:
        try:
            opslaan()
        except BaseException as fout:  # noqa: BLE001 - reported below
            fouten.append(fout)

    schrijver = threading.Thread(target=draai, daemon=True)
    schrijver.start()
    schrijver.join(TIMEOUT_SECONDS)
    if schrijver.is_alive():
        for _ in range(20):
            _beeindig_sessies_met_locks_in(schema)
            schrijver.join(0.5)
            if not schrijver.is_alive():
                break
        pytest.fail(f"the save did not return within {TIMEOUT_SECONDS} s")
    assert not fouten, fouten


def test_a_batch_of_many_megabytes_with_tracking_rows_is_stored_in_order(
    archief, postgres_schema
):
    bijlagen = _bijlagen()
    trackings = [Tracking(f"bron|{i}", i + 1) for i in range(50)]

    _binnen_de_tijd(
        postgres_schema, lambda: archief.save_tracked(*bijlagen, trackings=trackings)
    )

    assert archief.tracked_position("bron|49") == 50
    notifications = archief.recorder.select_notifications(start=1, limit=EVENTS + 1)
    assert [n.id for n in notifications] == list(range(1, EVENTS + 1))
    assert [uuid.UUID(str(n.originator_id)) for n in notifications] == [
        b.id for b in bijlagen
    ]
    some = bijlagen[EVENTS // 2]
    assert archief.repository.get(some.id).inhoud == some.inhoud
