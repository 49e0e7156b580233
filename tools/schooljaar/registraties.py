"""What the driver sends: `Actie` objects, and the per-pupil book that writes them.

An `Actie` carries one HTTP body in the registratie API's camelCase shape. The book
hands out bronIds, keeps one record per lesson slot (D14: records for one slot never
add up, so the generator never sends two for the same slot unless it corrects one) and
stamps every action with the Europe/Amsterdam moment it happens.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from tools.schooljaar.kalenders import Schoolgegevens
from tools.schooljaar.leerlingen import Leerling

__all__ = ["AMSTERDAM", "Actie", "ActieSoort", "Registratieboek", "moment"]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

ActieSoort = Literal[
    "afwezigheid",  # POST one absence record
    "correctie",  # the same bronId again with a new body
    "intrekking",  # withdraw a record (payload: bron, bronId, leerlingId)
    "afmelding",  # a parent's notice (ziek, religieus, vijfjarige)
    "verlofaanvraag",  # a leave request; `sleutel` names it for the decision
    "verlofbesluit",  # the head's decision on the request named by `verwijzing`
]


@dataclass(frozen=True, slots=True)
class Actie:
    """One step of the school year, in the order the driver should send them.

    `verwachting` says what the chain should answer when that is not plain acceptance:
    a rejection reason for a faulty record ("onbekendeLeerling", "buitenRooster",
    "onbekendeRedenCode") or the automatic outcome of a leave request
    ("DENIED:MAX_10_DAYS", "ROUTED_TO_LPA").
    """

    kind: ActieSoort
    day: date
    moment: datetime
    school: str
    payload: dict[str, Any]
    volgnummer: int
    sleutel: str | None = None
    verwijzing: str | None = None
    verwachting: str | None = None


def moment(d: date, tijd: time) -> datetime:
    return datetime.combine(d, tijd, tzinfo=AMSTERDAM)


def _tijd(hhmm: str) -> time:
    return time.fromisoformat(hhmm)


@dataclass
class Registratieboek:
    """Writes one pupil's actions; `teller` numbers actions across the whole run."""

    leerling: Leerling
    school: Schoolgegevens
    rng: random.Random
    teller: list[int]
    acties: list[Actie] = field(default_factory=list)
    bezet: dict[date, set[int]] = field(default_factory=dict)
    _volgende_bron: int = 0
    _leerling_id: str = ""

    def __post_init__(self) -> None:
        self._leerling_id = str(self.leerling.leerling_id)

    def _actie(
        self,
        kind: ActieSoort,
        wanneer: datetime,
        payload: dict[str, Any],
        **extra: str | None,
    ) -> Actie:
        self.teller[0] += 1
        actie = Actie(
            kind,
            wanneer.date(),
            wanneer,
            self.school.sleutel,
            payload,
            self.teller[0],
            **extra,
        )
        self.acties.append(actie)
        return actie

    def _bron_id(self) -> str:
        self._volgende_bron += 1
        return f"{self.leerling.leerlingnummer}{self._volgende_bron:05d}"

    def vrij(self, d: date, lesuren: list[int]) -> list[int]:
        bezet = self.bezet.get(d, set())
        return [lu for lu in lesuren if lu not in bezet]

    def lesbegin(self, d: date, lesuur: int) -> time:
        for les in self.school.lesuren_op(d.isoweekday()):
            if les["nummer"] == lesuur:
                return _tijd(les["begin"])
        raise KeyError(f"no lesuur {lesuur} on {d.isoformat()}")

    def record(
        self,
        d: date,
        lesuren: list[int],
        *,
        code: str | None,
        wanneer: datetime | None = None,
        soort: str = "afwezig",
        minuten: int | None = None,
        opmerking: str | None = None,
    ) -> list[Actie]:
        """One record per free lesson; a teacher registers it just after it starts."""
        acties = []
        for lesuur in self.vrij(d, lesuren):
            self.bezet.setdefault(d, set()).add(lesuur)
            payload: dict[str, Any] = {
                "bronId": self._bron_id(),
                "bron": self.school.bron,
                "leerlingId": self._leerling_id,
                "datum": d.isoformat(),
                "lesuurVan": lesuur,
                "lesuurTot": lesuur,
                "soort": soort,
            }
            if minuten is not None:
                payload["minuten"] = minuten
            if code is not None:
                payload["redenCode"] = code
            if opmerking is not None:
                payload["opmerking"] = opmerking
            registratie = wanneer or moment(
                d,
                (
                    datetime.combine(d, self.lesbegin(d, lesuur))
                    + timedelta(minutes=self.rng.randint(3, 12) + (minuten or 0))
                ).time(),
            )
            acties.append(self._actie("afwezigheid", registratie, payload))
        return acties

    def tijdspanne(
        self, d: date, van: time, tot: time, *, code: str | None, opmerking: str | None
    ) -> Actie | None:
        """A record by wall-clock time (PO: a visit to the dentist mid-morning)."""
        if self.vrij(d, [1]) != [1]:
            return None
        self.bezet.setdefault(d, set()).add(1)
        payload: dict[str, Any] = {
            "bronId": self._bron_id(),
            "bron": self.school.bron,
            "leerlingId": self._leerling_id,
            "van": moment(d, van).isoformat(),
            "tot": moment(d, tot).isoformat(),
            "soort": "afwezig",
        }
        if code is not None:
            payload["redenCode"] = code
        if opmerking is not None:
            payload["opmerking"] = opmerking
        return self._actie("afwezigheid", moment(d, time(8, 20)), payload)

    def corrigeer(self, origineel: Actie, wanneer: datetime, **wijziging: Any) -> Actie:
        """The same bronId with a new body (a code added, absent turned late)."""
        payload = {**origineel.payload, **wijziging}
        payload = {k: v for k, v in payload.items() if v is not None}
        return self._actie("correctie", max(wanneer, origineel.moment), payload)

    def trek_in(self, origineel: Actie, wanneer: datetime) -> Actie:
        payload = {
            "bron": origineel.payload["bron"],
            "bronId": origineel.payload["bronId"],
            "leerlingId": origineel.payload["leerlingId"],
        }
        return self._actie("intrekking", max(wanneer, origineel.moment), payload)

    def afmelding(self, soort: str, van: date, tot: date, ontvangen: datetime) -> Actie:
        payload = {
            "leerlingId": self._leerling_id,
            "soort": soort,
            "van": van.isoformat(),
            "tot": tot.isoformat(),
            "ontvangen": ontvangen.isoformat(),
            "gemeldDoor": "ouder",
        }
        return self._actie("afmelding", ontvangen, payload)

    def verlofaanvraag(
        self,
        soort: str,
        van: date,
        tot: date,
        ingediend: date,
        *,
        werkgeversverklaring: bool = False,
        omstandigheid: str | None = None,
        verwachting: str | None = None,
    ) -> str:
        """File a request; returns the key its decision refers to."""
        sleutel = f"verlof-{self.leerling.leerlingnummer}-{len(self.acties)}"
        payload: dict[str, Any] = {
            "leerlingId": self._leerling_id,
            "soort": soort,
            "van": van.isoformat(),
            "tot": tot.isoformat(),
            "ingediendOp": ingediend.isoformat(),
            "werkgeversverklaring": werkgeversverklaring,
        }
        if omstandigheid is not None:
            payload["omstandigheid"] = omstandigheid
        wanneer = moment(
            ingediend, time(self.rng.randint(8, 15), self.rng.randint(0, 59))
        )
        self._actie(
            "verlofaanvraag", wanneer, payload, sleutel=sleutel, verwachting=verwachting
        )
        return sleutel

    def verlofbesluit(
        self, sleutel: str, op: date, uitkomst: str, reden: str | None, toelichting: str
    ) -> Actie:
        payload: dict[str, Any] = {
            "uitkomst": uitkomst,
            "beslisser": "HEAD",
            "door": "directeur",
            "toelichting": toelichting,
        }
        if reden is not None:
            payload["reden"] = reden
        return self._actie(
            "verlofbesluit", moment(op, time(16, 0)), payload, verwijzing=sleutel
        )
