"""An in-memory index of the store, kept current from the notification log.

It answers "which meldingen does this school have" and "which meldingen are at DUO",
and it feeds the background jobs: every stored event puts the ids it concerns into
the job's `Werkvoorraad` (a melding changed, or the pupil or school behind it did).
On start it reads the whole log, so the queues are rebuilt from the store; after each
consumer batch (`ServiceSpec.after_batch`) and before each job round it catches up.
Because it reads the shared log, every replica on one database sees every write.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from threading import Lock
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic

from services.ketenkoppeling.domain.aanleiding import Aanleiding
from services.ketenkoppeling.domain.gegevens import (
    Leerlinggegevens,
    Schoolgegevens,
    Statusvolging,
)
from services.ketenkoppeling.domain.meldingstoestand import Meldingstoestand
from services.ketenkoppeling.domain.meldplicht import OPEN_BIJ_DUO, Meldingstatus
from services.ketenkoppeling.duo import documentnummer
from services.ketenkoppeling.partners import Notificatie

__all__ = ["Overzicht", "Werkvoorraad"]

_BLOK = 500

# Events that change nothing the index holds or queues: their payload is not read.
# Most of the log is these (every try and outcome of a notification).
_NIET_NODIG = frozenset(
    get_topic(soort)
    for soort in (
        Notificatie.BezorgpogingGedaan,  # type: ignore[attr-defined]
        Notificatie.NotificatieBezorgd,  # type: ignore[attr-defined]
        Notificatie.NotificatieMislukt,  # type: ignore[attr-defined]
        Aanleiding.Verwerkt,  # type: ignore[attr-defined]
        Aanleiding.Overgeslagen,  # type: ignore[attr-defined]
        Aanleiding.NietTeRouteren,  # type: ignore[attr-defined]
        Aanleiding.BezorgingAfgehandeld,  # type: ignore[attr-defined]
        Statusvolging.Aangemaakt,  # type: ignore[attr-defined]
        Statusvolging.Opgeschoven,  # type: ignore[attr-defined]
    )
)


# An aanleiding routed or passed over is done: it need not be looked at again when
# its pupil changes. The topic alone says so; the payload is not read.
_AANLEIDING_KLAAR = frozenset(
    get_topic(soort)
    for soort in (
        Aanleiding.Verwerkt,  # type: ignore[attr-defined]
        Aanleiding.Overgeslagen,  # type: ignore[attr-defined]
    )
)


class Werkvoorraad:
    """Ids a background job still has to look at (a set: duplicates collapse)."""

    def __init__(self) -> None:
        self._lock = Lock()
        self._ids: set[UUID] = set()

    def voeg_toe(self, ids: Iterable[UUID]) -> None:
        with self._lock:
            self._ids.update(ids)

    def neem(self) -> list[UUID]:
        with self._lock:
            genomen, self._ids = sorted(self._ids), set()
        return genomen

    def __len__(self) -> int:
        with self._lock:
            return len(self._ids)


class Overzicht:
    def __init__(
        self,
        lees_log: Callable[[int, int], Sequence[Notification]],
        als_event: Callable[[Notification], Any],
    ) -> None:
        self._lees_log = lees_log
        self._als_event = als_event
        self._lock = Lock()
        self._positie = 0
        self._melding: dict[UUID, tuple[UUID, UUID]] = {}
        self._per_school: dict[UUID, set[UUID]] = defaultdict(set)
        self._per_leerling: dict[UUID, set[UUID]] = defaultdict(set)
        self._per_document: dict[str, UUID] = {}
        # Meldingen open at DUO: the BRIN they were sent for and DUO's moment then.
        self._bij_duo: dict[UUID, tuple[str, datetime]] = {}
        self._leerling_van: dict[UUID, UUID] = {}
        self._school_van: dict[UUID, UUID] = {}
        # Per pupil the aanleidingen not yet done, to look at when the pupil changes.
        self._aanleidingen: dict[UUID, set[UUID]] = defaultdict(set)
        self._leerling_van_aanleiding: dict[UUID, UUID] = {}
        self._notificaties: dict[str, set[UUID]] = defaultdict(set)
        self._notificatie_ids: set[UUID] = set()
        self.verzending = Werkvoorraad()
        self.termijnen = Werkvoorraad()
        self.aanleidingen = Werkvoorraad()
        self.bezorging = Werkvoorraad()

    def bij(self) -> int:
        """Read the log from the last position; returns the number of new events."""
        gelezen = 0
        with self._lock:
            while nieuw := self._lees_log(self._positie + 1, _BLOK):
                for notification in nieuw:
                    if notification.topic in _AANLEIDING_KLAAR:
                        self._aanleiding_klaar(notification.originator_id)
                        continue
                    if notification.topic in _NIET_NODIG:
                        continue
                    self._verwerk(
                        notification.originator_id, self._als_event(notification)
                    )
                self._positie = nieuw[-1].id
                gelezen += len(nieuw)
        return gelezen

    # -- reading ---------------------------------------------------------------------

    def meldingen_van(self, school_ids: Iterable[UUID]) -> list[UUID]:
        self.bij()
        with self._lock:
            return sorted({m for s in school_ids for m in self._per_school.get(s, ())})

    def melding_bij_document(self, document_id: str) -> UUID | None:
        with self._lock:
            return self._per_document.get(document_id)

    def bij_duo(self) -> list[tuple[str, datetime]]:
        """(BRIN, DUO's moment of acceptance) of each melding still open at DUO."""
        self.bij()
        with self._lock:
            return sorted(self._bij_duo.values())

    def notificaties_van(self, school_ids: Iterable[str]) -> list[UUID]:
        self.bij()
        with self._lock:
            return sorted(
                {n for s in school_ids for n in self._notificaties.get(s, ())}
            )

    def kent_notificatie(self, notificatie_id: UUID) -> bool:
        """Whether the log read so far holds this notification."""
        with self._lock:
            return notificatie_id in self._notificatie_ids

    # -- following the log -----------------------------------------------------------

    def _verwerk(self, originator_id: UUID, gebeurtenis: Any) -> None:
        if isinstance(gebeurtenis, Meldingstoestand.Event):
            self._melding_gebeurtenis(originator_id, gebeurtenis)
        elif isinstance(gebeurtenis, Leerlinggegevens.Event):
            if isinstance(gebeurtenis, Leerlinggegevens.Aangemaakt):
                self._leerling_van[originator_id] = gebeurtenis.leerling_id
            leerling_id = self._leerling_van.get(originator_id)
            if leerling_id is not None:
                self.verzending.voeg_toe(self._per_leerling.get(leerling_id, ()))
                self.aanleidingen.voeg_toe(self._aanleidingen.get(leerling_id, ()))
        elif isinstance(gebeurtenis, Schoolgegevens.Event):
            if isinstance(gebeurtenis, Schoolgegevens.Geregistreerd):
                self._school_van[originator_id] = gebeurtenis.school_id
            school_id = self._school_van.get(originator_id)
            if school_id is not None:
                self.verzending.voeg_toe(self._per_school.get(school_id, ()))
        elif isinstance(gebeurtenis, Aanleiding.Event):
            if isinstance(gebeurtenis, Aanleiding.Aangemaakt):
                self._aanleidingen[gebeurtenis.leerling_id].add(originator_id)
                self._leerling_van_aanleiding[originator_id] = gebeurtenis.leerling_id
                self.aanleidingen.voeg_toe([originator_id])
        elif isinstance(gebeurtenis, Notificatie.Event):
            if isinstance(gebeurtenis, Notificatie.NotificatieAangemaakt):
                self._notificaties[gebeurtenis.school_id].add(originator_id)
                self._notificatie_ids.add(originator_id)
            if isinstance(
                gebeurtenis,
                Notificatie.NotificatieAangemaakt
                | Notificatie.HandmatigOpnieuwAangeboden,
            ):
                self.bezorging.voeg_toe([originator_id])

    def _aanleiding_klaar(self, aanleiding_id: UUID) -> None:
        leerling_id = self._leerling_van_aanleiding.pop(aanleiding_id, None)
        if leerling_id is not None:
            wachtend = self._aanleidingen[leerling_id]
            wachtend.discard(aanleiding_id)
            if not wachtend:
                del self._aanleidingen[leerling_id]

    def _melding_gebeurtenis(self, melding_id: UUID, gebeurtenis: Any) -> None:
        if isinstance(gebeurtenis, Meldingstoestand.Aangemaakt):
            self._melding[melding_id] = (gebeurtenis.school_id, gebeurtenis.leerling_id)
            self._per_school[gebeurtenis.school_id].add(melding_id)
            self._per_leerling[gebeurtenis.leerling_id].add(melding_id)
            document = documentnummer(str(gebeurtenis.meldplicht_id))
            self._per_document[document] = melding_id
        if isinstance(gebeurtenis, Meldingstoestand.Geregistreerd):
            self._bij_duo[melding_id] = (gebeurtenis.brin, gebeurtenis.laatste_mutatie)
        elif (
            isinstance(gebeurtenis, Meldingstoestand.StatusGewijzigd)
            and Meldingstatus(gebeurtenis.status) not in OPEN_BIJ_DUO
        ):
            self._bij_duo.pop(melding_id, None)
        self.verzending.voeg_toe([melding_id])
        self.termijnen.voeg_toe([melding_id])
