"""The PDCA loop in domain terms, through the application as the API would drive it.

A pupil crosses 16 hours, the protocol starts, the first step is done, verzuim
continues, the evaluation escalates, the pupil returns, the next evaluation shows it,
and the dossier is closed with a report listing everything.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from plumbing.clock import FixedClock
from services.opvolging.application import Opvolging
from services.opvolging.domain.evaluatie import Oordeel, WeekCijfer
from services.opvolging.domain.rapport import LeerlingGegevens
from tests.opvolging.stroom import SCHOOL, Stroom, meldplicht, status, uid

AMS = ZoneInfo("Europe/Amsterdam")
LEERLING = "LL-2001"


def _op(dag: str, tijd: str = "09:00") -> datetime:
    return datetime.fromisoformat(f"{dag}T{tijd}").replace(tzinfo=AMS)


# unauthorised minutes per lesweek (Monday), as analyse would report them
CIJFERS = {
    date(2025, 9, 8): 100,
    date(2025, 9, 15): 960,  # the week the pupil crossed 16 hours
    date(2025, 9, 22): 700,
    date(2025, 9, 29): 650,
    date(2025, 10, 6): 0,  # back at school
    date(2025, 10, 13): 0,
}


def _cijfers_tot(peildatum: date) -> list[WeekCijfer]:
    return [WeekCijfer(w, m) for w, m in CIJFERS.items() if w <= peildatum]


def test_pdca_loop_from_16_hours_to_closing_report(
    app: Opvolging, tmp_path: Path
) -> None:
    # plan/do: the 16-hour duty opens the dossier with the protocol's first step
    stroom = Stroom(app, FixedClock(_op("2025-09-18")))
    stroom.pas_toe(meldplicht(LEERLING, "MP-20"))
    dossier_id = stroom.dossier_id(LEERLING)
    [mentor_regel] = app.werklijst(SCHOOL, "mentor", date(2025, 9, 18))
    assert mentor_regel.actie.titel == "Gesprek mentor met leerling"
    stroom.pas_toe(
        status(LEERLING, "MP-20", "geregistreerd", meldingsnummer="DUO-7001"),
        moment=_op("2025-09-18", "14:00"),
    )

    # do: the mentor carries out the first step
    app.actie_afronden(
        dossier_id,
        mentor_regel.actie.id,
        uitkomst="gesprek gevoerd, afspraken gemaakt",
        door="mentor-17",
        op=_op("2025-09-23"),
    )
    assert app.werklijst(SCHOOL, "mentor", date(2025, 9, 23)) == []

    # check: two lesweken after the first action the evaluation is due
    assert app.verschuldigde_evaluaties(date(2025, 10, 1)) == []
    [verschuldigd] = app.verschuldigde_evaluaties(date(2025, 10, 2))
    assert verschuldigd.id == dossier_id

    # act: verzuim continues, so the next ladder step is planned
    eerste = app.voer_verschuldigde_evaluaties_uit(
        date(2025, 10, 2), lambda d: _cijfers_tot(date(2025, 10, 2)), door="planner"
    )
    assert eerste[dossier_id].oordeel is Oordeel.NIET_VERBETERD
    assert not eerste[dossier_id].maatregelen_werken
    assert eerste[dossier_id].voorgestelde_titel == "Gesprek met ouders"
    [vc_regel] = app.werklijst(SCHOOL, "verzuimcoordinator", date(2025, 10, 2))
    assert vc_regel.actie.titel == "Gesprek met ouders"
    assert vc_regel.actie.ladderstap == 1
    app.actie_afronden(
        dossier_id,
        vc_regel.actie.id,
        uitkomst="ouders op school geweest",
        door="vc-3",
        op=_op("2025-10-06"),
    )

    # check again: the pupil is back, two silent lesweken
    assert app.verschuldigde_evaluaties(date(2025, 10, 15)) == []
    tweede = app.voer_verschuldigde_evaluaties_uit(
        date(2025, 10, 17), lambda d: _cijfers_tot(date(2025, 10, 17)), door="planner"
    )
    assert tweede[dossier_id].oordeel is Oordeel.VERZUIM_GESTOPT
    assert tweede[dossier_id].maatregelen_werken
    assert app.werklijst(SCHOOL, "verzuimcoordinator", date(2025, 10, 17)) == []

    # close, and the report lists everything
    app.afsluiten(
        dossier_id,
        reden="verzuim_gestopt",
        toelichting="weer elke dag aanwezig",
        door="vc-3",
        op=_op("2025-10-20"),
    )
    assert app.open_dossier(SCHOOL, str(uid(LEERLING))) is None
    assert [d.id for d in app.dossiers(SCHOOL, status="afgesloten")] == [dossier_id]

    rapport = app.rapport(dossier_id, LeerlingGegevens("Fenna Verzonnen", "2A"))
    json.dumps(rapport)  # JSON-able as it is
    assert rapport["soort"] == "afsluitrapport"
    assert rapport["dossier"]["afsluitreden"] == "verzuim_gestopt"
    assert [m["titel"] for m in rapport["maatregelen"]] == [
        "Gesprek mentor met leerling",
        "Gesprek met ouders",
    ]
    assert [m["status"] for m in rapport["maatregelen"]] == ["afgerond", "afgerond"]
    assert [e["oordeel"] for e in rapport["evaluaties"]] == [
        "niet_verbeterd",
        "verzuim_gestopt",
    ]
    assert rapport["evaluaties"][0]["gemiddelde_voor"] == 530.0
    assert rapport["evaluaties"][0]["gemiddelde_na"] == 675.0
    [melding] = rapport["meldingen"]
    assert (melding["status"], melding["meldingsnummer"]) == (
        "geregistreerd",
        "DUO-7001",
    )
    assert [g["soort"] for g in rapport["tijdlijn"]] == [
        "Geopend",
        "MeldplichtOntvangen",
        "ActieToegevoegd",
        "MeldingStatusGewijzigd",
        "ActieAfgerond",
        "EvaluatieVastgelegd",
        "ActieToegevoegd",
        "ActieAfgerond",
        "EvaluatieVastgelegd",
        "Afgesloten",
    ]
    wie = {b["door"]: len(b["handelingen"]) for b in rapport["betrokkenen"]}
    assert wie == {
        "systeem:analyse": 3,
        "systeem:ketenkoppeling": 1,
        "mentor-17": 1,
        "planner": 3,
        "vc-3": 2,
    }

    html = app.rapport_html(dossier_id, LeerlingGegevens("Fenna Verzonnen", "2A"))
    assert "Afsluitrapport verzuimdossier" in html
    assert "Fenna Verzonnen" in html
    assert "Gesprek met ouders" in html
    assert "verzuim gestopt" in html
    assert "DUO-7001" in html

    # everything survives a restart: the stored events rebuild the same dossier
    env = {
        "PERSISTENCE_MODULE": "plumbing.store:SQLiteStore",
        "SQLITE_DBNAME": str(tmp_path / "opvolging.db"),
    }
    herstart = Opvolging(env)
    assert herstart.dossier(dossier_id) == app.dossier(dossier_id)
    assert herstart.rapport(dossier_id, LeerlingGegevens("Fenna Verzonnen")) == (
        app.rapport(dossier_id, LeerlingGegevens("Fenna Verzonnen"))
    )
    herstart.close()
