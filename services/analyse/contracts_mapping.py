"""From the pupil picture's domain events to the public `contracts.analyse` events.

The domain events know the pupil and the keys of duties and signals, but not the
school, the lesson slots behind a duty or the pupil's timetable. The contract event
is therefore built when the domain event is made (`contract_voor`), from the state
at that moment, and stored as `Leerling.BerichtKlaargezet`; `to_contract` only
reads it back. A republish after a broker loss then carries the same content.

Ids are uuid5 values of the pupil and the domain key, so a duty keeps its
`meldplichtId` through every change, and a decision that refers to it can be traced
back to the key.

`MeldplichtBijgewerkt` is published as `MeldplichtVastgesteld` again, with the same
id (full state, e.g. the LRV einddatum that became known, D7); `SignaalBijgewerkt`
likewise as `SignaalAfgegeven`. Other internal events map to None.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any
from uuid import UUID, uuid5

from contracts.analyse import (
    IntrekkingVoorgesteld,
    MaatregelVoorgesteld,
    MeldplichtVastgesteld,
    MeldplichtVervallen,
    SignaalAfgegeven,
)
from contracts.common import SlotVerwijzing, Verzuimdag
from contracts.envelope import ContractEvent, registered_types
from leerplicht.rooster import Rooster
from services.analyse.domain import serialisatie as data
from services.analyse.domain.aggregate import Leerlingbeeld, Schoolcontext
from services.analyse.domain.maatregelen import aanleiding_intrekking
from services.analyse.domain.model import Slot
from services.analyse.leerling import Leerling

__all__ = [
    "contract_voor",
    "meldplicht_id",
    "met_berichten",
    "signaal_id",
    "to_contract",
    "verzuimdagen",
]

_NAMESPACE = UUID("9a4e7c1d-2b6f-4e0a-8d35-7f1c6b2e9a48")

# Domain roles of the RASCI matrix and the contract's role names.
_ROLLEN = {
    "verzuimcoordinator": "verzuimcoordinator",
    "mentor": "mentor",
    "zorgcoordinator": "zorgcoordinator",
    "schooldirecteur": "schoolleider",
    "administratiefMedewerker": "administratie",
    "ictMedewerker": "ict",
    "ouders": "ouders",
    "leerplichtambtenaar": "leerplichtambtenaar",
}
_INDIENEN = "verzuimmeldingIndienen"
# The domain events `contract_voor` publishes; every other one is internal.
_GEPUBLICEERD = frozenset(
    {
        "MeldplichtVastgesteld",
        "MeldplichtBijgewerkt",
        "MeldplichtVervallen",
        "IntrekkingVoorgesteld",
        "SignaalAfgegeven",
        "SignaalBijgewerkt",
        "MaatregelVoorgesteld",
    }
)


def meldplicht_id(leerling_id: str, sleutel: str) -> UUID:
    return uuid5(_NAMESPACE, f"{leerling_id}/meldplicht/{sleutel}")


def signaal_id(leerling_id: str, sleutel: str) -> UUID:
    return uuid5(_NAMESPACE, f"{leerling_id}/signaal/{sleutel}")


def _verwijzingen(slot_ids: Any, slots: Mapping[str, Slot]) -> list[SlotVerwijzing]:
    return [
        SlotVerwijzing(
            slot_id=s.slot_id, datum=s.datum, lesuur=s.lesuur, minuten=s.minuten
        )
        for s in (slots[i] for i in slot_ids if i in slots)
    ]


def verzuimdagen(
    slot_ids: Any, slots: Mapping[str, Slot], rooster: Rooster
) -> list[Verzuimdag]:
    """Per date: a whole day when every scheduled lesson was missed, else its lesuren.

    A slot without lesuur is a PO block or a whole day: it covers the day when its
    minutes reach the day's lesson time.
    """
    per_dag: dict[date, list[Slot]] = {}
    for i in slot_ids:
        if i in slots:
            per_dag.setdefault(slots[i].datum, []).append(slots[i])
    dagen = []
    for d, gemist in sorted(per_dag.items()):
        lesuren = sorted({s.lesuur for s in gemist if s.lesuur is not None})
        gepland = {lu.nummer for lu in rooster.lesuren_op(d)}
        zonder_lesuur = sum(s.minuten for s in gemist if s.lesuur is None)
        hele_dag = (bool(gepland) and gepland <= set(lesuren)) or (
            zonder_lesuur > 0 and zonder_lesuur >= rooster.minuten_op(d)
        )
        dagen.append(
            Verzuimdag(datum=d, hele_dag=hele_dag, lesuren=[] if hele_dag else lesuren)
        )
    return dagen


def contract_voor(
    domain_event: Any,
    *,
    school_id: str,
    slots: Mapping[str, Slot],
    rooster: Rooster,
    termijnen: Mapping[str, date],
) -> ContractEvent | None:
    """The public event for one new domain event of a `Leerlingbeeld`, or None.

    `slots` are the pupil's current slots by id; `termijnen` the due dates of the
    duties by key (for the measure "verzuimmelding indienen", D4).
    """
    naam = type(domain_event).__name__
    lid = str(domain_event.leerling_id)
    if naam in ("MeldplichtVastgesteld", "MeldplichtBijgewerkt"):
        m = data.meldplicht_uit(domain_event.meldplicht)
        return MeldplichtVastgesteld(
            meldplicht_id=meldplicht_id(lid, m.sleutel),
            leerling_id=lid,
            school_id=school_id,
            verzuimsoort=m.soort.value,
            begindatum=m.begindatum,
            einddatum=m.einddatum,
            vervaldatum=m.vervaldatum,
            achterstallig=m.achterstallig,
            minuten=m.minuten,
            slots=_verwijzingen(m.slot_ids, slots),
            verzuimdagen=verzuimdagen(m.slot_ids, slots, rooster),
            toelichting=m.toelichting,
        )
    if naam == "MeldplichtVervallen":
        return MeldplichtVervallen(
            meldplicht_id=meldplicht_id(lid, domain_event.sleutel),
            leerling_id=lid,
            school_id=school_id,
            reden=domain_event.toelichting,
        )
    if naam == "IntrekkingVoorgesteld":
        i = data.intrekking_uit(domain_event.voorstel)
        return IntrekkingVoorgesteld(
            meldplicht_id=meldplicht_id(lid, i.sleutel),
            leerling_id=lid,
            school_id=school_id,
            reden=i.toelichting,
        )
    if naam in ("SignaalAfgegeven", "SignaalBijgewerkt"):
        s = data.signaal_uit(domain_event.signaal)
        return SignaalAfgegeven(
            signaal_id=signaal_id(lid, s.sleutel),
            leerling_id=lid,
            school_id=school_id,
            soort=s.soort.value,
            datum=s.datum,
            toelichting=s.toelichting,
            slots=_verwijzingen(s.slot_ids, slots),
        )
    if naam == "MaatregelVoorgesteld":
        return _maatregel(domain_event, lid, school_id, termijnen)
    return None


def _maatregel(
    e: Any, lid: str, school_id: str, termijnen: Mapping[str, date]
) -> MaatregelVoorgesteld:
    maatregel = e.maatregel
    over_melding = e.aanleiding.startswith("meldplicht:") or (
        e.aanleiding == aanleiding_intrekking()
    )
    aanleiding_id = (meldplicht_id if over_melding else signaal_id)(lid, e.sleutel)
    return MaatregelVoorgesteld(
        maatregel_id=uuid5(
            _NAMESPACE,
            f"{lid}/maatregel/{e.aanleiding}/{e.sleutel}/{e.volgnummer}/"
            f"{maatregel['code']}",
        ),
        leerling_id=lid,
        school_id=school_id,
        aanleiding_id=aanleiding_id,
        code=maatregel["code"],
        titel=maatregel["omschrijving"],
        activiteit=maatregel["activiteit"],
        verantwoordelijke=_ROLLEN[maatregel["verantwoordelijk"]],
        eindverantwoordelijke=_ROLLEN[maatregel["eindverantwoordelijk"]],
        optioneel=maatregel["optioneel"],
        termijn=termijnen.get(e.sleutel) if maatregel["code"] == _INDIENEN else None,
    )


def met_berichten(
    leerling: Leerling,
    beeld: Leerlingbeeld,
    context: Schoolcontext,
    opdracht: Callable[[], None],
) -> None:
    """Run a command on the picture and make its public messages ready."""
    begin = len(beeld.pending_events)
    opdracht()
    nieuw = [
        e for e in beeld.pending_events[begin:] if type(e).__name__ in _GEPUBLICEERD
    ]
    if not nieuw:
        return  # most batches only change slots
    slots = {s.slot_id: s for s in beeld.slots}
    termijnen = {m.sleutel: m.vervaldatum for m in beeld.resultaat.meldplichten}
    for domain_event in nieuw:
        bericht = contract_voor(
            domain_event,
            school_id=leerling.school_id,
            slots=slots,
            rooster=context.rooster,
            termijnen=termijnen,
        )
        if bericht is not None:
            leerling.zet_klaar(
                bericht.event_type(), bericht.model_dump(mode="json", by_alias=True)
            )


def to_contract(stored_event: Any) -> ContractEvent | None:
    """The relay's mapper: only the messages made ready by `contract_voor`."""
    if type(stored_event).__name__ != "BerichtKlaargezet":
        return None
    soort = registered_types()[stored_event.berichttype]
    return soort.model_validate(stored_event.inhoud)
