"""From records to lesson slots: Amsterdam wall time (T1, T2), lateness bounded by the
lesson (T4) and validation errors that name their field."""

from __future__ import annotations

import os
import time as systeemtijd
from collections.abc import Callable, Iterator
from datetime import date, time
from uuid import UUID, uuid4

import pytest

from leerplicht.fixtures import PO_ROOSTER, VO_ROOSTER
from leerplicht.rooster import Lesuur, Rooster
from services.registratie.application import Registratie
from services.registratie.domain.fouten import (
    DatumBuitenBereik,
    LesuurBuitenRooster,
    OngeldigeInvoer,
    TeLaatBuitenLesuur,
    TotVoorVan,
)
from services.registratie.domain.invoer import AfwezigheidInvoer, Soort
from services.registratie.domain.omzetting import DagDeel, naar_dagdelen
from services.registratie.domain.tijd import lees_tijdstip

LEERLING = uuid4()


def _invoer(**velden: object) -> AfwezigheidInvoer:
    return AfwezigheidInvoer(bron_id="R", bron="test", leerling_id=LEERLING, **velden)  # type: ignore[arg-type]


def _slots(deel: DagDeel) -> dict[int, int]:
    return {s.lesuur: s.gemist for s in deel.slots}


ACHT_LESSEN = Rooster.elke_weekdag(
    Lesuur(
        n,
        time(8 + (30 + 50 * (n - 1)) // 60, (30 + 50 * (n - 1)) % 60),
        time(8 + (30 + 50 * n) // 60, (30 + 50 * n) % 60),
    )
    for n in range(1, 9)
)


@pytest.fixture(params=["Europe/Amsterdam", "UTC", "America/New_York"])
def proces_tz(request: pytest.FixtureRequest) -> Iterator[str]:
    """T1: nothing may depend on the TZ the process runs with."""
    oud = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    systeemtijd.tzset()
    yield request.param
    if oud is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = oud
    systeemtijd.tzset()


def test_t2_datum_blijft_de_datum(proces_tz: str) -> None:
    delen = naar_dagdelen(_invoer(datum="2025-03-03"), VO_ROOSTER, Soort.AFWEZIG)

    assert [d.datum for d in delen] == [date(2025, 3, 3)]
    assert lees_tijdstip("2025-03-03", "van").datum == date(2025, 3, 3)


def test_t2_late_avond_utc_is_de_volgende_dag(proces_tz: str) -> None:
    assert lees_tijdstip("2025-01-13T23:30:00Z", "van").datum == date(2025, 1, 14)
    delen = naar_dagdelen(
        _invoer(van="2025-01-13T23:30:00Z", tot="2025-01-14T09:20:00+01:00"),
        VO_ROOSTER,
        Soort.AFWEZIG,
    )

    assert [d.datum for d in delen] == [date(2025, 1, 14)]
    assert _slots(delen[0]) == {1: 50}


@pytest.mark.parametrize(
    ("van", "tot", "datum"),
    [
        ("2025-03-28T07:30:00Z", "2025-03-28T14:10:00Z", date(2025, 3, 28)),  # winter
        ("2025-03-31T06:30:00Z", "2025-03-31T13:10:00Z", date(2025, 3, 31)),  # summer
        (
            "2024-10-28T07:30:00Z",
            "2024-10-28T14:10:00Z",
            date(2024, 10, 28),
        ),  # autumn twin
        (
            "2025-03-31T08:30:00.000+02:00",
            "2025-03-31T15:10:00.000+02:00",
            date(2025, 3, 31),
        ),
        ("2025-03-31T08:30", "2025-03-31T15:10", date(2025, 3, 31)),  # local wall time
    ],
)
def test_t1_klokwisseling(proces_tz: str, van: str, tot: str, datum: date) -> None:
    (deel,) = naar_dagdelen(_invoer(van=van, tot=tot), ACHT_LESSEN, Soort.AFWEZIG)

    assert deel.datum == datum
    assert _slots(deel) == {n: 50 for n in range(1, 9)}


def test_t1_zestien_lesuren_over_de_klokwisseling(
    proces_tz: str,
    app: Registratie,
    school_met_rooster: Callable[[Rooster], UUID],
    nieuwe_leerling: Callable[..., UUID],
) -> None:
    leerling = nieuwe_leerling(school_met_rooster(ACHT_LESSEN))
    for bron_id, van, tot in [
        ("R1", "2025-03-28T07:30:00Z", "2025-03-28T14:10:00Z"),
        ("R2", "2025-03-31T06:30:00Z", "2025-03-31T13:10:00Z"),
    ]:
        app.registreer_afwezigheid(
            {
                "bronId": bron_id,
                "bron": "sis",
                "leerlingId": str(leerling),
                "van": van,
                "tot": tot,
                "redenCode": "A",
            }
        )

    dagen = app.verzuimdagen(leerling, date(2025, 3, 27), date(2025, 4, 1))

    assert [d.datum for d in dagen] == [date(2025, 3, 28), date(2025, 3, 31)]
    assert sum(s.telwaarde for d in dagen for s in d.slots) == 16 * 60
    assert {s.status.value for d in dagen for s in d.slots} == {"ongeoorloofd"}


def test_t4_twintig_minuten_te_laat_is_twintig_minuten() -> None:
    (deel,) = naar_dagdelen(
        _invoer(datum="2025-11-03", lesuur_van=1, minuten=20), VO_ROOSTER, Soort.TE_LAAT
    )

    assert _slots(deel) == {1: 20}


def test_t4_zestig_minuten_te_laat_voor_een_les_van_vijftig_is_een_fout() -> None:
    with pytest.raises(TeLaatBuitenLesuur) as fout:
        naar_dagdelen(
            _invoer(datum="2025-11-03", lesuur_van=1, minuten=60),
            VO_ROOSTER,
            Soort.TE_LAAT,
        )

    assert fout.value.veld == "minuten"
    with pytest.raises(TeLaatBuitenLesuur):
        naar_dagdelen(
            _invoer(van="2025-11-03T08:30", tot="2025-11-03T09:30", lesuur_van=1),
            VO_ROOSTER,
            Soort.TE_LAAT,
        )


@pytest.mark.parametrize(
    "velden",
    [
        {"datum": "2025-11-03", "lesuur_van": 3, "lesuur_tot": 4, "minuten": 70},
        {
            "van": "2025-11-03T10:10",
            "tot": "2025-11-03T11:20",
            "lesuur_van": 3,
            "lesuur_tot": 4,
        },
        {"van": "2025-11-03T09:10:00Z", "tot": "2025-11-03T10:20:00Z"},
    ],
)
def test_t4_om_1120_binnen_bij_een_blokuur(velden: dict[str, object]) -> None:
    (deel,) = naar_dagdelen(_invoer(**velden), VO_ROOSTER, Soort.TE_LAAT)

    assert _slots(deel) == {3: 50, 4: 20}
    assert [s.volledig for s in deel.slots] == [True, False]


def test_t4_drie_keer_twintig_minuten_is_zestig_minuten(
    app: Registratie,
    po_school: UUID,
    vo_school: UUID,
    nieuwe_leerling: Callable[..., UUID],
) -> None:
    po = nieuwe_leerling(po_school, date(2017, 5, 2))
    vo = nieuwe_leerling(vo_school)
    for leerling in (po, vo):
        for i, dag in enumerate(("2025-11-03", "2025-11-04", "2025-11-05")):
            app.registreer_afwezigheid(
                {
                    "bronId": f"L{i}",
                    "bron": "sis",
                    "leerlingId": str(leerling),
                    "datum": dag,
                    "lesuurVan": 1,
                    "minuten": 20,
                    "redenCode": "TL",
                }
            )

    po_dagen = app.verzuimdagen(po, date(2025, 11, 3), date(2025, 11, 5))
    vo_dagen = app.verzuimdagen(vo, date(2025, 11, 3), date(2025, 11, 5))

    assert sum(s.gemist for d in vo_dagen for s in d.slots) == 60
    assert sum(s.telwaarde for d in vo_dagen for s in d.slots) == 0  # D3: not 3 lesuren
    assert sum(s.telwaarde for d in po_dagen for s in d.slots) == 60  # D3: PO klokuren
    assert {s.soort for d in vo_dagen for s in d.slots} == {Soort.TE_LAAT}


def test_po_vroeg_weg_telt_minuten() -> None:
    (deel,) = naar_dagdelen(
        _invoer(van="2025-10-09T13:30", tot="2025-10-09T14:00"),
        PO_ROOSTER,
        Soort.AFWEZIG,
    )

    assert _slots(deel) == {2: 30}


def test_meerdaags_record_wordt_per_datum_gesplitst() -> None:
    delen = naar_dagdelen(
        _invoer(datum="2025-11-07", tot="2025-11-10"), VO_ROOSTER, Soort.AFWEZIG
    )

    assert [d.datum for d in delen] == [date(2025, 11, d) for d in (7, 8, 9, 10)]
    assert [len(d.slots) for d in delen] == [
        7,
        0,
        0,
        7,
    ]  # weekend: recorded, no lessons


@pytest.mark.parametrize(
    ("velden", "fout", "veld"),
    [
        (
            {"datum": "2025-11-03", "lesuur_van": 1, "lesuur_tot": 9},
            LesuurBuitenRooster,
            "lesuurTot",
        ),
        (
            {"datum": "2025-11-03", "lesuur_van": 4, "lesuur_tot": 2},
            TotVoorVan,
            "lesuurTot",
        ),
        ({"van": "2025-11-03T10:00", "tot": "2025-11-03T09:00"}, TotVoorVan, "tot"),
        (
            {"van": "2025-11-03T16:00", "tot": "2025-11-03T17:00"},
            LesuurBuitenRooster,
            "van",
        ),
        (
            {"datum": "2025-11-03", "tot": "2025-11-04", "lesuur_van": 1},
            OngeldigeInvoer,
            "lesuurVan",
        ),
        ({"lesuur_van": 1}, OngeldigeInvoer, "datum"),
        ({"datum": "2025-11-03", "van": "2025-11-04T08:30"}, OngeldigeInvoer, "van"),
        ({"datum": "2025-01-01", "tot": "2025-12-31"}, DatumBuitenBereik, "tot"),
        ({"van": "gisteren"}, OngeldigeInvoer, "van"),
    ],
)
def test_validatiefouten_noemen_het_veld(
    velden: dict[str, object], fout: type[Exception], veld: str
) -> None:
    with pytest.raises(fout) as gevangen:
        naar_dagdelen(_invoer(**velden), VO_ROOSTER, Soort.AFWEZIG)

    assert gevangen.value.veld == veld  # type: ignore[attr-defined]


def test_datum_buiten_bereik_in_de_applicatie(
    app: Registratie, vo_school: UUID, nieuwe_leerling: Callable[..., UUID]
) -> None:
    leerling = nieuwe_leerling(vo_school)

    with pytest.raises(DatumBuitenBereik) as fout:
        app.registreer_afwezigheid(
            {
                "bronId": "X",
                "bron": "sis",
                "leerlingId": str(leerling),
                "datum": "2027-01-04",
            }
        )

    assert fout.value.veld == "datum"
