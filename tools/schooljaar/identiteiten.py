"""Fabricated test data: BSNs, onderwijsnummers and names for made-up pupils.

Nothing here belongs to a real person. BSNs pass the eleven test
and are drawn from the 9999xxxxx range, the range public BRP test data uses, to keep
clear of issued numbers (we have not verified that the range is reserved).
Onderwijsnummers start with 10 and have weighted sum mod 11 = 5.
The documentation's own example values are never produced, so a test that finds one
knows it came from somewhere else.
"""

from __future__ import annotations

import random

__all__ = [
    "ACHTERNAMEN",
    "DOCUMENTATIE_WAARDEN",
    "TeVeelNummers",
    "VOORNAMEN",
    "gewogen_som",
    "maak_bsn",
    "maak_onderwijsnummer",
]

# The identifier example values python-stdnum documents, and our constructed ones.
DOCUMENTATIE_WAARDEN = frozenset(
    {
        "111222333",
        "123456782",
        "999990019",
        "101222331",
        "100000004",
        "101234564",
        "109999995",
    }
)

_BSN_PREFIX = "9999"
# About 9,090 of the 10,000 numbers under the prefix pass the eleven test.
MAX_BSNS = 8_000


class TeVeelNummers(ValueError):
    """More fabricated numbers were asked for than the test range holds."""


def gewogen_som(cijfers: str) -> int:
    """9·d1 + 8·d2 + ... + 2·d8 - d9: the eleven test's weighted sum."""
    som = sum((9 - i) * int(c) for i, c in enumerate(cijfers[:8]))
    return som - int(cijfers[8])


def _met_controlecijfer(begin: str, rest: int) -> str | None:
    """Append the d9 that makes the weighted sum ≡ rest (mod 11), if one exists."""
    som = sum((9 - i) * int(c) for i, c in enumerate(begin))
    controle = (som - rest) % 11
    return begin + str(controle) if controle < 10 else None


def maak_bsn(rng: random.Random, uitgegeven: set[str]) -> str:
    """A fresh fabricated BSN (eleven test: sum ≡ 0 mod 11), not in `uitgegeven`."""
    if len(uitgegeven) >= MAX_BSNS:
        raise TeVeelNummers(f"at most {MAX_BSNS} fabricated BSNs")
    while True:
        begin = _BSN_PREFIX + f"{rng.randrange(10_000):04d}"
        nummer = _met_controlecijfer(begin, 0)
        if nummer and nummer not in uitgegeven and nummer not in DOCUMENTATIE_WAARDEN:
            uitgegeven.add(nummer)
            return nummer


def maak_onderwijsnummer(rng: random.Random, uitgegeven: set[str]) -> str:
    """A fresh fabricated onderwijsnummer (prefix 10, sum ≡ 5 mod 11)."""
    while True:
        begin = "10" + f"{rng.randrange(1_000_000):06d}"
        nummer = _met_controlecijfer(begin, 5)
        if nummer and nummer not in uitgegeven and nummer not in DOCUMENTATIE_WAARDEN:
            uitgegeven.add(nummer)
            return nummer


# Common Dutch given names and surnames, combined at random: no real people.
VOORNAMEN = (
    "Anouk", "Bram", "Chaima", "Daan", "Emma", "Finn", "Gijs", "Hanna", "Ilias",
    "Jasmijn", "Kevin", "Lotte", "Milan", "Noor", "Omar", "Pien", "Quinten", "Rosa",
    "Sem", "Tess", "Umut", "Vera", "Wessel", "Yara", "Zoë", "Amira", "Boaz", "Fenna",
    "Jesse", "Lina", "Mees", "Nora", "Ravi", "Sara", "Thijs", "Ayoub", "Femke", "Luuk",
    "Maud", "Stijn",
)  # fmt: skip

# (voorvoegsel, achternaam)
ACHTERNAMEN = (
    ("", "Bakker"), ("de", "Boer"), ("van", "Dam"), ("", "Dekker"), ("van den", "Berg"),
    ("", "Hendriks"), ("de", "Jong"), ("", "Kaya"), ("", "Koster"), ("van", "Leeuwen"),
    ("", "Meijer"), ("", "Mulder"), ("", "Ouali"), ("", "Peters"), ("", "Postma"),
    ("", "Smit"), ("", "Tahiri"), ("", "Veenstra"), ("", "Verbeek"), ("de", "Vries"),
    ("", "Willems"), ("", "Yilmaz"), ("van der", "Zee"), ("", "Brouwer"),
    ("", "Kramer"), ("van", "Wijk"), ("", "Vos"), ("", "Nguyen"), ("", "Haddou"),
    ("", "Schouten"),
)  # fmt: skip
