"""The consumer's per-batch hook that analyse relies on (`UnitOfWork.batch_state`).

No broker: the consumer's `_apply` is driven with made-up records, on a real SQLite
store, so the test sees exactly what one batch stores.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from aiokafka.structs import ConsumerRecord

from contracts.envelope import CloudEvent, ContractEvent, encode, wrap
from contracts.registratie import VerzuimVervallen
from plumbing.consumer import (
    Consumer,
    HandlerFailed,
    Incoming,
    MessageFailed,
    UnitOfWork,
)
from plumbing.store import ServiceApplication
from tests.platform.toy import Som

LEERLING = uuid.UUID(int=7)
SCHOOL = uuid.UUID(int=8)


class Verzamelaar:
    """Gathers the slots of a batch; stores them in one aggregate before the save."""

    def __init__(self, uow: UnitOfWork, fout: Exception | None) -> None:
        self.uow = uow
        self.fout = fout
        self.slots: list[str] = []
        self.aanroepen = 0

    def before_save(self) -> None:
        self.aanroepen += 1
        if self.fout is not None:
            raise self.fout
        som = self.uow.get(Som.create_id(LEERLING)) or Som(LEERLING)
        for slot in self.slots:
            som.tel(slot=slot)
        self.uow.add(som)


def bericht(volgnummer: int) -> Incoming:
    event = VerzuimVervallen(
        leerling_id=LEERLING,
        school_id=SCHOOL,
        slot_id=f"slot-{volgnummer}",
        datum=date(2025, 9, 15),
    )
    envelope = wrap(
        event, event_id=str(uuid.uuid4()), sequence=volgnummer, time=datetime.now(UTC)
    )
    record = ConsumerRecord(
        "t.verzuim.registratie.v1", 0, volgnummer, 0, 0, b"k", encode(envelope),
        None, 1, 1, (),
    )  # fmt: skip
    return Incoming(record, envelope, event)


def consumer(
    tmp_path: Path, fout: Exception | None = None
) -> tuple[Consumer, list[Any]]:
    app = ServiceApplication(
        env={
            "PERSISTENCE_MODULE": "plumbing.store:SQLiteStore",
            "SQLITE_DBNAME": str(tmp_path / "hook.sqlite"),
        }
    )
    staten: list[Verzamelaar] = []

    def policy(uow: UnitOfWork, event: ContractEvent, envelope: CloudEvent) -> None:
        def maak() -> Verzamelaar:
            staten.append(Verzamelaar(uow, fout))
            return staten[-1]

        staat = uow.batch_state("verzamel", maak)
        assert isinstance(event, VerzuimVervallen)
        staat.slots.append(event.slot_id)

    c = Consumer(
        app,
        service="test",
        topics=["t.verzuim.registratie.v1"],
        policy=policy,
        consumer_factory=lambda: None,  # type: ignore[arg-type,return-value]
        producer_factory=lambda: None,  # type: ignore[arg-type,return-value]
    )
    return c, staten


def test_hook_runs_once_per_batch_after_every_message_and_saves_with_it(
    tmp_path: Path,
) -> None:
    c, staten = consumer(tmp_path)

    toegepast, overgeslagen = c._apply([bericht(1), bericht(2), bericht(3)])  # noqa: SLF001

    assert (toegepast, overgeslagen) == (3, 0)
    [staat] = staten
    assert staat.aanroepen == 1
    som = c.app.repository.get(Som.create_id(LEERLING))
    assert som.slots == ["slot-1", "slot-2", "slot-3"]
    naam = bericht(1).tracking_name
    assert c.app.tracked_position(naam) == 3

    # A batch seen again makes no state and calls no hook: the tracking rows hold.
    assert c._apply([bericht(2), bericht(3)]) == (0, 2)  # noqa: SLF001
    assert len(staten) == 1


def test_hook_failure_blames_the_named_message(tmp_path: Path) -> None:
    berichten = [bericht(1), bericht(2), bericht(3)]
    c, _ = consumer(tmp_path, MessageFailed(berichten[1].envelope, ValueError("x")))

    with pytest.raises(HandlerFailed) as fout:
        c._apply(berichten)  # noqa: SLF001

    assert fout.value.incoming is berichten[1]
    assert c.app.tracked_position(berichten[0].tracking_name) == 0  # nothing stored


def test_hook_failure_without_a_name_blames_the_last_message(tmp_path: Path) -> None:
    berichten = [bericht(1), bericht(2)]
    c, _ = consumer(tmp_path, RuntimeError("kapot"))

    with pytest.raises(HandlerFailed) as fout:
        c._apply(berichten)  # noqa: SLF001

    assert fout.value.incoming is berichten[-1]
    assert isinstance(fout.value.error, RuntimeError)
