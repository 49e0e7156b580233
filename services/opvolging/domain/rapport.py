"""The closing report of a dossier: a JSON-able structure and a readable HTML document.

Only the personal data the school needs: the pupil's name and class, given by the caller
(the dossier itself holds ids only). Never a BSN or onderwijsnummer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from services.opvolging.domain.actie import Actie
from services.opvolging.domain.dossier import Dossier
from services.opvolging.domain.evaluatie import Evaluatie
from services.opvolging.domain.melding import Melding
from services.opvolging.domain.rasci import Activiteit, Rol
from services.opvolging.domain.tijd import datum_nl, tijdstip_nl

__all__ = ["LeerlingGegevens", "afsluitrapport", "als_html"]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class LeerlingGegevens:
    naam: str
    klas: str | None = None


def _d(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _t(t: datetime | None) -> str | None:
    return t.isoformat() if t else None


def _actie(a: Actie) -> dict[str, Any]:
    return {
        "id": a.id,
        "titel": a.titel,
        "activiteit": a.activiteit.value,
        "soort": a.soort.value,
        "r_rol": a.r_rol.value,
        "a_rol": a.a_rol.value,
        "i_rollen": [r.value for r in a.i_rollen],
        "vervaldatum": _d(a.vervaldatum),
        "status": a.status.value,
        "uitkomst": a.uitkomst,
        "aangemaakt_door": a.aangemaakt_door,
        "aangemaakt_op": _t(a.aangemaakt_op),
        "gewijzigd_door": a.gewijzigd_door,
        "gewijzigd_op": _t(a.gewijzigd_op),
        "historie": [
            {"wat": w.wat, "door": w.door, "op": _t(w.op), "toelichting": w.toelichting}
            for w in a.historie
        ],
    }


def _evaluatie(e: Evaluatie) -> dict[str, Any]:
    return {
        "peildatum": _d(e.peildatum),
        "oordeel": e.oordeel.value,
        "maatregelen_werken": e.maatregelen_werken,
        "gemiddelde_voor": e.gemiddelde_voor,
        "gemiddelde_na": e.gemiddelde_na,
        "voorgestelde_stap": e.voorgestelde_titel,
        "toelichting": e.toelichting,
        "door": e.door,
        "op": _t(e.op),
        "weken": [{"week": _d(w.week), "minuten": w.minuten} for w in e.weken],
    }


def _melding(m: Melding) -> dict[str, Any]:
    return {
        "meldplicht_id": m.meldplicht_id,
        "soort": m.soort,
        "status": m.status.value,
        "reden": m.reden,
        "meldingsnummer": m.meldingsnummer,
        "historie": [
            {"status": w.status.value, "reden": w.reden, "door": w.door, "op": _t(w.op)}
            for w in m.historie
        ],
    }


def afsluitrapport(dossier: Dossier, leerling: LeerlingGegevens) -> dict[str, Any]:
    """Everything that happened in the dossier, as plain JSON values (ISO dates)."""
    betrokkenen: dict[str, list[str]] = {}
    for g in dossier.tijdlijn:
        betrokkenen.setdefault(g.door, []).append(g.omschrijving)
    return {
        "soort": "afsluitrapport" if not dossier.is_open else "voortgangsrapport",
        "dossier": {
            "id": str(dossier.id),
            "school_id": dossier.school_id,
            "leerling_id": dossier.leerling_id,
            "status": dossier.status.value,
            "geopend_door": dossier.geopend_door,
            "geopend_op": _t(dossier.geopend_op),
            "afgesloten_door": dossier.afgesloten_door,
            "afgesloten_op": _t(dossier.afgesloten_op),
            "afsluitreden": dossier.afsluitreden.value
            if dossier.afsluitreden
            else None,
            "afsluittoelichting": dossier.afsluittoelichting,
        },
        "leerling": {"naam": leerling.naam, "klas": leerling.klas},
        "meldplichten": [
            {
                "id": m.id,
                "soort": m.soort,
                "begindatum": _d(m.begindatum),
                "einddatum": _d(m.einddatum),
                "achterstallig": m.achterstallig,
                "toelichting": m.toelichting,
            }
            for m in dossier.meldplichten.values()
        ],
        "signalen": [
            {"id": s.id, "soort": s.soort.value, "datum": _d(s.datum)}
            for s in dossier.signalen.values()
        ],
        "maatregelen": [_actie(a) for a in dossier.acties.values()],
        "evaluaties": [_evaluatie(e) for e in dossier.evaluaties],
        "meldingen": [_melding(m) for m in dossier.meldingen.values()],
        "tijdlijn": [
            {
                "op": _t(g.op),
                "door": g.door,
                "soort": g.soort,
                "omschrijving": g.omschrijving,
            }
            for g in dossier.tijdlijn
        ],
        "betrokkenen": [
            {"door": door, "handelingen": handelingen}
            for door, handelingen in betrokkenen.items()
        ],
    }


def _datum(iso: str | None) -> str:
    return datum_nl(date.fromisoformat(iso)) if iso else ""


def _tijdstip(iso: str | None) -> str:
    return tijdstip_nl(datetime.fromisoformat(iso)) if iso else ""


def _rol(waarde: str) -> str:
    return Rol(waarde).omschrijving


def _activiteit(waarde: str) -> str:
    return Activiteit(waarde).omschrijving


def _minuten(waarde: float | None) -> str:
    if waarde is None:
        return "onbekend"
    getal = f"{waarde:.0f}" if float(waarde).is_integer() else f"{waarde:.1f}"
    return getal.replace(".", ",") + " min"


def _woord(waarde: str | None) -> str:
    return (waarde or "").replace("_", " ")


def _omgeving() -> Environment:
    omgeving = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,  # names and free text come from users
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    omgeving.filters.update(
        datum=_datum,
        tijdstip=_tijdstip,
        rol=_rol,
        activiteit=_activiteit,
        woord=_woord,
        minuten=_minuten,
    )
    return omgeving


_OMGEVING = _omgeving()


def als_html(rapport: Mapping[str, Any]) -> str:
    """The report as a Dutch HTML document (template `afsluitrapport.html`)."""
    return _OMGEVING.get_template("afsluitrapport.html").render(r=rapport)
