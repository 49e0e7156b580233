"""The pupil aggregate: events from diffs, D15 cancellation and withdrawal, replay."""

from collections.abc import Iterable
from datetime import date
from typing import Any

import pytest
from eventsourcing.application import Application

from leerplicht.fixtures import PO_ROOSTER, TC_2526, VO_ROOSTER
from services.analyse.domain.aggregate import Leerlingbeeld, Schoolcontext
from services.analyse.domain.luxe import vermoedelijk_sleutel
from services.analyse.domain.maatregelen import Rol
from services.analyse.domain.model import (
    AnalyseFout,
    Sector,
    Slot,
    Slotstatus,
    Verzuimsoort,
)

VO = Schoolcontext(TC_2526, VO_ROOSTER)
PO = Schoolcontext(TC_2526, PO_ROOSTER)


def _lesuren(
    dag: str, lesuren: Iterable[int] = range(1, 8), **kwargs: Any
) -> list[Slot]:
    d = date.fromisoformat(dag)
    status = kwargs.pop("status", Slotstatus.ONGEOORLOOFD)
    return [Slot(f"{dag}/{lu}", d, lu, status, 60, **kwargs) for lu in lesuren]


def _namen(beeld: Leerlingbeeld) -> list[str]:
    return [type(e).__name__ for e in beeld.collect_events()]


def _s01(beeld: Leerlingbeeld) -> None:
    slots = (
        _lesuren("2025-09-15") + _lesuren("2025-09-16") + _lesuren("2025-09-17", [1, 2])
    )
    beeld.verwerk_slots(slots, [], VO, date(2025, 9, 17))


def test_duty_found_then_cancelled_before_submission() -> None:
    # Given S01 registered.
    beeld = Leerlingbeeld.nieuw("leerling-1", date(2011, 3, 10), Sector.VO)
    _s01(beeld)
    eerst = beeld.collect_events()
    assert [type(e).__name__ for e in eerst][:3] == [
        "Aangemaakt",
        "SlotsBijgewerkt",
        "MeldplichtVastgesteld",
    ]
    assert all(e.leerling_id == "leerling-1" for e in eerst)
    maatregelen = [e for e in eerst if type(e).__name__ == "MaatregelVoorgesteld"]
    assert {m.maatregel["code"] for m in maatregelen} == {
        "verzuimmeldingIndienen",
        "gesprekLeerlingOuders",
    }

    # When a correction removes two lesuren before the melding was submitted.
    beeld.verwerk_slots([], ["2025-09-17/1", "2025-09-17/2"], VO, date(2025, 9, 18))

    # Then the duty lapses (D15) and nothing is left.
    assert _namen(beeld) == ["SlotsBijgewerkt", "MeldplichtVervallen"]
    assert beeld.resultaat.meldplichten == ()


def test_duty_cancelled_while_it_was_being_sent_becomes_a_withdrawal_proposal() -> None:
    # Given S01's duty cancelled by a correction before analyse heard of the sending.
    beeld = Leerlingbeeld.nieuw("leerling-1b", date(2011, 3, 10), Sector.VO)
    _s01(beeld)
    beeld.verwerk_slots([], ["2025-09-17/1", "2025-09-17/2"], VO, date(2025, 9, 18))
    beeld.collect_events()

    # When DUO's registration of that melding arrives after all.
    beeld.registreer_indiening("V3:2025-09-17", VO, date(2025, 9, 18))

    # Then it is at DUO: the verzuimcoördinator gets a withdrawal proposal (D15).
    assert "IntrekkingVoorgesteld" in _namen(beeld)
    [voorstel] = beeld.resultaat.intrekkingsvoorstellen
    assert voorstel.sleutel == "V3:2025-09-17"
    assert beeld.vervallen == ()
    with pytest.raises(AnalyseFout):
        beeld.registreer_indiening("V3:2025-09-30", VO, date(2025, 9, 18))


def test_melding_at_duo_keeps_the_begindatum_it_was_sent_with() -> None:
    # Given 16 hours from Monday 22-09 (7 + 7 + 2): the duty V3:2025-09-24 from
    # 22-09, which ketenkoppeling sends to DUO.
    beeld = Leerlingbeeld.nieuw("leerling-1c", date(2011, 3, 10), Sector.VO)
    slots = (
        _lesuren("2025-09-22") + _lesuren("2025-09-23") + _lesuren("2025-09-24", [1, 2])
    )
    beeld.verwerk_slots(slots, [], VO, date(2025, 9, 24))
    [plicht] = beeld.resultaat.meldplichten
    assert (plicht.sleutel, plicht.begindatum) == ("V3:2025-09-24", date(2025, 9, 22))

    # When an older hour (12-09) comes in while the melding is on its way: analyse
    # states the same duty from 12-09 ...
    beeld.verwerk_slots(_lesuren("2025-09-12", [1]), [], VO, date(2025, 9, 24))
    [plicht] = beeld.resultaat.meldplichten
    assert (plicht.sleutel, plicht.begindatum) == ("V3:2025-09-24", date(2025, 9, 12))
    beeld.collect_events()
    # ... and DUO registers the melding as it was sent.
    beeld.registreer_indiening(
        "V3:2025-09-24",
        VO,
        date(2025, 9, 25),
        begindatum=date(2025, 9, 22),
        einddatum=date(2025, 9, 24),
    )

    # Then the melding is what DUO holds, and the hour before it is counted on its
    # own (R-MLD-8), not swallowed by the melding.
    [ingediend] = beeld.ingediend
    assert ingediend.begindatum == date(2025, 9, 22)
    [plicht] = beeld.resultaat.meldplichten
    assert (plicht.begindatum, plicht.ingediend) == (date(2025, 9, 22), True)
    assert "MeldplichtBijgewerkt" in _namen(beeld)


def test_submitted_melding_gets_a_withdrawal_proposal_and_confirmation() -> None:
    beeld = Leerlingbeeld.nieuw("leerling-2", date(2011, 3, 10), Sector.VO)
    _s01(beeld)
    beeld.registreer_indiening("V3:2025-09-17", VO, date(2025, 9, 18))
    beeld.collect_events()

    beeld.verwerk_slots(
        _lesuren("2025-09-16", status=Slotstatus.GEOORLOOFD, ziek=True),
        [],
        VO,
        date(2025, 9, 18),
    )

    gebeurtenissen = beeld.collect_events()
    assert [type(e).__name__ for e in gebeurtenissen] == [
        "SlotsBijgewerkt",
        "IntrekkingVoorgesteld",
        "MaatregelVoorgesteld",
    ]
    maatregel = gebeurtenissen[-1].maatregel
    assert maatregel["code"] == "intrekkingBeoordelen"
    assert maatregel["verantwoordelijk"] == Rol.VERZUIMCOORDINATOR

    # A correction back restores the ground: the proposal lapses, the melding stays.
    beeld.verwerk_slots(_lesuren("2025-09-16"), [], VO, date(2025, 9, 19))
    assert _namen(beeld) == [
        "SlotsBijgewerkt",
        "IntrekkingsvoorstelVervallen",
        "MeldplichtBijgewerkt",
    ]
    assert beeld.resultaat.meldplicht("V3:2025-09-17").ingediend

    # Withdrawn after confirmation: the melding is gone for good.
    beeld.verwerk_slots(
        _lesuren("2025-09-16", status=Slotstatus.GEOORLOOFD, ziek=True),
        [],
        VO,
        date(2025, 9, 19),
    )
    beeld.bevestig_intrekking("V3:2025-09-17", VO, date(2025, 9, 19))
    assert beeld.resultaat.meldplichten == () == beeld.resultaat.intrekkingsvoorstellen
    assert beeld.ingediend == ()


def test_redelivered_slots_emit_nothing() -> None:
    # Pitfall T3: the same record twice is one record.
    beeld = Leerlingbeeld.nieuw("leerling-3", date(2011, 3, 10), Sector.VO)
    _s01(beeld)
    beeld.collect_events()

    _s01(beeld)

    assert _namen(beeld) == []


def test_confirming_a_signal_creates_the_luxe_melding() -> None:
    beeld = Leerlingbeeld.nieuw("leerling-4", date(2017, 5, 2), Sector.PO)
    slot = Slot("v", date(2025, 10, 17), None, Slotstatus.ONGEOORLOOFD, 300)
    beeld.verwerk_slots([slot], [], PO, date(2025, 10, 17))
    sleutel = vermoedelijk_sleutel(date(2025, 10, 17))
    assert [s.sleutel for s in beeld.resultaat.signalen] == [sleutel]
    beeld.collect_events()

    beeld.beoordeel_signaal(sleutel, True, PO, date(2025, 10, 27))

    assert _namen(beeld)[:2] == ["SignaalBeoordeeld", "MeldplichtVastgesteld"]
    assert beeld.resultaat.van_soort(Verzuimsoort.L)[0].begindatum == date(2025, 10, 17)
    with pytest.raises(AnalyseFout):
        beeld.beoordeel_signaal(sleutel, False, PO, date(2025, 10, 27))


def test_achterstallig_flag_stays_as_first_detected() -> None:
    beeld = Leerlingbeeld.nieuw("leerling-5", date(2011, 3, 10), Sector.VO)
    _s01(beeld)

    beeld.verwerk_slots(_lesuren("2025-09-17", [3]), [], VO, date(2025, 11, 30))

    melding = beeld.resultaat.meldplicht("V3:2025-09-17")
    assert melding.minuten == 17 * 60
    assert not melding.achterstallig


def test_events_survive_storage_and_replay() -> None:
    # The default JSON transcoder stores the events: payloads are plain data.
    app = Application[object]()
    beeld = Leerlingbeeld.nieuw("leerling-6", date(2011, 3, 10), Sector.VO)
    _s01(beeld)
    beeld.registreer_indiening("V3:2025-09-17", VO, date(2025, 9, 18))
    app.save(beeld)

    terug = app.repository.get(Leerlingbeeld.create_id("leerling-6"))

    assert isinstance(terug, Leerlingbeeld)
    assert terug.resultaat == beeld.resultaat
    assert set(terug.slots) == set(beeld.slots)
    assert terug.ingediend == beeld.ingediend


def test_backfilled_duty_is_achterstallig_and_needs_confirmation() -> None:
    # D17: S01 arrives on 2025-11-30, more than 28 days after its einddatum.
    beeld = Leerlingbeeld.nieuw("leerling-7", date(2011, 3, 10), Sector.VO)
    slots = (
        _lesuren("2025-09-15") + _lesuren("2025-09-16") + _lesuren("2025-09-17", [1, 2])
    )

    beeld.verwerk_slots(slots, [], VO, date(2025, 11, 30))

    assert beeld.resultaat.meldplicht("V3:2025-09-17").achterstallig
    codes = [
        e.maatregel["code"]
        for e in beeld.collect_events()
        if type(e).__name__ == "MaatregelVoorgesteld"
    ]
    assert "achterstalligBevestigen" in codes


def test_slot_accepts_the_contract_strings() -> None:
    slot = Slot("s", date(2025, 9, 15), 1, "ongeoorloofd", 0, soort="teLaat")  # type: ignore[arg-type]

    assert slot.status is Slotstatus.ONGEOORLOOFD
    assert slot.soort.value == "teLaat"
