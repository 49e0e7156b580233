"""Which fields of registratie's events are a pupil's personal data.

These are sealed with the pupil's own key (`plumbing.security.personal_fields`)
before the event is stored, so destroying that key erases them everywhere the
event is: the store, its backups, a copy. Codes, dates and counts of absence stay
readable; they are what the chain counts.

- the pupil's BSN/onderwijsnummer, date of birth and SIS number;
- the free text of an absence record (a remark may name an illness) and of a
  leave decision;
- the outgoing `LeerlingGeregistreerd` message kept in the outbox, whose date of
  birth and (already PGN-key encrypted) number would otherwise outlive the erasure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from plumbing.security.personal_fields import PersonalFields
from services.registratie.contracts_mapping import Uitgaand
from services.registratie.domain.afwezigheid import Afwezigheid
from services.registratie.domain.leerling import PERSOONLIJKE_GEGEVENS, Leerling
from services.registratie.domain.verlofaanvraag import Verlofaanvraag

__all__ = ["PERSOONSVELDEN"]


def _leerling(state: Mapping[str, Any]) -> UUID:
    return UUID(str(state["leerling_id"]))


def _bericht_over_leerling(state: Mapping[str, Any]) -> UUID | None:
    if state.get("soort") != "LeerlingGeregistreerd":
        return None
    return UUID(str(state["data"]["leerlingId"]))


_INSCHRIJVING = PersonalFields(
    _leerling, tuple(("gegevens", veld) for veld in PERSOONLIJKE_GEGEVENS)
)
_OPMERKING = PersonalFields(_leerling, (("invoer", "opmerking"),))

PERSOONSVELDEN: dict[type, PersonalFields] = {
    Leerling.Ingeschreven: _INSCHRIJVING,  # type: ignore[attr-defined]
    Leerling.Gewijzigd: _INSCHRIJVING,  # type: ignore[attr-defined]
    Afwezigheid.Geregistreerd: _OPMERKING,  # type: ignore[attr-defined]
    Afwezigheid.Gecorrigeerd: _OPMERKING,  # type: ignore[attr-defined]
    Verlofaanvraag.Besloten: PersonalFields(  # type: ignore[attr-defined]
        _leerling, (("toelichting",),)
    ),
    Uitgaand: PersonalFields(
        _bericht_over_leerling,
        (("data", "geboortedatum"), ("data", "pgn", "versleuteld")),
    ),
}
