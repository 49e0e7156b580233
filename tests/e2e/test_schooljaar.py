"""A small school year through the real stack: the main job's own driver, in CI.

Four weeks, 100 made-up pupils, the broker, the four services and the DUO stand-in
as subprocesses (`tools.launcher.Stack`), the stand-in failing now and then; once
day by day with the clock moving and once as a bulk backfill. Then the totals must
agree across the services: every duty became a melding the stand-in accepted or
waits for a person's decision, no melding twice, every absence counted once; and the
reconciliation, from registratie's store alone, finds no difference, both in the
run and as the command on the stopped run's data directory.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from plumbing.security.apikeys import ApiKeyStore
from tools.hoofdtaak.opdracht import DuoStoringen, Opdracht
from tools.hoofdtaak.reconciliatie import lees_run
from tools.hoofdtaak.reconciliatie import main as reconciliatie
from tools.hoofdtaak.uitvoering import Uitkomst, voer_uit
from tools.schooljaar.verzuim import Instellingen, genereer_schooljaar

pytestmark = [pytest.mark.slow, pytest.mark.broker]

WEKEN, VO, PO, SEED = 4, 80, 20, 2526


@pytest.fixture(scope="module", params=["dagelijks", "bulk"])
def run(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Uitkomst, Path]:
    map_ = tmp_path_factory.mktemp(f"schooljaar-{request.param}")
    opdracht = Opdracht(
        modus=request.param,
        data_dir=map_ / "data",
        rapport=map_ / "schooljaar.html",
        seed=SEED,
        weken=WEKEN,
        vo=VO,
        po=PO,
        storingen=DuoStoringen.lees("5xx=0.1,uitval=3:3"),
        wachttijd=180.0,
        stil=True,
    )
    uitkomst = asyncio.run(voer_uit(opdracht))
    return uitkomst, map_


def _details(uitkomst: Uitkomst) -> str:
    regels = [f"{c.naam}: {c.details}" for c in uitkomst.controles if not c.geslaagd]
    regels += [str(v) for v in uitkomst.reconciliatie.verschillen]
    return "\n".join(regels)


def test_the_chain_settles_and_the_totals_agree(run: tuple[Uitkomst, Path]) -> None:
    uitkomst, _ = run

    assert uitkomst.stil
    assert all(c.geslaagd for c in uitkomst.controles), _details(uitkomst)
    assert uitkomst.reconciliatie.in_orde, _details(uitkomst)


def test_what_went_in_is_what_registratie_accepted(run: tuple[Uitkomst, Path]) -> None:
    uitkomst, _ = run
    jaar = genereer_schooljaar(
        Instellingen(seed=SEED, weken=WEKEN, vo_leerlingen=VO, po_leerlingen=PO)
    )
    tellingen = jaar.tellingen()
    c = uitkomst.gegevens.cijfers

    assert c.records_verwacht_afgewezen == tellingen["verwachtAfgewezen"]
    assert c.records_afgewezen == c.records_verwacht_afgewezen
    assert c.records_ingetrokken >= tellingen.get("intrekking", 0)
    assert c.afmeldingen == tellingen["afmelding"]
    # Magister turns a lesson range into one record per lesson, so at least as many.
    assert c.records_verstuurd >= tellingen["afwezigheid"] + tellingen["correctie"]
    assert c.verzuim_geclassificeerd.get("ongeoorloofd", 0) > 0


def test_duties_reach_duo_despite_its_failures(run: tuple[Uitkomst, Path]) -> None:
    uitkomst, _ = run
    c = uitkomst.gegevens.cijfers

    assert sum(c.meldplichten.values()) >= 1
    assert c.meldingen_geaccepteerd >= 1
    assert len(uitkomst.gegevens.meldingen) == sum(c.meldingen_status.values())
    assert c.notificaties_bezorgd >= 1
    assert uitkomst.gegevens.dlq == {}


def test_the_report_explains_every_melding(run: tuple[Uitkomst, Path]) -> None:
    uitkomst, map_ = run
    from tools.schooljaar.rapport import schrijf_rapport

    pad = schrijf_rapport(uitkomst.gegevens, map_ / "schooljaar.html")

    html = pad.read_text(encoding="utf-8")
    assert f"Verzuimmeldingen ({len(uitkomst.gegevens.meldingen)})" in html
    for melding in uitkomst.gegevens.meldingen:
        assert melding.toelichting
        assert melding.slots or melding.duo_status in ("vervallen", "ingetrokken")


def test_the_reconciliation_command_agrees_on_the_stopped_run(
    run: tuple[Uitkomst, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    _, map_ = run

    code = reconciliatie(["--data-dir", str(map_ / "data")])

    uit = capsys.readouterr().out
    assert code == 0, uit
    assert "Geen verschillen." in uit
    # The key it made for asking the services is revoked again.
    store = ApiKeyStore.from_settings(lees_run(map_ / "data"))
    try:
        sleutels = [k for k in store.list() if k.naam == "reconciliatie"]
    finally:
        store.close()
    assert sleutels and all(k.ingetrokken for k in sleutels)
