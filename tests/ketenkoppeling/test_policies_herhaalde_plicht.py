"""A duty analyse states again: a batch that changed nothing leaves its copy of the
melding to the next batch, which uses it without copying the cached melding, and
only while the store holds no newer version of it. All data is made up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from contracts.analyse import MeldplichtVastgesteld, MeldplichtVervallen
from contracts.common import Verzuimdag
from contracts.envelope import ContractEvent, wrap
from plumbing.consumer import UnitOfWork
from services.ketenkoppeling.application import Ketenkoppeling
from services.ketenkoppeling.domain.meldingstoestand import MELDPLICHT_VERVALLEN
from services.ketenkoppeling.domain.meldplicht import Meldingstatus
from services.ketenkoppeling.domain.verzuimmelding import melding_id
from services.ketenkoppeling.policies import pas_toe

SCHOOL = UUID("5d2b7c1e-9a3f-4e6d-8b0c-1f2e3d4c5b6a")
LEERLING = UUID("8e3a1f6b-2c9d-4b7e-a1f0-6c5d4e3b2a19")
NU = datetime(2025, 10, 6, 10, 0, tzinfo=UTC)


@pytest.fixture
def app(tmp_path: Any) -> Iterator[Ketenkoppeling]:
    app = Ketenkoppeling(
        env={
            "PERSISTENCE_MODULE": "plumbing.store:SQLiteStore",
            "SQLITE_DBNAME": str(tmp_path / "ketenkoppeling.sqlite"),
        }
    )
    yield app
    app.close()


def _plicht(meldplicht: UUID, minuten: int = 960) -> MeldplichtVastgesteld:
    return MeldplichtVastgesteld(
        meldplicht_id=meldplicht,
        leerling_id=LEERLING,
        school_id=SCHOOL,
        verzuimsoort="V3",
        begindatum=date(2025, 9, 1),
        einddatum=date(2025, 9, 26),
        achterstallig=False,
        minuten=minuten,
        slots=[],
        verzuimdagen=[Verzuimdag(datum=date(2025, 9, 1), hele_dag=True)],
        toelichting="16 uur in 4 lesweken.",
    )


def _batch(app: Ketenkoppeling, *gebeurtenissen: ContractEvent) -> None:
    uow = UnitOfWork(app)
    for volgnummer, gebeurtenis in enumerate(gebeurtenissen, start=1):
        envelop = wrap(gebeurtenis, event_id=str(uuid4()), sequence=volgnummer, time=NU)
        pas_toe(uow, gebeurtenis, envelop, NU)
    uow.before_save()  # as the consumer does
    app.save(*uow.aggregates)


def _kopieen(app: Ketenkoppeling, monkeypatch: pytest.MonkeyPatch) -> list[UUID]:
    """The aggregates handed out as copies of the cached one."""
    gekopieerd: list[UUID] = []
    laad = app.repository.get

    def geteld(aggregate_id: UUID, **kwargs: Any) -> Any:
        if kwargs.get("deepcopy_from_cache", True):
            gekopieerd.append(aggregate_id)
        return laad(aggregate_id, **kwargs)

    monkeypatch.setattr(app.repository, "get", geteld)
    return gekopieerd


def test_een_ongewijzigd_herhaalde_plicht_kopieert_de_melding_niet(app, monkeypatch):
    # given: a melding, and analyse stated its duty once more, unchanged
    meldplicht = uuid4()
    _batch(app, _plicht(meldplicht))
    _batch(app, _plicht(meldplicht))
    versie = app.melding(melding_id(meldplicht)).version
    gekopieerd = _kopieen(app, monkeypatch)

    # when: it states the duty again, unchanged
    _batch(app, _plicht(meldplicht))

    # then: nothing changed, and the melding was not copied to find that out
    assert melding_id(meldplicht) not in gekopieerd
    assert app.melding(melding_id(meldplicht)).version == versie


def test_een_elders_gewijzigde_melding_wordt_opnieuw_geladen(app):
    # given: the duty was stated twice unchanged; then another process let the
    # melding lapse (the copy the last batch left is now a version behind)
    meldplicht = uuid4()
    _batch(app, _plicht(meldplicht))
    _batch(app, _plicht(meldplicht))
    app.wijzig_melding(
        melding_id(meldplicht),
        lambda m: m.laat_vervallen(MELDPLICHT_VERVALLEN, "weg", NU),
        NU,
    )

    # when: analyse states the same duty again
    _batch(app, _plicht(meldplicht))

    # then: the policy saw the lapse and the melding is owed again
    assert app.melding(melding_id(meldplicht)).status is Meldingstatus.WACHTEND


def test_een_herhaalde_plicht_na_vervallen_opent_de_melding_weer(app):
    # given: the duty was stated twice unchanged, then it lapsed (D15)
    meldplicht = uuid4()
    _batch(app, _plicht(meldplicht))
    _batch(app, _plicht(meldplicht))
    vervallen = MeldplichtVervallen(
        meldplicht_id=meldplicht, leerling_id=LEERLING, school_id=SCHOOL, reden="weg"
    )
    _batch(app, vervallen)
    assert app.melding(melding_id(meldplicht)).status is Meldingstatus.VERVALLEN

    # when: analyse states the same duty again
    _batch(app, _plicht(meldplicht))

    # then: the melding is owed again
    assert app.melding(melding_id(meldplicht)).status is Meldingstatus.WACHTEND


def test_vervallen_en_herhaald_in_een_batch_opent_de_melding_weer(app):
    # given: the duty was stated twice unchanged
    meldplicht = uuid4()
    _batch(app, _plicht(meldplicht))
    _batch(app, _plicht(meldplicht))

    # when: one batch holds its lapse and the same duty once more
    vervallen = MeldplichtVervallen(
        meldplicht_id=meldplicht, leerling_id=LEERLING, school_id=SCHOOL, reden="weg"
    )
    _batch(app, vervallen, _plicht(meldplicht))

    # then: the melding is owed again
    assert app.melding(melding_id(meldplicht)).status is Meldingstatus.WACHTEND


def test_een_gewijzigde_plicht_werkt_de_melding_bij(app):
    # given: the duty was stated twice unchanged
    meldplicht = uuid4()
    _batch(app, _plicht(meldplicht))
    _batch(app, _plicht(meldplicht))

    # when: analyse states it with more minutes
    _batch(app, _plicht(meldplicht, minuten=1020))

    # then: the melding carries them
    assert app.melding(melding_id(meldplicht)).plicht.minuten == 1020
