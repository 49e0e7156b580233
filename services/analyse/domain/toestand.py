"""The state of `Leerlingbeeld` and the events that change it.

Split from the commands in `aggregate.py`: this module holds only what replay needs,
the event classes and the bodies that apply them. Every event carries `leerling_id`;
payloads are plain data (`serialisatie`).
"""

from __future__ import annotations

from copy import copy
from dataclasses import replace
from datetime import date
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from services.analyse.domain import serialisatie as data
from services.analyse.domain.maatregelen import (
    aanleiding_intrekking,
    aanleiding_meldplicht,
)
from services.analyse.domain.model import (
    Analyseresultaat,
    IngediendeMelding,
    Intrekkingsvoorstel,
    Meldplicht,
    Sector,
    Signaal,
    Slot,
)

_NAMESPACE = UUID("6f1d3c52-8d0b-4a51-9b7e-2f4c1e0a7d93")


def _datum_of_geen(waarde: str) -> date | None:
    try:
        return date.fromisoformat(waarde)
    except ValueError:
        return None


class LeerlingbeeldToestand(Aggregate):
    """One pupil's slots, submitted meldingen, decisions and last engine result."""

    @staticmethod
    def create_id(leerling_id: str) -> UUID:
        return uuid5(_NAMESPACE, f"leerlingbeeld/{leerling_id}")

    @event("Aangemaakt")
    def __init__(
        self,
        leerling_id: str,
        geboortedatum: str,
        sector: str,
        startkwalificatie_sinds: str | None = None,
        einde_twaalf_schooljaren: str | None = None,
        vrijgesteld_kwalificatieplicht: bool = False,
    ) -> None:
        self.leerling_id = leerling_id
        # None once the pupil's personal data was erased: the sealed date of birth
        # then reads as a marker, and the picture is frozen (`gewist`).
        self.geboortedatum: date | None = _datum_of_geen(geboortedatum)
        self.sector = Sector(sector)
        self.gewist_op: date | None = None
        self.sommen_bij_wissen: dict[str, Any] | None = None
        self._zet_feiten(
            startkwalificatie_sinds,
            einde_twaalf_schooljaren,
            vrijgesteld_kwalificatieplicht,
        )
        self._slots: dict[str, Slot] = {}
        self._meldplichten: dict[str, Meldplicht] = {}
        # Cancelled before analyse heard it was submitted: DUO may still confirm it.
        self._vervallen: dict[str, Meldplicht] = {}
        self._intrekkingen: dict[str, Intrekkingsvoorstel] = {}
        self._signalen: dict[str, Signaal] = {}
        self._ingediend: dict[str, IngediendeMelding] = {}
        self._besluiten: dict[str, bool] = {}
        self._tellers: dict[str, int] = {}

    def __deepcopy__(self, memo: dict[int, object]) -> LeerlingbeeldToestand:
        """A copy for a command: the containers are new, the values in them are
        immutable (frozen dataclasses, dates, strings) and shared."""
        kopie = object.__new__(type(self))
        for naam, waarde in self.__dict__.items():
            if isinstance(waarde, dict | list | set):
                waarde = copy(waarde)
            kopie.__dict__[naam] = waarde
        return kopie

    # --- queries ---------------------------------------------------------------

    @property
    def gewist(self) -> bool:
        """Erased: the fact is stored, or the sealed date of birth is gone."""
        return self.gewist_op is not None or self.geboortedatum is None

    @property
    def slots(self) -> tuple[Slot, ...]:
        return tuple(self._slots.values())

    @property
    def ingediend(self) -> tuple[IngediendeMelding, ...]:
        return tuple(self._ingediend.values())

    @property
    def vervallen(self) -> tuple[Meldplicht, ...]:
        return tuple(self._vervallen.values())

    @property
    def resultaat(self) -> Analyseresultaat:
        return Analyseresultaat.samenstellen(
            self._meldplichten.values(),
            self._intrekkingen.values(),
            self._signalen.values(),
        )

    def _zet_feiten(
        self,
        startkwalificatie_sinds: str | None,
        einde_twaalf_schooljaren: str | None,
        vrijgesteld_kwalificatieplicht: bool,
    ) -> None:
        self.startkwalificatie_sinds = data.datum_uit(startkwalificatie_sinds)
        self.einde_twaalf_schooljaren = data.datum_uit(einde_twaalf_schooljaren)
        self.vrijgesteld_kwalificatieplicht = vrijgesteld_kwalificatieplicht

    @event("PersoonsgegevensGewist")
    def _persoonsgegevens_gewist(
        self, leerling_id: str, op: str, sommen: dict[str, Any] | None
    ) -> None:
        # AVG art. 17 / 5(1)(e): the date of birth goes; slots, duties, signals and
        # the window sums at this moment stay, and nothing is evaluated again.
        self.geboortedatum = None
        self.gewist_op = date.fromisoformat(op)
        self.sommen_bij_wissen = sommen

    @event("LeerlingfeitenGewijzigd")
    def _feiten_gewijzigd(
        self,
        leerling_id: str,
        startkwalificatie_sinds: str | None,
        einde_twaalf_schooljaren: str | None,
        vrijgesteld_kwalificatieplicht: bool,
    ) -> None:
        self._zet_feiten(
            startkwalificatie_sinds,
            einde_twaalf_schooljaren,
            vrijgesteld_kwalificatieplicht,
        )

    @event("SlotsBijgewerkt")
    def _slots_bijgewerkt(
        self, leerling_id: str, gewijzigd: list[dict[str, Any]], verwijderd: list[str]
    ) -> None:
        for slot in map(data.slot_uit, gewijzigd):
            self._slots[slot.slot_id] = slot
        for slot_id in verwijderd:
            self._slots.pop(slot_id, None)

    @event("MeldplichtVastgesteld")
    def _meldplicht_vastgesteld(
        self, leerling_id: str, meldplicht: dict[str, Any]
    ) -> None:
        m = data.meldplicht_uit(meldplicht)
        self._meldplichten[m.sleutel] = m
        self._vervallen.pop(m.sleutel, None)
        aanleiding = aanleiding_meldplicht(m.soort)
        self._tellers[aanleiding] = self._tellers.get(aanleiding, 0) + 1

    @event("MeldplichtBijgewerkt")
    def _meldplicht_bijgewerkt(
        self, leerling_id: str, meldplicht: dict[str, Any]
    ) -> None:
        m = data.meldplicht_uit(meldplicht)
        self._meldplichten[m.sleutel] = m

    @event("MeldplichtVervallen")
    def _meldplicht_vervallen(
        self, leerling_id: str, sleutel: str, toelichting: str
    ) -> None:
        m = self._meldplichten.pop(sleutel, None)
        if m is not None:
            self._vervallen[sleutel] = m

    @event("MeldingIngediend")
    def _melding_ingediend(
        self,
        leerling_id: str,
        sleutel: str,
        soort: str,
        begindatum: str,
        einddatum: str | None,
    ) -> None:
        m = self._meldplichten.get(sleutel) or self._vervallen.pop(sleutel)
        self._meldplichten[sleutel] = replace(m, ingediend=True, achterstallig=False)
        self._ingediend[sleutel] = IngediendeMelding(
            sleutel, m.soort, date.fromisoformat(begindatum), data.datum_uit(einddatum)
        )

    @event("IntrekkingVoorgesteld")
    def _intrekking_voorgesteld(
        self, leerling_id: str, voorstel: dict[str, Any]
    ) -> None:
        i = data.intrekking_uit(voorstel)
        self._meldplichten.pop(i.sleutel, None)
        self._intrekkingen[i.sleutel] = i
        aanleiding = aanleiding_intrekking()
        self._tellers[aanleiding] = self._tellers.get(aanleiding, 0) + 1

    @event("IntrekkingsvoorstelBijgewerkt")
    def _intrekkingsvoorstel_bijgewerkt(
        self, leerling_id: str, voorstel: dict[str, Any]
    ) -> None:
        i = data.intrekking_uit(voorstel)
        self._intrekkingen[i.sleutel] = i

    @event("IntrekkingsvoorstelVervallen")
    def _intrekkingsvoorstel_vervallen(self, leerling_id: str, sleutel: str) -> None:
        self._intrekkingen.pop(sleutel, None)

    @event("MeldingIngetrokken")
    def _melding_ingetrokken(self, leerling_id: str, sleutel: str) -> None:
        self._intrekkingen.pop(sleutel, None)
        self._ingediend.pop(sleutel, None)

    @event("SignaalAfgegeven")
    def _signaal_afgegeven(self, leerling_id: str, signaal: dict[str, Any]) -> None:
        s = data.signaal_uit(signaal)
        self._signalen[s.sleutel] = s
        self._tellers[s.soort.value] = self._tellers.get(s.soort.value, 0) + 1

    @event("SignaalBijgewerkt")
    def _signaal_bijgewerkt(self, leerling_id: str, signaal: dict[str, Any]) -> None:
        s = data.signaal_uit(signaal)
        self._signalen[s.sleutel] = s

    @event("SignaalVervallen")
    def _signaal_vervallen(self, leerling_id: str, sleutel: str) -> None:
        self._signalen.pop(sleutel, None)

    @event("SignaalBeoordeeld")
    def _signaal_beoordeeld(
        self, leerling_id: str, sleutel: str, bevestigd: bool
    ) -> None:
        self._besluiten[sleutel] = bevestigd
        self._signalen.pop(sleutel, None)

    @event("MaatregelVoorgesteld")
    def _maatregel_voorgesteld(
        self,
        leerling_id: str,
        aanleiding: str,
        sleutel: str,
        volgnummer: int,
        maatregel: dict[str, Any],
    ) -> None:
        """The proposal is for opvolging; the picture itself keeps no state for it."""
