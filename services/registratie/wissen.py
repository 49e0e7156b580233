"""Erase pupils' personal data (crypto-shredding), from the command line.

    python -m services.registratie.wissen [--door NAAM] leerling <leerlingId>
    python -m services.registratie.wissen [--door NAAM] bewaartermijn [--dagen N] \\
        [--proef]

`leerling` erases one pupil on request (AVG art. 17). `bewaartermijn` erases every
pupil whose ``inschrijvingTot`` lies more than ``VERZUIM_BEWAARTERMIJN_DAGEN`` (or
``--dagen``) before today by the service clock (``VERZUIM_KLOK``); ``--proef`` only
lists them. Both read the service's own settings (data dir, store, keys), may run
while the service runs, and print pupil ids only. `wissing` says what erasing does.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Sequence
from uuid import UUID

from plumbing.clock import clock_from_setting
from plumbing.security.crypto import BsnHasher
from plumbing.store import store_env
from services.registratie.domain.fouten import NietGevonden
from services.registratie.service import Settings
from services.registratie.service_app import RegistratieDienst, pgn_sleutel
from services.registratie.wissing import Wisgrond

__all__ = ["main"]


def _wie() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m services.registratie.wissen",
        description="Erase pupils' personal data by destroying their keys.",
    )
    parser.add_argument(
        "--door", default=_wie(), help="who erases (recorded with the fact)"
    )
    opdrachten = parser.add_subparsers(dest="opdracht", required=True)
    leerling = opdrachten.add_parser("leerling", help="erase one pupil (AVG art. 17)")
    leerling.add_argument("leerling_id", type=UUID)
    termijn = opdrachten.add_parser(
        "bewaartermijn", help="erase every pupil past the retention period"
    )
    termijn.add_argument("--dagen", type=int, default=None)
    termijn.add_argument(
        "--proef", action="store_true", help="only list who would be erased"
    )
    return parser


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    arguments = _parser().parse_args(argv)
    settings = settings or Settings()
    klok = clock_from_setting(settings.verzuim_klok)
    app = RegistratieDienst(env=store_env("registratie", settings))
    try:
        app.bind(klok.now, pgn_sleutel(settings), BsnHasher.from_settings(settings))
        if arguments.opdracht == "leerling":
            try:
                resultaat = app.wis_persoonsgegevens(
                    arguments.leerling_id, Wisgrond.VERZOEK, arguments.door
                )
            except NietGevonden:
                print(f"leerling {arguments.leerling_id} bestaat niet", file=sys.stderr)
                return 1
            status = "gewist" if resultaat.nieuw else "was al gewist"
            print(f"{status}: {resultaat.leerling_id}")
            return 0

        dagen = (
            settings.verzuim_bewaartermijn_dagen
            if arguments.dagen is None
            else arguments.dagen
        )
        if dagen <= 0:
            print("--dagen moet groter dan 0 zijn", file=sys.stderr)
            return 2
        if arguments.proef:
            verlopen = app.verlopen_inschrijvingen(klok.today(), dagen)
            for leerling_id in verlopen:
                print(f"zou wissen: {leerling_id}")
            print(
                f"{len(verlopen)} leerling(en) langer dan {dagen} dagen uitgeschreven"
            )
            return 0
        resultaten = app.wis_verlopen(klok.today(), dagen, arguments.door)
        for resultaat in resultaten:
            print(f"gewist: {resultaat.leerling_id}")
        print(f"{len(resultaten)} leerling(en) gewist (bewaartermijn {dagen} dagen)")
        return 0
    finally:
        app.close()


if __name__ == "__main__":
    sys.exit(main())
