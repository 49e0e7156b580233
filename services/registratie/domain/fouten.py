"""Domain errors of registratie.

Small classes, each naming the field it is about, so the HTTP layer can map them to
problem+json in one place. Messages never contain personal data (no BSN, names or
remarks); they may contain dates, lesson numbers and codes.
"""

from __future__ import annotations

__all__ = [
    "DatumBuitenBereik",
    "LeerlingGewist",
    "LesuurBuitenRooster",
    "NietGevonden",
    "OngeldigeInvoer",
    "OnbekendeRedenCode",
    "PgnInGebruik",
    "RegistratieFout",
    "TeLaatBuitenLesuur",
    "TotVoorVan",
    "ValidatieFout",
    "VerlofFout",
]


class RegistratieFout(Exception):
    """Base class of every registratie domain error."""


class ValidatieFout(RegistratieFout, ValueError):
    """Input that cannot be accepted; `veld` is the camelCase name of the field."""

    def __init__(self, veld: str, reden: str) -> None:
        self.veld = veld
        self.reden = reden
        super().__init__(f"{veld}: {reden}")


class OngeldigeInvoer(ValidatieFout):
    """A malformed or missing value."""


class TotVoorVan(ValidatieFout):
    """An end (time or lesson) before the start."""


class LesuurBuitenRooster(ValidatieFout):
    """A lesson number or time span that the timetable of that day does not have."""


class TeLaatBuitenLesuur(ValidatieFout):
    """Late or missed minutes that do not fit inside the lesson(s): lateness never
    runs past the lessons it names."""


class DatumBuitenBereik(ValidatieFout):
    """A date too far in the past or future, or a span that is too long."""


class OnbekendeRedenCode(ValidatieFout):
    """A reason code the school has not configured in its mapping."""


class NietGevonden(RegistratieFout, LookupError):
    """A school, pupil or other resource that does not exist."""

    def __init__(self, soort: str, sleutel: str) -> None:
        self.soort = soort
        self.sleutel = sleutel
        super().__init__(f"{soort} {sleutel} bestaat niet")


class VerlofFout(RegistratieFout):
    """A leave decision that the law does not allow (e.g. granting above 10 days)."""

    def __init__(self, code: str, reden: str) -> None:
        self.code = code
        self.reden = reden
        super().__init__(f"{code}: {reden}")


class LeerlingGewist(RegistratieFout):
    """The pupil's personal data was erased: nothing new is recorded about them."""

    def __init__(self, leerling_id: str) -> None:
        self.leerling_id = leerling_id
        super().__init__(
            f"de persoonsgegevens van leerling {leerling_id} zijn gewist; er wordt "
            "niets meer over deze leerling vastgelegd"
        )


class PgnInGebruik(RegistratieFout):
    """Another pupil of the same school holds this BSN/onderwijsnummer: two
    registrations of one person, or a typing error. Names the holder, never the
    number."""

    def __init__(self, houder: str) -> None:
        self.houder = houder
        super().__init__(
            f"dit pgn staat bij deze school al op leerling {houder}; wijzig of "
            "schrijf die leerling eerst uit"
        )
