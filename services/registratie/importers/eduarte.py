"""Eduarte (Topicus, MBO) CSV imports: absence reports and lesson observations.

Both files are `;`-separated without a header, dates `yyyyMMdd`, times `HHmm`, empty =
null (services/registratie/README.md, Eduarte). Rows carry no record id, so the id
is a hash of the identifying fields: re-importing a file finds the same records
again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from uuid import UUID

from services.registratie.domain.invoer import Soort
from services.registratie.importers.model import (
    ImportFout,
    ImportResultaat,
    Ingelezen,
    bron_id_uit,
    maak_invoer,
    zoek_leerling,
)

__all__ = ["lees_absentiemeldingen", "lees_waarnemingen"]

BRON_MELDINGEN = "eduarte"
BRON_WAARNEMINGEN = "eduarte-waarneming"

_WAARNEMINGSOORT = {
    "aanwezig": Soort.AANWEZIG,
    "p": Soort.AANWEZIG,
    "afwezig": Soort.AFWEZIG,
    "a": Soort.AFWEZIG,
    "deels afwezig": Soort.AFWEZIG,
    "d": Soort.AFWEZIG,
}
# Eduarte ends a whole day at 23:59(:59), inclusive.
_EINDE_DAG = {"2359", "235959"}


def _datum(waarde: str, veld: str) -> date:
    # Sliced by hand: strptime costs more than the rest of a row together.
    if len(waarde) != 8 or not waarde.isdigit():
        raise ImportFout(f"{veld}: verwacht yyyyMMdd")
    try:
        return date(int(waarde[:4]), int(waarde[4:6]), int(waarde[6:]))
    except ValueError:
        raise ImportFout(f"{veld}: geen bestaande datum") from None


def _tijd(waarde: str, veld: str) -> str:
    if (
        len(waarde) != 4
        or not waarde.isdigit()
        or int(waarde[:2]) > 23
        or int(waarde[2:]) > 59
    ):
        raise ImportFout(f"{veld}: verwacht HHmm")
    return f"{waarde[:2]}:{waarde[2:]}"


def _lesuur(waarde: str, veld: str) -> int | None:
    if not waarde:
        return None
    if not waarde.isdigit():
        raise ImportFout(f"{veld}: geen getal")
    return int(waarde)


def _periode(velden: list[str]) -> dict[str, object]:
    """The date, time and lesson fields shared by both files (Eduarte's own import
    rules: both lesson fields or neither, an end date without time ends that day)."""
    nummer, begindatum, begintijd, einddatum, eindtijd, beginlesuur, eindlesuur = (
        velden[:7]
    )
    if not nummer.isdigit():
        raise ImportFout("deelnemernummer: verplicht en numeriek")
    if not begindatum:
        raise ImportFout("begindatum: verplicht")
    begin = _datum(begindatum, "begindatum")
    eind = _datum(einddatum, "einddatum") if einddatum else begin
    if eind < begin:
        raise ImportFout("einddatum ligt voor begindatum")
    lesuur_van = _lesuur(beginlesuur, "beginlesuur")
    lesuur_tot = _lesuur(eindlesuur, "eindlesuur")
    if (lesuur_van is None) != (lesuur_tot is None):
        raise ImportFout("beginlesuur en eindlesuur horen samen")
    if lesuur_van is not None and eind != begin:
        raise ImportFout(
            "een lesuurbereik hoort bij één datum (begin- en einddatum verschillen)"
        )
    van = f"{begin.isoformat()}T{_tijd(begintijd, 'begintijd')}" if begintijd else None
    tot: str | None = None
    if eindtijd and eindtijd not in _EINDE_DAG:
        tot = f"{eind.isoformat()}T{_tijd(eindtijd, 'eindtijd')}"
    elif eind != begin or van is not None:
        # An end date without time is the end of that day.
        tot = eind.isoformat()
    return {
        "datum": begin,
        "van": van,
        "tot": tot,
        "lesuur_van": lesuur_van,
        "lesuur_tot": lesuur_tot,
    }


def _regels(tekst: str | Iterable[str]) -> Iterable[tuple[int, str]]:
    regels = tekst.splitlines() if isinstance(tekst, str) else tekst
    for nummer, regel in enumerate(regels, start=1):
        regel = regel.rstrip("\r\n")
        if regel.strip():
            yield nummer, regel


def lees_absentiemeldingen(
    tekst: str | Iterable[str],
    leerlingen: Mapping[str, UUID],
    bron: str = BRON_MELDINGEN,
) -> ImportResultaat:
    """Absence reports, 9 fields: deelnemernummer … reden-afkorting;opmerkingen."""
    resultaat = ImportResultaat()
    for nummer, regel in _regels(tekst):
        velden = regel.split(";", 8)
        try:
            if len(velden) != 9:
                raise ImportFout(f"verwacht 9 velden, gevonden {len(velden)}")
            periode = _periode(velden)
            reden = velden[7].strip()
            if not reden:
                raise ImportFout("reden-afkorting: verplicht")
            invoer = maak_invoer(
                bron_id=bron_id_uit(*velden[:7]),
                bron=bron,
                leerling_id=zoek_leerling(leerlingen, velden[0]),
                reden_code=reden,
                opmerking=velden[8].strip() or None,
                **periode,
            )
        except ImportFout as fout:
            resultaat.weiger(nummer, str(fout))
            continue
        resultaat.records.append(Ingelezen(nummer, invoer))
    return resultaat


def lees_waarnemingen(
    tekst: str | Iterable[str],
    leerlingen: Mapping[str, UUID],
    bron: str = BRON_WAARNEMINGEN,
) -> ImportResultaat:
    """Lesson observations, 10 fields: … WaarnemingSoort;afgehandeld."""
    resultaat = ImportResultaat()
    for nummer, regel in _regels(tekst):
        velden = regel.split(";")
        try:
            if len(velden) != 10:
                raise ImportFout(f"verwacht 10 velden, gevonden {len(velden)}")
            soort_tekst = velden[8].strip().lower()
            if soort_tekst in ("nvt", "n"):
                raise ImportFout(
                    "waarnemingsoort Nvt is geen waarneming van aan- of afwezigheid"
                )
            soort = _WAARNEMINGSOORT.get(soort_tekst)
            if soort is None:
                raise ImportFout("WaarnemingSoort: onbekende waarde")
            if velden[9].strip().upper() not in ("", "J", "N"):
                raise ImportFout("afgehandeld: verwacht J of N")
            invoer = maak_invoer(
                bron_id=bron_id_uit(*velden[:8]),
                bron=bron,
                leerling_id=zoek_leerling(leerlingen, velden[0]),
                soort=soort,
                **_periode(velden),
            )
        except ImportFout as fout:
            resultaat.weiger(nummer, str(fout))
            continue
        resultaat.records.append(Ingelezen(nummer, invoer))
    return resultaat
