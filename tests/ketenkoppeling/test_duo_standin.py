"""The DUO adapter against the real stand-in over a real socket.

The stand-in runs under uvicorn in a thread on a free loopback port, with a clock the
test moves. All data is fabricated (constructed test numbers, BRIN 99XX).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from lxml import etree

from services.ketenkoppeling.duo import (
    DuoAfwijzing,
    DuoClient,
    DuoMelding,
    DuoMutatie,
    DuoOnbereikbaar,
    DuoSettings,
    Melder,
    MeldingStatus,
    Mutatiesoort,
    Onderwijsdeelname,
    SoortOpleiding,
    Verzuimdag,
    Verzuimsoort,
    berichten,
    documentnummer,
    soap,
)
from services.ketenkoppeling.duo.soap import MELDEN, q
from services.ketenkoppeling.duo.tijdstip import AMSTERDAM
from standins.duo import (
    DuoStandin,
    HandKlok,
    Register,
    StandinInThread,
    Storingen,
    maak_certificaten,
)

BSN = "123456782"
BEGIN = datetime(2025, 9, 18, 9, 0, tzinfo=AMSTERDAM)


def maak_melding(volgnummer: int = 1, **wijzigingen: object) -> DuoMelding:
    melding = DuoMelding(
        document_id=documentnummer(f"meldplicht-{volgnummer:04d}"),
        verzuimsoort=Verzuimsoort.V3,
        brin="99XX",
        gemeentecode="0599",
        onderwijsdeelname=Onderwijsdeelname(SoortOpleiding.VO, leerjaar_vo=2),
        begindatum=date(2025, 9, 8),
        einddatum=date(2025, 9, 12),
        vermoedelijke_reden="Reden onbekend, geen contact met ouders",
        melder=Melder(naam="Joost Testmelder", email="verzuim@testschool.example"),
        actie_ondernomen=False,
        toelichting_actie_gewenst="Huisbezoek door de leerplichtambtenaar",
        bsn=BSN,
        verzuimdagen=(Verzuimdag(date(2025, 9, 8), hele_dag=True),),
    )
    return dataclasses.replace(melding, **wijzigingen)


@pytest.fixture
def klok() -> HandKlok:
    return HandKlok(BEGIN)


@pytest.fixture
def standin(klok: HandKlok) -> DuoStandin:
    register = Register(
        klok, behandeling_na=timedelta(seconds=60), afsluiting_na=timedelta(seconds=120)
    )
    return DuoStandin(register, klok, seed=20250918)


@pytest.fixture
def server(standin: DuoStandin) -> Iterator[StandinInThread]:
    with StandinInThread(standin) as draaiend:
        yield draaiend


@pytest.fixture(scope="module")
def validatieserver() -> Iterator[StandinInThread]:
    """One stand-in for the checks that store nothing, so they share it."""
    klok = HandKlok(BEGIN)
    register = Register(
        klok, behandeling_na=timedelta(seconds=60), afsluiting_na=timedelta(seconds=60)
    )
    with StandinInThread(DuoStandin(register, klok)) as draaiend:
        yield draaiend


def instellingen(endpoint: str, **extra: object) -> DuoSettings:
    waarden: dict[str, object] = {
        "endpoint": endpoint,
        "pogingen": 4,
        "timeout_seconden": 2.0,
        "wacht_initieel_seconden": 0,
        "wacht_max_seconden": 0,
        "wacht_jitter_seconden": 0,
        **extra,
    }
    return DuoSettings(**waarden)


def client(server: StandinInThread, klok: HandKlok, **extra: object) -> DuoClient:
    # The client shares the stand-in's clock, as a client and DUO share real time.
    return DuoClient(instellingen(server.endpoint, **extra), klok=klok.nu)


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as gedeeld:
        yield gedeeld


def beheer(http: httpx.Client, server: StandinInThread, pad: str) -> Any:
    antwoord = http.get(server.basis + pad)
    antwoord.raise_for_status()
    return antwoord.json()


def meldingen(http: httpx.Client, server: StandinInThread) -> list[dict[str, Any]]:
    return beheer(http, server, "/beheer/meldingen")["meldingen"]


# --- accept and duplicates ----------------------------------------------------------


async def test_melding_wordt_geaccepteerd_en_vastgelegd(http, server, klok):
    melding = maak_melding()

    async with client(server, klok) as duo:
        bevestiging = await duo.melden(melding)

    assert bevestiging.status is MeldingStatus.GEREGISTREERD
    assert bevestiging.laatste_mutatie == BEGIN
    vastgelegd = meldingen(http, server)
    assert [(m["document_id"], m["meldingsnummer"]) for m in vastgelegd] == [
        (melding.document_id, bevestiging.meldingsnummer)
    ]
    assert vastgelegd[0]["status"] == "R"
    assert vastgelegd[0]["pgn_soort"] == "BSN"
    assert BSN not in http.get(server.basis + "/beheer/meldingen").text


async def test_melding_met_onderwijsnummer_wordt_geaccepteerd(http, server, klok):
    melding = maak_melding(bsn=None, onderwijsnummer="101234564")

    async with client(server, klok) as duo:
        await duo.melden(melding)

    [vastgelegd] = meldingen(http, server)
    assert vastgelegd["pgn_soort"] == "Onderwijsnummer"


async def test_herhaald_documentnummer_geeft_hetzelfde_meldingsnummer(
    http, server, klok
):
    melding = maak_melding()

    async with client(server, klok) as duo:
        eerste = await duo.melden(melding)
        tweede = await duo.melden(melding)

    assert tweede.meldingsnummer == eerste.meldingsnummer
    assert len(meldingen(http, server)) == 1
    uitkomsten = [v["uitkomst"] for v in beheer(http, server, "/beheer/verzoeken")]
    assert uitkomsten == ["DC0018", "DC0018 (herhaald)"]


async def test_documentnummer_met_andere_inhoud_wordt_geweigerd(http, server, klok):
    async with client(server, klok) as duo:
        await duo.melden(maak_melding())
        with pytest.raises(DuoAfwijzing) as afwijzing:
            await duo.melden(maak_melding(vermoedelijke_reden="Andere tekst"))

    assert afwijzing.value.code == "F230"
    assert len(meldingen(http, server)) == 1


# --- validation like DUO ------------------------------------------------------------


def _zet(pad: str, waarde: str):
    def wijzig(payload: etree._Element) -> None:
        payload.find("/".join(q(deel) for deel in pad.split("/"))).text = waarde

    return wijzig


def _verwijder(pad: str):
    def wijzig(payload: etree._Element) -> None:
        element = payload.find("/".join(q(deel) for deel in pad.split("/")))
        element.getparent().remove(element)

    return wijzig


def _als_onderwijsnummer(nummer: str):
    def wijzig(payload: etree._Element) -> None:
        bsn = payload.find(f"{q('Onderwijsontvanger')}/{q('BSN')}")
        bsn.tag = q("Onderwijsnummer")
        bsn.text = nummer

    return wijzig


@pytest.mark.parametrize(
    ("wijzig", "code", "veld"),
    [
        (_zet("Onderwijsontvanger/BSN", "123456789"), "F110", "BSN"),
        # A valid BSN is never a valid onderwijsnummer (mod 11 is 0 versus 5).
        (_als_onderwijsnummer("100252333"), "F111", "Onderwijsnummer"),
        (_zet("IdentificatieOnderwijsinstelling/BRIN", "99xx"), "F100", "BRIN"),
        (_zet("VerzendendeInstantie", "98XX"), "F121", "VerzendendeInstantie"),
        (
            _zet("IdentificatieUitvoerderVSV/CodeUitvoerderVSV", "000363"),
            "F130",
            "CodeUitvoerderVSV",
        ),
        (
            _verwijder("MeldingRelatiefVerzuim/ToelichtingActieGewenst"),
            "F140",
            "ToelichtingActieGewenst",
        ),
        (_verwijder("MeldingRelatiefVerzuim/Eindverzuim"), "F140", "Eindverzuim"),
        (_zet("MeldingRelatiefVerzuim/Verzuimsoort", "LRV"), "F150", "Eindverzuim"),
        (
            _zet("MeldingRelatiefVerzuim/Eindverzuim", "2025-09-01"),
            "F150",
            "Eindverzuim",
        ),
        (
            _zet("MeldingRelatiefVerzuim/VermoedelijkeReden", "r" * 201),
            "F100",
            "VermoedelijkeReden",
        ),
        (_zet("MeldingRelatiefVerzuim/Verzuimsoort", "V2"), "F100", "Verzuimsoort"),
    ],
    ids=[
        "elfproef",
        "onderwijsnummer",
        "brin",
        "afzender",
        "routering",
        "actie-gewenst",
        "einddatum-v3",
        "lrv-met-einddatum",
        "eind-voor-begin",
        "reden-te-lang",
        "v2",
    ],
)
def test_standin_valideert_als_duo(http, validatieserver, wijzig, code, veld):
    server = validatieserver
    # Past the client's own checks: a hand-altered request, posted directly.
    payload = berichten.melden_verzoek(maak_melding())
    wijzig(payload)

    antwoord = http.post(
        server.endpoint,
        content=soap.verpak(payload),
        headers={"Content-Type": soap.CONTENT_TYPE, "SOAPAction": MELDEN.soap_action},
    )

    assert antwoord.status_code == 200
    with pytest.raises(DuoAfwijzing) as afwijzing:
        berichten.lees_melden_antwoord(soap.pak_uit(antwoord.content))
    assert afwijzing.value.code == code
    assert veld in afwijzing.value.velden
    assert meldingen(http, server) == []


def test_verkeerde_soapaction_is_een_client_fault(http, validatieserver):
    server = validatieserver
    payload = berichten.melden_verzoek(maak_melding())

    antwoord = http.post(
        server.endpoint,
        content=soap.verpak(payload),
        headers={"Content-Type": soap.CONTENT_TYPE, "SOAPAction": '"iets-anders"'},
    )

    assert antwoord.status_code == 500
    with pytest.raises(soap.SoapFault) as fault:
        soap.pak_uit(antwoord.content)
    assert fault.value.door_afzender


async def test_gedwongen_dc0002_wordt_niet_herhaald(http, server, standin, klok):
    antwoord = http.put(
        server.basis + "/beheer/storingen", json={"fractie_afwijzing": 1.0}
    )
    assert antwoord.status_code == 200

    async with client(server, klok) as duo:
        with pytest.raises(DuoAfwijzing) as afwijzing:
            await duo.melden(maak_melding())

    assert afwijzing.value.code == "F900"
    assert len(beheer(http, server, "/beheer/verzoeken")) == 1
    assert meldingen(http, server) == []


def test_beheer_weigert_ongeldige_storingen(http, server):
    antwoord = http.put(server.basis + "/beheer/storingen", json={"fractie_5xx": 2})

    assert antwoord.status_code == 422


# --- status and mutaties ------------------------------------------------------------


async def test_status_loopt_van_r_via_b_naar_g_of_k(server, klok):
    async with client(server, klok) as duo:
        v3 = await duo.melden(maak_melding(1))
        overig = await duo.melden(
            maak_melding(2, verzuimsoort=Verzuimsoort.O, einddatum=None)
        )

        klok.verzet(61)
        na_behandeling = await duo.opvragen_gewijzigd(BEGIN, "99XX")
        klok.verzet(120)
        sinds_behandeling = na_behandeling[-1].laatste_mutatie + timedelta(seconds=1)
        na_afsluiting = await duo.opvragen_gewijzigd(sinds_behandeling, "99XX")

    assert {(g.meldingsnummer, g.status) for g in na_behandeling} == {
        (v3.meldingsnummer, MeldingStatus.IN_BEHANDELING),
        (overig.meldingsnummer, MeldingStatus.IN_BEHANDELING),
    }
    # The move's time is when it was due, not when it was seen.
    assert na_behandeling[0].laatste_mutatie == BEGIN + timedelta(seconds=60)
    assert {(g.meldingsnummer, g.status) for g in na_afsluiting} == {
        (v3.meldingsnummer, MeldingStatus.AFGESLOTEN),
        (overig.meldingsnummer, MeldingStatus.TER_KENNISGEVING_AANGENOMEN),
    }
    assert all(g.reden_afgesloten for g in na_afsluiting)
    assert all(
        g.laatste_mutatie == BEGIN + timedelta(seconds=180) for g in na_afsluiting
    )


async def test_lrv_einddatum_intrekking_en_de_grenzen_van_mutaties(http, server, klok):
    lrv = maak_melding(verzuimsoort=Verzuimsoort.LRV, einddatum=None, verzuimdagen=())

    async with client(server, klok) as duo:
        gemeld = await duo.melden(lrv)
        klok.verzet(5)
        einde = await duo.muteer(
            DuoMutatie(
                documentnummer("meldplicht-0001", "einddatum"),
                gemeld.meldingsnummer,
                "99XX",
                Mutatiesoort.EINDDATUM,
                einddatum=date(2025, 10, 17),
                laatste_mutatie=gemeld.laatste_mutatie,
            )
        )
        with pytest.raises(DuoAfwijzing) as verouderd:
            await duo.muteer(
                DuoMutatie(
                    documentnummer("meldplicht-0001", "intrekking", "oud"),
                    gemeld.meldingsnummer,
                    "99XX",
                    Mutatiesoort.INTREKKING,
                    laatste_mutatie=gemeld.laatste_mutatie,
                )
            )
        intrekking = DuoMutatie(
            documentnummer("meldplicht-0001", "intrekking"),
            gemeld.meldingsnummer,
            "99XX",
            Mutatiesoort.INTREKKING,
            laatste_mutatie=einde.laatste_mutatie,
        )
        await duo.muteer(intrekking)
        herhaald = await duo.muteer(intrekking)
        with pytest.raises(DuoAfwijzing) as na_intrekking:
            await duo.muteer(
                DuoMutatie(
                    documentnummer("meldplicht-0001", "einddatum", "2"),
                    gemeld.meldingsnummer,
                    "99XX",
                    Mutatiesoort.EINDDATUM,
                    einddatum=date(2025, 10, 20),
                )
            )
        with pytest.raises(DuoAfwijzing) as onbekend:
            await duo.muteer(
                DuoMutatie(
                    documentnummer("x"), "202599999999", "99XX", Mutatiesoort.INTREKKING
                )
            )

    assert einde.laatste_mutatie == BEGIN + timedelta(seconds=5)
    assert verouderd.value.code == "F220"
    assert herhaald.laatste_mutatie == BEGIN + timedelta(seconds=5)
    assert na_intrekking.value.code == "F210"
    assert onbekend.value.code == "F200"
    [vastgelegd] = meldingen(http, server)
    assert vastgelegd["status"] == "I"
    assert vastgelegd["einddatum"] == "2025-10-17"
    assert len(vastgelegd["mutaties"]) == 2


# --- failures -----------------------------------------------------------------------


async def test_dertig_procent_5xx_geeft_precies_een_melding_per_document(
    http, server, standin, klok
):
    standin.storingen = Storingen(fractie_5xx=0.3)
    te_melden = [maak_melding(nummer) for nummer in range(1, 21)]

    async with client(server, klok, pogingen=10) as duo:
        bevestigd = [await duo.melden(melding) for melding in te_melden]

    vastgelegd = {
        m["document_id"]: m["meldingsnummer"] for m in meldingen(http, server)
    }
    assert len(meldingen(http, server)) == 20
    assert vastgelegd == {b.document_id: b.meldingsnummer for b in bevestigd}
    uitkomsten = [v["uitkomst"] for v in beheer(http, server, "/beheer/verzoeken")]
    # Both kinds of failure happened: before processing and after storing.
    assert any(u == "fault soapenv:Server: interne fout" for u in uitkomsten)
    assert any(u.startswith("DC0018, dan fault") for u in uitkomsten)


async def test_timeout_na_acceptatie_geeft_precies_een_melding(
    http, server, standin, klok
):
    # DUO stores, then answers after the client gave up.
    standin.storingen = Storingen(fractie_timeout_na_accept=1.0, timeout_slaap_ms=1000)
    melding = maak_melding()

    async with client(server, klok, timeout_seconden=0.25) as duo:
        bevestiging = await duo.melden(melding)

    [vastgelegd] = meldingen(http, server)
    assert vastgelegd["document_id"] == melding.document_id
    assert bevestiging.meldingsnummer == vastgelegd["meldingsnummer"]
    uitkomsten = [v["uitkomst"] for v in beheer(http, server, "/beheer/verzoeken")]
    assert uitkomsten[0] == "DC0018, laat beantwoord"
    assert uitkomsten[1] == "DC0011 (1)"
    assert len(uitkomsten) == 2  # found by opvragen: no second melden


async def test_uitval_faalt_netjes_na_begrensde_pogingen(http, server, standin, klok):
    standin.voeg_uitval_toe(seconden=30)
    melding = maak_melding()

    async with client(server, klok) as duo:
        with pytest.raises(DuoOnbereikbaar) as onbereikbaar:
            await duo.melden(melding)
        klok.verzet(31)  # the caller requeued; the outage is over
        bevestiging = await duo.melden(melding)

    assert onbereikbaar.value.pogingen == 4
    assert not onbereikbaar.value.uitkomst_onzeker
    verzoeken = beheer(http, server, "/beheer/verzoeken")
    assert [v["http_status"] for v in verzoeken] == [503, 503, 503, 503, 200]
    assert [m["meldingsnummer"] for m in meldingen(http, server)] == [
        bevestiging.meldingsnummer
    ]


def test_uitval_via_beheer(http, server):
    antwoord = http.post(
        server.basis + "/beheer/storingen/uitval", json={"seconden": 10}
    )
    verzoek = http.post(
        server.endpoint,
        content=b"<x/>",
        headers={"Content-Type": soap.CONTENT_TYPE, "SOAPAction": MELDEN.soap_action},
    )

    assert antwoord.status_code == 200
    assert len(antwoord.json()["uitval"]) == 1
    assert verzoek.status_code == 503
    assert verzoek.headers["retry-after"] == "10"


# --- TLS ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def certificaten(tmp_path_factory):
    return maak_certificaten(tmp_path_factory.mktemp("duo-tls"))


async def test_tls_met_clientcertificaat(standin, klok, certificaten, tmp_path):
    vreemd = maak_certificaten(tmp_path / "vreemd")

    with StandinInThread(standin, tls=certificaten) as server:
        settings = instellingen(
            server.endpoint,
            client_cert=certificaten.client_cert,
            client_key=certificaten.client_key,
            ca_bundle=certificaten.ca,
        )
        async with DuoClient(settings, klok=klok.nu) as duo:
            bevestiging = await duo.melden(maak_melding())

        alleen_ca = ssl.create_default_context(cafile=str(certificaten.ca))
        met_vreemd = ssl.create_default_context(cafile=str(certificaten.ca))
        met_vreemd.load_cert_chain(str(vreemd.client_cert), str(vreemd.client_key))
        for context in (alleen_ca, met_vreemd):
            async with httpx.AsyncClient(verify=context) as kaal:
                with pytest.raises(httpx.TransportError):
                    await kaal.get(server.basis + "/beheer/meldingen")

    assert bevestiging.meldingsnummer
    assert standin.register.bij_document(maak_melding().document_id) is not None


# --- persistence and the program ----------------------------------------------------


def test_register_overleeft_een_herstart(klok, tmp_path):
    bestand = tmp_path / "duo.json"
    vertraging = {
        "behandeling_na": timedelta(seconds=60),
        "afsluiting_na": timedelta(seconds=60),
    }
    eerste = DuoStandin(Register(klok, bestand=bestand, **vertraging), klok)
    payload = berichten.melden_verzoek(maak_melding())
    inhoud = soap.verpak(payload)

    antwoord = asyncio.run(eerste.verwerk(MELDEN.soap_action, inhoud))
    tweede = DuoStandin(Register(klok, bestand=bestand, **vertraging), klok)
    herhaald = asyncio.run(tweede.verwerk(MELDEN.soap_action, inhoud))
    nieuw = asyncio.run(
        tweede.verwerk(
            MELDEN.soap_action,
            soap.verpak(berichten.melden_verzoek(maak_melding(2))),
        )
    )

    assert herhaald.inhoud == antwoord.inhoud
    nummers = [m.meldingsnummer for m in tweede.register.meldingen()]
    assert nummers == ["202500000001", "202500000002"]
    assert b"202500000002" in nieuw.inhoud
    assert BSN in bestand.read_text()  # the stand-in's own file, fabricated data


def test_programma_start_met_storingen_uit_de_opdrachtregel():
    with socket.socket() as vrij:
        vrij.bind(("127.0.0.1", 0))
        poort = vrij.getsockname()[1]
    proces = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "standins.duo",
            "--port",
            str(poort),
            "--fail-5xx",
            "0.3",
        ],
        env={**os.environ, "DUO_STANDIN_FAIL_DC0002": "0.1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=Path(__file__).resolve().parents[2],
    )
    try:
        storingen = _wacht_op(f"http://127.0.0.1:{poort}/beheer/storingen")
    finally:
        proces.terminate()
        proces.wait(timeout=10)

    assert storingen["fractie_5xx"] == 0.3
    assert storingen["fractie_afwijzing"] == 0.1


def _wacht_op(url: str) -> dict[str, object]:
    deadline = time.monotonic() + 15
    while True:
        try:
            return httpx.get(url).json()
        except httpx.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
