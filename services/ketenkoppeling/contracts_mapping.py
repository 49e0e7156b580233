"""Which stored events the ketenkoppeling publishes, and as what.

- every status change of a verzuimmelding → `VerzuimmeldingStatusGewijzigd` (the local
  state `intrekkingTeVersturen` has no contract value and is not published);
- a missed due date (D4) → `MeldingTermijnOverschreden`;
- the outcome of a partner notification → `NotificatieBezorgd`.

Each of these events carries the identity the contract needs, so no aggregate is
loaded here. Everything else (attempts, pupil and school details) stays internal.
"""

from __future__ import annotations

from typing import Any, get_args

from contracts.envelope import ContractEvent
from contracts.ketenkoppeling import (
    MeldingStatus,
    MeldingTermijnOverschreden,
    NotificatieBezorgd,
    VerzuimmeldingStatusGewijzigd,
)
from services.ketenkoppeling.domain.aanleiding import Aanleiding
from services.ketenkoppeling.domain.meldingstoestand import Meldingstoestand

__all__ = ["to_contract"]

_GEPUBLICEERDE_STATUSSEN = frozenset(get_args(MeldingStatus))
_STATUSWIJZIGINGEN = (
    Meldingstoestand.Aangemaakt,
    Meldingstoestand.Geregistreerd,
    Meldingstoestand.StatusGewijzigd,
)


def to_contract(gebeurtenis: Any) -> ContractEvent | None:
    if isinstance(gebeurtenis, _STATUSWIJZIGINGEN):
        if gebeurtenis.status not in _GEPUBLICEERDE_STATUSSEN:
            return None
        return VerzuimmeldingStatusGewijzigd(
            melding_id=gebeurtenis.originator_id,
            meldplicht_id=gebeurtenis.meldplicht_id,
            leerling_id=gebeurtenis.leerling_id,
            school_id=gebeurtenis.school_id,
            verzuimsoort=gebeurtenis.verzuimsoort,
            status=gebeurtenis.status,
            meldingsnummer=getattr(gebeurtenis, "meldingsnummer", None),
            reden=getattr(gebeurtenis, "reden", None),
            begindatum=getattr(gebeurtenis, "begindatum_verzonden", None),
            einddatum=getattr(gebeurtenis, "einddatum_verzonden", None),
        )
    if isinstance(gebeurtenis, Meldingstoestand.TermijnOverschreden):
        return MeldingTermijnOverschreden(
            melding_id=gebeurtenis.originator_id,
            meldplicht_id=gebeurtenis.meldplicht_id,
            leerling_id=gebeurtenis.leerling_id,
            school_id=gebeurtenis.school_id,
            vervaldatum=gebeurtenis.vervaldatum,
        )
    if isinstance(gebeurtenis, Aanleiding.BezorgingAfgehandeld):
        return NotificatieBezorgd(
            notificatie_id=gebeurtenis.notificatie_id,
            leerling_id=gebeurtenis.leerling_id,
            school_id=gebeurtenis.school_id,
            ontvanger=gebeurtenis.rol,
            kanaal=gebeurtenis.kanaal,
            status=gebeurtenis.status,
        )
    return None
