"""Use case for a bulk of absence records: up to 10,000 in one save, answered per
record.

A bad record is rejected with its field and reason and never rejects the rest; nor
does one that fails unexpectedly, while it is checked (checking changes nothing, so
refusing it is enough) or while the days it touches are classified (then the bulk
runs again without it). A failure of the store, the key vault or the machine is no
record's fault: the request fails and nothing is saved.
"""

from __future__ import annotations

import logging
import traceback
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from plumbing.gcpause import paused_gc
from services.registratie.afwezigheden import MAX_BULK, AfwezighedenGebruik
from services.registratie.basis import OPSLAGFOUTEN
from services.registratie.domain.afwezigheid import Uitkomst, afwezigheid_id
from services.registratie.domain.fouten import (
    NietGevonden,
    OngeldigeInvoer,
    RegistratieFout,
    ValidatieFout,
)
from services.registratie.domain.invoer import AfwezigheidInvoer, lees_invoer
from services.registratie.domain.leerling import Leerling
from services.registratie.modellen import BulkRegel, BulkResultaat
from services.registratie.werkeenheid import DagNietTeClassificeren, Werkeenheid

__all__ = ["BulkGebruik", "ONVERWACHT"]

logger = logging.getLogger(__name__)

# The reason of a record refused for a failure that is no rule of its own.
ONVERWACHT = (
    "kon niet worden verwerkt (interne fout, gelogd); niets van dit record is "
    "opgeslagen"
)

_BULK_STATUS = {
    Uitkomst.CREATED: "accepted",
    Uitkomst.UNCHANGED: "unchanged",
    Uitkomst.CORRECTED: "corrected",
}


class BulkGebruik(AfwezighedenGebruik):
    def registreer_bulk(
        self,
        records: Sequence[AfwezigheidInvoer | Mapping[str, Any]],
        nu: datetime | None = None,
    ) -> BulkResultaat:
        """Record up to 10,000 records in one save, answering per record (see the
        module doc)."""
        if len(records) > MAX_BULK:
            raise OngeldigeInvoer("afwezigheden", f"maximaal {MAX_BULK} per keer")
        uitgesloten: dict[int, BulkRegel] = {}
        # Everything a bulk builds lives until its save: no full collections meanwhile.
        with paused_gc():
            while True:
                sleutels: dict[str, list[int]] = {}
                opdracht = partial(
                    self._bulk,
                    records=records,
                    uitgesloten=uitgesloten,
                    sleutels=sleutels,
                )
                try:
                    regels = self._uitvoeren(opdracht, nu)
                except DagNietTeClassificeren as fout:
                    erbij = {
                        index
                        for sleutel in fout.sleutels
                        for index in sleutels.get(sleutel, ())
                        if index not in uitgesloten
                    }
                    if not erbij:
                        raise
                    _log_onverwacht(fout.__cause__ or fout, sorted(erbij))
                    for index in erbij:
                        uitgesloten[index] = _onverwacht(
                            index, _bron_id(records[index])
                        )
                    continue
                break
        aantallen = Counter(regel.status for regel in regels)
        logger.info(
            "bulk verwerkt",
            extra={"event": "bulk", "count": len(regels), **dict(aantallen)},
        )
        return BulkResultaat(regels, dict(aantallen))

    def _bulk(
        self,
        werk: Werkeenheid,
        records: Sequence[AfwezigheidInvoer | Mapping[str, Any]],
        uitgesloten: Mapping[int, BulkRegel],
        sleutels: dict[str, list[int]],
    ) -> list[BulkRegel]:
        """One pass over the records; `sleutels` learns which record (index) wrote
        under which key, so a day that cannot be classified names its records."""
        sleutels.clear()
        regels: list[BulkRegel | None] = [None] * len(records)
        geldig: list[tuple[int, AfwezigheidInvoer]] = []
        for index, record in enumerate(records):
            if index in uitgesloten:
                regels[index] = uitgesloten[index]
                continue
            try:
                geldig.append((index, lees_invoer(record)))
            except ValidatieFout as fout:
                regels[index] = BulkRegel(
                    index, _bron_id(record), "rejected", None, fout.veld, fout.reden
                )
            except OPSLAGFOUTEN:
                raise
            except Exception as fout:
                _log_onverwacht(fout, [index])
                regels[index] = _onverwacht(index, _bron_id(record))

        # Prefetch in three round trips instead of one per record (and the pupils'
        # keys in one more, before their sealed fields are opened).
        if self.kluis is not None:
            self.kluis.laad_sleutels(invoer.leerling_id for _, invoer in geldig)
        werk.laad(invoer.leerling_id for _, invoer in geldig)
        leerlingen = [werk.haal(i.leerling_id, Leerling) for _, i in geldig]
        werk.laad(leerling.school_id for leerling in leerlingen if leerling is not None)
        werk.laad(
            afwezigheid_id(leerling.school_id, invoer.bron, invoer.bron_id)
            for (_, invoer), leerling in zip(geldig, leerlingen, strict=True)
            if leerling is not None
        )

        for index, invoer in geldig:
            try:
                beoordeeld = self._beoordeel(werk, invoer)
            except ValidatieFout as fout:
                regels[index] = BulkRegel(
                    index, invoer.bron_id, "rejected", None, fout.veld, fout.reden
                )
                continue
            except NietGevonden as fout:
                regels[index] = BulkRegel(
                    index, invoer.bron_id, "rejected", None, "leerlingId", str(fout)
                )
                continue
            except RegistratieFout as fout:
                regels[index] = BulkRegel(
                    index, invoer.bron_id, "rejected", None, None, str(fout)
                )
                continue
            except OPSLAGFOUTEN:
                raise
            except Exception as fout:
                _log_onverwacht(fout, [index])
                regels[index] = _onverwacht(index, invoer.bron_id)
                continue
            uitkomst, afwezigheid = self._leg_vast(werk, beoordeeld)
            sleutels.setdefault(afwezigheid.id.hex, []).append(index)
            regels[index] = BulkRegel(
                index,
                invoer.bron_id,
                _BULK_STATUS[uitkomst],
                afwezigheid.id,  # type: ignore[arg-type]
            )
        return [regel for regel in regels if regel is not None]


def _onverwacht(index: int, bron_id: str | None) -> BulkRegel:
    return BulkRegel(index, bron_id, "rejected", None, None, ONVERWACHT)


def _log_onverwacht(fout: BaseException, indices: list[int]) -> None:
    """Where it failed, never what the record held (it may hold personal data)."""
    plaats = traceback.extract_tb(fout.__traceback__)[-1:] or None
    logger.error(
        "record onverwacht geweigerd",
        extra={
            "event": "bulk_record_onverwacht",
            "fout": type(fout).__name__,
            "plaats": f"{plaats[0].filename}:{plaats[0].lineno}" if plaats else None,
            "indices": indices[:20],
            "count": len(indices),
        },
    )


def _bron_id(record: AfwezigheidInvoer | Mapping[str, Any]) -> str | None:
    if isinstance(record, AfwezigheidInvoer):
        return record.bron_id
    waarde = (
        record.get("bronId", record.get("bron_id"))
        if isinstance(record, Mapping)
        else None
    )
    return str(waarde) if waarde is not None else None
