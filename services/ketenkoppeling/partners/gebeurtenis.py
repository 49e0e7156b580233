"""What a partner notification is about: the kind of event and its facts.

A `Gebeurtenis` is built by the ketenkoppeling service from an upstream event. It
holds every fact any recipient could need; `inhoud` picks per recipient role the few
facts that role may see. It has no field for a BSN, an onderwijsnummer or free text, so
neither can reach a notification by accident.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from uuid import UUID

__all__ = [
    "Gebeurtenis",
    "GebeurtenisFout",
    "Meldingsoort",
    "NotificatieSoort",
    "controleer_gemeentecode",
]

_GEMEENTECODE = re.compile(r"\d{4}")


class GebeurtenisFout(ValueError):
    """A notification source that cannot be valid."""


class NotificatieSoort(StrEnum):
    """The events that can notify partners (process.md: notifications go to I roles)."""

    MELDING_VERZONDEN = "melding_verzonden"
    MELDING_INGETROKKEN = "melding_ingetrokken"
    LUXEVERZUIM_BEVESTIGD = "luxeverzuim_bevestigd"
    MAZL_SIGNAAL = "mazl_signaal"
    DOSSIER_GESLOTEN = "dossier_gesloten"


class Meldingsoort(StrEnum):
    """The product's own melding kinds; DUO's code list stays in its adapter (D21)."""

    ZESTIEN_UUR = "zestien_uur"
    LANGDURIG_RELATIEF_VERZUIM = "langdurig_relatief_verzuim"
    LUXEVERZUIM = "luxeverzuim"
    RMC = "rmc"
    OVERIG = "overig"

    @property
    def omschrijving(self) -> str:
        return _OMSCHRIJVINGEN[self]

    @classmethod
    def uit_verzuimsoort(cls, code: str) -> Meldingsoort:
        """The kind for a contract `Verzuimsoort` code, which is never shown."""
        try:
            return _PER_VERZUIMSOORT[code]
        except KeyError:
            raise GebeurtenisFout(f"onbekende verzuimsoort {code!r}") from None


_OMSCHRIJVINGEN: dict[Meldingsoort, str] = {
    Meldingsoort.ZESTIEN_UUR: "16 uur ongeoorloofd verzuim binnen 4 lesweken",
    Meldingsoort.LANGDURIG_RELATIEF_VERZUIM: "langdurig relatief verzuim",
    Meldingsoort.LUXEVERZUIM: "luxeverzuim",
    Meldingsoort.RMC: "verzuim 18+ zonder startkwalificatie",
    Meldingsoort.OVERIG: "overig verzuim (signaal)",
}


# contracts.common.Verzuimsoort; V4 is the optional 18+ variant of 16 uur (D6).
_PER_VERZUIMSOORT: dict[str, Meldingsoort] = {
    "V3": Meldingsoort.ZESTIEN_UUR,
    "V4": Meldingsoort.ZESTIEN_UUR,
    "LRV": Meldingsoort.LANGDURIG_RELATIEF_VERZUIM,
    "L": Meldingsoort.LUXEVERZUIM,
    "RMC": Meldingsoort.RMC,
    "O": Meldingsoort.OVERIG,
}


def controleer_gemeentecode(gemeentecode: str) -> str:
    """Return the code if it is a four-digit CBS gemeentecode (duo.md section 3)."""
    if not _GEMEENTECODE.fullmatch(gemeentecode):
        raise GebeurtenisFout(
            f"gemeentecode {gemeentecode!r} is geen CBS-code van vier cijfers"
        )
    return gemeentecode


@dataclass(frozen=True, kw_only=True)
class Gebeurtenis:
    """One upstream event that may notify partners.

    `id` is the upstream event's id; notification ids derive from it, so seeing the
    event again yields the same notifications. `gemeentecode` is the municipality of the
    pupil's address (duo.md section 3) and routes to the leerplichtambtenaar.
    `leerling_roepnaam` is shown to parents only; `duo_meldingsnummer` to the
    leerplichtambtenaar only. Parents of a pupil who is `meerderjarig` are not notified:
    an adult pupil's absence is not theirs to hear about without the pupil's consent
    (AVG). Dates are Europe/Amsterdam calendar dates.
    """

    id: str
    soort: NotificatieSoort
    school_id: str
    leerling_id: str
    datum: date
    gemeentecode: str | None = None
    meldingsoort: Meldingsoort | None = None
    begindatum: date | None = None
    einddatum: date | None = None
    duo_meldingsnummer: str | None = None
    leerling_roepnaam: str | None = None
    ouder_emailadressen: tuple[str, ...] = ()
    meerderjarig: bool = False

    def __post_init__(self) -> None:
        if not self.id:
            raise GebeurtenisFout("een gebeurtenis zonder id kan niet worden gevolgd")
        # Only the internal id leaves the school: never a BSN or SIS number instead.
        try:
            UUID(self.leerling_id)
        except ValueError:
            raise GebeurtenisFout("leerling_id is geen intern UUID") from None
        if self.gemeentecode is not None:
            controleer_gemeentecode(self.gemeentecode)
        if self.begindatum and self.einddatum and self.einddatum < self.begindatum:
            raise GebeurtenisFout("einddatum ligt voor begindatum")
