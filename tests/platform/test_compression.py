"""Stored payloads: zlib from a threshold up, small JSON as it is, old ones read."""

from __future__ import annotations

import json
import sqlite3
import uuid
import zlib
from pathlib import Path

from plumbing.compression import KLEIN, THRESHOLD, ThresholdZlibCompressor
from plumbing.security.crypto import KeyRingCipher, generate_cipher_key
from plumbing.settings import PlatformSettings
from plumbing.store import store_env
from tests.platform.toy import Bron, Teller

PUPIL = uuid.UUID(int=7)


def _json(tekens: int) -> bytes:
    return json.dumps({"opmerking": "x" * tekens}).encode()


def test_a_small_json_object_is_stored_as_it_is():
    klein = _json(THRESHOLD // 2)

    assert ThresholdZlibCompressor().compress(klein) == klein
    assert ThresholdZlibCompressor().decompress(klein) == klein


def test_a_large_payload_is_compressed_and_read_back():
    groot = _json(THRESHOLD * 4)

    opgeslagen = ThresholdZlibCompressor().compress(groot)

    assert len(opgeslagen) < len(groot) // 4
    assert ThresholdZlibCompressor().decompress(opgeslagen) == groot


def test_a_payload_of_a_few_kib_compresses_as_well_as_zlibs_default_window():
    for tekens in (THRESHOLD, 3 * THRESHOLD, KLEIN - 100, KLEIN, 4 * KLEIN):
        slots = [
            {"lesuur": i % 9, "gemist": i * 7 % 50, "status": "ongeoorloofd"}
            for i in range(tekens // 50)
        ]
        waarde = json.dumps({"slots": slots}).encode()

        opgeslagen = ThresholdZlibCompressor().compress(waarde)

        assert opgeslagen[:1] != b"{"
        assert len(opgeslagen) <= len(zlib.compress(waarde)) * 1.02
        # Any zlib reader, also an older version's, takes the smaller window.
        assert zlib.decompress(opgeslagen) == waarde
        assert ThresholdZlibCompressor().decompress(opgeslagen) == waarde


def test_a_payload_compressed_by_plain_zlib_reads_as_before():
    # Every event written before the threshold existed is a zlib stream.
    klein = _json(100)

    assert ThresholdZlibCompressor().decompress(zlib.compress(klein)) == klein


def test_something_other_than_a_json_object_is_always_compressed():
    # The stored form must stay unambiguous, whatever a transcoder writes.
    for waarde in (b"[1,2,3]", b'"tekst"', b"x"):
        opgeslagen = ThresholdZlibCompressor().compress(waarde)

        assert opgeslagen != waarde
        assert ThresholdZlibCompressor().decompress(opgeslagen) == waarde


def _stored_states(path: Path) -> list[bytes]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT state FROM stored_events")]


def test_a_store_written_with_plain_zlib_reads_and_grows_with_the_threshold(
    tmp_path: Path,
):
    # Given a store as the previous version wrote it: every payload zlib-compressed.
    key = generate_cipher_key()
    settings = PlatformSettings(verzuim_data_dir=tmp_path, verzuim_cipher_key=key)
    nieuw_env = store_env("bron", settings)
    oud_env = {
        **nieuw_env,
        "COMPRESSOR_TOPIC": "eventsourcing.compressor:ZlibCompressor",
    }
    oud = Bron(env=oud_env)
    teller = Teller(PUPIL)
    teller.tik(leerling_id=PUPIL, slot=0)
    oud.save(teller)
    oud.close()

    # When the current version reads it and adds to it
    app = Bron(env=nieuw_env)
    gelezen = app.repository.get(teller.id)
    gelezen.tik(leerling_id=PUPIL, slot=1)
    app.save(gelezen)

    # Then all events read, the old ones compressed, the new small one not.
    assert app.repository.get(teller.id).ticks == 2
    cipher = KeyRingCipher(app.env)
    app.close()
    geopend = [
        cipher.decrypt(s) for s in _stored_states(Path(nieuw_env["SQLITE_DBNAME"]))
    ]
    assert [s[:1] == b"{" for s in geopend] == [False, False, True]
