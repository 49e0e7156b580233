"""The log redaction filter: BSNs, tokens, keys and passwords never reach a log."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from plumbing.logging import configure_logging
from plumbing.security.redaction import MASK, RedactionFilter, redact

TEST_BSN = "123456782"  # constructed test value
ONDERWIJSNUMMER = "101234564"  # constructed, passes the check
JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
API_KEY = "vk_0123456789abcdef_S3cr3t-value_with_underscores"


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s|%(detail)s"))
    handler.addFilter(RedactionFilter())
    logger = logging.getLogger("tests.security.redaction")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, stream
    logger.removeHandler(handler)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        pytest.param(f"leerling met bsn {TEST_BSN} gevonden", TEST_BSN, id="bsn"),
        pytest.param("bsn=1234.56.782", "1234.56.782", id="bsn-dotted"),
        pytest.param(
            f"nummer {ONDERWIJSNUMMER}", ONDERWIJSNUMMER, id="onderwijsnummer"
        ),
        pytest.param(f"Authorization: Bearer {JWT}", JWT, id="bearer"),
        pytest.param(f"token in body {JWT}", JWT, id="bare-jwt"),
        pytest.param(
            "Authorization: bearer abc.def-ghi", "abc.def-ghi", id="opaque-bearer"
        ),
        pytest.param(f"key {API_KEY} refused", "S3cr3t-value", id="api-key"),
        pytest.param("password=hunter22 user=x", "hunter22", id="password"),
        pytest.param('{"client_secret": "abc123xyz"}', "abc123xyz", id="json-secret"),
        pytest.param("wachtwoord: geheim!", "geheim!", id="wachtwoord"),
        pytest.param("postgresql://verzuim:Pa55word@db:5432/x", "Pa55word", id="dsn"),
    ],
)
def test_secrets_are_masked(text: str, secret: str) -> None:
    masked = redact(text)

    assert secret not in masked
    assert MASK in masked


@pytest.mark.parametrize(
    "text",
    [
        "datum 2024-03-15 om 08:30",
        "compact 20240315, epoch 1710489600",
        "leerling 0b7e4c1a-3f7d-4f6e-9a2b-123456789abc",
        "count=12 tokens=5 passed",
        "1234567890 is ten digits",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_the_api_key_id_stays_for_debugging() -> None:
    assert redact(API_KEY) == f"vk_0123456789abcdef_{MASK}"


def test_arguments_and_extra_fields_are_masked(captured) -> None:
    logger, stream = captured

    logger.info(
        "lookup %s failed",
        TEST_BSN,
        extra={"detail": {"bsn": TEST_BSN, "nested": [f"Bearer {JWT}"], "count": 3}},
    )

    line = stream.getvalue()
    assert TEST_BSN not in line
    assert JWT not in line
    assert "'count': 3" in line


def test_an_extra_field_named_like_a_secret_is_masked_whole() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "msg", None, None)
    record.password = "plain"  # type: ignore[attr-defined]
    record.bsn = 123456782  # type: ignore[attr-defined]
    record.detail = 999990019  # type: ignore[attr-defined]
    RedactionFilter().filter(record)

    assert record.password == MASK  # type: ignore[attr-defined]
    assert record.bsn == MASK  # type: ignore[attr-defined]
    assert record.detail == MASK  # type: ignore[attr-defined]


def test_a_traceback_is_masked(captured) -> None:
    logger, stream = captured

    try:
        raise ValueError(f"onbekend bsn {TEST_BSN}")
    except ValueError:
        logger.exception("import failed", extra={"detail": "-"})

    output = stream.getvalue()
    assert "ValueError" in output
    assert TEST_BSN not in output


def test_the_platform_json_logging_installs_the_filter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    handler = configure_logging("security-test")
    try:
        logging.getLogger("tests.security.json").warning(
            "key %s used for %s", API_KEY, TEST_BSN, extra={"leerling": "l-1"}
        )
    finally:
        logging.getLogger().removeHandler(handler)

    record = json.loads(capsys.readouterr().err.strip().splitlines()[-1])
    assert "S3cr3t" not in record["message"]
    assert TEST_BSN not in record["message"]
    assert record["leerling"] == "l-1"
