"""Decisions as events (D15, D17, D18) and the DUO status of each melding."""

from __future__ import annotations

from datetime import date

import pytest

from services.opvolging.domain.actie import ActieSoort, ActieStatus
from services.opvolging.domain.beleid import Opvolgingsbeleid
from services.opvolging.domain.dossier import Dossier
from services.opvolging.domain.fouten import MeldingOnbekend, OngeldigeInvoer
from services.opvolging.domain.melding import MeldingStatus
from services.opvolging.domain.rasci import Rol


def _open_acties(dossier: Dossier, soort: ActieSoort) -> list:
    return [a for a in dossier.open_acties() if a.soort is soort]


@pytest.mark.parametrize(
    ("bevestigd", "event_naam"),
    [(True, "LuxeverzuimBevestigd"), (False, "LuxeverzuimAfgewezen")],
)
def test_luxeverzuim_decision_is_an_event_with_the_signal(
    bevestigd: bool, event_naam: str, beleid: Opvolgingsbeleid, h
) -> None:
    dossier = Dossier.open(
        leerling_id="LL-3", school_id="99XX-01", handeling=h("2025-10-27")
    )
    dossier.signaal_ontvangen(
        signaal_id="SG-7",
        soort="vermoedelijk_luxeverzuim",
        datum=date(2025, 10, 27),
        toelichting="",
        beleid=beleid,
        handeling=h("2025-10-27", "analyse"),
    )
    [actie] = dossier.acties.values()
    dossier.collect_events()

    dossier.beslis(
        actie.id,
        bevestigd=bevestigd,
        toelichting="tickets gezien",
        handeling=h("2025-10-28", "vc-1"),
    )

    [event] = dossier.collect_events()
    assert type(event).__name__ == event_naam
    assert (event.signaal_id, event.actie_id) == ("SG-7", actie.id)
    assert (event.leerling_id, event.school_id, event.door) == (
        "LL-3",
        "99XX-01",
        "vc-1",
    )
    assert actie.status is ActieStatus.AFGEROND
    assert actie.uitkomst == ("bevestigd" if bevestigd else "afgewezen")


def test_achterstallige_meldplicht_waits_for_confirmation(
    beleid: Opvolgingsbeleid, h
) -> None:
    dossier = Dossier.open(
        leerling_id="LL-4", school_id="99XX-01", handeling=h("2025-11-20")
    )
    dossier.meldplicht_ontvangen(
        meldplicht_id="MP-4",
        soort="V3",
        begindatum=date(2025, 9, 29),
        einddatum=date(2025, 10, 8),
        vervaldatum=date(2025, 10, 15),
        achterstallig=True,
        toelichting="correctie achteraf",
        beleid=beleid,
        handeling=h("2025-11-20", "analyse"),
    )

    [besluit] = _open_acties(dossier, ActieSoort.ACHTERSTALLIGE_MELDING_BEVESTIGEN)
    assert besluit.r_rol is Rol.VERZUIMCOORDINATOR
    assert besluit.referentie == "MP-4"
    assert dossier.meldingen["MP-4"].status is MeldingStatus.WACHT
    dossier.collect_events()

    dossier.beslis(
        besluit.id, bevestigd=True, toelichting="", handeling=h("2025-11-21")
    )

    [event] = dossier.collect_events()
    assert type(event).__name__ == "AchterstalligeMeldingBevestigd"
    assert event.meldplicht_id == "MP-4"


def test_rejected_achterstallige_melding_is_never_sent(
    beleid: Opvolgingsbeleid, h
) -> None:
    dossier = Dossier.open(
        leerling_id="LL-5", school_id="99XX-01", handeling=h("2025-11-20")
    )
    dossier.meldplicht_ontvangen(
        meldplicht_id="MP-5",
        soort="V3",
        begindatum=date(2025, 9, 29),
        einddatum=date(2025, 10, 8),
        vervaldatum=None,
        achterstallig=True,
        toelichting="",
        beleid=beleid,
        handeling=h("2025-11-20", "analyse"),
    )
    [besluit] = _open_acties(dossier, ActieSoort.ACHTERSTALLIGE_MELDING_BEVESTIGEN)

    dossier.beslis(
        besluit.id,
        bevestigd=False,
        toelichting="verlof alsnog verleend",
        handeling=h("2025-11-21"),
    )

    assert dossier.meldingen["MP-5"].status is MeldingStatus.GEANNULEERD
    assert (
        type(dossier.collect_events()[-1]).__name__ == "AchterstalligeMeldingAfgewezen"
    )


def test_withdrawal_is_proposed_once_and_sent_only_after_confirmation(
    dossier_met_meldplicht: Dossier, beleid: Opvolgingsbeleid, h
) -> None:
    dossier = dossier_met_meldplicht
    dossier.meldingstatus_wijzigen(
        "MP-1",
        status="geregistreerd",
        beleid=beleid,
        handeling=h("2025-09-19", "keten"),
    )

    eerste = dossier.intrekking_voorgesteld(
        meldplicht_id="MP-1", beleid=beleid, handeling=h("2025-09-22", "analyse")
    )
    tweede = dossier.intrekking_voorgesteld(
        meldplicht_id="MP-1", beleid=beleid, handeling=h("2025-09-22", "analyse")
    )
    assert eerste is not None and eerste == tweede
    assert len(_open_acties(dossier, ActieSoort.INTREKKING_BEOORDELEN)) == 1
    dossier.collect_events()

    dossier.beslis(
        eerste, bevestigd=True, toelichting="ziekmelding", handeling=h("2025-09-23")
    )

    [event] = dossier.collect_events()
    assert type(event).__name__ == "IntrekkingBevestigd"
    assert event.meldplicht_id == "MP-1"
    # the status follows DUO's feedback, not the decision
    assert dossier.meldingen["MP-1"].status is MeldingStatus.GEREGISTREERD
    dossier.meldingstatus_wijzigen(
        "MP-1", status="ingetrokken", beleid=beleid, handeling=h("2025-09-24", "keten")
    )
    assert (
        dossier.intrekking_voorgesteld(
            meldplicht_id="MP-1", beleid=beleid, handeling=h("2025-09-25", "analyse")
        )
        is None
    )
    with pytest.raises(MeldingOnbekend):
        dossier.intrekking_voorgesteld(
            meldplicht_id="MP-X", beleid=beleid, handeling=h("2025-09-25", "analyse")
        )


def test_status_follows_the_duo_lifecycle_and_ignores_repeats_and_stale_feedback(
    dossier_met_meldplicht: Dossier, beleid: Opvolgingsbeleid, h
) -> None:
    dossier = dossier_met_meldplicht

    def status(waarde: str, dag: str, **extra: str) -> bool:
        return dossier.meldingstatus_wijzigen(
            "MP-1", status=waarde, beleid=beleid, handeling=h(dag, "keten"), **extra
        )

    assert status("geregistreerd", "2025-09-19", meldingsnummer="DUO-0042")
    assert not status("geregistreerd", "2025-09-19")  # redelivery
    assert status("in_behandeling", "2025-09-25")
    assert not status("geregistreerd", "2025-09-26")  # stale, pulled late
    assert status("ter_kennisgeving_aangenomen", "2025-10-06")
    assert not status("in_behandeling", "2025-10-07")  # an end status stays

    melding = dossier.meldingen["MP-1"]
    assert melding.status is MeldingStatus.TER_KENNISGEVING_AANGENOMEN
    assert melding.meldingsnummer == "DUO-0042"
    assert [(w.status.value, w.door) for w in melding.historie] == [
        ("geregistreerd", "keten"),
        ("in_behandeling", "keten"),
        ("ter_kennisgeving_aangenomen", "keten"),
    ]


def test_legacy_duo_codes_map_to_statuses() -> None:
    assert MeldingStatus.van_code("B") is MeldingStatus.IN_BEHANDELING
    assert MeldingStatus.van_code("I") is MeldingStatus.INGETROKKEN
    with pytest.raises(OngeldigeInvoer):
        MeldingStatus.van_code("Z")


def test_a_refused_melding_becomes_an_action_for_the_verzuimcoordinator(
    dossier_met_meldplicht: Dossier, beleid: Opvolgingsbeleid, h
) -> None:
    dossier = dossier_met_meldplicht

    with pytest.raises(OngeldigeInvoer):  # a refusal without reason helps nobody
        dossier.meldingstatus_wijzigen(
            "MP-1",
            status="afgewezen",
            beleid=beleid,
            handeling=h("2025-09-19", "keten"),
        )
    dossier.meldingstatus_wijzigen(
        "MP-1",
        status="afgewezen",
        reden="DC0002: gemeentecode onbekend",
        beleid=beleid,
        handeling=h("2025-09-19", "keten"),
    )

    [herstel] = _open_acties(dossier, ActieSoort.AFGEWEZEN_MELDING_HERSTELLEN)
    assert herstel.r_rol is Rol.VERZUIMCOORDINATOR
    assert herstel.referentie == "MP-1"
    assert dossier.meldingen["MP-1"].reden == "DC0002: gemeentecode onbekend"

    # resent and accepted: the repair action closes itself
    dossier.meldingstatus_wijzigen(
        "MP-1",
        status="geregistreerd",
        beleid=beleid,
        handeling=h("2025-09-22", "keten"),
    )
    assert herstel.status is ActieStatus.AFGEROND
    assert herstel.uitkomst == "melding alsnog geregistreerd"


def test_rejected_withdrawal_keeps_the_melding(
    dossier_met_meldplicht: Dossier, beleid: Opvolgingsbeleid, h
) -> None:
    dossier = dossier_met_meldplicht
    dossier.meldingstatus_wijzigen(
        "MP-1",
        status="geregistreerd",
        beleid=beleid,
        handeling=h("2025-09-19", "keten"),
    )
    actie_id = dossier.intrekking_voorgesteld(
        meldplicht_id="MP-1", beleid=beleid, handeling=h("2025-09-22", "analyse")
    )
    assert actie_id is not None
    dossier.collect_events()

    dossier.beslis(
        actie_id,
        bevestigd=False,
        toelichting="ziekmelding te laat",
        handeling=h("2025-09-23"),
    )

    [event] = dossier.collect_events()
    assert type(event).__name__ == "IntrekkingAfgewezen"
    assert dossier.meldingen["MP-1"].status is MeldingStatus.GEREGISTREERD
    assert dossier.tijdlijn[-1].omschrijving.startswith("Intrekking afgewezen")
