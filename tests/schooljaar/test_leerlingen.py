"""Made-up pupils: counts, ages that fit the leerjaar, fabricated identifiers."""

import random
from collections import Counter
from datetime import date

import pytest
from stdnum.nl import bsn, onderwijsnummer

from tools.schooljaar.identiteiten import gewogen_som, maak_bsn, maak_onderwijsnummer
from tools.schooljaar.kalenders import PO_SCHOOL, VO_SCHOOL
from tools.schooljaar.leerlingen import Leerling, genereer_leerlingen, verjaardag

# The example values of python-stdnum's docs and our constructed test numbers.
DOCUMENTATIE = {
    "111222333",
    "123456782",
    "999990019",
    "101222331",
    "100000004",
    "101234564",
    "109999995",
}
SCHOOLJAAR = (date(2025, 9, 1), date(2026, 7, 17))
GEMEENTEN = {"0307", "0310", "0312", "0321", "0331", "0344", "0353", "0355", "0356"}


@pytest.fixture(scope="module")
def leerlingen() -> tuple[list[Leerling], list[Leerling]]:
    uitgegeven: set[str] = set()
    vo = genereer_leerlingen(random.Random(7), VO_SCHOOL, 1500, uitgegeven)
    po = genereer_leerlingen(random.Random(8), PO_SCHOOL, 300, uitgegeven)
    return vo, po


def _wordt(leerling: Leerling, jaren: int) -> bool:
    return SCHOOLJAAR[0] < verjaardag(leerling.geboortedatum, jaren) <= SCHOOLJAAR[1]


def _leeftijd_op(leerling: Leerling, d: date) -> int:
    g = leerling.geboortedatum
    return d.year - g.year - ((d.month, d.day) < (g.month, g.day))


def test_vo_school_has_1500_pupils_in_leerjaar_1_to_6(leerlingen) -> None:
    vo, _ = leerlingen
    per_jaar = Counter(ll.leerjaar for ll in vo)
    per_klas = Counter(ll.klas for ll in vo)

    assert len(vo) == 1500
    assert sorted(per_jaar) == [1, 2, 3, 4, 5, 6]
    assert max(per_klas.values()) <= 28
    assert all(ll.klas.startswith(str(ll.leerjaar)) for ll in vo)
    assert {ll.niveau for ll in vo if ll.leerjaar == 6} == {"vwo"}


def test_po_school_has_groep_1_to_8_and_instromers(leerlingen) -> None:
    _, po = leerlingen
    instromers = [ll for ll in po if ll.inschrijving_vanaf > SCHOOLJAAR[0]]

    assert len(po) == 300
    assert sorted(Counter(ll.leerjaar for ll in po)) == list(range(1, 9))
    assert instromers
    assert all(ll.inschrijving_vanaf == verjaardag(ll.geboortedatum, 4) for ll in po)


def test_birth_dates_fit_the_leerjaar(leerlingen) -> None:
    vo, po = leerlingen
    # Cohorts run from 1 October to 30 September.
    peildatum = date(2025, 9, 30)

    for ll in vo:
        nominaal = 11 + ll.leerjaar
        assert nominaal - 1 <= _leeftijd_op(ll, peildatum) <= nominaal + 1
    for ll in po:
        if ll.inschrijving_vanaf <= SCHOOLJAAR[0]:
            nominaal = 3 + ll.leerjaar
            assert nominaal <= _leeftijd_op(ll, peildatum) <= nominaal + 1


def test_some_pupils_cross_an_age_boundary_during_the_year(leerlingen) -> None:
    vo, po = leerlingen

    # R-AGE-1: 4-year-olds who turn 5 become leerplichtig during the year.
    assert sum(1 for ll in po if _wordt(ll, 5)) >= 10
    # R-AGE-2 / R-AGE-4: leerplicht ends, kwalificatieplicht ends.
    assert sum(1 for ll in vo if _wordt(ll, 16)) >= 100
    assert sum(1 for ll in vo if _wordt(ll, 18)) >= 50


def test_a_few_pupils_hold_a_startkwalificatie(leerlingen) -> None:
    vo, po = leerlingen
    met = [ll for ll in vo if ll.startkwalificatie]

    assert 1 <= len(met) <= 30
    assert all(ll.leerjaar >= 5 for ll in met)
    assert not any(ll.startkwalificatie for ll in po)


def test_woongemeenten_are_cbs_codes_of_the_region(leerlingen) -> None:
    vo, po = leerlingen

    assert {ll.woongemeente for ll in vo + po} <= GEMEENTEN
    assert len({ll.woongemeente for ll in vo}) >= 5


def test_pgns_pass_the_eleven_test_and_are_fabricated(leerlingen) -> None:
    vo, po = leerlingen
    alle = vo + po
    bsns = [ll.pgn for ll in alle if ll.pgn_soort == "bsn"]
    onderwijs = [ll.pgn for ll in alle if ll.pgn_soort == "onderwijsnummer"]

    assert len({ll.pgn for ll in alle}) == len(alle)
    assert all(bsn.is_valid(n) and gewogen_som(n) % 11 == 0 for n in bsns)
    assert onderwijs
    assert all(onderwijsnummer.is_valid(n) for n in onderwijs)
    assert not any(bsn.is_valid(n) for n in onderwijs)
    assert not DOCUMENTATIE & {ll.pgn for ll in alle}


def test_number_makers_never_return_a_documented_value() -> None:
    rng = random.Random(0)
    uitgegeven: set[str] = set()

    nummers = [maak_bsn(rng, uitgegeven) for _ in range(2000)]
    nummers += [maak_onderwijsnummer(rng, uitgegeven) for _ in range(500)]

    assert not DOCUMENTATIE & set(nummers)
    assert len(set(nummers)) == 2500


def test_names_and_ids_are_reproducible() -> None:
    een = genereer_leerlingen(random.Random(3), VO_SCHOOL, 50, set())
    twee = genereer_leerlingen(random.Random(3), VO_SCHOOL, 50, set())
    ander = genereer_leerlingen(random.Random(4), VO_SCHOOL, 50, set())

    assert een == twee
    assert [ll.leerling_id for ll in een] != [ll.leerling_id for ll in ander]


def test_registration_body_has_no_personal_name(leerlingen) -> None:
    vo, _ = leerlingen
    ll = vo[0]

    invoer = ll.als_invoer("00000000-0000-4000-8000-000000000001")

    assert invoer["leerlingId"] == str(ll.leerling_id)
    assert invoer["leerjaar"] == ll.leerjaar
    assert ll.roepnaam not in invoer.values()
    assert ll.pgn not in repr(ll)
