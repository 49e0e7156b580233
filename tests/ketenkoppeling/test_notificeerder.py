"""The notification job on a real store: aanleidingen become notifications, and their
deliveries are saved in batches, so that what was delivered is always recorded and
what was not recorded is delivered again. Fake channels stand in for partners."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from services.ketenkoppeling import notificaties as job
from services.ketenkoppeling.application import Ketenkoppeling
from services.ketenkoppeling.domain.aanleiding import Aanleiding
from services.ketenkoppeling.domain.gegevens import Leerlinggegevens
from services.ketenkoppeling.notificaties import Notificeerder
from services.ketenkoppeling.partners import (
    Bezorger,
    Inhoudmaker,
    Kanaal,
    Notificatiestatus,
    Poging,
    Resultaat,
    Routering,
    Verzendopdracht,
    Verzendresultaat,
)

SCHOOL = UUID("4a1c9e2b-7d3f-4b6a-8c5e-2f1a0b9c8d7e")
NU = datetime(2025, 10, 6, 9, 0, tzinfo=UTC)

# Two notifications per aanleiding: the leerplichtambtenaar by webhook, the care
# team by e-mail (both channels are fakes here).
ROUTERING = Routering.uit_gegevens(
    {
        "leerplicht": [
            {
                "naam": "Leerplicht Proefstad",
                "gemeentecodes": ["0888"],
                "webhook": {
                    "url": "https://leerplicht.proefstad.example/hook",
                    "secret_id": "lpa-proefstad",
                },
            }
        ],
        "scholen": [
            {
                "school_id": str(SCHOOL),
                "naam": "Proefcollege",
                "brin": "99YY",
                "zorgteam": {"email": "zorgteam@proefcollege.example"},
                "abonnementen": {
                    "dossier_gesloten": ["leerplichtambtenaar", "zorgteam"]
                },
            }
        ],
    }
)


class Klok:
    def now(self) -> datetime:
        return NU


class NepKanaal:
    """Answers every delivery with success, or raises at the delivery `breek_bij`."""

    def __init__(self, app: Ketenkoppeling, breek_bij: int | None = None) -> None:
        self.app = app
        self.breek_bij = breek_bij
        self.bezorgd: list[UUID] = []
        # What the store held as delivered when each delivery started.
        self.vastgelegd_bij_start: list[int] = []

    async def verstuur(self, opdracht: Verzendopdracht) -> Verzendresultaat:
        self.vastgelegd_bij_start.append(len(_bezorgd_in_store(self.app)))
        if len(self.bezorgd) + 1 == self.breek_bij:
            raise RuntimeError("kanaal stuk")
        self.bezorgd.append(opdracht.notificatie_id)
        return Verzendresultaat((Poging(Resultaat.GELUKT, 204),))


def _bezorgd_in_store(app: Ketenkoppeling) -> list[UUID]:
    return [
        n.id
        for n in app.notificaties([str(SCHOOL)])
        if n.status is Notificatiestatus.BEZORGD
    ]


@pytest.fixture
def app(tmp_path: Any) -> Any:
    app = Ketenkoppeling(
        env={
            "PERSISTENCE_MODULE": "plumbing.store:SQLiteStore",
            "SQLITE_DBNAME": str(tmp_path / "ketenkoppeling.sqlite"),
        }
    )
    yield app
    app.close()


def _aanleidingen(app: Ketenkoppeling, aantal: int) -> list[Aanleiding]:
    leerling_id = uuid4()
    leerling = Leerlinggegevens(leerling_id=leerling_id)
    leerling.registreer(
        {
            "school_id": SCHOOL,
            "geboortedatum": "2012-03-04",
            "woongemeente": "0888",
            "leerjaar": 1,
            "pgn": None,
        }
    )
    aanleidingen = [
        Aanleiding(
            bron=f"opvolging-evt-{i}",
            soort="dossier_gesloten",
            leerling_id=leerling_id,
            school_id=SCHOOL,
            datum=date(2025, 10, 6),
            meldingsoort=None,
            begindatum=None,
            einddatum=None,
            meldingsnummer=None,
        )
        for i in range(aantal)
    ]
    app.save(leerling, *aanleidingen)
    return aanleidingen


def _notificeerder(app: Ketenkoppeling, kanaal: NepKanaal) -> Notificeerder:
    bezorger = Bezorger({Kanaal.WEBHOOK: kanaal, Kanaal.EMAIL: kanaal})
    return Notificeerder(app, Klok(), ROUTERING, Inhoudmaker(), bezorger)  # type: ignore[arg-type]


def _tel_opslagen(app: Ketenkoppeling, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    opslagen: list[int] = []
    opslaan = app.save

    def geteld(*aggregaten: Any, **kwargs: Any) -> Any:
        opslagen.append(len(aggregaten))
        return opslaan(*aggregaten, **kwargs)

    monkeypatch.setattr(app, "save", geteld)
    return opslagen


async def test_aanleidingen_en_bezorgingen_worden_samen_opgeslagen(app, monkeypatch):
    # given: six aanleidingen, two notifications each
    aanleidingen = _aanleidingen(app, 6)
    kanaal = NepKanaal(app)
    notificeerder = _notificeerder(app, kanaal)
    opslagen = _tel_opslagen(app, monkeypatch)

    # when: one round of the job
    await notificeerder.ronde()

    # then: all twelve are delivered once and recorded, in one save for making
    # them and one for their deliveries
    assert len(kanaal.bezorgd) == len(set(kanaal.bezorgd)) == 12
    assert sorted(_bezorgd_in_store(app)) == sorted(kanaal.bezorgd)
    assert len(opslagen) == 2
    for aanleiding in aanleidingen:
        opgeslagen = app.aanleiding(aanleiding.id)
        assert opgeslagen is not None and len(opgeslagen.notificatie_ids) == 2
        # Aangemaakt, Verwerkt and one BezorgingAfgehandeld per notification
        assert opgeslagen.version == 4

    # and a second round delivers nothing again
    await notificeerder.ronde()
    assert len(kanaal.bezorgd) == 12


async def test_wat_bezorgd_is_blijft_vastgelegd_als_een_bezorging_breekt(app):
    # given: two aanleidingen; the channel breaks at the third delivery
    _aanleidingen(app, 2)
    kanaal = NepKanaal(app, breek_bij=3)

    # when: the round fails halfway
    with pytest.raises(RuntimeError):
        await _notificeerder(app, kanaal).ronde()

    # then: the two delivered are recorded, the other two are still open and queued
    assert sorted(_bezorgd_in_store(app)) == sorted(kanaal.bezorgd)
    assert len(kanaal.bezorgd) == 2
    open_ = [
        n.id
        for n in app.notificaties([str(SCHOOL)])
        if n.status is Notificatiestatus.OPEN
    ]
    assert len(open_) == 2
    assert set(open_) <= set(app.overzicht.bezorging.neem())

    # when: a restarted job (nothing in memory) runs with a working channel
    herstart = NepKanaal(app)
    app.overzicht.bezorging.voeg_toe(open_)  # as rebuilt from the log at start
    await _notificeerder(app, herstart).ronde()

    # then: only the two not recorded are delivered
    assert sorted(herstart.bezorgd) == sorted(open_)
    assert len(_bezorgd_in_store(app)) == 4


async def test_een_bezorging_wacht_niet_langer_dan_de_grens_op_vastleggen(
    app, monkeypatch
):
    # given: no time may pass before a delivery is recorded
    monkeypatch.setattr(job, "_OPSLAG_NA_SECONDEN", 0.0)
    _aanleidingen(app, 2)
    kanaal = NepKanaal(app)

    # when
    await _notificeerder(app, kanaal).ronde()

    # then: each delivery started after the one before it was stored
    assert kanaal.vastgelegd_bij_start == [0, 1, 2, 3]


async def test_de_bezorging_laadt_de_aanleidingen_niet_opnieuw(app, monkeypatch):
    # given: three aanleidingen, two notifications each
    _aanleidingen(app, 3)
    kanaal = NepKanaal(app)
    notificeerder = _notificeerder(app, kanaal)
    geladen: list[UUID] = []
    laad = app.aanleiding

    def geteld(aanleiding: UUID) -> Any:
        geladen.append(aanleiding)
        return laad(aanleiding)

    monkeypatch.setattr(app, "aanleiding", geteld)

    # when: one round makes and delivers them
    await notificeerder.ronde()

    # then: each aanleiding was loaded once, to route it; recording the six
    # deliveries used the copy the job saved
    assert len(kanaal.bezorgd) == 6
    assert len(geladen) == len(set(geladen)) == 3
    for aanleiding_id in set(geladen):
        assert laad(aanleiding_id).version == 4  # type: ignore[union-attr]


async def test_een_elders_gewijzigde_aanleiding_wordt_opnieuw_geladen(app):
    # given: the job routed an aanleiding, and then another leader recorded a
    # delivery of it (its copy here is now one version behind)
    [aanleiding] = _aanleidingen(app, 1)
    kanaal = NepKanaal(app)
    notificeerder = _notificeerder(app, kanaal)
    notificeerder.maak([aanleiding.id])
    elders = app.aanleiding(aanleiding.id)
    assert elders is not None
    elders.bezorging_afgehandeld(
        notificatie_id=uuid4(), rol="zorgteam", kanaal="email", status="bezorgd", op=NU
    )
    app.save(elders)
    app.overzicht.bij()
    open_ = app.overzicht.bezorging.neem()

    # when: the job delivers; recording fails on the stale copy
    with pytest.raises(Exception, match="(?i)conflict|integrity|unique"):
        await notificeerder.bezorg(open_)

    # then: the next try loads the aanleiding again, and every delivery is
    # recorded on it after the other leader's
    await notificeerder.bezorg(open_)
    opgeslagen = app.aanleiding(aanleiding.id)
    assert opgeslagen is not None and opgeslagen.version == 5
    assert len(_bezorgd_in_store(app)) == 2


async def test_een_gerouteerde_aanleiding_komt_niet_terug_als_de_leerling_wijzigt(
    app,
):
    # given: two aanleidingen of one pupil, routed and delivered, and a third of
    # the same pupil not routed yet
    [eerste, _] = _aanleidingen(app, 2)
    await _notificeerder(app, NepKanaal(app)).ronde()
    leerling = app.leerling(eerste.leerling_id)
    assert leerling is not None
    wachtend = Aanleiding(
        bron="opvolging-evt-wacht",
        soort="dossier_gesloten",
        leerling_id=eerste.leerling_id,
        school_id=uuid4(),
        datum=date(2025, 10, 6),
        meldingsoort=None,
        begindatum=None,
        einddatum=None,
        meldingsnummer=None,
    )
    app.save(wachtend)
    app.overzicht.bij()
    assert app.overzicht.aanleidingen.neem() == [wachtend.id]

    # when: something about the pupil changes
    leerling.actie_afgerond(
        actie_id=uuid4(),
        school_id=SCHOOL,
        titel="Gesprek",
        uitkomst="gevoerd",
        afgerond_op=date(2025, 10, 6),
    )
    app.save(leerling)
    app.overzicht.bij()

    # then: only the aanleiding not yet routed is looked at again
    assert app.overzicht.aanleidingen.neem() == [wachtend.id]
