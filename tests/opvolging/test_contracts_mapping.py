"""Stored domain events → the published opvolging contracts."""

from __future__ import annotations

from datetime import date
from uuid import UUID

import pytest

from contracts.opvolging import (
    ActieAfgerond,
    BesluitGenomen,
    DossierGeopend,
    DossierGesloten,
)
from services.opvolging.contracts_mapping import to_contract
from services.opvolging.domain.beleid import Opvolgingsbeleid
from services.opvolging.domain.dossier import Dossier
from tests.opvolging.conftest import MaakHandeling
from tests.opvolging.stroom import SCHOOL, op, uid

LEERLING = str(uid("LL-60"))


def _dossier(beleid: Opvolgingsbeleid, h, **meldplicht: object) -> Dossier:
    dossier = Dossier.open(
        leerling_id=LEERLING,
        school_id=SCHOOL,
        handeling=h("2025-09-18", "systeem:analyse"),
        aanleiding_id=str(uid("MP-60")),
    )
    dossier.meldplicht_ontvangen(
        meldplicht_id=str(uid("MP-60")),
        soort="V3",
        begindatum=date(2025, 9, 15),
        einddatum=date(2025, 9, 17),
        vervaldatum=date(2025, 9, 24),
        achterstallig=bool(meldplicht.get("achterstallig", False)),
        toelichting="",
        beleid=beleid,
        handeling=h("2025-09-18", "systeem:analyse"),
    )
    return dossier


def test_opening_completing_and_closing_are_published(
    beleid: Opvolgingsbeleid, h: MaakHandeling
) -> None:
    dossier = _dossier(beleid, h)
    [stap] = dossier.open_acties()
    dossier.afronden(stap.id, uitkomst="gesprek gevoerd", handeling=h("2025-09-23"))
    dossier.meldingstatus_wijzigen(
        str(uid("MP-60")),
        status="geregistreerd",
        beleid=beleid,
        handeling=h("2025-09-19", "systeem:ketenkoppeling"),
    )
    dossier.afsluiten(
        reden="leerling_vertrokken", toelichting="", handeling=h("2025-09-30")
    )

    published = [c for e in dossier.collect_events() if (c := to_contract(e))]

    assert [type(c) for c in published] == [
        DossierGeopend,
        ActieAfgerond,
        DossierGesloten,
    ]
    geopend, afgerond, gesloten = published
    assert geopend.aanleiding_id == uid("MP-60")
    assert (geopend.dossier_id, geopend.leerling_id, geopend.school_id) == (
        dossier.id,
        UUID(LEERLING),
        UUID(SCHOOL),
    )
    assert (afgerond.titel, afgerond.uitkomst, afgerond.afgerond_op) == (
        "Gesprek mentor met leerling",
        "gesprek gevoerd",
        date(2025, 9, 23),
    )
    assert afgerond.actie_id == UUID(stap.id)
    assert gesloten.reden == "leerling_vertrokken"


def test_a_repaired_melding_is_no_measure_for_the_pupil(
    beleid: Opvolgingsbeleid, h: MaakHandeling
) -> None:
    dossier = _dossier(beleid, h)
    for waarde, reden in (("afgewezen", "onbekend BRIN"), ("geregistreerd", None)):
        dossier.meldingstatus_wijzigen(
            str(uid("MP-60")),
            status=waarde,
            reden=reden,
            beleid=beleid,
            handeling=h("2025-09-19", "systeem:ketenkoppeling"),
        )
    afgerond = [
        e for e in dossier.collect_events() if isinstance(e, Dossier.ActieAfgerond)
    ]

    assert [e.soort for e in afgerond] == ["afgewezen_melding_herstellen"]
    assert to_contract(afgerond[0]) is None


@pytest.mark.parametrize(
    ("bevestigd", "besluit"),
    [(True, "achterstalligBevestigd"), (False, "achterstalligAfgewezen")],
)
def test_backlog_decision(
    beleid: Opvolgingsbeleid, h: MaakHandeling, bevestigd: bool, besluit: str
) -> None:
    dossier = _dossier(beleid, h, achterstallig=True)
    [beslissing] = [a for a in dossier.open_acties() if a.soort.is_besluit]
    dossier.collect_events()

    dossier.beslis(
        beslissing.id,
        bevestigd=bevestigd,
        toelichting="ouders gesproken",
        handeling=h("2025-11-21", "vc-9", "13:30"),
    )

    [event] = [
        e for e in dossier.collect_events() if "Achterstallige" in type(e).__name__
    ]
    contract = to_contract(event)
    assert isinstance(contract, BesluitGenomen)
    assert (contract.besluit, contract.verwijzing_id) == (besluit, uid("MP-60"))
    assert (contract.door, contract.op) == ("vc-9", op("2025-11-21", "13:30"))
    assert contract.toelichting == "ouders gesproken"


@pytest.mark.parametrize(
    ("bevestigd", "besluit"),
    [(True, "luxeverzuimBevestigd"), (False, "luxeverzuimAfgewezen")],
)
def test_luxeverzuim_decision_refers_to_the_signal(
    beleid,
    h,
    bevestigd: bool,
    besluit: str,
) -> None:
    dossier = Dossier.open(
        leerling_id=LEERLING, school_id=SCHOOL, handeling=h("2025-10-27")
    )
    dossier.signaal_ontvangen(
        signaal_id=str(uid("SG-61")),
        soort="vermoedelijk_luxeverzuim",
        datum=date(2025, 10, 27),
        toelichting="",
        beleid=beleid,
        handeling=h("2025-10-27"),
    )
    [beslissing] = dossier.open_acties()
    dossier.collect_events()
    dossier.beslis(
        beslissing.id, bevestigd=bevestigd, toelichting="", handeling=h("2025-10-28")
    )

    [event] = dossier.collect_events()
    contract = to_contract(event)

    assert isinstance(contract, BesluitGenomen)
    assert (contract.besluit, contract.verwijzing_id) == (besluit, uid("SG-61"))
    assert contract.toelichting is None


@pytest.mark.parametrize(
    ("bevestigd", "besluit"),
    [(True, "intrekkingBevestigd"), (False, "intrekkingAfgewezen")],
)
def test_withdrawal_decision_refers_to_the_duty(
    beleid,
    h,
    bevestigd: bool,
    besluit: str,
) -> None:
    dossier = _dossier(beleid, h)
    mid = str(uid("MP-60"))
    dossier.meldingstatus_wijzigen(
        mid, status="geregistreerd", beleid=beleid, handeling=h("2025-09-19")
    )
    actie_id = dossier.intrekking_voorgesteld(
        meldplicht_id=mid, beleid=beleid, handeling=h("2025-10-01")
    )
    assert actie_id is not None
    dossier.collect_events()
    dossier.beslis(
        actie_id, bevestigd=bevestigd, toelichting="", handeling=h("2025-10-02")
    )

    [event] = dossier.collect_events()
    contract = to_contract(event)

    assert isinstance(contract, BesluitGenomen)
    assert (contract.besluit, contract.verwijzing_id) == (besluit, uid("MP-60"))


def test_internal_events_are_not_published(
    beleid: Opvolgingsbeleid, h: MaakHandeling
) -> None:
    dossier = _dossier(beleid, h)
    events = dossier.collect_events()[1:]  # all but the opening

    assert events and all(to_contract(e) is None for e in events)
