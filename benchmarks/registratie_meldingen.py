"""Pupils and parents' notices per second through registratie's HTTP API.

A running registratie service (store, relay on the embedded broker, HTTP app with
authentication, audit and limits); only the HTTP transport is in-process. One made-up
VO school: its pupils are registered, then notices (ill for one or two days, some
open-ended, some for a few lessons) are sent, either one request each with
`--gelijktijdig` in flight, as the main job used to, or with `--bulk` through
`POST /v1/leerlingen/bulk` and `POST /v1/afmeldingen/bulk`. CPU seconds are printed
beside wall time: on a busy machine they tell more. Run:

    .venv/bin/python benchmarks/registratie_meldingen.py [--leerlingen 1500]
    .venv/bin/python benchmarks/registratie_meldingen.py --bulk
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from registratie_http import (
    VANDAAG,
    bench_settings,
    bsns,
    leerling_body,
    registratie_met_school,
)

from plumbing.broker import EmbeddedBroker

BULK = 1_000


def meldingen(
    rnd: random.Random, leerlingen: list[str], aantal: int
) -> list[dict[str, Any]]:
    lijst = []
    for _ in range(aantal):
        van = VANDAAG - timedelta(days=rnd.randint(1, 60))
        melding: dict[str, Any] = {
            "leerlingId": rnd.choice(leerlingen),
            "soort": "ziek",
            "van": van.isoformat(),
            "ontvangen": f"{van.isoformat()}T07:30:00+01:00",
        }
        kans = rnd.random()
        if kans < 0.7:
            melding["tot"] = (van + timedelta(days=rnd.randint(0, 1))).isoformat()
        elif kans < 0.9:
            melding["tot"] = van.isoformat()
            melding["lesuurVan"] = rnd.randint(1, 4)
            melding["lesuurTot"] = melding["lesuurVan"] + 2
        lijst.append(melding)
    return lijst


async def gelijktijdig(aantal: int, taken: list[Callable[[], Awaitable[None]]]) -> None:
    slot = asyncio.Semaphore(aantal)

    async def een(taak: Callable[[], Awaitable[None]]) -> None:
        async with slot:
            await taak()

    await asyncio.gather(*(een(t) for t in taken))


def toon(wat: str, aantal: int, begin: float, cpu_begin: float) -> None:
    duur = time.perf_counter() - begin
    cpu = time.process_time() - cpu_begin
    print(
        f"{wat}: {aantal} in {duur:.2f} s = {aantal / duur:,.0f}/s "
        f"({cpu:.1f} CPU-s; load average {os.getloadavg()[0]:.1f})"
    )


async def meet(args: argparse.Namespace, broker: str, data_dir: Path) -> None:
    settings = bench_settings(broker, data_dir)
    async with registratie_met_school(settings) as (_, http):
        leerlingen = [str(uuid.uuid4()) for _ in range(args.leerlingen)]
        pgns = bsns(len(leerlingen))
        begin, cpu_begin = time.perf_counter(), time.process_time()
        if args.bulk:
            for i in range(0, len(leerlingen), BULK):
                body = {
                    "leerlingen": [
                        {**leerling_body(i + n, pgns[i + n]), "leerlingId": leerling}
                        for n, leerling in enumerate(leerlingen[i : i + BULK])
                    ]
                }
                antwoord = await http.post("/leerlingen/bulk", json=body)
                antwoord.raise_for_status()
                assert antwoord.json()["aantallen"] == {
                    "accepted": len(body["leerlingen"])
                }
        else:
            for i, leerling in enumerate(leerlingen):
                antwoord = await http.put(
                    f"/leerlingen/{leerling}", json=leerling_body(i, pgns[i])
                )
                antwoord.raise_for_status()
        toon("leerlingen", len(leerlingen), begin, cpu_begin)

        lijst = meldingen(random.Random(args.seed), leerlingen, args.meldingen)
        begin, cpu_begin = time.perf_counter(), time.process_time()
        if args.bulk:
            for i in range(0, len(lijst), args.per_verzoek):
                body = {"afmeldingen": lijst[i : i + args.per_verzoek]}
                antwoord = await http.post("/afmeldingen/bulk", json=body)
                antwoord.raise_for_status()
                aantallen = antwoord.json()["aantallen"]
                assert aantallen == {"accepted": len(body["afmeldingen"])}, aantallen
        else:

            def stuur(melding: dict[str, Any]) -> Callable[[], Awaitable[None]]:
                async def taak() -> None:
                    antwoord = await http.post("/afmeldingen", json=melding)
                    antwoord.raise_for_status()

                return taak

            await gelijktijdig(args.gelijktijdig, [stuur(m) for m in lijst])
        toon("afmeldingen", len(lijst), begin, cpu_begin)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--leerlingen", type=int, default=1_500)
    parser.add_argument("--meldingen", type=int, default=3_000)
    parser.add_argument("--gelijktijdig", type=int, default=8)
    parser.add_argument("--bulk", action="store_true")
    parser.add_argument("--per-verzoek", type=int, default=BULK, help="with --bulk")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    with (
        EmbeddedBroker() as broker,
        tempfile.TemporaryDirectory() as data_dir,
        contextlib.chdir(data_dir),
    ):
        asyncio.run(meet(args, broker.bootstrap_servers, Path(data_dir)))


if __name__ == "__main__":
    main()
