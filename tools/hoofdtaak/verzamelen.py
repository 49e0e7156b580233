"""The run's figures, read back from the services once the chain is quiet.

Absence per week and per leerjaar comes from analyse's trends, duties from
analyse, meldingen and notifications from ketenkoppeling, dossiers from opvolging,
what DUO accepted from the stand-in's `/beheer/meldingen`, dead letters from every
service's `/metrics`, and the classified lesson slots from registratie's own log.
Everything lands in `tools.schooljaar.rapportgegevens.Rapportgegevens`.
"""

from __future__ import annotations

import asyncio
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from tools.hoofdtaak.klant import Ketenklant
from tools.hoofdtaak.registratielog import Registratiestand
from tools.hoofdtaak.wachten import Stand
from tools.schooljaar.rapportgegevens import (
    VERZUIMSOORTEN,
    Drempelleerling,
    Kerncijfers,
    Leerjaaruren,
    Meldinguitleg,
    Rapportgegevens,
    Slotregel,
    Weekuren,
)
from tools.schooljaar.registraties import AMSTERDAM
from tools.schooljaar.verzuim import Schooljaar

__all__ = ["Ketenbeeld", "haal_ketenbeeld", "rapportgegevens"]

_SIGNAALNAMEN = {
    "vermoedelijkLuxeverzuim": "vermoedelijk luxeverzuim (D18)",
    "zorgwekkendZiekteverzuim": "zorgwekkend ziekteverzuim (MAZL)",
    "teLaat": "te laat (ladder)",
    "signaalverzuim": "signaalverzuim",
}


@dataclass(frozen=True)
class Ketenbeeld:
    """What the services hold at the end of the run, as their APIs answer."""

    meldplichten: list[dict[str, Any]]
    meldingen: list[dict[str, Any]]
    notificaties: list[dict[str, Any]]
    dossiers: list[dict[str, Any]]
    trends: dict[str, list[dict[str, Any]]]  # per school id
    duo: dict[str, Any]
    verzuimbeelden: dict[str, dict[str, Any]]  # per pupil with a duty or dossier


async def haal_ketenbeeld(
    klant: Ketenklant, school_ids: list[str], *, gelijktijdig: int = 8
) -> Ketenbeeld:
    meldplichten: list[dict[str, Any]] = []
    meldingen: list[dict[str, Any]] = []
    notificaties: list[dict[str, Any]] = []
    dossiers: list[dict[str, Any]] = []
    trends: dict[str, list[dict[str, Any]]] = {}
    for school_id in school_ids:
        school = {"schoolId": school_id}
        meldplichten += (await klant.get("analyse", "/v1/meldplichten", school))[
            "meldplichten"
        ]
        meldingen += await klant.get("ketenkoppeling", "/v1/verzuimmeldingen", school)
        notificaties += await klant.get("ketenkoppeling", "/v1/notificaties", school)
        dossiers += (await klant.get("opvolging", "/v1/dossiers", school))["dossiers"]
        trends[school_id] = (
            await klant.get(
                "analyse",
                "/v1/trends",
                {**school, "per": "week", "groepering": "leerjaar"},
            )
        )["regels"]
    duo = await klant.get("duo", "/beheer/meldingen")

    leerlingen = sorted(
        {str(m["leerlingId"]) for m in meldplichten}
        | {str(d["leerlingId"]) for d in dossiers}
    )
    slot = asyncio.Semaphore(gelijktijdig)

    async def beeld(lid: str) -> tuple[str, dict[str, Any]]:
        async with slot:
            return lid, await klant.get("analyse", f"/v1/leerlingen/{lid}/verzuimbeeld")

    beelden = dict(await asyncio.gather(*(beeld(lid) for lid in leerlingen)))
    return Ketenbeeld(
        meldplichten, meldingen, notificaties, dossiers, trends, duo, beelden
    )


def _weekuren(
    trends: Mapping[str, list[dict[str, Any]]], van: date, tot: date
) -> list[Weekuren]:
    per_week: dict[date, Counter[str]] = defaultdict(Counter)
    for regels in trends.values():
        for regel in regels:
            jaar, _, week = regel["periode"].partition("-W")
            maandag = date.fromisocalendar(int(jaar), int(week), 1)
            per_week[maandag]["geoorloofd"] += regel["geoorloofdMinuten"]
            per_week[maandag]["ongeoorloofd"] += regel["ongeoorloofdMinuten"]
            per_week[maandag]["onbekend"] += regel["onbekendMinuten"]
    weken = []
    maandag = date.fromordinal(van.toordinal() - van.weekday())
    while maandag <= tot:
        minuten = per_week.get(maandag, Counter())
        weken.append(
            Weekuren(
                maandag,
                minuten["geoorloofd"] / 60,
                minuten["ongeoorloofd"] / 60,
                minuten["onbekend"] / 60,
            )
        )
        maandag = date.fromordinal(maandag.toordinal() + 7)
    return weken


def _leerjaaruren(
    jaar: Schooljaar,
    school_ids: Mapping[str, str],
    trends: Mapping[str, list[dict[str, Any]]],
) -> list[Leerjaaruren]:
    koppen = Counter((ll.school, ll.leerjaar) for ll in jaar.leerlingen)
    minuten: dict[tuple[str, int], Counter[str]] = defaultdict(Counter)
    for sleutel, school_id in school_ids.items():
        for regel in trends.get(school_id, []):
            if not regel["groep"].isdigit():
                continue
            cel = minuten[(sleutel, int(regel["groep"]))]
            cel["geoorloofd"] += regel["geoorloofdMinuten"]
            cel["ongeoorloofd"] += regel["ongeoorloofdMinuten"]
    return [
        Leerjaaruren(
            school.upper(),
            leerjaar,
            minuten[(school, leerjaar)]["geoorloofd"] / 60,
            minuten[(school, leerjaar)]["ongeoorloofd"] / 60,
            koppen.get((school, leerjaar), 0),
        )
        for school, leerjaar in sorted(set(koppen) | set(minuten))
    ]


def _meldplichtregels(beeld: Ketenbeeld) -> dict[str, dict[str, Any]]:
    return {
        str(m["meldplichtId"]): m
        for b in beeld.verzuimbeelden.values()
        for m in b["meldplichten"]
    }


def rapportgegevens(
    jaar: Schooljaar,
    school_ids: Mapping[str, str],
    beeld: Ketenbeeld,
    registratie: Registratiestand,
    stand: Stand,
    tellingen: Mapping[str, int],
    duur: float,
) -> Rapportgegevens:
    namen = {str(ll.leerling_id): ll for ll in jaar.leerlingen}
    scholen = {sid: jaar.scholen[s].naam for s, sid in school_ids.items()}
    slotstatus = Counter(
        s.status for ll in registratie.leerlingen.values() for s in ll.slots.values()
    )
    te_laat = {
        lid: sum(1 for s in ll.slots.values() if s.soort == "teLaat")
        for lid, ll in registratie.leerlingen.items()
    }
    meldplichten: Counter[str] = Counter()
    for m in beeld.meldplichten:
        label = VERZUIMSOORTEN.get(m["verzuimsoort"], m["verzuimsoort"])
        sleutel = label if m["status"] != "vervallen" else f"{label} (vervallen)"
        meldplichten[sleutel] += 1
    meldingen_per_leerling = Counter(str(m["leerlingId"]) for m in beeld.meldingen)
    signalen: Counter[str] = Counter()
    drempels: list[Drempelleerling] = []
    for lid, vb in sorted(beeld.verzuimbeelden.items()):
        soorten = sorted(
            {m["verzuimsoort"] for m in vb["meldplichten"]}
            | {_SIGNAALNAMEN.get(s["soort"], s["soort"]) for s in vb["signalen"]}
        )
        signalen.update(
            _SIGNAALNAMEN.get(s["soort"], s["soort"]) for s in vb["signalen"]
        )
        leerling = namen.get(lid)
        if not soorten or leerling is None:
            continue
        drempels.append(
            Drempelleerling(
                naam=leerling.naam,
                school=scholen[str(vb["schoolId"])],
                klas=leerling.klas,
                drempel=", ".join(soorten),
                ongeoorloofd_uren=vb["hoogsteVenstersom"]["uren"],
                te_laat=te_laat.get(lid, 0),
                meldingen=meldingen_per_leerling.get(lid, 0),
            )
        )
    regels = _meldplichtregels(beeld)
    uitleg = []
    for m in sorted(beeld.meldingen, key=lambda m: (m["begindatum"], m["meldingId"])):
        regel = regels.get(str(m["meldplichtId"]), {})
        leerling = namen.get(str(m["leerlingId"]))
        uitleg.append(
            Meldinguitleg(
                leerling=leerling.naam if leerling else str(m["leerlingId"]),
                school=scholen.get(str(m["schoolId"]), str(m["schoolId"])),
                verzuimsoort=m["verzuimsoort"],
                begindatum=date.fromisoformat(m["begindatum"]),
                einddatum=_datum(m.get("einddatum")),
                vervaldatum=_datum(m.get("vervaldatum")),
                minuten=int(regel.get("minuten", 0)),
                slots=[
                    Slotregel(date.fromisoformat(s["datum"]), s["lesuur"], s["minuten"])
                    for s in regel.get("slots", [])
                ],
                duo_status=m["status"],
                meldingsnummer=m.get("meldingsnummer"),
                toelichting=regel.get("toelichting")
                or "De meldplicht is bij analyse niet meer open; zie de historie.",
                achterstallig=bool(m.get("achterstallig")),
            )
        )
    notificaties = Counter(n["status"] for n in beeld.notificaties)
    dossiers = Counter(d["status"] for d in beeld.dossiers)
    dlq: Counter[str] = Counter()
    for metingen in stand.metingen.values():
        dlq.update(metingen.dlq)
    cijfers = Kerncijfers(
        records_verstuurd=sum(
            tellingen.get(f"records_{s}", 0)
            for s in ("accepted", "corrected", "unchanged", "rejected")
        ),
        records_geaccepteerd=tellingen.get("records_accepted", 0),
        records_gecorrigeerd=tellingen.get("records_corrected", 0),
        records_ongewijzigd=tellingen.get("records_unchanged", 0),
        records_afgewezen=tellingen.get("records_rejected", 0),
        records_verwacht_afgewezen=tellingen.get("records_verwacht_afgewezen", 0),
        records_ingetrokken=tellingen.get("records_ingetrokken", 0),
        afmeldingen=tellingen.get("afmeldingen", 0),
        verlofaanvragen=tellingen.get("verlofaanvragen", 0),
        verzuim_geclassificeerd=dict(sorted(slotstatus.items())),
        meldplichten=dict(sorted(meldplichten.items())),
        meldingen_status=dict(
            sorted(Counter(m["status"] for m in beeld.meldingen).items())
        ),
        meldingen_geaccepteerd=int(beeld.duo.get("aantal", 0)),
        signalen=dict(sorted(signalen.items())),
        notificaties_bezorgd=notificaties.get("bezorgd", 0),
        notificaties_mislukt=notificaties.get("mislukt", 0),
        dossiers_open=dossiers.get("open", 0),
        dossiers_gesloten=dossiers.get("afgesloten", 0),
        duur_seconden=duur,
    )
    eerste = min(d[0] for d in jaar.lesdagen.values() if d)
    laatste = max(d[-1] for d in jaar.lesdagen.values() if d)
    return Rapportgegevens(
        titel="Verzuimketen: een schooljaar door de keten",
        schooljaar="2025-2026",
        gegenereerd_op=datetime.now(AMSTERDAM),
        scholen=[jaar.scholen[s].naam for s in school_ids],
        cijfers=cijfers,
        per_week=_weekuren(beeld.trends, eerste, laatste),
        per_leerjaar=_leerjaaruren(jaar, school_ids, beeld.trends),
        boven_drempel=sorted(drempels, key=lambda d: (-d.ongeoorloofd_uren, d.naam)),
        meldingen=uitleg,
        dlq=dict(sorted((k, v) for k, v in dlq.items() if v)),
        seed=jaar.instellingen.seed,
    )


def _datum(waarde: str | None) -> date | None:
    return date.fromisoformat(waarde) if waarde else None
