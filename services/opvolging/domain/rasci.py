"""Who does what per activity: the RASCI matrix of the FORA process model (process.md).

The default matrix is data, not code: a school overrides single cells. Actions in a
dossier take their R and A roles from the school's matrix; notifications go to the I
roles.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from services.opvolging.domain.fouten import RasciFout

__all__ = [
    "Activiteit",
    "Betrokkenheid",
    "RasciMatrix",
    "Rol",
    "STANDAARD_MATRIX",
]


class Rol(StrEnum):
    VERZUIMCOORDINATOR = "verzuimcoordinator"
    MENTOR = "mentor"
    ZORGCOORDINATOR = "zorgcoordinator"
    SCHOOLLEIDER = "schoolleider"
    ADMINISTRATIE = "administratie"
    ICT = "ict"
    OUDERS = "ouders"
    LEERPLICHTAMBTENAAR = "leerplichtambtenaar"

    @property
    def omschrijving(self) -> str:
        return _ROL_OMSCHRIJVING[self]


_ROL_OMSCHRIJVING = {
    Rol.VERZUIMCOORDINATOR: "verzuimcoördinator",
    Rol.MENTOR: "mentor/docent",
    Rol.ZORGCOORDINATOR: "zorgcoördinator",
    Rol.SCHOOLLEIDER: "schoolleider",
    Rol.ADMINISTRATIE: "administratief medewerker",
    Rol.ICT: "ICT-medewerker",
    Rol.OUDERS: "ouders/verzorgers",
    Rol.LEERPLICHTAMBTENAAR: "leerplichtambtenaar",
}


class Activiteit(StrEnum):
    SIGNALEREN_VERZUIM = "signaleren_verzuim"
    REGISTREREN_VERZUIM = "registreren_verzuim"
    BEHEREN_TECHNISCHE_SYSTEMEN = "beheren_technische_systemen"
    ANALYSEREN_VERZUIM = "analyseren_verzuim"
    BEPALEN_MAATREGELEN = "bepalen_maatregelen"
    UITVOEREN_MAATREGELEN = "uitvoeren_maatregelen"
    MONITOREN_VOORTGANG = "monitoren_voortgang"
    INFORMEREN_BETROKKENEN = "informeren_betrokkenen"
    RAPPORTEREN_AAN_LEERPLICHTAMBTENAAR = "rapporteren_aan_leerplichtambtenaar"

    @property
    def omschrijving(self) -> str:
        return self.value.replace("_", " ")


class Betrokkenheid(StrEnum):
    R = "R"  # responsible: does it
    A = "A"  # accountable: answers for it
    S = "S"  # supports
    C = "C"  # consulted, two-way
    I = "I"  # noqa: E741 - informed, one-way; the letter is the RASCI term


Cel = frozenset[Betrokkenheid]


def _cel(tekst: str) -> Cel:
    """'C/S' → {C, S}; '' → no involvement."""
    try:
        return frozenset(
            Betrokkenheid(x.strip()) for x in tekst.split("/") if x.strip()
        )
    except ValueError:
        raise RasciFout(f"onbekende RASCI-letter in {tekst!r}") from None


# process.md, RASCI matrix. Columns in the order of the table.
_KOLOMMEN = (
    Rol.VERZUIMCOORDINATOR,
    Rol.MENTOR,
    Rol.ZORGCOORDINATOR,
    Rol.SCHOOLLEIDER,
    Rol.ADMINISTRATIE,
    Rol.ICT,
    Rol.OUDERS,
    Rol.LEERPLICHTAMBTENAAR,
)
_TABEL: dict[Activiteit, tuple[str, ...]] = {
    Activiteit.SIGNALEREN_VERZUIM: ("S", "S", "I", "I", "", "I", "", ""),
    Activiteit.REGISTREREN_VERZUIM: ("A", "S", "", "I", "C", "R", "I", ""),
    Activiteit.BEHEREN_TECHNISCHE_SYSTEMEN: ("", "", "", "", "", "R", "", ""),
    Activiteit.ANALYSEREN_VERZUIM: ("R", "C", "C", "I", "I", "", "I", ""),
    Activiteit.BEPALEN_MAATREGELEN: ("R", "C", "C", "A", "I", "", "C", ""),
    Activiteit.UITVOEREN_MAATREGELEN: ("R", "R", "R", "I", "I", "", "C", ""),
    Activiteit.MONITOREN_VOORTGANG: ("R", "C/S", "C", "I", "I", "", "I", ""),
    Activiteit.INFORMEREN_BETROKKENEN: ("R", "C", "C", "I", "I", "", "A", "I"),
    Activiteit.RAPPORTEREN_AAN_LEERPLICHTAMBTENAAR: (
        "R",
        "I",
        "I",
        "I",
        "I",
        "I",
        "I",
        "A",
    ),
}


@dataclass(frozen=True)
class RasciMatrix:
    """Activity → role → letters; immutable. `met_aanpassingen` makes a variant."""

    cellen: Mapping[Activiteit, Mapping[Rol, Cel]]

    def __post_init__(self) -> None:
        bevroren = {
            Activiteit(a): MappingProxyType(
                {Rol(r): frozenset(c) for r, c in rij.items() if c}
            )
            for a, rij in self.cellen.items()
        }
        for activiteit, rij in bevroren.items():
            a_rollen = [r for r, c in rij.items() if Betrokkenheid.A in c]
            if len(a_rollen) > 1:
                # RASCI: exactly one role answers for an activity, or none.
                raise RasciFout(f"meer dan één A-rol bij {activiteit.value}")
        object.__setattr__(self, "cellen", MappingProxyType(bevroren))

    @classmethod
    def standaard(cls) -> RasciMatrix:
        return cls(
            {
                activiteit: {
                    rol: _cel(tekst) for rol, tekst in zip(_KOLOMMEN, rij, strict=True)
                }
                for activiteit, rij in _TABEL.items()
            }
        )

    def met_aanpassingen(
        self, aanpassingen: Mapping[str, Mapping[str, str]]
    ) -> RasciMatrix:
        """A school's variant: {activiteit: {rol: "R" | "A" | "C/S" | ""}}.

        The named cells are replaced; an empty string removes the role there.
        """
        nieuw: dict[Activiteit, dict[Rol, Cel]] = {
            a: dict(rij) for a, rij in self.cellen.items()
        }
        for activiteit_tekst, rij in aanpassingen.items():
            activiteit = _activiteit(activiteit_tekst)
            doel = nieuw.setdefault(activiteit, {})
            for rol_tekst, letters in rij.items():
                doel[_rol(rol_tekst)] = _cel(letters)
        return RasciMatrix(nieuw)

    def letters(self, activiteit: Activiteit, rol: Rol) -> Cel:
        return self._rij(activiteit).get(rol, frozenset())

    def rollen(self, activiteit: Activiteit, letter: Betrokkenheid) -> tuple[Rol, ...]:
        """Roles with that letter, in the column order of the process model."""
        rij = self._rij(activiteit)
        return tuple(r for r in Rol if letter in rij.get(r, frozenset()))

    def r_rollen(self, activiteit: Activiteit) -> tuple[Rol, ...]:
        return self.rollen(activiteit, Betrokkenheid.R)

    def a_rol(self, activiteit: Activiteit) -> Rol | None:
        a = self.rollen(activiteit, Betrokkenheid.A)
        return a[0] if a else None

    def i_rollen(self, activiteit: Activiteit) -> tuple[Rol, ...]:
        """The roles to inform when an action of this activity changes."""
        return self.rollen(activiteit, Betrokkenheid.I)

    def kies_r_rol(self, activiteit: Activiteit, voorkeur: Rol | None = None) -> Rol:
        """The preferred role if it is an R role of the activity, else the first R."""
        r_rollen = self.r_rollen(activiteit)
        if not r_rollen:
            raise RasciFout(f"activiteit {activiteit.value} heeft geen R-rol")
        if voorkeur is not None and voorkeur in r_rollen:
            return voorkeur
        return r_rollen[0]

    def kies_a_rol(self, activiteit: Activiteit, r_rol: Rol) -> Rol:
        """The activity's A role; without one, the R role also answers for it."""
        return self.a_rol(activiteit) or r_rol

    def als_tabel(self) -> dict[str, dict[str, str]]:
        """JSON-able form, e.g. for the API: {activiteit: {rol: "S/C"}}."""
        return {
            a.value: {
                r.value: "/".join(x.value for x in sorted(c, key=_letter_volgorde))
                for r, c in rij.items()
            }
            for a, rij in self.cellen.items()
        }

    def activiteiten(self) -> Iterable[Activiteit]:
        return self.cellen.keys()

    def _rij(self, activiteit: Activiteit) -> Mapping[Rol, Cel]:
        try:
            return self.cellen[Activiteit(activiteit)]
        except (KeyError, ValueError):
            raise RasciFout(f"onbekende activiteit {activiteit!r}") from None


def _letter_volgorde(letter: Betrokkenheid) -> int:
    return list(Betrokkenheid).index(letter)


def _activiteit(tekst: str) -> Activiteit:
    try:
        return Activiteit(tekst)
    except ValueError:
        raise RasciFout(f"onbekende activiteit {tekst!r}") from None


def _rol(tekst: str) -> Rol:
    try:
        return Rol(tekst)
    except ValueError:
        raise RasciFout(f"onbekende rol {tekst!r}") from None


STANDAARD_MATRIX = RasciMatrix.standaard()
