"""Push a school year through the analyse consumer on the embedded broker.

One made-up VO school with 1,500 pupils and about 150,000 classified lesson slots,
published on the registratie topic the way registratie's relay would (day by day,
one `VerzuimdagBijgewerkt` per change of a pupil-day), then consumed by a running
analyse service: store, consumer, relay and read model, as in production but
without HTTP. Prints the seconds to apply everything, to publish the results, and
the peak RSS of this process (the broker runs in its own process and is not
counted). Run:

    .venv/bin/python benchmarks/analyse_service.py [--leerlingen 1500] [--seed 7]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, date, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import cast

from aiokafka import AIOKafkaProducer

from contracts.common import Kalender, Lesuur, Periode, Rooster, VersleuteldPgn
from contracts.envelope import ContractEvent, encode, wrap
from contracts.registratie import (
    LeerlingGeregistreerd,
    SchoolGeregistreerd,
    VerzuimdagBijgewerkt,
    VerzuimGeclassificeerd,
)
from contracts.topics import REGISTRATIE
from leerplicht.fixtures import TC_2526, VO_ROOSTER
from plumbing.broker import EmbeddedBroker
from plumbing.runtime import ServiceRuntime
from services.analyse.application import Analyse
from services.analyse.service import SPEC, Settings

SCHOOL = uuid.UUID(int=0x5C00)
LESDAGEN = TC_2526.lesdagen(date(2025, 9, 1), date(2026, 7, 17))
LAATSTE_DAG = LESDAGEN[-1]


def school() -> SchoolGeregistreerd:
    def perioden(ps: tuple[object, ...]) -> list[Periode]:
        return [Periode(van=p.van, tot=p.tot) for p in ps]  # type: ignore[attr-defined]

    return SchoolGeregistreerd(
        school_id=SCHOOL,
        brin="99ZZ",
        naam="Benchmarkcollege",
        sector="vo",
        kalender=Kalender(
            vakanties=perioden(TC_2526.vakanties),
            vrije_dagen=perioden(TC_2526.vrije_dagen),
            studiedagen=perioden(TC_2526.studiedagen),
            eerste_schooldag=TC_2526.eerste_schooldag,
        ),
        rooster=Rooster(
            lesuren={
                str(dag): [
                    Lesuur(nummer=lu.nummer, begin=lu.begin, eind=lu.eind)
                    for lu in lessen
                ]
                for dag, lessen in VO_ROOSTER.per_weekdag.items()
            }
        ),
    )


def leerlingen(aantal: int, rnd: random.Random) -> list[LeerlingGeregistreerd]:
    return [
        LeerlingGeregistreerd(
            leerling_id=uuid.UUID(int=0x1_0000 + i),
            school_id=SCHOOL,
            geboortedatum=date(2008 + rnd.randrange(5), rnd.randrange(1, 13), 15),
            woongemeente="Teststad",
            inschrijving_vanaf=date(2025, 8, 1),
            klas=f"{1 + i % 6}{'ABCDE'[i % 5]}",
            leerjaar=1 + i % 6,
            pgn=VersleuteldPgn(soort="bsn", versleuteld="bm90LWVlbi1ic24="),
        )
        for i in range(aantal)
    ]


def _slot(
    p: LeerlingGeregistreerd, dag: date, lesuur: int, status: str, reden: str
) -> VerzuimGeclassificeerd:
    return VerzuimGeclassificeerd(
        leerling_id=p.leerling_id,
        school_id=SCHOOL,
        slot_id=f"{dag.isoformat()}/{lesuur}",
        datum=dag,
        lesuur=lesuur,
        status=status,  # type: ignore[arg-type]
        reden_code=reden,
        soort="afwezig",
        minuten=60,  # D3: a fully missed lesuur of 50 minutes counts 60
        gemiste_minuten=50,
        eenheid="lesuur",
        ziek=status == "geoorloofd",
    )


def schooljaar(
    pupils: list[LeerlingGeregistreerd], per_leerling: int, rnd: random.Random
) -> dict[date, list[VerzuimdagBijgewerkt]]:
    """Per lesdag the changed pupil-days: sick days, truancy, single lesuren."""
    per_dag: dict[date, list[VerzuimdagBijgewerkt]] = {d: [] for d in LESDAGEN}
    for p in pupils:
        doel = max(7, int(rnd.expovariate(1 / per_leerling)))
        geteld = 0
        while geteld < doel:
            dag = rnd.choice(LESDAGEN)
            kans = rnd.random()
            if kans < 0.45:  # a day sick, geoorloofd
                slots = [_slot(p, dag, lu, "geoorloofd", "ZIEK") for lu in range(1, 8)]
            elif kans < 0.75:  # a day away without reason
                slots = [
                    _slot(p, dag, lu, "ongeoorloofd", "SPIJB") for lu in range(1, 8)
                ]
            else:  # a few lesuren skipped
                uren = sorted(rnd.sample(range(1, 8), rnd.randint(1, 3)))
                slots = [_slot(p, dag, lu, "ongeoorloofd", "SPIJB") for lu in uren]
            per_dag[dag].append(VerzuimdagBijgewerkt.van_slots(slots))
            geteld += len(slots)
    return per_dag


async def publiceer(bootstrap: str, topic: str, events: list[ContractEvent]) -> float:
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", linger_ms=5, max_batch_size=512 * 1024
    )
    await producer.start()
    begin = time.perf_counter()
    try:
        futures = []
        for volgnummer, event in enumerate(events, start=1):
            envelope = wrap(
                event,
                event_id=str(uuid.uuid4()),
                sequence=volgnummer,
                time=datetime.now(UTC),
            )
            futures.append(
                await producer.send(
                    topic, value=encode(envelope), key=envelope.partitionkey.encode()
                )
            )
        await asyncio.gather(*futures)
    finally:
        await producer.stop()
    return time.perf_counter() - begin


async def verwerk(runtime: ServiceRuntime, aantal: int) -> None:
    """Start the service and wait until it applied `aantal` messages and published
    everything that follows from them."""
    begin = time.perf_counter()
    await runtime.start()
    consumer, relay = runtime.consumer, runtime.relay
    assert consumer is not None and relay is not None
    while consumer.stats.batches == 0:
        await asyncio.sleep(0.01)
    eerste = time.perf_counter() - begin
    cpu = time.process_time()
    while consumer.stats.applied + consumer.stats.dead_lettered < aantal:
        await asyncio.sleep(0.05)
    toegepast = time.perf_counter() - begin
    cpu = time.process_time() - cpu
    app = cast(Analyse, runtime.require_app())
    laatste = app.recorder.max_notification_id() or 0
    while relay.position() < laatste:
        await asyncio.sleep(0.05)
    gepubliceerd = time.perf_counter() - begin

    print(f"first batch stored after {eerste:.1f} s (start, group join, 1 batch)")
    print(
        f"all {aantal:,} applied after {toegepast:.1f} s: "
        f"{aantal / (toegepast - eerste):,.0f} messages/s after the first batch, "
        f"{cpu:.1f} s CPU in this process; {consumer.stats.batches} batches, "
        f"{consumer.stats.dead_lettered} dead-lettered"
    )
    print(
        f"results published after {gepubliceerd:.1f} s "
        f"({relay.stats.published:,} messages)"
    )
    app.leesmodel.bij()
    soorten = Counter(
        m.verzuimsoort
        for stand in app.leesmodel.leerlingen.values()
        for m in stand.meldplichten.values()
        if m.status == "open"
    )
    print(f"open duties: {dict(sorted(soorten.items()))}")


def maak_en_publiceer(
    bootstrap: str, topic: str, aantal: int, per_leerling: int, seed: int
) -> tuple[int, int, float]:
    """Runs in a child process, so the school year's messages do not count in the
    service's memory. Returns (messages, slots, seconds publishing)."""
    rnd = random.Random(seed)
    pupils = leerlingen(aantal, rnd)
    per_dag = schooljaar(pupils, per_leerling, rnd)
    events: list[ContractEvent] = [school(), *pupils]
    for dag in LESDAGEN:
        # registratie publishes a day's import pupil by pupil
        events += sorted(per_dag[dag], key=lambda d: str(d.leerling_id))
    seconden = asyncio.run(publiceer(bootstrap, topic, events))
    slots = sum(len(d.slots) for dag in LESDAGEN for d in per_dag[dag])
    return len(events), slots, seconden


async def meet(aantal: int, per_leerling: int, seed: int, batch: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with EmbeddedBroker() as broker:
            settings = Settings(
                verzuim_data_dir=Path(tmp),
                kafka_bootstrap_servers=broker.bootstrap,
                kafka_topic_prefix="bench.",
                verzuim_klok=LAATSTE_DAG.isoformat(),
                relay_poll_seconds=0.05,
                consumer_batch_size=batch,
                analyse_dagtaak_seconden=3600,
            )
            runtime = ServiceRuntime(SPEC, settings)
            await runtime.ensure_topics()
            topic = runtime.topic(REGISTRATIE)
            with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as pool:
                (
                    berichten,
                    slots,
                    seconden,
                ) = await asyncio.get_running_loop().run_in_executor(
                    pool,
                    maak_en_publiceer,
                    broker.bootstrap,
                    topic,
                    aantal,
                    per_leerling,
                    seed,
                )
            print(
                f"published {berichten:,} events ({slots:,} slots) in {seconden:.1f} s"
            )
            try:
                await verwerk(runtime, berichten)
            finally:
                await runtime.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the service process {peak:.0f} MB (batches of {batch})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leerlingen", type=int, default=1500)
    parser.add_argument("--slots-per-leerling", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", type=int, default=Settings().consumer_batch_size)
    args = parser.parse_args()
    asyncio.run(meet(args.leerlingen, args.slots_per_leerling, args.seed, args.batch))


if __name__ == "__main__":
    main()
