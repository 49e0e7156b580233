"""Who makes a change, and when: recorded on every event of a dossier."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.opvolging.domain.fouten import OngeldigeInvoer

__all__ = ["Handeling"]


@dataclass(frozen=True)
class Handeling:
    door: str  # the actor's id (a user, or a service such as "analyse")
    op: datetime  # aware; shown in Europe/Amsterdam

    def __post_init__(self) -> None:
        if not self.door or not self.door.strip():
            raise OngeldigeInvoer("wie de wijziging doet (door) is verplicht")
        if self.op.tzinfo is None or self.op.utcoffset() is None:
            raise OngeldigeInvoer("het tijdstip (op) heeft een tijdzone nodig")
