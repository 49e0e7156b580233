"""`python -m standins.duo`: the DUO stand-in on 127.0.0.1.

Every option also reads an environment variable `DUO_STANDIN_<OPTION>` (upper case,
dashes as underscores), e.g. `DUO_STANDIN_FAIL_5XX=0.3`.
"""

from __future__ import annotations

import argparse
import logging
import os
from datetime import timedelta
from pathlib import Path

import uvicorn

from standins.duo.certs import zorg_voor_certificaten
from standins.duo.dienst import DuoStandin
from standins.duo.klok import Systeemklok
from standins.duo.register import Register
from standins.duo.server import uvicorn_config
from standins.duo.storingen import Storingen


def _env(naam: str, standaard: object) -> object:
    return os.environ.get("DUO_STANDIN_" + naam.upper().replace("-", "_"), standaard)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m standins.duo", description=__doc__)

    def optie(naam: str, soort: type, standaard: object, hulp: str) -> None:
        parser.add_argument(
            f"--{naam}", type=soort, default=_env(naam, standaard), help=hulp
        )

    optie("host", str, "127.0.0.1", "listen address")
    optie("port", int, 8700, "listen port")
    optie("tls-dir", Path, None, "certificates (made if missing); demands client certs")
    optie("state-file", Path, None, "JSON file that keeps the register across restarts")
    optie("seed", int, None, "seed for the failure fractions")
    optie("status-b-after", float, 60.0, "seconds from R (geregistreerd) to B")
    optie("status-closed-after", float, 120.0, "seconds from B to G, or K for O")
    optie("delay-ms", int, 0, "delay before every answer")
    optie("fail-5xx", float, 0.0, "share of requests answered 500")
    optie("timeout-after-accept", float, 0.0, "share of new meldingen answered late")
    optie("timeout-sleep-ms", int, 35_000, "how late (above the client timeout)")
    optie("fail-dc0002", float, 0.0, "share of meldingen/mutaties refused (F900)")
    parser.add_argument(
        "--outage",
        action="append",
        default=[],
        metavar="AFTER:SECONDS",
        help="answer 503 for SECONDS, starting AFTER seconds from start (repeatable)",
    )
    return parser


def main() -> None:
    argumenten = _parser().parse_args()
    logging.basicConfig(level=logging.INFO)
    klok = Systeemklok()
    register = Register(
        klok,
        behandeling_na=timedelta(seconds=argumenten.status_b_after),
        afsluiting_na=timedelta(seconds=argumenten.status_closed_after),
        bestand=argumenten.state_file,
    )
    storingen = Storingen(
        vertraging_ms=argumenten.delay_ms,
        fractie_5xx=argumenten.fail_5xx,
        fractie_timeout_na_accept=argumenten.timeout_after_accept,
        timeout_slaap_ms=argumenten.timeout_sleep_ms,
        fractie_afwijzing=argumenten.fail_dc0002,
    )
    standin = DuoStandin(register, klok, storingen, seed=argumenten.seed)
    for venster in argumenten.outage:
        na, _, duur = venster.partition(":")
        standin.voeg_uitval_toe(float(duur), float(na))
    tls = (
        None
        if argumenten.tls_dir is None
        else zorg_voor_certificaten(argumenten.tls_dir)
    )
    config = uvicorn_config(
        standin, host=argumenten.host, port=argumenten.port, tls=tls
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
