"""Records per second for 10,000-record bulk batches through the registratie app.

    .venv/bin/python benchmarks/registratie_bulk.py              # SQLite and PostgreSQL
    .venv/bin/python benchmarks/registratie_bulk.py --backend sqlite --batches 5
    .venv/bin/python benchmarks/registratie_bulk.py --zonder-versleuteling

Each batch is one `registreer_bulk` call (one save). The store is encrypted (and its
larger payloads compressed) as every service store is (`plumbing.store.store_env`);
`--zonder-versleuteling` measures the plain store, as this benchmark did before.
Two shapes are measured: one record per pupil-day (every record opens a new day: the
worst case) and two sources per pupil-day (a teacher's observation and an office
report, as SIS exports usually have), plus re-sending a batch (every record
unchanged). PostgreSQL runs against 127.0.0.1:5432, user postgres, database `test`,
schema `registratie_bench` (dropped and created on each run).
All data is fabricated; the BSNs are constructed test values.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from tools.schooljaar.identiteiten import maak_bsn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from leerplicht.fixtures import TC_2526, VO_ROOSTER  # noqa: E402
from plumbing.security.crypto import cipher_env, generate_cipher_key  # noqa: E402
from services.registratie.application import Registratie  # noqa: E402
from services.registratie.domain.school import RedenCode, rooster_naar_dict  # noqa: E402
from services.registratie.domain.tijd import AMSTERDAM  # noqa: E402
from services.registratie.modellen import LeerlingInvoer, SchoolInvoer  # noqa: E402

BATCH = 10_000
SCHEMA = "registratie_bench"
TEST_BSNS = ("123456782", "999990019", "111222333")


def _lesdagen(vanaf: date, aantal: int) -> list[date]:
    dagen, d = [], vanaf
    while len(dagen) < aantal:
        if TC_2526.is_lesdag(d):
            dagen.append(d)
        d += timedelta(days=1)
    return dagen


@contextmanager
def sqlite_env(versleuteld: bool) -> Iterator[dict[str, str]]:
    with tempfile.TemporaryDirectory() as map_:
        yield {
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": os.path.join(map_, "registratie.db"),
            **_cipher(versleuteld),
        }


def _cipher(versleuteld: bool) -> dict[str, str]:
    return cipher_env(generate_cipher_key()) if versleuteld else {}


@contextmanager
def postgres_env(versleuteld: bool) -> Iterator[dict[str, str]]:
    import psycopg

    with psycopg.connect(
        "host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True
    ) as c:
        c.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        c.execute(f"CREATE SCHEMA {SCHEMA}")
    yield {
        # The services' own PostgreSQL store, not the library's: its recorders are
        # the ones that write large batches without psycopg's pipeline.
        "PERSISTENCE_MODULE": "plumbing.store:PostgresStore",
        "POSTGRES_DBNAME": "test",
        "POSTGRES_HOST": "127.0.0.1",
        "POSTGRES_PORT": "5432",
        "POSTGRES_USER": "postgres",
        "POSTGRES_PASSWORD": "",
        "POSTGRES_SCHEMA": SCHEMA,
        **_cipher(versleuteld),
    }


def _opzetten(app: Registratie, leerlingen: int) -> list[str]:
    school = app.registreer_school(
        SchoolInvoer(
            brin="05KO",
            naam="Benchmarkschool",
            sector="vo",
            rooster=rooster_naar_dict(VO_ROOSTER),
            redenen=[
                RedenCode(code="Z", categorie="ziek", geoorloofd=True),
                RedenCode(code="A", categorie="spijbelen", geoorloofd=False),
            ],
        ),
        [TC_2526],
    )
    ids = []
    # A school holds a BSN once: every made-up pupil gets its own.
    rng, uitgegeven = random.Random(7), set[str]()
    for i in range(leerlingen):
        view = app.registreer_leerling(
            LeerlingInvoer(
                school_id=school.school_id,
                leerlingnummer=str(500_000 + i),
                geboortedatum=date(2010, 1, 1) + timedelta(days=i % 700),
                pgn=maak_bsn(rng, uitgegeven),
                woongemeente="0344",
                inschrijving_vanaf=date(2022, 8, 1),
            )
        )
        ids.append(str(view.leerling_id))
    return ids


def _een_per_dag(ids: list[str], dagen: list[date], label: str) -> list[dict[str, Any]]:
    records = []
    for i in range(BATCH):
        dag = dagen[(i // len(ids)) % len(dagen)]
        records.append(
            {
                "bronId": f"{label}-{i}",
                "bron": "las",
                "leerlingId": ids[i % len(ids)],
                "datum": dag.isoformat(),
                "lesuurVan": 1 + i % 3,
                "lesuurTot": 4 + i % 4,
                "redenCode": "A" if i % 4 else None,
            }
        )
    return records


def _twee_bronnen(
    ids: list[str], dagen: list[date], label: str
) -> list[dict[str, Any]]:
    records = []
    for i in range(BATCH // 2):
        dag = dagen[(i // len(ids)) % len(dagen)].isoformat()
        leerling = ids[i % len(ids)]
        records.append(
            {
                "bronId": f"{label}-d{i}",
                "bron": "docent",
                "leerlingId": leerling,
                "datum": dag,
                "lesuurVan": 1,
                "lesuurTot": 3,
            }
        )
        records.append(
            {
                "bronId": f"{label}-k{i}",
                "bron": "kantoor",
                "leerlingId": leerling,
                "datum": dag,
                "lesuurVan": 2,
                "lesuurTot": 6,
                "redenCode": "Z" if i % 5 else "A",
            }
        )
    return records


def _meet(
    app: Registratie, records: list[dict[str, Any]]
) -> tuple[float, dict[str, int]]:
    gc.collect()
    begin = time.perf_counter()
    resultaat = app.registreer_bulk(records)
    duur = time.perf_counter() - begin
    return len(records) / duur, resultaat.aantallen


def draai(naam: str, env: dict[str, str], batches: int, leerlingen: int) -> None:
    klok: Callable[[], datetime] = lambda: datetime(2026, 6, 30, 18, tzinfo=AMSTERDAM)  # noqa: E731
    app = Registratie(env=env, klok=klok)
    try:
        begin = time.perf_counter()
        ids = _opzetten(app, leerlingen)
        duur = time.perf_counter() - begin
        print(f"[{naam}] {leerlingen} leerlingen ingeschreven in {duur:.1f} s")
        dagen_per_batch = BATCH // leerlingen
        vorm: dict[
            str, Callable[[list[str], list[date], str], list[dict[str, Any]]]
        ] = {
            "1 record per leerling-dag": _een_per_dag,
            "2 bronnen per leerling-dag": _twee_bronnen,
        }
        start = date(2025, 9, 15)
        for titel, maak in vorm.items():
            snelheden = []
            laatste: list[dict[str, Any]] = []
            for b in range(batches):
                dagen = _lesdagen(start, dagen_per_batch)
                start = dagen[-1] + timedelta(days=1)
                laatste = maak(ids, dagen, f"{titel[:1]}{b}")
                snelheid, aantallen = _meet(app, laatste)
                snelheden.append(snelheid)
                print(f"[{naam}] {titel}, batch {b + 1}: {snelheid:,.0f}/s {aantallen}")
            opnieuw, aantallen = _meet(app, laatste)
            print(
                f"[{naam}] {titel}: mediaan {statistics.median(snelheden):,.0f} "
                f"records/s; opnieuw verstuurd {opnieuw:,.0f} records/s {aantallen}"
            )
    finally:
        app.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--backend", choices=("sqlite", "postgres", "beide"), default="beide"
    )
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("--leerlingen", type=int, default=2000)
    parser.add_argument(
        "--zonder-versleuteling",
        action="store_true",
        help="a plain store instead of the services' encrypted one",
    )
    args = parser.parse_args()
    versleuteld = not args.zonder_versleuteling
    print("store:", "versleuteld" if versleuteld else "zonder versleuteling")
    if args.backend in ("sqlite", "beide"):
        with sqlite_env(versleuteld) as env:
            draai("sqlite", env, args.batches, args.leerlingen)
    if args.backend in ("postgres", "beide"):
        with postgres_env(versleuteld) as env:
            draai("postgres", env, args.batches, args.leerlingen)


if __name__ == "__main__":
    main()
