"""The text of a notification: per event kind and recipient role, in Dutch.

Data minimisation happens here, once: `gegevens_voor` picks the facts a role may see and
the templates only get those. The leerplichtambtenaar gets the pupil's internal id, the
school, the melding kind, the dates and DUO's meldingsnummer; the care team the internal
id; parents their child's roepnaam and no DUO internals. No role gets a BSN or a reason
of absence: `Gebeurtenis` carries neither.

Templates live in `templates/<soort>/<rol>.txt.j2` with a block `onderwerp` for the
subject. The HTML alternative is the same text laid out by `basis.html.j2`, rendered
with autoescape, so a school name or roepnaam can never inject markup.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    select_autoescape,
)

from services.ketenkoppeling.partners.gebeurtenis import Gebeurtenis
from services.ketenkoppeling.partners.routering import Rol, SchoolConfig

__all__ = ["GeenSjabloon", "Inhoud", "Inhoudmaker", "gegevens_voor"]

SJABLONEN = Path(__file__).parent / "templates"

_MAANDEN = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)

# Which facts each role may see, beyond the event kind, school name and dates.
_ROLVELDEN: Mapping[Rol, frozenset[str]] = {
    Rol.LEERPLICHTAMBTENAAR: frozenset({"leerling_id", "brin", "duo_meldingsnummer"}),
    Rol.ZORGTEAM: frozenset({"leerling_id"}),
    Rol.OUDERS: frozenset({"leerling_roepnaam"}),
}
_ALLE_ROLVELDEN = frozenset().union(*_ROLVELDEN.values())

_REGELBREEDTE = 76


class GeenSjabloon(LookupError):
    """No template for an event kind and role."""


@dataclass(frozen=True)
class Inhoud:
    """A rendered notification. `gegevens` is the role's facts as JSON values."""

    onderwerp: str
    tekst: str
    html: str
    gegevens: dict[str, Any]


def _datum(waarde: date | None) -> str:
    if waarde is None:
        return ""
    return f"{waarde.day} {_MAANDEN[waarde.month - 1]} {waarde.year}"


def gegevens_voor(
    gebeurtenis: Gebeurtenis, rol: Rol, school: SchoolConfig
) -> dict[str, Any]:
    """The facts `rol` may see about `gebeurtenis`; facts it may not see are None."""
    soort = gebeurtenis.meldingsoort
    alles: dict[str, Any] = {
        "soort": str(gebeurtenis.soort),
        "school": school.naam,
        "datum": gebeurtenis.datum,
        "meldingsoort": str(soort) if soort else None,
        "meldingsoort_omschrijving": soort.omschrijving if soort else None,
        "begindatum": gebeurtenis.begindatum,
        "einddatum": gebeurtenis.einddatum,
        "leerling_id": gebeurtenis.leerling_id,
        "brin": school.brin,
        "duo_meldingsnummer": gebeurtenis.duo_meldingsnummer,
        "leerling_roepnaam": gebeurtenis.leerling_roepnaam,
    }
    verborgen = _ALLE_ROLVELDEN - _ROLVELDEN[rol]
    return {veld: None if veld in verborgen else w for veld, w in alles.items()}


def _json(gegevens: Mapping[str, Any]) -> dict[str, Any]:
    return {
        veld: waarde.isoformat() if isinstance(waarde, date) else waarde
        for veld, waarde in gegevens.items()
        if waarde is not None
    }


def _alineas(tekst: str) -> list[list[str]]:
    blokken = (blok.strip() for blok in tekst.split("\n\n"))
    return [blok.splitlines() for blok in blokken if blok]


@lru_cache(maxsize=1024)
def _ombroken(regel: str) -> str:
    # Most lines are the same for every pupil of a school (the template's
    # paragraphs around the school's name); wrapping one takes as long as
    # rendering the rest.
    return textwrap.fill(regel, _REGELBREEDTE)


def _ombreken(alineas: list[list[str]]) -> str:
    regels = ("\n".join(_ombroken(regel) for regel in alinea) for alinea in alineas)
    return "\n\n".join(regels) + "\n"


class Inhoudmaker:
    """Renders notifications from the shipped templates, or from `sjablonen_map` first
    (a school or deployment may override single files)."""

    def __init__(self, sjablonen_map: Path | None = None) -> None:
        mappen = [SJABLONEN] if sjablonen_map is None else [sjablonen_map, SJABLONEN]
        self._omgeving = Environment(
            loader=ChoiceLoader([FileSystemLoader(m) for m in mappen]),
            autoescape=select_autoescape(
                enabled_extensions=("html.j2",), default_for_string=False
            ),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self._omgeving.filters["datum"] = _datum

    def maak(self, gebeurtenis: Gebeurtenis, rol: Rol, school: SchoolConfig) -> Inhoud:
        gegevens = gegevens_voor(gebeurtenis, rol, school)
        naam = f"{gebeurtenis.soort}/{rol}.txt.j2"
        try:
            sjabloon = self._omgeving.get_template(naam)
        except TemplateNotFound:
            raise GeenSjabloon(f"geen sjabloon {naam}") from None
        if "onderwerp" not in sjabloon.blocks:
            raise GeenSjabloon(f"sjabloon {naam} mist het blok 'onderwerp'")

        context = sjabloon.new_context(dict(gegevens))
        # A subject is one header line, whatever a school name contains.
        onderwerp = " ".join("".join(sjabloon.blocks["onderwerp"](context)).split())
        alineas = _alineas(sjabloon.render(gegevens))
        html = self._omgeving.get_template("basis.html.j2").render(
            onderwerp=onderwerp, alineas=alineas
        )

        return Inhoud(
            onderwerp=onderwerp,
            tekst=_ombreken(alineas),
            html=html,
            gegevens=_json(gegevens),
        )
