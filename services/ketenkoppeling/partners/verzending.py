"""What a channel is asked to send, what it answers, and the one retry loop they share.

A channel (`webhook`, `email`) gets a `Verzendopdracht`, tries it one or more times
and answers with a `Verzendresultaat`: every try as a `Poging`, the last one deciding.
Error texts in a `Poging` are short technical words (an exception class, a status
code), never a URL, an address, a secret or a server's reply, because they are stored
and shown.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any, Protocol
from uuid import UUID

import stamina

__all__ = [
    "Herhaalbeleid",
    "Klok",
    "Poging",
    "Resultaat",
    "Verzender",
    "Verzendopdracht",
    "Verzendresultaat",
    "probeer_met_herhaling",
    "systeemklok",
]

logger = logging.getLogger(__name__)

Klok = Callable[[], datetime]


def systeemklok() -> datetime:
    return datetime.now(UTC)


class Resultaat(StrEnum):
    GELUKT = "gelukt"
    # Worth trying again later: transport error, timeout, 5xx, 429, SMTP 4xx.
    TIJDELIJK_MISLUKT = "tijdelijk_mislukt"
    # Trying again will not help until someone changes something: 4xx, SMTP 5xx.
    PERMANENT_MISLUKT = "permanent_mislukt"


@dataclass(frozen=True)
class Poging:
    resultaat: Resultaat
    statuscode: int | None = None
    fout: str | None = None
    # Seconds the receiver asked us to wait (Retry-After), when it asked.
    wacht: float | None = None
    # When the try started; set by `probeer_met_herhaling`.
    tijdstip: datetime | None = None


@dataclass(frozen=True)
class Verzendresultaat:
    pogingen: tuple[Poging, ...]

    def __post_init__(self) -> None:
        if not self.pogingen:
            raise ValueError("een verzendresultaat heeft minstens één poging")

    @property
    def resultaat(self) -> Resultaat:
        return self.pogingen[-1].resultaat

    @property
    def gelukt(self) -> bool:
        return self.resultaat is Resultaat.GELUKT


@dataclass(frozen=True, kw_only=True)
class Verzendopdracht:
    """Everything a channel needs; `notificatie_id` makes every try the same call."""

    notificatie_id: UUID
    soort: str
    rol: str
    adres: str
    secret_id: str | None
    onderwerp: str
    tekst: str
    html: str
    gegevens: Mapping[str, Any]
    aangemaakt_op: datetime


class Verzender(Protocol):
    async def verstuur(self, opdracht: Verzendopdracht) -> Verzendresultaat: ...


@dataclass(frozen=True)
class Herhaalbeleid:
    """How long one delivery keeps trying (stamina's parameters, in seconds)."""

    pogingen: int = 5
    budget: float = 120.0
    wacht_eerst: float = 0.5
    wacht_max: float = 30.0
    jitter: float = 1.0
    # A receiver asking for a longer wait than this ends the delivery instead.
    max_gevraagde_wacht: float = 120.0


class _Tijdelijk(Exception):
    def __init__(self, wacht: float | None) -> None:
        super().__init__(wacht)
        self.wacht = wacht


def _wachttijd(beleid: Herhaalbeleid) -> Callable[[Exception], bool | float]:
    def opnieuw(fout: Exception) -> bool | float:
        if not isinstance(fout, _Tijdelijk):
            return False
        if fout.wacht is None:
            return True
        # Honour Retry-After exactly; stamina then skips its own backoff.
        return fout.wacht if fout.wacht <= beleid.max_gevraagde_wacht else False

    return opnieuw


async def probeer_met_herhaling(
    probeer: Callable[[], Awaitable[Poging]],
    beleid: Herhaalbeleid,
    *,
    naam: str,
    klok: Klok = systeemklok,
) -> Verzendresultaat:
    """Call `probeer` until it succeeds, fails permanently or the policy is spent.

    `probeer` must not raise for an expected failure: it returns the `Poging`.
    """
    pogingen: list[Poging] = []
    try:
        async for poging in stamina.retry_context(
            on=_wachttijd(beleid),
            attempts=beleid.pogingen,
            timeout=beleid.budget,
            wait_initial=beleid.wacht_eerst,
            wait_max=beleid.wacht_max,
            wait_jitter=beleid.jitter,
        ):
            with poging:
                begonnen = klok()
                uitkomst = replace(await probeer(), tijdstip=begonnen)
                pogingen.append(uitkomst)
                # A try that failed is worth a line of its own; a delivered
                # notification is logged once by the job, with its count of tries.
                logger.log(
                    logging.DEBUG
                    if uitkomst.resultaat is Resultaat.GELUKT
                    else logging.INFO,
                    "bezorgpoging gedaan",
                    extra={
                        "kanaal": naam,
                        "poging": len(pogingen),
                        "resultaat": str(uitkomst.resultaat),
                        "status": uitkomst.statuscode,
                    },
                )
                if uitkomst.resultaat is Resultaat.TIJDELIJK_MISLUKT:
                    raise _Tijdelijk(uitkomst.wacht)
    except _Tijdelijk:
        # Retries spent (or the receiver asked for too long a wait): the last
        # attempt, temporary, is the answer.
        pass
    return Verzendresultaat(tuple(pogingen))
