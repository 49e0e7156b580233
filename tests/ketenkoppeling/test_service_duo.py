"""The ketenkoppeling end to end: upstream events on the real broker, meldingen at the
real DUO stand-in over a socket, answers through the HTTP API and the own topic.

Every duty must end at DUO exactly once, whatever DUO does in between.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest

from contracts.analyse import MeldplichtVervallen
from contracts.common import Verzuimdag
from contracts.ketenkoppeling import (
    MeldingTermijnOverschreden,
    VerzuimmeldingStatusGewijzigd,
)
from contracts.opvolging import ActieAfgerond, BesluitGenomen
from services.ketenkoppeling.domain.verzuimmelding import melding_id
from services.ketenkoppeling.duo import documentnummer
from standins.duo import Storingen
from tests.ketenkoppeling.test_service_opzet import (
    BEGIN,
    BRIN,
    GEMEENTE,
    SCHOOL_A,
    SCHOOL_B,
    keten,
    leerling,
    maak_bsns,
    meldplicht,
    school,
    snelle_duo,  # noqa: F401 - fixture
    wacht_tot,
)

pytestmark = [
    pytest.mark.broker,
    pytest.mark.slow,
    pytest.mark.usefixtures("snelle_duo"),
]


def _adr_rules() -> Any:
    pad = Path(__file__).parents[1] / "platform" / "adr_rules.py"
    spec = importlib.util.spec_from_file_location("adr_rules_ketenkoppeling", pad)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


async def test_meldplicht_wordt_precies_een_melding_bij_duo(
    broker, tmp_path, unique, caplog
):
    caplog.set_level(logging.DEBUG)
    bsn_a, bsn_b = maak_bsns(2)
    leerling_a, leerling_b = uuid4(), uuid4()
    plicht_a, plicht_b = uuid4(), uuid4()

    async with keten(broker, tmp_path, unique) as k:
        # given: schools and pupils from registratie, an action from opvolging
        await k.publiceer(
            school(),
            school(SCHOOL_B, brin="98YY"),
            leerling(leerling_a, bsn_a),
            leerling(leerling_b, bsn_b, SCHOOL_B),
            ActieAfgerond(
                dossier_id=uuid4(),
                leerling_id=leerling_a,
                school_id=SCHOOL_A,
                actie_id=uuid4(),
                titel="Gesprek mentor met ouders",
                uitkomst="Afspraak gemaakt",
                afgerond_op=date(2025, 9, 22),
            ),
        )
        # when: analyse states the duties
        await k.publiceer(
            meldplicht(plicht_a, leerling_a), meldplicht(plicht_b, leerling_b, SCHOOL_B)
        )

        # then: each is one melding at DUO, with the decrypted BSN and the routing
        await wacht_tot(lambda: len(k.beheer_meldingen()) == 2, wat="twee bij DUO")
        [bij_duo] = [
            m for m in k.bij_duo() if m.document_id == documentnummer(str(plicht_a))
        ]
        assert (bij_duo.pgn_soort, bij_duo.pgn) == ("BSN", bsn_a)
        assert (bij_duo.brin, bij_duo.gemeentecode) == (BRIN, GEMEENTE)
        assert (bij_duo.verzuimsoort, bij_duo.begindatum) == ("V3", date(2025, 9, 22))
        assert bij_duo.einddatum == date(2025, 10, 3)

        eigen = melding_id(plicht_a)
        [stand] = await wacht_tot(
            lambda: _met_status(k.meldingen(schoolId=str(SCHOOL_A)), "geregistreerd"),
            wat="geregistreerd in de API",
        )
        assert stand["meldingId"] == str(eigen)
        assert stand["meldingsnummer"] == bij_duo.meldingsnummer
        assert stand["pogingen"] == 1
        assert stand["vervaldatum"] == "2025-10-10"

        # and DUO's status feedback comes back as events (duo.md 6)
        k.klok.verzet(61)
        await wacht_tot(
            lambda: _status_van(k, eigen, "inBehandeling"), wat="in behandeling"
        )
        k.klok.verzet(120)
        detail = await wacht_tot(
            lambda: _status_van(k, eigen, "afgesloten"), wat="afgesloten"
        )
        assert detail["reden"]
        gebeurtenissen = [g["gebeurtenis"] for g in detail["historie"]]
        assert gebeurtenissen[:3] == ["Aangemaakt", "PogingGestart", "Geregistreerd"]

        gepubliceerd = await wacht_tot(
            lambda: _statussen_op_topic(k, eigen, 4), wat="vier statussen op het topic"
        )
        assert gepubliceerd == [
            "wachtend",
            "geregistreerd",
            "inBehandeling",
            "afgesloten",
        ]

        # another school's melding answers exactly as a missing one
        vreemd = await k.api.get(f"/v1/verzuimmeldingen/{melding_id(plicht_b)}")
        onbekend = await k.api.get(f"/v1/verzuimmeldingen/{uuid4()}")
        assert vreemd.status_code == onbekend.status_code == 404
        assert _zonder_instance(vreemd.json()) == _zonder_instance(onbekend.json())
        lijst_b = await k.api.get(
            "/v1/verzuimmeldingen", params={"schoolId": str(SCHOOL_B)}
        )
        assert lijst_b.status_code == 404
        zonder_filter = await k.meldingen()
        assert [m["meldingId"] for m in zonder_filter] == [str(eigen)]
        assert await k.meldingen(status="wachtend") == []
        assert len(await k.meldingen(verzuimsoort="V3")) == 1
        ongeldig = await k.api.get("/v1/verzuimmeldingen", params={"status": "onzin"})
        assert ongeldig.status_code == 400

        antwoorden = [vreemd.text, onbekend.text, lijst_b.text, ongeldig.text]
        antwoorden.append((await k.api.get("/v1/verzuimmeldingen")).text)
        antwoorden.append((await k.api.get(f"/v1/verzuimmeldingen/{eigen}")).text)
        openapi = (await k.api.get("/v1/openapi.json")).json()

    assert _adr_rules().lint(openapi) == []
    # No BSN in any API answer or log line.
    for bsn in (bsn_a, bsn_b):
        assert not any(bsn in antwoord for antwoord in antwoorden)
        assert not any(bsn in record.getMessage() for record in caplog.records)
        assert not any(bsn in str(record.__dict__) for record in caplog.records)


async def _met_status(lijst: Any, status: str) -> list[dict[str, Any]] | None:
    meldingen = await lijst
    return (
        meldingen
        if meldingen and all(m["status"] == status for m in meldingen)
        else None
    )


async def _status_van(k: Any, melding: UUID, status: str) -> dict[str, Any] | None:
    antwoord = await k.api.get(f"/v1/verzuimmeldingen/{melding}")
    if antwoord.status_code == 404:
        return None  # the duty has not arrived yet
    assert antwoord.status_code == 200, antwoord.text
    detail = antwoord.json()
    return detail if detail["status"] == status else None


async def _statussen_op_topic(k: Any, melding: UUID, aantal: int) -> list[str] | None:
    statussen = [
        g.status
        for g in await k.eigen_gebeurtenissen()
        if isinstance(g, VerzuimmeldingStatusGewijzigd) and g.melding_id == melding
    ]
    return statussen if len(statussen) >= aantal else None


def _zonder_instance(probleem: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in probleem.items() if k not in ("instance", "correlationId")}


async def _allemaal_geregistreerd(k: Any, aantal: int) -> list[dict[str, Any]] | None:
    meldingen = await k.meldingen(schoolId=str(SCHOOL_A))
    klaar = [m for m in meldingen if m["status"] == "geregistreerd"]
    return meldingen if len(klaar) == aantal == len(meldingen) else None


async def _nieuwe_duties(k: Any, aantal: int) -> list[UUID]:
    leerlingen = [uuid4() for _ in range(aantal)]
    plichten = [uuid4() for _ in range(aantal)]
    await k.publiceer(
        school(),
        *(
            leerling(lid, bsn)
            for lid, bsn in zip(leerlingen, maak_bsns(aantal), strict=True)
        ),
    )
    await k.publiceer(
        *(meldplicht(p, lid) for p, lid in zip(plichten, leerlingen, strict=True))
    )
    return plichten


def _precies_eenmaal(
    k: Any, plichten: list[UUID], meldingen: list[dict[str, Any]]
) -> None:
    bij_duo = k.beheer_meldingen()
    documenten = Counter(m["document_id"] for m in bij_duo)
    assert documenten == Counter(documentnummer(str(p)) for p in plichten)
    nummers = {m["document_id"]: m["meldingsnummer"] for m in bij_duo}
    eigen = {m["meldplichtId"]: m["meldingsnummer"] for m in meldingen}
    assert eigen == {str(p): nummers[documentnummer(str(p))] for p in plichten}


async def test_storingen_en_timeouts_geven_elke_melding_precies_eenmaal(
    broker, tmp_path, unique
):
    async with keten(broker, tmp_path, unique) as k:
        # given: DUO fails 30% of requests (half of them after storing) and answers
        # too late for 30% of new meldingen, after storing them
        k.standin.storingen = Storingen(
            fractie_5xx=0.3, fractie_timeout_na_accept=0.3, timeout_slaap_ms=1_500
        )

        # when: twelve duties arrive
        plichten = await _nieuwe_duties(k, 12)

        # then: every duty is at DUO exactly once, under the number we recorded
        meldingen = await wacht_tot(
            lambda: _allemaal_geregistreerd(k, 12), seconden=60, wat="12 geregistreerd"
        )
        _precies_eenmaal(k, plichten, meldingen)
        uitkomsten = [v["uitkomst"] for v in k.verzoeken()]
        assert any("laat beantwoord" in u for u in uitkomsten)
        assert any(u.startswith("DC0018, dan fault") for u in uitkomsten)
        assert any(u == "fault soapenv:Server: interne fout" for u in uitkomsten)


async def test_tien_minuten_uitval_verliest_niets(broker, tmp_path, unique):
    async with keten(broker, tmp_path, unique) as k:
        # given: DUO is down for ten minutes of its own (fast) time
        k.standin.voeg_uitval_toe(seconden=600)
        plichten = await _nieuwe_duties(k, 3)
        await wacht_tot(
            lambda: sum(v["http_status"] == 503 for v in k.verzoeken()) >= 12,
            wat="herhaalde pogingen tijdens de uitval",
        )
        tijdens = await k.meldingen()
        assert {m["status"] for m in tijdens} == {"wachtend"}
        assert all(m["laatsteFout"] for m in tijdens if m["pogingen"])

        # when: the ten minutes pass
        for _ in range(10):
            k.klok.verzet(60)
            await asyncio.sleep(0.1)

        # then: every duty reaches DUO exactly once
        meldingen = await wacht_tot(
            lambda: _allemaal_geregistreerd(k, 3), seconden=30, wat="na de uitval"
        )
        _precies_eenmaal(k, plichten, meldingen)


async def test_dc0002_wordt_afgewezen_zonder_herhaling(broker, tmp_path, unique):
    async with keten(broker, tmp_path, unique) as k:
        k.standin.storingen = Storingen(fractie_afwijzing=1.0)

        [plicht] = await _nieuwe_duties(k, 1)

        eigen = melding_id(plicht)
        detail = await wacht_tot(
            lambda: _status_van(k, eigen, "afgewezen"), wat="afgewezen"
        )
        assert detail["reden"] == "F900: afgewezen (storing in de stand-in)"
        await asyncio.sleep(1.0)  # the sender keeps running: nothing is sent again
        verzoeken = [
            v for v in k.verzoeken() if v["document_id"] == documentnummer(str(plicht))
        ]
        assert [v["uitkomst"] for v in verzoeken] == ["DC0002 F900"]
        assert (await k.melding(eigen))["pogingen"] == 1
        assert k.beheer_meldingen() == []


def _besluit(leerling_id: UUID, plicht: UUID, besluit: str) -> BesluitGenomen:
    return BesluitGenomen(
        dossier_id=uuid4(),
        leerling_id=leerling_id,
        school_id=SCHOOL_A,
        besluit=besluit,
        verwijzing_id=plicht,
        door="vc-test",
        op=BEGIN,
    )


async def test_levensloop_intrekking_achterstallig_vervallen_en_lrv(
    broker, tmp_path, unique
):
    leerlingen = [uuid4() for _ in range(4)]
    plicht = [uuid4() for _ in range(4)]
    achterstallig = {
        "achterstallig": True,
        "begindatum": date(2025, 8, 25),
        "einddatum": date(2025, 9, 5),
        "vervaldatum": date(2025, 9, 12),
        "verzuimdagen": [Verzuimdag(datum=date(2025, 9, 1), hele_dag=True)],
    }

    async with keten(broker, tmp_path, unique) as k:
        await k.publiceer(
            school(),
            *(
                leerling(lid, b)
                for lid, b in zip(leerlingen, maak_bsns(4), strict=True)
            ),
        )
        # given: a normal duty, two achterstallige (D17) and an LRV without end (D7)
        await k.publiceer(
            meldplicht(plicht[0], leerlingen[0]),
            meldplicht(plicht[1], leerlingen[1], **achterstallig),
            meldplicht(plicht[2], leerlingen[2], **achterstallig),
            meldplicht(
                plicht[3],
                leerlingen[3],
                verzuimsoort="LRV",
                einddatum=None,
                vervaldatum=date(2025, 10, 10),
                verzuimdagen=[],
            ),
        )
        documenten = [documentnummer(str(p)) for p in plicht]

        def bij_duo(document: str) -> dict[str, Any] | None:
            gevonden = [m for m in k.beheer_meldingen() if m["document_id"] == document]
            return gevonden[0] if gevonden else None

        await wacht_tot(lambda: bij_duo(documenten[0]) and bij_duo(documenten[3]))
        # the achterstallige wait for the verzuimcoördinator, and are overdue (D4)
        await wacht_tot(
            lambda: _status_van(k, melding_id(plicht[1]), "wachtOpBevestiging"),
            wat="wacht op bevestiging",
        )
        await asyncio.sleep(0.5)
        assert bij_duo(documenten[1]) is None and bij_duo(documenten[2]) is None
        overschreden = await wacht_tot(
            lambda: _termijn_gepubliceerd(
                k, {melding_id(plicht[1]), melding_id(plicht[2])}
            ),
            wat="termijn overschreden gepubliceerd",
        )
        assert overschreden == {date(2025, 9, 12)}
        metrics = (await k.api.get("/metrics")).text
        assert "ketenkoppeling_meldingen_termijn_overschreden_total 2.0" in metrics
        assert "ketenkoppeling_meldingen_over_termijn 2.0" in metrics

        await wacht_tot(
            lambda: _status_van(k, melding_id(plicht[0]), "geregistreerd"),
            wat="eerste geregistreerd",
        )
        # when: withdrawal confirmed (D15), backfill confirmed (D17), a duty cancelled
        # before sending (D15) and the LRV einddatum known (D7)
        await k.publiceer(
            _besluit(leerlingen[0], plicht[0], "intrekkingBevestigd"),
            _besluit(leerlingen[1], plicht[1], "achterstalligBevestigd"),
            MeldplichtVervallen(
                meldplicht_id=plicht[2],
                leerling_id=leerlingen[2],
                school_id=SCHOOL_A,
                reden="Na correctie geen 16 uur meer.",
            ),
            meldplicht(
                plicht[3],
                leerlingen[3],
                verzuimsoort="LRV",
                einddatum=date(2025, 10, 3),
                vervaldatum=date(2025, 10, 10),
                verzuimdagen=[],
            ),
        )

        # then
        ingetrokken = await wacht_tot(
            lambda: (m := bij_duo(documenten[0])) and m["status"] == "I" and m,
            wat="intrekking bij DUO",
        )
        assert len(ingetrokken["mutaties"]) == 1
        await wacht_tot(
            lambda: _status_van(k, melding_id(plicht[0]), "ingetrokken"),
            wat="ingetrokken",
        )
        await wacht_tot(lambda: bij_duo(documenten[1]), wat="achterstallige verzonden")
        await wacht_tot(
            lambda: _status_van(k, melding_id(plicht[2]), "vervallen"), wat="vervallen"
        )
        lrv = await wacht_tot(
            lambda: (m := bij_duo(documenten[3])) and m["einddatum"] and m,
            wat="LRV einddatum bij DUO",
        )
        assert lrv["einddatum"] == "2025-10-03"
        assert lrv["verzuimsoort"] == "LRV"
        await asyncio.sleep(0.3)
        assert bij_duo(documenten[2]) is None
        assert len(k.beheer_meldingen()) == 3


async def _termijn_gepubliceerd(k: Any, meldingen: set[UUID]) -> set[date] | None:
    gevonden = {
        g.melding_id: g.vervaldatum
        for g in await k.eigen_gebeurtenissen()
        if isinstance(g, MeldingTermijnOverschreden)
    }
    return set(gevonden.values()) if set(gevonden) == meldingen else None


async def test_herstart_midden_in_verzending_maakt_geen_dubbele(
    broker, tmp_path, unique, monkeypatch
):
    # The answer comes after 3 s; the client would wait 10 s: we stop in between.
    monkeypatch.setenv("DUO_TIMEOUT_SECONDEN", "10")
    async with keten(broker, tmp_path, unique) as k:
        k.standin.storingen = Storingen(
            fractie_timeout_na_accept=1.0, timeout_slaap_ms=3_000
        )
        [plicht] = await _nieuwe_duties(k, 1)
        await wacht_tot(
            lambda: len(k.beheer_meldingen()) == 1, wat="DUO heeft de melding"
        )
        detail = await k.melding(melding_id(plicht))
        assert detail["status"] == "wachtend"  # our side has no answer yet

        # when: the service restarts while the call is under way
        await k.stop()
        k.standin.storingen = Storingen()
        await k.start()

        # then: it finds the melding at DUO instead of sending it again (T6)
        detail = await wacht_tot(
            lambda: _status_van(k, melding_id(plicht), "geregistreerd"),
            wat="geregistreerd na herstart",
        )
        [bij_duo] = k.beheer_meldingen()
        assert detail["meldingsnummer"] == bij_duo["meldingsnummer"]
        uitkomsten = [v["uitkomst"] for v in k.verzoeken()]
        # One melden, then only questions: the check after the restart, and on a
        # busy machine a status poll may ask once more before the test looks.
        assert uitkomsten[0] == "DC0018, laat beantwoord"
        assert set(uitkomsten[1:]) == {"DC0011 (1)"}
