"""The read model behind the lists and trends: an in-memory projection of the log.

It follows the service's own notification log from position 0 after a start and
from its last position afterwards (`bij`), before every query and after every
consumer batch. It therefore also sees what another process of the service stored.
It keeps per pupil the school, class and year, the classified slots (for trends)
and the state of every duty and signal; nothing personal beyond internal ids.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from services.analyse.contracts_mapping import meldplicht_id
from services.analyse.domain import serialisatie as data
from services.analyse.domain.aggregate import Leerlingbeeld
from services.analyse.domain.model import Verzuimsoort
from services.analyse.domain.toestand import LeerlingbeeldToestand
from services.analyse.leerling import Leerling, Verzuimslot

__all__ = ["Leerlingstand", "Leesmodel", "Meldplichtstand", "STATUSSEN"]

#: Duty states: not yet submitted, submitted, withdrawal proposed (D15), cancelled
#: before submission (D15), withdrawn at DUO.
STATUSSEN = ("open", "ingediend", "intrekkingVoorgesteld", "vervallen", "ingetrokken")
#: States in which a duty still stands.
LOPEND = frozenset({"open", "ingediend", "intrekkingVoorgesteld"})

_PAGINA = 2_000


@dataclass(frozen=True)
class Meldplichtstand:
    meldplicht_id: UUID
    leerling_id: str
    sleutel: str
    verzuimsoort: str
    begindatum: date
    einddatum: date | None
    vervaldatum: date
    vastgesteld_op: date
    achterstallig: bool
    minuten: int
    slot_ids: tuple[str, ...]
    status: str


@dataclass
class Leerlingstand:
    school_id: str
    klas: str | None = None
    leerjaar: int | None = None
    # slot id -> (date, status, missed minutes, reason code)
    slots: dict[str, tuple[date, str, int, str | None]] = field(default_factory=dict)
    meldplichten: dict[str, Meldplichtstand] = field(default_factory=dict)
    # signal key -> (date, slot ids)
    signalen: dict[str, tuple[date, tuple[str, ...]]] = field(default_factory=dict)


class Leesmodel:
    def __init__(self, app: Any) -> None:
        self._app = app
        self._positie = 0
        self._lock = threading.RLock()
        self._leerling_van: dict[UUID, str] = {}  # Leerling aggregate id -> pupil
        self.leerlingen: dict[str, Leerlingstand] = {}
        self.scholen: dict[str, set[str]] = {}

    @property
    def lock(self) -> threading.RLock:
        """Hold it while reading the model, so `bij` does not change it meanwhile."""
        return self._lock

    def bij(self) -> int:
        """Apply what was stored since the last call; returns how many notifications."""
        with self._lock:
            gelezen = 0
            while True:
                # Only the events the model reads: slot lists and messages stay unread.
                meldingen = self._app.recorder.select_notifications(
                    start=self._positie + 1, limit=_PAGINA, topics=_TOPICS
                )
                for melding in meldingen:
                    handler = _HANDLERS[melding.topic]
                    # It keeps no personal field: none is opened (`persoonsvelden`).
                    handler(self, self._app.read_sealed(melding))
                gelezen += len(meldingen)
                if meldingen:
                    self._positie = meldingen[-1].id
                if len(meldingen) < _PAGINA:
                    return gelezen

    # --- queries (call with the lock held or after `bij`) --------------------------

    def van_school(self, school_id: str) -> Iterator[tuple[str, Leerlingstand]]:
        for leerling_id in sorted(self.scholen.get(school_id, ())):
            yield leerling_id, self.leerlingen[leerling_id]

    def lopend_continu(self) -> list[str]:
        """Pupils with a standing LRV or RMC duty without einddatum (D6, D7)."""
        return self._met_meldplicht(
            lambda m: (
                m.verzuimsoort in (Verzuimsoort.LRV, Verzuimsoort.RMC)
                and m.einddatum is None
                and m.status in LOPEND
            )
        )

    def recent_zestien_uur(self, sinds: date) -> list[str]:
        """Pupils with a 16-hour duty whose einddatum is `sinds` or later: 16 hours
        reached again within the repeat period becomes due by the date alone (D7)."""
        return self._met_meldplicht(
            lambda m: (
                m.verzuimsoort in (Verzuimsoort.V3, Verzuimsoort.V4)
                and m.einddatum is not None
                and m.einddatum >= sinds
            )
        )

    def _met_meldplicht(self, past: Callable[[Meldplichtstand], bool]) -> list[str]:
        with self._lock:
            return sorted(
                lid
                for lid, stand in self.leerlingen.items()
                if any(past(m) for m in stand.meldplichten.values())
            )

    # --- projection -------------------------------------------------------------------

    def _stand(self, leerling_id: str, school_id: str | None = None) -> Leerlingstand:
        stand = self.leerlingen.get(leerling_id)
        if stand is None:
            stand = Leerlingstand(school_id=school_id or "")
            self.leerlingen[leerling_id] = stand
            self.scholen.setdefault(stand.school_id, set()).add(leerling_id)
        return stand

    def _verhuis(self, leerling_id: str, school_id: str) -> Leerlingstand:
        stand = self._stand(leerling_id, school_id)
        if stand.school_id != school_id:
            self.scholen.get(stand.school_id, set()).discard(leerling_id)
            self.scholen.setdefault(school_id, set()).add(leerling_id)
            stand.school_id = school_id
        return stand

    def _leerling_aangemaakt(self, e: Any) -> None:
        self._leerling_van[e.originator_id] = e.leerling_id
        self._verhuis(e.leerling_id, e.school_id)

    def _leerling_geregistreerd(self, e: Any) -> None:
        stand = self._verhuis(self._leerling_van[e.originator_id], e.school_id)
        stand.klas = e.gegevens["klas"]
        stand.leerjaar = e.gegevens["leerjaar"]

    def _verzuim_bijgewerkt(self, e: Any) -> None:
        stand = self._stand(self._leerling_van[e.originator_id])
        for velden in e.gewijzigd:
            s = Verzuimslot(**velden)
            stand.slots[s.slot_id] = (s.dag, s.status, s.gemiste_minuten, s.reden_code)
        for slot_id in e.verwijderd:
            stand.slots.pop(slot_id, None)

    def _meldplicht(self, e: Any) -> None:
        m = data.meldplicht_uit(e.meldplicht)
        stand = self._stand(e.leerling_id)
        vorig = stand.meldplichten.get(m.sleutel)
        status = "ingediend" if m.ingediend else "open"
        if vorig is not None and vorig.status == "intrekkingVoorgesteld":
            status = vorig.status
        stand.meldplichten[m.sleutel] = Meldplichtstand(
            meldplicht_id=meldplicht_id(e.leerling_id, m.sleutel),
            leerling_id=e.leerling_id,
            sleutel=m.sleutel,
            verzuimsoort=m.soort.value,
            begindatum=m.begindatum,
            einddatum=m.einddatum,
            vervaldatum=m.vervaldatum,
            vastgesteld_op=m.vastgesteld_op,
            achterstallig=m.achterstallig,
            minuten=m.minuten,
            slot_ids=m.slot_ids,
            status=status,
        )

    def _status(self, e: Any, sleutel: str, status: str) -> None:
        stand = self._stand(e.leerling_id)
        vorig = stand.meldplichten.get(sleutel)
        if vorig is not None:
            stand.meldplichten[sleutel] = replace(vorig, status=status)

    def _signaal(self, e: Any) -> None:
        s = data.signaal_uit(e.signaal)
        self._stand(e.leerling_id).signalen[s.sleutel] = (s.datum, s.slot_ids)

    def _signaal_vervallen(self, e: Any) -> None:
        self._stand(e.leerling_id).signalen.pop(e.sleutel, None)


_PER_EVENT: dict[tuple[type, str], Callable[[Leesmodel, Any], None]] = {
    (Leerling, "Aangemaakt"): Leesmodel._leerling_aangemaakt,
    (Leerling, "Geregistreerd"): Leesmodel._leerling_geregistreerd,
    (Leerling, "VerzuimBijgewerkt"): Leesmodel._verzuim_bijgewerkt,
    (Leerlingbeeld, "MeldplichtVastgesteld"): Leesmodel._meldplicht,
    (Leerlingbeeld, "MeldplichtBijgewerkt"): Leesmodel._meldplicht,
    (Leerlingbeeld, "MeldplichtVervallen"): lambda lm, e: lm._status(
        e, e.sleutel, "vervallen"
    ),
    (Leerlingbeeld, "MeldingIngediend"): lambda lm, e: lm._status(
        e, e.sleutel, "ingediend"
    ),
    (Leerlingbeeld, "IntrekkingVoorgesteld"): lambda lm, e: lm._status(
        e, e.voorstel["sleutel"], "intrekkingVoorgesteld"
    ),
    # A lapsed proposal is followed by `MeldplichtBijgewerkt` (the melding stands).
    (Leerlingbeeld, "IntrekkingsvoorstelVervallen"): lambda lm, e: lm._status(
        e, e.sleutel, "ingediend"
    ),
    (Leerlingbeeld, "MeldingIngetrokken"): lambda lm, e: lm._status(
        e, e.sleutel, "ingetrokken"
    ),
    (Leerlingbeeld, "SignaalAfgegeven"): Leesmodel._signaal,
    (Leerlingbeeld, "SignaalBijgewerkt"): Leesmodel._signaal,
    (Leerlingbeeld, "SignaalVervallen"): Leesmodel._signaal_vervallen,
}
# An event of the picture is stored under the class that declares it (the state
# class), or under `Leerlingbeeld` itself; both names are read.
_HANDLERS = {
    get_topic(getattr(klasse, naam)): handler
    for (aggregaat, naam), handler in _PER_EVENT.items()
    for klasse in {
        aggregaat,
        *((LeerlingbeeldToestand,) if aggregaat is Leerlingbeeld else ()),
    }
}
_TOPICS = tuple(_HANDLERS)
