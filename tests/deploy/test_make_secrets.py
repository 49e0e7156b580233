"""deploy/make_secrets.py: the env files compose reads, with keys the code accepts."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

from eventsourcing.cipher import AESCipher
from eventsourcing.utils import Environment

from contracts.pgn import ontsleutel, versleutel
from tests.deploy.manifests import (
    DEPLOY,
    compose_env_files,
    compose_services,
    env_file,
    make_secrets,
)


def test_env_files_are_the_ones_make_secrets_writes() -> None:
    written = set(make_secrets().FILES)
    paths = {p for s in compose_services().values() for p in compose_env_files(s)}

    assert {Path(p).parent for p in paths} == {Path("env")}
    assert {Path(p).name for p in paths} == written
    assert "env/" in (DEPLOY / ".gitignore").read_text().split()


def test_make_secrets_makes_keys_the_code_accepts(tmp_path: Path) -> None:
    make_secrets().write_secrets(tmp_path)
    values = {k: v for f in tmp_path.iterdir() for k, v in env_file(f).items()}
    pgn_key = values["VERZUIM_PGN_KEY"]
    cipher = AESCipher(Environment(env={"CIPHER_KEY": values["VERZUIM_CIPHER_KEY"]}))

    # 999990019: a constructed test BSN, never issued.
    assert ontsleutel(versleutel("999990019", "bsn", pgn_key), pgn_key) == "999990019"
    assert cipher.decrypt(cipher.encrypt(b"afwezigheid")) == b"afwezigheid"
    assert len(base64.b64decode(values["VERZUIM_SLEUTELKLUIS_MASTER_KEY"])) == 32
    assert len(values["VERZUIM_BSN_HASH_KEY"].encode()) >= 16
    assert all(stat.S_IMODE(f.stat().st_mode) == 0o600 for f in tmp_path.iterdir())


def test_make_secrets_never_replaces_a_key(tmp_path: Path) -> None:
    module = make_secrets()
    first = module.write_secrets(tmp_path)
    before = {f.name: f.read_text() for f in tmp_path.iterdir()}

    again = module.write_secrets(tmp_path)

    assert len(first) == len(module.FILES) and again == []
    assert {f.name: f.read_text() for f in tmp_path.iterdir()} == before
