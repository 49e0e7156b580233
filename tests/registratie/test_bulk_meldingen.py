"""Bulks of notices and pupils: the same stored events and outgoing messages as the
same items one by one, one answer per item, one bad item never rejects the rest.

All pupils and numbers are made up; the BSNs are constructed test values."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

import pytest

from contracts.pgn import nieuwe_sleutel
from leerplicht.fixtures import PO_ROOSTER, VO_ROOSTER
from services.registratie.contracts_mapping import to_contract
from services.registratie.domain.afmelding import AfmeldingSoort
from services.registratie.domain.tijd import AMSTERDAM
from services.registratie.meldingen_bulk import MAX_AFMELDINGEN
from services.registratie.modellen import AfmeldingInvoer, LeerlingInvoer
from services.registratie.service_app import RegistratieDienst
from tests.conftest import nieuw_bsn
from tests.registratie.conftest import Klok
from tests.registratie.conftest import _school as registreer_school

_NAAMRUIMTE = UUID("6f1c3e2a-0000-4000-8000-000000000000")
# A Monday in TC-2526 and the "now" of every request.
MAANDAG = date(2025, 11, 3)
NU = datetime(2025, 11, 10, 12, 0, tzinfo=AMSTERDAM)


# One made-up BSN per pupil number, the same in both stores a test compares (a school
# holds a number once).
_BSNS = [nieuw_bsn() for _ in range(10)]


def _leerling_id(nummer: int) -> UUID:
    return uuid5(_NAAMRUIMTE, f"leerling-{nummer}")


def _leerling(school_id: UUID, nummer: int, **extra: Any) -> LeerlingInvoer:
    gegevens: dict[str, Any] = {
        "school_id": school_id,
        "leerling_id": _leerling_id(nummer),
        "leerlingnummer": str(200000 + nummer),
        "geboortedatum": date(2011, 3, 10),
        "pgn": _BSNS[nummer],
        "woongemeente": "0344",
        "inschrijving_vanaf": date(2021, 8, 1),
    }
    return LeerlingInvoer(**{**gegevens, **extra})


class _Omgeving:
    """One registratie with its own store and key vault, at the fixed "now"."""

    def __init__(self, map: Path) -> None:
        map.mkdir()
        self.app = RegistratieDienst(
            env={
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(map / "registratie.db"),
            }
        )
        self.app.bind(Klok(NU), _PGN_SLEUTEL)
        self.vo = registreer_school(self.app, "05KO", "vo", VO_ROOSTER)
        self.po = registreer_school(self.app, "07NU00", "po", PO_ROOSTER)

    def opgeslagen(self) -> tuple[list[Any], list[Any]]:
        """The stored domain events in order, and the messages the relay publishes
        in order, as comparable JSON: ids the service makes up numbered by first
        appearance, timestamps and the PGN's ciphertext (a fresh nonce each time)
        left out.

        A save stores its messages after its events, so a bulk's messages follow
        all of its events: on Kafka, which carries only the messages, the order
        is the same."""
        notificaties = self.app.recorder.select_notifications(start=1, limit=100_000)
        events = [self.app.mapper.to_domain_event(n) for n in notificaties]
        # What the relay publishes: the contract event of every stored message.
        berichten = [
            ["bericht", {**bericht.model_dump(mode="json"), "pgn": None}]
            for bericht in map(to_contract, events)
            if bericht is not None
        ]
        # The PGN index's ids come from each store's own hash key: left out.
        domein = [
            e
            for e in events
            if type(e).__qualname__ != "Uitgaand"
            and not type(e).__qualname__.startswith("PgnVermelding.")
        ]
        return _vergelijkbaar(domein, "Afmelding.Ontvangen"), berichten


def _vergelijkbaar(events: list[Any], nieuw_bij: str) -> list[Any]:
    nieuw = [e.originator_id for e in events if type(e).__qualname__ == nieuw_bij]
    rijen = []
    for event in events:
        staat = {k: v for k, v in vars(event).items() if k != "timestamp"}
        rijen.append([type(event).__qualname__, staat])
    tekst = json.dumps(rijen, default=str, sort_keys=True)
    for nummer, aggregate_id in enumerate(nieuw):
        for vorm in (str(aggregate_id), aggregate_id.hex):
            tekst = tekst.replace(vorm, f"nieuw-{nummer}")
    return json.loads(tekst)


_PGN_SLEUTEL = nieuwe_sleutel()


@pytest.fixture
def omgevingen(tmp_path: Path) -> Iterator[tuple[_Omgeving, _Omgeving]]:
    een, bulk = _Omgeving(tmp_path / "een"), _Omgeving(tmp_path / "bulk")
    yield een, bulk
    een.app.close()
    bulk.app.close()


def _moment(d: date, uur: int) -> datetime:
    return datetime.combine(d, time(uur, 0), tzinfo=AMSTERDAM)


def _meldingen(vo: UUID, po: UUID) -> list[dict[str, Any]]:
    """Notices that meet each other: the same pupil and days twice, open-ended,
    per lesson, late (D8), next to the autumn vacation (D18), a five-year-old."""
    ziek = AfmeldingSoort.ZIEK.value
    return [
        {"leerlingId": str(_leerling_id(1)), "soort": ziek, "van": "2025-11-03"},
        {
            "leerlingId": str(_leerling_id(1)),
            "soort": ziek,
            "van": "2025-11-04",
            "tot": "2025-11-05",
            "ontvangen": _moment(date(2025, 11, 4), 7).isoformat(),
        },
        {
            "leerlingId": str(_leerling_id(2)),
            "soort": ziek,
            "van": "2025-11-04",
            "tot": "2025-11-04",
            "lesuurVan": 2,
            "lesuurTot": 4,
        },
        {
            "leerlingId": str(_leerling_id(2)),
            "soort": ziek,
            "van": "2025-10-27",
            "tot": "2025-10-28",
            "ontvangen": _moment(date(2025, 11, 5), 9).isoformat(),
        },
        {
            "leerlingId": str(_leerling_id(3)),
            "soort": ziek,
            "van": "2025-10-17",
            "tot": "2025-10-17",
            "ontvangen": _moment(date(2025, 10, 17), 7).isoformat(),
        },
        {
            "leerlingId": str(_leerling_id(3)),
            "soort": AfmeldingSoort.RELIGIEUS.value,
            "van": "2025-11-07",
            "tot": "2025-11-07",
            "ontvangen": _moment(date(2025, 11, 3), 8).isoformat(),
        },
        {
            "leerlingId": str(_leerling_id(4)),
            "soort": AfmeldingSoort.VIJFJARIGE.value,
            "van": "2025-11-05",
            "tot": "2025-11-05",
            "lesuurVan": 1,
            "lesuurTot": 2,
        },
    ]


def _leerlingen(vo: UUID, po: UUID) -> list[LeerlingInvoer]:
    return [
        _leerling(vo, 1),
        _leerling(vo, 2),
        _leerling(vo, 3),
        _leerling(po, 4, geboortedatum=date(2020, 6, 1), groep="2"),
    ]


def _records(app: RegistratieDienst) -> None:
    """Absence already recorded on some of the days the notices cover."""
    for nummer, datum in ((1, "2025-11-03"), (1, "2025-11-04"), (2, "2025-11-04")):
        app.registreer_afwezigheid(
            {
                "bronId": f"r-{nummer}-{datum}",
                "bron": "las",
                "leerlingId": str(_leerling_id(nummer)),
                "datum": datum,
                "lesuurVan": 1,
                "lesuurTot": 6,
            }
        )


def test_een_bulk_afmeldingen_slaat_op_en_publiceert_wat_los_zou_doen(
    omgevingen: tuple[_Omgeving, _Omgeving],
) -> None:
    een, bulk = omgevingen
    for omgeving in omgevingen:
        for invoer in _leerlingen(omgeving.vo, omgeving.po):
            omgeving.app.registreer_leerling(invoer)
        _records(omgeving.app)
    meldingen = _meldingen(een.vo, een.po)

    # given the notices one by one
    losse = [
        een.app.registreer_afmelding(AfmeldingInvoer.model_validate(m))
        for m in meldingen
    ]
    # and as one bulk, with faulty notices among them
    fout = [
        {**meldingen[0], "tot": "2025-11-01"},
        {"leerlingId": str(_leerling_id(99)), "soort": "ziek", "van": "2025-11-03"},
        {"leerlingId": "geen-uuid", "soort": "ziek", "van": "2025-11-03"},
    ]
    regels = bulk.app.registreer_afmeldingen([*meldingen[:2], *fout, *meldingen[2:]])

    # then every notice is answered in its place
    assert [(r.index, r.status, r.veld) for r in regels] == [
        (0, "accepted", None),
        (1, "accepted", None),
        (2, "rejected", "tot"),
        (3, "rejected", "leerlingId"),
        (4, "rejected", "leerlingId"),
        *[(i, "accepted", None) for i in range(5, 10)],
    ]
    geaccepteerd = [r.resultaat for r in regels if r.status == "accepted"]
    assert [(v.tijdig, v.binnen_limiet) for v in geaccepteerd] == [
        (v.tijdig, v.binnen_limiet) for v in losse
    ]
    # and the store holds the same events, the outgoing messages included
    assert bulk.opgeslagen() == een.opgeslagen()


def test_een_fout_bij_het_classificeren_weigert_alleen_die_afmelding(
    omgevingen: tuple[_Omgeving, _Omgeving], monkeypatch: pytest.MonkeyPatch
) -> None:
    een, bulk = omgevingen
    for omgeving in omgevingen:
        for invoer in _leerlingen(omgeving.vo, omgeving.po):
            omgeving.app.registreer_leerling(invoer)
    meldingen = _meldingen(een.vo, een.po)[:3]
    for melding in meldingen[:2]:
        een.app.registreer_afmelding(AfmeldingInvoer.model_validate(melding))

    # given a classification that fails for the third notice's pupil only
    from services.registratie import werkeenheid

    echt = werkeenheid.dagcontext

    def faalt(school: Any, leerling: Any, d: date) -> Any:
        if leerling.leerling_id == _leerling_id(2):
            raise RuntimeError("kapot")
        return echt(school, leerling, d)

    monkeypatch.setattr(werkeenheid, "dagcontext", faalt)
    regels = bulk.app.registreer_afmeldingen(meldingen)

    # then that notice alone is refused, and nothing of it is stored
    assert [r.status for r in regels] == ["accepted", "accepted", "rejected"]
    assert regels[2].reden is not None and "interne fout" in regels[2].reden
    assert bulk.opgeslagen() == een.opgeslagen()


def test_een_bulk_leerlingen_slaat_op_wat_los_zou_doen(
    omgevingen: tuple[_Omgeving, _Omgeving],
) -> None:
    een, bulk = omgevingen
    leerlingen = _leerlingen(een.vo, een.po)
    for invoer in leerlingen:
        een.app.registreer_leerling(invoer)
    een.app.registreer_leerling(_leerling(een.vo, 2, groep="3a"))

    regels = bulk.app.registreer_leerlingen(
        [
            *leerlingen,
            _leerling(een.vo, 5, pgn="123456789"),
            _leerling(een.vo, 6, inschrijving_tot=date(2020, 1, 1)),
            _leerling(UUID(int=7), 7),
        ]
    )
    tweede = bulk.app.registreer_leerlingen(
        [_leerling(een.vo, 1), _leerling(een.vo, 2, groep="3a")]
    )

    assert [(r.status, r.veld) for r in regels] == [
        ("accepted", None),
        ("accepted", None),
        ("accepted", None),
        ("accepted", None),
        ("rejected", "pgn"),
        ("rejected", "inschrijvingTot"),
        ("rejected", "schoolId"),
    ]
    assert [r.status for r in tweede] == ["unchanged", "updated"]
    assert [r.resultaat for r in regels[:4]] == [i.leerling_id for i in leerlingen]
    assert bulk.opgeslagen() == een.opgeslagen()


def test_te_veel_afmeldingen_in_een_keer(
    omgevingen: tuple[_Omgeving, _Omgeving],
) -> None:
    _, bulk = omgevingen
    from services.registratie.domain.fouten import OngeldigeInvoer

    with pytest.raises(OngeldigeInvoer):
        bulk.app.registreer_afmeldingen([{}] * (MAX_AFMELDINGEN + 1))


def test_twee_processen_op_een_store_zien_elkaars_afmeldingen(tmp_path: Path) -> None:
    # given two processes on one store, each keeping pupils between requests
    env = {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "SQLITE_DBNAME": str(tmp_path / "registratie.db"),
    }
    een = RegistratieDienst(env=env)
    twee = RegistratieDienst(env=env)
    try:
        for app in (een, twee):
            app.bind(Klok(NU), _PGN_SLEUTEL)
        vo = registreer_school(een, "05KO", "vo", VO_ROOSTER)
        leerling = een.registreer_leerling(_leerling(vo, 1)).leerling_id

        def ziek(d: str) -> dict[str, Any]:
            return {"leerlingId": str(leerling), "soort": "ziek", "van": d, "tot": d}

        # when each records notices for the same pupil in turn
        een.registreer_afmeldingen([ziek("2025-11-03")])
        twee.registreer_afmeldingen([ziek("2025-11-04")])
        regels = een.registreer_afmeldingen([ziek("2025-11-05")])

        # then the last one built on both earlier ones, never on a stale pupil
        assert [r.status for r in regels] == ["accepted"]
        for app in (een, twee):
            gezien = app.leerling_aggregaat(leerling)
            assert gezien is not None
            assert len(gezien.gronden) == 3
    finally:
        een.close()
        twee.close()
