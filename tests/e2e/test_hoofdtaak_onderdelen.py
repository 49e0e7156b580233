"""The main job's parts that need no running chain: flags, metrics, SIS routes,
the real sample files and the comparison behind the reconciliation."""

from __future__ import annotations

from collections import Counter
from datetime import date
from uuid import UUID

import pytest

from contracts.common import VersleuteldPgn
from contracts.registratie import (
    LeerlingGeregistreerd,
    VerzuimdagBijgewerkt,
    VerzuimGeclassificeerd,
    VerzuimVervallen,
)
from services.analyse.contracts_mapping import meldplicht_id
from services.analyse.domain.model import IngediendeMelding, Meldplicht, Verzuimsoort
from tools.hoofdtaak.opdracht import DuoStoringen, OngeldigeOpdracht
from tools.hoofdtaak.reconciliatie import bij_duo
from tools.hoofdtaak.registratielog import Registratiestand
from tools.hoofdtaak.registratielog import _pas_toe as pas_toe
from tools.hoofdtaak.sis import ROUTES, Sisroutes, echte_bestanden
from tools.hoofdtaak.vergelijking import vergelijk
from tools.hoofdtaak.wachten import Metingen, Stand, lees_metrics
from tools.schooljaar.verzuim import Instellingen, Schooljaar, genereer_schooljaar

LEERLING = "6734bf0e-b121-444b-bc43-a74ca96d2ac1"


@pytest.fixture(scope="module")
def jaar() -> Schooljaar:
    return genereer_schooljaar(
        Instellingen(seed=11, weken=5, vo_leerlingen=60, po_leerlingen=10)
    )


# --- flags -------------------------------------------------------------------------


def test_storingen_are_read_from_the_flag() -> None:
    storingen = DuoStoringen.lees("5xx=0.1, afwijzing=0.02,uitval=8:5,uitval=30:2")

    assert storingen.fractie_5xx == 0.1
    assert storingen.fractie_afwijzing == 0.02
    assert storingen.uitval == ((8.0, 5.0), (30.0, 2.0))
    assert DuoStoringen.lees("geen") == DuoStoringen()


@pytest.mark.parametrize(
    "tekst", ["5xx=2", "uitval=5", "uitval=-1:3", "regen=0.1", "5xx=veel"]
)
def test_a_storing_that_makes_no_sense_is_refused(tekst: str) -> None:
    with pytest.raises(OngeldigeOpdracht):
        DuoStoringen.lees(tekst)


# --- metrics and quiet -------------------------------------------------------------

_METRICS = """\
# HELP consumer_lag Records not yet consumed.
# TYPE consumer_lag gauge
consumer_lag{group="analyse",partition="0",topic="verzuim.registratie.v1"} 3.0
consumer_lag{group="analyse",partition="1",topic="verzuim.registratie.v1"} 0.0
# HELP relay_position Last notification id.
# TYPE relay_position gauge
relay_position{topic="verzuim.analyse.v1"} 120.0
# HELP events_published_total Events published.
# TYPE events_published_total counter
events_published_total{topic="verzuim.analyse.v1"} 57.0
# HELP dlq_messages_total Dead letters.
# TYPE dlq_messages_total counter
dlq_messages_total{topic="verzuim.registratie.v1"} 2.0
"""


def test_metrics_give_lag_relay_position_and_dead_letters() -> None:
    metingen = lees_metrics(_METRICS)

    assert metingen.lag == 3
    assert metingen.lag_gezien
    assert metingen.relay_positie == 120
    assert metingen.gepubliceerd == 57
    assert metingen.dlq == {"verzuim.registratie.v1": 2}


def test_the_chain_is_quiet_only_when_every_consumer_caught_up_and_nothing_waits() -> (
    None
):
    klaar = Metingen(lag=0, lag_gezien=True)
    metingen = {
        d: klaar for d in ("registratie", "analyse", "opvolging", "ketenkoppeling")
    }
    metingen["registratie"] = Metingen()  # consumes nothing, reports no lag

    assert Stand(metingen, {}, 0, {}).stil
    assert not Stand(metingen, {"wachtend": 1}, 1, {}).stil
    nog_niet = {**metingen, "analyse": Metingen()}  # has not joined its group yet
    assert not Stand(nog_niet, {}, 0, {}).stil


# --- SIS routes --------------------------------------------------------------------


def test_every_format_gets_a_share_and_po_and_faulty_records_stay_plain(
    jaar: Schooljaar,
) -> None:
    routes = Sisroutes(jaar)
    records = [a for a in jaar.acties if a.kind in ("afwezigheid", "correctie")]

    gekozen = Counter(routes.route(a) for a in records if a.school == "vo")

    assert set(gekozen) == set(ROUTES)
    assert {routes.route(a) for a in records if a.school == "po"} == {"json"}
    assert {routes.route(a) for a in records if a.verwachting} == {"json"}


def test_records_read_back_from_the_sis_files_keep_pupil_day_and_code(
    jaar: Schooljaar,
) -> None:
    routes = Sisroutes(jaar)
    records = [
        a
        for a in jaar.acties
        if a.kind == "afwezigheid" and a.school == "vo" and not a.verwachting
    ]

    per_route = routes.verdeel(records)

    assert routes.importfouten == []
    origineel = {a.payload["bronId"]: a.payload for a in records}
    for route in ("magister", "somtoday", "eduarte"):
        assert per_route[route], route
        for regel in per_route[route]:
            bron = origineel[regel.oorsprong]
            assert regel.body["bron"] in (route, f"{route}-waarneming")
            assert regel.body["leerlingId"] == bron["leerlingId"]
            dag = regel.body.get("datum") or regel.body["van"][:10]
            assert dag == bron["datum"]
            if route != "eduarte" or bron.get("redenCode"):
                assert regel.body.get("redenCode") == bron.get("redenCode")
    aantal = sum(len(regels) for regels in per_route.values())
    assert aantal >= len(records)  # Magister splits a range into lessons


def test_the_real_eduarte_files_land_on_made_up_pupils_in_this_year(
    jaar: Schooljaar,
) -> None:
    routes = Sisroutes(jaar)

    regels = echte_bestanden(jaar, routes)

    vo = {str(ll.leerling_id) for ll in jaar.leerlingen_van("vo")}
    assert len(regels) == 3 + 5
    assert {r.body["leerlingId"] for r in regels} <= vo
    assert all(r.body.get("datum", "2025")[:4] == "2025" for r in regels)
    assert all(r.body.get("redenCode") in (None, "ZI") for r in regels)
    assert [f.verwacht for f in routes.importfouten] == [True]


# --- the comparison ----------------------------------------------------------------


def _plicht(soort: Verzuimsoort, begin: date, eind: date, minuten: int) -> Meldplicht:
    return Meldplicht(
        sleutel=f"{soort}:{eind.isoformat()}",
        soort=soort,
        begindatum=begin,
        einddatum=eind,
        vastgesteld_op=eind,
        vervaldatum=eind,
        minuten=minuten,
        slot_ids=(),
        venster=None,
        achterstallig=False,
        ingediend=False,
        toelichting="",
    )


def _analyse(plicht: Meldplicht, status: str) -> dict[str, object]:
    return {
        "meldplichtId": str(meldplicht_id(LEERLING, plicht.sleutel)),
        "leerlingId": LEERLING,
        "verzuimsoort": plicht.soort.value,
        "status": status,
        "begindatum": plicht.begindatum.isoformat(),
        "einddatum": plicht.einddatum.isoformat() if plicht.einddatum else None,
        "minuten": plicht.minuten,
    }


def _melding(gegeven: dict[str, object], status: str, nummer: str) -> dict[str, object]:
    return {
        "meldingId": str(UUID(int=int(nummer))),
        "meldplichtId": gegeven["meldplichtId"],
        "leerlingId": LEERLING,
        "verzuimsoort": gegeven["verzuimsoort"],
        "begindatum": gegeven["begindatum"],
        "einddatum": gegeven["einddatum"],
        "status": status,
        "meldingsnummer": nummer,
    }


def test_agreeing_services_give_no_differences() -> None:
    plicht = _plicht(Verzuimsoort.V3, date(2025, 9, 8), date(2025, 9, 26), 980)
    gegeven = _analyse(plicht, "ingediend")

    verschillen = vergelijk(
        {LEERLING: [plicht]}, [gegeven], [_melding(gegeven, "afgesloten", "1")]
    )

    assert verschillen == []


def test_each_disagreement_is_named() -> None:
    plicht = _plicht(Verzuimsoort.V3, date(2025, 9, 8), date(2025, 9, 26), 980)
    ander = _plicht(Verzuimsoort.L, date(2025, 10, 13), date(2025, 10, 17), 1500)
    gegeven = _analyse(plicht, "open")
    gegeven["minuten"] = 900
    extra = _analyse(ander, "open")
    dubbel = [_melding(gegeven, "wachtend", "1"), _melding(gegeven, "wachtend", "2")]

    verschillen = [
        v.wat for v in vergelijk({LEERLING: [plicht]}, [gegeven, extra], dubbel)
    ]

    assert any("900 minuten" in v for v in verschillen)
    assert any("niet uit registratie volgt" in v for v in verschillen)
    assert any("2 verzuimmeldingen" in v for v in verschillen)
    assert any("geen verzuimmelding" in v for v in verschillen)


def test_a_submitted_duty_must_be_held_by_duo() -> None:
    plicht = _plicht(Verzuimsoort.V3, date(2025, 9, 8), date(2025, 9, 26), 980)
    gegeven = _analyse(plicht, "ingediend")

    verschillen = vergelijk(
        {LEERLING: [plicht]}, [gegeven], [_melding(gegeven, "wachtend", "1")]
    )

    assert [v.wat for v in verschillen] == [
        "ketenkoppeling wachtend past niet bij analyse ingediend"
    ]


def test_an_einddatum_duo_no_longer_takes_is_no_difference() -> None:
    plicht = _plicht(Verzuimsoort.L, date(2026, 7, 13), date(2026, 7, 17), 1500)
    gegeven = _analyse(plicht, "ingediend")
    gesloten = {**_melding(gegeven, "afgesloten", "1"), "einddatum": "2026-07-14"}
    open_ = {**_melding(gegeven, "geregistreerd", "1"), "einddatum": "2026-07-14"}

    assert vergelijk({LEERLING: [plicht]}, [gegeven], [gesloten]) == []
    assert [v.wat for v in vergelijk({LEERLING: [plicht]}, [gegeven], [open_])] == [
        "einddatum: ketenkoppeling 2026-07-14, analyse 2026-07-17"
    ]


def test_what_duo_holds_enters_the_recount_unless_withdrawn() -> None:
    plicht = _plicht(Verzuimsoort.V3, date(2025, 9, 8), date(2025, 9, 26), 980)
    ander = _plicht(Verzuimsoort.V3, date(2025, 10, 6), date(2025, 10, 10), 960)
    gegeven = {**_analyse(plicht, "ingediend"), "sleutel": plicht.sleutel}
    ingetrokken = {**_analyse(ander, "ingetrokken"), "sleutel": ander.sleutel}
    meldingen = [
        _melding(gegeven, "inBehandeling", "1"),
        _melding(ingetrokken, "afgesloten", "2"),  # closed before the withdrawal
    ]

    uitkomst = bij_duo([gegeven, ingetrokken], meldingen)

    assert uitkomst == {
        LEERLING: [
            IngediendeMelding(
                plicht.sleutel, Verzuimsoort.V3, plicht.begindatum, plicht.einddatum
            )
        ]
    }


# --- registratie's log -------------------------------------------------------------


def test_the_log_folds_pupil_days_and_older_single_slots_alike() -> None:
    leerling, school = UUID(LEERLING), UUID(int=5)
    registratie = LeerlingGeregistreerd(
        leerling_id=leerling,
        school_id=school,
        geboortedatum=date(2011, 3, 10),
        woongemeente="0344",
        inschrijving_vanaf=date(2025, 8, 1),
        pgn=VersleuteldPgn(soort="bsn", versleuteld="bm90LWVlbi1ic24="),
    )

    def slot(lesuur: int, status: str = "ongeoorloofd") -> VerzuimGeclassificeerd:
        return VerzuimGeclassificeerd(
            leerling_id=leerling,
            school_id=school,
            slot_id=f"{LEERLING}/2025-09-15/{lesuur}",
            datum=date(2025, 9, 15),
            lesuur=lesuur,
            status=status,  # type: ignore[arg-type]
            soort="afwezig",
            minuten=60,
            gemiste_minuten=50,
            eenheid="lesuur",
        )

    weg = VerzuimVervallen(
        leerling_id=leerling,
        school_id=school,
        slot_id=f"{LEERLING}/2025-09-15/2",
        datum=date(2025, 9, 15),
        lesuur=2,
    )
    oud, nieuw = Registratiestand(), Registratiestand()
    for bericht in (registratie, slot(1), slot(2), slot(3), slot(1, "geoorloofd"), weg):
        pas_toe(oud, bericht, date(2025, 9, 15))
    for bericht in (
        registratie,
        VerzuimdagBijgewerkt.van_slots([slot(1), slot(2), slot(3)]),
        VerzuimdagBijgewerkt.van_slots([slot(1, "geoorloofd"), weg]),
    ):
        pas_toe(nieuw, bericht, date(2025, 9, 15))

    assert nieuw.leerlingen[LEERLING].slots == oud.leerlingen[LEERLING].slots
    assert {s.lesuur: s.status for s in nieuw.leerlingen[LEERLING].slots.values()} == {
        1: "geoorloofd",
        3: "ongeoorloofd",
    }
