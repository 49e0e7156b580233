"""Event payloads: domain values as plain JSON-ready data and back.

Event attributes hold only str, int, bool, None, lists and dicts, so any transcoder
stores them without custom transcodings; dates are ISO strings. Decoding accepts lists
where tuples were encoded (JSON has no tuples).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from leerplicht.kalender import Periode
from services.analyse.domain.maatregelen import Maatregel
from services.analyse.domain.model import (
    Intrekkingsvoorstel,
    Meldplicht,
    Signaal,
    Signaalsoort,
    Slot,
    Slotsoort,
    Slotstatus,
    Verzuimsoort,
)

Data = dict[str, Any]


def datum_naar(d: date | None) -> str | None:
    return None if d is None else d.isoformat()


def datum_uit(tekst: str | None) -> date | None:
    return None if tekst is None else date.fromisoformat(tekst)


def _datum(tekst: str) -> date:
    return date.fromisoformat(tekst)


def _periode_naar(p: Periode | None) -> list[str] | None:
    return None if p is None else [p.van.isoformat(), p.tot.isoformat()]


def _periode_uit(data: Sequence[str] | None) -> Periode | None:
    return None if data is None else Periode(_datum(data[0]), _datum(data[1]))


def slot_naar(slot: Slot) -> Data:
    return {
        "slot_id": slot.slot_id,
        "datum": slot.datum.isoformat(),
        "lesuur": slot.lesuur,
        "status": slot.status.value,
        "minuten": slot.minuten,
        "soort": slot.soort.value,
        "luxe": slot.luxe,
        "ziek": slot.ziek,
    }


def slot_uit(data: Data) -> Slot:
    return Slot(
        slot_id=data["slot_id"],
        datum=_datum(data["datum"]),
        lesuur=data["lesuur"],
        status=Slotstatus(data["status"]),
        minuten=data["minuten"],
        soort=Slotsoort(data["soort"]),
        luxe=data["luxe"],
        ziek=data["ziek"],
    )


def meldplicht_naar(m: Meldplicht) -> Data:
    return {
        "sleutel": m.sleutel,
        "soort": m.soort.value,
        "begindatum": m.begindatum.isoformat(),
        "einddatum": datum_naar(m.einddatum),
        "vastgesteld_op": m.vastgesteld_op.isoformat(),
        "vervaldatum": m.vervaldatum.isoformat(),
        "minuten": m.minuten,
        "slot_ids": list(m.slot_ids),
        "venster": _periode_naar(m.venster),
        "achterstallig": m.achterstallig,
        "ingediend": m.ingediend,
        "toelichting": m.toelichting,
    }


def meldplicht_uit(data: Data) -> Meldplicht:
    return Meldplicht(
        sleutel=data["sleutel"],
        soort=Verzuimsoort(data["soort"]),
        begindatum=_datum(data["begindatum"]),
        einddatum=datum_uit(data["einddatum"]),
        vastgesteld_op=_datum(data["vastgesteld_op"]),
        vervaldatum=_datum(data["vervaldatum"]),
        minuten=data["minuten"],
        slot_ids=tuple(data["slot_ids"]),
        venster=_periode_uit(data["venster"]),
        achterstallig=data["achterstallig"],
        ingediend=data["ingediend"],
        toelichting=data["toelichting"],
    )


def intrekking_naar(i: Intrekkingsvoorstel) -> Data:
    return {
        "sleutel": i.sleutel,
        "soort": i.soort.value,
        "begindatum": i.begindatum.isoformat(),
        "einddatum": datum_naar(i.einddatum),
        "minuten": i.minuten,
        "toelichting": i.toelichting,
    }


def intrekking_uit(data: Data) -> Intrekkingsvoorstel:
    return Intrekkingsvoorstel(
        sleutel=data["sleutel"],
        soort=Verzuimsoort(data["soort"]),
        begindatum=_datum(data["begindatum"]),
        einddatum=datum_uit(data["einddatum"]),
        minuten=data["minuten"],
        toelichting=data["toelichting"],
    )


def signaal_naar(s: Signaal) -> Data:
    return {
        "sleutel": s.sleutel,
        "soort": s.soort.value,
        "datum": s.datum.isoformat(),
        "slot_ids": list(s.slot_ids),
        "venster": _periode_naar(s.venster),
        "toelichting": s.toelichting,
        "acties": list(s.acties),
    }


def signaal_uit(data: Data) -> Signaal:
    return Signaal(
        sleutel=data["sleutel"],
        soort=Signaalsoort(data["soort"]),
        datum=_datum(data["datum"]),
        slot_ids=tuple(data["slot_ids"]),
        venster=_periode_uit(data["venster"]),
        toelichting=data["toelichting"],
        acties=tuple(data["acties"]),
    )


def maatregel_naar(m: Maatregel) -> Data:
    return {
        "code": m.code,
        "omschrijving": m.omschrijving,
        "activiteit": m.activiteit.value,
        "verantwoordelijk": m.verantwoordelijk.value,
        "eindverantwoordelijk": m.eindverantwoordelijk.value,
        "geinformeerd": [r.value for r in m.geinformeerd],
        "optioneel": m.optioneel,
    }
