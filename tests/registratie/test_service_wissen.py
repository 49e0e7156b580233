"""Erasing a pupil while the registratie service runs: the API shows the marker,
refuses new data with 410, and the relay keeps publishing."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.registratie import VerzuimGeclassificeerd
from services.registratie.wissen import main
from tests.registratie.service_dienst import BSN, Dienst, per_slot

pytestmark = pytest.mark.broker

OPMERKING = "Migraine-aanval tijdens de toets"  # made up


def _slots_van(events: list[Any], leerling: object) -> list[Any]:
    return [
        e
        for e in per_slot(events)
        if isinstance(e, VerzuimGeclassificeerd) and e.leerling_id == leerling
    ]


async def test_an_erased_pupil_reads_as_erased_and_takes_no_new_data(
    dienst: Dienst,
) -> None:
    leerling = await dienst.leerling(dienst.school_a, pgn=BSN, leerlingnummer="77")
    await dienst.afwezig(
        leerling,
        "W-1",
        datum="2025-11-18",
        lesuurVan=1,
        lesuurTot=3,
        redenCode="A",
        opmerking=OPMERKING,
    )
    slots = await dienst.slots(leerling, "2025-11-18")
    await dienst.wacht_op(lambda evs: len(_slots_van(evs, leerling)) == 3)

    # The command, in its own store connection, while the service runs.
    assert main(["leerling", str(leerling)], dienst.settings) == 0

    antwoord = await dienst.verzoek("GET", f"/leerlingen/{leerling}", status=200)
    body = antwoord.json()
    assert body["persoonsgegevens"] == "vernietigd"
    assert (body["geboortedatum"], body["pgn"], body["leerlingnummer"]) == (
        None,
        None,
        None,
    )
    assert await dienst.slots(leerling, "2025-11-18") == slots  # counts stay

    geweigerd = await dienst.afwezig(
        leerling, "W-2", status=410, datum="2025-11-19", lesuurVan=1, lesuurTot=1
    )
    assert geweigerd["status"] == 410
    assert OPMERKING not in str(geweigerd)
    body = {
        "schoolId": str(dienst.school_a),
        "geboortedatum": "2011-03-10",
        "pgn": BSN,
        "woongemeente": "0344",
        "inschrijvingVanaf": "2024-08-01",
    }
    await dienst.verzoek("PUT", f"/leerlingen/{leerling}", body, status=410)

    # The relay is not stuck on the erased pupil: another pupil is published.
    ander = await dienst.leerling(dienst.school_a)
    await dienst.afwezig(
        ander, "W-3", datum="2025-11-18", lesuurVan=1, lesuurTot=1, redenCode="A"
    )
    await dienst.wacht_op(lambda evs: _slots_van(evs, ander))
