"""The verzuimmelding's states, its DUO mapping and its contracts, without I/O.

All data is fabricated: test BSN 123456782 (constructed), BRIN 99XX, gemeente 0599.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest

from contracts.analyse import (
    MeldplichtVastgesteld,
    MeldplichtVervallen,
    SignaalAfgegeven,
)
from contracts.common import Contactpersoon, Kalender, Rooster, Verzuimdag
from contracts.envelope import CloudEvent, ContractEvent, wrap
from contracts.ketenkoppeling import MeldingTermijnOverschreden
from contracts.opvolging import ActieAfgerond, BesluitGenomen, DossierGesloten
from contracts.pgn import nieuwe_sleutel, versleutel
from contracts.registratie import LeerlingGeregistreerd, SchoolGeregistreerd
from plumbing.consumer import UnitOfWork
from plumbing.security.sleutelkluis import VERNIETIGD
from services.ketenkoppeling.api import _melding
from services.ketenkoppeling.application import Ketenkoppeling
from services.ketenkoppeling.contracts_mapping import to_contract
from services.ketenkoppeling.domain.aanleiding import aanleiding_id
from services.ketenkoppeling.domain.meldplicht import Meldingstatus, Meldplicht, Werk
from services.ketenkoppeling.domain.meldplicht import Verzuimdag as Dag
from services.ketenkoppeling.domain.verzuimmelding import Verzuimmelding, melding_id
from services.ketenkoppeling.duo import DuoMelding, MeldingStatus, Mutatiesoort
from services.ketenkoppeling.duo_opdracht import (
    Blokkade,
    duo_melding,
    einddatum_mutatie,
    intrekking,
    status_van,
)
from services.ketenkoppeling.policies import pas_toe

BSN = "123456782"
SLEUTEL = nieuwe_sleutel()
SCHOOL = UUID("7b1e0a52-3c4d-4e5f-8a9b-0c1d2e3f4a5b")
LEERLING = UUID("2f6c9e1a-8b7d-4c3e-9f0a-1b2c3d4e5f60")
NU = datetime(2025, 10, 6, 10, 0, tzinfo=UTC)


def plicht(**anders: object) -> Meldplicht:
    waarden: dict[str, object] = {
        "verzuimsoort": "V3",
        "begindatum": date(2025, 9, 15),
        "einddatum": date(2025, 9, 26),
        "vervaldatum": date(2025, 10, 3),
        "achterstallig": False,
        "minuten": 960,
        "verzuimdagen": (
            Dag(date(2025, 9, 15), True),
            Dag(date(2025, 9, 16), False, (1, 2, 14)),
            Dag(date(2025, 9, 17), False, ()),
        ),
        "toelichting": "16 uur ongeoorloofd verzuim in vier lesweken tot en met 26-9.",
        **anders,
    }
    return Meldplicht(**waarden)  # type: ignore[arg-type]


def nieuwe_melding(**anders: object) -> Verzuimmelding:
    p = plicht(**anders)
    status = (
        Meldingstatus.WACHT_OP_BEVESTIGING
        if p.achterstallig
        else Meldingstatus.WACHTEND
    )
    return Verzuimmelding(
        meldplicht_id=uuid4(),
        leerling_id=LEERLING,
        school_id=SCHOOL,
        verzuimsoort=p.verzuimsoort,
        plicht=p.als_gegevens(),
        status=str(status),
        op=NU,
    )


def registreer(melding: Verzuimmelding, nummer: str = "202500000001") -> None:
    melding.start_poging(Werk.MELDEN, NU)
    melding.geregistreerd(
        meldingsnummer=nummer,
        brin="99XX",
        laatste_mutatie=NU,
        einddatum_verzonden=melding.plicht.einddatum_bij_melden,
        op=NU,
    )


# --- states ---------------------------------------------------------------------------


def test_nieuwe_melding_wacht_en_gaat_naar_duo():
    melding = nieuwe_melding()

    assert melding.status is Meldingstatus.WACHTEND
    assert melding.werk is Werk.MELDEN
    registreer(melding)

    assert melding.status is Meldingstatus.GEREGISTREERD
    assert melding.meldingsnummer == "202500000001"
    assert melding.werk is None
    assert melding.pogingen == 1


def test_een_tweede_registratie_verandert_niets():
    melding = nieuwe_melding()
    registreer(melding)

    opnieuw = melding.geregistreerd(
        meldingsnummer="202599999999",
        brin="99XX",
        laatste_mutatie=NU,
        einddatum_verzonden=None,
        op=NU,
    )

    assert not opnieuw
    assert melding.meldingsnummer == "202500000001"


def test_onzekere_poging_laat_de_client_eerst_kijken():
    # After a timeout the next attempt names the first attempt's moment.
    melding = nieuwe_melding()

    eerste = melding.start_poging(Werk.MELDEN, NU)
    melding.poging_mislukt(Werk.MELDEN, "timeout", True, NU)
    tweede = melding.start_poging(Werk.MELDEN, NU + timedelta(minutes=5))

    assert eerste is None
    assert tweede == NU


def test_afgebroken_poging_is_onzeker_na_herstart():
    melding = nieuwe_melding()
    melding.start_poging(Werk.MELDEN, NU)  # the process died here

    assert melding.uitkomst_onzeker
    assert melding.start_poging(Werk.MELDEN, NU + timedelta(seconds=30)) == NU


def test_schone_mislukking_na_zekere_niet_verzending_is_niet_onzeker():
    melding = nieuwe_melding()
    melding.start_poging(Werk.MELDEN, NU)
    melding.poging_mislukt(Werk.MELDEN, "DUO onbereikbaar", False, NU)

    assert not melding.uitkomst_onzeker
    assert melding.start_poging(Werk.MELDEN, NU) is None


def test_achterstallig_wacht_op_bevestiging_d17():
    melding = nieuwe_melding(achterstallig=True)

    assert melding.status is Meldingstatus.WACHT_OP_BEVESTIGING
    assert melding.werk is None
    melding.bevestig_achterstallig("vc-1", NU)

    assert melding.status is Meldingstatus.WACHTEND
    assert melding.werk is Werk.MELDEN


def test_vervallen_voor_verzending_en_terug_bij_nieuwe_vaststelling():
    melding = nieuwe_melding()

    melding.laat_vervallen("meldplichtVervallen", "na correctie", NU)
    assert melding.status is Meldingstatus.VERVALLEN
    assert melding.werk is None

    melding.werk_bij(plicht(minuten=1020), NU)
    assert melding.status is Meldingstatus.WACHTEND
    assert melding.plicht.minuten == 1020


def test_afwijzing_is_definitief():
    melding = nieuwe_melding()
    melding.start_poging(Werk.MELDEN, NU)

    melding.afgewezen("F900", "afgewezen", NU)

    assert melding.status is Meldingstatus.AFGEWEZEN
    assert melding.reden == "F900: afgewezen"
    assert melding.werk is None
    melding.werk_bij(plicht(minuten=2000), NU)
    assert melding.status is Meldingstatus.AFGEWEZEN


def test_intrekking_na_verzending_d15():
    melding = nieuwe_melding()
    registreer(melding)

    melding.vraag_intrekking("vc-1", NU)
    assert melding.status is Meldingstatus.INTREKKING_TE_VERSTUREN
    assert melding.werk is Werk.INTREKKEN

    melding.ingetrokken(NU, NU)
    assert melding.status is Meldingstatus.INGETROKKEN
    assert melding.werk is None


def test_intrekking_voor_verzending_laat_vervallen():
    melding = nieuwe_melding()

    melding.vraag_intrekking("vc-1", NU)

    assert melding.status is Meldingstatus.VERVALLEN
    assert melding.werk is None


def test_intrekking_tijdens_onzekere_poging_vraagt_eerst_duo():
    melding = nieuwe_melding()
    melding.start_poging(Werk.MELDEN, NU)

    melding.vraag_intrekking("vc-1", NU)
    assert melding.status is Meldingstatus.WACHTEND
    assert melding.werk is Werk.CONTROLEREN

    registreer_gevonden = melding.geregistreerd(
        meldingsnummer="202500000007",
        brin="99XX",
        laatste_mutatie=NU,
        einddatum_verzonden=date(2025, 9, 26),
        op=NU,
    )
    assert registreer_gevonden
    assert melding.status is Meldingstatus.INTREKKING_TE_VERSTUREN


def test_intrekking_tijdens_onzekere_poging_niet_bij_duo_vervalt():
    melding = nieuwe_melding()
    melding.start_poging(Werk.MELDEN, NU)
    melding.vraag_intrekking("vc-1", NU)

    melding.niet_bij_duo(NU)

    assert melding.status is Meldingstatus.VERVALLEN
    assert melding.werk is None


def test_afgewezen_intrekking_keert_terug_naar_de_duo_status():
    melding = nieuwe_melding()
    registreer(melding)
    melding.vraag_intrekking("vc-1", NU)
    melding.duo_status_gezien(Meldingstatus.IN_BEHANDELING, None, NU, NU)
    assert melding.status is Meldingstatus.INTREKKING_TE_VERSTUREN

    melding.intrekking_afgewezen("F210", "melding heeft status G", NU)

    assert melding.status is Meldingstatus.IN_BEHANDELING
    assert melding.reden == "F210: melding heeft status G"


def test_duo_status_gaat_alleen_vooruit():
    melding = nieuwe_melding()
    registreer(melding)

    assert melding.duo_status_gezien(Meldingstatus.IN_BEHANDELING, None, NU, NU)
    assert not melding.duo_status_gezien(Meldingstatus.GEREGISTREERD, None, NU, NU)
    assert melding.duo_status_gezien(Meldingstatus.AFGESLOTEN, "afgehandeld", NU, NU)
    assert not melding.duo_status_gezien(Meldingstatus.IN_BEHANDELING, None, NU, NU)
    assert melding.status is Meldingstatus.AFGESLOTEN
    assert melding.reden == "afgehandeld"


def test_lrv_einddatum_volgt_per_mutatie_d7():
    melding = nieuwe_melding(verzuimsoort="LRV", einddatum=None, vervaldatum=None)
    registreer(melding)
    assert melding.einddatum_bij_duo is None
    assert melding.werk is None

    melding.werk_bij(plicht(verzuimsoort="LRV", einddatum=date(2025, 10, 17)), NU)
    assert melding.werk is Werk.EINDDATUM
    assert einddatum_mutatie(melding).einddatum == date(2025, 10, 17)

    melding.einddatum_verstuurd(date(2025, 10, 17), NU, NU)
    assert melding.werk is None


def test_termijn_overschreden_eenmaal_d4():
    melding = nieuwe_melding()

    assert not melding.termijn_verstreken(date(2025, 10, 3), NU)
    assert melding.termijn_verstreken(date(2025, 10, 4), NU)
    assert not melding.termijn_verstreken(date(2025, 10, 5), NU)
    assert melding.termijn_overschreden


def test_geen_termijn_voor_geaccepteerde_melding():
    melding = nieuwe_melding()
    registreer(melding)

    assert not melding.termijn_verstreken(date(2025, 12, 1), NU)


def test_melding_na_de_vervaldatum_geaccepteerd_is_te_laat():
    # Found and accepted after its due date (a backfill): no watch round saw it
    # waiting, yet it reached DUO late (D4), once.
    melding = nieuwe_melding()
    melding.collect_events()
    registreer(melding)

    soorten = [type(c).__name__ for c in map(to_contract, melding.collect_events())]

    assert melding.termijn_overschreden
    assert soorten.count("MeldingTermijnOverschreden") == 1


def test_melding_op_tijd_geaccepteerd_is_niet_te_laat():
    melding = nieuwe_melding()
    melding.start_poging(Werk.MELDEN, NU)
    # 3 October 2025, 23:30 in Amsterdam: still the due date there.
    op = datetime(2025, 10, 3, 21, 30, tzinfo=UTC)
    melding.geregistreerd(
        meldingsnummer="202500000001",
        brin="99XX",
        laatste_mutatie=op,
        einddatum_verzonden=melding.plicht.einddatum_bij_melden,
        op=op,
    )

    assert not melding.termijn_overschreden


# --- contracts ------------------------------------------------------------------------


def test_elke_statuswijziging_wordt_gepubliceerd():
    melding = nieuwe_melding()
    registreer(melding)
    melding.vraag_intrekking("vc-1", NU)
    melding.ingetrokken(NU, NU)

    contracten = [to_contract(e) for e in melding.collect_events()]
    # Accepted after its due date, so one MeldingTermijnOverschreden too: no status.
    statussen = [
        c.status
        for c in contracten
        if c is not None and not isinstance(c, MeldingTermijnOverschreden)
    ]

    # intrekkingTeVersturen is local: the contract has no value for it.
    assert statussen == ["wachtend", "geregistreerd", "ingetrokken"]
    geregistreerd = [
        c for c in contracten if getattr(c, "status", "") == "geregistreerd"
    ]
    assert geregistreerd[0].meldingsnummer == "202500000001"
    assert geregistreerd[0].melding_id == melding.id


def test_registratie_noemt_de_periode_zoals_duo_die_heeft():
    # The duty was stated again (older absence came in) while its melding was on
    # its way: DUO holds the period that was sent, and analyse must hear that one.
    melding = nieuwe_melding()
    melding.start_poging(Werk.MELDEN, NU)
    melding.werk_bij(plicht(begindatum=date(2025, 9, 8)), NU)
    melding.geregistreerd(
        meldingsnummer="202500000001",
        brin="99XX",
        laatste_mutatie=NU,
        einddatum_verzonden=date(2025, 9, 26),
        begindatum_verzonden=date(2025, 9, 15),
        op=NU,
    )

    contracten = [to_contract(e) for e in melding.collect_events()]
    [geregistreerd] = [
        c for c in contracten if getattr(c, "status", "") == "geregistreerd"
    ]

    assert geregistreerd.begindatum == date(2025, 9, 15)
    assert geregistreerd.einddatum == date(2025, 9, 26)
    assert melding.begindatum_bij_duo == date(2025, 9, 15)
    # The listing says what DUO holds, not the duty's later begindatum.
    assert _melding(melding)["begindatum"] == date(2025, 9, 15)


def test_termijn_wordt_gepubliceerd():
    melding = nieuwe_melding()
    melding.collect_events()
    melding.termijn_verstreken(date(2025, 10, 6), NU)

    [contract] = [to_contract(e) for e in melding.collect_events()]

    assert isinstance(contract, MeldingTermijnOverschreden)
    assert contract.vervaldatum == date(2025, 10, 3)
    assert contract.leerling_id == LEERLING


# --- the DUO mapping ------------------------------------------------------------------


class _School:
    brin = "99XX"
    vestiging = None
    naam = "Testcollege locatie Noord"
    sector = "vo"
    contact_melder: dict[str, object] | None = {
        "naam": "Joost Testmelder",
        "functie": "Verzuimcoördinator",
        "email": "verzuim@testcollege.example",
        "telefoon": None,
    }


class _Leerling:
    def __init__(self, acties: list[dict[str, object]] | None = None) -> None:
        self.gegevens = {
            "school_id": SCHOOL,
            "geboortedatum": date(2011, 4, 1),
            "woongemeente": "0599",
            "leerjaar": 2,
            "pgn": versleutel(BSN, "bsn", SLEUTEL).model_dump(),
        }
        self._acties = acties or []

    def acties_voor(self, school_id: UUID) -> list[dict[str, object]]:
        return self._acties


def test_duo_melding_met_ontsleuteld_bsn_en_routering():
    melding = nieuwe_melding()

    opdracht = duo_melding(melding, _School(), _Leerling(), SLEUTEL)  # type: ignore[arg-type]

    assert isinstance(opdracht, DuoMelding)
    assert opdracht.bsn == BSN and opdracht.onderwijsnummer is None
    assert opdracht.brin == "99XX"
    assert opdracht.gemeentecode == "0599"
    assert opdracht.code_uitvoerder_vsv == "000599"
    assert opdracht.onderwijsdeelname.leerjaar_vo == 2
    assert opdracht.melder.email == "verzuim@testcollege.example"
    # Lesson 14 does not exist at DUO; a part-day without lessons is left out.
    assert [(d.datum.day, d.hele_dag, d.lesuren) for d in opdracht.verzuimdagen] == [
        (15, True, ()),
        (16, False, (1, 2)),
    ]
    assert not opdracht.actie_ondernomen
    assert opdracht.toelichting_actie_gewenst
    assert BSN not in repr(opdracht)


def test_duo_melding_neemt_ondernomen_acties_mee():
    acties = [
        {
            "afgerond_op": date(2025, 9, 22),
            "titel": "Gesprek mentor",
            "uitkomst": "gevoerd",
        }
    ]

    opdracht = duo_melding(nieuwe_melding(), _School(), _Leerling(acties), SLEUTEL)  # type: ignore[arg-type]

    assert isinstance(opdracht, DuoMelding)
    assert opdracht.actie_ondernomen
    assert opdracht.toelichting_ondernomen_actie == "2025-09-22 Gesprek mentor: gevoerd"


def test_lrv_gaat_zonder_einddatum():
    melding = nieuwe_melding(verzuimsoort="LRV", verzuimdagen=())

    opdracht = duo_melding(melding, _School(), _Leerling(), SLEUTEL)  # type: ignore[arg-type]

    assert isinstance(opdracht, DuoMelding)
    assert opdracht.einddatum is None


@pytest.mark.parametrize(
    ("school", "sleutel", "velden"),
    [
        (None, SLEUTEL, ("school",)),
        (
            type("Zonder", (_School,), {"contact_melder": None})(),
            SLEUTEL,
            ("school.contactMelder",),
        ),
        (type("Vso", (_School,), {"sector": "vso"})(), SLEUTEL, ("school.sector",)),
        (_School(), None, ("pgnSleutel",)),
        (_School(), nieuwe_sleutel(), ("leerling.pgn",)),
        (type("Brin", (_School,), {"brin": "9XXX"})(), SLEUTEL, ("brin",)),
    ],
    ids=[
        "geen-school",
        "geen-melder",
        "onbekende-sector",
        "geen-sleutel",
        "andere-sleutel",
        "brin",
    ],
)
def test_blokkade_noemt_velden_zonder_waarden(school, sleutel, velden):
    opdracht = duo_melding(nieuwe_melding(), school, _Leerling(), sleutel)

    assert opdracht == Blokkade(velden)


@pytest.mark.parametrize(
    "pgn",
    [None, {"soort": "bsn", "versleuteld": VERNIETIGD}],
    ids=["gewist", "sleutel-vernietigd"],
)
def test_een_melding_van_een_gewiste_leerling_wacht_op_het_pgn(pgn):
    # Erased before it was sent: the number is gone (the erasure took it from the
    # aggregate, or its sealed field reads as destroyed). Nothing goes to DUO.
    leerling = _Leerling()
    leerling.gegevens["pgn"] = pgn

    opdracht = duo_melding(nieuwe_melding(), _School(), leerling, SLEUTEL)  # type: ignore[arg-type]

    assert opdracht == Blokkade(("leerling.pgn",))


def test_mutaties_en_statuscodes():
    melding = nieuwe_melding()
    registreer(melding)

    mutatie = intrekking(melding)

    assert mutatie.soort is Mutatiesoort.INTREKKING
    assert mutatie.meldingsnummer == "202500000001"
    assert status_van(MeldingStatus.TER_KENNISGEVING_AANGENOMEN) is (
        Meldingstatus.TER_KENNISGEVING
    )


# --- the policy on a real store -----------------------------------------------


def _envelop(gebeurtenis: ContractEvent, volgnummer: int) -> CloudEvent:
    return wrap(gebeurtenis, event_id=str(uuid4()), sequence=volgnummer, time=NU)


def test_policy_legt_vast_en_overleeft_herladen(tmp_path):
    env = {
        "PERSISTENCE_MODULE": "plumbing.store:SQLiteStore",
        "SQLITE_DBNAME": str(tmp_path / "ketenkoppeling.sqlite"),
    }
    app = Ketenkoppeling(env=env)
    meldplicht = uuid4()
    gebeurtenissen: list[ContractEvent] = [
        SchoolGeregistreerd(
            school_id=SCHOOL,
            brin="99XX",
            naam="Testcollege",
            sector="vo",
            kalender=Kalender(),
            rooster=Rooster(lesuren={}),
            contact_melder=Contactpersoon(naam="J. Test", email="vc@test.example"),
        ),
        BesluitGenomen(  # arrives before the duty it is about
            dossier_id=uuid4(),
            leerling_id=LEERLING,
            school_id=SCHOOL,
            besluit="achterstalligBevestigd",
            verwijzing_id=meldplicht,
            door="vc-1",
            op=NU,
        ),
        LeerlingGeregistreerd(
            leerling_id=LEERLING,
            school_id=SCHOOL,
            geboortedatum=date(2011, 4, 1),
            woongemeente="0599",
            inschrijving_vanaf=date(2023, 8, 1),
            leerjaar=2,
            pgn=versleutel(BSN, "bsn", SLEUTEL),
        ),
        ActieAfgerond(
            dossier_id=uuid4(),
            leerling_id=LEERLING,
            school_id=SCHOOL,
            actie_id=uuid4(),
            titel="Gesprek mentor",
            uitkomst="gevoerd",
            afgerond_op=date(2025, 9, 22),
        ),
        MeldplichtVastgesteld(
            meldplicht_id=meldplicht,
            leerling_id=LEERLING,
            school_id=SCHOOL,
            verzuimsoort="V3",
            begindatum=date(2025, 8, 25),
            einddatum=date(2025, 9, 5),
            achterstallig=True,
            minuten=960,
            slots=[],
            verzuimdagen=[Verzuimdag(datum=date(2025, 8, 25), hele_dag=True)],
            toelichting="16 uur.",
        ),
    ]
    uow = UnitOfWork(app)
    for volgnummer, gebeurtenis in enumerate(gebeurtenissen, start=1):
        pas_toe(uow, gebeurtenis, _envelop(gebeurtenis, volgnummer), NU)
    app.save(*uow.aggregates)
    app.close()

    herladen = Ketenkoppeling(env=env)
    melding = herladen.melding(melding_id(meldplicht))
    leerling = herladen.leerling(LEERLING)

    # The early confirmation (D17) was applied when the duty arrived.
    assert melding.status is Meldingstatus.WACHTEND
    assert melding.plicht.vervaldatum == date(2025, 9, 12)  # D4 when analyse gives none
    assert melding.plicht.verzuimdagen[0].datum == date(2025, 8, 25)
    assert leerling is not None and leerling.gegevens is not None
    assert BSN not in str(leerling.gegevens)
    assert leerling.acties_voor(SCHOOL)[0]["titel"] == "Gesprek mentor"
    assert herladen.overzicht.meldingen_van([SCHOOL]) == [melding.id]
    assert herladen.overzicht.verzending.neem() == [melding.id]

    uow = UnitOfWork(herladen)
    vervallen = MeldplichtVervallen(
        meldplicht_id=meldplicht, leerling_id=LEERLING, school_id=SCHOOL, reden="weg"
    )
    pas_toe(uow, vervallen, _envelop(vervallen, 6), NU)
    herladen.save(*uow.aggregates)
    assert herladen.melding(melding.id).status is Meldingstatus.VERVALLEN
    herladen.close()


@pytest.mark.parametrize(
    ("gebeurtenis", "soort"),
    [
        (
            DossierGesloten(
                dossier_id=uuid4(),
                leerling_id=LEERLING,
                school_id=SCHOOL,
                reden="klaar",
            ),
            "dossier_gesloten",
        ),
        (
            SignaalAfgegeven(
                signaal_id=uuid4(),
                leerling_id=LEERLING,
                school_id=SCHOOL,
                soort="zorgwekkendZiekteverzuim",
                datum=date(2025, 10, 6),
                toelichting="MAZL (D19).",
            ),
            "mazl_signaal",
        ),
        (
            BesluitGenomen(
                dossier_id=uuid4(),
                leerling_id=LEERLING,
                school_id=SCHOOL,
                besluit="luxeverzuimBevestigd",
                verwijzing_id=uuid4(),
                door="vc-1",
                op=NU,
            ),
            "luxeverzuim_bevestigd",
        ),
    ],
    ids=["dossier", "mazl", "luxe"],
)
def test_upstream_aanleiding_voor_partners(gebeurtenis, soort):
    app = Ketenkoppeling(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    uow = UnitOfWork(app)
    envelop = _envelop(gebeurtenis, 1)

    pas_toe(uow, gebeurtenis, envelop, NU)
    pas_toe(uow, gebeurtenis, envelop, NU)  # seen again: the same aanleiding

    [aanleiding] = uow.aggregates
    assert aanleiding.soort == soort
    assert aanleiding.id == aanleiding_id(envelop.id)
    assert aanleiding.datum == date(2025, 10, 6)


def test_andere_signalen_en_besluiten_laten_partners_met_rust():
    app = Ketenkoppeling(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    uow = UnitOfWork(app)
    signaal = SignaalAfgegeven(
        signaal_id=uuid4(),
        leerling_id=LEERLING,
        school_id=SCHOOL,
        soort="teLaat",
        datum=date(2025, 10, 6),
        toelichting="Te laat.",
    )

    pas_toe(uow, signaal, _envelop(signaal, 1), NU)

    assert uow.aggregates == []


def test_afgewezen_achterstallige_melding_vervalt_zonder_verzending_d17():
    app = Ketenkoppeling(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    meldplicht = uuid4()
    vastgesteld = MeldplichtVastgesteld(
        meldplicht_id=meldplicht,
        leerling_id=LEERLING,
        school_id=SCHOOL,
        verzuimsoort="V3",
        begindatum=date(2025, 8, 25),
        einddatum=date(2025, 9, 5),
        achterstallig=True,
        minuten=960,
        slots=[],
        verzuimdagen=[Verzuimdag(datum=date(2025, 8, 25), hele_dag=True)],
        toelichting="16 uur.",
    )
    afgewezen = BesluitGenomen(
        dossier_id=uuid4(),
        leerling_id=LEERLING,
        school_id=SCHOOL,
        besluit="achterstalligAfgewezen",
        verwijzing_id=meldplicht,
        door="vc-1",
        op=NU,
    )
    uow = UnitOfWork(app)
    pas_toe(uow, vastgesteld, _envelop(vastgesteld, 1), NU)
    app.save(*uow.aggregates)
    assert app.melding(melding_id(meldplicht)).status is (
        Meldingstatus.WACHT_OP_BEVESTIGING
    )

    uow = UnitOfWork(app)
    pas_toe(uow, afgewezen, _envelop(afgewezen, 2), NU)
    app.save(*uow.aggregates)

    melding = app.melding(melding_id(meldplicht))
    assert melding.status is Meldingstatus.VERVALLEN
    assert melding.werk is None
