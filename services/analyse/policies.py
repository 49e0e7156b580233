"""How analyse reacts to upstream events (the consumer side).

registratie: schools, pupils, classified and withdrawn lesson slots (a pupil-day's
at once, or one slot per message from an older registratie), and a pupil's
erasure (analyse destroys its keys for that pupil). opvolging: a
person's decisions on a signal or a withdrawal (D15, D18). ketenkoppeling: a melding
registered at DUO, after which a correction proposes a withdrawal instead of
cancelling the duty (D15). Leave decisions (`VerlofBesloten`) need no reaction:
granted leave already arrives as geoorloofd slots, and luxe verzuim as slots coded
so (D14, D18). Anything else on these topics is not analyse's business.

The policy only gathers; the batch's `Batchwerk` evaluates each touched pupil once
before the batch is stored (see `plumbing.consumer.UnitOfWork.batch_state`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from contracts.envelope import CloudEvent, ContractEvent
from contracts.ketenkoppeling import VerzuimmeldingStatusGewijzigd
from contracts.opvolging import BesluitGenomen
from contracts.registratie import (
    LeerlingGeregistreerd,
    LeerlingGewist,
    SchoolGeregistreerd,
    VerzuimdagBijgewerkt,
    VerzuimGeclassificeerd,
    VerzuimVervallen,
)
from plumbing.consumer import Policy, UnitOfWork
from services.analyse.application import Analyse
from services.analyse.verwerking import Batchwerk

if TYPE_CHECKING:
    from plumbing.runtime import ServiceRuntime

__all__ = ["analyse_policy"]


def analyse_policy(runtime: ServiceRuntime) -> Policy:
    app = runtime.require_app()
    assert isinstance(app, Analyse)
    clock = runtime.clock

    def pas_toe(uow: UnitOfWork, event: ContractEvent, envelope: CloudEvent) -> None:
        werk: Batchwerk = uow.batch_state(
            "analyse", lambda: app.batchwerk(uow, clock.today())
        )
        if isinstance(event, VerzuimdagBijgewerkt):
            werk.dag(event, envelope)
        elif isinstance(event, VerzuimGeclassificeerd):
            werk.slot(event, envelope)
        elif isinstance(event, VerzuimVervallen):
            werk.slot_weg(event, envelope)
        elif isinstance(event, LeerlingGeregistreerd):
            werk.leerling(event, envelope)
        elif isinstance(event, SchoolGeregistreerd):
            werk.school(event, envelope)
        elif isinstance(event, LeerlingGewist):
            werk.wis(event, envelope)
        elif isinstance(event, BesluitGenomen | VerzuimmeldingStatusGewijzigd):
            werk.besluit(event)

    return pas_toe
