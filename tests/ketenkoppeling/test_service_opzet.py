"""The set-up the service tests share: the real service on the real embedded broker,
talking over a socket to the real DUO stand-in, in one process.

The stand-in runs on a hand-moved clock, and the service's runtime clock follows the
same clock, so a test moves "DUO time" and "service time" together (fast time). Test
data is fabricated: constructed test BSNs, BRIN 99XX, gemeente 0599.
This module holds no tests of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import itertools
import time
from collections.abc import AsyncIterator, Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from contracts.analyse import MeldplichtVastgesteld
from contracts.common import Contactpersoon, Kalender, Rooster, Verzuimdag
from contracts.envelope import ContractEvent, decode, encode, wrap
from contracts.pgn import nieuwe_sleutel, versleutel
from contracts.registratie import LeerlingGeregistreerd, SchoolGeregistreerd
from contracts.topics import TOPIC_OF_SERVICE
from plumbing.clock import AMSTERDAM
from plumbing.runtime import ServiceRuntime
from plumbing.security.apikeys import ApiKeyStore
from plumbing.security.callers import Rol
from services.ketenkoppeling.service import SPEC, Settings
from standins.duo import DuoStandin, HandKlok, Register, StandinInThread

PGN_SLEUTEL = nieuwe_sleutel()
BRIN = "99XX"
GEMEENTE = "0599"
BEGIN = datetime(2025, 10, 6, 9, 0, tzinfo=AMSTERDAM)
SCHOOL_A = UUID("7b1e0a52-3c4d-4e5f-8a9b-0c1d2e3f4a5b")
SCHOOL_B = UUID("0d9c8b7a-6f5e-4d3c-2b1a-0f9e8d7c6b5a")


def maak_bsns(aantal: int) -> list[str]:
    """Nine-digit numbers that pass the eleven test, never issued."""
    gevonden = []
    for kandidaat in itertools.count(999990019):
        cijfers = [int(c) for c in f"{kandidaat:09d}"]
        som = sum(w * c for w, c in zip(range(9, 1, -1), cijfers[:8], strict=True))
        if (som - cijfers[8]) % 11 == 0:
            gevonden.append(f"{kandidaat:09d}")
            if len(gevonden) == aantal:
                return gevonden
    raise AssertionError("unreachable")


class GedeeldeKlok:
    """The runtime's clock, following the stand-in's hand-moved clock."""

    def __init__(self, hand: HandKlok) -> None:
        self.hand = hand

    def now(self) -> datetime:
        return self.hand.nu().astimezone(AMSTERDAM)

    def today(self) -> date:
        return self.now().date()


async def wacht_tot(
    voorwaarde: Callable[[], Any], *, seconden: float = 30.0, wat: str = ""
) -> Any:
    """Poll `voorwaarde` (sync or async) until it returns something truthy."""
    einde = time.monotonic() + seconden
    while True:
        uitkomst = voorwaarde()
        if inspect.isawaitable(uitkomst):
            uitkomst = await uitkomst
        if uitkomst:
            return uitkomst
        if time.monotonic() > einde:
            raise AssertionError(f"niet bereikt binnen {seconden} s: {wat}")
        await asyncio.sleep(0.05)


class Keten:
    """One ketenkoppeling, its stand-in and a producer for the upstream topics."""

    def __init__(self, broker: str, data_dir: Path, unique: str) -> None:
        self.broker = broker
        self.data_dir = data_dir
        self.prefix = f"t{unique}."
        self.klok = HandKlok(BEGIN)
        register = Register(
            self.klok,
            behandeling_na=timedelta(seconds=60),
            afsluiting_na=timedelta(seconds=120),
        )
        self.standin = DuoStandin(register, self.klok, seed=20251006)
        self.server = StandinInThread(self.standin)
        self._volgnummers: dict[tuple[str, str], int] = {}
        self._producer: AIOKafkaProducer | None = None
        self.runtime: ServiceRuntime | None = None
        self._lifespan: Any = None
        self.client: httpx.AsyncClient | None = None
        self.api_key = ""

    def settings(self, **anders: Any) -> Settings:
        waarden: dict[str, Any] = {
            "verzuim_data_dir": self.data_dir,
            "kafka_bootstrap_servers": self.broker,
            "kafka_topic_prefix": self.prefix,
            "kafka_partitions": 3,
            "relay_poll_seconds": 0.05,
            "verzuim_rate_limit_per_second": 10_000,
            "verzuim_rate_limit_burst": 10_000,
            "duo_url": self.server.basis,
            "verzuim_pgn_key": PGN_SLEUTEL,
            "duo_status_poll_seconds": 0.2,
            "duo_retry_seconds": 0.1,
            "duo_retry_max_seconds": 0.4,
            "ketenkoppeling_interval_seconds": 0.05,
            "ketenkoppeling_termijn_seconds": 0.2,
            **anders,
        }
        return Settings(**waarden)

    # -- lifecycle ---------------------------------------------------------------

    async def start(self) -> None:
        runtime = ServiceRuntime(SPEC, self.settings())
        runtime.clock = GedeeldeKlok(self.klok)  # type: ignore[assignment]
        app = runtime.fastapi_app()
        self._lifespan = app.router.lifespan_context(app)
        await self._lifespan.__aenter__()
        self.runtime = runtime
        if not self.api_key:
            store = ApiKeyStore.from_settings(runtime.security_settings)
            try:
                _, self.api_key = store.create(
                    naam="test",
                    bestuur="bestuur-test",
                    scholen=[str(SCHOOL_A)],
                    rollen=[Rol.VERZUIMCOORDINATOR],
                )
            finally:
                store.close()
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://ketenkoppeling",
            headers={"Authorization": f"Bearer {self.api_key}"},
        )
        if self._producer is None:
            self._producer = AIOKafkaProducer(bootstrap_servers=self.broker, acks="all")
            await self._producer.start()

    async def stop(self) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None
        if self._lifespan is not None:
            await self._lifespan.__aexit__(None, None, None)
            self._lifespan = None
        self.runtime = None

    async def herstart(self) -> None:
        await self.stop()
        await self.start()

    @property
    def api(self) -> httpx.AsyncClient:
        assert self.client is not None
        return self.client

    # -- upstream ----------------------------------------------------------------

    async def publiceer(self, *gebeurtenissen: ContractEvent) -> None:
        assert self._producer is not None
        for gebeurtenis in gebeurtenissen:
            sleutel = (gebeurtenis.service, gebeurtenis.partition_key())
            volgnummer = self._volgnummers.get(sleutel, 0) + 1
            self._volgnummers[sleutel] = volgnummer
            envelop = wrap(
                gebeurtenis,
                event_id=str(uuid4()),
                sequence=volgnummer,
                time=self.klok.nu(),
            )
            await self._producer.send_and_wait(
                self.prefix + TOPIC_OF_SERVICE[gebeurtenis.service],
                value=encode(envelop),
                key=envelop.partitionkey.encode(),
            )

    async def eigen_gebeurtenissen(self) -> list[ContractEvent]:
        """Everything the service published on its own topic so far."""
        topic = self.prefix + TOPIC_OF_SERVICE["ketenkoppeling"]
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.broker, enable_auto_commit=False
        )
        await consumer.start()
        try:
            partities = [TopicPartition(topic, p) for p in range(3)]
            consumer.assign(partities)
            await consumer.seek_to_beginning(*partities)
            einden = await consumer.end_offsets(partities)
            gelezen: list[ContractEvent] = []
            while any([await consumer.position(tp) < einden[tp] for tp in partities]):
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    gelezen += [decode(r.value)[1] for r in records]
            return gelezen
        finally:
            await consumer.stop()

    # -- the stand-in ------------------------------------------------------------

    def bij_duo(self) -> list[Any]:
        return self.standin.register.meldingen()

    def verzoeken(self) -> list[dict[str, Any]]:
        antwoord = httpx.get(self.server.basis + "/beheer/verzoeken", timeout=5)
        return antwoord.json()

    def beheer_meldingen(self) -> list[dict[str, Any]]:
        antwoord = httpx.get(self.server.basis + "/beheer/meldingen", timeout=5)
        return antwoord.json()["meldingen"]

    # -- the API -----------------------------------------------------------------

    async def meldingen(self, **query: str) -> list[dict[str, Any]]:
        antwoord = await self.api.get("/v1/verzuimmeldingen", params=query)
        assert antwoord.status_code == 200, antwoord.text
        return antwoord.json()

    async def melding(self, melding_id: UUID | str) -> dict[str, Any]:
        antwoord = await self.api.get(f"/v1/verzuimmeldingen/{melding_id}")
        assert antwoord.status_code == 200, antwoord.text
        return antwoord.json()


@contextlib.asynccontextmanager
async def keten(broker: str, tmp_path: Path, unique: str) -> AsyncIterator[Keten]:
    k = Keten(broker, tmp_path, unique)
    with k.server:
        try:
            await k.start()
            yield k
        finally:
            await k.stop()
            if k._producer is not None:
                await k._producer.stop()


@pytest.fixture
def snelle_duo(monkeypatch: pytest.MonkeyPatch) -> None:
    """The adapter's retries without waiting, and a short timeout (T6 in fast time)."""
    monkeypatch.setenv("DUO_POGINGEN", "3")
    monkeypatch.setenv("DUO_TIMEOUT_SECONDEN", "0.5")
    monkeypatch.setenv("DUO_WACHT_INITIEEL_SECONDEN", "0")
    monkeypatch.setenv("DUO_WACHT_MAX_SECONDEN", "0")
    monkeypatch.setenv("DUO_WACHT_JITTER_SECONDEN", "0")


# --- upstream events ---------------------------------------------------------------


def school(school_id: UUID = SCHOOL_A, brin: str = BRIN) -> SchoolGeregistreerd:
    return SchoolGeregistreerd(
        school_id=school_id,
        brin=brin,
        naam="Testcollege locatie Noord",
        sector="vo",
        gemeente=GEMEENTE,
        kalender=Kalender(),
        rooster=Rooster(lesuren={}),
        contact_melder=Contactpersoon(
            naam="Joost Testmelder",
            functie="Verzuimcoördinator",
            email="verzuim@testcollege.example",
        ),
    )


def leerling(
    leerling_id: UUID, bsn: str, school_id: UUID = SCHOOL_A
) -> LeerlingGeregistreerd:
    return LeerlingGeregistreerd(
        leerling_id=leerling_id,
        school_id=school_id,
        geboortedatum=date(2011, 4, 1),
        woongemeente=GEMEENTE,
        inschrijving_vanaf=date(2023, 8, 1),
        klas="2B",
        leerjaar=2,
        pgn=versleutel(bsn, "bsn", PGN_SLEUTEL),
    )


def meldplicht(
    meldplicht_id: UUID,
    leerling_id: UUID,
    school_id: UUID = SCHOOL_A,
    **anders: Any,
) -> MeldplichtVastgesteld:
    waarden: dict[str, Any] = {
        "meldplicht_id": meldplicht_id,
        "leerling_id": leerling_id,
        "school_id": school_id,
        "verzuimsoort": "V3",
        "begindatum": date(2025, 9, 22),
        "einddatum": date(2025, 10, 3),
        "vervaldatum": date(2025, 10, 10),  # D4: einddatum + 5 working days
        "minuten": 960,
        "slots": [],
        "verzuimdagen": [
            Verzuimdag(datum=date(2025, 9, 22), hele_dag=True),
            Verzuimdag(datum=date(2025, 9, 23), hele_dag=False, lesuren=[1, 2]),
        ],
        "toelichting": "16 uur ongeoorloofd verzuim in vier lesweken.",
        **anders,
    }
    return MeldplichtVastgesteld(**waarden)
