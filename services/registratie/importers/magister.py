"""Magister `/api/personen/{persoonId}/absenties` JSON (`{"Items": [...]}`, PascalCase).

The payload has no pupil number: the caller names the pupil (`persoonId` from the URL)
and passes its leerlingId. `Start`/`Eind` with a trailing `Z` are UTC, anything without
an offset is Amsterdam wall time (Magister does not document it: see
services/registratie/README.md, Magister); the domain converts both.
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
)

__all__ = ["lees_absenties"]

BRON = "magister"

# MagisterJS absenceInfo.js: 1 absent, 2 late, 3 sick, 4 removed; 6 exemption,
# 7 books and 8 homework forgotten are no absence.
_VERANTWOORDINGTYPE = {
    1: Soort.AFWEZIG,
    2: Soort.TE_LAAT,
    3: Soort.AFWEZIG,
    4: Soort.VERWIJDERD,
}


def _item(item: Mapping[str, Any], leerling_id: UUID, bron: str) -> Any:
    if item.get("Id") is None:
        raise ImportFout("Id ontbreekt")
    soort = _VERANTWOORDINGTYPE.get(item.get("Verantwoordingtype"))  # type: ignore[arg-type]
    if soort is None:
        raise ImportFout(
            f"Verantwoordingtype {item.get('Verantwoordingtype')!r} is geen afwezigheid"
        )
    afspraak = item.get("Afspraak") or {}
    begin = item.get("Start") or afspraak.get("Start")
    eind = item.get("Eind") or afspraak.get("Einde")
    if not begin or not eind:
        raise ImportFout("Start of Eind ontbreekt")
    lesuur_van = item.get("Lesuur") or afspraak.get("LesuurVan") or None
    lesuur_tot = item.get("Lesuur") or afspraak.get("LesuurTotMet") or lesuur_van
    return maak_invoer(
        bron_id=str(item["Id"]),
        bron=bron,
        leerling_id=leerling_id,
        van=str(begin),
        tot=str(eind),
        lesuur_van=lesuur_van,
        lesuur_tot=lesuur_tot,
        soort=soort,
        reden_code=item.get("Code") or None,
    )


def lees_absenties(
    data: str | bytes | Mapping[str, Any], leerling_id: UUID, bron: str = BRON
) -> ImportResultaat:
    """Records for one pupil; `regel` is the 1-based position in `Items`."""
    inhoud = json.loads(data) if isinstance(data, str | bytes) else data
    resultaat = ImportResultaat()
    items = inhoud.get("Items") if isinstance(inhoud, Mapping) else None
    if not isinstance(items, list):
        resultaat.weiger(0, "geen lijst 'Items' in het antwoord")
        return resultaat
    for nummer, item in enumerate(items, start=1):
        try:
            if not isinstance(item, Mapping):
                raise ImportFout("item is geen object")
            resultaat.records.append(Ingelezen(nummer, _item(item, leerling_id, bron)))
        except ImportFout as fout:
            resultaat.weiger(nummer, str(fout))
    return resultaat
