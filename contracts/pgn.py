"""Field-level encryption of the BSN / onderwijsnummer on the wire.

The pupil's persoonsgebonden nummer never travels on Kafka in clear text. Only
registratie (which receives it) and ketenkoppeling (which sends it to DUO, Lpw
art. 21a(10)) hold the shared key (``VERZUIM_PGN_KEY``, 32 bytes, base64).
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from contracts.common import VersleuteldPgn

_AAD = b"verzuimketen-pgn-v1"


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
