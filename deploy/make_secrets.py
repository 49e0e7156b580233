"""Write the secret env files that deploy/compose.yaml reads, with fresh random keys.

    python deploy/make_secrets.py deploy/env

Three files, so each container gets only what it needs:
- ``postgres.env``: the database password (PostgreSQL and the four services);
- ``secrets.env``: the keys every service holds;
- ``pgn.env``: the key of the BSN/onderwijsnummer on the wire, held only by
  registratie and ketenkoppeling (contracts/pgn.py).

An existing file is never overwritten: a new ``VERZUIM_CIPHER_KEY`` would make every
stored event unreadable, a new ``VERZUIM_PGN_KEY`` every message in flight. Rotate
keys on purpose (``VERZUIM_CIPHER_OLD_KEYS``), not by running this again. The same
files feed ``kubectl create secret generic --from-env-file`` (deploy/README.md).
Standard library only, so it runs before anything is installed.
"""

from __future__ import annotations

import argparse
import base64
import os
import secrets
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


def aes_key() -> str:
    """A base64 AES-256 key, the form the cipher, vault and PGN settings expect."""
    return base64.b64encode(secrets.token_bytes(32)).decode()


def token() -> str:
    return secrets.token_urlsafe(32)


#: File name -> variable -> how to make its value.
FILES: dict[str, dict[str, Callable[[], str]]] = {
    "postgres.env": {"POSTGRES_PASSWORD": token},
    "secrets.env": {
        "VERZUIM_CIPHER_KEY": aes_key,
        "VERZUIM_APIKEY_PEPPER": token,
        "VERZUIM_BSN_HASH_KEY": token,
        "VERZUIM_SLEUTELKLUIS_MASTER_KEY": aes_key,
    },
    "pgn.env": {"VERZUIM_PGN_KEY": aes_key},
}


def write_secrets(directory: Path) -> list[Path]:
    """Write the files that are missing; return the ones written."""
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    written = []
    for name, variables in FILES.items():
        path = directory / name
        if path.exists():
            continue
        lines = [f"{variable}={make()}\n" for variable, make in variables.items()]
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.writelines(lines)
        written.append(path)
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path, help="where the env files go")
    arguments = parser.parse_args(argv)
    written = write_secrets(arguments.directory)
    kept = sorted(set(FILES) - {path.name for path in written})
    for path in written:
        print(f"written {path}")
    for name in kept:
        print(f"kept    {arguments.directory / name} (exists)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
