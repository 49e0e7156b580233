"""A small pair of event-sourced applications to exercise relay and consumer."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from eventsourcing.domain import Aggregate, event

from contracts.envelope import CloudEvent, ContractEvent
from contracts.registratie import VerzuimVervallen
from plumbing.consumer import UnitOfWork
from plumbing.store import ServiceApplication

SCHOOL = uuid.UUID("00000000-0000-4000-8000-00000000aaaa")


class Teller(Aggregate):
    """Upstream: one per pupil, each tick is one published event."""

    @event("Aangemaakt")
    def __init__(self, leerling_id: uuid.UUID) -> None:
        self.leerling_id = leerling_id
        self.ticks = 0

    @classmethod
    def create_id(cls, leerling_id: uuid.UUID) -> uuid.UUID:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"teller:{leerling_id}")

    @event("Getikt")
    def tik(self, leerling_id: uuid.UUID, slot: int) -> None:
        self.ticks += 1


class Bron(ServiceApplication):
    name = "bron"

    def tik(self, leerling_id: uuid.UUID, n: int = 1) -> None:
        try:
            teller = self.repository.get(Teller.create_id(leerling_id))
        except Exception:  # noqa: BLE001
            teller = Teller(leerling_id)
        for _ in range(n):
            teller.tik(leerling_id=leerling_id, slot=teller.ticks)
        self.save(teller)


def bron_contract(domain_event: Any) -> ContractEvent | None:
    if isinstance(domain_event, Teller.Getikt):
        return VerzuimVervallen(
            leerling_id=domain_event.leerling_id,
            school_id=SCHOOL,
            slot_id=f"slot-{domain_event.slot}",
            datum=date(2025, 9, 1),
        )
    return None


class Som(Aggregate):
    """Downstream: counts every slot it was told about, per pupil."""

    @event("Aangemaakt")
    def __init__(self, leerling_id: uuid.UUID) -> None:
        self.leerling_id = leerling_id
        self.slots: list[str] = []

    @classmethod
    def create_id(cls, leerling_id: uuid.UUID) -> uuid.UUID:
        return uuid.uuid5(uuid.NAMESPACE_URL, f"som:{leerling_id}")

    @event("Geteld")
    def tel(self, slot: str) -> None:
        self.slots.append(slot)


class Doel(ServiceApplication):
    name = "doel"
    fail_on: set[str] = set()

    def policy(self, uow: UnitOfWork, evt: ContractEvent, envelope: CloudEvent) -> None:
        assert isinstance(evt, VerzuimVervallen)
        if evt.slot_id in self.fail_on:
            raise ValueError("cannot apply this slot")
        som = uow.get(Som.create_id(evt.leerling_id)) or Som(evt.leerling_id)
        som.tel(slot=evt.slot_id)
        uow.add(som)

    def slots_of(self, leerling_id: uuid.UUID) -> list[str]:
        try:
            return self.repository.get(Som.create_id(leerling_id)).slots
        except Exception:  # noqa: BLE001
            return []
