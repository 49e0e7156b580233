"""From a verzuimmelding to the DUO adapter's model (duo.md section 8).

This is the only place that decrypts the persoonsgebonden nummer (Lpw art. 21a(10)),
just before the melding leaves; the clear value lives in the `DuoMelding` for the
duration of one call and is never stored or logged. What cannot be sent yet is a
`Blokkade` naming the missing or invalid fields, never their values.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any

from contracts.common import VersleuteldPgn
from contracts.pgn import PgnSleutelFout, ontsleutel
from services.ketenkoppeling.domain.gegevens import Leerlinggegevens, Schoolgegevens
from services.ketenkoppeling.domain.meldplicht import Meldingstatus
from services.ketenkoppeling.domain.verzuimmelding import Verzuimmelding
from services.ketenkoppeling.duo import (
    CcOntvanger,
    DuoMelding,
    DuoMutatie,
    Melder,
    MeldingStatus,
    Mutatiesoort,
    Onderwijsdeelname,
    OngeldigeMelding,
    SoortOpleiding,
    Verzuimdag,
    Verzuimsoort,
    documentnummer,
)

__all__ = ["Blokkade", "duo_melding", "einddatum_mutatie", "intrekking", "status_van"]

# Only VO and MBO report machine-to-machine; the adapter has no code for PO (duo.md 2).
_SOORT_OPLEIDING = {
    "po": SoortOpleiding.PO,
    "vo": SoortOpleiding.VO,
    "mbo": SoortOpleiding.BVE,
}

# duo.md 7: the presumed reason is required. The school enters none upstream, so the
# melding says what the registration shows; never a medical or personal background.
_VERMOEDELIJKE_REDEN = {
    "L": "Vermoedelijk vakantie buiten de schoolvakanties (luxeverzuim).",
}
_REDEN_ONBEKEND = "Onbekend; de afwezigheid is ongeoorloofd geregistreerd."
_ACTIE_GEWENST = "Gesprek van de leerplichtambtenaar met leerling en ouders."


# DUO's status codes (duo.md 6) as the product's states. "Overgedragen aan derden" was
# abolished in 2020 and is final, like afgesloten.
_STATUS = {
    MeldingStatus.GEREGISTREERD: Meldingstatus.GEREGISTREERD,
    MeldingStatus.IN_BEHANDELING: Meldingstatus.IN_BEHANDELING,
    MeldingStatus.AFGESLOTEN: Meldingstatus.AFGESLOTEN,
    MeldingStatus.TER_KENNISGEVING_AANGENOMEN: Meldingstatus.TER_KENNISGEVING,
    MeldingStatus.INGETROKKEN: Meldingstatus.INGETROKKEN,
    MeldingStatus.OVERGEDRAGEN: Meldingstatus.AFGESLOTEN,
}


def status_van(status: MeldingStatus) -> Meldingstatus | None:
    return _STATUS.get(status)


@dataclass(frozen=True)
class Blokkade:
    """Why the melding cannot be sent now: field names only."""

    velden: tuple[str, ...]


def _kort(tekst: str, maximum: int) -> str:
    return textwrap.shorten(" ".join(tekst.split()), maximum, placeholder="…")


def _acties(leerling: Leerlinggegevens, melding: Verzuimmelding) -> str | None:
    regels = [
        f"{a['afgerond_op'].isoformat()} {a['titel']}: {a['uitkomst']}"
        for a in leerling.acties_voor(melding.school_id)
    ]
    return _kort("; ".join(regels), 200) if regels else None


def _melder(contact: dict[str, Any]) -> Melder:
    return Melder(
        naam=_kort(contact["naam"], 100),
        email=contact["email"],
        functie=_kort(contact["functie"], 60) if contact.get("functie") else None,
        cc=CcOntvanger.CONTACTPERSOON,
    )


def _verzuimdagen(melding: Verzuimmelding) -> tuple[Verzuimdag, ...]:
    dagen = []
    for dag in melding.plicht.verzuimdagen:
        lesuren = tuple(sorted({u for u in dag.lesuren if 1 <= u <= 12}))
        if dag.hele_dag:
            dagen.append(Verzuimdag(dag.datum, hele_dag=True))
        elif lesuren:
            dagen.append(Verzuimdag(dag.datum, hele_dag=False, lesuren=lesuren))
        # A part of a day without lesson numbers (PO blocks) cannot be specified.
    return tuple(dagen)


def duo_melding(
    melding: Verzuimmelding,
    school: Schoolgegevens | None,
    leerling: Leerlinggegevens | None,
    pgn_sleutel: str | None,
) -> DuoMelding | Blokkade:
    """The melding as DUO receives it, or the fields that keep it from leaving."""
    ontbrekend = [] if school is not None else ["school"]
    if leerling is None or leerling.gegevens is None:
        ontbrekend.append("leerling")
    if school is None or leerling is None or leerling.gegevens is None:
        return Blokkade(tuple(ontbrekend))
    problemen: list[str] = []
    contact = school.contact_melder
    if contact is None:
        problemen.append("school.contactMelder")
    soort_opleiding = _SOORT_OPLEIDING.get(school.sector)
    if soort_opleiding is None:
        problemen.append("school.sector")
    try:
        verzuimsoort = Verzuimsoort(melding.verzuimsoort)
    except ValueError:
        problemen.append("verzuimsoort")
    pgn = _pgn(leerling, pgn_sleutel, problemen)
    if problemen or contact is None or soort_opleiding is None or pgn is None:
        return Blokkade(tuple(problemen))

    plicht = melding.plicht
    acties = _acties(leerling, melding)
    leerjaar = leerling.gegevens.get("leerjaar")
    soort, nummer = pgn
    kandidaat = DuoMelding(
        document_id=documentnummer(str(melding.meldplicht_id)),
        verzuimsoort=verzuimsoort,
        brin=school.brin,
        vestiging=school.vestiging,
        locatienaam=_kort(school.naam, 100),
        gemeentecode=leerling.gegevens["woongemeente"],
        onderwijsdeelname=Onderwijsdeelname(
            soort_opleiding,
            leerjaar_vo=leerjaar
            if soort_opleiding is SoortOpleiding.VO and leerjaar in range(1, 7)
            else None,
        ),
        begindatum=plicht.begindatum,
        einddatum=plicht.einddatum_bij_melden,
        vermoedelijke_reden=_VERMOEDELIJKE_REDEN.get(verzuimsoort, _REDEN_ONBEKEND),
        toelichting=_kort(plicht.toelichting, 100) or None,
        actie_ondernomen=acties is not None,
        toelichting_ondernomen_actie=acties,
        toelichting_actie_gewenst=None if acties else _ACTIE_GEWENST,
        melder=_melder(contact),
        bsn=nummer if soort == "bsn" else None,
        onderwijsnummer=nummer if soort == "onderwijsnummer" else None,
        verzuimdagen=_verzuimdagen(melding),
        alle_lessen_gemist=bool(plicht.verzuimdagen)
        and all(d.hele_dag for d in plicht.verzuimdagen),
    )
    try:
        kandidaat.valideer()
    except OngeldigeMelding as fout:
        return Blokkade(fout.velden)
    return kandidaat


def _pgn(
    leerling: Leerlinggegevens, sleutel: str | None, problemen: list[str]
) -> tuple[str, str] | None:
    assert leerling.gegevens is not None
    if not sleutel:
        problemen.append("pgnSleutel")
        return None
    if leerling.gegevens.get("pgn") is None:
        problemen.append("leerling.pgn")  # erased (`Leerlinggegevens.gewist`)
        return None
    waarde = VersleuteldPgn.model_validate(leerling.gegevens["pgn"])
    try:
        return waarde.soort, ontsleutel(waarde, sleutel)
    except (PgnSleutelFout, ValueError):  # ValueError: the sealed value is destroyed
        problemen.append("leerling.pgn")
        return None


def intrekking(melding: Verzuimmelding) -> DuoMutatie:
    """D15: status I for a melding DUO holds."""
    assert melding.meldingsnummer is not None and melding.brin is not None
    return DuoMutatie(
        document_id=documentnummer(str(melding.meldplicht_id), "intrekking"),
        meldingsnummer=melding.meldingsnummer,
        brin=melding.brin,
        soort=Mutatiesoort.INTREKKING,
    )


def einddatum_mutatie(melding: Verzuimmelding) -> DuoMutatie:
    """D7: the einddatum of a melding sent without one."""
    einddatum = melding.einddatum_te_versturen
    assert einddatum is not None
    assert melding.meldingsnummer is not None and melding.brin is not None
    return DuoMutatie(
        document_id=documentnummer(
            str(melding.meldplicht_id), "einddatum", einddatum.isoformat()
        ),
        meldingsnummer=melding.meldingsnummer,
        brin=melding.brin,
        soort=Mutatiesoort.EINDDATUM,
        einddatum=einddatum,
    )
