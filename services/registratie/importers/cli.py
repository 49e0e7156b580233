"""Command line: parse a SIS export and post it to the bulk endpoint in chunks.

    python -m services.registratie.importers eduarte export.csv \\
        --school <schoolId> --url http://localhost:8000 --koppeling leerlingen.csv

The koppeling maps the SIS pupil number to the leerlingId (CSV `nummer;leerlingId` or a
JSON object). Posting is safe to repeat: records are identified by source and record id.
What the server refuses is listed with its field and reason, as the rows the file
itself could not give are.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import stamina
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from services.registratie.importers.eduarte import (
    lees_absentiemeldingen,
    lees_waarnemingen,
)
from services.registratie.importers.magister import lees_absenties
from services.registratie.importers.model import ImportResultaat
from services.registratie.importers.somtoday import (
    lees_absentiemeldingen as lees_somtoday,
)

__all__ = ["BULK_PAD", "lees_bestand", "main", "post_in_delen"]

BULK_PAD = "/v1/afwezigheden/bulk"
FORMATEN = ("eduarte", "eduarte-waarnemingen", "magister", "somtoday")


KOPPELING_UITLEG = (
    "leerlingnummer → leerlingId: een CSV-bestand met regels nummer;leerlingId (een "
    'kopregel wordt overgeslagen) of een JSON-object {"nummer": "leerlingId"}'
)


def _lees_tekst(pad: Path, encoding: str, wat: str) -> str:
    """A file as text, or a clear stop (not a traceback) when it cannot be read."""
    try:
        return pad.read_text(encoding=encoding)
    except FileNotFoundError:
        raise SystemExit(f"{wat} {pad} bestaat niet") from None
    except IsADirectoryError:
        raise SystemExit(f"{wat} {pad} is een map") from None
    except LookupError:
        raise SystemExit(f"onbekende tekenset {encoding!r}") from None
    except UnicodeDecodeError as fout:
        raise SystemExit(
            f"{wat} {pad} is geen {encoding} (byte {fout.start}); geef de tekenset "
            "van de export met --encoding, bijvoorbeeld cp1252"
        ) from None


def lees_koppeling(pad: Path) -> dict[str, UUID]:
    tekst = _lees_tekst(pad, "utf-8-sig", "koppeling")
    if pad.suffix.lower() == ".json":
        try:
            inhoud = json.loads(tekst)
        except ValueError:
            raise SystemExit(f"koppeling {pad} is geen geldige JSON") from None
        if not isinstance(inhoud, dict) or not all(
            isinstance(v, str) for v in inhoud.values()
        ):
            raise SystemExit(
                f'koppeling {pad}: verwacht een JSON-object {{"nummer": "leerlingId"}}'
            )
        paren = [(str(k), v) for k, v in inhoud.items()]
    else:
        regels = [r for r in tekst.splitlines() if r.strip()]
        if regels and not any(";" in r for r in regels):
            raise SystemExit(
                f"koppeling {pad}: geen ';' gevonden; de regels zijn nummer;leerlingId"
            )
        rijen = csv.reader(regels, delimiter=";")
        paren = [(r[0].strip(), r[1].strip()) for r in rijen if len(r) >= 2 and r[0]]
    koppeling: dict[str, UUID] = {}
    for regel, (nummer, leerling_id) in enumerate(paren, start=1):
        try:
            koppeling[nummer] = UUID(leerling_id)
        except ValueError:
            if regel == 1 and not (nummer.isascii() and nummer.isdigit()):
                continue  # a header such as `leerlingnummer;leerlingId`
            raise SystemExit(
                f"koppeling {pad}, regel {regel}: {leerling_id!r} is geen leerlingId "
                "(UUID)"
            ) from None
    return koppeling


def lees_bestand(
    formaat: str,
    pad: Path,
    koppeling: dict[str, UUID],
    leerling: UUID | None = None,
    encoding: str = "utf-8",
) -> ImportResultaat:
    if formaat == "eduarte":
        return lees_absentiemeldingen(_lees_tekst(pad, encoding, "bestand"), koppeling)
    if formaat == "eduarte-waarnemingen":
        return lees_waarnemingen(_lees_tekst(pad, encoding, "bestand"), koppeling)
    if formaat == "magister" and leerling is None:
        raise SystemExit("magister: geef --leerling (het leerlingId van deze persoon)")
    try:
        inhoud = pad.read_bytes()
    except (FileNotFoundError, IsADirectoryError):
        raise SystemExit(f"bestand {pad} bestaat niet of is een map") from None
    if formaat == "somtoday":
        return lees_somtoday(inhoud, koppeling)
    assert leerling is not None
    return lees_absenties(inhoud, leerling)


@stamina.retry(on=(httpx.TransportError, httpx.HTTPStatusError), attempts=4)
def _post(
    client: httpx.Client, school: str, deel: list[dict[str, Any]]
) -> dict[str, Any]:
    antwoord = client.post(
        BULK_PAD, params={"schoolId": school}, json={"afwezigheden": deel}
    )
    if antwoord.status_code >= 500:
        antwoord.raise_for_status()
    if antwoord.status_code >= 400:
        raise SystemExit(f"de server weigerde het verzoek: HTTP {antwoord.status_code}")
    return antwoord.json() if antwoord.content else {}


def post_in_delen(
    client: httpx.Client,
    school: str,
    records: Sequence[dict[str, Any]],
    grootte: int,
    console: Console,
    geweigerd: list[dict[str, Any]] | None = None,
) -> Counter[str]:
    """Post in chunks with a progress bar; count the per-record answers and collect
    the refused ones in `geweigerd`."""
    statussen: Counter[str] = Counter()
    kolommen = (
        TextColumn("[bold]afwezigheden"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*kolommen, console=console) as voortgang:
        taak = voortgang.add_task("post", total=len(records))
        for begin in range(0, len(records), grootte):
            deel = list(records[begin : begin + grootte])
            antwoord = _post(client, school, deel)
            for regel in antwoord.get("regels", antwoord.get("resultaten", [])):
                status = str(regel.get("status", "onbekend"))
                statussen[status] += 1
                if status == "rejected" and geweigerd is not None:
                    geweigerd.append(regel)
            voortgang.advance(taak, len(deel))
    return statussen


def _argumenten(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        prog="python -m services.registratie.importers",
        description="Leest een SIS-export en stuurt de records naar registratie "
        "(POST /v1/afwezigheden/bulk). Formaten: eduarte (Eduarte "
        "absentiemeldingen, CSV), eduarte-waarnemingen (Eduarte waarnemingen, CSV), "
        "magister (Magister absenties van één leerling, JSON), somtoday (SOMtoday "
        "absentiemeldingen, JSON). Exitcode 1 als een regel of record is geweigerd.",
    )
    p.add_argument("formaat", choices=FORMATEN)
    p.add_argument("bestand", type=Path)
    p.add_argument(
        "--school",
        required=True,
        help="schoolId: registratie neemt alleen records van leerlingen van die school",
    )
    p.add_argument("--url", help="basis-URL van registratie (niet nodig met --dry-run)")
    p.add_argument("--koppeling", type=Path, help=KOPPELING_UITLEG)
    p.add_argument(
        "--leerling", type=UUID, help="leerlingId (Magister: één persoon per bestand)"
    )
    p.add_argument(
        "--chunk", type=int, default=1000, help="records per verzoek (max 10000)"
    )
    p.add_argument("--encoding", default="utf-8")
    p.add_argument(
        "--token",
        default=os.environ.get("VERZUIMKETEN_TOKEN"),
        help="API-sleutel met de rol sis (standaard: $VERZUIMKETEN_TOKEN)",
    )
    p.add_argument("--dry-run", action="store_true", help="alleen inlezen en tellen")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _argumenten(argv)
    console = Console(stderr=True)
    if args.url is None and not args.dry_run:
        raise SystemExit("geef --url (de basis-URL van registratie) of --dry-run")
    if not 1 <= args.chunk <= 10_000:
        raise SystemExit("--chunk ligt tussen 1 en 10000")
    koppeling = lees_koppeling(args.koppeling) if args.koppeling else {}
    resultaat = lees_bestand(
        args.formaat, args.bestand, koppeling, args.leerling, args.encoding
    )
    aantal, afgewezen = len(resultaat.records), len(resultaat.afgewezen)
    console.print(f"ingelezen: {aantal} records, {afgewezen} afgewezen")
    for afgewezen in resultaat.afgewezen[:20]:
        console.print(f"  regel {afgewezen.regel}: {afgewezen.reden}")
    if args.dry_run or not resultaat.records:
        return 0 if not resultaat.afgewezen else 1
    headers = {"Authorization": f"Bearer {args.token}"} if args.token else {}
    geweigerd: list[dict[str, Any]] = []
    with httpx.Client(base_url=args.url, headers=headers, timeout=120.0) as client:
        statussen = post_in_delen(
            client,
            args.school,
            [r.body() for r in resultaat.records],
            args.chunk,
            console,
            geweigerd,
        )
    console.print(
        "server: " + ", ".join(f"{k} {v}" for k, v in sorted(statussen.items()))
    )
    for regel in geweigerd[:20]:
        veld = f"{regel['veld']}: " if regel.get("veld") else ""
        console.print(f"  bronId {regel.get('bronId')}: {veld}{regel.get('reden')}")
    if len(geweigerd) > 20:
        console.print(f"  … en nog {len(geweigerd) - 20} geweigerd")
    return 0 if not resultaat.afgewezen and not statussen.get("rejected") else 1


if __name__ == "__main__":
    sys.exit(main())
