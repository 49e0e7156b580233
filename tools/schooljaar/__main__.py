"""`python -m tools.schooljaar`: generate a year and print what it holds (no chain)."""

from __future__ import annotations

import argparse
import time

from rich.console import Console
from rich.table import Table

from tools.schooljaar.verzuim import Instellingen, genereer_schooljaar


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=Instellingen.seed)
    parser.add_argument("--weken", type=int, default=None)
    parser.add_argument("--vo", type=int, default=Instellingen.vo_leerlingen)
    parser.add_argument("--po", type=int, default=Instellingen.po_leerlingen)
    args = parser.parse_args(argv)

    start = time.perf_counter()
    jaar = genereer_schooljaar(
        Instellingen(
            seed=args.seed,
            weken=args.weken,
            vo_leerlingen=args.vo,
            po_leerlingen=args.po,
        )
    )
    duur = time.perf_counter() - start

    tabel = Table(title=f"Schooljaar 2025-26, seed {args.seed}", title_justify="left")
    tabel.add_column("actie")
    tabel.add_column("aantal", justify="right")
    for soort, aantal in jaar.tellingen().items():
        tabel.add_row(soort, str(aantal))
    for school, dagen in jaar.lesdagen.items():
        tabel.add_row(f"lesdagen {school}", str(len(dagen)))
    tabel.add_row("leerlingen", str(len(jaar.leerlingen)))
    console = Console()
    console.print(tabel)
    console.print(f"gegenereerd in {duur:.2f} s")


if __name__ == "__main__":
    main()
