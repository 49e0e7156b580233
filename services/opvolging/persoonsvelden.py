"""Which fields of opvolging's events are a pupil's personal data.

The free text people write in a dossier may name the pupil's family, health or
home: the titles and outcomes of actions, the reasons and explanations of
decisions, reassignments, cancellations, evaluations and the closing. Every
dossier event names its pupil, so these fields are sealed with the pupil's own
key (`plumbing.security.personal_fields`); erasing the pupil destroys it. The
dossier's statuses, duties, meldingen, dates and actors stay readable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from plumbing.security.personal_fields import PersonalFields
from services.opvolging.domain.dossier import Dossier

__all__ = ["PERSOONSVELDEN"]


def _leerling(state: Mapping[str, Any]) -> UUID:
    return UUID(str(state["leerling_id"]))


def _velden(*namen: str) -> PersonalFields:
    return PersonalFields(_leerling, tuple((naam,) for naam in namen))


_TOELICHTING = _velden("toelichting")

PERSOONSVELDEN: dict[type, PersonalFields] = {
    Dossier.ActieToegevoegd: _velden("titel"),
    Dossier.ActieHertoegewezen: _TOELICHTING,
    Dossier.ActieAfgerond: _velden("titel", "uitkomst"),
    Dossier.ActieGeannuleerd: _velden("reden"),
    Dossier.LuxeverzuimBevestigd: _TOELICHTING,
    Dossier.LuxeverzuimAfgewezen: _TOELICHTING,
    Dossier.AchterstalligeMeldingBevestigd: _TOELICHTING,
    Dossier.AchterstalligeMeldingAfgewezen: _TOELICHTING,
    Dossier.IntrekkingBevestigd: _TOELICHTING,
    Dossier.IntrekkingAfgewezen: _TOELICHTING,
    Dossier.EvaluatieVastgelegd: _TOELICHTING,
    Dossier.Afgesloten: _TOELICHTING,
}
