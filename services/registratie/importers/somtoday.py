"""SOMtoday `absentiemeldingen` JSON (`{"items": [participatie.RAbsentieMelding]}`).

Mapping (services/registratie/README.md, SOMtoday): the record id is `links[0].id`,
the pupil is found by `leerling.leerlingnummer`, times carry an offset (converted by
the domain), the reason's `absentieSoort` gives the kind.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from uuid import UUID

from services.registratie.domain.invoer import Soort
from services.registratie.importers.model import (
    ImportFout,
    ImportResultaat,
    Ingelezen,
    maak_invoer,
    zoek_leerling,
)

__all__ = ["lees_absentiemeldingen"]

BRON = "somtoday"

_SOORT = {
    "absent": Soort.AFWEZIG,
    "telaat": Soort.TE_LAAT,
    "verwijderd": Soort.VERWIJDERD,
}


def _record_id(item: Mapping[str, Any]) -> str:
    links = item.get("links") or []
    if not links or links[0].get("id") is None:
        raise ImportFout("links[0].id ontbreekt")
    return str(links[0]["id"])


def _item(item: Mapping[str, Any], leerlingen: Mapping[str, UUID], bron: str) -> Any:
    leerling = item.get("leerling") or {}
    nummer = leerling.get("leerlingnummer")
    if nummer is None:
        raise ImportFout("leerling.leerlingnummer ontbreekt")
    reden = item.get("absentieReden") or {}
    soort = _SOORT.get(str(reden.get("absentieSoort", "Absent")).lower())
    if soort is None:
        raise ImportFout("absentieReden.absentieSoort: onbekende waarde")
    begin = item.get("beginDatumTijd")
    eind = item.get("eindDatumTijd")
    if not begin:
        raise ImportFout("beginDatumTijd ontbreekt")
    if not eind:
        raise ImportFout(
            "eindDatumTijd ontbreekt: een melding zonder einde wordt niet geïmporteerd"
        )
    lesuur_van = item.get("beginLesuur") or None
    lesuur_tot = item.get("eindLesuur") or lesuur_van
    if lesuur_van is not None and str(begin)[:10] != str(eind)[:10]:
        raise ImportFout("een lesuurbereik hoort bij één datum")
    return maak_invoer(
        bron_id=_record_id(item),
        bron=bron,
        leerling_id=zoek_leerling(leerlingen, str(nummer)),
        van=str(begin),
        tot=str(eind),
        lesuur_van=lesuur_van,
        lesuur_tot=lesuur_tot,
        soort=soort,
        reden_code=reden.get("afkorting") or None,
        opmerking=item.get("opmerkingen") or None,
    )


def lees_absentiemeldingen(
    data: str | bytes | Mapping[str, Any],
    leerlingen: Mapping[str, UUID],
    bron: str = BRON,
) -> ImportResultaat:
    """Records from a SOMtoday answer; `regel` is the 1-based position in `items`."""
    inhoud = json.loads(data) if isinstance(data, str | bytes) else data
    resultaat = ImportResultaat()
    items = inhoud.get("items") if isinstance(inhoud, Mapping) else None
    if not isinstance(items, list):
        resultaat.weiger(0, "geen lijst 'items' in het antwoord")
        return resultaat
    for nummer, item in enumerate(items, start=1):
        try:
            if not isinstance(item, Mapping):
                raise ImportFout("item is geen object")
            resultaat.records.append(Ingelezen(nummer, _item(item, leerlingen, bron)))
        except ImportFout as fout:
            resultaat.weiger(nummer, str(fout))
    return resultaat
