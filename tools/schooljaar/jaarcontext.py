"""What the absence behaviours need to know: the school's year and one pupil's year."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from leerplicht.kalender import SchoolKalender
from tools.schooljaar.kalenders import Schoolgegevens, als_schoolkalender
from tools.schooljaar.leerlingen import Leerling
from tools.schooljaar.registraties import Registratieboek

__all__ = ["Leerlingjaar", "Schoolcontext", "maak_schoolcontext", "poisson"]

# Illness peaks in the flu season (December - February).
_ZIEKTE_PER_MAAND = {
    8: 0.7, 9: 0.7, 10: 0.9, 11: 1.1, 12: 1.6, 1: 1.9, 2: 1.6, 3: 1.1, 4: 0.8,
    5: 0.7, 6: 0.6, 7: 0.5,
}  # fmt: skip
_WINTER = (11, 12, 1, 2)


def poisson(rng: random.Random, verwachting: float) -> int:
    """A Poisson draw (Knuth); the expectations used here stay small."""
    if verwachting <= 0:
        return 0
    grens = math.exp(-verwachting)
    aantal, product = 0, rng.random()
    while product > grens:
        aantal += 1
        product *= rng.random()
    return aantal


@dataclass(frozen=True)
class Schoolcontext:
    """One school's lesdagen in the generated range and its class timetables."""

    school: Schoolgegevens
    kalender: SchoolKalender
    lesdagen: tuple[date, ...]
    fractie: float  # share of the full school year generated (scales every rate)
    ziekte_cum: tuple[float, ...]
    laat_cum: tuple[float, ...]
    klasroosters: dict[str, dict[int, tuple[int, ...]]]
    index: dict[date, int]
    # Per vacation: up to 5 lesdagen just before it and just after it.
    vakantiegrenzen: tuple[tuple[tuple[date, ...], tuple[date, ...]], ...]


def _vakantiegrenzen(
    kalender: SchoolKalender, lesdagen: tuple[date, ...]
) -> tuple[tuple[tuple[date, ...], tuple[date, ...]], ...]:
    grenzen = []
    for i in range(1, len(lesdagen)):
        if kalender.is_vakantiedag(lesdagen[i - 1] + timedelta(days=1)):
            grenzen.append((lesdagen[max(0, i - 5) : i], lesdagen[i : i + 5]))
    if lesdagen and kalender.is_vakantiedag(lesdagen[-1] + timedelta(days=3)):
        # The summer vacation follows the last generated lesdag.
        grenzen.append((lesdagen[-5:], ()))
    return tuple(grenzen)


def _klasrooster(
    rng: random.Random, school: Schoolgegevens, leerjaar: int
) -> dict[int, tuple[int, ...]]:
    """Which lesuren of the school grid a class has, per ISO weekday."""
    rooster: dict[int, tuple[int, ...]] = {}
    for dag in range(1, 6):
        nummers = [les["nummer"] for les in school.lesuren_op(dag)]
        if school.sector == "po":
            rooster[dag] = tuple(nummers)
            continue
        eerste = 1 if rng.random() < 0.8 else 2
        langste = max(nummers)
        laatste = (
            langste - rng.randint(1, 2)
            if leerjaar <= 2
            else langste - rng.randint(0, 1)
        )
        rooster[dag] = tuple(range(eerste, max(eerste + 3, laatste) + 1))
    return rooster


def maak_schoolcontext(
    school: Schoolgegevens, klassen: list[tuple[str, int]], seed: int, weken: int | None
) -> Schoolcontext:
    """The school's context; `weken` limits the run to that many calendar weeks."""
    kalender = als_schoolkalender(school.kalender)
    eerste = date.fromisoformat(school.kalender["eersteSchooldag"])
    laatste_vakantie = max(
        date.fromisoformat(v["van"]) for v in school.kalender["vakanties"]
    )
    einde_jaar = laatste_vakantie - timedelta(days=1)
    einde = (
        einde_jaar
        if weken is None
        else min(einde_jaar, eerste + timedelta(weeks=weken) - timedelta(days=1))
    )
    jaar = kalender.lesdagen(eerste, einde_jaar)
    lesdagen = tuple(kalender.lesdagen(eerste, einde))
    ziekte = [_ZIEKTE_PER_MAAND[d.month] for d in lesdagen]
    laat = [
        (1.6 if d.isoweekday() == 1 else 1.0) * (1.4 if d.month in _WINTER else 1.0)
        for d in lesdagen
    ]
    roosters = {
        klas: _klasrooster(random.Random(f"{seed}:rooster:{klas}"), school, leerjaar)
        for klas, leerjaar in sorted(set(klassen))
    }
    return Schoolcontext(
        school=school,
        kalender=kalender,
        lesdagen=lesdagen,
        fractie=len(lesdagen) / len(jaar),
        ziekte_cum=tuple(accumulate(ziekte)),
        laat_cum=tuple(accumulate(laat)),
        klasroosters=roosters,
        index={d: i for i, d in enumerate(lesdagen)},
        vakantiegrenzen=_vakantiegrenzen(kalender, lesdagen),
    )


@dataclass
class Leerlingjaar:
    """One pupil's school year while the behaviours fill in the book."""

    ctx: Schoolcontext
    leerling: Leerling
    boek: Registratieboek
    rng: random.Random

    def code(self, categorie: str) -> str | None:
        return self.ctx.school.code_voor(categorie)

    def is_ingeschreven(self, d: date) -> bool:
        return d >= self.leerling.inschrijving_vanaf

    def lessen(self, d: date) -> list[int]:
        return list(self.ctx.klasroosters[self.leerling.klas].get(d.isoweekday(), ()))

    def aantal(self, per_jaar: float) -> int:
        """How often a thing expected `per_jaar` times a year happens in this run."""
        return poisson(self.rng, per_jaar * self.ctx.fractie)

    def trek_dag(self, cum: tuple[float, ...] | None = None) -> int | None:
        """A lesdag index, weighted; None when the pupil is not enrolled on it."""
        if not self.ctx.lesdagen:
            return None
        if cum is None:
            i = self.rng.randrange(len(self.ctx.lesdagen))
        else:
            i = self.rng.choices(range(len(cum)), cum_weights=cum)[0]
        return i if self.is_ingeschreven(self.ctx.lesdagen[i]) else None

    def reeks(self, start: int, lengte: int) -> list[date]:
        """`lengte` lesdagen from index `start`, stopping at a vacation."""
        dagen = [self.ctx.lesdagen[start]]
        for d in self.ctx.lesdagen[start + 1 : start + lengte]:
            if (d - dagen[-1]).days > 4:
                break
            dagen.append(d)
        return dagen

    def index(self, d: date) -> int | None:
        return self.ctx.index.get(d)
