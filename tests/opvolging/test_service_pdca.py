"""The PDCA loop end to end, on the real broker, through HTTP and the topics.

A pupil crosses 16 hours; the dossier opens with the protocol's actions; the mentor
carries them out; verzuim continues, so the daily evaluation escalates to the next
step; the pupil returns, the next evaluation shows it, and the verzuimcoördinator
closes the dossier with a report that lists everything that happened.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from contracts.opvolging import ActieAfgerond, DossierGeopend, DossierGesloten
from plumbing.security.callers import Rol
from tests.opvolging.dienst import Dienst, wacht_tot
from tests.opvolging.stroom import (
    SCHOOL,
    leerling_in_klas,
    lessen,
    maatregel,
    meldplicht,
    op,
    school,
    status,
    uid,
)

LEERLING = "LL-2001"


async def _json(antwoord: httpx.Response, verwacht: int = 200) -> Any:
    assert antwoord.status_code == verwacht, antwoord.text
    return antwoord.json()


async def test_pdca_loop_from_16_hours_to_the_closing_report(dienst: Dienst) -> None:
    http = dienst.http
    assert http is not None
    vc, als_vc = dienst.sleutel([SCHOOL], Rol.VERZUIMCOORDINATOR, naam="vc")
    mentor, als_mentor = dienst.sleutel([SCHOOL], Rol.MENTOR, naam="mentor")

    # registratie: the school's calendar, the class, and the unauthorised lessons
    # of the weeks in which the pupil crossed 16 hours
    await dienst.publiceer(
        school(),
        leerling_in_klas(LEERLING, "2A"),
        *lessen(LEERLING, date(2025, 9, 8), 2),
        *lessen(LEERLING, date(2025, 9, 15), 16),
    )
    # The calendar is stored before the duty comes: in one batch the duty's
    # deadlines would follow the standard policy (a busy machine did that).
    await dienst.bijgewerkt()

    # plan: analyse establishes the duty and proposes a measure; DUO registers it
    await dienst.publiceer(
        meldplicht(LEERLING, "MP-1"),
        maatregel(
            LEERLING,
            "MR-1",
            "MP-1",
            "Gesprek met leerling en ouders",
            code="gesprekLeerlingOuders",
        ),
        status(LEERLING, "MP-1", "geregistreerd", meldingsnummer="DUO-7001"),
    )
    await dienst.bijgewerkt()
    lijst = await _json(
        await http.get(
            "/dossiers",
            params={"schoolId": SCHOOL, "rol": "mentor"},
            headers=als_mentor,
        )
    )
    [dossier] = lijst["dossiers"]
    dossier_id = dossier["id"]
    assert dossier["leerlingId"] == str(uid(LEERLING))
    assert [a["titel"] for a in dossier["acties"]] == [
        "Gesprek mentor met leerling",
        "Gesprek met leerling en ouders",
    ]
    assert {a["aangemaaktDoor"] for a in dossier["acties"]} == {"systeem:analyse"}
    assert dossier["volgendeEvaluatie"] == "2025-10-02"

    # do: the mentor carries out both on Tuesday 23 September
    dienst.zet_klok(op("2025-09-23", "15:10"))
    for actie in dossier["acties"]:
        afgerond = await _json(
            await http.post(
                f"/dossiers/{dossier_id}/acties/{actie['id']}/afronding",
                json={"uitkomst": "gesprek gevoerd, afspraken gemaakt"},
                headers=als_mentor,
            )
        )
        assert afgerond["status"] == "afgerond"
        assert (afgerond["gewijzigdDoor"], afgerond["gewijzigdOp"]) == (
            mentor,
            "2025-09-23T15:10:00+02:00",
        )

    # verzuim continues for two more weeks
    await dienst.publiceer(
        *lessen(LEERLING, date(2025, 9, 22), 12),
        *lessen(LEERLING, date(2025, 9, 29), 10),
    )
    await dienst.bijgewerkt()

    # check and act: two lesweken after the first measure the job evaluates
    dienst.zet_klok(op("2025-10-02", "07:00"))

    async def evaluaties(aantal: int) -> Any:
        gegeven = await _json(
            await http.get(f"/dossiers/{dossier_id}/evaluaties", headers=als_vc)
        )
        return gegeven if len(gegeven["evaluaties"]) == aantal else None

    gegeven = await wacht_tot(lambda: evaluaties(1))
    [eerste] = gegeven["evaluaties"]
    assert eerste["oordeel"] == "niet_verbeterd"
    assert (eerste["door"], eerste["peildatum"]) == ("systeem:opvolging", "2025-10-02")
    assert [(w["week"], w["minuten"]) for w in eerste["weken"]] == [
        ("2025-09-01", 0),
        ("2025-09-08", 120),
        ("2025-09-15", 960),
        ("2025-09-22", 720),
    ]
    assert (eerste["gemiddeldeVoor"], eerste["gemiddeldeNa"]) == (360.0, 720.0)
    assert eerste["voorgesteldeTitel"] == "Gesprek met ouders"

    werklijst = await _json(
        await http.get(
            "/dossiers",
            params={"schoolId": SCHOOL, "rol": "verzuimcoordinator"},
            headers=als_vc,
        )
    )
    [stap] = werklijst["dossiers"][0]["acties"]
    assert (stap["titel"], stap["ladderstap"], stap["aangemaaktDoor"]) == (
        "Gesprek met ouders",
        1,
        "systeem:opvolging",
    )
    dienst.zet_klok(op("2025-10-06", "16:00"))
    await _json(
        await http.post(
            f"/dossiers/{dossier_id}/acties/{stap['id']}/afronding",
            json={"uitkomst": "ouders op school geweest"},
            headers=als_vc,
        )
    )

    # the pupil is back: two quiet lesweken, seen on Saturday 18 October
    dienst.zet_klok(op("2025-10-18", "07:00"))
    gegeven = await wacht_tot(lambda: evaluaties(2))
    tweede = gegeven["evaluaties"][1]
    assert tweede["oordeel"] == "verzuim_gestopt"
    assert [w["minuten"] for w in tweede["weken"]][-2:] == [0, 0]
    # the next one skips the autumn vacation week
    assert gegeven["volgendeEvaluatie"] == "2025-11-08"

    # close with a reason
    dienst.zet_klok(op("2025-10-20", "08:30"))
    gesloten = await _json(
        await http.post(
            f"/dossiers/{dossier_id}/afsluiting",
            json={"reden": "verzuim_gestopt", "toelichting": "weer elke dag aanwezig"},
            headers=als_vc,
        )
    )
    assert (gesloten["status"], gesloten["afgeslotenDoor"]) == ("afgesloten", vc)
    assert gesloten["afgeslotenOp"] == "2025-10-20T08:30:00+02:00"

    # the report lists everything that happened, and who did it
    rapport = await _json(
        await http.get(f"/dossiers/{dossier_id}/rapport", headers=als_vc)
    )
    assert rapport["soort"] == "afsluitrapport"
    assert rapport["leerling"] == {"naam": str(uid(LEERLING)), "klas": "2A"}
    assert rapport["dossier"]["afsluitreden"] == "verzuim_gestopt"
    assert [(m["titel"], m["status"]) for m in rapport["maatregelen"]] == [
        ("Gesprek mentor met leerling", "afgerond"),
        ("Gesprek met leerling en ouders", "afgerond"),
        ("Gesprek met ouders", "afgerond"),
    ]
    assert [e["oordeel"] for e in rapport["evaluaties"]] == [
        "niet_verbeterd",
        "verzuim_gestopt",
    ]
    [melding] = rapport["meldingen"]
    assert (melding["status"], melding["meldingsnummer"]) == (
        "geregistreerd",
        "DUO-7001",
    )
    assert [g["soort"] for g in rapport["tijdlijn"]] == [
        "Geopend",
        "MeldplichtOntvangen",
        "ActieToegevoegd",
        "ActieToegevoegd",
        "MeldingStatusGewijzigd",
        "ActieAfgerond",
        "ActieAfgerond",
        "EvaluatieVastgelegd",
        "ActieToegevoegd",
        "ActieAfgerond",
        "EvaluatieVastgelegd",
        "Afgesloten",
    ]
    wie = {b["door"]: len(b["handelingen"]) for b in rapport["betrokkenen"]}
    assert wie == {
        "systeem:analyse": 4,
        "systeem:ketenkoppeling": 1,
        mentor: 2,
        "systeem:opvolging": 3,
        vc: 2,
    }

    html = await http.get(
        f"/dossiers/{dossier_id}/rapport",
        headers={**als_vc, "Accept": "text/html"},
    )
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    for tekst in (
        "Afsluitrapport verzuimdossier",
        "2A",
        "Gesprek met ouders",
        "verzuim gestopt",
        "DUO-7001",
        mentor,
    ):
        assert tekst in html.text

    # what opvolging published for this pupil, in order
    async def alles_gepubliceerd() -> Any:
        events = await dienst.gepubliceerd()
        return events if any(isinstance(e, DossierGesloten) for e in events) else None

    events = await wacht_tot(alles_gepubliceerd)
    assert [type(e) for e in events] == [
        DossierGeopend,
        ActieAfgerond,
        ActieAfgerond,
        ActieAfgerond,
        DossierGesloten,
    ]
    assert {str(e.dossier_id) for e in events} == {dossier_id}
    assert events[0].aanleiding_id == uid("MP-1")
    afgerond = [e for e in events if isinstance(e, ActieAfgerond)]
    assert [(e.titel, e.afgerond_op) for e in afgerond] == [
        ("Gesprek mentor met leerling", date(2025, 9, 23)),
        ("Gesprek met leerling en ouders", date(2025, 9, 23)),
        ("Gesprek met ouders", date(2025, 10, 6)),
    ]
    assert events[-1].reden == "verzuim_gestopt"
