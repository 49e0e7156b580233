"""The dossier's timeline: one readable Dutch line per event, for the closing report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.opvolging.domain.aanleiding import SignaalSoort
from services.opvolging.domain.dossierstatus import AfsluitReden
from services.opvolging.domain.evaluatie import Oordeel
from services.opvolging.domain.melding import MeldingStatus
from services.opvolging.domain.rasci import Rol
from services.opvolging.domain.tijd import datum_nl

__all__ = ["Gebeurtenis", "omschrijving"]


@dataclass(frozen=True)
class Gebeurtenis:
    """What happened, by whom, when; `soort` is the event's class name."""

    op: datetime
    door: str
    soort: str
    omschrijving: str


def _meldplicht(e: Any, d: Any) -> str:
    eind = f" t/m {datum_nl(e.einddatum)}" if e.einddatum else ""
    achter = " (achterstallig)" if e.achterstallig else ""
    return f"Meldplicht {e.soort} vanaf {datum_nl(e.begindatum)}{eind}{achter}"


def _meldplicht_bijgewerkt(e: Any, d: Any) -> str:
    m = d.meldplichten[e.meldplicht_id]
    eind = f" t/m {datum_nl(e.einddatum)}" if e.einddatum else ""
    return f"Meldplicht {m.soort} bijgewerkt: vanaf {datum_nl(m.begindatum)}{eind}"


def _signaal(e: Any, d: Any) -> str:
    soort = SignaalSoort(e.soort).omschrijving
    return f"Signaal {soort} van {datum_nl(e.datum)} ontvangen"


def _actie(e: Any, d: Any) -> str:
    rol = Rol(e.r_rol).omschrijving
    return f"Actie '{e.titel}' voor {rol}, uiterlijk {datum_nl(e.vervaldatum)}"


def _hertoegewezen(e: Any, d: Any) -> str:
    titel = d.acties[e.actie_id].titel
    return f"Actie '{titel}' toegewezen aan {Rol(e.r_rol).omschrijving}"


def _afgerond(e: Any, d: Any) -> str:
    return f"Actie '{d.acties[e.actie_id].titel}' afgerond: {e.uitkomst}"


def _geannuleerd(e: Any, d: Any) -> str:
    return f"Actie '{d.acties[e.actie_id].titel}' geannuleerd: {e.reden}"


def _meldingstatus(e: Any, d: Any) -> str:
    soort = d.meldingen[e.meldplicht_id].soort
    reden = f": {e.reden}" if e.reden else ""
    return f"Melding {soort}: status {MeldingStatus(e.status).omschrijving}{reden}"


def _evaluatie(e: Any, d: Any) -> str:
    oordeel = Oordeel(e.oordeel).omschrijving
    tekst = f"Evaluatie per {datum_nl(e.peildatum)}: {oordeel}"
    if e.voorgestelde_titel:
        tekst += f"; volgende stap voorgesteld: {e.voorgestelde_titel}"
    return tekst


def _afgesloten(e: Any, d: Any) -> str:
    return f"Dossier afgesloten: {AfsluitReden(e.reden).omschrijving}"


def _vast(tekst: str) -> Callable[[Any, Any], str]:
    return lambda e, d: tekst


_TEKSTEN: dict[str, Callable[[Any, Any], str]] = {
    "Geopend": _vast("Dossier geopend"),
    "MeldplichtOntvangen": _meldplicht,
    "MeldplichtBijgewerkt": _meldplicht_bijgewerkt,
    "SignaalOntvangen": _signaal,
    "ActieToegevoegd": _actie,
    "ActieHertoegewezen": _hertoegewezen,
    "ActieAfgerond": _afgerond,
    "ActieGeannuleerd": _geannuleerd,
    "LuxeverzuimBevestigd": _vast("Vermoedelijk luxeverzuim bevestigd"),
    "LuxeverzuimAfgewezen": _vast("Vermoedelijk luxeverzuim afgewezen"),
    "AchterstalligeMeldingBevestigd": _vast("Achterstallige melding bevestigd"),
    "AchterstalligeMeldingAfgewezen": _vast("Achterstallige melding niet verzonden"),
    "IntrekkingBevestigd": _vast("Intrekking van de melding bevestigd"),
    "IntrekkingAfgewezen": _vast("Intrekking afgewezen; de melding blijft staan"),
    "MeldingStatusGewijzigd": _meldingstatus,
    "EvaluatieVastgelegd": _evaluatie,
    "Afgesloten": _afgesloten,
}


def omschrijving(event: Any, dossier: Any) -> str:
    """The timeline text of an event, read after the event changed the dossier."""
    return _TEKSTEN[type(event).__name__](event, dossier)
