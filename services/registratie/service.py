"""Composition root of registratie: `SPEC` and `Settings` for `serve`."""

from __future__ import annotations

import asyncio
import logging
from datetime import date

from pydantic import Field, SecretStr

from plumbing.runtime import ServiceRuntime, ServiceSpec
from plumbing.security.settings import SecuritySettings
from services.registratie.api import routers
from services.registratie.contracts_mapping import Uitgaand, to_contract
from services.registratie.service_app import RegistratieDienst, registratie

__all__ = ["SPEC", "Settings", "dagelijkse_herbeoordeling"]

logger = logging.getLogger(__name__)


class Settings(SecuritySettings):
    """Registratie's settings: the platform's and security's, plus its own."""

    verzuim_pgn_key: SecretStr | None = Field(
        default=None,
        description="VERZUIM_PGN_KEY: base64 AES-256 key that encrypts the BSN / "
        "onderwijsnummer on Kafka, shared with ketenkoppeling; without it a key is "
        "made once in VERZUIM_DATA_DIR/pgn.key",
    )
    verzuim_bewaartermijn_dagen: int = Field(
        default=730,
        gt=0,
        description="VERZUIM_BEWAARTERMIJN_DAGEN: days after inschrijvingTot after "
        "which `python -m services.registratie.wissen bewaartermijn` erases a pupil's "
        "personal data (AVG art. 5(1)(e)); the period itself is the school board's "
        "policy, the default of two years is only a starting point",
    )
    registratie_dagtaak_seconden: float = Field(
        default=30.0,
        gt=0,
        description="REGISTRATIE_DAGTAAK_SECONDEN: how often the daily job looks "
        "whether the clock passed a day",
    )


async def dagelijkse_herbeoordeling(runtime: ServiceRuntime) -> None:
    """Once per (simulated) day: onbekend slots past the D8 notice period become
    ongeoorloofd (D14 step 3), without any new fact arriving.

    Looks at `runtime.clock.today()` every `REGISTRATIE_DAGTAAK_SECONDEN`; with
    `VERZUIM_KLOK=file:...` the main job moves the day and this follows it.
    """
    interval = getattr(runtime.settings, "registratie_dagtaak_seconden", 30.0)
    app = await asyncio.to_thread(registratie, runtime)
    vorige: date | None = None
    while True:
        vandaag = runtime.clock.today()
        if vandaag != vorige:
            try:
                resultaat = await runtime.run_sync(app.herbeoordeel, vandaag)
                vorige = vandaag
                logger.info(
                    "daily reassessment done",
                    extra={"event": "herbeoordeling", "count": resultaat.dagen},
                )
            except Exception:  # the next round tries again
                logger.exception("daily reassessment failed")
        await asyncio.sleep(interval)


SPEC = ServiceSpec(
    name="registratie",
    version="1.0.0",
    description=(
        "Registratie: schools, pupils, absence records from the SIS, parents' "
        "notices and leave requests; classifies every lesson slot under the "
        "Leerplichtwet and publishes the result."
    ),
    build_app=lambda env: RegistratieDienst(env=env),
    to_contract=to_contract,
    outbox=Uitgaand,
    routers=routers,
    background=(dagelijkse_herbeoordeling,),
)
