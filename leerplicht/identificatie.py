"""Pupil and school identifiers: BSN, onderwijsnummer and BRIN (sis-formats section 6).

Validation is delegated to `python-stdnum`; this module adds the product's rules on top:
the scheme of a persoonsgebonden nummer (PGN) is detected automatically (a string can
never be a valid BSN and a valid onderwijsnummer at once), and no error message, repr or
str ever contains the number itself, so a failed validation can be logged safely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from stdnum.nl import brin as stdnum_brin
from stdnum.nl import bsn as stdnum_bsn
from stdnum.nl import onderwijsnummer as stdnum_onderwijsnummer

__all__ = [
    "Brin",
    "IdentificatieFout",
    "Pgn",
    "PgnSchema",
    "valideer_brin",
    "valideer_bsn",
    "valideer_gemeentecode",
    "valideer_onderwijsnummer",
    "valideer_pgn",
]

_SCHEIDINGSTEKENS = re.compile(r"[\s.\-]")
_GEMEENTECODE = re.compile(r"^[0-9]{4}$")


class IdentificatieFout(ValueError):
    """An identifier that is not valid. The message never contains the value."""

    def __init__(self, soort: str, reden: str) -> None:
        self.soort = soort
        self.reden = reden
        super().__init__(f"ongeldig {soort}: {reden}")


class PgnSchema(StrEnum):
    BSN = "bsn"
    ONDERWIJSNUMMER = "onderwijsnummer"


@dataclass(frozen=True, slots=True)
class Pgn:
    """A validated persoonsgebonden nummer (Lpw art. 21a(10)): BSN or onderwijsnr."""

    schema: PgnSchema
    nummer: str = field(repr=False)

    def __str__(self) -> str:
        return f"{self.schema.value}:*********"


@dataclass(frozen=True, slots=True)
class Brin:
    """A BRIN (instellingscode) with an optional two-digit vestigingsnummer."""

    instelling: str
    vestiging: str | None = None

    @property
    def code(self) -> str:
        return self.instelling + (self.vestiging or "")


def _reden(fout: ValidationError) -> str:
    if isinstance(fout, InvalidLength):
        return "verkeerde lengte"
    if isinstance(fout, InvalidChecksum):
        return "controlegetal klopt niet"
    if isinstance(fout, InvalidComponent):
        return "onderdeel klopt niet"
    if isinstance(fout, InvalidFormat):
        return "verkeerd formaat"
    return "ongeldige waarde"


def _schoon(waarde: str) -> str:
    return _SCHEIDINGSTEKENS.sub("", waarde)


def valideer_bsn(waarde: str) -> str:
    """The normalised 9-digit BSN (11-proef); an 8-digit value gets a leading zero."""
    schoon = _schoon(waarde)
    if not schoon.isdigit():
        raise IdentificatieFout("bsn", "alleen cijfers toegestaan")
    if len(schoon) == 8:
        schoon = "0" + schoon
    if len(schoon) != 9:
        raise IdentificatieFout("bsn", "verkeerde lengte")
    if schoon == "000000000":
        raise IdentificatieFout("bsn", "alleen nullen")
    try:
        return str(stdnum_bsn.validate(schoon))
    except ValidationError as fout:
        raise IdentificatieFout("bsn", _reden(fout)) from None


def valideer_onderwijsnummer(waarde: str) -> str:
    """The normalised onderwijsnummer: 9 digits, prefix 10, weighted sum mod 11 = 5."""
    schoon = _schoon(waarde)
    if not schoon.isdigit():
        raise IdentificatieFout("onderwijsnummer", "alleen cijfers toegestaan")
    if len(schoon) != 9:
        raise IdentificatieFout("onderwijsnummer", "verkeerde lengte")
    if not schoon.startswith("10"):
        raise IdentificatieFout("onderwijsnummer", "begint niet met 10")
    try:
        return str(stdnum_onderwijsnummer.validate(schoon))
    except ValidationError as fout:
        raise IdentificatieFout("onderwijsnummer", _reden(fout)) from None


def valideer_pgn(waarde: str) -> Pgn:
    """Detect and validate BSN or onderwijsnummer; the scheme follows from the check."""
    schoon = _schoon(waarde)
    if not schoon.isdigit():
        raise IdentificatieFout("pgn", "alleen cijfers toegestaan")
    if len(schoon) not in (8, 9):
        raise IdentificatieFout("pgn", "verkeerde lengte")
    # An onderwijsnummer's weighted sum is 5 mod 11, a BSN's 0: never both.
    if len(schoon) == 9 and schoon.startswith("10"):
        try:
            return Pgn(PgnSchema.ONDERWIJSNUMMER, valideer_onderwijsnummer(schoon))
        except IdentificatieFout:
            pass
    try:
        return Pgn(PgnSchema.BSN, valideer_bsn(schoon))
    except IdentificatieFout as fout:
        raise IdentificatieFout(
            "pgn", f"geen geldig bsn of onderwijsnummer ({fout.reden})"
        ) from None


def valideer_brin(waarde: str) -> Brin:
    """BRIN `^[0-9]{2}[A-Z]{2}$`, optional 2-digit vestiging; separators stripped."""
    schoon = _schoon(waarde).upper()
    try:
        code = str(stdnum_brin.validate(schoon))
    except ValidationError as fout:
        raise IdentificatieFout("brin", _reden(fout)) from None
    return Brin(code[:4], code[4:] or None)


def valideer_gemeentecode(waarde: str) -> str:
    """A four-digit CBS gemeentecode (routes a melding to the right LPA)."""
    schoon = waarde.strip()
    if not _GEMEENTECODE.fullmatch(schoon):
        raise IdentificatieFout("gemeentecode", "verwacht vier cijfers")
    return schoon
