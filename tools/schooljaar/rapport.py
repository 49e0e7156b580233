"""The main job's output: a self-contained HTML report and a terminal summary.

`render_html` fills `templates/rapport.html.j2` (Jinja2, autoescaped; inline CSS and
SVG, no external resources, so the file opens offline). `druk_samenvatting` prints the
run's figures as `rich` tables; `maak_voortgang` gives the driver its progress bars.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from tools.schooljaar.grafieken import Diagram, Reeks, gestapeld_staafdiagram, getal
from tools.schooljaar.rapportgegevens import Rapportgegevens

__all__ = ["druk_samenvatting", "maak_voortgang", "render_html", "schrijf_rapport"]

_TEMPLATES = Path(__file__).parent / "templates"
_WEEKDAGEN = ("ma", "di", "wo", "do", "vr", "za", "zo")


def _datum(d: date | None) -> str:
    if d is None:
        return "—"
    return f"{_WEEKDAGEN[d.weekday()]} {d.strftime('%d-%m-%Y')}"


def _omgeving() -> Environment:
    omgeving = Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    omgeving.filters["datum"] = _datum
    omgeving.filters["getal"] = getal
    return omgeving


def _week_diagram(gegevens: Rapportgegevens) -> Diagram:
    weken = gegevens.per_week
    return gestapeld_staafdiagram(
        [f"wk {w.maandag.isocalendar().week}" for w in weken],
        [
            Reeks("geoorloofd", "geoorloofd", [w.geoorloofd for w in weken]),
            Reeks("ongeoorloofd", "ongeoorloofd", [w.ongeoorloofd for w in weken]),
            Reeks("onbekend", "nog onbekend", [w.onbekend for w in weken]),
        ],
        beschrijving="Verzuim per week in uren, geoorloofd en ongeoorloofd",
        label_elke=max(1, len(weken) // 12),
    )


def _leerjaar_diagram(gegevens: Rapportgegevens) -> Diagram:
    jaren = gegevens.per_leerjaar
    return gestapeld_staafdiagram(
        [j.label for j in jaren],
        [
            Reeks("geoorloofd", "geoorloofd", [j.geoorloofd for j in jaren]),
            Reeks("ongeoorloofd", "ongeoorloofd", [j.ongeoorloofd for j in jaren]),
        ],
        beschrijving="Verzuim per leerjaar of groep in uren",
        hoogte=240,
    )


def render_html(gegevens: Rapportgegevens) -> str:
    template = _omgeving().get_template("rapport.html.j2")
    return template.render(
        g=gegevens,
        c=gegevens.cijfers,
        week=_week_diagram(gegevens),
        leerjaar=_leerjaar_diagram(gegevens),
    )


def schrijf_rapport(gegevens: Rapportgegevens, pad: Path) -> Path:
    pad.parent.mkdir(parents=True, exist_ok=True)
    pad.write_text(render_html(gegevens), encoding="utf-8")
    return pad


def _tabel(titel: str, rijen: dict[str, int | str], kop: str = "aantal") -> Table:
    tabel = Table(title=titel, title_justify="left", show_edge=False, min_width=44)
    tabel.add_column("", style="bold")
    tabel.add_column(kop, justify="right")
    for naam, waarde in rijen.items():
        tabel.add_row(
            naam, getal(waarde) if isinstance(waarde, int | float) else waarde
        )
    return tabel


def druk_samenvatting(
    gegevens: Rapportgegevens, console: Console | None = None
) -> None:
    """The run's figures as tables: records, verzuim, duties, DUO, notifications,
    dossiers and dead letters."""
    console = console or Console()
    c = gegevens.cijfers
    console.rule(f"{gegevens.titel} — schooljaar {gegevens.schooljaar}")
    console.print(
        _tabel(
            "Records",
            {
                "verstuurd": c.records_verstuurd,
                "geaccepteerd": c.records_geaccepteerd,
                "gecorrigeerd": c.records_gecorrigeerd,
                "ongewijzigd": c.records_ongewijzigd,
                "afgewezen": c.records_afgewezen,
                "  waarvan verwacht": c.records_verwacht_afgewezen,
                "ingetrokken": c.records_ingetrokken,
                "afmeldingen": c.afmeldingen,
                "verlofaanvragen": c.verlofaanvragen,
            },
        )
    )
    console.print(
        _tabel("Verzuim geclassificeerd (lesuren)", dict(c.verzuim_geclassificeerd))
    )
    console.print(_tabel("Meldplichten per soort", dict(c.meldplichten)))
    meldingen: dict[str, int | str] = dict(c.meldingen_status)
    meldingen["geaccepteerd door DUO"] = c.meldingen_geaccepteerd
    console.print(_tabel("Verzuimmeldingen bij DUO", meldingen))
    console.print(_tabel("Signalen", dict(c.signalen)))
    console.print(
        _tabel(
            "Opvolging en notificaties",
            {
                "notificaties bezorgd": c.notificaties_bezorgd,
                "notificaties mislukt": c.notificaties_mislukt,
                "dossiers open": c.dossiers_open,
                "dossiers gesloten": c.dossiers_gesloten,
            },
        )
    )
    dlq: dict[str, int | str] = dict(gegevens.dlq) or {"(leeg)": 0}
    console.print(_tabel("Dead-letter queues", dlq, kop="berichten"))
    console.print(f"Duur: {getal(round(c.duur_seconden, 1))} s")


def maak_voortgang(
    console: Console | None = None, *, transient: bool = False
) -> Progress:
    """Progress bars for the driver: days sent, files imported, waiting on the chain."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=transient,
        # Redrawing costs the driver CPU that the chain shares; twice a second is
        # smooth enough for bars that run for minutes (rich's default is 10).
        refresh_per_second=2,
    )
