"""The demo plays the verzuimcoördinator for the decisions the law leaves to a person.

Backlog meldingen (D17) are sent to DUO only after the verzuimcoördinator confirms
them, and a withdrawal after a correction (D15) only after they agree. A backfill
makes nearly every duty a backlog one, so without this step the demo would end with
every melding waiting. Suspected luxe verzuim (D18) stays with a person: judging it
needs facts the chain does not have.

A coördinator works the list while absence keeps coming in, not after the school
year: `Besluitnemer` takes the open decisions every few seconds during the run, and
`neem_besluiten` takes what is left once the chain is quiet.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from typing import Any

from tools.hoofdtaak.klant import Ketenklant

__all__ = ["BESLUITSOORTEN", "Besluitnemer", "neem_besluiten"]

BESLUITSOORTEN = ("achterstallige_melding_bevestigen", "intrekking_beoordelen")
_TOELICHTING = {
    "achterstallige_melding_bevestigen": "Achterstallige melding gecontroleerd; "
    "indienen bij DUO (D17).",
    "intrekking_beoordelen": "Correctie gecontroleerd; de melding wordt "
    "ingetrokken (D15).",
}
# Dossiers decided side by side; the actions of one dossier one after the other,
# so two decisions never write the same dossier at once.
_GELIJKTIJDIG = 6


def _open_besluiten(dossier: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        actie
        for actie in dossier["acties"]
        if actie["soort"] in BESLUITSOORTEN and actie["status"] == "open"
    ]


async def neem_besluiten(
    klant: Ketenklant, school_ids: list[str], *, gelijktijdig: int = _GELIJKTIJDIG
) -> Counter[str]:
    """Confirm every open decision of the kinds above; returns the count per kind."""
    genomen: Counter[str] = Counter()
    ruimte = asyncio.Semaphore(gelijktijdig)

    async def dossier_besluiten(dossier_id: str, acties: list[dict[str, Any]]) -> None:
        async with ruimte:
            for actie in acties:
                soort = actie["soort"]
                await klant.verzoek(
                    "opvolging",
                    "POST",
                    f"/v1/dossiers/{dossier_id}/acties/{actie['id']}/besluit",
                    json={"bevestigd": True, "toelichting": _TOELICHTING[soort]},
                    # 409: decided meanwhile (by the loop below, or a rerun).
                    verwacht=(200, 409),
                )
                genomen[soort] += 1

    for school_id in school_ids:
        # Only the dossiers waiting for one of these decisions: the whole list of
        # a school's open dossiers costs opvolging far more to build.
        werk: dict[str, list[dict[str, Any]]] = {}
        for soort in BESLUITSOORTEN:
            lijst = await klant.get(
                "opvolging",
                "/v1/dossiers",
                {"schoolId": school_id, "status": "open", "actie": soort},
            )
            for dossier in lijst["dossiers"]:
                werk[dossier["id"]] = _open_besluiten(dossier)
        await asyncio.gather(*(dossier_besluiten(d, a) for d, a in werk.items() if a))
    return genomen


class Besluitnemer:
    """Takes the open decisions every `interval` seconds until stopped."""

    def __init__(
        self, klant: Ketenklant, school_ids: list[str], *, interval: float = 5.0
    ) -> None:
        self._klant = klant
        self._school_ids = school_ids
        self._interval = interval
        self._gestopt = False
        self._wekker = asyncio.Event()  # a round now (or the stop)
        self._taak: asyncio.Task[None] | None = None
        self.genomen: Counter[str] = Counter()

    def elke(self, interval: float) -> None:
        """A round now, then every `interval` seconds (once the records are in,
        the decisions are what the chain still waits for)."""
        self._interval = interval
        self._wekker.set()

    def start(self) -> None:
        if self._taak is None:
            self._gestopt = False
            self._taak = asyncio.create_task(self._werk(), name="besluitnemer")

    async def stop(self) -> Counter[str]:
        """Lets the round in progress finish (a decision sent is a decision
        counted), then stops; returns what was decided. A round that failed
        raises here."""
        self._gestopt = True
        self._wekker.set()
        if self._taak is not None:
            taak, self._taak = self._taak, None
            await taak
        return self.genomen

    async def _werk(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wekker.wait(), self._interval)
            if self._gestopt:
                return
            self._wekker.clear()
            self.genomen.update(await neem_besluiten(self._klant, self._school_ids))
