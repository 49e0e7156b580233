"""Bulk recording: one answer per record, one bad record never rejects the rest, one
save per batch."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.registratie.afwezigheden import MAX_BULK
from services.registratie.application import Registratie
from services.registratie.domain.fouten import OngeldigeInvoer
from services.registratie.modellen import LeerlingInvoer
from services.registratie.wissing import Wisgrond


def _record(leerling: UUID, bron_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "bronId": bron_id,
        "bron": "las",
        "leerlingId": str(leerling),
        "datum": "2025-11-03",
        "lesuurVan": 1,
        "lesuurTot": 2,
        **extra,
    }


def test_per_record_antwoord_en_een_save(
    app: Registratie, vo_school: UUID, nieuwe_leerling: Callable[..., UUID]
) -> None:
    leerling = nieuwe_leerling(vo_school)
    app.registreer_afwezigheid(_record(leerling, "bestaand", redenCode="A"))
    app.registreer_afwezigheid(_record(leerling, "te-corrigeren", datum="2025-11-04"))
    saves: list[int] = []
    origineel = app.save

    def tel(*objs: Any, **kwargs: Any) -> Any:
        saves.append(len(objs))
        return origineel(*objs, **kwargs)

    app.save = tel  # type: ignore[method-assign]

    antwoord = app.registreer_bulk(
        [
            _record(leerling, "nieuw-1"),
            _record(leerling, "fout-lesuur", lesuurTot=9),
            {"bronId": "kapot", "bron": "las"},
            _record(leerling, "bestaand", redenCode="A"),
            _record(leerling, "te-corrigeren", datum="2025-11-04", redenCode="A"),
            _record(uuid4(), "onbekende-leerling"),
            _record(leerling, "code", redenCode="??"),
            _record(leerling, "nieuw-2", datum="2025-11-05", lesuurVan=3, lesuurTot=5),
            _record(leerling, "nieuw-2", datum="2025-11-05", lesuurVan=3, lesuurTot=5),
        ]
    )

    assert len(saves) == 1
    assert [(r.index, r.status) for r in antwoord.regels] == [
        (0, "accepted"),
        (1, "rejected"),
        (2, "rejected"),
        (3, "unchanged"),
        (4, "corrected"),
        (5, "rejected"),
        (6, "rejected"),
        (7, "accepted"),
        (8, "unchanged"),
    ]
    assert antwoord.aantallen == {
        "accepted": 2,
        "rejected": 4,
        "unchanged": 2,
        "corrected": 1,
    }
    afgewezen = {r.bron_id: r.veld for r in antwoord.regels if r.status == "rejected"}
    assert afgewezen == {
        "fout-lesuur": "lesuurTot",
        "kapot": "leerlingId",
        "onbekende-leerling": "leerlingId",
        "code": "redenCode",
    }
    dag = app.verzuimdag(leerling, date(2025, 11, 5))
    assert dag is not None and [s.lesuur for s in dag.slots] == [3, 4, 5]
    assert app.verzuimdag(leerling, date(2025, 11, 3)) is not None


def test_meer_dan_het_maximum_wordt_geweigerd(app: Registratie) -> None:
    with pytest.raises(OngeldigeInvoer) as fout:
        app.registreer_bulk([{}] * (MAX_BULK + 1))

    assert fout.value.veld == "afwezigheden"


def test_bulk_en_los_geven_dezelfde_eindtoestand(
    app: Registratie, vo_school: UUID, nieuwe_leerling: Callable[..., UUID]
) -> None:
    los, bulk = nieuwe_leerling(vo_school), nieuwe_leerling(vo_school)
    records = [
        {"bron": "docent", "lesuurVan": 1, "lesuurTot": 3, "redenCode": "A"},
        {"bron": "kantoor", "lesuurVan": 2, "lesuurTot": 5},
        {
            "bron": "docent",
            "lesuurVan": 6,
            "lesuurTot": 6,
            "minuten": 20,
            "redenCode": "TL",
        },
    ]
    for i, velden in enumerate(records):
        app.registreer_afwezigheid(_record(los, f"l{i}", **velden))
    app.registreer_bulk(
        [_record(bulk, f"b{i}", **velden) for i, velden in enumerate(records)]
    )

    a, b = (
        app.verzuimdag(los, date(2025, 11, 3)),
        app.verzuimdag(bulk, date(2025, 11, 3)),
    )

    assert a is not None and b is not None
    assert [(s.lesuur, s.status, s.telwaarde, s.soort) for s in a.slots] == [
        (s.lesuur, s.status, s.telwaarde, s.soort) for s in b.slots
    ]
    assert b.versie == 1  # one event for the whole day in one batch


@pytest.fixture
def ander_proces(db_pad: str, klok: Callable[[], Any]) -> Iterator[Registratie]:
    """Another process on the same store: shares nothing in memory with `app`."""
    ander = Registratie(
        env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": db_pad},
        klok=klok,
    )
    yield ander
    ander.close()


def test_een_volgende_bulk_ziet_wat_een_ander_proces_intussen_opsloeg(
    app: Registratie,
    vo_school: UUID,
    nieuwe_leerling: Callable[..., UUID],
    ander_proces,
) -> None:
    # The first bulk leaves its pupils in the application's cache.
    leerling = nieuwe_leerling(vo_school, lesdagen=[1, 2, 3, 4, 5])
    app.registreer_bulk([_record(leerling, "eerst")])
    # Another process changes the pupil: no longer on Tuesdays.
    ander_proces.registreer_leerling(
        LeerlingInvoer(
            school_id=vo_school,
            leerling_id=leerling,
            leerlingnummer="100001",
            geboortedatum=date(2011, 3, 10),
            pgn="999990019",
            woongemeente="0344",
            inschrijving_vanaf=date(2021, 8, 1),
            lesdagen=[1, 3, 4, 5],
        )
    )

    app.registreer_bulk([_record(leerling, "dinsdag", datum="2025-11-04")])

    dag = app.verzuimdag(leerling, date(2025, 11, 4))
    assert dag is not None
    assert {s.niet_geteld for s in dag.slots} == {"geen_lesdag_leerling"}


def test_een_leerling_die_een_ander_proces_wiste_krijgt_niets_meer_bij(
    app: Registratie,
    vo_school: UUID,
    nieuwe_leerling: Callable[..., UUID],
    ander_proces,
) -> None:
    leerling = nieuwe_leerling(vo_school)
    app.registreer_bulk([_record(leerling, "voor")])
    ander_proces.wis_persoonsgegevens(leerling, Wisgrond.VERZOEK, "test:beheer")

    antwoord = app.registreer_bulk([_record(leerling, "na", datum="2025-11-04")])

    assert [r.status for r in antwoord.regels] == ["rejected"]
    assert app.verzuimdag(leerling, date(2025, 11, 4)) is None


def test_een_mislukte_bulk_laat_de_bewaarde_leerlingen_onaangeroerd(
    app: Registratie, vo_school: UUID, nieuwe_leerling: Callable[..., UUID]
) -> None:
    leerling = nieuwe_leerling(vo_school)
    app.registreer_bulk([_record(leerling, "eerst")])
    origineel = app.save

    def storing(*objs: Any, **kwargs: Any) -> Any:
        raise OSError("schijf vol")

    app.save = storing  # type: ignore[method-assign]
    with pytest.raises(OSError):
        app.registreer_bulk([_record(leerling, "kwijt", datum="2025-11-04")])
    app.save = origineel  # type: ignore[method-assign]

    antwoord = app.registreer_bulk([_record(leerling, "daarna", datum="2025-11-05")])

    assert [r.status for r in antwoord.regels] == ["accepted"]
    assert app.verzuimdag(leerling, date(2025, 11, 4)) is None
    assert app.verzuimdag(leerling, date(2025, 11, 5)) is not None
