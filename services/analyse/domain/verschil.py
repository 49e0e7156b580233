"""What changed between two engine results: the basis of the aggregate's events.

A duty that disappears before submission is cancelled (D15, first bullet); a submitted
melding never disappears, it turns into a withdrawal proposal (D15, second bullet). A
duty keeps the achterstallig flag it had when it was first detected (D17): a later
evaluation date must not make an on-time duty overdue.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace

from services.analyse.domain.model import (
    Analyseresultaat,
    Intrekkingsvoorstel,
    Meldplicht,
    Signaal,
)


@dataclass(frozen=True)
class Verschil:
    vastgesteld: tuple[Meldplicht, ...] = ()
    bijgewerkt: tuple[Meldplicht, ...] = ()
    vervallen: tuple[Meldplicht, ...] = ()
    intrekking_voorgesteld: tuple[Intrekkingsvoorstel, ...] = ()
    intrekking_vervallen: tuple[str, ...] = ()
    intrekking_bijgewerkt: tuple[Intrekkingsvoorstel, ...] = ()
    signalen_afgegeven: tuple[Signaal, ...] = ()
    signalen_vervallen: tuple[str, ...] = ()
    signalen_bijgewerkt: tuple[Signaal, ...] = ()

    @property
    def leeg(self) -> bool:
        return not any(
            (
                self.vastgesteld,
                self.bijgewerkt,
                self.vervallen,
                self.intrekking_voorgesteld,
                self.intrekking_vervallen,
                self.intrekking_bijgewerkt,
                self.signalen_afgegeven,
                self.signalen_vervallen,
                self.signalen_bijgewerkt,
            )
        )


def _inhoud(m: Meldplicht) -> tuple[object, ...]:
    return (
        m.soort,
        m.begindatum,
        m.einddatum,
        m.vastgesteld_op,
        m.vervaldatum,
        m.minuten,
        m.slot_ids,
        m.venster,
        m.ingediend,
    )


def vergelijk(
    vorig: Analyseresultaat, nieuw: Analyseresultaat, beoordeeld: Collection[str] = ()
) -> Verschil:
    """Changes from `vorig` to `nieuw`; `beoordeeld` are signal keys already decided."""
    oud = {m.sleutel: m for m in vorig.meldplichten}
    nu = {m.sleutel: m for m in nieuw.meldplichten}
    oud_intrekking = {i.sleutel: i for i in vorig.intrekkingsvoorstellen}
    nu_intrekking = {i.sleutel: i for i in nieuw.intrekkingsvoorstellen}
    oud_signaal = {s.sleutel: s for s in vorig.signalen}
    nu_signaal = {s.sleutel: s for s in nieuw.signalen}

    return Verschil(
        vastgesteld=tuple(
            m for k, m in nu.items() if k not in oud and k not in oud_intrekking
        ),
        # A submitted melding whose withdrawal proposal lapses comes back as a change.
        bijgewerkt=tuple(
            m if k not in oud else replace(m, achterstallig=oud[k].achterstallig)
            for k, m in nu.items()
            if (k not in oud and k in oud_intrekking)
            or (k in oud and _inhoud(m) != _inhoud(oud[k]))
        ),
        vervallen=tuple(
            m for k, m in oud.items() if k not in nu and k not in nu_intrekking
        ),
        intrekking_voorgesteld=tuple(
            i for i in nieuw.intrekkingsvoorstellen if i.sleutel not in oud_intrekking
        ),
        intrekking_vervallen=tuple(sorted(oud_intrekking.keys() - nu_intrekking)),
        intrekking_bijgewerkt=tuple(
            i
            for k, i in nu_intrekking.items()
            if k in oud_intrekking and i != oud_intrekking[k]
        ),
        signalen_afgegeven=tuple(
            s for s in nieuw.signalen if s.sleutel not in oud_signaal
        ),
        signalen_vervallen=tuple(
            sorted(k for k in oud_signaal.keys() - nu_signaal if k not in beoordeeld)
        ),
        signalen_bijgewerkt=tuple(
            s for k, s in nu_signaal.items() if k in oud_signaal and s != oud_signaal[k]
        ),
    )
