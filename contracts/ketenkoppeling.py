"""Events published by ketenkoppeling on ``verzuim.ketenkoppeling.v1``."""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Literal
from uuid import UUID

from contracts.envelope import ContractEvent, register

MeldingStatus = Literal[
    "wachtend",
    "wachtOpBevestiging",
    "geregistreerd",
    "inBehandeling",
    "afgesloten",
    "terKennisgeving",
    "ingetrokken",
    "afgewezen",
    "vervallen",
]


class _Ketenkoppeling(ContractEvent):
    service: ClassVar[str] = "ketenkoppeling"


class VerzuimmeldingStatusGewijzigd(_Ketenkoppeling):
    """The state of a verzuimmelding at DUO changed (or locally before sending)."""

    melding_id: UUID
    meldplicht_id: UUID
    leerling_id: UUID
    school_id: UUID
    verzuimsoort: str
    status: MeldingStatus
    meldingsnummer: str | None = None
    reden: str | None = None
    # With status geregistreerd: the period of the melding as DUO holds it. It can
    # differ from the duty as analyse last stated it, when the facts changed while
    # the melding was on its way; counting restarts after what DUO holds.
    begindatum: date | None = None
    einddatum: date | None = None


class MeldingTermijnOverschreden(_Ketenkoppeling):
    """A melding was not accepted by DUO by its due date (D4)."""

    melding_id: UUID
    meldplicht_id: UUID
    leerling_id: UUID
    school_id: UUID
    vervaldatum: date


class NotificatieBezorgd(_Ketenkoppeling):
    notificatie_id: UUID
    leerling_id: UUID
    school_id: UUID
    ontvanger: str
    kanaal: Literal["webhook", "email"]
    status: Literal["bezorgd", "mislukt"]


register(VerzuimmeldingStatusGewijzigd, MeldingTermijnOverschreden, NotificatieBezorgd)
