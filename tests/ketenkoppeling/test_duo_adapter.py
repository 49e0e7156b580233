"""The DUO adapter against answers written by hand and served by respx.

All data is fabricated: BSN 111222333 and onderwijsnummer 101222331 are the
python-stdnum documentation values; 99XX is a dummy BRIN.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import httpx
import pytest
import respx
from lxml import etree

from services.ketenkoppeling.duo import (
    CcOntvanger,
    DuoAfwijzing,
    DuoClient,
    DuoMelding,
    DuoMutatie,
    DuoOnbereikbaar,
    DuoProtocolFout,
    DuoSettings,
    Melder,
    MeldingStatus,
    Mutatiesoort,
    Onderwijsdeelname,
    OngeldigBericht,
    OngeldigeMelding,
    SoortOpleiding,
    Verzuimdag,
    Verzuimsoort,
    berichten,
    documentnummer,
    soap,
)
from services.ketenkoppeling.duo.soap import MELDEN, MUTATIE, NS, OPVRAGEN, SOAP_ENV, q
from services.ketenkoppeling.duo.tijdstip import AMSTERDAM

ENDPOINT = "http://127.0.0.1:8799/duo/verzuim"
BSN = "111222333"


def maak_melding(**wijzigingen: object) -> DuoMelding:
    melding = DuoMelding(
        document_id=documentnummer("meldplicht-0001"),
        verzuimsoort=Verzuimsoort.V3,
        brin="99XX",
        gemeentecode="0363",
        onderwijsdeelname=Onderwijsdeelname(SoortOpleiding.VO, leerjaar_vo=3),
        begindatum=date(2025, 9, 15),
        einddatum=date(2025, 9, 17),
        vermoedelijke_reden="Onbekend; ouders niet bereikbaar",
        melder=Melder(
            naam="Fenna Verzuimstra",
            email="verzuim@testcollege.example",
            functie="Verzuimcoördinator",
            netnummer="020",
            abonneenummer="5550123",
            cc=CcOntvanger.CONTACTPERSOON,
        ),
        actie_ondernomen=True,
        toelichting_ondernomen_actie="Gesprek mentor 2025-09-17",
        bsn=BSN,
        locatienaam="Testcollege locatie Noord",
        verzuimdagen=(
            Verzuimdag(date(2025, 9, 15), hele_dag=True),
            Verzuimdag(date(2025, 9, 16), hele_dag=True),
            Verzuimdag(date(2025, 9, 17), hele_dag=False, lesuren=(1, 2)),
        ),
    )
    return dataclasses.replace(melding, **wijzigingen)


@pytest.fixture
def settings() -> DuoSettings:
    return DuoSettings(
        endpoint=ENDPOINT,
        pogingen=4,
        wacht_initieel_seconden=0,
        wacht_max_seconden=0,
        wacht_jitter_seconden=0,
    )


def envelop(payload: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{SOAP_ENV}">'
        f"<s:Body>{payload}</s:Body></s:Envelope>"
    ).encode()


def procesverloop(datum: str = "2025-09-18", tijdstip: str = "09:15:02.123") -> str:
    return (
        f"<Procesverloop><DatumLaatsteMutatie>{datum}</DatumLaatsteMutatie>"
        f"<TijdstipLaatsteMutatie>{tijdstip}</TijdstipLaatsteMutatie></Procesverloop>"
    )


def nummer(meldingsnummer: str) -> str:
    return (
        "<IdentificatieMeldingRelatiefVerzuim><NummerMeldingRelatiefVerzuim>"
        f"{meldingsnummer}</NummerMeldingRelatiefVerzuim>"
        "</IdentificatieMeldingRelatiefVerzuim>"
    )


def dc0018(document_id: str, meldingsnummer: str = "202500000042", status="R") -> bytes:
    return envelop(
        f'<MeldenRelatiefVerzuimResponseElement xmlns="{NS}">'
        "<DC0018LeveringNummerMeldingRelatiefVerzuim>"
        f"<IdentificatiecodeBedrijfsdocument>{document_id}"
        "</IdentificatiecodeBedrijfsdocument>"
        "<DatumBedrijfsdocument>2025-09-18</DatumBedrijfsdocument>"
        f"{nummer(meldingsnummer)}"
        f"<StatusMeldingRelatiefVerzuim>{status}</StatusMeldingRelatiefVerzuim>"
        f"{procesverloop()}"
        "</DC0018LeveringNummerMeldingRelatiefVerzuim>"
        "</MeldenRelatiefVerzuimResponseElement>"
    )


def dc0001(document_id: str, meldingsnummer: str) -> bytes:
    return envelop(
        f'<MutatieMeldingRelatiefVerzuimResponseElement xmlns="{NS}">'
        "<DC0001Bevestiging>"
        f"<IdentificatiecodeBedrijfsdocument>{document_id}"
        "</IdentificatiecodeBedrijfsdocument>"
        "<DatumBedrijfsdocument>2025-10-06</DatumBedrijfsdocument>"
        f"{nummer(meldingsnummer)}{procesverloop('2025-10-06', '14:00:00.000')}"
        "</DC0001Bevestiging></MutatieMeldingRelatiefVerzuimResponseElement>"
    )


def dc0011(*gevallen: tuple[str, str | None, str, str, str]) -> bytes:
    """Each geval: (meldingsnummer, document id, status, datum, tijdstip)."""
    inhoud = "".join(
        "<Verzuimgeval><MeldingRelatiefVerzuim>"
        f"{nummer(meldingsnummer)}"
        + (
            f"<IdentificatiecodeBedrijfsdocument>{document_id}"
            "</IdentificatiecodeBedrijfsdocument>"
            if document_id
            else ""
        )
        + f"<StatusMeldingRelatiefVerzuim>{status}</StatusMeldingRelatiefVerzuim>"
        + (
            "<RedenMeldingAfgesloten>Afgehandeld</RedenMeldingAfgesloten>"
            if status == "G"
            else ""
        )
        + f"</MeldingRelatiefVerzuim>{procesverloop(datum, tijdstip)}</Verzuimgeval>"
        for meldingsnummer, document_id, status, datum, tijdstip in gevallen
    )
    return envelop(
        f'<AanvraagGewijzigdeMeldingRelatiefVerzuimResponseElement xmlns="{NS}">'
        "<DC0011LeveringMeldingRelatiefVerzuim><Selectieperiode>"
        "<DatumBeginSelectieperiode>2025-09-01</DatumBeginSelectieperiode>"
        "<TijdstipBeginSelectieperiode>00:00:00.000</TijdstipBeginSelectieperiode>"
        f"</Selectieperiode>{inhoud}</DC0011LeveringMeldingRelatiefVerzuim>"
        "</AanvraagGewijzigdeMeldingRelatiefVerzuimResponseElement>"
    )


def dc0002(element: str, code: str, reden: str, *velden: str) -> bytes:
    return envelop(
        f'<{element} xmlns="{NS}"><DC0002Foutmelding><Foutcode>{code}</Foutcode>'
        f"<Foutomschrijving>{reden}</Foutomschrijving>"
        + "".join(f"<Veld>{veld}</Veld>" for veld in velden)
        + f"</DC0002Foutmelding></{element}>"
    )


def fault(code: str) -> bytes:
    return envelop(
        f"<s:Fault><faultcode>s:{code}</faultcode><faultstring>x</faultstring></s:Fault>"
    )


def route(mock: respx.MockRouter, operatie: soap.Operatie) -> respx.Route:
    return mock.post(ENDPOINT, headers={"SOAPAction": operatie.soap_action})


def ontvangen(verzoek: httpx.Request) -> etree._Element:
    payload = soap.pak_uit(verzoek.content)
    soap.valideer(payload, "test")
    return payload


def xml(status: int, inhoud: bytes, **headers: str) -> httpx.Response:
    return httpx.Response(
        status, content=inhoud, headers={"content-type": soap.CONTENT_TYPE, **headers}
    )


# --- answers ----------------------------------------------------------------------


async def test_melden_levert_het_meldingsnummer_uit_dc0018(respx_mock, settings):
    melding = maak_melding()
    melden = route(respx_mock, MELDEN).mock(
        return_value=xml(200, dc0018(melding.document_id))
    )

    async with DuoClient(settings) as duo:
        bevestiging = await duo.melden(melding)

    assert bevestiging.meldingsnummer == "202500000042"
    assert bevestiging.document_id == melding.document_id
    assert bevestiging.status is MeldingStatus.GEREGISTREERD
    assert bevestiging.laatste_mutatie == datetime(
        2025, 9, 18, 9, 15, 2, 123000, tzinfo=AMSTERDAM
    )
    verzoek = melden.calls.last.request
    assert verzoek.headers["content-type"] == "text/xml; charset=utf-8"
    payload = ontvangen(verzoek)
    assert (
        payload.findtext(q("IdentificatiecodeBedrijfsdocument")) == melding.document_id
    )
    assert payload.findtext(f"{q('Onderwijsontvanger')}/{q('BSN')}") == BSN
    assert (
        payload.findtext(f"{q('IdentificatieUitvoerderVSV')}/{q('CodeUitvoerderVSV')}")
        == "000363"
    )
    lesuren = payload.findall(".//" + q("Lesuur"))
    assert [lesuur.text for lesuur in lesuren] == ["1", "2"]


async def test_muteer_einddatum_levert_dc0001(respx_mock, settings):
    mutatie = DuoMutatie(
        document_id=documentnummer("meldplicht-0002", "einddatum"),
        meldingsnummer="202500000042",
        brin="99XX",
        soort=Mutatiesoort.EINDDATUM,
        einddatum=date(2025, 10, 3),
        laatste_mutatie=datetime(2025, 10, 1, 22, 30, 0, 250000, tzinfo=UTC),
    )
    muteer = route(respx_mock, MUTATIE).mock(
        return_value=xml(200, dc0001(mutatie.document_id, "202500000042"))
    )

    async with DuoClient(settings) as duo:
        bevestiging = await duo.muteer(mutatie)

    assert bevestiging.datum == date(2025, 10, 6)
    assert bevestiging.meldingsnummer == "202500000042"
    assert bevestiging.laatste_mutatie == datetime(2025, 10, 6, 14, tzinfo=AMSTERDAM)
    payload = ontvangen(muteer.calls.last.request)
    assert payload.findtext(q("Eindverzuim")) == "2025-10-03"
    # 22:30 UTC on 1 October is already 2 October in Amsterdam.
    verloop = payload.find(q("Procesverloop"))
    assert verloop.findtext(q("DatumLaatsteMutatie")) == "2025-10-02"
    assert verloop.findtext(q("TijdstipLaatsteMutatie")) == "00:30:00.250"


async def test_intrekking_stuurt_status_i(respx_mock, settings):
    mutatie = DuoMutatie(
        document_id=documentnummer("meldplicht-0002", "intrekking"),
        meldingsnummer="202500000042",
        brin="99XX",
        soort=Mutatiesoort.INTREKKING,
        toelichting="Correctie in de registratie",
    )
    muteer = route(respx_mock, MUTATIE).mock(
        return_value=xml(200, dc0001(mutatie.document_id, "202500000042"))
    )

    async with DuoClient(settings) as duo:
        await duo.muteer(mutatie)

    intrekking = ontvangen(muteer.calls.last.request).find(q("Intrekking"))
    assert intrekking.findtext(q("StatusMeldingRelatiefVerzuim")) == "I"


async def test_correctie_vervangt_het_meldingdeel(respx_mock, settings):
    correctie = maak_melding(
        verzuimsoort=Verzuimsoort.LRV, einddatum=date(2025, 10, 31)
    )
    mutatie = DuoMutatie(
        document_id=documentnummer("meldplicht-0003", "correctie", "1"),
        meldingsnummer="202500000043",
        brin="99XX",
        soort=Mutatiesoort.CORRECTIE,
        correctie=correctie,
    )
    muteer = route(respx_mock, MUTATIE).mock(
        return_value=xml(200, dc0001(mutatie.document_id, "202500000043"))
    )

    async with DuoClient(settings) as duo:
        await duo.muteer(mutatie)

    deel = ontvangen(muteer.calls.last.request).find(q("MeldingRelatiefVerzuim"))
    assert deel.findtext(q("Verzuimsoort")) == "LRV"
    assert deel.findtext(q("Eindverzuim")) == "2025-10-31"


async def test_opvragen_leest_de_verzuimgevallen_uit_dc0011(respx_mock, settings):
    opvragen = route(respx_mock, OPVRAGEN).mock(
        return_value=xml(
            200,
            dc0011(
                ("202500000042", "VK-A", "B", "2025-09-20", "08:00:00.000"),
                ("202500000043", None, "G", "2025-09-21", "16:45:10.500"),
            ),
        )
    )

    async with DuoClient(settings) as duo:
        gevallen = await duo.opvragen_gewijzigd(
            datetime(2025, 8, 31, 22, 0, tzinfo=UTC), "99XX"
        )

    assert [(g.meldingsnummer, g.status) for g in gevallen] == [
        ("202500000042", MeldingStatus.IN_BEHANDELING),
        ("202500000043", MeldingStatus.AFGESLOTEN),
    ]
    assert gevallen[0].document_id == "VK-A"
    assert gevallen[1].document_id is None
    assert gevallen[1].reden_afgesloten == "Afgehandeld"
    assert gevallen[1].laatste_mutatie == datetime(
        2025, 9, 21, 16, 45, 10, 500000, tzinfo=AMSTERDAM
    )
    periode = ontvangen(opvragen.calls.last.request).find(q("Selectieperiode"))
    assert periode.findtext(q("DatumBeginSelectieperiode")) == "2025-09-01"
    assert periode.findtext(q("TijdstipBeginSelectieperiode")) == "00:00:00.000"


async def test_dc0002_wordt_afwijzing_zonder_herhaling(respx_mock, settings):
    melding = maak_melding()
    melden = route(respx_mock, MELDEN).mock(
        return_value=xml(
            200,
            dc0002(
                "MeldenRelatiefVerzuimResponseElement",
                "F110",
                "BSN voldoet niet aan de elfproef",
                "BSN",
            ),
        )
    )

    async with DuoClient(settings) as duo:
        with pytest.raises(DuoAfwijzing) as afwijzing:
            await duo.melden(melding)

    assert afwijzing.value.code == "F110"
    assert afwijzing.value.reden == "BSN voldoet niet aan de elfproef"
    assert afwijzing.value.velden == ("BSN",)
    assert melden.call_count == 1


async def test_dc0002_op_mutatie_wordt_afwijzing(respx_mock, settings):
    route(respx_mock, MUTATIE).mock(
        return_value=xml(
            200,
            dc0002("MutatieMeldingRelatiefVerzuimResponseElement", "F210", "status G"),
        )
    )
    mutatie = DuoMutatie(
        documentnummer("m", "intrekking"),
        "202500000042",
        "99XX",
        Mutatiesoort.INTREKKING,
    )

    async with DuoClient(settings) as duo:
        with pytest.raises(DuoAfwijzing, match="F210"):
            await duo.muteer(mutatie)


# --- retries ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "controle_verwacht"),
    [(500, True), (502, True), (503, False), (429, False)],
    ids=["500", "502", "503", "429"],
)
async def test_storing_wordt_herhaald_tot_succes(
    respx_mock, settings, status, controle_verwacht
):
    melding = maak_melding()
    melden = route(respx_mock, MELDEN).mock(
        side_effect=[
            xml(status, fault("Server"), **{"retry-after": "1"}),
            xml(200, dc0018(melding.document_id)),
        ]
    )
    opvragen = route(respx_mock, OPVRAGEN).mock(return_value=xml(200, dc0011()))

    async with DuoClient(settings) as duo:
        bevestiging = await duo.melden(melding)

    assert bevestiging.meldingsnummer == "202500000042"
    assert melden.call_count == 2
    # Only where the request may have been processed does the client look first.
    assert opvragen.call_count == (1 if controle_verwacht else 0)
    if controle_verwacht:
        vraag = ontvangen(opvragen.calls.last.request)
        assert vraag.findtext(q("IdentificatiecodeBedrijfsdocument")) == (
            melding.document_id
        )


async def test_timeout_wordt_herhaald_tot_succes(respx_mock, settings):
    melding = maak_melding()
    melden = route(respx_mock, MELDEN).mock(
        side_effect=[
            httpx.ReadTimeout("te laat"),
            xml(200, dc0018(melding.document_id)),
        ]
    )
    route(respx_mock, OPVRAGEN).mock(return_value=xml(200, dc0011()))

    async with DuoClient(settings) as duo:
        bevestiging = await duo.melden(melding)

    assert bevestiging.meldingsnummer == "202500000042"
    assert melden.call_count == 2


class NepDuo:
    """DUO that stores every melden call and does NOT de-duplicate document numbers,
    so only the client's own check can keep the melding single."""

    def __init__(self, time_out_na_opslaan: int = 0) -> None:
        self.meldingen: list[tuple[str, str]] = []
        self._time_outs = time_out_na_opslaan

    def melden(self, verzoek: httpx.Request) -> httpx.Response:
        document_id = ontvangen(verzoek).findtext(
            q("IdentificatiecodeBedrijfsdocument")
        )
        meldingsnummer = f"2025{len(self.meldingen) + 1:08d}"
        self.meldingen.append((document_id, meldingsnummer))
        if self._time_outs:
            self._time_outs -= 1
            raise httpx.ReadTimeout("opgeslagen, antwoord te laat")
        return xml(200, dc0018(document_id, meldingsnummer))

    def opvragen(self, verzoek: httpx.Request) -> httpx.Response:
        gezocht = ontvangen(verzoek).findtext(q("IdentificatiecodeBedrijfsdocument"))
        return xml(
            200,
            dc0011(
                *(
                    (nummer_, document_id, "R", "2025-09-18", "09:15:02.123")
                    for document_id, nummer_ in self.meldingen
                    if gezocht in (None, document_id)
                )
            ),
        )


async def test_timeout_na_acceptatie_geeft_precies_een_melding(respx_mock, settings):
    duo_nep = NepDuo(time_out_na_opslaan=1)
    melden = route(respx_mock, MELDEN).mock(side_effect=duo_nep.melden)
    route(respx_mock, OPVRAGEN).mock(side_effect=duo_nep.opvragen)
    melding = maak_melding()

    async with DuoClient(settings) as duo:
        bevestiging = await duo.melden(melding)

    assert duo_nep.meldingen == [(melding.document_id, "202500000001")]
    assert bevestiging.meldingsnummer == "202500000001"
    assert melden.call_count == 1


async def test_eerdere_poging_laat_de_client_eerst_kijken(respx_mock, settings):
    # A previous process timed out after DUO stored the melding, then restarted.
    duo_nep = NepDuo()
    melding = maak_melding()
    duo_nep.meldingen.append((melding.document_id, "202500000007"))
    melden = route(respx_mock, MELDEN).mock(side_effect=duo_nep.melden)
    route(respx_mock, OPVRAGEN).mock(side_effect=duo_nep.opvragen)

    async with DuoClient(settings) as duo:
        bevestiging = await duo.melden(
            melding, eerdere_poging=datetime(2025, 9, 18, 9, 0, tzinfo=AMSTERDAM)
        )

    assert bevestiging.meldingsnummer == "202500000007"
    assert not melden.called
    assert len(duo_nep.meldingen) == 1


@pytest.mark.parametrize(
    ("antwoord", "onzeker"),
    [
        (xml(503, fault("Server")), False),
        (xml(500, fault("Server")), True),
        (httpx.ConnectError("geen verbinding"), False),
    ],
    ids=["503", "500", "connect"],
)
async def test_pogingen_zijn_begrensd(respx_mock, settings, antwoord, onzeker):
    melden = route(respx_mock, MELDEN).mock(side_effect=lambda _: _antwoord(antwoord))
    route(respx_mock, OPVRAGEN).mock(return_value=xml(200, dc0011()))

    async with DuoClient(settings) as duo:
        with pytest.raises(DuoOnbereikbaar) as onbereikbaar:
            await duo.melden(maak_melding())

    assert melden.call_count == settings.pogingen
    assert onbereikbaar.value.pogingen == settings.pogingen
    assert onbereikbaar.value.uitkomst_onzeker is onzeker


def _antwoord(antwoord: httpx.Response | Exception) -> httpx.Response:
    if isinstance(antwoord, Exception):
        raise antwoord
    return antwoord


async def test_soap_client_fault_wordt_niet_herhaald(respx_mock, settings):
    melden = route(respx_mock, MELDEN).mock(return_value=xml(500, fault("Client")))

    async with DuoClient(settings) as duo:
        with pytest.raises(DuoProtocolFout):
            await duo.melden(maak_melding())

    assert melden.call_count == 1


async def test_antwoord_buiten_het_schema_wordt_geweigerd(respx_mock, settings):
    melding = maak_melding()
    route(respx_mock, MELDEN).mock(
        return_value=xml(200, dc0018(melding.document_id, status="X"))
    )

    async with DuoClient(settings) as duo:
        with pytest.raises(OngeldigBericht) as fout:
            await duo.melden(melding)

    assert fout.value.richting == "inkomend"
    assert fout.value.elementen == ("StatusMeldingRelatiefVerzuim",)


async def test_ongeldige_melding_gaat_niet_de_deur_uit(respx_mock, settings):
    melden = route(respx_mock, MELDEN)

    async with DuoClient(settings) as duo:
        with pytest.raises(OngeldigeMelding):
            await duo.melden(maak_melding(bsn="111222334"))

    assert not melden.called


# --- schema -----------------------------------------------------------------------


def test_schema_weigert_te_lange_en_misvormde_velden_zonder_waarden_te_tonen():
    # Built without valideer(): the schema is the second line of defence.
    melding = maak_melding(
        brin="9XX",
        bsn="12345678X",
        vermoedelijke_reden="r" * 201,
        verzuimdagen=(Verzuimdag(date(2025, 9, 15), False, (13,)),),
    )

    with pytest.raises(OngeldigBericht) as fout:
        soap.valideer(berichten.melden_verzoek(melding), "uitgaand")

    assert set(fout.value.elementen) >= {
        "VerzendendeInstantie",
        "BRIN",
        "BSN",
        "VermoedelijkeReden",
        "Lesuur",
    }
    assert "12345678X" not in str(fout.value)
    assert "9XX" not in str(fout.value)


def test_schema_weigert_v1():
    payload = berichten.melden_verzoek(maak_melding())
    payload.find(f"{q('MeldingRelatiefVerzuim')}/{q('Verzuimsoort')}").text = "V1"

    with pytest.raises(OngeldigBericht) as fout:
        soap.valideer(payload, "uitgaand")

    assert fout.value.elementen == ("Verzuimsoort",)


def test_envelop_heen_en_terug_behoudt_de_payload():
    payload = berichten.opvragen_verzoek(
        "99XX", datetime(2025, 9, 1, tzinfo=AMSTERDAM), "VK-1"
    )

    terug = soap.pak_uit(soap.verpak(payload))

    assert etree.tostring(terug, method="c14n") == etree.tostring(
        payload, method="c14n"
    )


def test_fault_envelop_wordt_soap_fault():
    with pytest.raises(soap.SoapFault) as fout:
        soap.pak_uit(soap.fault_envelop("soapenv:Client", "kapot"))

    assert fout.value.door_afzender
    assert fout.value.faultstring == "kapot"


# --- validator --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("wijzigingen", "velden"),
    [
        ({"bsn": "111222334"}, {"bsn"}),
        ({"bsn": None}, {"bsn/onderwijsnummer"}),
        ({"onderwijsnummer": "101222331"}, {"bsn/onderwijsnummer"}),
        ({"bsn": None, "onderwijsnummer": "100252333"}, {"onderwijsnummer"}),
        ({"brin": "99xx"}, {"brin"}),
        ({"brin": "99XX00"}, {"brin"}),
        ({"gemeentecode": "363"}, {"gemeentecode"}),
        ({"vestiging": "1"}, {"vestiging"}),
        ({"document_id": "x" * 41}, {"document_id"}),
        ({"einddatum": None}, {"einddatum"}),
        ({"verzuimsoort": Verzuimsoort.LRV}, {"einddatum"}),
        ({"einddatum": date(2025, 9, 14), "verzuimdagen": ()}, {"einddatum"}),
        ({"vermoedelijke_reden": "  "}, {"vermoedelijke_reden"}),
        ({"vermoedelijke_reden": "r" * 201}, {"vermoedelijke_reden"}),
        ({"toelichting": "t" * 101}, {"toelichting"}),
        ({"toelichting_ondernomen_actie": None}, {"toelichting_ondernomen_actie"}),
        ({"actie_ondernomen": False}, {"toelichting_actie_gewenst"}),
        (
            {"verzuimdagen": (Verzuimdag(date(2025, 9, 18), True),)},
            {"verzuimdagen[0].datum"},
        ),
        (
            {"verzuimdagen": (Verzuimdag(date(2025, 9, 15), True, (1,)),)},
            {"verzuimdagen[0].lesuren"},
        ),
        (
            {"verzuimdagen": (Verzuimdag(date(2025, 9, 15), False, (0, 12)),)},
            {"verzuimdagen[0].lesuren"},
        ),
        (
            {"onderwijsdeelname": Onderwijsdeelname(SoortOpleiding.BVE, niveau=5)},
            {"onderwijsdeelname.niveau"},
        ),
        (
            {"melder": Melder(naam="n" * 101, email="geen-adres", functie="f" * 61)},
            {"melder.naam", "melder.email", "melder.functie"},
        ),
        (
            {"melder": Melder(naam="Fenna", email="v@s.example", netnummer="020")},
            {"melder.telefoon"},
        ),
    ],
)
def test_validator_noemt_de_velden(wijzigingen, velden):
    with pytest.raises(OngeldigeMelding) as fout:
        maak_melding(**wijzigingen).valideer()

    assert set(fout.value.velden) == velden
    assert BSN not in str(fout.value)


@pytest.mark.parametrize(
    "wijzigingen",
    [
        {},
        {"bsn": None, "onderwijsnummer": "101222331"},
        {"verzuimsoort": Verzuimsoort.LRV, "einddatum": None},
        {"verzuimsoort": Verzuimsoort.L, "einddatum": None},
        {"actie_ondernomen": False, "toelichting_actie_gewenst": "Huisbezoek LPA"},
        {"onderwijsdeelname": Onderwijsdeelname(SoortOpleiding.BVE, niveau=2)},
        {"onderwijsdeelname": Onderwijsdeelname(SoortOpleiding.PO)},
    ],
    ids=["v3", "onderwijsnummer", "lrv", "luxe", "actie-gewenst", "mbo", "po"],
)
def test_validator_laat_geldige_meldingen_door(wijzigingen):
    melding = maak_melding(**wijzigingen)

    melding.valideer()

    soap.valideer(berichten.melden_verzoek(melding), "uitgaand")


def test_validator_somt_alle_fouten_tegelijk_op_zonder_waarden():
    melding = maak_melding(bsn="123456789", gemeentecode="12345", toelichting="x" * 101)

    with pytest.raises(OngeldigeMelding) as fout:
        melding.valideer()

    assert set(fout.value.velden) == {"bsn", "gemeentecode", "toelichting"}
    assert "123456789" not in str(fout.value)
    assert "12345" not in str(fout.value).replace(melding.document_id, "")


@pytest.mark.parametrize(
    ("soort", "wijzigingen", "velden"),
    [
        (Mutatiesoort.EINDDATUM, {}, {"einddatum"}),
        (Mutatiesoort.INTREKKING, {"einddatum": date(2025, 10, 1)}, {"einddatum"}),
        (Mutatiesoort.EINDDATUM, {"toelichting": "x"}, {"einddatum", "toelichting"}),
        (Mutatiesoort.CORRECTIE, {}, {"correctie"}),
        (
            Mutatiesoort.CORRECTIE,
            {"correctie": maak_melding(vermoedelijke_reden="")},
            {"correctie.vermoedelijke_reden"},
        ),
        (Mutatiesoort.INTREKKING, {"meldingsnummer": "abc"}, {"meldingsnummer"}),
        (
            Mutatiesoort.INTREKKING,
            {"laatste_mutatie": datetime(2025, 10, 1, 12)},
            {"laatste_mutatie"},
        ),
    ],
)
def test_mutatie_validator(soort, wijzigingen, velden):
    mutatie = DuoMutatie(
        **{
            "document_id": documentnummer("m", "1"),
            "meldingsnummer": "202500000042",
            "brin": "99XX",
            "soort": soort,
            **wijzigingen,
        }
    )

    with pytest.raises(OngeldigeMelding) as fout:
        mutatie.valideer()

    assert set(fout.value.velden) == velden


def test_repr_toont_geen_persoonsgegevens():
    tekst = repr(maak_melding())

    assert BSN not in tekst
    assert "Fenna" not in tekst
    assert "ouders niet bereikbaar" not in tekst


def test_documentnummer_is_deterministisch_en_past_in_het_schema():
    eerste = documentnummer("meldplicht-0001")

    assert eerste == documentnummer("meldplicht-0001")
    assert eerste != documentnummer("meldplicht-0002")
    assert eerste != documentnummer("meldplicht-0001", "intrekking")
    assert len(eerste) <= 40


# --- settings ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "instellingen",
    [
        {"endpoint": "https://duo.example/verzuim"},
        {"endpoint": "http://duo.example/verzuim"},
        {"endpoint": "ftp://127.0.0.1/x"},
        {"client_cert": "/tmp/c.pem"},
    ],
    ids=[
        "https-zonder-certificaat",
        "http-buiten-loopback",
        "geen-http",
        "halve-sleutel",
    ],
)
def test_settings_weigeren_onveilig_transport(instellingen):
    with pytest.raises(ValueError):
        DuoSettings(**instellingen)


def test_settings_staan_http_naar_een_benoemde_host_alleen_expliciet_toe():
    settings = DuoSettings(
        endpoint="http://duo-standin:8700/x", onbeveiligd_toestaan=True
    )

    assert not settings.is_https
