"""The demo's verzuimcoördinator in a year sent day by day: which measures it carries
out, and which dossiers it closes after opvolging evaluated them. Opvolging is
mocked with respx."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx
import respx

from tools.hoofdtaak.dossierwerk import Dossierronde
from tools.hoofdtaak.klant import Ketenklant

OPVOLGING = "http://opvolging.test"
SCHOOL = "0b6f1c9e-3a55-4d59-9d0e-1f2a3b4c5d6e"
VRIJDAG = date(2025, 10, 10)


def _actie(naam: str, soort: str, aangemaakt: str) -> dict[str, Any]:
    return {"id": naam, "soort": soort, "aangemaaktOp": f"{aangemaakt}T09:00:00+02:00"}


class Opvolging:
    """Open dossiers with their next evaluation date and last evaluation."""

    def __init__(self) -> None:
        self.volgende = {"d1": "2025-10-13", "d2": "2025-10-13", "d3": "2025-10-20"}
        self.oordeel = {"d1": "verzuim_gestopt", "d2": "niet_verbeterd"}
        self.acties = {
            "d1": [
                _actie("oud", "maatregel", "2025-10-06"),
                _actie("nieuw", "maatregel", "2025-10-09"),
                _actie("besluit", "luxeverzuim_beoordelen", "2025-10-01"),
            ]
        }
        self.afgerond: list[str] = []
        self.gesloten: list[tuple[str, str]] = []
        self.gelezen: list[str] = []

    def lijst(self, request: httpx.Request) -> httpx.Response:
        maatregel = request.url.params.get("actie") == "maatregel"
        dossiers = [
            {"id": d, "volgendeEvaluatie": v, "acties": self.acties.get(d, [])}
            for d, v in self.volgende.items()
            if not maatregel or d in self.acties
        ]
        return httpx.Response(200, json={"dossiers": dossiers})

    def dossier(self, request: httpx.Request, dossier_id: str) -> httpx.Response:
        self.gelezen.append(dossier_id)
        oordeel = self.oordeel.get(dossier_id, "onvoldoende_gegevens")
        evaluatie = {
            "oordeel": oordeel,
            "maatregelenWerken": oordeel in ("verzuim_gestopt", "verbeterd"),
        }
        return httpx.Response(200, json={"id": dossier_id, "evaluaties": [evaluatie]})

    def afronding(self, request: httpx.Request, actie_id: str) -> httpx.Response:
        self.afgerond.append(actie_id)
        return httpx.Response(200, json={})

    def afsluiting(self, request: httpx.Request, dossier_id: str) -> httpx.Response:
        self.gesloten.append((dossier_id, json.loads(request.content)["reden"]))
        return httpx.Response(200, json={})


@contextlib.asynccontextmanager
async def _ronde(opvolging: Opvolging) -> AsyncIterator[Dossierronde]:
    """A round against the mocked opvolging."""
    klant = Ketenklant({"opvolging": OPVOLGING}, "sleutel")
    with respx.mock(base_url=OPVOLGING, assert_all_called=False) as router:
        router.get("/v1/dossiers").mock(side_effect=opvolging.lijst)
        router.post(
            path__regex=r"/v1/dossiers/[^/]+/acties/(?P<actie_id>[^/]+)/afronding"
        ).mock(side_effect=opvolging.afronding)
        router.post(path__regex=r"/v1/dossiers/(?P<dossier_id>[^/]+)/afsluiting").mock(
            side_effect=opvolging.afsluiting
        )
        router.get(path__regex=r"/v1/dossiers/(?P<dossier_id>[^/]+)$").mock(
            side_effect=opvolging.dossier
        )
        yield Dossierronde(klant, [SCHOOL])
    await klant.sluit()


async def test_measures_planned_some_days_ago_are_carried_out() -> None:
    opvolging = Opvolging()
    async with _ronde(opvolging) as ronde:
        await ronde.ronde(VRIJDAG)

    # Planned on Monday: done by Friday. Planned yesterday, or a decision: not.
    assert opvolging.afgerond == ["oud"]
    assert ronde.gedaan["maatregel uitgevoerd"] == 1


async def test_a_dossier_is_closed_only_after_an_evaluation_that_allows_it() -> None:
    opvolging = Opvolging()
    async with _ronde(opvolging) as ronde:
        await ronde.ronde(VRIJDAG)
        eerst = list(opvolging.gelezen)
        # Opvolging's own job evaluated d1 and d2 over the weekend; d3 not yet.
        opvolging.volgende.update({"d1": "2025-10-27", "d2": "2025-10-27"})
        await ronde.ronde(date(2025, 10, 17))

    assert eerst == []
    assert sorted(opvolging.gelezen) == ["d1", "d2"]
    assert opvolging.gesloten == [("d1", "verzuim_gestopt")]
    assert ronde.gedaan["dossier gesloten: verzuim gestopt"] == 1
