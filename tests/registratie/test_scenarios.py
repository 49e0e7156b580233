"""Scenarios of scenarios.md on the application layer (registration side), TC-2526."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID

import pytest

from services.registratie.application import Registratie
from services.registratie.domain.afmelding import AfmeldingSoort
from services.registratie.domain.classificatie import Grond, NietGeteld, Status
from services.registratie.domain.fouten import VerlofFout
from services.registratie.domain.signalen import SignaalSoort
from services.registratie.domain.tijd import AMSTERDAM
from services.registratie.domain.verlof import Beslisser, Reden, Uitkomst, VerlofSoort
from services.registratie.modellen import (
    AfmeldingInvoer,
    BesluitInvoer,
    VerlofaanvraagInvoer,
)
from tests.registratie.conftest import Klok


def _dagen(van: date, tot: date) -> list[date]:
    return [
        van + timedelta(days=i)
        for i in range((tot - van).days + 1)
        if (van + timedelta(days=i)).weekday() < 5
    ]


def _afwezig(app: Registratie, leerling: UUID, d: date, **extra: Any) -> None:
    app.registreer_afwezigheid(
        {
            "bronId": f"{leerling.hex[:8]}-{d}",
            "bron": "las",
            "leerlingId": str(leerling),
            "datum": d.isoformat(),
            **extra,
        }
    )


def _aanvraag(
    app: Registratie,
    leerling: UUID,
    van: date,
    tot: date,
    ingediend: date,
    **extra: Any,
) -> Any:
    return app.dien_verlofaanvraag_in(
        VerlofaanvraagInvoer(
            leerling_id=leerling,
            soort=extra.pop("soort", VerlofSoort.VAKANTIEVERLOF),
            van=van,
            tot=tot,
            ingediend_op=ingediend,
            **extra,
        )
    )


def _hoofd(uitkomst: Uitkomst, **extra: Any) -> BesluitInvoer:
    return BesluitInvoer(
        uitkomst=uitkomst,
        door="directeur (testschool)",
        toelichting="besluit na gesprek",
        **extra,
    )


def test_s06_luxeverzuim_na_afgewezen_verlof(
    app: Registratie, po_school: UUID, nieuwe_leerling: Callable[..., UUID], klok: Klok
) -> None:
    leerling = nieuwe_leerling(po_school, date(2018, 6, 1))
    klok.zet(date(2026, 1, 12))

    aanvraag = _aanvraag(
        app, leerling, date(2026, 2, 9), date(2026, 2, 13), date(2026, 1, 12)
    )

    assert (aanvraag.uitkomst, aanvraag.reden, aanvraag.beslisser) == (
        Uitkomst.DENIED,
        Reden.NO_LEGAL_GROUND,
        Beslisser.HEAD,
    )
    assert aanvraag.vlaggen == [
        "LATE_REQUEST"
    ]  # 4 weeks ahead; never a denial by itself

    besluit = app.besluit_verlof(
        aanvraag.aanvraag_id, _hoofd(Uitkomst.DENIED, reden=Reden.NO_LEGAL_GROUND)
    )

    assert besluit.besloten_door == "directeur (testschool)"
    assert besluit.toelichting == "besluit na gesprek"

    for d in _dagen(date(2026, 2, 9), date(2026, 2, 13)):
        klok.zet(d, time(15))
        _afwezig(app, leerling, d, redenCode="V")

    dagen = app.verzuimdagen(leerling, date(2026, 2, 9), date(2026, 2, 13))
    slots = [s for d in dagen for s in d.slots]
    assert {(s.status, s.luxe, s.grond) for s in slots} == {
        (Status.ONGEOORLOOFD, True, None)
    }
    assert sum(s.telwaarde for s in slots) == 25 * 60
    assert (
        f"{SignaalSoort.AFWEZIG_NA_AFGEWEZEN_VERLOF.value}:2026-02-09"
        in app.signalen(leerling)
    )


def test_s09_elf_lesdagen_vakantieverlof(
    app: Registratie, vo_school: UUID, nieuwe_leerling: Callable[..., UUID], klok: Klok
) -> None:
    leerling = nieuwe_leerling(vo_school)
    klok.zet(date(2026, 3, 30))

    aanvraag = _aanvraag(
        app,
        leerling,
        date(2026, 6, 1),
        date(2026, 6, 15),
        date(2026, 3, 30),
        werkgeversverklaring=True,
    )

    assert aanvraag.lesdagen == 11
    assert (aanvraag.uitkomst, aanvraag.reden, aanvraag.beslisser) == (
        Uitkomst.DENIED,
        Reden.MAX_10_DAYS,
        Beslisser.HEAD,
    )
    assert aanvraag.vlaggen == []
    # The denial does not use the once-per-school-year allowance.
    alternatief = _aanvraag(
        app,
        leerling,
        date(2026, 6, 1),
        date(2026, 6, 12),
        date(2026, 3, 30),
        werkgeversverklaring=True,
    )
    assert (alternatief.lesdagen, alternatief.uitkomst) == (
        10,
        Uitkomst.AWAITING_HEAD_DECISION,
    )
    with pytest.raises(VerlofFout, match="MAX_10_DAYS"):
        app.besluit_verlof(aanvraag.aanvraag_id, _hoofd(Uitkomst.GRANTED))


@pytest.mark.parametrize(
    ("van", "tot", "uitkomst", "reden"),
    [
        (
            date(2025, 9, 8),
            date(2025, 9, 19),
            Uitkomst.DENIED,
            Reden.FIRST_TWO_LESWEKEN,
        ),
        (date(2025, 9, 15), date(2025, 9, 19), Uitkomst.AWAITING_HEAD_DECISION, None),
    ],
    ids=["S10", "S10b"],
)
def test_s10_eerste_twee_lesweken(
    app: Registratie,
    vo_school: UUID,
    nieuwe_leerling: Callable[..., UUID],
    klok: Klok,
    van: date,
    tot: date,
    uitkomst: Uitkomst,
    reden: Reden | None,
) -> None:
    leerling = nieuwe_leerling(vo_school)
    klok.zet(date(2025, 7, 7))

    aanvraag = _aanvraag(
        app, leerling, van, tot, date(2025, 7, 7), werkgeversverklaring=True
    )

    assert (aanvraag.uitkomst, aanvraag.reden) == (uitkomst, reden)
    assert aanvraag.vlaggen == []


@pytest.mark.parametrize(
    ("ingediend", "vlaggen"),
    [(date(2026, 3, 9), []), (date(2026, 4, 20), ["LATE_REQUEST"])],
    ids=["S12", "S12b"],
)
def test_s12_verleend_vakantieverlof_in_lesdagen(
    app: Registratie,
    vo_school: UUID,
    nieuwe_leerling: Callable[..., UUID],
    klok: Klok,
    ingediend: date,
    vlaggen: list[str],
) -> None:
    leerling = nieuwe_leerling(vo_school)
    klok.zet(ingediend)
    aanvraag = _aanvraag(
        app,
        leerling,
        date(2026, 5, 11),
        date(2026, 5, 22),
        ingediend,
        werkgeversverklaring=True,
    )

    assert (aanvraag.lesdagen, aanvraag.uitkomst, aanvraag.vlaggen) == (
        8,
        Uitkomst.AWAITING_HEAD_DECISION,
        vlaggen,
    )

    besluit = app.besluit_verlof(aanvraag.aanvraag_id, _hoofd(Uitkomst.GRANTED))

    assert (besluit.uitkomst, besluit.beslisser) == (Uitkomst.GRANTED, Beslisser.HEAD)
    klok.zet(date(2026, 5, 22), time(16))
    for d in _dagen(date(2026, 5, 11), date(2026, 5, 22)):
        _afwezig(app, leerling, d, redenCode="A")
    slots = [
        s
        for d in app.verzuimdagen(leerling, date(2026, 5, 11), date(2026, 5, 22))
        for s in d.slots
    ]
    geteld = [s for s in slots if s.niet_geteld is None]
    assert (
        len({(s.bron) for s in geteld}) == 8
    )  # 8 lesdagen; the free days do not count
    assert {(s.status, s.grond) for s in geteld} == {
        (Status.GEOORLOOFD, Grond.VERLOF_13A)
    }
    # D11: the allowance of 2025-26 is used.
    tweede = _aanvraag(
        app,
        leerling,
        date(2026, 6, 8),
        date(2026, 6, 9),
        date(2026, 3, 9),
        werkgeversverklaring=True,
    )
    assert (tweede.uitkomst, tweede.reden) == (Uitkomst.DENIED, Reden.ALREADY_USED)


def _ziekmelding(app: Registratie, leerling: UUID, van: date, ontvangen: date) -> None:
    app.registreer_afmelding(
        AfmeldingInvoer(
            leerling_id=leerling,
            soort=AfmeldingSoort.ZIEK,
            van=van,
            tot=van,
            ontvangen=datetime.combine(ontvangen, time(8, 15), tzinfo=AMSTERDAM),
        )
    )


def test_s16a_ziekmelding_op_dag_twee(
    app: Registratie, po_school: UUID, nieuwe_leerling: Callable[..., UUID], klok: Klok
) -> None:
    leerling = nieuwe_leerling(po_school, date(2019, 5, 2))
    maandag = date(2025, 11, 3)
    klok.zet(maandag, time(9))
    _afwezig(app, leerling, maandag)

    voor = app.verzuimdag(leerling, maandag)
    klok.zet(date(2025, 11, 4), time(8, 15))
    _ziekmelding(app, leerling, maandag, date(2025, 11, 4))
    na = app.verzuimdag(leerling, maandag)

    assert voor is not None and {s.status for s in voor.slots} == {Status.ONBEKEND}
    assert na is not None and {(s.status, s.grond) for s in na.slots} == {
        (Status.GEOORLOOFD, Grond.ZIEKTE)
    }
    assert app.signalen(leerling) == []


def test_s16b_ziekmelding_op_dag_vier(
    app: Registratie, po_school: UUID, nieuwe_leerling: Callable[..., UUID], klok: Klok
) -> None:
    leerling = nieuwe_leerling(po_school, date(2019, 5, 2))
    maandag = date(2025, 11, 3)
    klok.zet(maandag, time(9))
    _afwezig(app, leerling, maandag)

    app.herbeoordeel(date(2025, 11, 5))
    woensdag = app.verzuimdag(leerling, maandag)
    resultaat = app.herbeoordeel(date(2025, 11, 6))
    donderdag = app.verzuimdag(leerling, maandag)
    klok.zet(date(2025, 11, 6), time(8, 15))
    _ziekmelding(app, leerling, maandag, date(2025, 11, 6))
    na_melding = app.verzuimdag(leerling, maandag)

    assert woensdag is not None and {s.status for s in woensdag.slots} == {
        Status.ONBEKEND
    }
    assert (resultaat.dagen, resultaat.gewijzigde_slots) == (1, 2)
    assert donderdag is not None and {s.status for s in donderdag.slots} == {
        Status.ONGEOORLOOFD
    }
    assert na_melding is not None
    assert {(s.status, s.late_sick_notice) for s in na_melding.slots} == {
        (Status.ONGEOORLOOFD, True)
    }
    assert sum(s.telwaarde for s in na_melding.slots) == 5 * 60
    assert app.signalen(leerling) == [
        f"{SignaalSoort.LATE_ZIEKMELDING.value}:2025-11-03"
    ]
    assert app.herbeoordeel(date(2025, 11, 7)).dagen == 0


def test_s18_oktober_voor_de_leerplicht_telt_niet(
    app: Registratie, po_school: UUID, nieuwe_leerling: Callable[..., UUID], klok: Klok
) -> None:
    leerling = nieuwe_leerling(po_school, date(2020, 10, 14))
    klok.zet(date(2025, 11, 6), time(15))
    for d in _dagen(date(2025, 10, 27), date(2025, 10, 31)):
        _afwezig(app, leerling, d)
    for d in _dagen(date(2025, 11, 3), date(2025, 11, 5)):
        _afwezig(app, leerling, d, redenCode="A")
    app.registreer_afwezigheid(
        {
            "bronId": "vroeg-weg",
            "bron": "las",
            "leerlingId": str(leerling),
            "van": "2025-11-06T13:00",
            "tot": "2025-11-06T14:00",
            "redenCode": "A",
        }
    )

    oktober = [
        s
        for d in app.verzuimdagen(leerling, date(2025, 10, 27), date(2025, 10, 31))
        for s in d.slots
    ]
    november = [
        s
        for d in app.verzuimdagen(leerling, date(2025, 11, 3), date(2025, 11, 6))
        for s in d.slots
    ]

    assert oktober and {(s.niet_geteld, s.telwaarde) for s in oktober} == {
        (NietGeteld.BUITEN_LEERPLICHT, 0)
    }
    assert {s.niet_geteld for s in november} == {None}
    assert (
        sum(s.telwaarde for s in november if s.status is Status.ONGEOORLOOFD) == 16 * 60
    )
