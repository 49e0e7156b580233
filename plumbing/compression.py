"""Compression of stored event payloads: zlib where it pays, the JSON as it is below.

Measured on the stores of a demo run (registratie 62k events, analyse 13k): most
events are 200–700 bytes of JSON, which zlib shrinks by about 40% for 8–20 µs each,
the largest single cost of saving such an event and more than encrypting it; events
from 1 KiB up shrink by 70–80%. So payloads under `THRESHOLD` bytes are stored as
they are (then encrypted as always), larger ones compressed.

No marker is needed to tell the two apart: the JSON transcoder writes an object, so a
stored plain payload starts with ``{``, and a zlib stream never does (its first byte
names the deflate method in its low four bits: 0x78 for the default window, never
0x7B). Events written before, all compressed, read as they did.
"""

from __future__ import annotations

import zlib

from eventsourcing.persistence import Compressor

__all__ = ["THRESHOLD", "ThresholdZlibCompressor"]

#: Payloads shorter than this many bytes are not compressed.
THRESHOLD = 1024

_JSON_OBJECT = b"{"


class ThresholdZlibCompressor(Compressor):
    """zlib for payloads from `THRESHOLD` bytes, small JSON objects as they are."""

    def compress(self, data: bytes) -> bytes:
        if len(data) < THRESHOLD and data[:1] == _JSON_OBJECT:
            return data
        return zlib.compress(data)

    def decompress(self, data: bytes) -> bytes:
        if data[:1] == _JSON_OBJECT:
            return data
        return zlib.decompress(data)
