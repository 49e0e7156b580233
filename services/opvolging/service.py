"""The composition root of opvolging: what the platform runtime needs to run it."""

from __future__ import annotations

from pydantic import Field

from plumbing.consumer import Policy
from plumbing.runtime import ServiceRuntime, ServiceSpec
from plumbing.security.settings import SecuritySettings
from services.opvolging.api import routers
from services.opvolging.application import Opvolging
from services.opvolging.contracts_mapping import to_contract
from services.opvolging.evaluaties import evaluaties_per_dag
from services.opvolging.policies import OpvolgingPolicy

__all__ = ["SPEC", "Settings"]


class Settings(SecuritySettings):
    """Opvolging's settings: the platform's and security's, plus its own job."""

    # Nearly all upstream traffic is registratie's slots; a batch loads and saves a
    # pupil's lesweek figures once, so larger batches cost less per slot.
    consumer_batch_size: int = 2000

    opvolging_evaluatie_poll_seconds: float = Field(
        default=1.0,
        gt=0,
        description="how often the evaluation job looks whether a new day began",
    )


def _policy(runtime: ServiceRuntime) -> Policy:
    app = runtime.require_app()
    assert isinstance(app, Opvolging)
    return OpvolgingPolicy(app.beleid, runtime.clock.now, app.erase)


SPEC = ServiceSpec(
    name="opvolging",
    version="1.0.0",
    description=(
        "Opvolgen verzuim: a dossier per pupil with the protocol's actions by RASCI "
        "role, decisions (D15, D17, D18), PDCA evaluations and the closing report."
    ),
    build_app=lambda env: Opvolging(env=env),
    to_contract=to_contract,
    routers=routers,
    policy=_policy,
    background=[evaluaties_per_dag],
)
