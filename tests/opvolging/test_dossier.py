"""The dossier aggregate: what opens it, actions with their audit trail, closing."""

from __future__ import annotations

import copy
from datetime import date, datetime

import pytest

from services.opvolging.domain.actie import ActieSoort, ActieStatus
from services.opvolging.domain.beleid import Opvolgingsbeleid
from services.opvolging.domain.dossier import Dossier
from services.opvolging.domain.fouten import (
    ActieNietOpen,
    ActieOnbekend,
    AfsluitenGeweigerd,
    DossierGesloten,
    OngeldigeInvoer,
    VerkeerdeActie,
)
from services.opvolging.domain.handeling import Handeling
from services.opvolging.domain.rasci import Activiteit, Rol


def _replay(dossier: Dossier) -> Dossier:
    """Rebuild the dossier from its own events, as the repository does."""
    events = dossier.collect_events()
    herbouwd = None
    for event in events:
        herbouwd = event.mutate(herbouwd)
    assert isinstance(herbouwd, Dossier)
    return herbouwd


def test_a_duty_opens_the_dossier_with_the_first_step_of_the_protocol(
    dossier_met_meldplicht: Dossier,
) -> None:
    dossier = dossier_met_meldplicht

    [actie] = dossier.acties.values()
    assert actie.titel == "Gesprek mentor met leerling"
    assert actie.activiteit is Activiteit.UITVOEREN_MAATREGELEN
    assert actie.r_rol is Rol.MENTOR
    assert actie.a_rol is Rol.MENTOR  # no A in the matrix: R answers for it
    assert actie.i_rollen == (Rol.SCHOOLLEIDER, Rol.ADMINISTRATIE)
    assert actie.vervaldatum == date(2025, 9, 25)  # Thu 18 Sep + 5 working days
    assert actie.ladderstap == 0
    assert dossier.maatregelen_vanaf == date(2025, 9, 18)
    assert dossier.meldingen["MP-1"].status.value == "wacht"


def test_every_event_carries_pupil_school_actor_and_moment(
    dossier_met_meldplicht: Dossier,
) -> None:
    events = dossier_met_meldplicht.collect_events()

    assert [type(e).__name__ for e in events] == [
        "Geopend",
        "MeldplichtOntvangen",
        "ActieToegevoegd",
    ]
    for event in events:
        assert event.leerling_id == "LL-1001"
        assert event.school_id == "99XX-01"
        assert event.door == "analyse"
        assert event.op.utcoffset() is not None


def test_further_duties_and_signals_join_and_repeats_change_nothing(
    dossier_met_meldplicht: Dossier, beleid: Opvolgingsbeleid, h
) -> None:
    dossier = dossier_met_meldplicht
    versie = dossier.version

    herhaald = dossier.meldplicht_ontvangen(
        meldplicht_id="MP-1",
        soort="V3",
        begindatum=date(2025, 9, 15),
        einddatum=date(2025, 9, 17),
        vervaldatum=None,
        achterstallig=False,
        toelichting="",
        beleid=beleid,
        handeling=h("2025-09-19", "analyse"),
    )
    assert herhaald is False
    assert dossier.version == versie

    nieuw = dossier.signaal_ontvangen(
        signaal_id="SG-1",
        soort="te_laat",
        datum=date(2025, 9, 22),
        toelichting="stap 3",
        beleid=beleid,
        handeling=h("2025-09-22", "analyse"),
    )
    assert nieuw is True
    assert set(dossier.signalen) == {"SG-1"}
    assert len(dossier.acties) == 1  # the protocol already runs: no second first step


@pytest.mark.parametrize(
    ("soort", "fout"),
    [("V1", OngeldigeInvoer), ("X", OngeldigeInvoer)],
    ids=["obsolete code", "unknown code"],
)
def test_unknown_or_obsolete_verzuimsoort_is_refused(
    soort: str, fout: type[Exception], beleid: Opvolgingsbeleid, h
) -> None:
    dossier = Dossier.open(
        leerling_id="LL-1", school_id="99XX-01", handeling=h("2025-09-18")
    )

    with pytest.raises(fout):
        dossier.meldplicht_ontvangen(
            meldplicht_id="MP-9",
            soort=soort,
            begindatum=date(2025, 9, 15),
            einddatum=None,
            vervaldatum=None,
            achterstallig=False,
            toelichting="",
            beleid=beleid,
            handeling=h("2025-09-18"),
        )


def test_naive_moment_and_missing_actor_are_refused() -> None:
    with pytest.raises(OngeldigeInvoer):
        Handeling("vc-1", datetime(2025, 9, 18, 9))
    with pytest.raises(OngeldigeInvoer):
        Handeling(" ", datetime.fromisoformat("2025-09-18T09:00+02:00"))


def test_action_lifecycle_records_who_and_when(
    dossier_met_meldplicht: Dossier, beleid: Opvolgingsbeleid, h
) -> None:
    dossier = dossier_met_meldplicht

    actie_id = dossier.actie_toevoegen(
        titel="Huisbezoek",
        activiteit="uitvoeren_maatregelen",
        beleid=beleid,
        handeling=h("2025-09-19", "vc-1"),
        r_rol="zorgcoordinator",
        vervaldatum=date(2025, 9, 30),
    )
    dossier.hertoewijzen(
        actie_id,
        r_rol="mentor",
        a_rol="schoolleider",
        toelichting="mentor kent gezin",
        handeling=h("2025-09-20", "zc-2"),
    )
    dossier.afronden(
        actie_id, uitkomst="ouders gesproken", handeling=h("2025-09-24", "mentor-7")
    )

    actie = dossier.actie(actie_id)
    assert (actie.r_rol, actie.a_rol) == (Rol.MENTOR, Rol.SCHOOLLEIDER)
    assert actie.status is ActieStatus.AFGEROND
    assert actie.uitkomst == "ouders gesproken"
    assert (actie.aangemaakt_door, actie.gewijzigd_door) == ("vc-1", "mentor-7")
    assert actie.gewijzigd_op == h("2025-09-24").op
    assert [(w.wat, w.door) for w in actie.historie] == [
        ("aangemaakt", "vc-1"),
        ("toegewezen aan mentor (A: schoolleider)", "zc-2"),
        ("afgerond", "mentor-7"),
    ]
    assert _replay(dossier) == dossier


def test_closed_or_cancelled_actions_do_not_change_again(
    dossier_met_meldplicht: Dossier, h
) -> None:
    dossier = dossier_met_meldplicht
    [actie_id] = dossier.acties

    dossier.annuleren(actie_id, reden="leerling ziek", handeling=h("2025-09-19"))

    assert dossier.actie(actie_id).status is ActieStatus.GEANNULEERD
    with pytest.raises(ActieNietOpen):
        dossier.afronden(actie_id, uitkomst="toch gedaan", handeling=h("2025-09-20"))
    with pytest.raises(ActieOnbekend):
        dossier.afronden("bestaat-niet", uitkomst="x", handeling=h("2025-09-20"))
    with pytest.raises(OngeldigeInvoer):
        dossier.actie_toevoegen(
            titel="X",
            activiteit="koffie_drinken",
            beleid=Opvolgingsbeleid(),
            handeling=h("2025-09-20"),
        )


def test_a_given_action_id_makes_a_proposal_idempotent(
    dossier_met_meldplicht: Dossier, beleid: Opvolgingsbeleid, h
) -> None:
    dossier = dossier_met_meldplicht
    for _ in range(2):
        dossier.actie_toevoegen(
            titel="Gesprek zorgteam",
            activiteit="uitvoeren_maatregelen",
            beleid=beleid,
            handeling=h("2025-09-19", "analyse"),
            actie_id="MR-1",
        )

    assert sum(a.titel == "Gesprek zorgteam" for a in dossier.acties.values()) == 1


def test_closing_cancels_open_measures_and_stops_changes(
    dossier_met_meldplicht: Dossier, beleid: Opvolgingsbeleid, h
) -> None:
    dossier = dossier_met_meldplicht
    dossier.meldingstatus_wijzigen(
        "MP-1",
        status="geregistreerd",
        beleid=beleid,
        handeling=h("2025-09-19", "keten"),
    )

    dossier.afsluiten(
        reden="leerling_vertrokken",
        toelichting="ingeschreven op andere school",
        handeling=h("2025-09-26", "vc-1"),
    )

    assert not dossier.is_open
    assert all(a.status is ActieStatus.GEANNULEERD for a in dossier.acties.values())
    assert dossier.afgesloten_door == "vc-1"
    with pytest.raises(DossierGesloten):
        dossier.actie_toevoegen(
            titel="Nog iets",
            activiteit="uitvoeren_maatregelen",
            beleid=beleid,
            handeling=h("2025-09-29"),
        )
    # the municipality still closes the melding after the dossier was closed
    assert dossier.meldingstatus_wijzigen(
        "MP-1", status="afgesloten", beleid=beleid, handeling=h("2025-11-03", "keten")
    )
    assert dossier.meldingen["MP-1"].status.value == "afgesloten"


def test_closing_waits_for_meldingen_and_decisions(
    dossier_met_meldplicht: Dossier, beleid: Opvolgingsbeleid, h
) -> None:
    dossier = dossier_met_meldplicht

    with pytest.raises(AfsluitenGeweigerd):  # the melding is not registered yet
        dossier.afsluiten(
            reden="leerling_vertrokken", toelichting="", handeling=h("2025-09-19")
        )

    dossier.meldingstatus_wijzigen(
        "MP-1",
        status="geregistreerd",
        beleid=beleid,
        handeling=h("2025-09-19", "keten"),
    )
    dossier.signaal_ontvangen(
        signaal_id="SG-2",
        soort="vermoedelijk_luxeverzuim",
        datum=date(2025, 10, 27),
        toelichting="",
        beleid=beleid,
        handeling=h("2025-10-27", "analyse"),
    )
    with pytest.raises(AfsluitenGeweigerd):  # the luxeverzuim decision is open
        dossier.afsluiten(
            reden="leerling_vertrokken", toelichting="", handeling=h("2025-10-28")
        )
    with pytest.raises(AfsluitenGeweigerd):  # no evaluation shows that verzuim stopped
        dossier.afsluiten(
            reden="verzuim_gestopt", toelichting="", handeling=h("2025-10-28")
        )
    with pytest.raises(
        AfsluitenGeweigerd
    ):  # a dossier with a melding needs a real reason
        dossier.afsluiten(
            reden="geen_vervolg_nodig", toelichting="", handeling=h("2025-10-28")
        )
    with pytest.raises(OngeldigeInvoer):
        dossier.afsluiten(reden="opgelost", toelichting="", handeling=h("2025-10-28"))


def test_decision_actions_are_only_decided_not_completed(
    beleid: Opvolgingsbeleid, h
) -> None:
    dossier = Dossier.open(
        leerling_id="LL-2", school_id="99XX-01", handeling=h("2025-10-27")
    )
    dossier.signaal_ontvangen(
        signaal_id="SG-3",
        soort="vermoedelijk_luxeverzuim",
        datum=date(2025, 10, 27),
        toelichting="dag na herfstvakantie",
        beleid=beleid,
        handeling=h("2025-10-27", "analyse"),
    )

    [actie] = dossier.acties.values()
    assert actie.soort is ActieSoort.LUXEVERZUIM_BEOORDELEN
    assert actie.r_rol is Rol.VERZUIMCOORDINATOR
    assert (
        dossier.ladderstap == -1
    )  # D18: no protocol before the suspicion is confirmed
    with pytest.raises(VerkeerdeActie):
        dossier.afronden(actie.id, uitkomst="klaar", handeling=h("2025-10-28"))
    with pytest.raises(VerkeerdeActie):
        dossier.annuleren(actie.id, reden="weg", handeling=h("2025-10-28"))
    with pytest.raises(VerkeerdeActie):
        dossier.beslis_intrekking(
            actie.id, bevestigd=True, toelichting="", handeling=h("2025-10-28")
        )


def test_decisions_stay_with_the_verzuimcoordinator(
    beleid: Opvolgingsbeleid, h
) -> None:
    dossier = Dossier.open(
        leerling_id="LL-6", school_id="99XX-01", handeling=h("2025-10-27")
    )
    dossier.signaal_ontvangen(
        signaal_id="SG-6",
        soort="vermoedelijk_luxeverzuim",
        datum=date(2025, 10, 27),
        toelichting="",
        beleid=beleid,
        handeling=h("2025-10-27", "analyse"),
    )
    [actie] = dossier.acties.values()

    with pytest.raises(VerkeerdeActie):
        dossier.hertoewijzen(actie.id, r_rol="mentor", handeling=h("2025-10-28"))
    dossier.hertoewijzen(
        actie.id,
        r_rol="verzuimcoordinator",
        a_rol="schoolleider",
        handeling=h("2025-10-28"),
    )
    assert actie.a_rol is Rol.SCHOOLLEIDER


def test_a_copy_for_a_command_leaves_the_cached_dossier_as_it_was(
    dossier_met_meldplicht: Dossier, beleid: Opvolgingsbeleid, h
) -> None:
    # given a dossier as the repository caches it
    origineel = dossier_met_meldplicht
    origineel.collect_events()
    [actie_id] = origineel.acties
    voor = _stand(origineel)

    # when a unit of work changes its copy: an action, a melding, the timeline
    kopie = copy.deepcopy(origineel)
    assert kopie == origineel
    kopie.hertoewijzen(
        actie_id, r_rol="zorgcoordinator", handeling=h("2025-09-19", "vc-1")
    )
    kopie.afronden(actie_id, uitkomst="gesprek gevoerd", handeling=h("2025-09-20"))
    kopie.meldingstatus_wijzigen(
        "MP-1",
        status="geregistreerd",
        beleid=beleid,
        handeling=h("2025-09-21", "systeem:ketenkoppeling"),
        meldingsnummer="DUO-1",
    )

    # then the cached dossier did not change with it
    assert kopie != origineel
    assert _stand(origineel) == voor
    assert origineel.actie(actie_id).status is ActieStatus.OPEN
    assert len(origineel.actie(actie_id).historie) == 1
    assert origineel.meldingen["MP-1"].historie == []


def _stand(dossier: Dossier) -> dict[str, object]:
    """What the dossier holds, by value (a generic deep copy of its state)."""
    return copy.deepcopy(
        {
            naam: waarde
            for naam, waarde in vars(dossier).items()
            if naam not in ("acties", "meldingen")
        }
        | {
            "acties": {i: vars(a).copy() for i, a in dossier.acties.items()},
            "meldingen": {i: vars(m).copy() for i, m in dossier.meldingen.items()},
        }
    )
