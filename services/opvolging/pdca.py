"""PDCA check and act as use cases: evaluate a dossier, or every dossier that is due.

The figures are the pupil's unauthorised minutes per lesweek that opvolging keeps
from registratie (`Lesweekverzuim`), or figures the caller brings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from uuid import UUID

from services.opvolging.basis import OpvolgingBasis
from services.opvolging.domain.dossier import Dossier
from services.opvolging.domain.evaluatie import Evaluatie, WeekCijfer
from services.opvolging.domain.fouten import OpvolgingFout
from services.opvolging.domain.handeling import Handeling
from services.opvolging.domain.lesweekverzuim import Lesweekverzuim, evaluatieweken
from services.opvolging.werkeenheid import Werkeenheid, dossier_laden

__all__ = ["OpvolgingPdca"]

logger = logging.getLogger(__name__)


class OpvolgingPdca(OpvolgingBasis):
    def evalueer(
        self,
        dossier_id: UUID,
        *,
        cijfers: Iterable[WeekCijfer] | None = None,
        peildatum: date,
        door: str,
        op: datetime | None = None,
    ) -> Evaluatie:
        """Check the measures; without `cijfers`, with the minutes opvolging knows."""

        def evalueren(d: Dossier, h: Handeling) -> Evaluatie:
            weken = (
                list(cijfers) if cijfers is not None else self.weekcijfers(d, peildatum)
            )
            return d.evalueer(
                cijfers=weken,
                peildatum=peildatum,
                beleid=self.beleid(d.school_id),
                handeling=h,
            )

        return self._wijzig(dossier_id, door, op, evalueren)

    def verschuldigde_evaluaties(
        self, peildatum: date, school_id: str | None = None
    ) -> list[Dossier]:
        return self.overzicht.evaluatie_verschuldigd(peildatum, self.beleid, school_id)

    def voer_verschuldigde_evaluaties_uit(
        self,
        peildatum: date,
        cijfers_van: Callable[[Dossier], Sequence[WeekCijfer]] | None = None,
        *,
        door: str,
        school_id: str | None = None,
        op: datetime | None = None,
    ) -> dict[UUID, Evaluatie]:
        """Evaluate each due dossier with the minutes per lesweek `cijfers_van` gives
        (default: what opvolging keeps from registratie).

        Due-ness is checked again on the freshly loaded dossier, so a second run on
        the same day, or a second process, evaluates nothing twice. A dossier that
        fails is logged and skipped; the others still run.
        """
        handeling = self._handeling(door, op)
        resultaat: dict[UUID, Evaluatie] = {}
        for kandidaat in self.verschuldigde_evaluaties(peildatum, school_id):

            def evalueren(
                uow: Werkeenheid, dossier_id: UUID = kandidaat.id
            ) -> Evaluatie | None:
                d = dossier_laden(uow, dossier_id)
                beleid = self.beleid(d.school_id)
                verschuldigd = d.evaluatie_verschuldigd_op(beleid)
                if verschuldigd is None or verschuldigd > peildatum:
                    return None
                weken = (
                    cijfers_van(d) if cijfers_van else self.weekcijfers(d, peildatum)
                )
                return d.evalueer(
                    cijfers=weken,
                    peildatum=peildatum,
                    beleid=beleid,
                    handeling=handeling,
                )

            try:
                evaluatie = self.werkeenheid(evalueren)
            except OpvolgingFout as fout:
                logger.warning(
                    "evaluatie overgeslagen",
                    extra={
                        "event": "evaluatie_fout",
                        "dossier": str(kandidaat.id),
                        "fout": type(fout).__name__,
                    },
                )
                continue
            if evaluatie is not None:
                resultaat[kandidaat.id] = evaluatie
        logger.info(
            "evaluaties", extra={"event": "evaluaties", "count": len(resultaat)}
        )
        return resultaat

    def weekcijfers(self, dossier: Dossier, peildatum: date) -> list[WeekCijfer]:
        """Unauthorised minutes per lesweek around the dossier's measures.

        Empty (so: "onvoldoende gegevens") while registratie never reported
        unauthorised time for the pupil: silence is not the same as zero.
        """
        verzuim = self._laad(
            Lesweekverzuim.id_voor(dossier.school_id, dossier.leerling_id)
        )
        if (
            dossier.maatregelen_vanaf is None
            or not isinstance(verzuim, Lesweekverzuim)
            or not verzuim.ooit_geteld
        ):
            return []
        kalender = self.beleid(dossier.school_id).kalender
        weken = evaluatieweken(dossier.maatregelen_vanaf, peildatum, kalender)
        return verzuim.weekcijfers(weken)
