"""Finding a pupil by BSN/onderwijsnummer through its keyed hash.

`PgnIndex` keeps one `PgnVermelding` per (school, number), held by at most one
pupil: claimed when a pupil is registered or its number changes, released when
the number changes or the pupil is erased, always in the same unit of work as
the pupil's own events, so the index is as durable and as consistent as the
store. A pupil registered before the index existed is added on its next PUT, or
by `python -m services.registratie.indexeren` (`indexering`).
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from eventsourcing.application import Application

from plumbing.security.crypto import BsnHasher
from services.registratie.domain.fouten import PgnInGebruik
from services.registratie.domain.pgnvermelding import PgnVermelding, vermelding_id
from services.registratie.opslag import laad_aggregaten
from services.registratie.werkeenheid import Werkeenheid

__all__ = ["PgnIndex"]


class PgnIndex:
    def __init__(self, hasher: BsnHasher) -> None:
        self._hasher = hasher

    def _id(self, school_id: UUID, pgn: str) -> tuple[UUID, str]:
        pgn_hash = self._hasher.digest(pgn)
        return vermelding_id(school_id, pgn_hash), pgn_hash

    def leg_vast(
        self,
        werk: Werkeenheid,
        school_id: UUID,
        leerling_id: UUID,
        pgn: str,
        vorig: str | None = None,
    ) -> bool:
        """The pupil holds `pgn` (and no longer `vorig`); True when it did not
        before. `PgnInGebruik` when another pupil of the school holds it."""
        vermelding_id_, pgn_hash = self._id(school_id, pgn)
        vermelding = werk.haal(vermelding_id_, PgnVermelding)
        # Refuse before changing anything: a bulk goes on with its next item and
        # saves what this one changed so far.
        if vermelding is not None and vermelding.houder not in (None, leerling_id):
            raise PgnInGebruik(str(vermelding.houder))
        if vorig is not None and vorig != pgn:
            self.laat_los(werk, school_id, leerling_id, vorig)
        if vermelding is None:
            werk.nieuw(PgnVermelding.nieuw(school_id, pgn_hash, leerling_id))
        elif vermelding.houder is None:
            vermelding.ken_toe(leerling_id=leerling_id)
            werk.bewaar(vermelding)
        else:
            return False
        return True

    def laat_los(
        self, werk: Werkeenheid, school_id: UUID, leerling_id: UUID, pgn: str
    ) -> None:
        """The pupil no longer holds `pgn` (changed, or erased)."""
        vermelding = werk.haal(self._id(school_id, pgn)[0], PgnVermelding)
        if vermelding is not None and vermelding.houder == leerling_id:
            vermelding.geef_vrij(leerling_id=leerling_id)
            werk.bewaar(vermelding)

    def zoek(
        self, app: Application[UUID], scholen: Iterable[UUID], pgn: str
    ) -> list[UUID]:
        """The pupils holding `pgn` at these schools (one read for all of them)."""
        ids = [self._id(school_id, pgn)[0] for school_id in scholen]
        gevonden = laad_aggregaten(app, ids)
        return [
            vermelding.houder
            for vermelding in (gevonden.get(i) for i in ids)
            if isinstance(vermelding, PgnVermelding) and vermelding.houder is not None
        ]
