"""Waiting until the chain is quiet, from what the services themselves report.

Quiet means, at the same moment and for several polls in a row:
- every consumer's lag is 0 on its service's `/metrics` (`consumer_lag`),
- no melding waits to be sent at ketenkoppeling (status `wachtend` without a
  blocking reason, or `intrekkingTeVersturen`),
- nothing moved: relay positions, published and dead-lettered counts, the meldingen
  by status at ketenkoppeling and at the DUO stand-in are the same as at the poll
  before.
The stand-in moves statuses R → B → G on its own clock and ketenkoppeling polls
them, so "nothing moved" also waits for those status changes to come through.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tools.hoofdtaak.klant import Ketenklant

__all__ = [
    "Metingen",
    "Stand",
    "lees_metrics",
    "meet",
    "wacht_tot_stil",
    "wacht_op_lag",
]

CONSUMENTEN = ("analyse", "opvolging", "ketenkoppeling")
DIENSTEN = ("registratie", "analyse", "opvolging", "ketenkoppeling")
# Meldingen the sender still has to act on without anyone deciding first.
_TE_VERSTUREN = ("wachtend", "intrekkingTeVersturen")


@dataclass(frozen=True)
class Metingen:
    """The figures of one service's `/metrics` that the driver reads."""

    lag: int = 0
    lag_gezien: bool = False
    relay_positie: int = 0
    gepubliceerd: int = 0
    dlq: dict[str, int] = field(default_factory=dict)


def lees_metrics(tekst: str) -> Metingen:
    lag = relay = gepubliceerd = 0
    lag_gezien = False
    dlq: Counter[str] = Counter()
    for familie in text_string_to_metric_families(tekst):
        for sample in familie.samples:
            if sample.name == "consumer_lag":
                lag += max(0, int(sample.value))
                lag_gezien = True
            elif sample.name == "relay_position":
                relay += int(sample.value)
            elif sample.name == "events_published_total":
                gepubliceerd += int(sample.value)
            elif sample.name == "dlq_messages_total":
                dlq[sample.labels["topic"]] += int(sample.value)
    return Metingen(lag, lag_gezien, relay, gepubliceerd, dict(dlq))


@dataclass(frozen=True)
class Stand:
    """One poll of the whole chain."""

    metingen: dict[str, Metingen]
    meldingen: dict[str, int]  # ketenkoppeling, by status
    te_versturen: int
    duo: dict[str, int]  # the stand-in's register, by status

    @property
    def lag(self) -> int:
        return sum(m.lag for m in self.metingen.values())

    @property
    def consumenten_klaar(self) -> bool:
        return all(
            self.metingen[d].lag_gezien and self.metingen[d].lag == 0
            for d in CONSUMENTEN
        )

    @property
    def stil(self) -> bool:
        return self.consumenten_klaar and self.te_versturen == 0

    def vingerafdruk(self) -> tuple[Any, ...]:
        return (
            tuple(
                (d, m.relay_positie, m.gepubliceerd, tuple(sorted(m.dlq.items())))
                for d, m in sorted(self.metingen.items())
            ),
            tuple(sorted(self.meldingen.items())),
            tuple(sorted(self.duo.items())),
        )


async def meet(klant: Ketenklant, school_ids: list[str]) -> Stand:
    teksten = await asyncio.gather(*(klant.tekst(d, "/metrics") for d in DIENSTEN))
    metingen = {d: lees_metrics(t) for d, t in zip(DIENSTEN, teksten, strict=True)}
    meldingen: Counter[str] = Counter()
    te_versturen = 0
    for school_id in school_ids:
        for melding in await klant.get(
            "ketenkoppeling", "/v1/verzuimmeldingen", {"schoolId": school_id}
        ):
            meldingen[melding["status"]] += 1
            if melding["status"] in _TE_VERSTUREN and not melding.get("blokkade"):
                te_versturen += 1
    register = await klant.get("duo", "/beheer/meldingen")
    duo = {k: v for k, v in register["per_status"].items() if v}
    return Stand(metingen, dict(meldingen), te_versturen, duo)


async def wacht_op_lag(
    klant: Ketenklant, *, tijd: float = 120.0, interval: float = 0.25
) -> bool:
    """Until every consumer has read everything published so far (no stability
    asked): the daily mode's pace keeper. False when `tijd` ran out."""
    einde = time.monotonic() + tijd
    while time.monotonic() < einde:
        teksten = await asyncio.gather(
            *(klant.tekst(d, "/metrics") for d in CONSUMENTEN)
        )
        metingen = [lees_metrics(t) for t in teksten]
        if all(m.lag_gezien and m.lag == 0 for m in metingen):
            return True
        await asyncio.sleep(interval)
    return False


async def wacht_tot_stil(
    klant: Ketenklant,
    school_ids: list[str],
    *,
    tijd: float,
    rustig: float = 4.0,
    interval: float = 0.5,
    bij_stand: Callable[[Stand], None] | None = None,
) -> tuple[bool, Stand]:
    """Poll until the chain was quiet and unchanged for `rustig` seconds; returns
    (settled, last poll). Not settled when `tijd` seconds pass first."""
    einde = time.monotonic() + tijd
    vorige: tuple[Any, ...] | None = None
    stil_sinds: float | None = None
    stand = await meet(klant, school_ids)
    while True:
        nu = time.monotonic()
        afdruk = stand.vingerafdruk()
        if stand.stil and afdruk == vorige:
            stil_sinds = stil_sinds if stil_sinds is not None else nu
            if nu - stil_sinds >= rustig:
                return True, stand
        else:
            stil_sinds = None
        vorige = afdruk
        if bij_stand is not None:
            bij_stand(stand)
        if nu > einde:
            return False, stand
        await asyncio.sleep(interval)
        stand = await meet(klant, school_ids)
