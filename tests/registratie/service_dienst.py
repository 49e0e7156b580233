"""Registratie as it runs in production, on the real embedded broker.

Store, relay, daily job and HTTP app come from `SPEC` through the platform runtime;
only the HTTP transport is in-process. All schools, pupils and numbers are made up:
BSNs are constructed test values that pass the eleven test.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition

from contracts.envelope import ContractEvent, decode
from contracts.registratie import VerzuimdagBijgewerkt
from contracts.topics import REGISTRATIE
from leerplicht.fixtures import TC_2425
from leerplicht.kalender import Periode, SchoolKalender
from plumbing.clock import FileClock
from plumbing.runtime import ServiceRuntime
from plumbing.security.apikeys import ApiKeyStore
from plumbing.security.callers import Rol
from services.registratie.domain.school import school_id_voor
from services.registratie.herbeoordeling import HERBEOORDELING_ID
from services.registratie.service import SPEC, Settings
from services.registratie.service_app import RegistratieDienst
from tests.conftest import nieuw_bsn

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def _als_body(kalender: SchoolKalender) -> dict[str, Any]:
    def perioden(lijst: Iterable[Periode]) -> list[dict[str, str]]:
        return [{"van": p.van.isoformat(), "tot": p.tot.isoformat()} for p in lijst]

    assert kalender.eerste_schooldag is not None
    return {
        "eersteSchooldag": kalender.eerste_schooldag.isoformat(),
        "vakanties": perioden(kalender.vakanties),
        "vrijeDagen": perioden(kalender.vrije_dagen),
        "studiedagen": perioden(kalender.studiedagen),
    }


KALENDER_2425 = _als_body(TC_2425)

# TC-2526 (rules.md section 9).
KALENDER_2526: dict[str, Any] = {
    "eersteSchooldag": "2025-09-01",
    "vakanties": [
        {"van": "2025-10-18", "tot": "2025-10-26"},
        {"van": "2025-12-20", "tot": "2026-01-04"},
        {"van": "2026-02-14", "tot": "2026-02-22"},
        {"van": "2026-04-18", "tot": "2026-05-03"},
        {"van": "2026-07-18", "tot": "2026-08-30"},
    ],
    "vrijeDagen": [
        {"van": d, "tot": d}
        for d in (
            "2026-04-03",
            "2026-04-06",
            "2026-05-05",
            "2026-05-14",
            "2026-05-15",
            "2026-05-25",
        )
    ],
    "studiedagen": [{"van": "2025-11-12", "tot": "2025-11-12"}],
}


def _lessen(aantal: int, minuten: int) -> list[dict[str, Any]]:
    """Back-to-back lessons from 08:30."""
    lessen = []
    begin = 8 * 60 + 30
    for nummer in range(1, aantal + 1):
        eind = begin + minuten
        lessen.append(
            {
                "nummer": nummer,
                "begin": f"{begin // 60:02d}:{begin % 60:02d}",
                "eind": f"{eind // 60:02d}:{eind % 60:02d}",
            }
        )
        begin = eind
    return lessen


# VO: 8 lesuren of 50 minutes (T1 needs eight); PO: 5 klokuren every weekday.
ROOSTER_VO = {"lesuren": {str(d): _lessen(8, 50) for d in range(1, 6)}}
ROOSTER_PO = {"lesuren": {str(d): _lessen(5, 60) for d in range(1, 6)}}

REDENEN = [
    {"code": "A", "categorie": "ongeoorloofd", "geoorloofd": False},
    {"code": "ZI", "categorie": "ziek", "geoorloofd": True},
    {"code": "L", "categorie": "luxeverzuim", "geoorloofd": False, "luxe": True},
    {"code": "TL", "categorie": "te_laat", "geoorloofd": False, "soort": "te_laat"},
]
CONTACT = {
    "naam": "T. Testmelder",
    "functie": "verzuimcoördinator",
    "email": "melder@school.example",
}
# Constructed test values that pass the eleven test; never issued numbers.
BSN = "999990019"
ONDERWIJSNUMMER = "101234564"


def school_body(brin: str, sector: str = "vo", **extra: Any) -> dict[str, Any]:
    return {
        "brin": brin,
        "vestiging": "00",
        "naam": f"Testschool {brin}",
        "sector": sector,
        "regio": "midden",
        "gemeente": "0344",
        "kalender": KALENDER_2526,
        "rooster": ROOSTER_VO if sector == "vo" else ROOSTER_PO,
        "redenen": REDENEN,
        "contactMelder": CONTACT,
        **extra,
    }


class Dienst:
    """One registratie service with two schools: A (VO) and B (PO)."""

    def __init__(self, broker: str, data_dir: Path, prefix: str) -> None:
        self.prefix = prefix
        self.broker = broker
        self.klok_pad = data_dir / "klok.txt"
        self.settings = Settings(
            verzuim_data_dir=data_dir,
            kafka_bootstrap_servers=broker,
            kafka_topic_prefix=prefix,
            kafka_partitions=3,
            relay_poll_seconds=0.05,
            verzuim_klok=f"file:{self.klok_pad}",
            verzuim_rate_limit_per_second=10_000,
            verzuim_rate_limit_burst=10_000,
            registratie_dagtaak_seconden=0.05,
        )
        self.school_a = school_id_voor("99ZZ", "00")
        self.school_b = school_id_voor("99ZY", "00")
        self.school_c = school_id_voor("98XX", "00")
        self.runtime: ServiceRuntime | None = None
        self.http: httpx.AsyncClient | None = None
        self.als_sis: dict[str, str] = {}
        self._lifespan: contextlib.AbstractAsyncContextManager[Any] | None = None
        self._lezer: AIOKafkaConsumer | None = None
        self.ruw: list[bytes] = []

    def zet_klok(self, moment: datetime | date) -> None:
        if not isinstance(moment, datetime):
            moment = datetime.combine(moment, time(12), tzinfo=AMSTERDAM)
        FileClock.write(self.klok_pad, moment)

    async def start(self, vandaag: date = date(2025, 11, 20)) -> None:
        self.zet_klok(vandaag)
        self.runtime = ServiceRuntime(SPEC, self.settings)
        app = self.runtime.fastapi_app()
        self._lifespan = app.router.lifespan_context(app)
        await self._lifespan.__aenter__()
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://registratie/v1",
            timeout=60,
        )
        _, self.als_sis = self.sleutel(
            [self.school_a, self.school_b], Rol.SIS, Rol.SCHOOLLEIDER, naam="sis"
        )

    async def stop(self) -> None:
        if self._lezer is not None:
            await self._lezer.stop()
        if self.http is not None:
            await self.http.aclose()
        if self._lifespan is not None:
            await self._lifespan.__aexit__(None, None, None)

    @property
    def app(self) -> RegistratieDienst:
        assert self.runtime is not None
        app = self.runtime.require_app()
        assert isinstance(app, RegistratieDienst)
        return app

    def opgeslagen(self) -> int:
        """How many events the store holds, leaving out the daily job's bookmark
        (it moves whenever the clock passes a day, whatever the test does)."""
        notificaties = self.app.recorder.select_notifications(1, 1_000_000)
        return sum(
            1 for n in notificaties if UUID(str(n.originator_id)) != HERBEOORDELING_ID
        )

    def sleutel(
        self, scholen: Iterable[UUID], *rollen: Rol, naam: str = "test"
    ) -> tuple[str, dict[str, str]]:
        """A new API key: (the caller id it records, the request headers)."""
        store = ApiKeyStore.from_settings(self.settings)
        try:
            key, tekst = store.create(
                naam=naam,
                bestuur="bestuur-test",
                scholen=[str(s) for s in scholen],
                rollen=rollen,
            )
        finally:
            store.close()
        return f"apikey:{key.key_id}", {"Authorization": f"Bearer {tekst}"}

    # -- requests ------------------------------------------------------------------

    async def verzoek(
        self, methode: str, pad: str, body: Any = None, status: int | None = None
    ) -> httpx.Response:
        assert self.http is not None
        antwoord = await self.http.request(
            methode, pad, json=body, headers=self.als_sis
        )
        if status is not None:
            assert antwoord.status_code == status, antwoord.text
        return antwoord

    async def scholen(self) -> None:
        """Two schools, each with the calendars of 2024-25 and 2025-26."""
        for school_id, brin, sector in (
            (self.school_a, "99ZZ", "vo"),
            (self.school_b, "99ZY", "po"),
        ):
            pad = f"/scholen/{school_id}"
            vorig_jaar = school_body(brin, sector, kalender=KALENDER_2425)
            await self.verzoek("PUT", pad, vorig_jaar, status=201)
            await self.verzoek("PUT", pad, school_body(brin, sector), status=200)

    async def leerling(
        self,
        school_id: UUID,
        geboortedatum: str = "2011-03-10",
        pgn: str | None = None,
        **extra: Any,
    ) -> UUID:
        leerling_id = uuid4()
        body = {
            "schoolId": str(school_id),
            "geboortedatum": geboortedatum,
            "pgn": pgn or nieuw_bsn(),
            "woongemeente": "0344",
            "inschrijvingVanaf": "2024-08-01",
            **extra,
        }
        await self.verzoek("PUT", f"/leerlingen/{leerling_id}", body, status=201)
        return leerling_id

    async def afwezig(
        self, leerling_id: UUID, bron_id: str, status: int = 201, **velden: Any
    ) -> dict[str, Any]:
        body = {"bron": "somtoday", "bronId": bron_id, "leerlingId": str(leerling_id)}
        antwoord = await self.verzoek("POST", "/afwezigheden", body | velden, status)
        return dict(antwoord.json())

    async def slots(
        self, leerling_id: UUID, van: str, tot: str | None = None
    ) -> dict[tuple[str, int], dict[str, Any]]:
        """{(datum, lesuur): slot} of a pupil in a period."""
        antwoord = await self.verzoek(
            "GET",
            f"/leerlingen/{leerling_id}/verzuimdagen?van={van}&tot={tot or van}",
            status=200,
        )
        return {
            (dag["datum"], slot["lesuur"]): slot
            for dag in antwoord.json()["dagen"]
            for slot in dag["slots"]
        }

    # -- the topic -----------------------------------------------------------------

    async def gepubliceerd(self) -> list[ContractEvent]:
        """Everything registratie published on its topic so far (raw in `ruw`)."""
        if self._lezer is None:
            lezer = AIOKafkaConsumer(
                bootstrap_servers=self.broker,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
                fetch_max_wait_ms=100,
            )
            await lezer.start()
            topic = f"{self.prefix}{REGISTRATIE}"
            await lezer.topics()
            partities = lezer.partitions_for_topic(topic) or set()
            lezer.assign([TopicPartition(topic, p) for p in partities])
            self._lezer = lezer
        batches = await self._lezer.getmany(timeout_ms=200)
        for records in batches.values():
            self.ruw.extend(record.value for record in records)
        return [decode(waarde)[1] for waarde in self.ruw]

    async def wacht_op(
        self, check: Callable[[list[ContractEvent]], Any], timeout: float = 30.0
    ) -> Any:
        """Read the topic until `check(events)` gives something truthy."""

        async def gelezen() -> Any:
            return check(await self.gepubliceerd())

        return await wacht_tot(gelezen, timeout)


def per_slot(events: Iterable[ContractEvent]) -> list[ContractEvent]:
    """The events in order, each pupil-day's message as its per-slot events: what a
    consumer's per-slot logic is fed."""
    return [
        slot
        for event in events
        for slot in (
            event.per_slot() if isinstance(event, VerzuimdagBijgewerkt) else (event,)
        )
    ]


async def wacht_tot(check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll an async or sync check until it returns something truthy."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        uitkomst = check()
        if asyncio.iscoroutine(uitkomst):
            uitkomst = await uitkomst
        if uitkomst:
            return uitkomst
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.05)


def probleem(antwoord: httpx.Response, status: int) -> dict[str, Any]:
    """The problem+json body of an error answer, checked for status and type."""
    assert antwoord.status_code == status, antwoord.text
    assert antwoord.headers["content-type"] == "application/problem+json"
    inhoud: dict[str, Any] = antwoord.json()
    assert inhoud["status"] == status
    return inhoud


def velden(inhoud: dict[str, Any]) -> list[str]:
    """The names of the invalid fields a problem names."""
    return [p["name"] for p in inhoud.get("invalidParams", [])]
