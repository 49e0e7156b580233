"""Who hears about what, and through which channel.

Two tables, loaded from one YAML or JSON document:

- `leerplicht`: the leerplichtambtenaar's desk per gemeentecode. DUO routes a melding to
  the municipality of the pupil's address, or to the body a gemeenschappelijke regeling
  names (duo.md section 3), so one desk may serve several gemeentecodes.
- `scholen`: per school its name, the care team's channels, how parents are reached, and
  which events notify which roles (`abonnementen`).

The document's schema is in `routeringsconfig`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from services.ketenkoppeling.partners.gebeurtenis import Gebeurtenis
from services.ketenkoppeling.partners.routeringsconfig import (
    STANDAARD_ABONNEMENTEN,
    Kanaal,
    KanalenConfig,
    LeerplichtConfig,
    Rol,
    RouteringConfig,
    SchoolConfig,
    controleer_email,
)
from services.ketenkoppeling.partners.settings import PartnerSettings

__all__ = [
    "STANDAARD_ABONNEMENTEN",
    "Bestemming",
    "Kanaal",
    "LeerplichtConfig",
    "OnbekendeGemeentecode",
    "OnbekendeSchool",
    "Rol",
    "Routering",
    "RouteringConfig",
    "RouteringConfigFout",
    "RouteringFout",
    "SchoolConfig",
]

logger = logging.getLogger(__name__)


class RouteringFout(Exception):
    """A notification cannot be routed."""


class OnbekendeGemeentecode(RouteringFout, LookupError):
    """No leerplichtambtenaar is configured for a gemeentecode."""

    def __init__(self, gemeentecode: str | None) -> None:
        self.gemeentecode = gemeentecode
        if gemeentecode is None:
            uitleg = "de gebeurtenis heeft geen gemeentecode"
        else:
            uitleg = (
                f"geen leerplichtambtenaar ingesteld voor gemeentecode {gemeentecode}"
            )
        super().__init__(f"leerplichtambtenaar niet te bepalen: {uitleg}")


class OnbekendeSchool(RouteringFout, LookupError):
    """No configuration for a school."""

    def __init__(self, school_id: str) -> None:
        self.school_id = school_id
        super().__init__(f"geen notificatie-instellingen voor school {school_id}")


class RouteringConfigFout(RouteringFout, ValueError):
    """The routing document is malformed."""


@dataclass(frozen=True)
class Bestemming:
    """One recipient on one channel. `adres` is a webhook URL or an e-mail address."""

    rol: Rol
    kanaal: Kanaal
    adres: str
    secret_id: str | None = None


def _kanalen(rol: Rol, kanalen: KanalenConfig) -> list[Bestemming]:
    bestemmingen = []
    if kanalen.webhook is not None:
        hook = kanalen.webhook
        bestemmingen.append(Bestemming(rol, Kanaal.WEBHOOK, hook.url, hook.secret_id))
    if kanalen.email is not None:
        bestemmingen.append(Bestemming(rol, Kanaal.EMAIL, kanalen.email))
    return bestemmingen


class Routering:
    """The loaded routing tables; answers who receives a `Gebeurtenis` and how."""

    def __init__(self, config: RouteringConfig | None = None) -> None:
        self.config = config or RouteringConfig()
        self._per_gemeente = {
            code: lpa for lpa in self.config.leerplicht for code in lpa.gemeentecodes
        }
        self._per_school = {school.school_id: school for school in self.config.scholen}

    @classmethod
    def uit_gegevens(cls, gegevens: Mapping[str, Any]) -> Routering:
        try:
            return cls(RouteringConfig.model_validate(gegevens))
        except ValidationError as fout:
            # Without the input values: the document holds e-mail addresses.
            regels = [
                f"{'.'.join(str(d) for d in e['loc'])}: {e['msg']}"
                for e in fout.errors(include_input=False, include_url=False)
            ]
            raise RouteringConfigFout(
                "ongeldige routering: " + "; ".join(regels)
            ) from None

    @classmethod
    def uit_bestand(cls, pad: Path) -> Routering:
        """Load a `.json`, `.yaml` or `.yml` routing document."""
        tekst = pad.read_text(encoding="utf-8")
        try:
            gegevens = (
                json.loads(tekst) if pad.suffix == ".json" else yaml.safe_load(tekst)
            )
        except (json.JSONDecodeError, yaml.YAMLError) as fout:
            raise RouteringConfigFout(f"{pad.name} is geen geldige JSON/YAML") from fout
        if not isinstance(gegevens, Mapping):
            raise RouteringConfigFout(f"{pad.name} bevat geen routeringstabel")
        return cls.uit_gegevens(gegevens)

    @classmethod
    def uit_settings(cls, settings: PartnerSettings) -> Routering:
        """The file named in settings, else the inline document, else no routes."""
        if settings.routing_file is not None:
            return cls.uit_bestand(settings.routing_file)
        return cls.uit_gegevens(settings.routing or {})

    def leerplichtambtenaar(self, gemeentecode: str | None) -> LeerplichtConfig:
        if gemeentecode is None or gemeentecode not in self._per_gemeente:
            raise OnbekendeGemeentecode(gemeentecode)
        return self._per_gemeente[gemeentecode]

    def school(self, school_id: str) -> SchoolConfig:
        try:
            return self._per_school[school_id]
        except KeyError:
            raise OnbekendeSchool(school_id) from None

    def secret_ids(self) -> frozenset[str]:
        """Every secret id the routes name, to check settings at start-up."""
        hooks = [lpa.webhook for lpa in self.config.leerplicht]
        for school in self.config.scholen:
            hooks.append(school.ouders.webhook)
            hooks.append(school.zorgteam.webhook if school.zorgteam else None)
        return frozenset(hook.secret_id for hook in hooks if hook is not None)

    def bestemmingen(self, gebeurtenis: Gebeurtenis) -> list[Bestemming]:
        """Every recipient and channel for one event, in a stable order."""
        school = self.school(gebeurtenis.school_id)
        bestemmingen: list[Bestemming] = []
        for rol in school.rollen(gebeurtenis.soort):
            if rol is Rol.LEERPLICHTAMBTENAAR:
                lpa = self.leerplichtambtenaar(gebeurtenis.gemeentecode)
                bestemmingen += _kanalen(rol, lpa)
            elif rol is Rol.ZORGTEAM and school.zorgteam is not None:
                bestemmingen += _kanalen(rol, school.zorgteam)
            elif rol is Rol.OUDERS and not gebeurtenis.meerderjarig:
                bestemmingen += _ouders(school, gebeurtenis.ouder_emailadressen)
        return list(dict.fromkeys(bestemmingen))


def _ouders(school: SchoolConfig, adressen: Iterable[str]) -> list[Bestemming]:
    bestemmingen = []
    if school.ouders.webhook is not None:
        hook = school.ouders.webhook
        bestemmingen.append(
            Bestemming(Rol.OUDERS, Kanaal.WEBHOOK, hook.url, hook.secret_id)
        )
    if school.ouders.email:
        # An unusable address from the pupil's record is skipped, not fatal: the other
        # parent and the other channels still hear about it.
        ongeldig = 0
        for adres in adressen:
            try:
                email = controleer_email(adres.strip())
            except ValueError:
                ongeldig += 1
                continue
            bestemmingen.append(Bestemming(Rol.OUDERS, Kanaal.EMAIL, email))
        if ongeldig:
            logger.warning(
                "ongeldig e-mailadres van ouder overgeslagen",
                extra={
                    "school": school.school_id,
                    "count": ongeldig,
                },
            )
    return bestemmingen
