"""Which fields of analyse's events are a pupil's personal data.

Analyse gets the date of birth with the registration (the regime: leerplicht,
kwalificatieplicht, D16) and keeps decisions that arrive before their pupil
(their free text). Both are sealed with a key of the aggregate that holds them
(`plumbing.security.personal_fields`): these aggregates' later events do not name
the pupil, and both ids follow from the pupil's id, so erasing a pupil destroys
the keys of `sleutels_van`. Slots, duties, signals and their statuses stay
readable: they are what analyse counts.
"""

from __future__ import annotations

from uuid import UUID

from plumbing.security.personal_fields import PersonalFields, aggregate_owner
from services.analyse.domain.aggregate import Leerlingbeeld
from services.analyse.leerling import Leerling

__all__ = ["PERSOONSVELDEN", "sleutels_van"]

PERSOONSVELDEN: dict[type, PersonalFields] = {
    Leerling.Geregistreerd: PersonalFields(  # type: ignore[attr-defined]
        aggregate_owner, (("gegevens", "geboortedatum"),)
    ),
    Leerling.BerichtGeparkeerd: PersonalFields(  # type: ignore[attr-defined]
        aggregate_owner, (("inhoud", "toelichting"),)
    ),
    Leerlingbeeld.Aangemaakt: PersonalFields(  # type: ignore[attr-defined]
        aggregate_owner, (("geboortedatum",),)
    ),
}


def sleutels_van(leerling_id: str) -> list[UUID]:
    """The keys that seal this pupil's personal data in analyse."""
    return [Leerling.create_id(leerling_id), Leerlingbeeld.create_id(leerling_id)]
