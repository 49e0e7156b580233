"""One pupil's slots arranged per date, with the calendar questions the rules ask.

Built once per evaluation; every rule module reads from it. A date only counts when it
is a lesdag of the school (rules section 8 step 1): slots registered on a weekend,
vacation day, free day or study day are ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

from leerplicht.kalender import Periode, SchoolKalender
from leerplicht.regime import Regime, Regimetijdlijn
from leerplicht.rooster import Eenheid, Rooster
from services.analyse.domain.model import (
    AnalyseFout,
    Leerlingfeiten,
    Sector,
    Slot,
    Slotsoort,
)

# How far to look for the next or previous lesdag of a pupil; a summer vacation plus a
# few weeks of a one-day-a-week BBL timetable fit comfortably.
_MAX_ZOEKDAGEN = 120


class Leerlingdagen:
    """The slots of one pupil per date, plus regime and lesdag lookups (cached)."""

    def __init__(self, feiten: Leerlingfeiten, slots: Iterable[Slot]) -> None:
        self.feiten = feiten
        self.kalender = feiten.kalender
        self.beleid = feiten.beleid
        self.eenheid = Eenheid.KLOKUUR if feiten.sector is Sector.PO else Eenheid.LESUUR
        self.tijdlijn = Regimetijdlijn.voor(
            feiten.geboortedatum,
            feiten.kalender,
            startkwalificatie_sinds=feiten.startkwalificatie_sinds,
            einde_twaalf_schooljaren=feiten.einde_twaalf_schooljaren,
            vrijgesteld_kwalificatieplicht=feiten.vrijgesteld_kwalificatieplicht,
        )
        per_dag: dict[date, list[Slot]] = {}
        gezien: set[str] = set()
        for slot in slots:
            if slot.slot_id in gezien:
                raise AnalyseFout("twee slots met hetzelfde slot_id")
            gezien.add(slot.slot_id)
            if self.kalender.is_lesdag(slot.datum):
                per_dag.setdefault(slot.datum, []).append(slot)
        self._per_dag = {
            d: tuple(sorted(s, key=_slotvolgorde)) for d, s in per_dag.items()
        }
        self.dagen: tuple[date, ...] = tuple(sorted(self._per_dag))
        self._regime: dict[date, Regime] = {}
        self._index = lesdagindex(feiten.kalender, feiten.rooster)

    def slots_op(self, d: date) -> tuple[Slot, ...]:
        return self._per_dag.get(d, ())

    def regime(self, d: date) -> Regime:
        regime = self._regime.get(d)
        if regime is None:
            regime = self.tijdlijn.op(d)
            self._regime[d] = regime
        return regime

    def onder_lpw(self, d: date) -> bool:
        """Leerplicht or kwalificatieplicht: V3, L and LRV apply (rules section 2)."""
        return self.regime(d) in (Regime.LEERPLICHT, Regime.KWALIFICATIEPLICHT)

    def positie(self, d: date) -> int:
        return self.kalender.vensterpositie(d)

    def lesweek(self, d: date) -> int:
        """Ordinal of the lesweek of d; vakantieweken get no number (D2)."""
        return self.kalender.vensterpositie(d) // 5

    def venster(self, anker: date) -> Periode:
        return Periode(anker, self.kalender.venster_einde(anker))

    def is_lesdag(self, d: date) -> bool:
        """A lesdag of this pupil: a school lesdag with lessons in the timetable."""
        return self._index.is_lesdag(d)

    def volgende_lesdag(self, d: date) -> date | None:
        return self._index.volgende_lesdag(d)

    def vorige_lesdag(self, d: date) -> date | None:
        return self._index.vorige_lesdag(d)

    def aansluitend(self, eerder: date, later: date) -> bool:
        """No lesdag of the pupil lies strictly between the two dates."""
        volgende = self._index.volgende_lesdag(eerder)
        return volgende is None or volgende >= later

    def grenst_aan_vakantie(self, d: date) -> bool:
        """D18: the pupil's last lesdag before, or first lesdag after, a vacation."""
        return self._index.grenst_aan_vakantie(d)

    def volledig_afwezig(self, d: date) -> bool:
        """Every scheduled lesson of the day missed without valid reason (D7).

        PO counts minutes, so the missed minutes must cover the day's lesson time; VO
        and MBO need an unauthorised slot for every lesuur, or one whole-day slot.
        """
        if not self.is_lesdag(d):
            return False
        ongeoorloofd = [
            s
            for s in self.slots_op(d)
            if s.telt_ongeoorloofd and s.soort is not Slotsoort.TE_LAAT
        ]
        if not ongeoorloofd:
            return False
        if self.eenheid is Eenheid.KLOKUUR:
            gemist = sum(s.minuten for s in ongeoorloofd)
            return gemist >= self.feiten.rooster.minuten_op(d)
        if any(s.lesuur is None for s in ongeoorloofd):
            return True
        nodig = {lu.nummer for lu in self.feiten.rooster.lesuren_op(d)}
        return nodig <= {s.lesuur for s in ongeoorloofd}


class Lesdagindex:
    """Lesdag questions for one calendar and timetable, shared by all its pupils."""

    def __init__(self, kalender: SchoolKalender, rooster: Rooster) -> None:
        self._kalender = kalender
        self._rooster = rooster
        self._lesdag: dict[date, bool] = {}
        self._volgende: dict[date, date | None] = {}
        self._vorige: dict[date, date | None] = {}
        self._grens: dict[date, bool] = {}

    def is_lesdag(self, d: date) -> bool:
        antwoord = self._lesdag.get(d)
        if antwoord is None:
            antwoord = self._kalender.is_lesdag(d) and bool(self._rooster.lesuren_op(d))
            self._lesdag[d] = antwoord
        return antwoord

    def _zoek(self, d: date, stap: int) -> date | None:
        for i in range(1, _MAX_ZOEKDAGEN):
            kandidaat = d + timedelta(days=i * stap)
            if self.is_lesdag(kandidaat):
                return kandidaat
        return None

    def volgende_lesdag(self, d: date) -> date | None:
        if d not in self._volgende:
            self._volgende[d] = self._zoek(d, 1)
        return self._volgende[d]

    def vorige_lesdag(self, d: date) -> date | None:
        if d not in self._vorige:
            self._vorige[d] = self._zoek(d, -1)
        return self._vorige[d]

    def grenst_aan_vakantie(self, d: date) -> bool:
        antwoord = self._grens.get(d)
        if antwoord is None:
            antwoord = self._vakantie_tussen(
                d, self.volgende_lesdag(d)
            ) or self._vakantie_tussen(self.vorige_lesdag(d), d)
            self._grens[d] = antwoord
        return antwoord

    def _vakantie_tussen(self, van: date | None, tot: date | None) -> bool:
        if van is None or tot is None:
            return False
        d = van + timedelta(days=1)
        while d < tot:
            if self._kalender.is_vakantiedag(d):
                return True
            d += timedelta(days=1)
        return False


@lru_cache(maxsize=128)
def lesdagindex(kalender: SchoolKalender, rooster: Rooster) -> Lesdagindex:
    return Lesdagindex(kalender, rooster)


def _slotvolgorde(slot: Slot) -> tuple[int, str]:
    return (0 if slot.lesuur is None else slot.lesuur, slot.slot_id)
