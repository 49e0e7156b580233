"""Comparing recomputed duties with what analyse and ketenkoppeling hold.

Matched by the duty's key (`meldplichtId` is a uuid5 of pupil and key, the same in
every service). What must hold:

- every recomputed duty is at analyse, standing (`open` or `ingediend`), with the
  same kind, begindatum and einddatum;
- every standing duty at analyse was recomputed;
- every duty at analyse that is open, submitted or proposed for withdrawal has one
  verzuimmelding at ketenkoppeling with the same kind and dates, in a state that
  fits (submitted ↔ held by DUO); a cancelled duty has none or a cancelled one;
- no meldplicht has two verzuimmeldingen, and none refers to a duty analyse does
  not know.

Not compared: `achterstallig` (fixed on the day a duty was first found, D17, while
the recomputation runs on the last day) and the minutes of a submitted duty (once
at DUO, later slots no longer change what was reported, R-MLD-8).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.analyse.contracts_mapping import meldplicht_id
from services.analyse.domain.model import Meldplicht

__all__ = ["BIJ_DUO", "STAAND", "Verschil", "vergelijk"]

STAAND = frozenset({"open", "ingediend"})
BIJ_DUO = frozenset({"geregistreerd", "inBehandeling", "afgesloten", "terKennisgeving"})
_DUO_EINDSTATUS = frozenset({"afgesloten", "terKennisgeving"})
# What ketenkoppeling may show for each status of the duty at analyse.
_PAST_BIJ: dict[str, frozenset[str]] = {
    # `vervallen` there: the verzuimcoördinator decided not to send a backlog
    # melding (D17); the legal duty stays visible at analyse.
    "open": frozenset({"wachtend", "wachtOpBevestiging", "afgewezen", "vervallen"}),
    "ingediend": BIJ_DUO,
    "intrekkingVoorgesteld": BIJ_DUO,
    # DUO takes no withdrawal once the municipality closed the melding.
    "ingetrokken": frozenset(
        {"ingetrokken", "intrekkingTeVersturen", "afgesloten", "terKennisgeving"}
    ),
    "vervallen": frozenset({"vervallen"}),
}


@dataclass(frozen=True, order=True)
class Verschil:
    leerling_id: str
    meldplicht_id: str
    wat: str

    def __str__(self) -> str:
        return (
            f"leerling {self.leerling_id} meldplicht {self.meldplicht_id}: {self.wat}"
        )


def _datum(waarde: Any) -> date | None:
    return date.fromisoformat(waarde) if waarde else None


def _zelfde(m: Meldplicht, gegeven: Mapping[str, Any], soortveld: str) -> list[str]:
    fouten = []
    if gegeven[soortveld] != m.soort.value:
        fouten.append(f"soort {gegeven[soortveld]} in plaats van {m.soort.value}")
    if _datum(gegeven["begindatum"]) != m.begindatum:
        fouten.append(
            f"begindatum {gegeven['begindatum']} in plaats van {m.begindatum}"
        )
    if _datum(gegeven.get("einddatum")) != m.einddatum:
        fouten.append(
            f"einddatum {gegeven.get('einddatum')} in plaats van {m.einddatum}"
        )
    return fouten


def vergelijk(
    herberekend: Mapping[str, Sequence[Meldplicht]],
    meldplichten: Sequence[Mapping[str, Any]],
    meldingen: Sequence[Mapping[str, Any]],
) -> list[Verschil]:
    verschillen: list[Verschil] = []
    bij_analyse = {str(m["meldplichtId"]): m for m in meldplichten}
    per_plicht: dict[str, list[Mapping[str, Any]]] = {}
    for melding in meldingen:
        per_plicht.setdefault(str(melding["meldplichtId"]), []).append(melding)

    verwacht: set[str] = set()
    for lid, plichten in herberekend.items():
        for plicht in plichten:
            mid = str(meldplicht_id(lid, plicht.sleutel))
            verwacht.add(mid)
            gegeven = bij_analyse.get(mid)
            if gegeven is None:
                verschillen.append(
                    Verschil(
                        lid,
                        mid,
                        f"{plicht.soort.value} vanaf "
                        f"{plicht.begindatum} ontbreekt bij analyse",
                    )
                )
                continue
            if gegeven["status"] not in STAAND:
                verschillen.append(
                    Verschil(lid, mid, f"analyse heeft status {gegeven['status']}")
                )
            for fout in _zelfde(plicht, gegeven, "verzuimsoort"):
                verschillen.append(Verschil(lid, mid, f"analyse: {fout}"))
            if gegeven["status"] == "open" and gegeven["minuten"] != plicht.minuten:
                verschillen.append(
                    Verschil(
                        lid,
                        mid,
                        f"analyse telt {gegeven['minuten']} minuten, "
                        f"herberekend {plicht.minuten}",
                    )
                )

    for mid, gegeven in sorted(bij_analyse.items()):
        lid = str(gegeven["leerlingId"])
        status = str(gegeven["status"])
        if status in STAAND and mid not in verwacht:
            verschillen.append(
                Verschil(
                    lid,
                    mid,
                    f"analyse houdt {gegeven['verzuimsoort']} ({status}) "
                    "die niet uit registratie volgt",
                )
            )
        eigen = per_plicht.get(mid, [])
        if len(eigen) > 1:
            verschillen.append(
                Verschil(lid, mid, f"{len(eigen)} verzuimmeldingen voor één meldplicht")
            )
        if not eigen:
            if status != "vervallen":
                verschillen.append(
                    Verschil(
                        lid,
                        mid,
                        f"geen verzuimmelding bij ketenkoppeling (analyse: {status})",
                    )
                )
            continue
        melding = eigen[0]
        if melding["status"] not in _PAST_BIJ.get(status, frozenset()):
            verschillen.append(
                Verschil(
                    lid,
                    mid,
                    f"ketenkoppeling {melding['status']} past niet "
                    f"bij analyse {status}",
                )
            )
        for veld in ("verzuimsoort", "begindatum", "einddatum"):
            if veld == "einddatum" and melding["status"] in _DUO_EINDSTATUS:
                continue  # DUO refuses every mutation once the melding is closed
            if melding.get(veld) != gegeven.get(veld):
                verschillen.append(
                    Verschil(
                        lid,
                        mid,
                        f"{veld}: ketenkoppeling {melding.get(veld)}, "
                        f"analyse {gegeven.get(veld)}",
                    )
                )

    for mid in sorted(set(per_plicht) - set(bij_analyse)):
        for melding in per_plicht[mid]:
            verschillen.append(
                Verschil(
                    str(melding["leerlingId"]),
                    mid,
                    "verzuimmelding zonder meldplicht bij analyse",
                )
            )

    nummers = Counter(m["meldingsnummer"] for m in meldingen if m.get("meldingsnummer"))
    for nummer, aantal in sorted(nummers.items()):
        if aantal > 1:
            verschillen.append(
                Verschil("-", "-", f"meldingsnummer {nummer} {aantal} keer gebruikt")
            )
    return sorted(verschillen)
