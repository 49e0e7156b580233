"""Which pupil-days must be looked at again because time passed (D8, D14 step 3).

An onbekend slot becomes ongeoorloofd once the two-day notice period has passed, without
any new fact arriving. Every `Verzuimdag` event states the date from which that can
happen (`herbeoordelen_op`); this tracker follows the application's own notification
log from where it stopped, keeps the open days, and hands out the ones that are due.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import get_topic

from services.registratie.domain.verzuimdag import Verzuimdag

__all__ = ["HERBEOORDELING_ID", "Herbeoordeling", "lees_nieuwe_dagen"]

HERBEOORDELING_ID = uuid5(NAMESPACE_URL, "verzuimketen:registratie:herbeoordeling")
_PAGINA = 500


class Herbeoordeling(Aggregate):
    @staticmethod
    def create_id() -> UUID:
        return HERBEOORDELING_ID

    @event("Gestart")
    def __init__(self) -> None:
        self.positie = 0
        self.open: dict[str, str] = {}

    @event("Bijgewerkt")
    def werk_bij(
        self, positie: int, open_erbij: dict[str, str], gesloten: list[str]
    ) -> None:
        self.positie = positie
        self.open.update(open_erbij)
        for dag_id in gesloten:
            self.open.pop(dag_id, None)

    def verwerk(
        self, positie: int, open_nu: dict[str, str | None], vandaag: date
    ) -> list[UUID]:
        """Record what the log said since the last run; return the days now due."""
        erbij = {
            k: v for k, v in open_nu.items() if v is not None and self.open.get(k) != v
        }
        dicht = [k for k, v in open_nu.items() if v is None and k in self.open]
        huidig = {**self.open, **erbij}
        for k in dicht:
            huidig.pop(k, None)
        if positie != self.positie or erbij or dicht:
            self.werk_bij(positie=positie, open_erbij=erbij, gesloten=dicht)
        grens = vandaag.isoformat()
        return [UUID(k) for k, v in huidig.items() if v <= grens]


def lees_nieuwe_dagen(app: Application[UUID], vanaf: int) -> tuple[int, dict[str, Any]]:
    """(last notification id, {dag id hex: herbeoordelen_op or None}) after `vanaf`."""
    topics = [get_topic(Verzuimdag.Geopend), get_topic(Verzuimdag.Bijgewerkt)]
    positie = vanaf
    open_nu: dict[str, Any] = {}
    while True:
        pagina = app.recorder.select_notifications(
            start=positie, limit=_PAGINA, topics=topics, inclusive_of_start=False
        )
        for notificatie in pagina:
            gebeurtenis = app.mapper.to_domain_event(notificatie)
            op = getattr(gebeurtenis, "herbeoordelen_op", None)
            open_nu[gebeurtenis.originator_id.hex] = op.isoformat() if op else None
            positie = notificatie.id
        if len(pagina) < _PAGINA:
            return positie, open_nu
