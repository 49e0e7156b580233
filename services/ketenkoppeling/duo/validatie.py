"""Checks a melding or mutatie before it leaves, the way DUO would check it.

Every problem is collected, so one `OngeldigeMelding` lists all fields at once. Reasons
name the rule, never the value: a failing BSN is reported as "elfproef", not echoed.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from stdnum.nl import brin as stdnum_brin
from stdnum.nl import bsn as stdnum_bsn
from stdnum.nl import onderwijsnummer as stdnum_onderwijsnummer

from services.ketenkoppeling.duo.codes import Mutatiesoort, SoortOpleiding, Verzuimsoort
from services.ketenkoppeling.duo.errors import OngeldigeMelding

if TYPE_CHECKING:
    from services.ketenkoppeling.duo.model import DuoMelding, DuoMutatie, Melder

__all__ = ["controleer_melding", "controleer_mutatie"]

_DOCUMENT_ID = re.compile(r"[A-Za-z0-9._\-]{1,40}")
_MELDINGSNUMMER = re.compile(r"[A-Z0-9]{1,20}")
_BRIN = re.compile(r"[0-9]{2}[A-Z]{2}")
_GEMEENTECODE = re.compile(r"[0-9]{4}")
_VESTIGING = re.compile(r"[0-9]{2}")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_NETNUMMER = re.compile(r"0[0-9]{1,4}")
_ABONNEENUMMER = re.compile(r"[0-9]{1,10}")
_PERSOONSNUMMER = re.compile(r"[0-9]{9}")

Problemen = list[tuple[str, str]]


def controleer_melding(melding: DuoMelding) -> None:
    problemen: Problemen = []
    _controleer_document_id(melding.document_id, problemen)
    _controleer_brin(melding.brin, "brin", problemen)
    if not _GEMEENTECODE.fullmatch(melding.gemeentecode):
        problemen.append(("gemeentecode", "vier cijfers"))
    if melding.vestiging is not None and not _VESTIGING.fullmatch(melding.vestiging):
        problemen.append(("vestiging", "twee cijfers"))
    _tekst(melding.locatienaam, "locatienaam", 100, problemen)
    _controleer_persoonsnummer(melding, problemen)
    _controleer_onderwijsdeelname(melding, problemen)
    _controleer_meldingdeel(melding, problemen, bij_mutatie=False)
    _rapporteer(melding.document_id, problemen)


def controleer_mutatie(mutatie: DuoMutatie) -> None:
    problemen: Problemen = []
    _controleer_document_id(mutatie.document_id, problemen)
    _controleer_brin(mutatie.brin, "brin", problemen)
    if not _MELDINGSNUMMER.fullmatch(mutatie.meldingsnummer):
        problemen.append(("meldingsnummer", "1 tot 20 hoofdletters of cijfers"))
    if mutatie.laatste_mutatie is not None and mutatie.laatste_mutatie.tzinfo is None:
        problemen.append(("laatste_mutatie", "moment zonder tijdzone"))
    _tekst(mutatie.toelichting, "toelichting", 100, problemen)
    if mutatie.toelichting is not None and mutatie.soort is not Mutatiesoort.INTREKKING:
        problemen.append(("toelichting", "alleen bij INTREKKING"))

    for veld, waarde, hoort_bij in (
        ("einddatum", mutatie.einddatum, Mutatiesoort.EINDDATUM),
        ("correctie", mutatie.correctie, Mutatiesoort.CORRECTIE),
    ):
        if mutatie.soort is hoort_bij and waarde is None:
            problemen.append((veld, f"verplicht bij {mutatie.soort.value}"))
        if mutatie.soort is not hoort_bij and waarde is not None:
            problemen.append((veld, f"niet toegestaan bij {mutatie.soort.value}"))
    if mutatie.correctie is not None:
        if mutatie.correctie.brin != mutatie.brin:
            problemen.append(("correctie.brin", "andere school dan de mutatie"))
        deel: Problemen = []
        _controleer_meldingdeel(mutatie.correctie, deel, bij_mutatie=True)
        problemen.extend((f"correctie.{veld}", reden) for veld, reden in deel)
    _rapporteer(mutatie.document_id, problemen)


def _rapporteer(document_id: str, problemen: Problemen) -> None:
    if problemen:
        raise OngeldigeMelding(document_id, problemen)


def _controleer_document_id(document_id: str, problemen: Problemen) -> None:
    if not _DOCUMENT_ID.fullmatch(document_id):
        problemen.append(("document_id", "1 tot 40 tekens uit A-Z a-z 0-9 . _ -"))


def _controleer_brin(waarde: str, veld: str, problemen: Problemen) -> None:
    # A BRIN is two digits and two capitals; the vestiging travels separately.
    if not (_BRIN.fullmatch(waarde) and stdnum_brin.is_valid(waarde)):
        problemen.append((veld, "BRIN: twee cijfers en twee hoofdletters"))


def _controleer_persoonsnummer(melding: DuoMelding, problemen: Problemen) -> None:
    # Lpw art. 21a(10): the melding identifies the pupil by exactly one PGN.
    if (melding.bsn is None) == (melding.onderwijsnummer is None):
        problemen.append(("bsn/onderwijsnummer", "precies een van beide"))
        return
    if melding.bsn is not None and not (
        _PERSOONSNUMMER.fullmatch(melding.bsn) and stdnum_bsn.is_valid(melding.bsn)
    ):
        problemen.append(("bsn", "negen cijfers met geldige elfproef"))
    if melding.onderwijsnummer is not None and not (
        _PERSOONSNUMMER.fullmatch(melding.onderwijsnummer)
        and stdnum_onderwijsnummer.is_valid(melding.onderwijsnummer)
    ):
        problemen.append(("onderwijsnummer", "negen cijfers, begint met 10, elfproef"))


def _controleer_onderwijsdeelname(melding: DuoMelding, problemen: Problemen) -> None:
    deelname = melding.onderwijsdeelname
    if deelname.leerjaar_vo is not None and not 1 <= deelname.leerjaar_vo <= 6:
        problemen.append(("onderwijsdeelname.leerjaar_vo", "1 tot en met 6"))
    if deelname.niveau is not None and not 1 <= deelname.niveau <= 4:
        problemen.append(("onderwijsdeelname.niveau", "1 tot en met 4"))
    if deelname.soort is not SoortOpleiding.BVE and deelname.niveau is not None:
        problemen.append(("onderwijsdeelname.niveau", "alleen bij BVE"))
    if deelname.soort is not SoortOpleiding.VO and deelname.leerjaar_vo is not None:
        problemen.append(("onderwijsdeelname.leerjaar_vo", "alleen bij VO"))
    _tekst(deelname.naam_opleiding, "onderwijsdeelname.naam_opleiding", 40, problemen)


def _controleer_meldingdeel(
    melding: DuoMelding, problemen: Problemen, *, bij_mutatie: bool
) -> None:
    soort = melding.verzuimsoort
    if not isinstance(soort, Verzuimsoort):
        problemen.append(("verzuimsoort", "V3, V4, RMC, L, LRV of O"))
    elif melding.einddatum is None and soort.einddatum_verplicht:
        problemen.append(("einddatum", f"verplicht bij {soort.value}"))
    elif (
        soort is Verzuimsoort.LRV and melding.einddatum is not None and not bij_mutatie
    ):
        # D7: the LRV melding goes without einddatum; it follows by mutatie.
        problemen.append(("einddatum", "LRV gaat zonder einddatum; volgt per mutatie"))
    if melding.einddatum is not None and melding.einddatum < melding.begindatum:
        problemen.append(("einddatum", "voor de begindatum"))

    _verplichte_tekst(
        melding.vermoedelijke_reden, "vermoedelijke_reden", 200, problemen
    )
    _tekst(melding.toelichting, "toelichting", 100, problemen)
    # duo.md 7: what was done is required once the flag is set; what the school asks
    # for is required when nothing was done yet.
    verplicht = (
        "toelichting_ondernomen_actie"
        if melding.actie_ondernomen
        else "toelichting_actie_gewenst"
    )
    for veld, waarde in (
        ("toelichting_ondernomen_actie", melding.toelichting_ondernomen_actie),
        ("toelichting_actie_gewenst", melding.toelichting_actie_gewenst),
    ):
        if veld == verplicht:
            _verplichte_tekst(waarde, veld, 200, problemen)
        else:
            _tekst(waarde, veld, 200, problemen)

    _controleer_verzuimdagen(melding, problemen)
    _controleer_melder(melding.melder, problemen)


def _controleer_verzuimdagen(melding: DuoMelding, problemen: Problemen) -> None:
    gezien: set[date] = set()
    for index, dag in enumerate(melding.verzuimdagen):
        veld = f"verzuimdagen[{index}]"
        if dag.datum in gezien:
            problemen.append((f"{veld}.datum", "dubbele datum"))
        gezien.add(dag.datum)
        buiten = dag.datum < melding.begindatum or (
            melding.einddatum is not None and dag.datum > melding.einddatum
        )
        if buiten:
            problemen.append((f"{veld}.datum", "buiten begin- en einddatum"))
        if dag.hele_dag and dag.lesuren:
            problemen.append((f"{veld}.lesuren", "niet bij een hele dag"))
        if not dag.hele_dag and not dag.lesuren:
            problemen.append((f"{veld}.lesuren", "verplicht als niet de hele dag"))
        if any(not 1 <= uur <= 12 for uur in dag.lesuren):
            problemen.append((f"{veld}.lesuren", "lesuur 1 tot en met 12"))
        if len(set(dag.lesuren)) != len(dag.lesuren):
            problemen.append((f"{veld}.lesuren", "dubbel lesuur"))


def _controleer_melder(melder: Melder, problemen: Problemen) -> None:
    _verplichte_tekst(melder.naam, "melder.naam", 100, problemen)
    _verplichte_tekst(melder.email, "melder.email", 100, problemen)
    if melder.email and not _EMAIL.fullmatch(melder.email):
        problemen.append(("melder.email", "geen e-mailadres"))
    _tekst(melder.functie, "melder.functie", 60, problemen)
    if (melder.netnummer is None) != (melder.abonneenummer is None):
        problemen.append(("melder.telefoon", "netnummer en abonneenummer samen"))
    if melder.netnummer is not None and not _NETNUMMER.fullmatch(melder.netnummer):
        problemen.append(("melder.netnummer", "0 en 1 tot 4 cijfers"))
    if melder.abonneenummer is not None and not _ABONNEENUMMER.fullmatch(
        melder.abonneenummer
    ):
        problemen.append(("melder.abonneenummer", "1 tot 10 cijfers"))


def _tekst(waarde: str | None, veld: str, maximum: int, problemen: Problemen) -> None:
    if waarde is not None and len(waarde) > maximum:
        problemen.append((veld, f"langer dan {maximum} tekens"))


def _verplichte_tekst(
    waarde: str | None, veld: str, maximum: int, problemen: Problemen
) -> None:
    if waarde is None or not waarde.strip():
        problemen.append((veld, "verplicht"))
    else:
        _tekst(waarde, veld, maximum, problemen)
