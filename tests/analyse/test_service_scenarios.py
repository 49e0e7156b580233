"""Analyse as a running service on the real embedded broker, end to end.

Upstream events are put on the upstream topics the way the other services' relays
put them (a CloudEvents envelope, key = the pupil's id, a growing `sequence` per
source); the outcome is read through the HTTP API and from the analyse topic. One
service runs for the whole module (a consumer group join takes seconds); every test
has its own school and pupils. "Today" is a clock file each test sets.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from contracts.common import Kalender, Lesuur, Periode, Rooster, VersleuteldPgn
from contracts.envelope import ContractEvent, decode, encode, wrap
from contracts.ketenkoppeling import VerzuimmeldingStatusGewijzigd
from contracts.opvolging import BesluitGenomen
from contracts.registratie import (
    LeerlingGeregistreerd,
    LeerlingGewist,
    SchoolGeregistreerd,
    VerzuimdagBijgewerkt,
    VerzuimGeclassificeerd,
    VerzuimVervallen,
)
from contracts.topics import KETENKOPPELING, OPVOLGING, REGISTRATIE
from leerplicht.fixtures import PO_ROOSTER, TC_2526, VO_ROOSTER
from leerplicht.rooster import Rooster as DomeinRooster
from plumbing.clock import FileClock
from plumbing.runtime import ServiceRuntime
from plumbing.security.apikeys import ApiKeyStore
from plumbing.security.callers import Rol
from services.analyse.application import Analyse
from services.analyse.contracts_mapping import meldplicht_id
from services.analyse.domain.aggregate import Leerlingbeeld
from services.analyse.leerling import Leerling
from services.analyse.leesmodel import Leesmodel
from services.analyse.service import SPEC, Settings

pytestmark = pytest.mark.asyncio(loop_scope="module")

TIMEOUT = 30.0


def kalender() -> Kalender:
    def perioden(ps: tuple[Any, ...]) -> list[Periode]:
        return [Periode(van=p.van, tot=p.tot) for p in ps]

    return Kalender(
        vakanties=perioden(TC_2526.vakanties),
        vrije_dagen=perioden(TC_2526.vrije_dagen),
        studiedagen=perioden(TC_2526.studiedagen),
        eerste_schooldag=TC_2526.eerste_schooldag,
    )


def rooster(domein: DomeinRooster) -> Rooster:
    return Rooster(
        lesuren={
            str(dag): [
                Lesuur(nummer=lu.nummer, begin=lu.begin, eind=lu.eind) for lu in lessen
            ]
            for dag, lessen in domein.per_weekdag.items()
        }
    )


@dataclass
class Bronnen:
    """Publishes upstream events as the upstream relays would."""

    producer: AIOKafkaProducer
    prefix: str
    volgnummers: dict[str, itertools.count] = field(default_factory=dict)
    verstuurd: list[tuple[str, bytes, bytes]] = field(default_factory=list)
    aantal: int = 0  # messages sent, sent again included

    async def stuur(self, *events: ContractEvent) -> None:
        for event in events:
            topic = {
                "registratie": REGISTRATIE,
                "opvolging": OPVOLGING,
                "ketenkoppeling": KETENKOPPELING,
            }[event.service]
            teller = self.volgnummers.setdefault(event.service, itertools.count(1))
            envelope = wrap(
                event,
                event_id=str(uuid.uuid4()),
                sequence=next(teller),
                time=datetime.now(UTC),
            )
            key, value = envelope.partitionkey.encode(), encode(envelope)
            self.verstuurd.append((self.prefix + topic, key, value))
            self.aantal += 1
            await self.producer.send(self.prefix + topic, value=value, key=key)
        await self.producer.flush()

    async def nog_eens(self, aantal: int) -> None:
        """Send the last messages again, unchanged (a redelivery, a republish)."""
        for topic, key, value in self.verstuurd[-aantal:]:
            await self.producer.send(topic, value=value, key=key)
            self.aantal += 1
        await self.producer.flush()


class Systeem:
    def __init__(
        self,
        runtime: ServiceRuntime,
        client: httpx.AsyncClient,
        bronnen: Bronnen,
        klok: Path,
    ) -> None:
        self.runtime = runtime
        self.client = client
        self.bronnen = bronnen
        self.klok = klok

    @property
    def app(self) -> Analyse:
        app = self.runtime.require_app()
        assert isinstance(app, Analyse)
        return app

    def vandaag(self, d: str) -> None:
        FileClock.write(self.klok, datetime.combine(date.fromisoformat(d), time(18)))

    async def berichten(self, leerling_id: uuid.UUID | None = None) -> list[Any]:
        """Every event on the analyse topic so far (of one pupil)."""
        await self.wacht(lambda: self._relay_bij())
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.runtime.bootstrap, enable_auto_commit=False
        )
        await consumer.start()
        try:
            topic = self.runtime.own_topic
            partities = [
                TopicPartition(topic, p)
                for p in sorted(consumer.partitions_for_topic(topic) or ())
            ] or [TopicPartition(topic, p) for p in range(3)]
            consumer.assign(partities)
            await consumer.seek_to_beginning(*partities)
            eind = await consumer.end_offsets(partities)
            gelezen: list[Any] = []
            open_partities = [tp for tp in partities if eind[tp] > 0]
            while open_partities:
                batch = await consumer.getmany(*open_partities, timeout_ms=500)
                for records in batch.values():
                    gelezen += [decode(r.value)[1] for r in records]
                open_partities = [
                    tp
                    for tp in open_partities
                    if await consumer.position(tp) < eind[tp]
                ]
        finally:
            await consumer.stop()
        if leerling_id is None:
            return gelezen
        return [e for e in gelezen if getattr(e, "leerling_id", None) == leerling_id]

    def _relay_bij(self) -> bool:
        relay = self.runtime.relay
        app = self.app
        laatste = app.recorder.max_notification_id() or 0
        return relay is not None and relay.position() >= laatste

    async def wacht(self, check: Callable[[], bool], timeout: float = TIMEOUT) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not check():
            if loop.time() > deadline:
                raise AssertionError("condition not reached in time")
            await asyncio.sleep(0.05)

    async def verwerkt(self) -> None:
        """Wait until the consumer applied or skipped everything sent so far."""
        consumer = self.runtime.consumer
        assert consumer is not None
        verwacht = self.bronnen.aantal
        await self.wacht(
            lambda: (
                consumer.stats.applied
                + consumer.stats.skipped_duplicates
                + consumer.stats.dead_lettered
                >= verwacht
            )
        )

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(f"/v1{path}", **kwargs)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def systeem(
    broker: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Systeem]:
    data_dir = tmp_path_factory.mktemp("analyse")
    klok = data_dir / "klok.txt"
    FileClock.write(klok, datetime(2025, 9, 1, 18, tzinfo=UTC))
    prefix = f"t{uuid.uuid4().hex[:10]}."
    settings = Settings(
        verzuim_data_dir=data_dir,
        kafka_bootstrap_servers=broker,
        kafka_topic_prefix=prefix,
        kafka_partitions=3,
        relay_poll_seconds=0.05,
        verzuim_klok=f"file:{klok}",
        verzuim_rate_limit_per_second=10_000,
        verzuim_rate_limit_burst=10_000,
        analyse_dagtaak_seconden=0.2,
    )
    store = ApiKeyStore.from_settings(settings)
    try:
        _, key = store.create(
            naam="analyse-test",
            bestuur="bestuur-test",
            scholen=[str(s) for s in SCHOLEN],
            rollen=[Rol.VERZUIMCOORDINATOR],
        )
    finally:
        store.close()
    runtime = ServiceRuntime(SPEC, settings)
    app = runtime.fastapi_app()
    lifespan = app.router.lifespan_context(app)
    await lifespan.__aenter__()
    producer = AIOKafkaProducer(bootstrap_servers=broker, acks="all", linger_ms=2)
    await producer.start()
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://analyse",
        headers={"Authorization": f"Bearer {key}"},
        timeout=60,
    )
    try:
        yield Systeem(runtime, client, Bronnen(producer, prefix), klok)
    finally:
        await client.aclose()
        await producer.stop()
        await lifespan.__aexit__(None, None, None)


# Every test works in its own school; the API key may see all of these.
SCHOLEN = [uuid.UUID(int=0xA000 + i) for i in range(20)]
ANDERE_SCHOOL = uuid.UUID(int=0xBEEF)
_scholen = iter(SCHOLEN)


def school(sector: str, beleid: dict[str, Any] | None = None) -> SchoolGeregistreerd:
    return SchoolGeregistreerd(
        school_id=next(_scholen),
        brin="99ZZ",
        naam="Testschool",
        sector=sector,  # type: ignore[arg-type]
        kalender=kalender(),
        rooster=rooster(PO_ROOSTER if sector == "po" else VO_ROOSTER),
        beleid=beleid or {},
    )


def leerling(
    school: SchoolGeregistreerd,
    geboortedatum: str,
    *,
    klas: str = "1A",
    leerjaar: int = 1,
    school_id: uuid.UUID | None = None,
) -> LeerlingGeregistreerd:
    return LeerlingGeregistreerd(
        leerling_id=uuid.uuid4(),
        school_id=school_id or school.school_id,
        geboortedatum=date.fromisoformat(geboortedatum),
        woongemeente="Teststad",
        inschrijving_vanaf=date(2025, 8, 1),
        klas=klas,
        leerjaar=leerjaar,
        pgn=VersleuteldPgn(soort="bsn", versleuteld="bm90LWVlbi1ic24="),
    )


def lesuren(
    p: LeerlingGeregistreerd,
    dag: str,
    nummers: range | list[int] = range(1, 8),
    *,
    status: str = "ongeoorloofd",
    reden: str = "SPIJB",
    **extra: Any,
) -> list[VerzuimGeclassificeerd]:
    """VO: a fully missed lesuur of 50 minutes counts 60 (D3)."""
    return [
        VerzuimGeclassificeerd(
            leerling_id=p.leerling_id,
            school_id=p.school_id,
            slot_id=f"{dag}/{nummer}",
            datum=date.fromisoformat(dag),
            lesuur=nummer,
            status=status,  # type: ignore[arg-type]
            reden_code=reden,
            soort="afwezig",
            minuten=60,
            gemiste_minuten=50,
            eenheid="lesuur",
            **extra,
        )
        for nummer in nummers
    ]


def klokminuten(
    p: LeerlingGeregistreerd,
    dag: str,
    minuten: int = 300,
    *,
    status: str = "ongeoorloofd",
    soort: str = "afwezig",
    reden: str = "SPIJB",
    slot: str = "po",
    **extra: Any,
) -> VerzuimGeclassificeerd:
    """PO: the missed minutes count (D3); 300 is the whole day."""
    return VerzuimGeclassificeerd(
        leerling_id=p.leerling_id,
        school_id=p.school_id,
        slot_id=f"{dag}/{slot}",
        datum=date.fromisoformat(dag),
        status=status,  # type: ignore[arg-type]
        reden_code=reden,
        soort=soort,  # type: ignore[arg-type]
        minuten=minuten,
        gemiste_minuten=minuten,
        eenheid="klokuur",
        **extra,
    )


def soorten(berichten: list[Any]) -> list[str]:
    return [type(b).__name__ for b in berichten]


async def verzuimbeeld(s: Systeem, p: LeerlingGeregistreerd) -> dict[str, Any]:
    antwoord = await s.get(f"/leerlingen/{p.leerling_id}/verzuimbeeld")
    assert antwoord.status_code == 200, antwoord.text
    return antwoord.json()


async def berichten_tot(
    s: Systeem, p: LeerlingGeregistreerd, klaar: Callable[[list[Any]], bool]
) -> list[Any]:
    """The pupil's analyse messages, once `klaar` holds for them."""
    await s.verwerkt()
    deadline = asyncio.get_running_loop().time() + TIMEOUT
    while True:
        berichten = await s.berichten(p.leerling_id)
        if klaar(berichten):
            return berichten
        assert asyncio.get_running_loop().time() < deadline, soorten(berichten)
        await asyncio.sleep(0.1)


def van_soort(berichten: list[Any], soort: str) -> list[Any]:
    return [b for b in berichten if type(b).__name__ == soort]


async def meldplichten_van(
    s: Systeem, p: LeerlingGeregistreerd, aantal: int = 1
) -> list[Any]:
    """The pupil's duties, once `aantal` are on the topic: the last message per id.

    A duty is published again with its full state when it changes, e.g. when a
    consumer batch ended halfway a day of slots.
    """
    return staande(await berichten_tot(s, p, lambda b: len(staande(b)) >= aantal))


def staande(berichten: list[Any]) -> list[Any]:
    """The duties as the messages leave them: the last state per id, lapsed ones out."""
    laatste: dict[uuid.UUID, Any] = {}
    for b in berichten:
        if type(b).__name__ in ("MeldplichtVastgesteld", "MeldplichtVervallen"):
            laatste[b.meldplicht_id] = b
    return [m for m in laatste.values() if type(m).__name__ == "MeldplichtVastgesteld"]


# --- the scenarios of scenarios.md -----------------------------------------------


async def test_s01_vo_exactly_16_lesuren(systeem: Systeem) -> None:
    # Given a VO pupil aged 14 with 7 + 7 + 2 unauthorised lesuren.
    systeem.vandaag("2025-09-17")
    vo = school("vo")
    p = leerling(vo, "2011-03-10")

    # When registratie publishes the school, the pupil and the slots.
    await systeem.bronnen.stuur(
        vo,
        p,
        *lesuren(p, "2025-09-15"),
        *lesuren(p, "2025-09-16"),
        *lesuren(p, "2025-09-17", [1, 2]),
    )

    # Then exactly one V3 duty is published, with the 16 slots and the days behind it.
    [melding] = await meldplichten_van(systeem, p)
    assert melding.verzuimsoort == "V3"
    assert (melding.begindatum, melding.einddatum) == (
        date(2025, 9, 15),
        date(2025, 9, 17),
    )
    assert melding.vervaldatum == date(2025, 9, 24)
    assert melding.minuten == 960 and not melding.achterstallig
    assert melding.school_id == vo.school_id
    assert len(melding.slots) == 16
    assert [(d.datum, d.hele_dag, d.lesuren) for d in melding.verzuimdagen] == [
        (date(2025, 9, 15), True, []),
        (date(2025, 9, 16), True, []),
        (date(2025, 9, 17), False, [1, 2]),
    ]
    # And the verzuimbeeld shows the open duty with its slots; counting restarted.
    beeld = await verzuimbeeld(systeem, p)
    [open_duty] = beeld["meldplichten"]
    assert open_duty["meldplichtId"] == str(melding.meldplicht_id)
    assert open_duty["status"] == "open"
    assert len(open_duty["slots"]) == 16
    assert beeld["huidigeVenstersom"]["minuten"] == 0
    berichten = soorten(await systeem.berichten(p.leerling_id))
    assert "MaatregelVoorgesteld" in berichten


async def test_s02_po_15_5_klokuren_then_s02b_exactly_16(systeem: Systeem) -> None:
    # Given a PO pupil with 5 + 5 + 5 klokuren and 30 minutes leaving early.
    systeem.vandaag("2025-10-09")
    po = school("po")
    p = leerling(po, "2017-05-02")
    await systeem.bronnen.stuur(
        po,
        p,
        *(klokminuten(p, d) for d in ("2025-10-06", "2025-10-07", "2025-10-08")),
        klokminuten(p, "2025-10-09", 30),
    )
    await systeem.verwerkt()

    # Then no duty and no signal: the largest window sum is 15.5 hours.
    beeld = await verzuimbeeld(systeem, p)
    assert beeld["meldplichten"] == [] and beeld["signalen"] == []
    assert beeld["hoogsteVenstersom"] == {
        "minuten": 930,
        "uren": 15.5,
        "van": "2025-10-06",
        "tot": "2025-11-07",  # the herfstvakantie week is skipped (D2)
    }
    assert beeld["huidigeVenstersom"]["minuten"] == 930

    # When 30 more minutes are missed on Mon 2025-11-03 (S02b).
    systeem.vandaag("2025-11-03")
    await systeem.bronnen.stuur(klokminuten(p, "2025-11-03", 30))

    # Then exactly 16 hours in window(2025-10-06): one V3.
    [melding] = await meldplichten_van(systeem, p)
    assert (melding.verzuimsoort, melding.begindatum, melding.einddatum) == (
        "V3",
        date(2025, 10, 6),
        date(2025, 11, 3),
    )
    assert melding.vervaldatum == date(2025, 11, 10)
    assert melding.minuten == 960
    assert [d.hele_dag for d in melding.verzuimdagen] == [
        True,
        True,
        True,
        False,
        False,
    ]


async def test_s03_vo_window_crosses_a_vacation_week(systeem: Systeem) -> None:
    systeem.vandaag("2025-11-14")
    vo = school("vo")
    p = leerling(vo, "2011-03-10")

    await systeem.bronnen.stuur(
        vo,
        p,
        *lesuren(p, "2025-10-15"),
        *lesuren(p, "2025-10-16", [1, 2]),
        *lesuren(p, "2025-11-14"),
    )

    [melding] = await meldplichten_van(systeem, p)
    assert (melding.begindatum, melding.einddatum, melding.vervaldatum) == (
        date(2025, 10, 15),
        date(2025, 11, 14),
        date(2025, 11, 21),
    )


async def test_s06_luxe_verzuim_after_denied_leave(systeem: Systeem) -> None:
    # Given a PO pupil away 2026-02-09 .. 02-13, coded as holiday without leave.
    systeem.vandaag("2026-02-13")
    po = school("po")
    p = leerling(po, "2018-06-01")

    await systeem.bronnen.stuur(
        po,
        p,
        *(klokminuten(p, f"2026-02-{dag:02d}", luxe=True) for dag in range(9, 14)),
    )

    # Then one L duty, regardless of the 25 klokuren, and no V3 (D5).
    [melding] = await meldplichten_van(systeem, p)
    assert melding.verzuimsoort == "L"
    assert (melding.begindatum, melding.einddatum, melding.vervaldatum) == (
        date(2026, 2, 9),
        date(2026, 2, 13),
        date(2026, 2, 20),
    )
    assert melding.minuten == 1500 and len(melding.slots) == 5
    beeld = await verzuimbeeld(systeem, p)
    assert beeld["hoogsteVenstersom"]["minuten"] == 0
    assert [m["verzuimsoort"] for m in beeld["meldplichten"]] == ["L"]


async def test_s18_child_turns_5_mid_period(systeem: Systeem) -> None:
    systeem.vandaag("2025-11-06")
    po = school("po")
    p = leerling(po, "2020-10-14")

    await systeem.bronnen.stuur(
        po,
        p,
        *(klokminuten(p, f"2025-10-{dag}") for dag in range(27, 32)),
        *(klokminuten(p, d) for d in ("2025-11-03", "2025-11-04", "2025-11-05")),
        klokminuten(p, "2025-11-06", 60),
    )

    # The October days fall before leerplicht (R-AGE-1) and count 0.
    [melding] = await meldplichten_van(systeem, p)
    assert (melding.begindatum, melding.einddatum, melding.vervaldatum) == (
        date(2025, 11, 3),
        date(2025, 11, 6),
        date(2025, 11, 13),
    )
    assert melding.minuten == 960
    assert all(s.datum.month == 11 for s in melding.slots)


S23_DATA = (
    "2025-09-02",
    "2025-09-04",
    "2025-09-09",
    "2025-09-16",
    "2025-09-18",
    "2025-09-23",
    "2025-09-30",
    "2025-10-02",
    "2025-10-07",
)
# The default policy as registratie publishes it (rules section 7).
REGISTRATIE_BELEID = {
    "lateLadder": [
        [3, "talk"],
        [6, "letter"],
        [9, "report_overig"],
        [12, "report_again"],
    ],
    "lateScope": "schoolYear",
    "mazlFrequentCount": 4,
    "mazlFrequentWindowWeeks": 12,
    "mazlConsecutiveSchoolDays": 7,
    "melden18PlusBij16Uur": False,
}


async def test_s23_lateness_ladder(systeem: Systeem) -> None:
    # Given the 3-6-9-12 ladder and 9 late arrivals of 10 minutes.
    systeem.vandaag("2025-10-07")
    po = school("po", REGISTRATIE_BELEID)
    p = leerling(po, "2017-05-02")

    await systeem.bronnen.stuur(
        po,
        p,
        *(
            klokminuten(p, d, 10, soort="teLaat", reden="LAAT", slot="laat")
            for d in S23_DATA
        ),
    )

    # Then the 3rd, 6th and 9th arrival hit their step; the 9th gives an O melding.
    [melding] = await meldplichten_van(systeem, p)
    assert (melding.verzuimsoort, melding.minuten) == ("O", 90)
    berichten = await berichten_tot(
        systeem, p, lambda b: len(van_soort(b, "SignaalAfgegeven")) == 3
    )
    signalen = van_soort(berichten, "SignaalAfgegeven")
    assert sorted((s.soort, s.datum) for s in signalen) == [
        ("teLaat", date(2025, 9, 9)),
        ("teLaat", date(2025, 9, 23)),
        ("teLaat", date(2025, 10, 7)),
    ]
    negende = next(s for s in signalen if s.datum == date(2025, 10, 7))
    assert len(negende.slots) == 9
    codes = {
        b.code
        for b in berichten
        if type(b).__name__ == "MaatregelVoorgesteld"
        and b.aanleiding_id == negende.signaal_id
    }
    assert codes == {"meldingOverigVerzuim", "brief"}
    # No V3: the largest window sum is one klokuur.
    beeld = await verzuimbeeld(systeem, p)
    assert beeld["hoogsteVenstersom"]["minuten"] == 60


async def test_s25_mazl_four_sick_episodes(systeem: Systeem) -> None:
    systeem.vandaag("2025-11-24")
    vo = school("vo")
    p = leerling(vo, "2011-03-10")

    await systeem.bronnen.stuur(
        vo,
        p,
        *(
            slot
            for d in ("2025-09-08", "2025-10-02", "2025-11-04", "2025-11-24")
            for slot in lesuren(p, d, status="geoorloofd", reden="ZIEK", ziek=True)
        ),
    )

    # Then a "zorgwekkend ziekteverzuim" signal with a talk and an optional consult.
    # (a batch may end halfway the last day: the signal is then published again,
    # same id, with all its slots)
    berichten = await berichten_tot(
        systeem,
        p,
        lambda b: any(len(s.slots) == 4 * 7 for s in van_soort(b, "SignaalAfgegeven")),
    )
    assert len({s.signaal_id for s in van_soort(berichten, "SignaalAfgegeven")}) == 1
    signaal = van_soort(berichten, "SignaalAfgegeven")[-1]
    assert (signaal.soort, signaal.datum) == (
        "zorgwekkendZiekteverzuim",
        date(2025, 11, 24),
    )
    maatregelen = {
        b.code: b.optioneel
        for b in berichten
        if type(b).__name__ == "MaatregelVoorgesteld"
    }
    assert maatregelen == {"gesprekMentor": False, "jeugdartsConsult": True}
    assert "MeldplichtVastgesteld" not in soorten(berichten)  # illness is geoorloofd


# --- exactly once, corrections and decisions ---------------------------------------


def s01(p: LeerlingGeregistreerd) -> list[VerzuimGeclassificeerd]:
    return [
        *lesuren(p, "2025-09-15"),
        *lesuren(p, "2025-09-16"),
        *lesuren(p, "2025-09-17", [1, 2]),
    ]


async def test_a_duplicate_and_a_republished_event_change_nothing(
    systeem: Systeem,
) -> None:
    systeem.vandaag("2025-09-17")
    vo = school("vo")
    p = leerling(vo, "2011-03-10")
    await systeem.bronnen.stuur(vo, p, *s01(p))
    await meldplichten_van(systeem, p)
    consumer = systeem.runtime.consumer
    assert consumer is not None
    stand = systeem.app.recorder.max_notification_id()
    gepubliceerd = len(await systeem.berichten(p.leerling_id))
    overgeslagen = consumer.stats.skipped_duplicates

    # When the last ten messages arrive again (a redelivery or a relay's republish
    # after a broker loss: same source, key and sequence).
    await systeem.bronnen.nog_eens(10)
    await systeem.wacht(lambda: consumer.stats.skipped_duplicates >= overgeslagen + 10)
    # And registratie publishes the same classification again (a new sequence).
    await systeem.bronnen.stuur(*lesuren(p, "2025-09-17", [1, 2]))
    await systeem.verwerkt()

    # Then nothing was stored and nothing more was published.
    assert systeem.app.recorder.max_notification_id() == stand
    assert len(await systeem.berichten(p.leerling_id)) == gepubliceerd


async def test_reclassification_before_submission_cancels_the_duty(
    systeem: Systeem,
) -> None:
    # Given S01's V3 duty, not yet submitted.
    systeem.vandaag("2025-09-17")
    vo = school("vo")
    p = leerling(vo, "2011-03-10")
    await systeem.bronnen.stuur(vo, p, *s01(p))
    [melding] = await meldplichten_van(systeem, p)

    # When two lesuren turn out to be geoorloofd (a timely sick notice, D14).
    systeem.vandaag("2025-09-18")
    await systeem.bronnen.stuur(
        *lesuren(p, "2025-09-17", [1, 2], status="geoorloofd", ziek=True)
    )

    # Then the duty lapses (D15) and says so on the topic.
    berichten = await berichten_tot(
        systeem, p, lambda b: bool(van_soort(b, "MeldplichtVervallen"))
    )
    [vervallen] = van_soort(berichten, "MeldplichtVervallen")
    assert vervallen.meldplicht_id == melding.meldplicht_id
    assert "IntrekkingVoorgesteld" not in soorten(berichten)
    lijst = await systeem.get(
        "/meldplichten", params={"schoolId": str(vo.school_id), "status": "vervallen"}
    )
    assert [m["meldplichtId"] for m in lijst.json()["meldplichten"]] == [
        str(melding.meldplicht_id)
    ]


async def test_a_pupil_day_in_one_message_counts_as_its_slots_one_by_one(
    systeem: Systeem,
) -> None:
    # Given S01 as registratie publishes it: one message per pupil-day change.
    systeem.vandaag("2025-09-17")
    vo = school("vo")
    p = leerling(vo, "2011-03-10")
    dagen = [
        VerzuimdagBijgewerkt.van_slots(lesuren(p, dag, nummers))
        for dag, nummers in (
            ("2025-09-15", range(1, 8)),
            ("2025-09-16", range(1, 8)),
            ("2025-09-17", [1, 2]),
        )
    ]
    await systeem.bronnen.stuur(vo, p, *dagen)

    # Then the 16 lesuren make S01's duty, as the same slots one by one do.
    [melding] = await meldplichten_van(systeem, p)
    assert (melding.verzuimsoort, melding.minuten) == ("V3", 960)
    assert len(melding.slots) == 16

    # When one message of the last day reclassifies lesuur 1 and withdraws lesuur 2.
    systeem.vandaag("2025-09-18")
    correctie = VerzuimdagBijgewerkt.van_slots(
        [
            *lesuren(p, "2025-09-17", [1], status="geoorloofd", ziek=True),
            VerzuimVervallen(
                leerling_id=p.leerling_id,
                school_id=p.school_id,
                slot_id="2025-09-17/2",
                datum=date(2025, 9, 17),
                lesuur=2,
            ),
        ]
    )
    await systeem.bronnen.stuur(correctie)

    # Then both slots leave the count and the duty lapses (D15).
    berichten = await berichten_tot(
        systeem, p, lambda b: bool(van_soort(b, "MeldplichtVervallen"))
    )
    [vervallen] = van_soort(berichten, "MeldplichtVervallen")
    assert vervallen.meldplicht_id == melding.meldplicht_id
    assert (await verzuimbeeld(systeem, p))["meldplichten"] == []


async def test_after_registration_at_duo_a_correction_proposes_withdrawal(
    systeem: Systeem,
) -> None:
    # Given S01's V3 duty, registered at DUO by ketenkoppeling.
    systeem.vandaag("2025-09-17")
    vo = school("vo")
    p = leerling(vo, "2011-03-10")
    await systeem.bronnen.stuur(vo, p, *s01(p))
    [melding] = await meldplichten_van(systeem, p)
    await systeem.bronnen.stuur(geregistreerd(p, melding.meldplicht_id))
    await systeem.verwerkt()
    lijst = await systeem.get(
        "/meldplichten", params={"schoolId": str(vo.school_id), "status": "ingediend"}
    )
    assert len(lijst.json()["meldplichten"]) == 1

    # When a correction brings the count below 16 hours.
    systeem.vandaag("2025-09-18")
    await systeem.bronnen.stuur(
        VerzuimVervallen(
            leerling_id=p.leerling_id,
            school_id=p.school_id,
            slot_id="2025-09-17/2",
            datum=date(2025, 9, 17),
            lesuur=2,
        )
    )

    # Then a withdrawal is proposed instead of a cancellation (D15).
    berichten = await berichten_tot(
        systeem, p, lambda b: bool(van_soort(b, "IntrekkingVoorgesteld"))
    )
    assert "MeldplichtVervallen" not in soorten(berichten)
    [voorstel] = van_soort(berichten, "IntrekkingVoorgesteld")
    assert voorstel.meldplicht_id == melding.meldplicht_id
    beoordelen = [
        b
        for b in van_soort(berichten, "MaatregelVoorgesteld")
        if b.code == "intrekkingBeoordelen"
    ]
    assert [b.aanleiding_id for b in beoordelen] == [melding.meldplicht_id]

    # And once the verzuimcoördinator confirms, the melding counts as withdrawn.
    await systeem.bronnen.stuur(
        besluit(p, "intrekkingBevestigd", melding.meldplicht_id)
    )
    await systeem.verwerkt()
    lijst = await systeem.get("/meldplichten", params={"schoolId": str(vo.school_id)})
    assert [m["status"] for m in lijst.json()["meldplichten"]] == ["ingetrokken"]
    assert (await verzuimbeeld(systeem, p))["meldplichten"] == []
    # And a read model rebuilt from the log, as after a restart, says the same.
    opnieuw = Leesmodel(systeem.app)
    opnieuw.bij()
    lid = str(p.leerling_id)
    assert opnieuw.leerlingen[lid] == systeem.app.leesmodel.leerlingen[lid]


async def test_an_erased_pupil_keeps_its_duty_and_sums_and_is_evaluated_no_more(
    systeem: Systeem,
) -> None:
    # Given S01's V3 duty and three unauthorised lesuren after it.
    systeem.vandaag("2025-09-19")
    vo = school("vo")
    p = leerling(vo, "2011-03-10")
    await systeem.bronnen.stuur(vo, p, *s01(p), *lesuren(p, "2025-09-18", [1, 2, 3]))
    [melding] = await meldplichten_van(systeem, p)
    await systeem.verwerkt()  # every slot applied, not only the duty's
    voor = await verzuimbeeld(systeem, p)
    assert voor["huidigeVenstersom"]["minuten"] == 180
    gepubliceerd = len(await systeem.berichten(p.leerling_id))

    # When registratie erases the pupil.
    await systeem.bronnen.stuur(
        LeerlingGewist(
            leerling_id=p.leerling_id,
            school_id=p.school_id,
            grond="verzoek",
            gewist_op=datetime.now(UTC),
        )
    )
    await systeem.verwerkt()

    # Then the duty, its slots and the window sums stay as they were.
    assert await verzuimbeeld(systeem, p) == voor
    # And no event of the pupil's aggregates yields the date of birth any more.
    app = systeem.app
    lid = str(p.leerling_id)
    van_de_leerling = {Leerling.create_id(lid), Leerlingbeeld.create_id(lid)}
    geboortedata = [
        vars(event).get("geboortedatum", vars(event).get("gegevens", {}))
        for n in app.recorder.select_notifications(1, 100_000)
        if n.originator_id in van_de_leerling
        and (event := app.mapper.to_domain_event(n))
    ]
    assert "2011-03-10" not in str(geboortedata)
    assert "[vernietigd]" in str(geboortedata)

    # And what still comes about the pupil is evaluated no more.
    await systeem.bronnen.stuur(
        geregistreerd(p, melding.meldplicht_id), *lesuren(p, "2025-09-19")
    )
    await systeem.verwerkt()
    assert len(await systeem.berichten(p.leerling_id)) == gepubliceerd
    assert await verzuimbeeld(systeem, p) == voor


def geregistreerd(
    p: LeerlingGeregistreerd, meldplicht_id: uuid.UUID
) -> VerzuimmeldingStatusGewijzigd:
    return VerzuimmeldingStatusGewijzigd(
        melding_id=uuid.uuid4(),
        meldplicht_id=meldplicht_id,
        leerling_id=p.leerling_id,
        school_id=p.school_id,
        verzuimsoort="V3",
        status="geregistreerd",
        meldingsnummer="M-1",
    )


def besluit(
    p: LeerlingGeregistreerd, soort: str, verwijzing: uuid.UUID
) -> BesluitGenomen:
    return BesluitGenomen(
        dossier_id=uuid.uuid4(),
        leerling_id=p.leerling_id,
        school_id=p.school_id,
        besluit=soort,  # type: ignore[arg-type]
        verwijzing_id=verwijzing,
        door="verzuimcoordinator-1",
        op=datetime.now(UTC),
    )


async def test_confirmed_suspicion_of_luxe_verzuim_becomes_an_l_duty(
    systeem: Systeem,
) -> None:
    # Given a PO pupil absent on Fri 2025-10-17, the lesdag before the herfstvakantie.
    systeem.vandaag("2025-10-17")
    po = school("po")
    p = leerling(po, "2017-05-02")
    await systeem.bronnen.stuur(po, p, klokminuten(p, "2025-10-17"))
    berichten = await berichten_tot(
        systeem, p, lambda b: bool(van_soort(b, "SignaalAfgegeven"))
    )
    [signaal] = van_soort(berichten, "SignaalAfgegeven")
    assert signaal.soort == "vermoedelijkLuxeverzuim"

    # When the verzuimcoördinator confirms it (D18).
    systeem.vandaag("2025-10-27")
    await systeem.bronnen.stuur(besluit(p, "luxeverzuimBevestigd", signaal.signaal_id))

    # Then an L duty for that day.
    [melding] = await meldplichten_van(systeem, p)
    assert (melding.verzuimsoort, melding.begindatum) == ("L", date(2025, 10, 17))


# --- order of arrival --------------------------------------------------------------


async def test_slots_before_pupil_and_pupil_before_school_are_not_lost(
    systeem: Systeem,
) -> None:
    # Given S01's slots, then the pupil, and only then its school (different keys,
    # so a different partition and order).
    systeem.vandaag("2025-09-17")
    vo = school("vo")
    p = leerling(vo, "2011-03-10")
    await systeem.bronnen.stuur(*s01(p))
    await systeem.bronnen.stuur(p)
    # A registration at DUO that arrives before the duty can even be evaluated.
    verwacht = meldplicht_id(str(p.leerling_id), "V3:2025-09-17")
    await systeem.bronnen.stuur(geregistreerd(p, verwacht))
    await systeem.verwerkt()
    beeld = await verzuimbeeld(systeem, p)
    assert beeld["meldplichten"] == []

    # When the school arrives.
    await systeem.bronnen.stuur(vo)

    # Then the duty is found, and the waiting registration applied to it.
    [melding] = await meldplichten_van(systeem, p)
    assert melding.meldplicht_id == verwacht
    await systeem.verwerkt()
    [open_duty] = (await verzuimbeeld(systeem, p))["meldplichten"]
    assert open_duty["status"] == "ingediend"


async def test_a_changed_school_policy_evaluates_its_pupils_again(
    systeem: Systeem,
) -> None:
    # Given S02's pupil: 15.5 klokuren, nothing reported under the default policy.
    systeem.vandaag("2025-10-09")
    po = school("po")
    p = leerling(po, "2017-05-02")
    await systeem.bronnen.stuur(
        po,
        p,
        *(klokminuten(p, d) for d in ("2025-10-06", "2025-10-07", "2025-10-08")),
        klokminuten(p, "2025-10-09", 30),
    )
    await systeem.verwerkt()
    assert (await verzuimbeeld(systeem, p))["signalen"] == []

    # When the school sets a signal threshold of 15.5 hours (P-SIGNAAL).
    await systeem.bronnen.stuur(
        po.model_copy(update={"beleid": {"signaalverzuimMinuten": 930}})
    )

    # Then the pupil is evaluated again with the new policy: a signal, no duty.
    berichten = await berichten_tot(
        systeem, p, lambda b: bool(van_soort(b, "SignaalAfgegeven"))
    )
    [signaal] = van_soort(berichten, "SignaalAfgegeven")
    assert (signaal.soort, signaal.datum) == ("signaalverzuim", date(2025, 10, 9))
    assert staande(berichten) == []


# --- the daily job -----------------------------------------------------------------


async def test_daily_job_adds_the_lrv_einddatum_when_the_pupil_is_back(
    systeem: Systeem,
) -> None:
    # Given a VO pupil absent every lesdag from 2025-09-15 through 2025-10-17.
    systeem.vandaag("2025-10-17")
    vo = school("vo")
    p = leerling(vo, "2011-03-10")
    dagen = TC_2526.lesdagen(date(2025, 9, 15), date(2025, 10, 17))
    await systeem.bronnen.stuur(
        vo, p, *(s for d in dagen for s in lesuren(p, d.isoformat()))
    )
    eerst = await berichten_tot(systeem, p, lambda b: bool(lrv_meldingen(b)))
    assert lrv_meldingen(eerst)[-1].einddatum is None
    # A batch may end inside the period: a duty then changes or lapses on the way.
    assert sorted(m.einddatum for m in staande(eerst) if m.verzuimsoort == "V3") == [
        date(2025, 9, 17),
        date(2025, 9, 24),
        date(2025, 10, 1),
        date(2025, 10, 8),
    ]

    # When the days pass: back on Mon 2025-10-27, that lesdag over on the 28th.
    systeem.vandaag("2025-10-27")
    await asyncio.sleep(0.5)
    systeem.vandaag("2025-10-28")

    # Then the LRV duty is published again, same id, with its einddatum (D7).
    daarna = await berichten_tot(
        systeem, p, lambda b: lrv_meldingen(b)[-1].einddatum is not None
    )
    lrv = lrv_meldingen(daarna)
    assert lrv[-1].einddatum == date(2025, 10, 17)
    assert len({m.meldplicht_id for m in lrv}) == 1


async def test_daily_job_files_a_held_back_repeat_when_its_day_comes(
    systeem: Systeem,
) -> None:
    # Given a first duty on Wed 2025-09-17 and 16 hours again by Mon 09-22, within
    # the 7 days of the repeat period (D7); after that the pupil attends.
    systeem.vandaag("2025-09-23")
    vo = school("vo")
    p = leerling(vo, "2011-03-10")
    slots = [
        *lesuren(p, "2025-09-15"),
        *lesuren(p, "2025-09-16"),
        *lesuren(p, "2025-09-17", [1, 2]),
        *(s for d in ("2025-09-18", "2025-09-19", "2025-09-22") for s in lesuren(p, d)),
    ]
    await systeem.bronnen.stuur(vo, p, *slots)
    [eerste] = await meldplichten_van(systeem, p)
    assert eerste.einddatum == date(2025, 9, 17)

    # When the repeat's day comes, with no new facts about the pupil.
    systeem.vandaag("2025-09-24")

    # Then the daily job finds the held-back duty.
    beide = await meldplichten_van(systeem, p, 2)
    assert sorted(m.einddatum for m in beide) == [date(2025, 9, 17), date(2025, 9, 22)]


def lrv_meldingen(berichten: list[Any]) -> list[Any]:
    return [
        m
        for m in van_soort(berichten, "MeldplichtVastgesteld")
        if m.verzuimsoort == "LRV"
    ]


# --- access and reports ------------------------------------------------------------


async def test_another_schools_pupil_is_not_found(systeem: Systeem) -> None:
    systeem.vandaag("2025-09-17")
    vreemd = school("vo")
    p = leerling(vreemd, "2011-03-10", school_id=ANDERE_SCHOOL)
    await systeem.bronnen.stuur(
        vreemd.model_copy(update={"school_id": ANDERE_SCHOOL}), p
    )
    await systeem.verwerkt()

    vreemde = await systeem.get(f"/leerlingen/{p.leerling_id}/verzuimbeeld")
    onbekend = await systeem.get(f"/leerlingen/{uuid.uuid4()}/verzuimbeeld")
    lijst = await systeem.get("/meldplichten", params={"schoolId": str(ANDERE_SCHOOL)})

    assert vreemde.status_code == onbekend.status_code == lijst.status_code == 404
    assert vreemde.headers["content-type"] == "application/problem+json"
    assert {k: v for k, v in vreemde.json().items() if k != "instance"} == {
        k: v for k, v in onbekend.json().items() if k != "instance"
    }
    zonder_sleutel = await systeem.client.get(
        f"/v1/leerlingen/{p.leerling_id}/verzuimbeeld", headers={"Authorization": ""}
    )
    assert zonder_sleutel.status_code == 401
    fout = await systeem.get("/trends", params={"schoolId": "geen-uuid"})
    assert fout.status_code == 400


async def test_trends_per_week_by_class_as_json_and_csv(systeem: Systeem) -> None:
    systeem.vandaag("2025-09-19")
    vo = school("vo")
    a = leerling(vo, "2011-03-10", klas="1A")
    b = leerling(vo, "2011-05-20", klas="1B")
    await systeem.bronnen.stuur(
        vo,
        a,
        b,
        *s01(a),
        *lesuren(
            b, "2025-09-18", [1, 2, 3], status="geoorloofd", reden="ZIEK", ziek=True
        ),
        *lesuren(b, "2025-09-19", [4], telt=False),
    )
    await meldplichten_van(systeem, a)

    json_antwoord = await systeem.get(
        "/trends",
        params={"schoolId": str(vo.school_id), "per": "week", "groepering": "klas"},
    )
    csv_antwoord = await systeem.get(
        "/trends",
        params={"schoolId": str(vo.school_id), "groepering": "reden"},
        headers={"Accept": "text/csv"},
    )

    assert json_antwoord.status_code == 200
    assert json_antwoord.json()["regels"] == [
        {
            "periode": "2025-W38",
            "groep": "1A",
            "geoorloofdMinuten": 0,
            "ongeoorloofdMinuten": 16 * 50,
            "onbekendMinuten": 0,
            "geoorloofdUren": 0.0,
            "ongeoorloofdUren": 13.33,
            "leerlingen": 1,
            "leerlingenMetMeldplicht": 1,
            "leerlingenMetSignaal": 0,
        },
        {
            "periode": "2025-W38",
            "groep": "1B",
            "geoorloofdMinuten": 150,
            "ongeoorloofdMinuten": 50,  # registered, though it does not count (telt)
            "onbekendMinuten": 0,
            "geoorloofdUren": 2.5,
            "ongeoorloofdUren": 0.83,
            "leerlingen": 1,
            "leerlingenMetMeldplicht": 0,
            "leerlingenMetSignaal": 0,
        },
    ]
    assert csv_antwoord.headers["content-type"].startswith("text/csv")
    regels = csv_antwoord.text.splitlines()
    assert regels[0].startswith("periode,groep,geoorloofdMinuten,ongeoorloofdMinuten")
    assert regels[1:] == [
        "2025-W38,SPIJB,0,850,0,0.0,14.17,2,1,0",
        "2025-W38,ZIEK,150,0,0,2.5,0.0,1,0,0",
    ]
    zelfde = await systeem.get(
        "/trends",
        params={"schoolId": str(vo.school_id), "groepering": "reden", "formaat": "csv"},
    )
    assert zelfde.text == csv_antwoord.text
