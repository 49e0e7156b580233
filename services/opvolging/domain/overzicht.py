"""The read model for listings: every dossier in memory, kept current from the log.

It reads the notification log after its last position and reloads each dossier that got
new events. The application injects both reads, so this class does no I/O of its own.
Because it asks the shared log before every query, all processes on one database see
every write; the price is that all dossiers are held in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from threading import Lock
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic

from services.opvolging.domain.beleid import Opvolgingsbeleid
from services.opvolging.domain.dossier import Dossier
from services.opvolging.domain.dossieracties import keuze
from services.opvolging.domain.dossierstatus import DossierStatus
from services.opvolging.domain.rasci import Rol

__all__ = ["DossierOverzicht"]

_DOSSIER_TOPIC = get_topic(Dossier) + "."
_BLOK = 500


class DossierOverzicht:
    def __init__(
        self,
        lees_log: Callable[[int, int], Sequence[Notification]],
        laad: Callable[[UUID], Dossier],
    ) -> None:
        """`lees_log(start, limit)` returns notifications with id >= start, in order."""
        self._lees_log = lees_log
        self._laad = laad
        self._lock = Lock()
        self._positie = 0
        self._dossiers: dict[UUID, Dossier] = {}

    def alle(self) -> list[Dossier]:
        """Every dossier, oldest first, after catching up with the log."""
        with self._lock:
            while nieuw := self._lees_log(self._positie + 1, _BLOK):
                gewijzigd = {
                    UUID(str(n.originator_id))
                    for n in nieuw
                    if n.topic.startswith(_DOSSIER_TOPIC)
                }
                for dossier_id in gewijzigd:
                    self._dossiers[dossier_id] = self._laad(dossier_id)
                self._positie = nieuw[-1].id
            return sorted(
                self._dossiers.values(), key=lambda d: (d.geopend_op, d.created_on)
            )

    def van_school(
        self, school_id: str, *, status: str | None = None, rol: str | None = None
    ) -> list[Dossier]:
        """A school's dossiers; with `rol`, those with open actions for that R role."""
        gezochte_status = keuze(DossierStatus, status, "status") if status else None
        gezochte_rol = keuze(Rol, rol, "rol") if rol else None
        return [
            d
            for d in self.alle()
            if d.school_id == school_id
            and (gezochte_status is None or d.status is gezochte_status)
            and (
                gezochte_rol is None
                or any(a.r_rol is gezochte_rol for a in d.open_acties())
            )
        ]

    def evaluatie_verschuldigd(
        self,
        peildatum: date,
        beleid: Callable[[str], Opvolgingsbeleid],
        school_id: str | None = None,
    ) -> list[Dossier]:
        """Open dossiers whose next evaluation falls on or before the peildatum."""
        resultaat = []
        for d in self.alle():
            if school_id is not None and d.school_id != school_id:
                continue
            verschuldigd = d.evaluatie_verschuldigd_op(beleid(d.school_id))
            if verschuldigd is not None and verschuldigd <= peildatum:
                resultaat.append(d)
        return resultaat
