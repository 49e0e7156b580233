"""Registratie's truth, read back from its own store's notification log.

Registratie stores every public message it publishes as an `Uitgaand` event, in the
same transaction as its cause (`services.registratie.contracts_mapping`). Reading
those from the store, in log order, gives exactly what the chain was told, without
the broker: the embedded broker keeps nothing once it stops, the store does.

`lees_registratie` folds the messages into the final state: every school and pupil
as last registered, and every lesson slot's last classification (a slot that was
withdrawn or corrected away is gone), whether a pupil-day's slots came in one
`VerzuimdagBijgewerkt` or, from an older registratie, one message per slot.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from contracts.registratie import (
    LeerlingGeregistreerd,
    SchoolGeregistreerd,
    VerzuimdagBijgewerkt,
    VerzuimGeclassificeerd,
    VerzuimVervallen,
)
from plumbing.clock import AMSTERDAM
from plumbing.settings import PlatformSettings
from plumbing.store import store_env
from services.registratie.contracts_mapping import Uitgaand, to_contract
from services.registratie.service_app import RegistratieDienst

__all__ = ["Leerlingstand", "Registratiestand", "lees_registratie"]

_BLOK = 5_000
_UITGAAND = f"{Uitgaand.__module__}:{Uitgaand.__qualname__}"


@dataclass
class Leerlingstand:
    """One pupil: the last registration and the slots as last classified."""

    registratie: LeerlingGeregistreerd
    startkwalificatie_sinds: date | None
    slots: dict[str, VerzuimGeclassificeerd] = field(default_factory=dict)


@dataclass
class Registratiestand:
    scholen: dict[str, SchoolGeregistreerd] = field(default_factory=dict)
    leerlingen: dict[str, Leerlingstand] = field(default_factory=dict)
    berichten: Counter[str] = field(default_factory=Counter)
    # Slots heard of for a pupil registratie never announced (should stay empty).
    wezen: Counter[str] = field(default_factory=Counter)


def _berichten(app: RegistratieDienst) -> Iterator[tuple[object, date]]:
    """(contract event, Amsterdam date it was stored) for every `Uitgaand`."""
    begin = 1
    while notifications := app.recorder.select_notifications(begin, _BLOK):
        for notification in notifications:
            if notification.topic != _UITGAAND:
                continue
            event = app.mapper.to_domain_event(notification)
            contract = to_contract(event)
            if contract is not None:
                yield contract, event.timestamp.astimezone(AMSTERDAM).date()
        begin = notifications[-1].id + 1


def lees_registratie(settings: PlatformSettings) -> Registratiestand:
    """Fold registratie's published messages into the final state."""
    app = RegistratieDienst(env=store_env("registratie", settings))
    stand = Registratiestand()
    try:
        for bericht, opgeslagen in _berichten(app):
            stand.berichten[type(bericht).__name__] += 1
            _pas_toe(stand, bericht, opgeslagen)
    finally:
        app.close()
    return stand


def _pas_toe(stand: Registratiestand, bericht: object, opgeslagen: date) -> None:
    if isinstance(bericht, SchoolGeregistreerd):
        stand.scholen[str(bericht.school_id)] = bericht
    elif isinstance(bericht, LeerlingGeregistreerd):
        lid = str(bericht.leerling_id)
        vorig = stand.leerlingen.get(lid)
        if vorig is None:
            # As analyse reads it: held at the first registration means from the
            # start, gained later means from the day that became known.
            sinds = date.min if bericht.startkwalificatie else None
            stand.leerlingen[lid] = Leerlingstand(bericht, sinds)
            return
        if not bericht.startkwalificatie:
            vorig.startkwalificatie_sinds = None
        elif vorig.startkwalificatie_sinds is None:
            vorig.startkwalificatie_sinds = opgeslagen
        vorig.registratie = bericht
    elif isinstance(bericht, VerzuimdagBijgewerkt):
        for slot in bericht.per_slot():
            _pas_toe(stand, slot, opgeslagen)
    elif isinstance(bericht, VerzuimGeclassificeerd):
        leerling = stand.leerlingen.get(str(bericht.leerling_id))
        if leerling is None:
            stand.wezen[str(bericht.leerling_id)] += 1
            return
        leerling.slots[bericht.slot_id] = bericht
    elif isinstance(bericht, VerzuimVervallen):
        leerling = stand.leerlingen.get(str(bericht.leerling_id))
        if leerling is not None:
            leerling.slots.pop(bericht.slot_id, None)
