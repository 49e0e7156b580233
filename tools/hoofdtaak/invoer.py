"""Sending the generated year through registratie's public HTTP API.

Schools are PUT first, then each school's pupils in one `POST /v1/leerlingen/bulk`.
The actions then go in runs: consecutive absence records and corrections as
`POST /v1/afwezigheden/bulk` in chunks of at most 10,000 (part of them rendered as an
SIS file and read back by registratie's importers, `sis.Sisroutes`), parents'
notices as `POST /v1/afmeldingen/bulk` in chunks, leave requests and the head's
decisions one after the other (a decision names the request the service created),
withdrawals concurrently once their record is in.

`Verzender.tellingen` keeps what registratie answered, so the summary can show
records in, corrected, unchanged and rejected, and the checks can tell an expected
rejection (a faulty record the generator made on purpose) from a failure.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from datetime import time as kloktijd
from typing import Any
from uuid import UUID

from tools.hoofdtaak.klant import Ketenklant
from tools.hoofdtaak.sis import Bulkregel, Sisroutes, echte_bestanden
from tools.schooljaar.kalenders import Schoolgegevens
from tools.schooljaar.registraties import Actie
from tools.schooljaar.verzuim import Schooljaar

__all__ = ["MAX_BULK", "Verzender", "Voortgang", "school_body"]

MAX_BULK = 10_000
# Pupils and notices per bulk request: a school's roll, a few days of notices.
MAX_LEERLINGEN = 2_000
MAX_AFMELDINGEN = 1_000
_RECORDS = ("afwezigheid", "correctie")
# Bulk mode: notices and leave first, then the records, withdrawals last.
_BULKVOLGORDE = {
    "afmelding": 0,
    "verlofaanvraag": 0,
    "verlofbesluit": 0,
    "afwezigheid": 1,
    "correctie": 1,
    "intrekking": 2,
}
_BESLUITVELDEN = ("uitkomst", "reden", "beslisser", "toelichting")

Voortgang = Callable[[str, int], None]


def valt_buiten_rooster(school: Schoolgegevens, record: dict[str, Any]) -> bool:
    """A time-span record that meets no lesson of the school that day (a dentist's
    visit on a free Wednesday afternoon): registratie must refuse it."""
    if "van" not in record or "tot" not in record:
        return False
    van = datetime.fromisoformat(record["van"])
    tot = datetime.fromisoformat(record["tot"])
    for les in school.lesuren_op(van.isoweekday()):
        begin = datetime.combine(
            van.date(), kloktijd.fromisoformat(les["begin"]), van.tzinfo
        )
        eind = datetime.combine(
            van.date(), kloktijd.fromisoformat(les["eind"]), van.tzinfo
        )
        if begin < tot and eind > van:
            return False
    return True


def school_body(school: Schoolgegevens) -> dict[str, Any]:
    """The `PUT /v1/scholen/{schoolId}` body of a demo school."""
    return {
        "brin": school.brin,
        "vestiging": school.vestiging,
        "naam": school.naam,
        "sector": school.sector,
        "regio": school.regio,
        "gemeente": school.gemeente,
        "kalender": school.kalender,
        "rooster": school.rooster,
        "redenen": [reden.als_invoer() for reden in school.redenen],
        # Who DUO may call about a melding (made up, like the schools).
        "contactMelder": {
            "naam": f"Verzuimcoördinator {school.naam}",
            "functie": "verzuimcoördinator",
            "email": f"verzuim.{school.brin.lower()}@school.example",
            "telefoon": "0300000000",
        },
    }


@dataclass
class Verzonden:
    """What registratie answered, per kind; `onverwacht` names surprises."""

    tellingen: Counter[str] = field(default_factory=Counter)
    onverwacht: list[str] = field(default_factory=list)


class Verzender:
    def __init__(
        self,
        klant: Ketenklant,
        jaar: Schooljaar,
        school_ids: dict[str, UUID],
        routes: Sisroutes,
        *,
        gelijktijdig: int = 8,
        voortgang: Voortgang | None = None,
    ) -> None:
        self.klant = klant
        self.jaar = jaar
        self.school_ids = school_ids
        self.routes = routes
        self.uitkomst = Verzonden()
        self.duur: Counter[str] = Counter()
        self._slot = asyncio.Semaphore(gelijktijdig)
        self._voortgang = voortgang or (lambda taak, aantal: None)
        # (school, generator bronId) -> the afwezigheid ids registratie made for it
        self._afwezigheden: dict[tuple[str, str], set[str]] = {}
        # leave request key -> the id registratie gave the request
        self._aanvragen: dict[str, str] = {}

    @property
    def tellingen(self) -> Counter[str]:
        return self.uitkomst.tellingen

    # --- schools and pupils ---------------------------------------------------------

    async def scholen(self) -> None:
        for sleutel, school_id in self.school_ids.items():
            school = self.jaar.scholen[sleutel]
            await self.klant.verzoek(
                "registratie",
                "PUT",
                f"/v1/scholen/{school_id}",
                json=school_body(school),
            )

    async def leerlingen(self) -> None:
        """Each school's pupils in bulk, all schools at once; every pupil must be
        accepted (the generator makes no faulty pupil)."""

        async def van_school(sleutel: str) -> None:
            lijst = []
            for leerling in self.jaar.leerlingen_van(sleutel):
                body = leerling.als_invoer(self.school_ids[sleutel])
                body["klas"] = body.pop("groep")
                lijst.append({**body, "leerlingId": str(leerling.leerling_id)})
            for begin in range(0, len(lijst), MAX_LEERLINGEN):
                deel = lijst[begin : begin + MAX_LEERLINGEN]
                antwoord = await self.klant.verzoek(
                    "registratie",
                    "POST",
                    "/v1/leerlingen/bulk",
                    json={"leerlingen": deel},
                    opnieuw_bij=(409,),
                )
                for resultaat in antwoord.json()["resultaten"]:
                    if resultaat["status"] != "accepted":
                        self.uitkomst.onverwacht.append(
                            f"pupil {resultaat['leerlingId']} {resultaat['status']}: "
                            f"{resultaat.get('veld')}: {resultaat.get('reden')}"
                        )
                self._voortgang("leerlingen", len(deel))

        await asyncio.gather(*(van_school(s) for s in self.school_ids))

    async def echte_bestanden(self) -> None:
        """The real Eduarte sample files, mapped to made-up pupils of this run."""
        regels = echte_bestanden(self.jaar, self.routes)
        if regels:
            await self._bulk("eduarte-voorbeeld", regels)

    def importfouten(self) -> None:
        """Rows an importer refused: expected for the real file's faulty row, a
        failure for anything the generator rendered."""
        for fout in self.routes.importfouten:
            if fout.verwacht:
                self.tellingen["importfouten_verwacht"] += 1
            else:
                self.tellingen["importfouten"] += 1
                self.uitkomst.onverwacht.append(
                    f"{fout.route} importer refused {fout.oorsprong}: {fout.reden}"
                )
        self.routes.importfouten.clear()

    # --- actions --------------------------------------------------------------------

    @staticmethod
    def bulkvolgorde(acties: Sequence[Actie]) -> list[Actie]:
        """The backfill order: stable, so corrections stay after their record."""
        return sorted(acties, key=lambda a: _BULKVOLGORDE[a.kind])

    async def stuur(self, acties: Sequence[Actie]) -> None:
        """Send actions in order, batching each run of one kind; `duur` keeps the
        seconds spent per kind."""
        for soort, run in _runs(acties):
            begin = time.perf_counter()
            await self._stuur_run(soort, run)
            self.duur[soort] += time.perf_counter() - begin

    async def _stuur_run(self, soort: str, run: list[Actie]) -> None:
        if soort == "records":
            await self._records(run)
        elif soort == "afmelding":
            for begin in range(0, len(run), MAX_AFMELDINGEN):
                await self._afmeldingen(run[begin : begin + MAX_AFMELDINGEN])
        elif soort == "intrekking":
            await self._gelijktijdig(self._intrekking(a) for a in run)
        else:
            for actie in run:
                await self._verlof(actie)

    async def _records(self, acties: Sequence[Actie]) -> None:
        for route, regels in self.routes.verdeel(acties).items():
            for begin in range(0, len(regels), MAX_BULK):
                await self._bulk(route, regels[begin : begin + MAX_BULK])
        self._voortgang("records", len(acties))

    async def _bulk(self, route: str, regels: Sequence[Bulkregel]) -> None:
        antwoord = await self.klant.verzoek(
            "registratie",
            "POST",
            "/v1/afwezigheden/bulk",
            json={"afwezigheden": [r.body for r in regels]},
        )
        resultaten = antwoord.json()["resultaten"]
        for regel, resultaat in zip(regels, resultaten, strict=True):
            self.verwerk_resultaat(route, regel, resultaat)

    def verwerk_resultaat(
        self, route: str, regel: Bulkregel, resultaat: dict[str, Any]
    ) -> None:
        status = resultaat["status"]
        self.tellingen[f"records_{status}"] += 1
        self.tellingen[f"route_{route}"] += 1
        if status != "rejected":
            if resultaat.get("afwezigheidId"):
                sleutel = (regel.school, regel.oorsprong)
                self._afwezigheden.setdefault(sleutel, set()).add(
                    resultaat["afwezigheidId"]
                )
            if regel.verwachting is not None:
                self.uitkomst.onverwacht.append(
                    f"record {regel.oorsprong} accepted, expected {regel.verwachting}"
                )
        elif regel.verwachting is not None:
            self.tellingen["records_verwacht_afgewezen"] += 1
        elif valt_buiten_rooster(self.jaar.scholen[regel.school], regel.body):
            self.tellingen["records_verwacht_afgewezen"] += 1
            self.tellingen["records_buiten_rooster"] += 1
        else:
            self.uitkomst.onverwacht.append(
                f"record {regel.oorsprong} ({route}) rejected: "
                f"{resultaat.get('veld')}: {resultaat.get('reden')}"
            )

    async def _afmeldingen(self, acties: Sequence[Actie]) -> None:
        antwoord = await self.klant.verzoek(
            "registratie",
            "POST",
            "/v1/afmeldingen/bulk",
            json={"afmeldingen": [actie.payload for actie in acties]},
            opnieuw_bij=(409,),
        )
        resultaten = antwoord.json()["resultaten"]
        for actie, resultaat in zip(acties, resultaten, strict=True):
            if resultaat["status"] == "accepted":
                self.tellingen["afmeldingen"] += 1
            else:
                self.uitkomst.onverwacht.append(
                    f"notice for {actie.payload.get('leerlingId')} rejected: "
                    f"{resultaat.get('veld')}: {resultaat.get('reden')}"
                )
        self._voortgang("meldingen", len(acties))

    async def _verlof(self, actie: Actie) -> None:
        if actie.kind == "verlofaanvraag":
            antwoord = await self.klant.verzoek(
                "registratie", "POST", "/v1/verlofaanvragen", json=actie.payload
            )
            gegevens = antwoord.json()
            assert actie.sleutel is not None
            self._aanvragen[actie.sleutel] = gegevens["verlofaanvraagId"]
            self.tellingen["verlofaanvragen"] += 1
            self.tellingen[f"verlof_{gegevens['uitkomst']}"] += 1
            verwacht = (actie.verwachting or "").partition(":")[0]
            if verwacht and gegevens["uitkomst"] != verwacht:
                self.uitkomst.onverwacht.append(
                    f"leave request {actie.sleutel}: {gegevens['uitkomst']}, "
                    f"expected {actie.verwachting}"
                )
        else:
            aanvraag = self._aanvragen.get(actie.verwijzing or "")
            if aanvraag is None:
                self.uitkomst.onverwacht.append(
                    f"decision on unknown request {actie.verwijzing}"
                )
                return
            body = {k: v for k, v in actie.payload.items() if k in _BESLUITVELDEN}
            await self.klant.verzoek(
                "registratie",
                "POST",
                f"/v1/verlofaanvragen/{aanvraag}/besluit",
                json=body,
                verwacht=(200, 409),
            )
            self.tellingen["verlofbesluiten"] += 1
        self._voortgang("meldingen", 1)

    async def _intrekking(self, actie: Actie) -> None:
        sleutel = (actie.school, actie.payload["bronId"])
        for afwezigheid_id in sorted(self._afwezigheden.get(sleutel, ())):
            await self.klant.verzoek(
                "registratie", "DELETE", f"/v1/afwezigheden/{afwezigheid_id}"
            )
            self.tellingen["records_ingetrokken"] += 1
        if sleutel not in self._afwezigheden:
            self.uitkomst.onverwacht.append(f"withdrawal of unknown record {sleutel}")

    async def _gelijktijdig(self, werk: Iterable[Awaitable[None]]) -> None:
        async def begrensd(taak: Awaitable[None]) -> None:
            async with self._slot:
                await taak

        await asyncio.gather(*(begrensd(taak) for taak in werk))


def _runs(acties: Sequence[Actie]) -> list[tuple[str, list[Actie]]]:
    """Consecutive actions of one kind (records and corrections are one kind)."""
    runs: list[tuple[str, list[Actie]]] = []
    for actie in acties:
        soort = "records" if actie.kind in _RECORDS else actie.kind
        if soort.startswith("verlof"):
            soort = "verlof"
        if runs and runs[-1][0] == soort:
            runs[-1][1].append(actie)
        else:
            runs.append((soort, [actie]))
    return runs
