"""Protocol ladders: which measures to propose for a signal or duty, and who owns them.

The RASCI matrix of `process.md` is the default; a school can change it. Every
proposed measure names the role that carries it out (R) and the role that answers for
it (A). Where the matrix row has no A ("uitvoeren maatregelen", "monitoren
voortgang"), the protocol's default accountable role is used: the verzuimcoördinator,
who coordinates the whole absence process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from services.analyse.domain.model import (
    ACTIE_BRIEF,
    ACTIE_GESPREK_OUDERS,
    ACTIE_HERHAALMELDING,
    ACTIE_MELDING_OVERIG,
    Signaalsoort,
    Verzuimsoort,
)

__all__ = [
    "MAATREGEL_ACHTERSTALLIG",
    "Activiteit",
    "Maatregel",
    "Maatregeltype",
    "Protocol",
    "ProtocolFout",
    "Rol",
    "STANDAARD_PROTOCOL",
    "STANDAARD_RASCI",
    "Stap",
    "aanleiding_intrekking",
    "aanleiding_meldplicht",
]


class ProtocolFout(ValueError):
    """A protocol that names an unknown measure or a role without R in the matrix."""


class Rol(StrEnum):
    VERZUIMCOORDINATOR = "verzuimcoordinator"
    MENTOR = "mentor"
    ZORGCOORDINATOR = "zorgcoordinator"
    SCHOOLDIRECTEUR = "schooldirecteur"
    ADMINISTRATIEF_MEDEWERKER = "administratiefMedewerker"
    ICT_MEDEWERKER = "ictMedewerker"
    OUDERS = "ouders"
    LEERPLICHTAMBTENAAR = "leerplichtambtenaar"


class Activiteit(StrEnum):
    SIGNALEREN = "signaleren verzuim"
    REGISTREREN = "registreren verzuim"
    BEHEREN_SYSTEMEN = "beheren technische systemen"
    ANALYSEREN = "analyseren verzuim"
    BEPALEN_MAATREGELEN = "bepalen maatregelen"
    UITVOEREN_MAATREGELEN = "uitvoeren maatregelen"
    MONITOREN = "monitoren voortgang"
    INFORMEREN = "informeren betrokkenen"
    RAPPORTEREN_LPA = "rapporteren aan leerplichtambtenaar"


def _rij(**letters: str) -> dict[Rol, str]:
    return {Rol(rol): letter for rol, letter in letters.items()}


# process.md, RASCI matrix; "C/S" means both.
STANDAARD_RASCI: dict[Activiteit, dict[Rol, str]] = {
    Activiteit.SIGNALEREN: _rij(
        verzuimcoordinator="S", mentor="S", zorgcoordinator="I",
        schooldirecteur="I", ictMedewerker="I",
    ),
    Activiteit.REGISTREREN: _rij(
        verzuimcoordinator="A", mentor="S", schooldirecteur="I",
        administratiefMedewerker="C", ictMedewerker="R", ouders="I",
    ),
    Activiteit.BEHEREN_SYSTEMEN: _rij(ictMedewerker="R"),
    Activiteit.ANALYSEREN: _rij(
        verzuimcoordinator="R", mentor="C", zorgcoordinator="C",
        schooldirecteur="I", administratiefMedewerker="I", ouders="I",
    ),
    Activiteit.BEPALEN_MAATREGELEN: _rij(
        verzuimcoordinator="R", mentor="C", zorgcoordinator="C",
        schooldirecteur="A", administratiefMedewerker="I", ouders="C",
    ),
    Activiteit.UITVOEREN_MAATREGELEN: _rij(
        verzuimcoordinator="R", mentor="R", zorgcoordinator="R",
        schooldirecteur="I", administratiefMedewerker="I", ouders="C",
    ),
    Activiteit.MONITOREN: _rij(
        verzuimcoordinator="R", mentor="C/S", zorgcoordinator="C",
        schooldirecteur="I", administratiefMedewerker="I", ouders="I",
    ),
    Activiteit.INFORMEREN: _rij(
        verzuimcoordinator="R", mentor="C", zorgcoordinator="C",
        schooldirecteur="I", administratiefMedewerker="I", ouders="A",
        leerplichtambtenaar="I",
    ),
    Activiteit.RAPPORTEREN_LPA: _rij(
        verzuimcoordinator="R", mentor="I", zorgcoordinator="I",
        schooldirecteur="I", administratiefMedewerker="I", ictMedewerker="I",
        ouders="I", leerplichtambtenaar="A",
    ),
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Maatregeltype:
    code: str
    omschrijving: str
    activiteit: Activiteit
    uitvoerder: Rol
    optioneel: bool = False


@dataclass(frozen=True, slots=True)
class Maatregel:
    """A proposed measure with its owners, ready for a dossier in opvolging."""

    code: str
    omschrijving: str
    activiteit: Activiteit
    verantwoordelijk: Rol  # R
    eindverantwoordelijk: Rol  # A
    geinformeerd: tuple[Rol, ...]  # I
    optioneel: bool


@dataclass(frozen=True, slots=True)
class Stap:
    """From the `vanaf`-th occurrence of an aanleiding on, propose these measures."""

    vanaf: int
    codes: tuple[str, ...]


def aanleiding_meldplicht(soort: Verzuimsoort) -> str:
    return f"meldplicht:{soort}"


# D17: an overdue duty is submitted only after the verzuimcoördinator confirms it.
MAATREGEL_ACHTERSTALLIG = "achterstalligBevestigen"


def aanleiding_intrekking() -> str:
    return "intrekking"


class Protocol:
    """Configurable ladders: aanleiding (signal kind or duty kind) → measures."""

    def __init__(
        self,
        catalogus: Mapping[str, Maatregeltype],
        ladders: Mapping[str, tuple[Stap, ...]],
        rasci: Mapping[Activiteit, Mapping[Rol, str]] = STANDAARD_RASCI,
        standaard_eindverantwoordelijke: Rol = Rol.VERZUIMCOORDINATOR,
    ) -> None:
        for code, soort in catalogus.items():
            if code != soort.code:
                raise ProtocolFout(f"maatregel {soort.code} staat onder code {code}")
            if "R" not in rasci.get(soort.activiteit, {}).get(soort.uitvoerder, ""):
                raise ProtocolFout(
                    f"{soort.uitvoerder} is niet R voor '{soort.activiteit}'"
                )
        for aanleiding, stappen in ladders.items():
            for stap in stappen:
                onbekend = [c for c in stap.codes if c not in catalogus]
                if onbekend:
                    raise ProtocolFout(f"{aanleiding}: onbekende maatregel {onbekend}")
        self._catalogus = dict(catalogus)
        self._ladders = {
            a: tuple(sorted(s, key=lambda x: x.vanaf)) for a, s in ladders.items()
        }
        self._rasci = rasci
        self._standaard_a = standaard_eindverantwoordelijke

    def voorstellen(
        self, aanleiding: str, volgnummer: int, extra_codes: tuple[str, ...] = ()
    ) -> tuple[Maatregel, ...]:
        """The measures of the highest step reached by this occurrence.

        `extra_codes`: measures the signal itself names (the lateness ladder's
        actions, P-LATE); unknown codes are skipped, never guessed.
        """
        codes: list[str] = []
        for stap in self._ladders.get(aanleiding, ()):
            if stap.vanaf <= volgnummer:
                codes = list(stap.codes)
        codes += [c for c in extra_codes if c in self._catalogus and c not in codes]
        return tuple(self._maatregel(self._catalogus[c]) for c in codes)

    def _maatregel(self, soort: Maatregeltype) -> Maatregel:
        rij = self._rasci.get(soort.activiteit, {})
        accountable = next((r for r, letter in rij.items() if "A" in letter), None)
        return Maatregel(
            code=soort.code,
            omschrijving=soort.omschrijving,
            activiteit=soort.activiteit,
            verantwoordelijk=soort.uitvoerder,
            eindverantwoordelijk=accountable or self._standaard_a,
            geinformeerd=tuple(r for r, letter in rij.items() if "I" in letter),
            optioneel=soort.optioneel,
        )


_A = Activiteit
_CATALOGUS = {
    t.code: t
    for t in (
        Maatregeltype("verzuimmeldingIndienen", "Verzuimmelding bij DUO indienen",
                      _A.RAPPORTEREN_LPA, Rol.VERZUIMCOORDINATOR),
        Maatregeltype("gesprekLeerlingOuders", "Gesprek met leerling en ouders",
                      _A.UITVOEREN_MAATREGELEN, Rol.MENTOR),
        Maatregeltype("zorgoverleg", "Bespreken in het zorgoverleg",
                      _A.UITVOEREN_MAATREGELEN, Rol.ZORGCOORDINATOR),
        Maatregeltype(MAATREGEL_ACHTERSTALLIG, "Achterstallige melding bevestigen",
                      _A.RAPPORTEREN_LPA, Rol.VERZUIMCOORDINATOR),
        Maatregeltype("intrekkingBeoordelen", "Intrekking van de melding beoordelen",
                      _A.ANALYSEREN, Rol.VERZUIMCOORDINATOR),
        Maatregeltype("luxeverzuimBeoordelen", "Vermoedelijk luxeverzuim beoordelen",
                      _A.ANALYSEREN, Rol.VERZUIMCOORDINATOR),
        Maatregeltype("gesprekMentor", "Gesprek van de mentor met leerling en ouders",
                      _A.UITVOEREN_MAATREGELEN, Rol.MENTOR),
        Maatregeltype("jeugdartsConsult", "Consult jeugdarts aanvragen",
                      _A.UITVOEREN_MAATREGELEN, Rol.ZORGCOORDINATOR, optioneel=True),
        Maatregeltype("meldingOverigOverwegen", "Melding overig verzuim overwegen",
                      _A.ANALYSEREN, Rol.VERZUIMCOORDINATOR, optioneel=True),
        Maatregeltype(ACTIE_GESPREK_OUDERS, "Gesprek met de ouders over te laat komen",
                      _A.UITVOEREN_MAATREGELEN, Rol.MENTOR),
        Maatregeltype(ACTIE_BRIEF, "Brief aan de ouders",
                      _A.INFORMEREN, Rol.VERZUIMCOORDINATOR),
        Maatregeltype(ACTIE_MELDING_OVERIG, "Melding overig verzuim (O) indienen",
                      _A.RAPPORTEREN_LPA, Rol.VERZUIMCOORDINATOR),
        Maatregeltype(ACTIE_HERHAALMELDING, "Herhaalmelding overig verzuim indienen",
                      _A.RAPPORTEREN_LPA, Rol.VERZUIMCOORDINATOR),
    )
}  # fmt: skip

_LADDERS = {
    aanleiding_meldplicht(Verzuimsoort.V3): (
        Stap(1, ("verzuimmeldingIndienen", "gesprekLeerlingOuders")),
        Stap(2, ("verzuimmeldingIndienen", "zorgoverleg")),
    ),
    aanleiding_meldplicht(Verzuimsoort.V4): (
        Stap(1, ("verzuimmeldingIndienen", "gesprekLeerlingOuders")),
    ),
    aanleiding_meldplicht(Verzuimsoort.L): (
        Stap(1, ("verzuimmeldingIndienen", "gesprekLeerlingOuders")),
    ),
    aanleiding_meldplicht(Verzuimsoort.LRV): (
        Stap(1, ("verzuimmeldingIndienen", "zorgoverleg")),
    ),
    aanleiding_meldplicht(Verzuimsoort.RMC): (
        Stap(1, ("verzuimmeldingIndienen", "zorgoverleg")),
    ),
    aanleiding_meldplicht(Verzuimsoort.O): (Stap(1, ("verzuimmeldingIndienen",)),),
    aanleiding_intrekking(): (Stap(1, ("intrekkingBeoordelen",)),),
    Signaalsoort.VERMOEDELIJK_LUXEVERZUIM: (Stap(1, ("luxeverzuimBeoordelen",)),),
    # S25: a talk by the mentor, a jeugdarts consult as an option.
    Signaalsoort.ZORGWEKKEND_ZIEKTEVERZUIM: (
        Stap(1, ("gesprekMentor", "jeugdartsConsult")),
        Stap(2, ("gesprekMentor", "jeugdartsConsult", "zorgoverleg")),
    ),
    # P-LATE: the step's own actions arrive as extra codes with the signal.
    Signaalsoort.TE_LAAT: (),
    Signaalsoort.SIGNAALVERZUIM: (
        Stap(1, ("gesprekLeerlingOuders", "meldingOverigOverwegen")),
    ),
}

STANDAARD_PROTOCOL = Protocol(_CATALOGUS, _LADDERS)
