"""The reactions to upstream events, run as the consumer runs them (no broker)."""

from __future__ import annotations

from datetime import date

import pytest

from contracts.common import Kalender, Periode, Rooster
from contracts.ketenkoppeling import NotificatieBezorgd
from contracts.registratie import (
    LeerlingGewist,
    SchoolGeregistreerd,
    VerzuimdagBijgewerkt,
    VerzuimGeclassificeerd,
    VerzuimVervallen,
)
from plumbing.clock import FixedClock
from plumbing.security.sleutelkluis import VERNIETIGD
from services.opvolging.application import Opvolging
from services.opvolging.domain.actie import ActieSoort, ActieStatus
from services.opvolging.domain.dossier import Dossier
from services.opvolging.domain.fouten import OngeldigeInvoer
from services.opvolging.domain.leerlingdossiers import LeerlingDossiers
from services.opvolging.domain.melding import MeldingStatus
from services.opvolging.policies import OpvolgingPolicy
from tests.opvolging.stroom import (
    SCHOOL,
    SCHOOL_UUID,
    Stroom,
    geclassificeerd,
    intrekking,
    maatregel,
    meldplicht,
    op,
    signaal,
    status,
    uid,
    vervallen,
)


@pytest.fixture
def stroom(app: Opvolging) -> Stroom:
    return Stroom(app, FixedClock(op("2025-09-18")))


def _dossier(stroom: Stroom, leerling: str) -> Dossier:
    return stroom.app.dossier(stroom.dossier_id(leerling))


def test_a_status_before_its_duty_is_parked_then_applied(stroom: Stroom) -> None:
    stroom.pas_toe(
        status("LL-1", "MP-1", "geregistreerd", meldingsnummer="DUO-1"),
        moment=op("2025-09-18", "08:00"),
    )

    assert stroom.app.dossiers(SCHOOL) == []
    pointer = stroom.app.repository.get(
        LeerlingDossiers.id_voor(SCHOOL, str(uid("LL-1")))
    )
    assert list(pointer.geparkeerd) == [str(uid("MP-1"))]

    stroom.pas_toe(meldplicht("LL-1", "MP-1"), moment=op("2025-09-18", "10:00"))

    melding = _dossier(stroom, "LL-1").meldingen[str(uid("MP-1"))]
    assert (melding.status, melding.meldingsnummer) == (
        MeldingStatus.GEREGISTREERD,
        "DUO-1",
    )
    [wijziging] = melding.historie
    assert (wijziging.door, wijziging.op) == (
        "systeem:ketenkoppeling",
        op("2025-09-18", "08:00"),
    )
    pointer = stroom.app.repository.get(pointer.id)
    assert pointer.geparkeerd == {}


def test_a_refusal_before_its_duty_becomes_a_repair_action(stroom: Stroom) -> None:
    stroom.pas_toe(status("LL-2", "MP-2", "afgewezen"))  # DUO gave no reason
    stroom.pas_toe(meldplicht("LL-2", "MP-2"))

    dossier = _dossier(stroom, "LL-2")
    melding = dossier.meldingen[str(uid("MP-2"))]
    assert melding.status is MeldingStatus.AFGEWEZEN and melding.reden
    [herstel] = [
        a
        for a in dossier.open_acties()
        if a.soort is ActieSoort.AFGEWEZEN_MELDING_HERSTELLEN
    ]
    assert herstel.referentie == str(uid("MP-2"))

    stroom.pas_toe(status("LL-2", "MP-2", "geregistreerd"))
    assert _dossier(stroom, "LL-2").actie(herstel.id).status is ActieStatus.AFGEROND


def test_a_lapsed_duty_cancels_its_melding_and_open_decision(stroom: Stroom) -> None:
    stroom.pas_toe(
        meldplicht("LL-3", "MP-3", achterstallig=True),
        status("LL-3", "MP-3", "wachtOpBevestiging"),
    )
    stroom.pas_toe(vervallen("LL-3", "MP-3"))

    dossier = _dossier(stroom, "LL-3")
    assert dossier.meldingen[str(uid("MP-3"))].status is MeldingStatus.GEANNULEERD
    assert [a.soort for a in dossier.open_acties()] == [ActieSoort.MAATREGEL]
    # nothing was ever reported, so closing without follow-up is allowed
    stroom.app.afsluiten(dossier.id, reden="geen_vervolg_nodig", door="vc-1")


def test_withdrawal_after_closing_goes_to_the_open_dossier(stroom: Stroom) -> None:
    stroom.pas_toe(meldplicht("LL-4", "MP-4"), status("LL-4", "MP-4", "geregistreerd"))
    oud = stroom.dossier_id("LL-4")
    stroom.app.afsluiten(oud, reden="leerling_vertrokken", door="vc-1")

    stroom.pas_toe(intrekking("LL-4", "MP-4"), moment=op("2025-11-03"))

    nieuw = _dossier(stroom, "LL-4")
    assert nieuw.id != oud
    [besluit] = nieuw.open_acties()
    assert besluit.soort is ActieSoort.INTREKKING_BEOORDELEN
    stroom.app.beslis(nieuw.id, besluit.id, bevestigd=True, door="vc-1")
    event = stroom.app.mapper.to_domain_event(
        stroom.app.recorder.select_notifications(1, 1000)[-1]
    )
    assert type(event).__name__ == "IntrekkingBevestigd"
    assert event.meldplicht_id == str(uid("MP-4"))


def test_analyse_proposing_a_decision_adds_no_second_action(stroom: Stroom) -> None:
    stroom.pas_toe(
        meldplicht("LL-5", "MP-5", achterstallig=True),
        maatregel(
            "LL-5",
            "MR-5a",
            "MP-5",
            "Verzuimmelding bij DUO indienen",
            code="verzuimmeldingIndienen",
            activiteit="rapporteren aan leerplichtambtenaar",
            verantwoordelijke="verzuimcoordinator",
            eindverantwoordelijke="leerplichtambtenaar",
        ),
        maatregel(
            "LL-5",
            "MR-5b",
            "MP-5",
            "Achterstallige melding bevestigen",
            code="achterstalligBevestigen",
            activiteit="rapporteren aan leerplichtambtenaar",
            verantwoordelijke="verzuimcoordinator",
        ),
        signaal("LL-5", "SG-5", "vermoedelijkLuxeverzuim", date(2025, 9, 15)),
        maatregel(
            "LL-5",
            "MR-5c",
            "SG-5",
            "Vermoedelijk luxeverzuim beoordelen",
            code="luxeverzuimBeoordelen",
            activiteit="analyseren verzuim",
            verantwoordelijke="verzuimcoordinator",
        ),
        maatregel(
            "LL-5",
            "MR-5d",
            "SG-5",
            "Consult jeugdarts aanvragen",
            code="jeugdartsConsult",
            verantwoordelijke="zorgcoordinator",
            optioneel=True,
        ),
    )

    acties = _dossier(stroom, "LL-5").acties.values()
    assert sorted((a.soort.value, a.titel) for a in acties) == [
        ("achterstallige_melding_bevestigen", "Achterstallige melding bevestigen"),
        ("luxeverzuim_beoordelen", "Vermoedelijk luxeverzuim beoordelen"),
        ("maatregel", "Consult jeugdarts aanvragen (optioneel)"),
        ("maatregel", "Gesprek mentor met leerling"),
    ]
    # Filing the melding is the chain's work: the dossier follows it as a melding,
    # not as a measure someone has to tick off.
    assert [m.meldplicht_id for m in _dossier(stroom, "LL-5").meldingen.values()] == [
        str(uid("MP-5"))
    ]


def test_a_duty_published_again_is_updated_where_it_is(stroom: Stroom) -> None:
    stroom.pas_toe(
        meldplicht("LL-11", "MP-11", soort="LRV", einddatum=None, vervaldatum=None),
        status("LL-11", "MP-11", "geregistreerd"),
    )
    dossier_id = stroom.dossier_id("LL-11")
    stroom.app.afsluiten(dossier_id, reden="leerling_vertrokken", door="vc-1")

    # D7: the einddatum of the LRV melding becomes known when the pupil is back
    bijgewerkt = meldplicht(
        "LL-11",
        "MP-11",
        soort="LRV",
        einddatum=date(2025, 11, 28),
        vervaldatum=date(2025, 12, 5),
    )
    stroom.pas_toe(bijgewerkt, moment=op("2025-12-01"))
    stroom.pas_toe(bijgewerkt, moment=op("2025-12-02"))  # unchanged: nothing new

    assert stroom.app.open_dossier(SCHOOL, str(uid("LL-11"))) is None
    dossier = stroom.app.dossier(dossier_id)
    duty = dossier.meldplichten[str(uid("MP-11"))]
    assert (duty.einddatum, duty.vervaldatum) == (date(2025, 11, 28), date(2025, 12, 5))
    assert [g.soort for g in dossier.tijdlijn][-2:] == [
        "Afgesloten",
        "MeldplichtBijgewerkt",
    ]


def test_a_signal_published_again_opens_no_new_dossier(stroom: Stroom) -> None:
    eerste = signaal("LL-12", "SG-12", "zorgwekkendZiekteverzuim", date(2025, 9, 10))
    stroom.pas_toe(eerste)
    dossier_id = stroom.dossier_id("LL-12")
    stroom.app.afsluiten(dossier_id, reden="geen_vervolg_nodig", door="vc-1")

    stroom.pas_toe(eerste.model_copy(update={"toelichting": "zevende dag ziek"}))

    assert stroom.app.open_dossier(SCHOOL, str(uid("LL-12"))) is None
    assert len(stroom.app.dossiers(SCHOOL)) == 1


def test_signal_codes_of_analyse_and_an_unknown_one(stroom: Stroom) -> None:
    stroom.pas_toe(signaal("LL-6", "SG-6", "teLaat", date(2025, 9, 16)))
    [ontvangen] = _dossier(stroom, "LL-6").signalen.values()
    assert ontvangen.soort.value == "te_laat"

    with pytest.raises(OngeldigeInvoer):  # the consumer dead-letters it
        stroom.pas_toe(signaal("LL-7", "SG-7", "maanziek", date(2025, 9, 16)))
    assert stroom.app.open_dossier(SCHOOL, str(uid("LL-7"))) is None


def test_events_opvolging_does_not_need_change_nothing(stroom: Stroom) -> None:
    stroom.pas_toe(
        NotificatieBezorgd(
            notificatie_id=uid("N-1"),
            leerling_id=uid("LL-8"),
            school_id=SCHOOL_UUID,
            ontvanger="ouders",
            kanaal="email",
            status="bezorgd",
        ),
        geclassificeerd("LL-8", date(2025, 9, 15), 1, 50, status="geoorloofd"),
    )
    assert stroom.app.recorder.max_notification_id() in (None, 0)


def test_weekly_figures_follow_registratie_and_the_school_calendar(
    stroom: Stroom,
) -> None:
    herfst = Periode(van=date(2025, 10, 20), tot=date(2025, 10, 24))
    stroom.pas_toe(
        SchoolGeregistreerd(
            school_id=SCHOOL_UUID,
            brin="99XX",
            naam="Testschool",
            sector="vo",
            kalender=Kalender(vakanties=[herfst], eerste_schooldag=date(2025, 9, 1)),
            rooster=Rooster(lesuren={}),
        ),
        geclassificeerd("LL-9", date(2025, 9, 8), 1, 50),
        geclassificeerd("LL-9", date(2025, 9, 15), 1, 50),
        geclassificeerd("LL-9", date(2025, 9, 15), 2, 50),
        geclassificeerd("LL-9", date(2025, 9, 23), 1, 50),
        geclassificeerd("LL-9", date(2025, 10, 27), 3, 45),
        meldplicht("LL-9", "MP-9"),
    )
    # reclassified as sick, and a slot withdrawn: neither counts any more
    stroom.pas_toe(
        geclassificeerd("LL-9", date(2025, 9, 15), 2, 50, status="geoorloofd"),
        VerzuimVervallen(
            leerling_id=uid("LL-9"),
            school_id=SCHOOL_UUID,
            slot_id=f"LL-9-{date(2025, 9, 8).isoformat()}-1",
            datum=date(2025, 9, 8),
        ),
    )

    dossier = _dossier(stroom, "LL-9")
    cijfers = stroom.app.weekcijfers(dossier, date(2025, 11, 1))

    # from the first school day; the autumn vacation week is no lesweek
    assert [(c.week.isoformat(), c.minuten) for c in cijfers] == [
        ("2025-09-01", 0),
        ("2025-09-08", 0),
        ("2025-09-15", 50),
        ("2025-09-22", 50),
        ("2025-09-29", 0),
        ("2025-10-06", 0),
        ("2025-10-13", 0),
        ("2025-10-27", 45),
    ]
    # evaluations fall due after lesweken: the vacation week does not count
    beleid = stroom.app.beleid(SCHOOL)
    assert beleid.kalender is not None
    assert dossier.evaluatie_verschuldigd_op(beleid) == date(2025, 10, 2)


def test_weekly_figures_take_a_pupil_day_in_one_message(stroom: Stroom) -> None:
    maandag, dinsdag = date(2025, 9, 15), date(2025, 9, 16)
    stroom.pas_toe(
        VerzuimdagBijgewerkt.van_slots(
            [
                geclassificeerd("LL-11", maandag, 1, 50),
                geclassificeerd("LL-11", maandag, 2, 50),
                geclassificeerd("LL-11", maandag, 3, 45),
            ]
        ),
        VerzuimdagBijgewerkt.van_slots([geclassificeerd("LL-11", dinsdag, 1, 50)]),
        meldplicht("LL-11", "MP-11"),
    )
    # one message: lesuur 2 reclassified as sick, lesuur 3 withdrawn
    stroom.pas_toe(
        VerzuimdagBijgewerkt.van_slots(
            [
                geclassificeerd("LL-11", maandag, 2, 50, status="geoorloofd"),
                VerzuimVervallen(
                    leerling_id=uid("LL-11"),
                    school_id=SCHOOL_UUID,
                    slot_id=f"LL-11-{maandag.isoformat()}-3",
                    datum=maandag,
                    lesuur=3,
                ),
            ]
        )
    )

    dossier = _dossier(stroom, "LL-11")
    cijfers = stroom.app.weekcijfers(dossier, date(2025, 9, 20))

    assert [(c.week.isoformat(), c.minuten) for c in cijfers][-1] == (
        "2025-09-15",
        50 + 50,
    )


def test_a_pupil_day_counts_as_its_slots_one_by_one(stroom: Stroom) -> None:
    # The day's first slot has no unauthorised time: slot by slot it finds no
    # figures and changes nothing; the figures begin with the second slot.
    maandag = date(2025, 9, 15)

    def dag(leerling: str) -> list[VerzuimGeclassificeerd]:
        return [
            geclassificeerd(leerling, maandag, 1, 50, status="geoorloofd"),
            geclassificeerd(leerling, maandag, 2, 45),
            geclassificeerd(leerling, maandag, 3, 50),
        ]

    stroom.pas_toe(
        VerzuimdagBijgewerkt.van_slots(dag("LL-12")),
        *dag("LL-13"),
        meldplicht("LL-12", "MP-12"),
        meldplicht("LL-13", "MP-13"),
    )

    per_dag, per_slot = (
        [
            (c.week, c.minuten)
            for c in stroom.app.weekcijfers(_dossier(stroom, ll), date(2025, 9, 20))
        ]
        for ll in ("LL-12", "LL-13")
    )
    assert per_dag == per_slot
    assert per_dag[-1] == (maandag, 45 + 50)


def test_without_any_figures_an_evaluation_says_so(stroom: Stroom) -> None:
    stroom.pas_toe(meldplicht("LL-10", "MP-10"))
    dossier = _dossier(stroom, "LL-10")

    assert stroom.app.weekcijfers(dossier, date(2025, 10, 2)) == []
    evaluatie = stroom.app.evalueer(
        dossier.id, peildatum=date(2025, 10, 2), door="vc-1", op=op("2025-10-02")
    )
    assert evaluatie.oordeel.value == "onvoldoende_gegevens"


def test_figures_start_with_the_first_unauthorised_slot_of_a_batch(
    stroom: Stroom,
) -> None:
    # one batch: a sick lesson first (no figures yet), then two unauthorised ones
    stroom.pas_toe(
        geclassificeerd("LL-11", date(2025, 9, 8), 1, 50, status="geoorloofd"),
        geclassificeerd("LL-11", date(2025, 9, 8), 2, 50),
        geclassificeerd("LL-11", date(2025, 9, 9), 1, 40),
        meldplicht("LL-11", "MP-11"),
    )

    dossier = _dossier(stroom, "LL-11")
    cijfers = stroom.app.weekcijfers(dossier, date(2025, 9, 20))

    assert {c.week: c.minuten for c in cijfers}[date(2025, 9, 8)] == 90


def test_an_erasure_in_a_batch_keeps_no_clear_text_in_the_cache(
    stroom: Stroom,
) -> None:
    # given a pupil with a dossier, its measure's title sealed with the pupil's key
    stroom.pas_toe(meldplicht("LL-12", "MP-12"))
    dossier_id = stroom.dossier_id("LL-12")
    assert stroom.app.kluis is not None

    # when one batch loads the dossier (a new status) and then erases the pupil
    policy = OpvolgingPolicy(stroom.app.beleid, stroom.klok.now, stroom.app.erase)
    events = [
        status("LL-12", "MP-12", "geregistreerd", meldingsnummer="DUO-12"),
        LeerlingGewist(
            leerling_id=uid("LL-12"),
            school_id=SCHOOL_UUID,
            grond="bewaartermijn",
            gewist_op=op("2025-09-19"),
        ),
    ]
    stroom.app.werkeenheid(
        lambda uow: [policy(uow, e, stroom.envelope(e)) for e in events]
    )

    # then reading the dossier shows the titles destroyed, not the cached copy's
    titels = {a.titel for a in stroom.app.dossier(dossier_id).acties.values()}
    assert titels == {VERNIETIGD}
