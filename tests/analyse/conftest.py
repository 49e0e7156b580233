"""Builders for analyse engine tests: a pupil on the TC-2526 calendar and its slots."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date

import pytest

from leerplicht.fixtures import MBO_BBL_ROOSTER, PO_ROOSTER, TC_2526, VO_ROOSTER
from services.analyse.domain.engine import evalueer
from services.analyse.domain.model import (
    Analyseresultaat,
    Beleid,
    IngediendeMelding,
    Leerlingfeiten,
    Sector,
    Slot,
    Slotsoort,
    Slotstatus,
)

_ROOSTERS = {Sector.PO: PO_ROOSTER, Sector.VO: VO_ROOSTER, Sector.MBO: MBO_BBL_ROOSTER}


def d(tekst: str) -> date:
    return date.fromisoformat(tekst)


class Leerling:
    """A made-up pupil; slots are keyed by id, so re-adding one replaces it (D14)."""

    def __init__(
        self,
        sector: Sector,
        geboortedatum: str,
        beleid: Beleid | None = None,
        startkwalificatie_sinds: str | None = None,
    ) -> None:
        self.feiten = Leerlingfeiten(
            geboortedatum=d(geboortedatum),
            sector=sector,
            kalender=TC_2526,
            rooster=_ROOSTERS[sector],
            beleid=beleid or Beleid(),
            startkwalificatie_sinds=(
                d(startkwalificatie_sinds) if startkwalificatie_sinds else None
            ),
        )
        self.slots: dict[str, Slot] = {}

    def voeg_toe(self, slot: Slot) -> Slot:
        self.slots[slot.slot_id] = slot
        return slot

    def lesuren_afwezig(
        self,
        datum: str,
        lesuren: Iterable[int] = range(1, 8),
        status: Slotstatus = Slotstatus.ONGEOORLOOFD,
        luxe: bool = False,
        ziek: bool = False,
    ) -> None:
        """VO/MBO: every fully missed lesuur of <= 60 minutes counts 60 (D3)."""
        for lesuur in lesuren:
            self.voeg_toe(
                Slot(
                    f"{datum}/{lesuur}",
                    d(datum),
                    lesuur,
                    status,
                    60,
                    luxe=luxe,
                    ziek=ziek,
                )
            )

    def klokminuten_afwezig(
        self,
        datum: str,
        minuten: int = 300,
        status: Slotstatus = Slotstatus.ONGEOORLOOFD,
        luxe: bool = False,
        ziek: bool = False,
    ) -> None:
        """PO: the missed minutes count (D3); 300 minutes is the whole day."""
        self.voeg_toe(
            Slot(f"{datum}/po", d(datum), None, status, minuten, luxe=luxe, ziek=ziek)
        )

    def ziek(self, datum: str) -> None:
        if self.feiten.sector is Sector.PO:
            self.klokminuten_afwezig(datum, status=Slotstatus.GEOORLOOFD, ziek=True)
        else:
            self.lesuren_afwezig(datum, status=Slotstatus.GEOORLOOFD, ziek=True)

    def te_laat(self, datum: str, minuten: int = 10) -> None:
        telwaarde = minuten if self.feiten.sector is Sector.PO else 0
        self.voeg_toe(
            Slot(
                f"{datum}/laat",
                d(datum),
                1,
                Slotstatus.ONGEOORLOOFD,
                telwaarde,
                soort=Slotsoort.TE_LAAT,
            )
        )

    def evalueer(
        self,
        vandaag: str,
        ingediend: Iterable[IngediendeMelding] = (),
        besluiten: Mapping[str, bool] | None = None,
    ) -> Analyseresultaat:
        return evalueer(
            self.feiten,
            self.slots.values(),
            ingediend,
            besluiten,
            vandaag=d(vandaag),
        )


@pytest.fixture
def leerling() -> Callable[..., Leerling]:
    return Leerling
