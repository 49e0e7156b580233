"""Which fields of the ketenkoppeling's events are a pupil's personal data.

`Leerlinggegevens` keeps what a melding needs of the pupil: the PGN (already
encrypted with the shared PGN key, which this service holds, so that alone would
not erase it), the date of birth, and the titles and outcomes of the actions
opvolging completed (free text, quoted to DUO). They are sealed with a key of
that aggregate (`plumbing.security.personal_fields`; its later events do not name
the pupil, its id follows from the pupil's). Meldingen, their statuses, dates,
codes and DUO's numbers stay readable, and so do notifications, which hold ids,
dates and the routed addresses, no pupil data.
"""

from __future__ import annotations

from plumbing.security.personal_fields import PersonalFields, aggregate_owner
from services.ketenkoppeling.domain.gegevens import Leerlinggegevens

__all__ = ["PERSOONSVELDEN"]

PERSOONSVELDEN: dict[type, PersonalFields] = {
    Leerlinggegevens.Geregistreerd: PersonalFields(  # type: ignore[attr-defined]
        aggregate_owner,
        (("gegevens", "geboortedatum"), ("gegevens", "pgn", "versleuteld")),
    ),
    Leerlinggegevens.ActieAfgerond: PersonalFields(  # type: ignore[attr-defined]
        aggregate_owner, (("titel",), ("uitkomst",))
    ),
}
