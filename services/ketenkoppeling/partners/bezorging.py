"""A notification as an event-sourced record of every delivery attempt.

`maak_notificaties` turns one upstream `Gebeurtenis` into one `Notificatie` per
recipient and channel. The id is derived from the upstream event id, the recipient and
the channel: seeing the upstream event again yields the same ids (saving them again is
refused by the store), and the id is what the webhook and e-mail carry, so a retry is
the same call.

A `Bezorger` runs one delivery of an open notification (which may hold several tries,
see `verzending`) and records each try and the outcome on the aggregate. The caller
saves the aggregate afterwards. A notification that failed stays failed until a person
offers it again (`bied_opnieuw_aan`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.ketenkoppeling.partners.gebeurtenis import Gebeurtenis
from services.ketenkoppeling.partners.inhoud import Inhoud, Inhoudmaker
from services.ketenkoppeling.partners.routering import Kanaal, Rol, Routering
from services.ketenkoppeling.partners.verzending import (
    Klok,
    Poging,
    Resultaat,
    Verzender,
    Verzendopdracht,
    Verzendresultaat,
    systeemklok,
)

__all__ = [
    "Bezorger",
    "Bezorgpoging",
    "Bezorguitkomst",
    "Notificatie",
    "NotificatieFout",
    "Notificatiestatus",
    "maak_notificaties",
    "notificatie_id",
]

# Fixed namespace for uuid5 notification ids; changing it would re-send everything.
_NAMESPACE = UUID("6f1d7c0e-4b8a-5e3f-9a21-3c5d7e9f0b14")


def notificatie_id(bron_event_id: str, rol: str, kanaal: str, adres: str) -> UUID:
    return uuid5(_NAMESPACE, f"{bron_event_id}|{rol}|{kanaal}|{adres}")


class NotificatieFout(Exception):
    """A command that does not fit the notification's state."""


class Notificatiestatus(StrEnum):
    OPEN = "open"
    BEZORGD = "bezorgd"
    MISLUKT = "mislukt"


@dataclass(frozen=True)
class Bezorgpoging:
    nummer: int
    resultaat: Resultaat
    statuscode: int | None
    fout: str | None
    tijdstip: datetime


class Notificatie(Aggregate):
    @staticmethod
    def create_id(
        bron_event_id: str, rol: str, kanaal: str, adres: str, **_: Any
    ) -> UUID:
        return notificatie_id(bron_event_id, rol, kanaal, adres)

    @event("NotificatieAangemaakt")
    def __init__(
        self,
        *,
        bron_event_id: str,
        soort: str,
        rol: str,
        kanaal: str,
        adres: str,
        secret_id: str | None,
        school_id: str,
        leerling_id: str,
        onderwerp: str,
        tekst: str,
        html: str,
        gegevens: dict[str, Any],
        aangemaakt_op: datetime,
    ) -> None:
        self.bron_event_id = bron_event_id
        self.soort = soort
        self.rol = Rol(rol)
        self.kanaal = Kanaal(kanaal)
        self.adres = adres
        self.secret_id = secret_id
        self.school_id = school_id
        self.leerling_id = leerling_id
        self.onderwerp = onderwerp
        self.tekst = tekst
        self.html = html
        self.gegevens = gegevens
        self.aangemaakt_op = aangemaakt_op
        self.status = Notificatiestatus.OPEN
        self.pogingen: list[Bezorgpoging] = []
        self.reden_mislukt: str | None = None
        self.definitief_mislukt = False
        self.bezorgd_op: datetime | None = None

    @property
    def opdracht(self) -> Verzendopdracht:
        return Verzendopdracht(
            notificatie_id=self.id,
            soort=self.soort,
            rol=str(self.rol),
            adres=self.adres,
            secret_id=self.secret_id,
            onderwerp=self.onderwerp,
            tekst=self.tekst,
            html=self.html,
            gegevens=self.gegevens,
            aangemaakt_op=self.aangemaakt_op,
        )

    def verwerk(self, resultaat: Verzendresultaat, tijdstip: datetime) -> None:
        """Record the tries of one delivery and its outcome."""
        if self.status is not Notificatiestatus.OPEN:
            raise NotificatieFout(f"notificatie {self.id} is {self.status}, niet open")
        for poging in resultaat.pogingen:
            self._poging_gedaan(
                nummer=len(self.pogingen) + 1,
                resultaat=str(poging.resultaat),
                statuscode=poging.statuscode,
                fout=poging.fout,
                tijdstip=poging.tijdstip or tijdstip,
            )
        if resultaat.gelukt:
            self._bezorgd(tijdstip=tijdstip)
        else:
            laatste = resultaat.pogingen[-1]
            self._mislukt(
                reden=laatste.fout or str(laatste.resultaat),
                definitief=laatste.resultaat is Resultaat.PERMANENT_MISLUKT,
                tijdstip=tijdstip,
            )

    def bied_opnieuw_aan(self, door: str, tijdstip: datetime) -> None:
        """A person asks for another delivery; `door` is their user id, not a name."""
        if self.status is not Notificatiestatus.MISLUKT:
            raise NotificatieFout(
                f"notificatie {self.id} is {self.status}, niet mislukt"
            )
        self._opnieuw_aangeboden(door=door, tijdstip=tijdstip)

    @event("BezorgpogingGedaan")
    def _poging_gedaan(
        self,
        nummer: int,
        resultaat: str,
        statuscode: int | None,
        fout: str | None,
        tijdstip: datetime,
    ) -> None:
        poging = Bezorgpoging(nummer, Resultaat(resultaat), statuscode, fout, tijdstip)
        self.pogingen.append(poging)

    @event("NotificatieBezorgd")
    def _bezorgd(self, tijdstip: datetime) -> None:
        self.status = Notificatiestatus.BEZORGD
        self.bezorgd_op = tijdstip

    @event("NotificatieMislukt")
    def _mislukt(self, reden: str, definitief: bool, tijdstip: datetime) -> None:
        self.status = Notificatiestatus.MISLUKT
        self.reden_mislukt = reden
        self.definitief_mislukt = definitief

    @event("HandmatigOpnieuwAangeboden")
    def _opnieuw_aangeboden(self, door: str, tijdstip: datetime) -> None:
        self.status = Notificatiestatus.OPEN
        self.reden_mislukt = None
        self.definitief_mislukt = False


def maak_notificaties(
    gebeurtenis: Gebeurtenis,
    routering: Routering,
    inhoudmaker: Inhoudmaker,
    *,
    klok: Klok = systeemklok,
) -> list[Notificatie]:
    """One new notification per recipient and channel of `gebeurtenis`.

    Raises `OnbekendeSchool` or `OnbekendeGemeentecode` when it cannot be routed.
    """
    school = routering.school(gebeurtenis.school_id)
    nu = klok()
    inhoud: dict[Rol, Inhoud] = {}
    notificaties = []
    for bestemming in routering.bestemmingen(gebeurtenis):
        if bestemming.rol not in inhoud:
            inhoud[bestemming.rol] = inhoudmaker.maak(
                gebeurtenis, bestemming.rol, school
            )
        tekst = inhoud[bestemming.rol]
        notificaties.append(
            Notificatie(
                bron_event_id=gebeurtenis.id,
                soort=str(gebeurtenis.soort),
                rol=str(bestemming.rol),
                kanaal=str(bestemming.kanaal),
                adres=bestemming.adres,
                secret_id=bestemming.secret_id,
                school_id=gebeurtenis.school_id,
                leerling_id=gebeurtenis.leerling_id,
                onderwerp=tekst.onderwerp,
                tekst=tekst.tekst,
                html=tekst.html,
                gegevens=tekst.gegevens,
                aangemaakt_op=nu,
            )
        )
    return notificaties


@dataclass(frozen=True)
class Bezorguitkomst:
    notificatie_id: UUID
    status: Notificatiestatus
    # The tries of this delivery; empty when nothing was sent.
    pogingen: tuple[Poging, ...]


class Bezorger:
    """Runs one delivery of a notification through the channel it was routed to."""

    def __init__(
        self, kanalen: Mapping[Kanaal, Verzender], *, klok: Klok = systeemklok
    ) -> None:
        self._kanalen = dict(kanalen)
        self._klok = klok

    async def bezorg(self, notificatie: Notificatie) -> Bezorguitkomst:
        # Delivered or failed notifications are left alone: a redelivered trigger
        # must not send twice, and a failure waits for a person (bied_opnieuw_aan).
        if notificatie.status is not Notificatiestatus.OPEN:
            return Bezorguitkomst(notificatie.id, notificatie.status, ())

        verzender = self._kanalen.get(notificatie.kanaal)
        if verzender is None:
            fout = f"kanaal {notificatie.kanaal} is niet ingesteld"
            resultaat = Verzendresultaat(
                (Poging(Resultaat.PERMANENT_MISLUKT, fout=fout),)
            )
        else:
            resultaat = await verzender.verstuur(notificatie.opdracht)

        notificatie.verwerk(resultaat, self._klok())
        return Bezorguitkomst(notificatie.id, notificatie.status, resultaat.pogingen)
