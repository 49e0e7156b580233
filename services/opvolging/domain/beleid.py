"""A school's follow-up policy: RASCI matrix, protocol ladder, evaluation, calendar."""

from __future__ import annotations

from dataclasses import dataclass, field

from leerplicht.kalender import SchoolKalender
from services.opvolging.domain.evaluatie import (
    STANDAARD_LADDER,
    Evaluatieregels,
    LadderStap,
)
from services.opvolging.domain.fouten import OngeldigeInvoer
from services.opvolging.domain.rasci import STANDAARD_MATRIX, RasciMatrix

__all__ = ["Opvolgingsbeleid"]


@dataclass(frozen=True)
class Opvolgingsbeleid:
    matrix: RasciMatrix = STANDAARD_MATRIX
    ladder: tuple[LadderStap, ...] = STANDAARD_LADDER
    evaluatie: Evaluatieregels = field(default_factory=Evaluatieregels)
    # Policy, not law: the default term for an action without its own due date.
    actietermijn_werkdagen: int = 5
    kalender: SchoolKalender | None = None

    def __post_init__(self) -> None:
        if not self.ladder:
            raise OngeldigeInvoer("de protocolladder heeft minstens één stap")
        if self.actietermijn_werkdagen < 0:
            raise OngeldigeInvoer("actietermijn kan niet negatief zijn")
        for stap in self.ladder:
            # Fails early when a school's matrix leaves a ladder step without R role.
            self.matrix.kies_r_rol(stap.activiteit, stap.rol)
