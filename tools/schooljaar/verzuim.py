"""A whole school year of absence for the two demo schools, reproducible from a seed.

`genereer_schooljaar` builds the pupils and a time-ordered stream of `Actie` objects:
absence records, corrections and withdrawals, parents' notices, leave requests and the
head's decisions, plus a few faulty records so the rejection path runs. The same
`Instellingen` always give the same stream. `weken` and the pupil counts scale the run
down for CI; every rate scales with the share of the year generated.
"""

from __future__ import annotations

import hashlib
import json
import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, time, timedelta
from itertools import groupby
from typing import Any
from uuid import UUID

from tools.schooljaar import dagelijks, perioden
from tools.schooljaar.jaarcontext import Leerlingjaar, Schoolcontext, maak_schoolcontext
from tools.schooljaar.kalenders import SCHOLEN, Schoolgegevens
from tools.schooljaar.leerlingen import Leerling, genereer_leerlingen
from tools.schooljaar.registraties import Actie, Registratieboek, moment

__all__ = ["Actie", "Instellingen", "Schooljaar", "genereer_schooljaar", "record_datum"]

# Order matters: long spells first, so everyday absence fills the slots left free.
_GEDRAG: tuple[Callable[[Leerlingjaar], None], ...] = (
    perioden.thuiszitter,
    perioden.chronisch,
    perioden.luxe,
    perioden.gewichtige_omstandigheden,
    perioden.bijzondere_verzoeken,
    perioden.religieuze_feestdagen,
    perioden.schorsing,
    perioden.vijfjarigen,
    dagelijks.ziekte,
    dagelijks.onverklaard,
    dagelijks.spijbelen,
    dagelijks.afspraken,
    dagelijks.te_laat,
    dagelijks.verwijderingen,
    perioden.vergissingen,
)
_FOUTSOORTEN = ("onbekendeLeerling", "buitenRooster", "onbekendeRedenCode")
# Corrections and decisions may trail the last generated lesdag by this much.
_NALOOP = timedelta(days=14)


@dataclass(frozen=True)
class Instellingen:
    seed: int = 2526
    weken: int | None = None  # calendar weeks from the first school day; None = all
    vo_leerlingen: int = 1500
    po_leerlingen: int = 300
    foutkans: float = 0.0005  # share of records made faulty on purpose (at least 3)

    def __post_init__(self) -> None:
        if self.weken is not None and self.weken < 1:
            raise ValueError("weken must be at least 1")
        if self.vo_leerlingen < 0 or self.po_leerlingen < 0:
            raise ValueError("pupil counts cannot be negative")
        if not 0 <= self.foutkans < 1:
            raise ValueError("foutkans must lie in [0, 1)")


def record_datum(payload: dict[str, Any]) -> date:
    """The (first) date an absence record is about."""
    if "datum" in payload:
        return date.fromisoformat(payload["datum"])
    return date.fromisoformat(payload["van"][:10])


@dataclass(frozen=True)
class Schooljaar:
    """The generated year: schools, pupils and the ordered actions."""

    instellingen: Instellingen
    scholen: dict[str, Schoolgegevens]
    leerlingen: tuple[Leerling, ...]
    acties: tuple[Actie, ...]
    lesdagen: dict[str, tuple[date, ...]]

    def leerlingen_van(self, school: str) -> list[Leerling]:
        return [ll for ll in self.leerlingen if ll.school == school]

    def per_dag(self) -> Iterator[tuple[date, list[Actie]]]:
        """The actions grouped by day, in order: send one day at a time."""
        for dag, acties in groupby(self.acties, key=lambda a: a.day):
            yield dag, list(acties)

    def records(
        self,
        school: str | None = None,
        van: date | None = None,
        tot: date | None = None,
    ) -> list[dict[str, Any]]:
        """The last version of every record that is not withdrawn, optionally of one
        school and with its date in [van, tot]; the faulty ones are left out."""
        laatste: dict[tuple[str, str], dict[str, Any]] = {}
        for actie in self.acties:
            if school is not None and actie.school != school:
                continue
            sleutel = (actie.school, actie.payload.get("bronId", ""))
            if actie.kind in ("afwezigheid", "correctie") and actie.verwachting is None:
                laatste[sleutel] = actie.payload
            elif actie.kind == "intrekking":
                laatste.pop(sleutel, None)
        return [
            payload
            for payload in laatste.values()
            if (van is None or record_datum(payload) >= van)
            and (tot is None or record_datum(payload) <= tot)
        ]

    def vingerafdruk(self) -> str:
        """SHA-256 of the whole stream: equal settings give an equal digest, on any
        machine and under any PYTHONHASHSEED."""
        inhoud = [
            (a.kind, a.moment.isoformat(), a.school, a.payload, a.sleutel, a.verwijzing)
            for a in self.acties
        ]
        return hashlib.sha256(json.dumps(inhoud, sort_keys=True).encode()).hexdigest()

    def tellingen(self) -> dict[str, int]:
        """Actions per kind, and how many the chain should reject."""
        tellingen = Counter(actie.kind for actie in self.acties)
        tellingen["verwachtAfgewezen"] = sum(
            1 for a in self.acties if a.kind == "afwezigheid" and a.verwachting
        )
        return dict(sorted(tellingen.items()))


def _leerlingjaren(
    ctx: Schoolcontext, leerlingen: list[Leerling], seed: int, teller: list[int]
) -> list[Actie]:
    acties: list[Actie] = []
    for leerling in leerlingen:
        rng = random.Random(f"{seed}:{leerling.school}:{leerling.leerlingnummer}")
        boek = Registratieboek(leerling, ctx.school, rng, teller)
        jaar = Leerlingjaar(ctx, leerling, boek, rng)
        for gedrag in _GEDRAG:
            gedrag(jaar)
        acties.extend(boek.acties)
    return acties


def _foute_records(
    ctx: Schoolcontext,
    leerlingen: list[Leerling],
    aantal: int,
    rng: random.Random,
    teller: list[int],
) -> list[Actie]:
    """Records the chain must reject: unknown pupil, lesson outside the timetable,
    unknown reason code. They cycle so every kind appears."""
    bekend = {ll.leerling_id for ll in leerlingen}
    acties = []
    for n in range(aantal):
        soort = _FOUTSOORTEN[n % len(_FOUTSOORTEN)]
        d = rng.choice(ctx.lesdagen)
        leerling = rng.choice(leerlingen)
        grid = [les["nummer"] for les in ctx.school.lesuren_op(d.isoweekday())]
        lesuur = max(grid) + 1 if soort == "buitenRooster" else grid[0]
        leerling_id: UUID = leerling.leerling_id
        while soort == "onbekendeLeerling" and leerling_id in bekend:
            leerling_id = uuid.UUID(int=rng.getrandbits(128), version=4)
        payload: dict[str, Any] = {
            "bronId": f"9{n:09d}",
            "bron": ctx.school.bron,
            "leerlingId": str(leerling_id),
            "datum": d.isoformat(),
            "lesuurVan": lesuur,
            "lesuurTot": lesuur,
            "soort": "afwezig",
        }
        if soort == "onbekendeRedenCode":
            payload["redenCode"] = "XX"
        teller[0] += 1
        wanneer = moment(d, time(10, rng.randint(0, 59)))
        acties.append(
            Actie(
                "afwezigheid",
                d,
                wanneer,
                ctx.school.sleutel,
                payload,
                teller[0],
                verwachting=soort,
            )
        )
    return acties


def genereer_schooljaar(instellingen: Instellingen | None = None) -> Schooljaar:
    """Pupils and the whole stream of actions; deterministic for equal settings."""
    instellingen = instellingen or Instellingen()
    seed = instellingen.seed
    uitgegeven: set[str] = set()
    teller = [0]
    alle_leerlingen: list[Leerling] = []
    alle_acties: list[Actie] = []
    lesdagen: dict[str, tuple[date, ...]] = {}
    aantallen = {"vo": instellingen.vo_leerlingen, "po": instellingen.po_leerlingen}
    for sleutel, school in SCHOLEN.items():
        rng = random.Random(f"{seed}:leerlingen:{sleutel}")
        leerlingen = genereer_leerlingen(rng, school, aantallen[sleutel], uitgegeven)
        if not leerlingen:
            continue
        klassen = [(ll.klas, ll.leerjaar) for ll in leerlingen]
        ctx = maak_schoolcontext(school, klassen, seed, instellingen.weken)
        acties = _leerlingjaren(ctx, leerlingen, seed, teller)
        records = sum(1 for a in acties if a.kind == "afwezigheid")
        fouten = max(3, round(records * instellingen.foutkans))
        rng_fouten = random.Random(f"{seed}:fouten:{sleutel}")
        acties += _foute_records(ctx, leerlingen, fouten, rng_fouten, teller)
        grens = ctx.lesdagen[-1] + _NALOOP
        alle_acties += [a for a in acties if a.day <= grens]
        alle_leerlingen += leerlingen
        lesdagen[sleutel] = ctx.lesdagen
    alle_acties.sort(key=lambda a: (a.moment, a.volgnummer))
    return Schooljaar(
        instellingen=instellingen,
        scholen=dict(SCHOLEN),
        leerlingen=tuple(alle_leerlingen),
        acties=tuple(alle_acties),
        lesdagen=lesdagen,
    )
