"""Reconciliation: every pupil's duties recomputed from registratie's events alone.

Source of truth: registratie's own store (its notification log, `registratielog`),
not the `verzuim.registratie.v1` topic. The store holds every published message in
the order it was committed and survives the run; the embedded broker is memory only
and forgets everything when it stops, and a topic would also hold the republished
copies after a broker loss.

For every pupil the analyse engine (`services.analyse.domain.engine.evalueer`) runs
on the school's calendar, timetable and policy and the pupil's final slots: what the
law asks from registratie's facts. One other fact enters: the meldingen DUO holds
(as ketenkoppeling reports them). A melding that reached DUO stays what it was, and
counting restarts after its einddatum (R-MLD-8), so a duty found and submitted
halfway through a backfill legitimately differs from one found on the final facts.
No decisions enter. The result is compared with analyse's `GET /v1/meldplichten`
and ketenkoppeling's `GET /v1/verzuimmeldingen` (`vergelijking`). Differences are
printed; exit code 1 when there is any.

    python -m tools.hoofdtaak.reconciliatie --data-dir var/demo-20260101-120000

Without `--analyse-url` and `--ketenkoppeling-url` it starts analyse and
ketenkoppeling itself on the run's data directory (with a fresh embedded broker)
to ask them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from contracts.pgn import sleutel_uit_instellingen
from plumbing.broker import free_port
from plumbing.clock import FileClock
from plumbing.security.settings import SecuritySettings
from services.analyse.domain.engine import evalueer
from services.analyse.domain.model import (
    IngediendeMelding,
    Leerlingfeiten,
    Meldplicht,
    Slot,
    Verzuimsoort,
)
from services.analyse.school import beleid_uit, kalender_uit, rooster_uit, sector_uit
from tools.hoofdtaak.keten import tijdelijke_api_sleutel
from tools.hoofdtaak.klant import Ketenklant
from tools.hoofdtaak.registratielog import (
    Leerlingstand,
    Registratiestand,
    lees_registratie,
)
from tools.hoofdtaak.vergelijking import BIJ_DUO, Verschil, vergelijk
from tools.launcher import PROCESSES, Stack

__all__ = [
    "Reconciliatie",
    "bij_duo",
    "herbereken",
    "lees_run",
    "main",
    "reconcilieer",
    "schrijf_run",
]

RUNBESTAND = "run.json"


@dataclass(frozen=True)
class Reconciliatie:
    leerlingen: int
    herberekend: int
    analyse: int
    ketenkoppeling: int
    verschillen: list[Verschil]

    @property
    def in_orde(self) -> bool:
        return not self.verschillen


def _feiten(stand: Registratiestand, leerling: Leerlingstand) -> Leerlingfeiten | None:
    school = stand.scholen.get(str(leerling.registratie.school_id))
    if school is None:
        return None
    lesdagen = leerling.registratie.lesdagen
    return Leerlingfeiten(
        geboortedatum=leerling.registratie.geboortedatum,
        sector=sector_uit({"sector": school.sector}),
        kalender=kalender_uit(school.kalender.model_dump(mode="json")),
        rooster=rooster_uit(
            school.rooster.model_dump(mode="json"),
            sorted(lesdagen) if lesdagen else None,
        ),
        beleid=beleid_uit(school.beleid),
        startkwalificatie_sinds=leerling.startkwalificatie_sinds,
    )


def _slots(leerling: Leerlingstand) -> list[Slot]:
    """The slots that count, within the enrolment (D16)."""
    registratie = leerling.registratie
    tot = registratie.inschrijving_tot or date.max
    return [
        Slot(
            slot_id=s.slot_id,
            datum=s.datum,
            lesuur=s.lesuur,
            status=s.status,  # type: ignore[arg-type]
            minuten=s.minuten,
            soort=s.soort,  # type: ignore[arg-type]
            luxe=s.luxe,
            ziek=s.ziek,
        )
        for s in leerling.slots.values()
        if s.telt and registratie.inschrijving_vanaf <= s.datum <= tot
    ]


def bij_duo(
    meldplichten: Sequence[Mapping[str, Any]], meldingen: Sequence[Mapping[str, Any]]
) -> dict[str, list[IngediendeMelding]]:
    """Per pupil the meldingen DUO holds and that the school did not withdraw.

    A withdrawal confirmed after the municipality closed the melding cannot reach
    DUO any more; analyse counts it as withdrawn all the same, and so does this."""
    sleutels = {
        str(m["meldplichtId"]): str(m["sleutel"])
        for m in meldplichten
        if m["status"] != "ingetrokken"
    }
    uitkomst: dict[str, list[IngediendeMelding]] = {}
    for melding in meldingen:
        sleutel = sleutels.get(str(melding["meldplichtId"]))
        if melding["status"] not in BIJ_DUO or sleutel is None:
            continue
        einddatum = melding.get("einddatum")
        uitkomst.setdefault(str(melding["leerlingId"]), []).append(
            IngediendeMelding(
                sleutel=sleutel,
                soort=Verzuimsoort(melding["verzuimsoort"]),
                begindatum=date.fromisoformat(melding["begindatum"]),
                einddatum=date.fromisoformat(einddatum) if einddatum else None,
            )
        )
    return uitkomst


def herbereken(
    stand: Registratiestand,
    vandaag: date,
    ingediend: Mapping[str, Sequence[IngediendeMelding]] | None = None,
) -> dict[str, list[Meldplicht]]:
    """Per pupil the duties the engine finds in registratie's facts, given what
    DUO already holds (`ingediend`, per pupil)."""
    ingediend = ingediend or {}
    uitkomst: dict[str, list[Meldplicht]] = {}
    for lid, leerling in stand.leerlingen.items():
        feiten = _feiten(stand, leerling)
        if feiten is None:
            continue
        resultaat = evalueer(
            feiten, _slots(leerling), ingediend.get(lid, ()), {}, vandaag=vandaag
        )
        if resultaat.meldplichten:
            uitkomst[lid] = list(resultaat.meldplichten)
    return uitkomst


async def reconcilieer(
    klant: Ketenklant,
    settings: SecuritySettings,
    vandaag: date,
    stand: Registratiestand | None = None,
) -> Reconciliatie:
    """Recompute from registratie's store and compare with the running services."""
    if stand is None:
        stand = await asyncio.to_thread(lees_registratie, settings)
    meldplichten: list[dict[str, Any]] = []
    meldingen: list[dict[str, Any]] = []
    for school_id in sorted(stand.scholen):
        antwoord = await klant.get(
            "analyse", "/v1/meldplichten", {"schoolId": school_id}
        )
        meldplichten += antwoord["meldplichten"]
        meldingen += await klant.get(
            "ketenkoppeling", "/v1/verzuimmeldingen", {"schoolId": school_id}
        )
    herberekend = await asyncio.to_thread(
        herbereken, stand, vandaag, bij_duo(meldplichten, meldingen)
    )
    verschillen = vergelijk(herberekend, meldplichten, meldingen)
    return Reconciliatie(
        leerlingen=len(stand.leerlingen),
        herberekend=sum(len(v) for v in herberekend.values()),
        analyse=len(meldplichten),
        ketenkoppeling=len(meldingen),
        verschillen=verschillen,
    )


# --- the run's description on disk -----------------------------------------------


def schrijf_run(data_dir: Path, store: str, database: str | None) -> None:
    """What the command needs to find a run's stores again."""
    inhoud = {"store": store, "database": database}
    (data_dir / RUNBESTAND).write_text(json.dumps(inhoud, indent=2))


def lees_run(data_dir: Path) -> SecuritySettings:
    pad = data_dir / RUNBESTAND
    inhoud = json.loads(pad.read_text()) if pad.exists() else {}
    extra = {"postgres_dbname": inhoud["database"]} if inhoud.get("database") else {}
    return SecuritySettings(
        verzuim_data_dir=data_dir.resolve(),
        verzuim_store=inhoud.get("store", "sqlite"),
        **extra,
    )


def druk_af(uitkomst: Reconciliatie) -> None:
    print(
        f"{uitkomst.leerlingen} leerlingen, {uitkomst.herberekend} meldplichten "
        f"herberekend uit registratie; analyse houdt er {uitkomst.analyse}, "
        f"ketenkoppeling {uitkomst.ketenkoppeling} verzuimmeldingen."
    )
    if uitkomst.in_orde:
        print("Geen verschillen.")
        return
    print(f"{len(uitkomst.verschillen)} verschillen:")
    for verschil in uitkomst.verschillen:
        print(f"  {verschil}")


async def _met_eigen_diensten(settings: SecuritySettings, vandaag: date) -> int:
    stand = await asyncio.to_thread(lees_registratie, settings)
    with tijdelijke_api_sleutel(
        settings, sorted(stand.scholen), "reconciliatie"
    ) as sleutel:
        return await _vraag_diensten(settings, vandaag, stand, sleutel)


async def _vraag_diensten(
    settings: SecuritySettings, vandaag: date, stand: Registratiestand, sleutel: str
) -> int:
    nodig = [p for p in PROCESSES if p.name in ("analyse", "ketenkoppeling")]
    env = {
        **os.environ,
        "VERZUIM_DATA_DIR": str(settings.verzuim_data_dir),
        "VERZUIM_STORE": settings.verzuim_store,
        "POSTGRES_DBNAME": settings.postgres_dbname,
        "VERZUIM_KLOK": f"file:{settings.verzuim_data_dir / 'klok'}",
        "VERZUIM_PGN_KEY": sleutel_uit_instellingen(None, settings.verzuim_data_dir),
        # Only asked, never sending: DUO points at a port nobody listens on.
        "DUO_URL": f"http://127.0.0.1:{free_port()}",
    }
    logboek = (settings.verzuim_data_dir / "reconciliatie.log").open("a")
    try:
        async with Stack(
            nodig,
            free_ports=True,
            env=env,
            output=lambda naam, regel: logboek.write(f"{naam:<14} | {regel}\n"),
        ) as stack:
            klant = Ketenklant(stack.urls, sleutel)
            try:
                uitkomst = await reconcilieer(klant, settings, vandaag, stand)
            finally:
                await klant.sluit()
    finally:
        logboek.close()
    druk_af(uitkomst)
    return 0 if uitkomst.in_orde else 1


async def _met_urls(
    settings: SecuritySettings, vandaag: date, urls: dict[str, str], sleutel: str
) -> int:
    klant = Ketenklant(urls, sleutel)
    try:
        uitkomst = await reconcilieer(klant, settings, vandaag)
    finally:
        await klant.sluit()
    druk_af(uitkomst)
    return 0 if uitkomst.in_orde else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.hoofdtaak.reconciliatie",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument(
        "--vandaag",
        type=date.fromisoformat,
        help="peildatum; default: the run's clock (<data-dir>/klok)",
    )
    parser.add_argument("--analyse-url")
    parser.add_argument("--ketenkoppeling-url")
    parser.add_argument("--api-sleutel", help="with the URLs: a key for both")
    args = parser.parse_args(argv)
    if not args.data_dir.is_dir():
        parser.error(f"{args.data_dir} is not a directory")
    settings = lees_run(args.data_dir)
    vandaag = args.vandaag or FileClock(settings.verzuim_data_dir / "klok").today()
    if args.analyse_url or args.ketenkoppeling_url:
        if not (args.analyse_url and args.ketenkoppeling_url and args.api_sleutel):
            parser.error("give both URLs and --api-sleutel, or none of them")
        urls = {"analyse": args.analyse_url, "ketenkoppeling": args.ketenkoppeling_url}
        return asyncio.run(_met_urls(settings, vandaag, urls, args.api_sleutel))
    return asyncio.run(_met_eigen_diensten(settings, vandaag))


if __name__ == "__main__":
    sys.exit(main())
