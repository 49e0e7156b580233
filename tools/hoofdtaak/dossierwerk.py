"""The verzuimcoördinator's weekly round through the dossiers, in a year sent day by
day: the measures planned last week are carried out, opvolging's own job
evaluates the dossiers that are due, and the coördinator closes a dossier when its
latest evaluation allows it (PDCA: do, check, act).

The chain never does this itself: carrying out a measure, judging whether absence
stopped and closing the dossier are a person's work, recorded through opvolging's
API. In a backfill the clock stands at the year's end while everything comes in, so
no measure can be dated inside the year and every dossier stays open; the round runs
only when the year is sent day by day.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
from datetime import date, timedelta
from typing import Any

from tools.hoofdtaak.klant import Ketenklant

__all__ = ["Dossierronde"]

# A measure is carried out a few days after it was planned (a talk needs an
# appointment); the next round takes it.
_UITVOEREN_NA = timedelta(days=3)
_GELIJKTIJDIG = 6
_UITKOMST = "Uitgevoerd; de afspraken staan in het leerlingdossier."
_AFSLUITING = {
    "verzuim_gestopt": "Evaluatie: geen ongeoorloofd verzuim meer sinds de "
    "maatregelen.",
    "voldoende_verbeterd": "Evaluatie: het verzuim is voldoende afgenomen sinds "
    "de maatregelen.",
}


def _afsluitreden(evaluatie: dict[str, Any]) -> str | None:
    """The closing reason the evaluation supports, if any."""
    if evaluatie["oordeel"] == "verzuim_gestopt":
        return "verzuim_gestopt"
    if evaluatie["maatregelenWerken"]:
        return "voldoende_verbeterd"
    return None


class Dossierronde:
    """The weekly round; remembers each dossier's next evaluation date, so only the
    dossiers that opvolging's own job evaluated since the last round are read."""

    def __init__(self, klant: Ketenklant, school_ids: list[str]) -> None:
        self._klant = klant
        self._school_ids = school_ids
        self._volgende: dict[str, str | None] = {}
        self.gedaan: Counter[str] = Counter()

    async def ronde(self, vandaag: date) -> None:
        """One round on `vandaag`, counted in `gedaan` per kind of work."""
        ruimte = asyncio.Semaphore(_GELIJKTIJDIG)

        async def beperkt(werk: Awaitable[None]) -> None:
            async with ruimte:
                await werk

        for school_id in self._school_ids:
            met_maatregel = await self._klant.get(
                "opvolging",
                "/v1/dossiers",
                {"schoolId": school_id, "status": "open", "actie": "maatregel"},
            )
            await asyncio.gather(
                *(
                    beperkt(self._voer_uit(d, vandaag))
                    for d in met_maatregel["dossiers"]
                )
            )
            open_dossiers = await self._klant.get(
                "opvolging", "/v1/dossiers", {"schoolId": school_id, "status": "open"}
            )
            beoordeeld = []
            for d in open_dossiers["dossiers"]:
                vorige = self._volgende.get(d["id"])
                self._volgende[d["id"]] = d["volgendeEvaluatie"]
                if vorige is not None and d["volgendeEvaluatie"] != vorige:
                    beoordeeld.append(d["id"])
            await asyncio.gather(*(beperkt(self._sluit(d)) for d in beoordeeld))

    async def _voer_uit(self, dossier: dict[str, Any], vandaag: date) -> None:
        grens = vandaag - _UITVOEREN_NA
        for actie in dossier["acties"]:
            if (
                actie["soort"] != "maatregel"
                or date.fromisoformat(actie["aangemaaktOp"][:10]) > grens
            ):
                continue
            antwoord = await self._klant.verzoek(
                "opvolging",
                "POST",
                f"/v1/dossiers/{dossier['id']}/acties/{actie['id']}/afronding",
                json={"uitkomst": _UITKOMST},
                # 409/410: changed meanwhile or erased; the next round looks again.
                verwacht=(200, 409, 410),
            )
            if antwoord.status_code == 200:
                self.gedaan["maatregel uitgevoerd"] += 1

    async def _sluit(self, dossier_id: str) -> None:
        """Close the dossier when its latest evaluation allows it."""
        pad = f"/v1/dossiers/{dossier_id}"
        evaluaties = (await self._klant.get("opvolging", pad))["evaluaties"]
        reden = _afsluitreden(evaluaties[-1]) if evaluaties else None
        if reden is None:
            return
        gesloten = await self._klant.verzoek(
            "opvolging",
            "POST",
            f"{pad}/afsluiting",
            json={"reden": reden, "toelichting": _AFSLUITING[reden]},
            # 409: an open decision or a melding not yet at DUO keeps it open.
            verwacht=(200, 409, 410),
        )
        if gesloten.status_code == 200:
            self.gedaan[f"dossier gesloten: {reden.replace('_', ' ')}"] += 1
