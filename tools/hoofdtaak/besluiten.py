"""The demo plays the verzuimcoördinator for the decisions the law leaves to a person.

Backlog meldingen (D17) are sent to DUO only after the verzuimcoördinator confirms
them, and a withdrawal after a correction (D15) only after they agree. A backfill
makes nearly every duty a backlog one, so without this step the demo would end with
every melding waiting. Suspected luxe verzuim (D18) stays with a person: judging it
needs facts the chain does not have.
"""

from __future__ import annotations

from collections import Counter

from tools.hoofdtaak.klant import Ketenklant

__all__ = ["BESLUITSOORTEN", "neem_besluiten"]

BESLUITSOORTEN = ("achterstallige_melding_bevestigen", "intrekking_beoordelen")
_TOELICHTING = {
    "achterstallige_melding_bevestigen": "Achterstallige melding gecontroleerd; "
    "indienen bij DUO (D17).",
    "intrekking_beoordelen": "Correctie gecontroleerd; de melding wordt "
    "ingetrokken (D15).",
}


async def neem_besluiten(klant: Ketenklant, school_ids: list[str]) -> Counter[str]:
    """Confirm every open decision of the kinds above; returns the count per kind."""
    genomen: Counter[str] = Counter()
    for school_id in school_ids:
        lijst = await klant.get(
            "opvolging", "/v1/dossiers", {"schoolId": school_id, "status": "open"}
        )
        for dossier in lijst["dossiers"]:
            for actie in dossier["acties"]:
                soort = actie["soort"]
                if soort not in BESLUITSOORTEN or actie["status"] != "open":
                    continue
                await klant.verzoek(
                    "opvolging",
                    "POST",
                    f"/v1/dossiers/{dossier['id']}/acties/{actie['id']}/besluit",
                    json={"bevestigd": True, "toelichting": _TOELICHTING[soort]},
                    verwacht=(200, 409),
                )
                genomen[soort] += 1
    return genomen
