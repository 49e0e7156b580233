"""Field-level encryption of the BSN / onderwijsnummer on the wire.

The pupil's persoonsgebonden nummer never travels on Kafka in clear text. Only
registratie (which receives it) and ketenkoppeling (which sends it to DUO, Lpw
art. 21a(10)) hold the shared key (``VERZUIM_PGN_KEY``, 32 bytes, base64).
"""

from __future__ import annotations

import base64
import contextlib
import os
import tempfile
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from contracts.common import VersleuteldPgn

_AAD = b"verzuimketen-pgn-v1"
SLEUTELBESTAND = "pgn.key"


class PgnSleutelFout(ValueError):
    """The key is missing or wrong, or the ciphertext was tampered with."""


def nieuwe_sleutel() -> str:
    return base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()


def _aes(sleutel: str) -> AESGCM:
    try:
        raw = base64.b64decode(sleutel, validate=True)
    except ValueError:
        raise PgnSleutelFout("VERZUIM_PGN_KEY is not valid base64") from None
    if len(raw) != 32:
        raise PgnSleutelFout("VERZUIM_PGN_KEY must be 32 bytes")
    return AESGCM(raw)


def versleutel(pgn: str, soort: str, sleutel: str) -> VersleuteldPgn:
    nonce = os.urandom(12)
    cipher = _aes(sleutel).encrypt(nonce, pgn.encode(), _AAD)
    return VersleuteldPgn(
        soort=soort, versleuteld=base64.b64encode(nonce + cipher).decode()
    )


def ontsleutel(waarde: VersleuteldPgn, sleutel: str) -> str:
    raw = base64.b64decode(waarde.versleuteld)
    try:
        return _aes(sleutel).decrypt(raw[:12], raw[12:], _AAD).decode()
    except InvalidTag:
        raise PgnSleutelFout("cannot decrypt the pgn with this key") from None


def sleutel_uit_instellingen(waarde: str | None, data_dir: Path) -> str:
    """The PGN key: the setting when given, else the one kept in ``data_dir``.

    The embedded set-up runs registratie and ketenkoppeling on one data dir without
    configuration: the first process to need a key makes one and stores it in
    ``<data_dir>/pgn.key`` (mode 0600); every later process reads that file.
    Production sets ``VERZUIM_PGN_KEY`` for both services instead.
    """
    if waarde:
        _aes(waarde)  # refuse a malformed key at start-up, not at the first message
        return waarde
    pad = Path(data_dir) / SLEUTELBESTAND
    if not pad.exists():
        pad.parent.mkdir(parents=True, exist_ok=True)
        fd, tijdelijk = tempfile.mkstemp(dir=pad.parent, prefix=".pgn-")
        try:
            with os.fdopen(fd, "w") as bestand:
                bestand.write(nieuwe_sleutel())
            # A hard link never replaces an existing file: when two processes
            # race, both end up reading the one that was linked first.
            with contextlib.suppress(FileExistsError):
                os.link(tijdelijk, pad)
        finally:
            os.unlink(tijdelijk)
    sleutel = pad.read_text().strip()
    _aes(sleutel)
    return sleutel
