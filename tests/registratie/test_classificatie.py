"""The pure classification of one pupil-day: D14 precedence, D8 notice periods, one
status per slot whatever the number and order of records (T3, T5)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import given
from hypothesis import strategies as st

from leerplicht.rooster import Eenheid
from services.registratie.domain.classificatie import (
    BronFeit,
    DagContext,
    Grond,
    Grondfeit,
    NietGeteld,
    Status,
    classificeer,
    herbeoordelen_op,
)
from services.registratie.domain.invoer import Soort
from services.registratie.domain.omzetting import Slot
from services.registratie.domain.school import RedenCode
from services.registratie.domain.tijd import AMSTERDAM

MAANDAG = date(2025, 11, 3)
REDENEN = {
    "Z": RedenCode(code="Z", categorie="ziek", geoorloofd=True),
    "A": RedenCode(code="A", categorie="spijbelen", geoorloofd=False),
    "V": RedenCode(code="V", categorie="vakantie", geoorloofd=False, luxe=True),
}


def _op(d: date, uur: int = 12) -> datetime:
    return datetime.combine(d, time(uur), tzinfo=AMSTERDAM)


def _ctx(*gronden: Grondfeit, niet_geteld: NietGeteld | None = None) -> DagContext:
    return DagContext(MAANDAG, niet_geteld, Eenheid.LESUUR, None, REDENEN, gronden)


def _bron(
    sleutel: str, lessen: range, code: str | None = None, soort: Soort = Soort.AFWEZIG
) -> BronFeit:
    return BronFeit(sleutel, "sis", soort, code, tuple(Slot(n, 50, 50) for n in lessen))


def _statussen(
    bronnen: list[BronFeit], ctx: DagContext, moment: datetime
) -> dict[int, Status]:
    return {n: s.status for n, s in classificeer(bronnen, ctx, moment).items()}


def test_zonder_code_onbekend_tot_de_meldtermijn_verstreken_is() -> None:
    bronnen = [_bron("r", range(1, 3))]

    # D8/D14: Mon absence stays onbekend through Wed, ongeoorloofd from Thu 00:00.
    assert set(
        _statussen(bronnen, _ctx(), _op(MAANDAG + timedelta(days=2), 23)).values()
    ) == {Status.ONBEKEND}
    assert set(
        _statussen(bronnen, _ctx(), _op(MAANDAG + timedelta(days=3), 0)).values()
    ) == {Status.ONGEOORLOOFD}
    assert herbeoordelen_op(
        classificeer(bronnen, _ctx(), _op(MAANDAG)).values(), MAANDAG
    ) == (MAANDAG + timedelta(days=3))


def test_codelijst_beslist_als_er_geen_grond_is() -> None:
    statussen = classificeer([_bron("r", range(1, 2), "V")], _ctx(), _op(MAANDAG))

    assert statussen[1].status is Status.ONGEOORLOOFD
    assert statussen[1].luxe
    assert statussen[1].categorie == "vakantie"


def test_tijdige_ziekmelding_gaat_voor_de_codelijst() -> None:
    ziek = Grondfeit(
        Grond.ZIEKTE, MAANDAG, MAANDAG, ontvangen=_op(MAANDAG + timedelta(days=2), 23)
    )

    statussen = classificeer([_bron("r", range(1, 3), "A")], _ctx(ziek), _op(MAANDAG))

    assert {s.status for s in statussen.values()} == {Status.GEOORLOOFD}
    assert statussen[1].grond is Grond.ZIEKTE
    assert statussen[1].naar_dict()["artikel"] == "Lpw art. 11(d), 12"


def test_late_ziekmelding_geeft_geen_grond_maar_een_vlag() -> None:
    laat = Grondfeit(
        Grond.ZIEKTE, MAANDAG, MAANDAG, ontvangen=_op(MAANDAG + timedelta(days=3), 8)
    )

    statussen = classificeer(
        [_bron("r", range(1, 2))], _ctx(laat), _op(MAANDAG + timedelta(days=3))
    )

    assert statussen[1].status is Status.ONGEOORLOOFD
    assert statussen[1].late_sick_notice


def test_religieuze_melding_uiterlijk_twee_dagen_vooraf() -> None:
    op_tijd = Grondfeit(
        Grond.RELIGIE, MAANDAG, MAANDAG, ontvangen=_op(MAANDAG - timedelta(days=2))
    )
    te_laat = Grondfeit(
        Grond.RELIGIE, MAANDAG, MAANDAG, ontvangen=_op(MAANDAG - timedelta(days=1))
    )
    bronnen = [_bron("r", range(1, 2), "A")]

    assert _statussen(bronnen, _ctx(op_tijd), _op(MAANDAG)) == {1: Status.GEOORLOOFD}
    assert _statussen(bronnen, _ctx(te_laat), _op(MAANDAG)) == {1: Status.ONGEOORLOOFD}


def test_grond_voor_enkele_lesuren() -> None:
    vrijstelling = Grondfeit(Grond.VRIJSTELLING, MAANDAG, None, lesuren=frozenset({2}))

    assert _statussen(
        [_bron("r", range(1, 4), "A")], _ctx(vrijstelling), _op(MAANDAG)
    ) == {
        1: Status.ONGEOORLOOFD,
        2: Status.GEOORLOOFD,
        3: Status.ONGEOORLOOFD,
    }


def test_niet_getelde_dag_wordt_wel_vastgelegd() -> None:
    statussen = classificeer(
        [_bron("r", range(1, 3), "A")],
        _ctx(niet_geteld=NietGeteld.BUITEN_LEERPLICHT),
        _op(MAANDAG),
    )

    assert {s.telwaarde for s in statussen.values()} == {0}
    assert {s.niet_geteld for s in statussen.values()} == {NietGeteld.BUITEN_LEERPLICHT}


def test_waargenomen_aanwezigheid_wint_van_een_afwezigmelding() -> None:
    bronnen = [
        _bron("melding", range(1, 4)),
        _bron("docent", range(3, 4), soort=Soort.AANWEZIG),
    ]

    statussen = _statussen(bronnen, _ctx(), _op(MAANDAG + timedelta(days=5)))

    assert statussen == {
        1: Status.ONGEOORLOOFD,
        2: Status.ONGEOORLOOFD,
        3: Status.AANWEZIG,
    }


def test_t5_overlappende_bronnen_tellen_niet_op() -> None:
    r14 = _bron("r14", range(1, 4), "A")
    r15 = _bron("r15", range(2, 6), "A")

    statussen = classificeer([r14, r15], _ctx(), _op(MAANDAG))

    assert sorted(statussen) == [1, 2, 3, 4, 5]
    assert sum(s.telwaarde for s in statussen.values()) == 5 * 60


def test_uitgelegde_afwezigheid_wint_van_onverklaarde() -> None:
    docent = _bron("docent", range(1, 2))
    kantoor = _bron("kantoor", range(1, 2), "Z")

    assert _statussen([docent, kantoor], _ctx(), _op(MAANDAG + timedelta(days=5))) == {
        1: Status.GEOORLOOFD
    }


_BRONNEN = st.lists(
    st.builds(
        _bron,
        st.sampled_from(["a", "b", "c", "d"]),
        st.builds(lambda v, n: range(v, v + n), st.integers(1, 5), st.integers(1, 3)),
        st.sampled_from([None, "A", "Z", "V"]),
        st.sampled_from(list(Soort)),
    ),
    max_size=5,
    unique_by=lambda b: b.sleutel,
)


@given(_BRONNEN, st.permutations(range(5)), st.booleans())
def test_t5_elke_volgorde_geeft_dezelfde_eindtoestand(
    bronnen: list[BronFeit], volgorde: list[int], met_ziekmelding: bool
) -> None:
    gronden = (
        (Grondfeit(Grond.ZIEKTE, MAANDAG, MAANDAG, ontvangen=_op(MAANDAG)),)
        if met_ziekmelding
        else ()
    )
    ctx = _ctx(*gronden)
    geschud = [bronnen[i] for i in volgorde if i < len(bronnen)]

    assert classificeer(geschud, ctx, _op(MAANDAG)) == classificeer(
        bronnen, ctx, _op(MAANDAG)
    )
    for status in classificeer(bronnen, ctx, _op(MAANDAG)).values():
        assert status.gemist <= status.duur  # never added up
