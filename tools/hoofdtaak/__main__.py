"""`./demo` (`python -m tools.hoofdtaak`): a school year through the whole chain.

Starts the broker, the four services and the DUO stand-in, sends a generated
2025-26 school year of two demo schools through registratie's HTTP API, waits until
analyse, opvolging and ketenkoppeling are done, prints a summary and writes an HTML
report. The exit code is 1 when the chain did not settle or a check failed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from rich.console import Console
from rich.table import Table

from tools.hoofdtaak.opdracht import (
    STANDAARD_STORINGEN,
    DuoStoringen,
    OngeldigeOpdracht,
    Opdracht,
    standaard_data_dir,
)
from tools.hoofdtaak.reconciliatie import druk_af
from tools.hoofdtaak.uitvoering import Uitkomst, voer_uit
from tools.schooljaar.rapport import druk_samenvatting, schrijf_rapport
from tools.schooljaar.rapportgegevens import Rapportgegevens
from tools.schooljaar.verzuim import Instellingen

__all__ = ["main", "parse"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="./demo", description=__doc__.split("\n\n")[1] if __doc__ else None
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=Instellingen.seed,
        help=f"seed of the generated year; the same seed sends the same records "
        f"(default {Instellingen.seed}). In a backfill the meldingen can still "
        "differ between runs: a melding DUO accepted halfway stays as it was sent",
    )
    parser.add_argument(
        "--weken", type=int, default=None, help="calendar weeks (default: whole year)"
    )
    parser.add_argument(
        "--vo",
        type=int,
        default=Instellingen.vo_leerlingen,
        help="pupils of the VO school (default 1500)",
    )
    parser.add_argument(
        "--po",
        type=int,
        default=Instellingen.po_leerlingen,
        help="pupils of the PO school (default 300)",
    )
    parser.add_argument(
        "--modus",
        choices=("dagelijks", "bulk"),
        default="bulk",
        help="day by day with the clock moving, or one backfill (default)",
    )
    parser.add_argument(
        "--store",
        choices=("sqlite", "postgres"),
        default="sqlite",
        help="event stores: SQLite files in the data directory (default), or a "
        "fresh database on the PostgreSQL server at 127.0.0.1:5432",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="default: ./var/demo-<timestamp>"
    )
    parser.add_argument(
        "--rapport",
        type=Path,
        default=Path("reports/schooljaar.html"),
        help="where the HTML report goes (default reports/schooljaar.html)",
    )
    parser.add_argument(
        "--duo-storingen",
        default=STANDAARD_STORINGEN,
        help='e.g. "5xx=0.05,afwijzing=0.01,uitval=8:5" (outage of 5 s, 8 s after '
        'the records start); "geen" for none',
    )
    parser.add_argument(
        "--geen-besluiten",
        action="store_true",
        help="leave backlog meldingen (D17) and withdrawals (D15) for a person",
    )
    parser.add_argument(
        "--zonder-sis",
        action="store_true",
        help="send every record as plain JSON (no Eduarte, Magister, SOMtoday files)",
    )
    parser.add_argument(
        "--wachttijd",
        type=float,
        default=600.0,
        help="seconds the chain may take to settle (default 600)",
    )
    return parser


def parse(argv: Sequence[str] | None = None) -> Opdracht:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return Opdracht(
            data_dir=args.data_dir or standaard_data_dir(),
            rapport=args.rapport,
            seed=args.seed,
            weken=args.weken,
            vo=args.vo,
            po=args.po,
            modus=args.modus,
            store=args.store,
            storingen=DuoStoringen.lees(args.duo_storingen),
            besluiten=not args.geen_besluiten,
            sis_bestanden=not args.zonder_sis,
            echte_bestanden=not args.zonder_sis,
            wachttijd=args.wachttijd,
        )
    except OngeldigeOpdracht as fout:
        parser.error(str(fout))


def druk_uitkomst(uitkomst: Uitkomst, console: Console) -> None:
    druk_samenvatting(uitkomst.gegevens, console)
    m = uitkomst.metingen
    tabel = Table(title="Run", title_justify="left", show_edge=False, min_width=44)
    tabel.add_column("", style="bold")
    tabel.add_column("waarde", justify="right")
    tabel.add_row("keten starten", f"{m.starten:.1f} s")
    tabel.add_row("scholen en leerlingen", f"{m.leerlingen:.1f} s")
    for soort, seconden in sorted(m.per_soort.items()):
        tabel.add_row(f"versturen: {soort}", f"{seconden:.1f} s")
    tabel.add_row("records per seconde", f"{m.records_per_seconde:,.0f}")
    tabel.add_row("laatste actie → keten stil", f"{m.tot_rust:.1f} s")
    for stap, seconden in m.rust:
        tabel.add_row(f"  {stap}", f"{seconden:.1f} s")
    if m.laatste_record_tot_laatste_melding is not None:
        tabel.add_row(
            "laatste record → laatste DUO-melding",
            f"{m.laatste_record_tot_laatste_melding:.1f} s",
        )
    for naam, mb in sorted(m.piekgeheugen_mb.items()):
        tabel.add_row(f"piekgeheugen {naam}", f"{mb:.0f} MB")
    for naam, seconden in sorted(m.cpu_seconden.items()):
        tabel.add_row(f"CPU-tijd {naam}", f"{seconden:.1f} s")
    for soort, aantal in sorted(uitkomst.besluiten.items()):
        tabel.add_row(f"coördinator: {soort.replace('_', ' ')}", str(aantal))
    console.print(tabel)
    for controle in uitkomst.controles:
        teken = "[green]✓[/]" if controle.geslaagd else "[red]✗[/]"
        console.print(f"{teken} {controle.naam}")
        for detail in controle.details:
            console.print(f"    {detail}", highlight=False)
    console.rule("Reconciliatie")
    druk_af(uitkomst.reconciliatie)


def _met_controles(uitkomst: Uitkomst) -> Rapportgegevens:
    """The report's data with what the run checked, reconciliation included."""
    r = uitkomst.reconciliatie
    samenvatting = (
        f"reconciliatie: {r.herberekend} meldplichten herberekend uit registratie, "
        f"analyse houdt er {r.analyse}, ketenkoppeling {r.ketenkoppeling}"
    )
    controles = [(c.naam, c.geslaagd, list(c.details)) for c in uitkomst.controles]
    controles.append((samenvatting, r.in_orde, [str(v) for v in r.verschillen]))
    return replace(uitkomst.gegevens, controles=controles)


async def _main(opdracht: Opdracht, console: Console) -> int:
    console.print(
        f"Data in {opdracht.data_dir}; modus {opdracht.modus}; store {opdracht.store}; "
        f"DUO-storingen: {opdracht.storingen.beschrijving()}"
    )
    uitkomst = await voer_uit(opdracht, console)
    druk_uitkomst(uitkomst, console)
    if opdracht.rapport is not None:
        pad = schrijf_rapport(_met_controles(uitkomst), opdracht.rapport)
        console.print(f"Rapport: {pad}")
    return 0 if uitkomst.geslaagd else 1


def main(argv: Sequence[str] | None = None) -> int:
    opdracht = parse(argv)
    return asyncio.run(_main(opdracht, Console()))


if __name__ == "__main__":
    sys.exit(main())
