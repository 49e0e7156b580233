"""The demo's verzuimcoördinator: which decisions it takes, and that a round it is
stopped in still counts what it sent. Opvolging is mocked with respx."""

from __future__ import annotations

import asyncio
import json

import httpx
import respx

from tools.hoofdtaak.besluiten import Besluitnemer, neem_besluiten
from tools.hoofdtaak.klant import Ketenklant

OPVOLGING = "http://opvolging.test"
SCHOOL = "0b6f1c9e-3a55-4d59-9d0e-1f2a3b4c5d6e"


def _dossier(nummer: int, *acties: tuple[str, str]) -> dict[str, object]:
    return {
        "id": f"d{nummer}",
        "acties": [
            {"id": f"d{nummer}-a{i}", "soort": soort, "status": status}
            for i, (soort, status) in enumerate(acties)
        ],
    }


DOSSIERS = [
    _dossier(1, ("achterstallige_melding_bevestigen", "open"), ("gesprek", "open")),
    _dossier(2, ("intrekking_beoordelen", "open")),
    _dossier(3, ("achterstallige_melding_bevestigen", "afgerond")),
    _dossier(4, ("luxeverzuim_beoordelen", "open")),
    _dossier(
        5,
        ("achterstallige_melding_bevestigen", "open"),
        ("intrekking_beoordelen", "open"),
    ),
]


def _per_soort(request: httpx.Request) -> httpx.Response:
    """Opvolging's `actie` filter: the open dossiers with an open action of it."""
    soort = request.url.params["actie"]
    return httpx.Response(
        200,
        json={
            "dossiers": [
                d
                for d in DOSSIERS
                if any(
                    a["soort"] == soort and a["status"] == "open" for a in d["acties"]
                )
            ]
        },
    )


def _klant() -> Ketenklant:
    return Ketenklant({"opvolging": OPVOLGING}, "sleutel")


async def test_only_open_backlog_and_withdrawal_decisions_are_confirmed() -> None:
    with respx.mock(base_url=OPVOLGING, assert_all_called=False) as router:
        router.get("/v1/dossiers").mock(side_effect=_per_soort)
        besluit = router.post(path__regex=r"/v1/dossiers/.+/acties/.+/besluit")
        besluit.respond(json={})
        klant = _klant()
        try:
            genomen = await neem_besluiten(klant, [SCHOOL])
        finally:
            await klant.sluit()
    paden = sorted(c.request.url.path for c in besluit.calls)
    assert paden == [
        "/v1/dossiers/d1/acties/d1-a0/besluit",
        "/v1/dossiers/d2/acties/d2-a0/besluit",
        "/v1/dossiers/d5/acties/d5-a0/besluit",
        "/v1/dossiers/d5/acties/d5-a1/besluit",
    ]
    assert all(json.loads(c.request.content)["bevestigd"] for c in besluit.calls)
    assert genomen == {
        "achterstallige_melding_bevestigen": 2,
        "intrekking_beoordelen": 2,
    }


async def test_one_dossier_is_decided_one_action_at_a_time() -> None:
    bezig: set[str] = set()
    tegelijk: list[str] = []

    async def traag(request: httpx.Request) -> httpx.Response:
        dossier = request.url.path.split("/")[3]
        if dossier in bezig:
            tegelijk.append(dossier)
        bezig.add(dossier)
        await asyncio.sleep(0.02)
        bezig.discard(dossier)
        return httpx.Response(200, json={})

    with respx.mock(base_url=OPVOLGING) as router:
        router.get("/v1/dossiers").mock(side_effect=_per_soort)
        router.post(path__regex=r"/v1/dossiers/.+/acties/.+/besluit").mock(
            side_effect=traag
        )
        klant = _klant()
        try:
            await neem_besluiten(klant, [SCHOOL])
        finally:
            await klant.sluit()
    assert tegelijk == []


async def test_stopping_lets_the_round_in_progress_finish_and_count() -> None:
    begonnen = asyncio.Event()
    verder = asyncio.Event()

    async def wacht_even(request: httpx.Request) -> httpx.Response:
        begonnen.set()
        await verder.wait()
        return httpx.Response(200, json={})

    eenmaal = [_dossier(1, ("achterstallige_melding_bevestigen", "open"))]
    with respx.mock(base_url=OPVOLGING) as router:
        router.get("/v1/dossiers").respond(json={"dossiers": eenmaal})
        router.post(path__regex=r"/v1/dossiers/.+/acties/.+/besluit").mock(
            side_effect=wacht_even
        )
        klant = _klant()
        nemer = Besluitnemer(klant, [SCHOOL], interval=0.01)
        try:
            nemer.start()
            await asyncio.wait_for(begonnen.wait(), 5)
            stop = asyncio.create_task(nemer.stop())
            await asyncio.sleep(0.05)
            assert not stop.done()  # the POST on its way is not abandoned
            verder.set()
            genomen = await asyncio.wait_for(stop, 5)
        finally:
            await klant.sluit()
    assert genomen == {"achterstallige_melding_bevestigen": 1}


async def test_a_shorter_interval_starts_a_round_at_once() -> None:
    rondes: list[float] = []

    def lijst(request: httpx.Request) -> httpx.Response:
        rondes.append(asyncio.get_running_loop().time())
        return httpx.Response(200, json={"dossiers": []})

    with respx.mock(base_url=OPVOLGING) as router:
        router.get("/v1/dossiers").mock(side_effect=lijst)
        klant = _klant()
        nemer = Besluitnemer(klant, [SCHOOL], interval=60.0)
        try:
            nemer.start()
            await asyncio.sleep(0.05)
            assert rondes == []
            nemer.elke(0.05)
            await asyncio.sleep(0.3)
            await nemer.stop()
        finally:
            await klant.sluit()
    # one list per decision kind per round: the first round came without waiting
    assert len(rondes) >= 4
