"""Fill registratie's PGN index from the pupils already registered.

    python -m services.registratie.indexeren

For a store written before the index existed: every pupil not erased gets its
`PgnVermelding` (`indexering`). Reads the service's own settings (data dir,
store, `VERZUIM_BSN_HASH_KEY`), may run while the service runs and again, and
prints counts and pupil ids only; two pupils of one school with one number are
listed for the school to resolve (exit code 1).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from plumbing.clock import clock_from_setting
from plumbing.security.crypto import BsnHasher
from plumbing.store import store_env
from services.registratie.service import Settings
from services.registratie.service_app import RegistratieDienst, pgn_sleutel

__all__ = ["main"]


def main(argv: Sequence[str] | None = None, settings: Settings | None = None) -> int:
    argparse.ArgumentParser(
        prog="python -m services.registratie.indexeren",
        description="Fill the PGN index from the pupils already registered.",
    ).parse_args(argv)
    settings = settings or Settings()
    klok = clock_from_setting(settings.verzuim_klok)
    app = RegistratieDienst(env=store_env("registratie", settings))
    try:
        app.bind(klok.now, pgn_sleutel(settings), BsnHasher.from_settings(settings))
        resultaat = app.vul_pgn_index()
    finally:
        app.close()
    for leerling_id, houder in resultaat.dubbel:
        print(f"dubbel pgn: {leerling_id} (bij deze school al op {houder})")
    print(
        f"{resultaat.toegevoegd} van {resultaat.leerlingen} leerling(en) toegevoegd, "
        f"{len(resultaat.dubbel)} dubbel"
    )
    return 1 if resultaat.dubbel else 0


if __name__ == "__main__":
    sys.exit(main())
