"""Recording absence through the application: idempotency and corrections (T3),
overlapping sources (T5), notices in either order (T9), concurrent writes (T10)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any
from uuid import UUID

import pytest

from services.registratie.application import Registratie
from services.registratie.domain.afmelding import AfmeldingSoort
from services.registratie.domain.afwezigheid import Afwezigheid, Uitkomst
from services.registratie.domain.classificatie import Status
from services.registratie.domain.fouten import (
    NietGevonden,
    OnbekendeRedenCode,
    OngeldigeInvoer,
)
from services.registratie.domain.ids import verzuimdag_id
from services.registratie.domain.tijd import AMSTERDAM
from services.registratie.domain.verzuimdag import Verzuimdag
from services.registratie.modellen import AfmeldingInvoer
from tests.registratie.conftest import Klok

DINSDAG = date(2025, 1, 14)


def _record(
    leerling: UUID, bron_id: str, van: int, tot: int, **extra: Any
) -> dict[str, Any]:
    return {
        "bronId": bron_id,
        "bron": extra.pop("bron", "sis"),
        "leerlingId": str(leerling),
        "datum": extra.pop("datum", DINSDAG.isoformat()),
        "lesuurVan": van,
        "lesuurTot": tot,
        **extra,
    }


def _telling(app: Registratie, leerling: UUID, d: date = DINSDAG) -> int:
    dag = app.verzuimdag(leerling, d)
    assert dag is not None
    return sum(s.telwaarde for s in dag.slots if s.status is Status.ONGEOORLOOFD)


def _gebeurtenissen(app: Registratie) -> list[Any]:
    return [
        app.mapper.to_domain_event(n)
        for n in app.recorder.select_notifications(None, 10_000)
    ]


@pytest.fixture
def p1(vo_school: UUID, nieuwe_leerling: Callable[..., UUID]) -> UUID:
    return nieuwe_leerling(vo_school)


def test_t3_zelfde_record_twee_keer_dan_correctie_dan_tweede_bron(
    app: Registratie, p1: UUID
) -> None:
    eerste = app.registreer_afwezigheid(_record(p1, "R6", 1, 4, redenCode="A"))
    herhaald = app.registreer_afwezigheid(_record(p1, "R6", 1, 4, redenCode="A"))

    assert eerste.uitkomst is Uitkomst.CREATED
    assert herhaald.uitkomst is Uitkomst.UNCHANGED
    assert herhaald.afwezigheid.afwezigheid_id == eerste.afwezigheid.afwezigheid_id
    assert _telling(app, p1) == 4 * 60

    correctie = app.registreer_afwezigheid(_record(p1, "R6", 1, 5, redenCode="A"))

    assert correctie.uitkomst is Uitkomst.CORRECTED
    assert _telling(app, p1) == 5 * 60  # never 9

    app.registreer_afwezigheid(_record(p1, "R6b", 5, 5, bron="kantoor", redenCode="A"))

    assert _telling(app, p1) == 5 * 60


def test_correctie_naar_een_andere_datum_verlaat_de_oude_dag(
    app: Registratie, p1: UUID
) -> None:
    app.registreer_afwezigheid(_record(p1, "R7", 1, 2, redenCode="A"))
    app.registreer_afwezigheid(
        _record(p1, "R7", 1, 2, redenCode="A", datum="2025-01-15")
    )

    oud = app.verzuimdag(p1, DINSDAG)
    assert oud is not None and oud.slots == []
    assert _telling(app, p1, date(2025, 1, 15)) == 2 * 60


def test_t5_overlap_en_dan_een_tijdige_ziekmelding_in_elke_volgorde(
    app: Registratie, vo_school: UUID, nieuwe_leerling: Callable[..., UUID], klok: Klok
) -> None:
    klok.zet(DINSDAG, time(9))
    stappen: list[Callable[[UUID], object]] = [
        lambda p: app.registreer_afwezigheid(
            _record(p, f"R14-{p}", 1, 3, bron="docent", redenCode="A")
        ),
        lambda p: app.registreer_afwezigheid(
            _record(p, f"R15-{p}", 2, 5, bron="kantoor", redenCode="A")
        ),
    ]
    eindtoestanden = []
    for volgorde in ([0, 1], [1, 0]):
        leerling = nieuwe_leerling(vo_school)
        for i in volgorde:
            stappen[i](leerling)

        assert _telling(app, leerling) == 5 * 60  # not 7

        app.registreer_afmelding(
            AfmeldingInvoer(
                leerling_id=leerling,
                soort=AfmeldingSoort.ZIEK,
                van=DINSDAG,
                tot=DINSDAG,
            )
        )

        assert _telling(app, leerling) == 0
        dag = app.verzuimdag(leerling, DINSDAG)
        assert dag is not None
        eindtoestanden.append([(s.lesuur, s.status, s.grond) for s in dag.slots])
    assert eindtoestanden[0] == eindtoestanden[1]


def test_t9_melding_al_binnen_of_pas_later(
    app: Registratie, vo_school: UUID, nieuwe_leerling: Callable[..., UUID], klok: Klok
) -> None:
    def melding(leerling: UUID, uur: time) -> None:
        app.registreer_afmelding(
            AfmeldingInvoer(
                leerling_id=leerling,
                soort=AfmeldingSoort.ZIEK,
                van=DINSDAG,
                tot=DINSDAG,
                ontvangen=datetime.combine(DINSDAG, uur, tzinfo=AMSTERDAM),
            )
        )

    def docent(leerling: UUID, uur: time) -> None:
        klok.zet(DINSDAG, uur)
        app.registreer_afwezigheid(
            _record(leerling, f"W-{leerling}", 1, 1, bron="docent")
        )

    eerst_melding = nieuwe_leerling(vo_school)
    klok.zet(DINSDAG, time(7, 45))
    melding(eerst_melding, time(7, 45))
    docent(eerst_melding, time(8, 40))
    eerst_docent = nieuwe_leerling(vo_school)
    docent(eerst_docent, time(8, 40))
    tussenstand = app.verzuimdag(eerst_docent, DINSDAG)
    klok.zet(DINSDAG, time(9, 30))
    melding(eerst_docent, time(9, 30))

    assert tussenstand is not None and tussenstand.slots[0].status is Status.ONBEKEND
    a, b = app.verzuimdag(eerst_melding, DINSDAG), app.verzuimdag(eerst_docent, DINSDAG)
    assert a is not None and b is not None
    assert [(s.status, s.grond) for s in a.slots] == [
        (s.status, s.grond) for s in b.slots
    ]
    assert a.slots[0].status is Status.GEOORLOOFD
    # What was sent early (onbekend) is followed by a reclassification event.
    herclassificaties = [
        w
        for e in _gebeurtenissen(app)
        if isinstance(e, Verzuimdag.Bijgewerkt) and e.leerling_id == eerst_docent
        for w in e.wijzigingen
    ]
    assert {"lesuur": 1, "vorigeStatus": "onbekend"}.items() <= herclassificaties[
        -1
    ].items()
    assert herclassificaties[-1]["slot"]["status"] == "geoorloofd"


def test_t10_twee_gelijktijdige_schrijvers_voor_een_leerling(
    app: Registratie, p1: UUID
) -> None:
    origineel = app.save
    barriere = threading.Barrier(2, timeout=20)
    teller = {"n": 0}
    slot = threading.Lock()

    def save_na_elkaars_lezen(*objs: Any, **kwargs: Any) -> Any:
        with slot:
            teller["n"] += 1
            eerste_ronde = teller["n"] <= 2
        if eerste_ronde:
            barriere.wait()  # both have read the day before either writes
        return origineel(*objs, **kwargs)

    app.save = save_na_elkaars_lezen  # type: ignore[method-assign]
    antwoorden: list[Any] = []
    fouten: list[BaseException] = []

    def schrijf(bron_id: str, van: int, tot: int) -> None:
        try:
            antwoorden.append(
                app.registreer_afwezigheid(
                    _record(p1, bron_id, van, tot, redenCode="A")
                )
            )
        except BaseException as fout:  # noqa: BLE001 - reported below
            fouten.append(fout)

    draden = [
        threading.Thread(target=schrijf, args=("T1", 1, 2)),
        threading.Thread(target=schrijf, args=("T2", 3, 5)),
    ]
    for draad in draden:
        draad.start()
    for draad in draden:
        draad.join(30)

    assert fouten == []
    assert teller["n"] == 3  # one conflict, one retry
    assert {a.uitkomst for a in antwoorden} == {Uitkomst.CREATED}
    assert _telling(app, p1) == 5 * 60
    versies = [e.originator_version for e in app.events.get(verzuimdag_id(p1, DINSDAG))]
    assert versies == [1, 2]
    for antwoord in antwoorden:
        opgeslagen = list(app.events.get(antwoord.afwezigheid.afwezigheid_id))
        assert [e.originator_version for e in opgeslagen] == [1]


def test_intrekken_herclassificeert(app: Registratie, p1: UUID) -> None:
    resultaat = app.registreer_afwezigheid(_record(p1, "R8", 1, 3, redenCode="A"))

    ingetrokken = app.trek_afwezigheid_in(resultaat.afwezigheid.afwezigheid_id)

    assert ingetrokken.ingetrokken
    assert _telling(app, p1) == 0
    opnieuw = app.registreer_afwezigheid(_record(p1, "R8", 1, 3, redenCode="A"))
    assert opnieuw.uitkomst is Uitkomst.CORRECTED
    assert _telling(app, p1) == 3 * 60


def test_fouten_bij_registratie(app: Registratie, p1: UUID, vo_school: UUID) -> None:
    with pytest.raises(OnbekendeRedenCode) as fout:
        app.registreer_afwezigheid(_record(p1, "R9", 1, 1, redenCode="QQ"))
    assert fout.value.veld == "redenCode"
    with pytest.raises(OngeldigeInvoer) as fout2:
        app.registreer_afwezigheid({"bronId": "R9", "bron": "sis"})
    assert fout2.value.veld == "leerlingId"
    with pytest.raises(NietGevonden):
        app.registreer_afwezigheid(_record(vo_school, "R9", 1, 1))


def test_elke_gebeurtenis_noemt_leerling_of_school(app: Registratie, p1: UUID) -> None:
    app.registreer_afwezigheid(_record(p1, "R10", 1, 3))
    app.registreer_afmelding(
        AfmeldingInvoer(
            leerling_id=p1, soort=AfmeldingSoort.ZIEK, van=DINSDAG, tot=DINSDAG
        )
    )

    gebeurtenissen = _gebeurtenissen(app)

    assert gebeurtenissen
    for gebeurtenis in gebeurtenissen:
        naam = type(gebeurtenis).__qualname__
        if naam.startswith(("School.", "Leerlingenlijst.")):
            assert getattr(gebeurtenis, "school_id", None) is not None, naam
        else:
            assert getattr(gebeurtenis, "leerling_id", None) is not None, naam
    assert any(isinstance(e, Afwezigheid.Geregistreerd) for e in gebeurtenissen)  # type: ignore[attr-defined]


def test_te_laat_in_camelcase_en_snake_case_is_hetzelfde_record(
    app: Registratie, p1: UUID
) -> None:
    camel = app.registreer_afwezigheid(
        _record(p1, "L1", 1, 1, soort="teLaat", minuten=10)
    )
    snake = app.registreer_afwezigheid(
        _record(p1, "L1", 1, 1, soort="te_laat", minuten=10)
    )

    assert camel.uitkomst is Uitkomst.CREATED
    assert snake.uitkomst is Uitkomst.UNCHANGED
    with pytest.raises(OngeldigeInvoer):
        app.registreer_afwezigheid(_record(p1, "L2", 1, 1, soort="laat"))
