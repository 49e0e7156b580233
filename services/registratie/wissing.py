"""Use cases for erasing a pupil's personal data: on request, or when the school's
retention period has passed.

Erasing is crypto-shredding: the fact `Leerling.PersoonsgegevensGewist` (who, when,
on what ground; no personal data) is stored first, with the pupil's release from
the PGN index and the `LeerlingGewist` message that makes every other service
destroy its copy, then the pupil's key is destroyed. Every sealed field
(`persoonsvelden`) then reads as destroyed wherever the events are, while the
pupil-days, their statuses and every count stay. Run again, it destroys the key
again and records nothing new, so a crash between the two steps is repaired by
repeating the command.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from uuid import UUID

from plumbing.security.sleutelkluis import VERNIETIGD
from services.registratie.basis import RegistratieBasis
from services.registratie.werkeenheid import Werkeenheid

__all__ = ["Wisgrond", "WisResultaat", "WissenGebruik"]

logger = logging.getLogger(__name__)


class Wisgrond(StrEnum):
    #: AVG art. 17: the pupil or their parents asked for erasure.
    VERZOEK = "verzoek"
    #: AVG art. 5(1)(e): kept no longer than needed; the period is school policy.
    BEWAARTERMIJN = "bewaartermijn"


@dataclass(frozen=True)
class WisResultaat:
    leerling_id: UUID
    #: False when the pupil was erased before (the key was destroyed again).
    nieuw: bool


class WissenGebruik(RegistratieBasis):
    def wis_persoonsgegevens(
        self,
        leerling_id: UUID,
        grond: Wisgrond,
        door: str,
        nu: datetime | None = None,
    ) -> WisResultaat:
        """Erase one pupil's personal data; idempotent."""
        kluis = self.kluis
        if kluis is None:
            raise RuntimeError("this store has no key vault, so it cannot erase")

        def opdracht(werk: Werkeenheid) -> bool:
            leerling = werk.leerling(leerling_id, ook_gewist=True)
            if leerling.gewist:
                return False
            pgn = leerling.gegevens.get("pgn")  # still readable: the key goes later
            if pgn is not None and pgn != VERNIETIGD:
                self.pgn_index.laat_los(werk, leerling.school_id, leerling_id, pgn)
            leerling.wis_persoonsgegevens(
                leerling_id=leerling_id, grond=grond.value, door=door, op=werk.moment
            )
            werk.bewaar(leerling)
            return True

        nieuw = self._uitvoeren(opdracht, nu)
        kluis.vernietig(leerling_id)
        logger.info(
            "personal data erased",
            extra={"event": "persoonsgegevens_gewist", "leerling": str(leerling_id)},
        )
        return WisResultaat(leerling_id, nieuw)

    def verlopen_inschrijvingen(
        self, peildatum: date, termijn_dagen: int
    ) -> list[UUID]:
        """Pupils not yet erased whose enrolment ended more than `termijn_dagen`
        before `peildatum`. Reads only the pupils' own events, without opening
        their sealed fields."""
        grens = peildatum - timedelta(days=termijn_dagen)
        return sorted(
            leerling_id
            for leerling_id, gegevens in self.inschrijvingen().items()
            if (einde := gegevens.get("inschrijvingTot")) is not None
            and date.fromisoformat(einde) < grens
        )

    def wis_verlopen(
        self,
        peildatum: date,
        termijn_dagen: int,
        door: str,
        nu: datetime | None = None,
    ) -> list[WisResultaat]:
        """Erase every pupil whose retention period has passed (see above)."""
        resultaten = [
            self.wis_persoonsgegevens(leerling_id, Wisgrond.BEWAARTERMIJN, door, nu)
            for leerling_id in self.verlopen_inschrijvingen(peildatum, termijn_dagen)
        ]
        logger.info(
            "retention period applied",
            extra={"event": "bewaartermijn", "count": len(resultaten)},
        )
        return resultaten
