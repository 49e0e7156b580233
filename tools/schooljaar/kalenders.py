"""Two demo schools in regio midden with their real 2025-26 calendars and timetables.

The schools themselves are fictional (name, BRIN); their calendars follow the
published 2025-26 school holidays for regio midden. Everything is plain data in the
shape of the registratie HTTP body and the contracts (`contracts.common.Kalender`,
`Rooster`, `Lesuur`): camelCase dicts with ISO dates and "HH:MM" times.

Where the dates come from (rules.md section 8: the state fixes kerstvakantie (2 weeks),
meivakantie (1 week) and zomervakantie (6 weeks); herfst- and voorjaarsvakantie are
advice a school may deviate from):

- rijksoverheid.nl, "Schoolvakanties 2025-2026" under the Regeling vaststelling
  schoolvakanties (rules.md S-84, S-87). We could not open that page from this
  machine, so every regio-midden date below was checked against published school
  calendars instead: edumarevpr.nl/vakantieregeling (a VO school in regio midden,
  S-88), landstedembo.nl/vakantieplanning ("regio midden" rows, S-89; an MBO that sets
  its own holidays, used for herfst, kerst and voorjaar only) and the TC-2526 fixture
  (rules.md section 9).
- Herfstvakantie 18-26 Oct 2025, kerstvakantie 20 Dec 2025 - 4 Jan 2026 and
  voorjaarsvakantie 14-22 Feb 2026: the same in all three sources.
- Meivakantie: the national week 25 Apr - 3 May 2026 (around Koningsdag, Mon 27 Apr)
  is taken from the rijksoverheid table as we remember it, not re-checked here; the
  published schools take two weeks (from 18 Apr to 3 or 4 May); the VO school takes
  18 Apr - 3 May, the PO school only the national week.
- Zomervakantie 2026 regio midden: 18 Jul - 30 Aug 2026 (edumarevpr.nl and TC-2526).
  The 4 Jul - 16 Aug 2026 dates that also circulate are, as far as we can tell,
  regio noord's; we did not use them.
- Zomervakantie 2025 regio midden ended on 31 Aug 2025 (edumarevpr.nl, 2024-25 table),
  so the first school day is Monday 1 Sep 2025.
- Public holidays (Goede Vrijdag 3 Apr, Tweede Paasdag 6 Apr, Koningsdag 27 Apr,
  Hemelvaart 14 May, Tweede Pinksterdag 25 May 2026) are fixed dates of the calendar.
  Bevrijdingsdag (5 May) is a national day off only in lustrum years (not 2026); a free
  day on 5 May and on the Friday after Hemelvaart is the school's own choice, as most
  schools make it.
- Study days are the fictional schools' own choice (made up).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any, Literal

from leerplicht.kalender import Periode, SchoolKalender

__all__ = [
    "PO_SCHOOL",
    "Redencode",
    "SCHOLEN",
    "Schoolgegevens",
    "VO_SCHOOL",
    "als_schoolkalender",
    "rooster_als_rijen",
]

RecordSoort = Literal["afwezig", "te_laat", "verwijderd"]

# Eersteschooldag and the vacations of regio midden 2025-26 (sources: module docstring).
EERSTE_SCHOOLDAG = date(2025, 9, 1)
HERFSTVAKANTIE = (date(2025, 10, 18), date(2025, 10, 26))
KERSTVAKANTIE = (date(2025, 12, 20), date(2026, 1, 4))
VOORJAARSVAKANTIE = (date(2026, 2, 14), date(2026, 2, 22))
# The national meivakantie week (incl. Koningsdag Mon 27 Apr 2026).
MEIVAKANTIE = (date(2026, 4, 25), date(2026, 5, 3))
# Many VO schools add the week before (edumarevpr.nl and TC-2526 do): school choice.
MEIVAKANTIE_TWEE_WEKEN = (date(2026, 4, 18), date(2026, 5, 3))
ZOMERVAKANTIE = (date(2026, 7, 18), date(2026, 8, 30))

VRIJE_DAGEN = (
    date(2026, 4, 3),  # Goede Vrijdag
    date(2026, 4, 6),  # Tweede Paasdag
    date(2026, 5, 5),  # Bevrijdingsdag (school choice in a non-lustrum year)
    date(2026, 5, 14),  # Hemelvaartsdag
    date(2026, 5, 15),  # vrijdag na Hemelvaart (school choice)
    date(2026, 5, 25),  # Tweede Pinksterdag
)


@dataclass(frozen=True)
class Redencode:
    """A school's SIS reason code; `als_invoer` is the registratie `RedenCode` body.

    `verantwoordingtype` is Magister's type number and `absentie_soort`
    SOMtoday/Eduarte's (services/registratie/README.md): the SIS writers need
    them, registratie does not.
    """

    code: str
    omschrijving: str
    categorie: str
    geoorloofd: bool
    soort: RecordSoort = "afwezig"
    luxe: bool = False
    verantwoordingtype: int = 1

    @property
    def absentie_soort(self) -> str:
        return {"afwezig": "Absent", "te_laat": "Telaat", "verwijderd": "Verwijderd"}[
            self.soort
        ]

    def als_invoer(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "omschrijving": self.omschrijving,
            "categorie": self.categorie,
            "geoorloofd": self.geoorloofd,
            "luxe": self.luxe,
            "soort": self.soort,
        }


@dataclass(frozen=True)
class Schoolgegevens:
    """One demo school: identity, calendar, timetable and reason codes."""

    sleutel: str
    brin: str
    vestiging: str
    naam: str
    sector: Literal["po", "vo"]
    regio: str
    gemeente: str
    bron: str
    kalender: dict[str, Any]
    rooster: dict[str, Any]
    redenen: tuple[Redencode, ...]

    def reden(self, code: str) -> Redencode:
        for reden in self.redenen:
            if reden.code == code:
                return reden
        raise KeyError(code)

    def code_voor(self, categorie: str) -> str | None:
        """The school's code for a category ("ziek", "spijbelen", ...), if any."""
        for reden in self.redenen:
            if reden.categorie == categorie:
                return reden.code
        return None

    def lesuren_op(self, weekdag: int) -> list[dict[str, Any]]:
        """The lesson periods of an ISO weekday (1 = Monday)."""
        return list(self.rooster["lesuren"].get(str(weekdag), []))


def _periode(van: date, tot: date | None = None) -> dict[str, str]:
    return {"van": van.isoformat(), "tot": (tot or van).isoformat()}


def _kalender(
    meivakantie: tuple[date, date], studiedagen: tuple[date, ...]
) -> dict[str, Any]:
    vakanties = (
        HERFSTVAKANTIE,
        KERSTVAKANTIE,
        VOORJAARSVAKANTIE,
        meivakantie,
        ZOMERVAKANTIE,
    )
    return {
        "eersteSchooldag": EERSTE_SCHOOLDAG.isoformat(),
        "vakanties": [_periode(van, tot) for van, tot in vakanties],
        "vrijeDagen": [_periode(d) for d in VRIJE_DAGEN],
        "studiedagen": [_periode(d) for d in studiedagen],
    }


def _les(nummer: int, begin: time, eind: time) -> dict[str, Any]:
    return {
        "nummer": nummer,
        "begin": begin.strftime("%H:%M"),
        "eind": eind.strftime("%H:%M"),
    }


# VO: 8 lesuren of 50 minutes from 08:30, breaks after the 2nd, 4th and 6th lesuur.
_VO_LESUREN = (
    (time(8, 30), time(9, 20)),
    (time(9, 20), time(10, 10)),
    (time(10, 30), time(11, 20)),
    (time(11, 20), time(12, 10)),
    (time(12, 40), time(13, 30)),
    (time(13, 30), time(14, 20)),
    (time(14, 30), time(15, 20)),
    (time(15, 20), time(16, 10)),
)
# Wednesday ends after the 6th lesuur, Friday after the 7th.
_VO_LESUREN_PER_DAG = {1: 8, 2: 8, 3: 6, 4: 8, 5: 7}


def _vo_rooster() -> dict[str, Any]:
    return {
        "lesuren": {
            str(dag): [
                _les(nummer, begin, eind)
                for nummer, (begin, eind) in enumerate(_VO_LESUREN[:aantal], start=1)
            ]
            for dag, aantal in _VO_LESUREN_PER_DAG.items()
        }
    }


def _po_rooster() -> dict[str, Any]:
    # PO: continuous timetable 08:30-14:15, Wednesday 08:30-12:15; one block per day.
    return {
        "lesuren": {
            str(dag): [_les(1, time(8, 30), time(12, 15) if dag == 3 else time(14, 15))]
            for dag in range(1, 6)
        }
    }


# Magister-style codes after one school's public list
# (JKunst/verzuimsignalering codes.json); `VW` added for removal from class.
_VO_REDENEN = (
    Redencode("A", "Afwezig ongeoorloofd", "ongeoorloofd", False),
    Redencode("SP", "Spijbelen", "spijbelen", False),
    Redencode("TA", "Te laat", "te_laat", False, "te_laat", verantwoordingtype=2),
    Redencode("ZI", "Ziek", "ziek", True, verantwoordingtype=3),
    Redencode("AO", "Arts/orthodontist", "medisch", True),
    Redencode("BV", "Bijzonder verlof", "verlof", True),
    # Lpw art. 11(c): a suspended pupil's absence is geoorloofd.
    Redencode("SC", "Geschorst", "schorsing", True),
    # Magister `bluxeverzuim`: a holiday code, luxe verzuim under D18.
    Redencode("L", "Luxe verzuim", "luxeverzuim", False, luxe=True),
    Redencode(
        "VW", "Uit de les verwijderd", "verwijderd", False, "verwijderd", False, 4
    ),
)

# ParnasSys has no public code list: these short codes are made up
# after the descriptions primary schools use in ParnasSys.
_PO_REDENEN = (
    Redencode("ZK", "Ziek", "ziek", True, verantwoordingtype=3),
    Redencode("AR", "Huisarts/tandarts", "medisch", True),
    Redencode("TL", "Te laat", "te_laat", False, "te_laat", verantwoordingtype=2),
    Redencode("OG", "Ongeoorloofd afwezig", "ongeoorloofd", False),
    Redencode("VL", "Verlof gewichtige omstandigheden", "verlof", True),
    Redencode("LV", "Luxe verzuim", "luxeverzuim", False, luxe=True),
    # Lpw art. 11a: a 5-year-old kept home on the parents' notice.
    Redencode("V5", "Thuis (vijfjarige)", "vijfjarige", True),
)

# Fictional schools: names and BRIN codes are made up and were not checked against the
# DUO register; the vestiging is the main location.
VO_SCHOOL = Schoolgegevens(
    sleutel="vo",
    brin="99ZZ",
    vestiging="00",
    naam="Verzuimketen Demolyceum",
    sector="vo",
    regio="midden",
    gemeente="0356",  # Nieuwegein
    bron="magister",
    kalender=_kalender(
        MEIVAKANTIE_TWEE_WEKEN,
        (date(2025, 10, 2), date(2026, 2, 2), date(2026, 6, 19)),
    ),
    rooster=_vo_rooster(),
    redenen=_VO_REDENEN,
)

PO_SCHOOL = Schoolgegevens(
    sleutel="po",
    brin="99ZY",
    vestiging="00",
    naam="Basisschool De Proeftuin",
    sector="po",
    regio="midden",
    gemeente="0344",  # Utrecht
    bron="parnassys",
    kalender=_kalender(
        MEIVAKANTIE,
        (date(2025, 9, 24), date(2025, 11, 21), date(2026, 3, 9), date(2026, 6, 16)),
    ),
    rooster=_po_rooster(),
    redenen=_PO_REDENEN,
)

SCHOLEN: dict[str, Schoolgegevens] = {s.sleutel: s for s in (VO_SCHOOL, PO_SCHOOL)}


def _perioden(lijst: list[dict[str, str]]) -> tuple[Periode, ...]:
    return tuple(
        Periode(date.fromisoformat(p["van"]), date.fromisoformat(p["tot"]))
        for p in lijst
    )


def als_schoolkalender(kalender: dict[str, Any]) -> SchoolKalender:
    """The calendar dict as the domain's `SchoolKalender` (lesdagen, windows)."""
    return SchoolKalender(
        vakanties=_perioden(kalender["vakanties"]),
        vrije_dagen=_perioden(kalender["vrijeDagen"]),
        studiedagen=_perioden(kalender["studiedagen"]),
        eerste_schooldag=date.fromisoformat(kalender["eersteSchooldag"]),
    )


def rooster_als_rijen(rooster: dict[str, Any]) -> dict[str, list[list[Any]]]:
    """The timetable as `{"1": [[nummer, "HH:MM", "HH:MM"], ...]}` rows."""
    return {
        dag: [[les["nummer"], les["begin"], les["eind"]] for les in lessen]
        for dag, lessen in rooster["lesuren"].items()
    }
