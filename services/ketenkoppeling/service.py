"""The composition root of the ketenkoppeling: how the platform runs it.

Upstream registratie, analyse and opvolging events are applied by `policies`; four
background jobs act on what they record (the DUO sender, the DUO status poller, the
due-date watch, partner notifications); `contracts_mapping` says what is published on
`verzuim.ketenkoppeling.v1`; `api` serves the meldingen and notifications.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from plumbing.runtime import ServiceSpec
from services.ketenkoppeling.achtergrond import app_van
from services.ketenkoppeling.api import routers
from services.ketenkoppeling.application import Ketenkoppeling
from services.ketenkoppeling.contracts_mapping import to_contract
from services.ketenkoppeling.notificaties import partnernotificaties
from services.ketenkoppeling.policies import GEBRUIKTE_SOORTEN, maak_policy
from services.ketenkoppeling.settings import Settings
from services.ketenkoppeling.statusvolger import duo_statusvolger
from services.ketenkoppeling.termijnen import termijnbewaking
from services.ketenkoppeling.zender import duo_zender

if TYPE_CHECKING:
    from plumbing.runtime import ServiceRuntime

__all__ = ["SPEC", "Settings"]


def _na_batch(runtime: ServiceRuntime) -> Callable[[], Any]:
    # After each consumer batch: read the new events, so the jobs see the new work.
    return app_van(runtime).overzicht.bij


SPEC = ServiceSpec(
    name="ketenkoppeling",
    version="1.0.0",
    description=(
        "Ketenkoppeling: dient verzuimmeldingen precies één keer in bij DUO, volgt hun "
        "status en informeert partners (leerplichtambtenaar, ouders, zorgteam)."
    ),
    build_app=lambda env: Ketenkoppeling(env=env),
    to_contract=to_contract,
    routers=routers,
    policy=maak_policy,
    event_types=GEBRUIKTE_SOORTEN,
    background=(duo_zender, duo_statusvolger, termijnbewaking, partnernotificaties),
    after_batch=_na_batch,
)
