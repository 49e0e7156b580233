"""`AggregaatVoorraad`: states handed over to a unit of work, not copied."""

from __future__ import annotations

from eventsourcing.domain import Aggregate

from services.registratie.werkeenheid import AggregaatVoorraad


class Teller(Aggregate):
    def __init__(self) -> None:
        self.stand = 0

    def tel(self) -> None:
        self.trigger_event(self.Geteld)

    class Geteld(Aggregate.Event):
        def apply(self, aggregate: Aggregate) -> None:
            assert isinstance(aggregate, Teller)
            aggregate.stand += 1


class Klok:
    def __init__(self) -> None:
        self.nu = 0.0

    def __call__(self) -> float:
        return self.nu


def _voorraad(klok: Klok) -> AggregaatVoorraad:
    voorraad = AggregaatVoorraad(bewaartijd=60.0, klok=klok)
    voorraad.SOORTEN = (Teller,)
    return voorraad


def test_a_state_is_handed_over_once_and_given_back_after_success() -> None:
    klok = Klok()
    voorraad = _voorraad(klok)
    teller = Teller()
    voorraad.onthoud([teller], kopie=False)

    genomen = voorraad.basis(teller.id)

    assert genomen is teller  # no copy
    assert voorraad.basis(teller.id) is None  # a second unit of work loads afresh
    voorraad.onthoud([genomen], kopie=False)
    assert voorraad.basis(teller.id) is teller


def test_a_state_taken_by_a_unit_of_work_that_failed_is_not_kept() -> None:
    klok = Klok()
    voorraad = _voorraad(klok)
    teller = Teller()
    voorraad.onthoud([teller], kopie=False)

    genomen = voorraad.basis(teller.id)
    assert genomen is not None
    genomen.tel()  # changed, then the save fails: nothing is given back

    assert voorraad.basis(teller.id) is None


def test_using_a_state_does_not_extend_how_long_it_is_kept() -> None:
    klok = Klok()
    voorraad = _voorraad(klok)
    teller = Teller()
    voorraad.onthoud([teller], kopie=False)

    klok.nu = 50.0
    ongewijzigd = voorraad.basis(teller.id)
    voorraad.onthoud([ongewijzigd], kopie=False)
    klok.nu = 61.0

    assert voorraad.basis(teller.id) is None


def test_a_changed_state_given_back_is_kept_from_its_save() -> None:
    klok = Klok()
    voorraad = _voorraad(klok)
    teller = Teller()
    teller.collect_events()
    voorraad.onthoud([teller], kopie=False)

    klok.nu = 50.0
    genomen = voorraad.basis(teller.id)
    assert isinstance(genomen, Teller)
    genomen.tel()
    genomen.collect_events()  # saved
    voorraad.onthoud([genomen], kopie=False)
    klok.nu = 61.0

    assert voorraad.basis(teller.id) is genomen
