"""The routing document's schema, validated with pydantic.

Webhook secrets are never in this document: a route names a `secret_id`, the secret
itself comes from settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Self
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from services.ketenkoppeling.partners.gebeurtenis import (
    NotificatieSoort,
    controleer_gemeentecode,
)

__all__ = [
    "STANDAARD_ABONNEMENTEN",
    "KanalenConfig",
    "Kanaal",
    "LeerplichtConfig",
    "OudersConfig",
    "Rol",
    "RouteringConfig",
    "SchoolConfig",
    "WebhookConfig",
    "controleer_email",
]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_BRIN = re.compile(r"\d{2}[A-Z]{2}")
_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


class Rol(StrEnum):
    """Recipient roles outside the school's own application (process.md, RASCI I)."""

    LEERPLICHTAMBTENAAR = "leerplichtambtenaar"
    OUDERS = "ouders"
    ZORGTEAM = "zorgteam"


class Kanaal(StrEnum):
    WEBHOOK = "webhook"
    EMAIL = "email"


# Defaults follow the I column of the RASCI matrix (process.md); a school overrides
# per event kind. Melding sent or withdrawn (D15): row "rapporteren aan
# leerplichtambtenaar", the LPA being its addressee. Luxeverzuim confirmed (D18):
# "analyseren verzuim", ouders I. MAZL signal (D19): "signaleren verzuim",
# zorgcoördinator I. Dossier closed: "informeren betrokkenen", LPA I.
STANDAARD_ABONNEMENTEN: Mapping[NotificatieSoort, tuple[Rol, ...]] = {
    NotificatieSoort.MELDING_VERZONDEN: (
        Rol.LEERPLICHTAMBTENAAR,
        Rol.OUDERS,
        Rol.ZORGTEAM,
    ),
    NotificatieSoort.MELDING_INGETROKKEN: (
        Rol.LEERPLICHTAMBTENAAR,
        Rol.OUDERS,
        Rol.ZORGTEAM,
    ),
    NotificatieSoort.LUXEVERZUIM_BEVESTIGD: (Rol.OUDERS,),
    NotificatieSoort.MAZL_SIGNAAL: (Rol.ZORGTEAM,),
    NotificatieSoort.DOSSIER_GESLOTEN: (Rol.LEERPLICHTAMBTENAAR, Rol.ZORGTEAM),
}


def controleer_email(adres: str) -> str:
    if not _EMAIL.fullmatch(adres):
        raise ValueError("geen geldig e-mailadres")
    return adres.strip().lower()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WebhookConfig(_Model):
    url: str
    secret_id: str

    @field_validator("url")
    @classmethod
    def _alleen_https(cls, url: str) -> str:
        # Signed or not, the body carries personal data: only TLS leaves the machine.
        delen = urlsplit(url)
        if delen.scheme == "https" and delen.hostname:
            return url
        if delen.scheme == "http" and delen.hostname in _LOOPBACK:
            return url
        raise ValueError(
            "een webhook-URL moet https gebruiken (http alleen op loopback)"
        )


class KanalenConfig(_Model):
    webhook: WebhookConfig | None = None
    email: str | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, adres: str | None) -> str | None:
        return None if adres is None else controleer_email(adres)

    @model_validator(mode="after")
    def _minstens_een_kanaal(self) -> Self:
        if self.webhook is None and self.email is None:
            raise ValueError("noem een webhook, een e-mailadres of beide")
        return self


class LeerplichtConfig(KanalenConfig):
    """One leerplicht desk: a municipality or a regional bureau serving several."""

    naam: str
    gemeentecodes: tuple[str, ...]

    @field_validator("gemeentecodes")
    @classmethod
    def _codes(cls, codes: tuple[str, ...]) -> tuple[str, ...]:
        if not codes:
            raise ValueError("noem minstens één gemeentecode")
        return tuple(controleer_gemeentecode(code) for code in codes)


class OudersConfig(_Model):
    """Parents get e-mail at the addresses the pupil's record carries, and/or a webhook
    to the school's parent portal."""

    email: bool = True
    webhook: WebhookConfig | None = None


class SchoolConfig(_Model):
    school_id: str
    naam: str
    brin: str | None = None
    zorgteam: KanalenConfig | None = None
    ouders: OudersConfig = OudersConfig()
    abonnementen: dict[NotificatieSoort, tuple[Rol, ...]] = {}

    @field_validator("brin")
    @classmethod
    def _brin(cls, brin: str | None) -> str | None:
        if brin is not None and not _BRIN.fullmatch(brin):
            raise ValueError("een BRIN is twee cijfers en twee hoofdletters")
        return brin

    def rollen(self, soort: NotificatieSoort) -> tuple[Rol, ...]:
        return self.abonnementen.get(soort, STANDAARD_ABONNEMENTEN[soort])


class RouteringConfig(_Model):
    leerplicht: tuple[LeerplichtConfig, ...] = ()
    scholen: tuple[SchoolConfig, ...] = ()

    @model_validator(mode="after")
    def _uniek(self) -> Self:
        _geen_dubbele(
            (c for lpa in self.leerplicht for c in lpa.gemeentecodes), "gemeentecode"
        )
        _geen_dubbele((school.school_id for school in self.scholen), "school_id")
        return self


def _geen_dubbele(waarden: Iterable[str], naam: str) -> None:
    gezien: set[str] = set()
    for waarde in waarden:
        if waarde in gezien:
            raise ValueError(f"{naam} {waarde} staat meer dan eens in de routering")
        gezien.add(waarde)
