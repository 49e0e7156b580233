"""Identifier vectors (python-stdnum examples and constructed numbers); errors never
echo the number."""

from __future__ import annotations

import pytest

from leerplicht.identificatie import (
    IdentificatieFout,
    Pgn,
    PgnSchema,
    valideer_brin,
    valideer_bsn,
    valideer_gemeentecode,
    valideer_onderwijsnummer,
    valideer_pgn,
)


@pytest.mark.parametrize(
    "waarde", ["111222333", "123456782", "999990019", "1234.56.782"]
)
def test_geldige_bsn(waarde: str) -> None:
    assert valideer_bsn(waarde) == waarde.replace(".", "")


@pytest.mark.parametrize(
    ("waarde", "reden"),
    [
        ("111222334", "controlegetal"),
        ("123456789", "controlegetal"),
        ("1112223334", "lengte"),
        ("000000000", "nullen"),
        ("12345678a", "cijfers"),
    ],
)
def test_ongeldige_bsn(waarde: str, reden: str) -> None:
    with pytest.raises(IdentificatieFout) as fout:
        valideer_bsn(waarde)

    assert reden in str(fout.value)
    assert waarde not in str(fout.value)


def test_acht_cijfers_krijgt_voorloopnul() -> None:
    # 012345672: weighted sum 0+8+14+18+20+20+18+14-2 = 110, divisible by 11.
    assert valideer_bsn("12345672") == "012345672"


@pytest.mark.parametrize("waarde", ["101222331", "100000004", "101234564", "109999995"])
def test_geldig_onderwijsnummer(waarde: str) -> None:
    assert valideer_onderwijsnummer(waarde) == waarde
    assert valideer_pgn(waarde) == Pgn(PgnSchema.ONDERWIJSNUMMER, waarde)


@pytest.mark.parametrize("waarde", ["100252333", "201222331"])
def test_ongeldig_onderwijsnummer(waarde: str) -> None:
    with pytest.raises(IdentificatieFout) as fout:
        valideer_onderwijsnummer(waarde)

    assert waarde not in str(fout.value)


def test_pgn_kiest_het_schema_zelf() -> None:
    # 100252333 is BSN-shaped (S mod 11 = 0), so it is a BSN, not an onderwijsnummer.
    assert valideer_pgn("100252333").schema is PgnSchema.BSN
    assert valideer_pgn("123456782").schema is PgnSchema.BSN
    assert valideer_pgn("101222331").schema is PgnSchema.ONDERWIJSNUMMER


@pytest.mark.parametrize("waarde", ["123456789", "201222331", "12", "abcdefghi"])
def test_ongeldige_pgn_noemt_het_nummer_niet(waarde: str) -> None:
    with pytest.raises(IdentificatieFout) as fout:
        valideer_pgn(waarde)

    assert waarde not in str(fout.value)
    assert fout.value.soort == "pgn"


def test_pgn_repr_en_str_verbergen_het_nummer() -> None:
    pgn = valideer_pgn("123456782")

    assert "123456782" not in repr(pgn)
    assert "123456782" not in str(pgn)


@pytest.mark.parametrize(
    ("waarde", "instelling", "vestiging"),
    [("05 KO", "05KO", None), ("07NU 00", "07NU", "00"), ("05ko", "05KO", None)],
)
def test_geldige_brin(waarde: str, instelling: str, vestiging: str | None) -> None:
    brin = valideer_brin(waarde)

    assert (brin.instelling, brin.vestiging) == (instelling, vestiging)


@pytest.mark.parametrize(
    ("waarde", "reden"), [("12KB1", "lengte"), ("30AJ0A", "formaat")]
)
def test_ongeldige_brin(waarde: str, reden: str) -> None:
    with pytest.raises(IdentificatieFout, match=reden):
        valideer_brin(waarde)


def test_gemeentecode() -> None:
    assert valideer_gemeentecode("0344") == "0344"
    with pytest.raises(IdentificatieFout):
        valideer_gemeentecode("344")
