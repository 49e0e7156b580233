"""Use case that fills the PGN index from the pupils already registered.

Pupils registered before the index existed hold no `PgnVermelding` until their
next `PUT`; `vul_pgn_index` claims theirs in one pass, in chunks that each are one
save, so it may run while the service runs and again after an interruption. Two
pupils of one school with the same number are reported (their ids), not
resolved: which one is right is for the school to say.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from functools import partial
from uuid import UUID

from plumbing.security.sleutelkluis import VERNIETIGD
from services.registratie.basis import RegistratieBasis
from services.registratie.domain.fouten import PgnInGebruik
from services.registratie.werkeenheid import Werkeenheid, is_gewist

__all__ = ["IndexeringGebruik", "IndexeringResultaat"]

logger = logging.getLogger(__name__)

_DEEL = 500


@dataclass
class IndexeringResultaat:
    #: Pupils read (not erased).
    leerlingen: int = 0
    #: Numbers claimed by this run.
    toegevoegd: int = 0
    #: (pupil, the other pupil of its school that holds the number)
    dubbel: list[tuple[UUID, UUID]] = field(default_factory=list)


class IndexeringGebruik(RegistratieBasis):
    def vul_pgn_index(self) -> IndexeringResultaat:
        """Claim the number of every pupil not erased that holds none yet."""
        leerlingen = sorted(self.inschrijvingen())
        resultaat = IndexeringResultaat(leerlingen=len(leerlingen))
        for begin in range(0, len(leerlingen), _DEEL):
            deel = leerlingen[begin : begin + _DEEL]
            if self.kluis is not None:
                self.kluis.laad_sleutels(deel)  # one read for the chunk's keys
            toegevoegd, dubbel = self._uitvoeren(partial(self._indexeer, deel=deel))
            resultaat.toegevoegd += toegevoegd
            resultaat.dubbel += dubbel
        logger.info(
            "pgn index filled",
            extra={"event": "pgn_index", "count": resultaat.toegevoegd},
        )
        return resultaat

    def _indexeer(
        self, werk: Werkeenheid, deel: list[UUID]
    ) -> tuple[int, list[tuple[UUID, UUID]]]:
        toegevoegd, dubbel = 0, []
        werk.laad(deel)
        for leerling_id in deel:
            leerling = werk.leerling(leerling_id, ook_gewist=True)
            pgn = leerling.gegevens.get("pgn")
            if pgn is None or pgn == VERNIETIGD or is_gewist(leerling):
                continue
            try:
                nieuw = self.pgn_index.leg_vast(
                    werk, leerling.school_id, leerling_id, pgn
                )
            except PgnInGebruik as fout:
                dubbel.append((leerling_id, UUID(fout.houder)))
                continue
            toegevoegd += nieuw
        return toegevoegd, dubbel
