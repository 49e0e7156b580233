"""Errors of the ketenkoppeling that the HTTP layer turns into problem responses.

Details name ids and states only, never a BSN, a name or a reason of absence.
"""

from __future__ import annotations

from plumbing.errors import Conflict, NotFound


class MeldingNietGevonden(NotFound):
    title = "Verzuimmelding niet gevonden"


class NotificatieNietGevonden(NotFound):
    title = "Notificatie niet gevonden"


class NotificatieNietMislukt(Conflict):
    title = "Notificatie is niet mislukt"
