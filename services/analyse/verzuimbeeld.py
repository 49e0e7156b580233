"""The pupil's verzuimbeeld as the API shows it: window sums, duties and signals.

Every duty, withdrawal proposal and signal comes with the lesson slots behind it, so
a person can see why it arose before acting on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from leerplicht.kalender import Periode
from services.analyse.contracts_mapping import meldplicht_id, signaal_id
from services.analyse.domain.aggregate import Leerlingbeeld, Schoolcontext
from services.analyse.domain.model import Slot

__all__ = ["Verzuimbeeld", "bouw_verzuimbeeld"]


@dataclass(frozen=True)
class Slotregel:
    slot_id: str
    datum: date
    lesuur: int | None
    status: str
    soort: str
    minuten: int


@dataclass(frozen=True)
class Som:
    minuten: int
    uren: float
    van: date | None
    tot: date | None


@dataclass(frozen=True)
class Meldplichtregel:
    meldplicht_id: UUID
    verzuimsoort: str
    status: str
    begindatum: date
    einddatum: date | None
    vervaldatum: date | None
    achterstallig: bool
    minuten: int
    toelichting: str
    slots: tuple[Slotregel, ...]


@dataclass(frozen=True)
class Signaalregel:
    signaal_id: UUID
    soort: str
    datum: date
    toelichting: str
    slots: tuple[Slotregel, ...]


@dataclass(frozen=True)
class Verzuimbeeld:
    leerling_id: str
    school_id: str
    peildatum: date
    huidige_venstersom: Som
    hoogste_venstersom: Som
    meldplichten: tuple[Meldplichtregel, ...]
    signalen: tuple[Signaalregel, ...]


def _som(minuten: int, venster: Periode | None) -> Som:
    return Som(
        minuten=minuten,
        uren=round(minuten / 60, 2),
        van=venster.van if venster else None,
        tot=venster.tot if venster else None,
    )


def _slots(ids: Iterable[str], slots: Mapping[str, Slot]) -> tuple[Slotregel, ...]:
    gevonden = sorted(
        (slots[i] for i in ids if i in slots),
        key=lambda s: (s.datum, s.lesuur or 0, s.slot_id),
    )
    return tuple(
        Slotregel(
            slot_id=s.slot_id,
            datum=s.datum,
            lesuur=s.lesuur,
            status=s.status.value,
            soort=s.soort.value,
            minuten=s.minuten,
        )
        for s in gevonden
    )


def bouw_verzuimbeeld(
    school_id: str, beeld: Leerlingbeeld, context: Schoolcontext, vandaag: date
) -> Verzuimbeeld:
    sommen = beeld.venstersommen(context, vandaag)
    slots = {s.slot_id: s for s in beeld.slots}
    resultaat = beeld.resultaat
    lid = beeld.leerling_id
    meldplichten = [
        Meldplichtregel(
            meldplicht_id=meldplicht_id(lid, m.sleutel),
            verzuimsoort=m.soort.value,
            status="ingediend" if m.ingediend else "open",
            begindatum=m.begindatum,
            einddatum=m.einddatum,
            vervaldatum=m.vervaldatum,
            achterstallig=m.achterstallig,
            minuten=m.minuten,
            toelichting=m.toelichting,
            slots=_slots(m.slot_ids, slots),
        )
        for m in resultaat.meldplichten
    ] + [
        # D15: a submitted melding that lost its ground, until a person decides.
        Meldplichtregel(
            meldplicht_id=meldplicht_id(lid, i.sleutel),
            verzuimsoort=i.soort.value,
            status="intrekkingVoorgesteld",
            begindatum=i.begindatum,
            einddatum=i.einddatum,
            vervaldatum=None,
            achterstallig=False,
            minuten=i.minuten,
            toelichting=i.toelichting,
            slots=(),
        )
        for i in resultaat.intrekkingsvoorstellen
    ]
    return Verzuimbeeld(
        leerling_id=lid,
        school_id=school_id,
        peildatum=vandaag,
        huidige_venstersom=_som(sommen.huidig.minuten, sommen.huidig.venster),
        hoogste_venstersom=_som(sommen.hoogste.minuten, sommen.hoogste.venster),
        meldplichten=tuple(meldplichten),
        signalen=tuple(
            Signaalregel(
                signaal_id=signaal_id(lid, s.sleutel),
                soort=s.soort.value,
                datum=s.datum,
                toelichting=s.toelichting,
                slots=_slots(s.slot_ids, slots),
            )
            for s in resultaat.signalen
        ),
    )


def leeg_verzuimbeeld(leerling_id: str, school_id: str, vandaag: date) -> Verzuimbeeld:
    """A pupil analyse knows but cannot evaluate yet (its school has not arrived)."""
    nul = Som(0, 0.0, None, None)
    return Verzuimbeeld(leerling_id, school_id, vandaag, nul, nul, (), ())
