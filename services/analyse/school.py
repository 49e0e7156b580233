"""The school as analyse knows it: calendar, timetable, policy, sector and its pupils.

`School` is stored from `SchoolGeregistreerd` (full state each time; an unchanged
repeat stores nothing). A pupil can arrive before its school, since school and pupil
events travel under different keys, so a school may exist as a bare placeholder that
only lists its pupils until the registration arrives. `schoolcontext` turns the stored
plain data into the domain's `Schoolcontext`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Mapping
from datetime import date, time
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from contracts.registratie import SchoolGeregistreerd
from leerplicht.kalender import Periode, SchoolKalender
from leerplicht.rooster import Lesuur, Rooster
from plumbing.copies import with_new_containers
from plumbing.identifiers import name_based_id
from services.analyse.domain.aggregate import Schoolcontext
from services.analyse.domain.model import (
    ACTIE_BRIEF,
    ACTIE_GESPREK_OUDERS,
    ACTIE_HERHAALMELDING,
    ACTIE_MELDING_OVERIG,
    Beleid,
    LateScope,
    Sector,
    Trede,
)

__all__ = ["School", "Schoolcontexten", "beleid_uit", "sector_uit"]

logger = logging.getLogger(__name__)

_NAMESPACE = UUID("0b3c4e52-1f7a-4d8e-9c61-5a2e8f4b7d10")

# The lateness ladder's actions as registratie names them (rules section 7 default
# "3:talk, 6:letter, 9:report_overig, 12:report_again") and as analyse does. S23:
# the report at the 9th late arrival goes together with a letter to the parents.
_LADDERACTIES: dict[str, tuple[str, ...]] = {
    "talk": (ACTIE_GESPREK_OUDERS,),
    "letter": (ACTIE_BRIEF,),
    "report_overig": (ACTIE_MELDING_OVERIG, ACTIE_BRIEF),
    "report_again": (ACTIE_HERHAALMELDING,),
    ACTIE_GESPREK_OUDERS: (ACTIE_GESPREK_OUDERS,),
    ACTIE_BRIEF: (ACTIE_BRIEF,),
    ACTIE_MELDING_OVERIG: (ACTIE_MELDING_OVERIG,),
    ACTIE_HERHAALMELDING: (ACTIE_HERHAALMELDING,),
}

# Policy keys on the wire (camelCase) and the `Beleid` fields they set.
_GETALLEN = {
    "mazlFrequentCount": "mazl_aantal_episodes",
    "mazlFrequentWindowWeeks": "mazl_lesweken",
    "mazlConsecutiveSchoolDays": "mazl_aaneengesloten_lesdagen",
    "herhaalmeldingDagen": "herhaalmelding_dagen",
    "achterstalligDagen": "achterstallig_dagen",
}


class School(Aggregate):
    def __deepcopy__(self, memo: dict[int, object]) -> School:
        return with_new_containers(self)  # nested values are never changed in place

    @staticmethod
    def create_id(school_id: str) -> UUID:
        return name_based_id(_NAMESPACE, f"school/{school_id}")

    @event("Aangemaakt")
    def __init__(self, school_id: str) -> None:
        self.school_id = school_id
        self.gegevens: dict[str, Any] | None = None
        # Increases with every change of the registration only; keys the context cache.
        self.inhoudsversie = 0
        self.leerlingen: set[str] = set()

    @property
    def is_geregistreerd(self) -> bool:
        return self.gegevens is not None

    def registreer(self, bericht: SchoolGeregistreerd) -> bool:
        """Store the registration; True when it differs from what was stored."""
        gegevens = {
            "sector": bericht.sector,
            "kalender": bericht.kalender.model_dump(mode="json"),
            "rooster": bericht.rooster.model_dump(mode="json"),
            "beleid": dict(bericht.beleid),
        }
        if gegevens == self.gegevens:
            return False
        self._vastgesteld(gegevens)
        return True

    @event("Vastgesteld")
    def _vastgesteld(self, gegevens: dict[str, Any]) -> None:
        self.gegevens = gegevens
        self.inhoudsversie += 1

    def meld_aan(self, leerling_id: str) -> None:
        if leerling_id not in self.leerlingen:
            self._aangemeld(leerling_id)

    @event("LeerlingAangemeld")
    def _aangemeld(self, leerling_id: str) -> None:
        self.leerlingen.add(leerling_id)

    def meld_af(self, leerling_id: str) -> None:
        if leerling_id in self.leerlingen:
            self._afgemeld(leerling_id)

    @event("LeerlingAfgemeld")
    def _afgemeld(self, leerling_id: str) -> None:
        self.leerlingen.discard(leerling_id)


def _perioden(data: Iterable[Mapping[str, str]]) -> tuple[Periode, ...]:
    return tuple(
        Periode(date.fromisoformat(p["van"]), date.fromisoformat(p["tot"]))
        for p in data
    )


def kalender_uit(data: Mapping[str, Any]) -> SchoolKalender:
    eerste = data.get("eerste_schooldag")
    return SchoolKalender(
        vakanties=_perioden(data.get("vakanties", ())),
        vrije_dagen=_perioden(data.get("vrije_dagen", ())),
        studiedagen=_perioden(data.get("studiedagen", ())),
        eerste_schooldag=date.fromisoformat(eerste) if eerste else None,
    )


def rooster_uit(data: Mapping[str, Any], lesdagen: Iterable[int] | None) -> Rooster:
    """The school's timetable, limited to the pupil's own lesdagen (e.g. MBO BBL)."""
    dagen = set(lesdagen) if lesdagen is not None else None
    return Rooster(
        {
            int(weekdag): tuple(
                Lesuur(
                    les["nummer"],
                    time.fromisoformat(les["begin"]),
                    time.fromisoformat(les["eind"]),
                )
                for les in lessen
            )
            for weekdag, lessen in data["lesuren"].items()
            if dagen is None or int(weekdag) in dagen
        }
    )


def _ladder(data: Any) -> tuple[Trede, ...]:
    tredes = []
    for aantal, acties in data:
        namen = [acties] if isinstance(acties, str) else list(acties)
        codes: list[str] = []
        for naam in namen:
            codes += [c for c in _LADDERACTIES[naam] if c not in codes]
        tredes.append(Trede(int(aantal), tuple(codes)))
    return tuple(sorted(tredes, key=lambda t: t.aantal))


def beleid_uit(data: Mapping[str, Any]) -> Beleid:
    """The school's policy as the engine reads it; a value it cannot read keeps the
    default of rules section 7 (policy is never a reason to stop analysing)."""
    velden: dict[str, Any] = {}
    pogingen = {
        "melden18PlusBij16Uur": ("melden_18plus_bij_16_uur", bool),
        "lateLadder": ("te_laat_ladder", _ladder),
        "lateScope": ("te_laat_scope", LateScope),
        "signaalverzuimMinuten": (
            "signaalverzuim_minuten",
            lambda v: None if v is None else int(v),
        ),
        **{k: (veld, int) for k, veld in _GETALLEN.items()},
    }
    for sleutel, (veld, lees) in pogingen.items():
        if sleutel not in data:
            continue
        try:
            velden[veld] = lees(data[sleutel])
        except (KeyError, TypeError, ValueError):
            logger.warning(
                "school policy value not understood; default kept",
                extra={"beleid": sleutel},
            )
    return Beleid(**velden)


def sector_uit(gegevens: Mapping[str, Any]) -> Sector:
    return Sector(str(gegevens["sector"]).upper())


class Schoolcontexten:
    """The domain's `Schoolcontext` per school and pupil timetable, built once.

    Keyed by the school's content version, so a changed registration is never
    served from the cache. Pupils with the same lesdagen share one object; its
    calendar keeps its own caches of lesdagen and window positions warm.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scholen: dict[tuple[str, int], tuple[SchoolKalender, Beleid]] = {}
        self._contexten: dict[
            tuple[str, int, tuple[int, ...] | None], Schoolcontext
        ] = {}

    def voor(self, school: School, lesdagen: tuple[int, ...] | None) -> Schoolcontext:
        if school.gegevens is None:
            raise ValueError("school zonder registratie heeft geen context")
        sleutel = (school.school_id, school.inhoudsversie, lesdagen)
        with self._lock:
            context = self._contexten.get(sleutel)
            if context is not None:
                return context
            basis = self._scholen.get(sleutel[:2])
            if basis is None:
                self._vergeet(school.school_id)
                basis = (
                    kalender_uit(school.gegevens["kalender"]),
                    beleid_uit(school.gegevens["beleid"]),
                )
                self._scholen[sleutel[:2]] = basis
            context = Schoolcontext(
                kalender=basis[0],
                rooster=rooster_uit(school.gegevens["rooster"], lesdagen),
                beleid=basis[1],
            )
            self._contexten[sleutel] = context
            return context

    def _vergeet(self, school_id: str) -> None:
        for sleutel in [k for k in self._scholen if k[0] == school_id]:
            del self._scholen[sleutel]
        for sleutel in [k for k in self._contexten if k[0] == school_id]:
            del self._contexten[sleutel]
