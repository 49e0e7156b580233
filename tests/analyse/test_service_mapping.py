"""Analyse's adapters without a broker: contracts in, contracts out, the OpenAPI."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path
from typing import Any, get_args

from contracts.analyse import MeldplichtVastgesteld
from contracts.common import VersleuteldPgn
from contracts.registratie import LeerlingGeregistreerd
from leerplicht.fixtures import MBO_BBL_ROOSTER, PO_ROOSTER, TC_2526, VO_ROOSTER
from plumbing.runtime import ServiceRuntime
from services.analyse.api import Meldplichtstatus
from services.analyse.contracts_mapping import (
    contract_voor,
    meldplicht_id,
    met_berichten,
    to_contract,
    verzuimdagen,
)
from services.analyse.domain.aggregate import Leerlingbeeld, Schoolcontext
from services.analyse.domain.model import (
    STANDAARD_LADDER,
    Beleid,
    LateScope,
    Sector,
    Slot,
)
from services.analyse.leerling import Leerling
from services.analyse.leesmodel import STATUSSEN
from services.analyse.school import beleid_uit, rooster_uit
from services.analyse.service import SPEC, Settings
from tests.platform.adr_rules import lint

VO = Schoolcontext(TC_2526, VO_ROOSTER)


def test_registratie_default_policy_is_the_engine_default() -> None:
    # rules section 7 as registratie publishes it (camelCase, actions by name).
    beleid = beleid_uit(
        {
            "lateLadder": [
                [3, "talk"],
                [6, "letter"],
                [9, "report_overig"],
                [12, "report_again"],
            ],
            "lateScope": "schoolYear",
            "mazlFrequentCount": 4,
            "mazlFrequentWindowWeeks": 12,
            "mazlConsecutiveSchoolDays": 7,
            "melden18PlusBij16Uur": False,
            "teLaatDrempelMinuten": 20,  # registratie's own business
        }
    )

    assert beleid == Beleid()
    assert beleid.te_laat_ladder == STANDAARD_LADDER


def test_policy_values_are_read_and_a_bad_one_keeps_its_default() -> None:
    beleid = beleid_uit(
        {
            "lateScope": "calendarMonth",
            "melden18PlusBij16Uur": True,
            "signaalverzuimMinuten": 600,
            "mazlFrequentCount": "veel",
            "lateLadder": [[5, "onbekendeActie"]],
        }
    )

    assert beleid.te_laat_scope is LateScope.KALENDERMAAND
    assert beleid.melden_18plus_bij_16_uur
    assert beleid.signaalverzuim_minuten == 600
    assert beleid.mazl_aantal_episodes == Beleid().mazl_aantal_episodes
    assert beleid.te_laat_ladder == STANDAARD_LADDER


def test_a_pupils_timetable_keeps_only_its_own_lesdagen() -> None:
    data = {
        "lesuren": {
            str(dag): [
                {
                    "nummer": lu.nummer,
                    "begin": lu.begin.isoformat(),
                    "eind": lu.eind.isoformat(),
                }
                for lu in lessen
            ]
            for dag, lessen in VO_ROOSTER.per_weekdag.items()
        }
    }

    assert rooster_uit(data, None) == VO_ROOSTER
    assert set(rooster_uit(data, [2]).per_weekdag) == {2}


def _slot(dag: str, lesuur: int | None, minuten: int, sid: str | None = None) -> Slot:
    return Slot(
        sid or f"{dag}/{lesuur}",
        date.fromisoformat(dag),
        lesuur,
        "ongeoorloofd",
        minuten,
    )


def test_verzuimdagen_whole_day_or_the_lesuren() -> None:
    slots = {
        s.slot_id: s
        for s in [
            *(_slot("2025-09-15", lu, 60) for lu in range(1, 8)),
            _slot("2025-09-16", 1, 60),
            _slot("2025-09-16", 3, 60),
        ]
    }

    dagen = verzuimdagen(sorted(slots), slots, VO_ROOSTER)

    assert [(d.datum.day, d.hele_dag, d.lesuren) for d in dagen] == [
        (15, True, []),
        (16, False, [1, 3]),
    ]


def test_verzuimdagen_po_minutes_and_a_bbl_day() -> None:
    po = {
        "a": _slot("2025-10-06", None, 300, "a"),
        "b": _slot("2025-10-09", None, 30, "b"),
    }
    bbl = {f"x{lu}": _slot("2025-09-16", lu, 60, f"x{lu}") for lu in range(1, 9)}

    assert [d.hele_dag for d in verzuimdagen(["a", "b"], po, PO_ROOSTER)] == [
        True,
        False,
    ]
    assert [d.hele_dag for d in verzuimdagen(list(bbl), bbl, MBO_BBL_ROOSTER)] == [True]


def _leerling() -> Leerling:
    leerling = Leerling(str(uuid.UUID(int=1)), str(uuid.UUID(int=2)))
    leerling.registreer(
        LeerlingGeregistreerd(
            leerling_id=uuid.UUID(int=1),
            school_id=uuid.UUID(int=2),
            geboortedatum=date(2011, 3, 10),
            woongemeente="Teststad",
            inschrijving_vanaf=date(2025, 8, 1),
            pgn=VersleuteldPgn(soort="bsn", versleuteld="eA=="),
        ),
        date(2025, 9, 1),
    )
    return leerling


def test_messages_are_made_when_the_picture_changes_and_read_back_unchanged() -> None:
    # Given a pupil picture that finds S01's duty.
    leerling = _leerling()
    beeld = Leerlingbeeld.nieuw(leerling.leerling_id, date(2011, 3, 10), Sector.VO)
    slots = [
        *(_slot("2025-09-15", lu, 60) for lu in range(1, 8)),
        *(_slot("2025-09-16", lu, 60) for lu in range(1, 8)),
        *(_slot("2025-09-17", lu, 60) for lu in (1, 2)),
    ]

    # When the slots are processed with messages made ready.
    met_berichten(
        leerling,
        beeld,
        VO,
        lambda: beeld.verwerk_slots(slots, [], VO, date(2025, 9, 17)),
    )

    # Then the stored message reads back as the contract, with a stable id.
    klaar = [
        e for e in leerling.collect_events() if type(e).__name__ == "BerichtKlaargezet"
    ]
    contracten = [to_contract(e) for e in klaar]
    melding = next(c for c in contracten if isinstance(c, MeldplichtVastgesteld))
    assert melding.meldplicht_id == meldplicht_id(leerling.leerling_id, "V3:2025-09-17")
    assert str(melding.school_id) == leerling.school_id
    assert len(melding.slots) == 16
    maatregelen = [c for c in contracten if type(c).__name__ == "MaatregelVoorgesteld"]
    indienen = next(m for m in maatregelen if m.code == "verzuimmeldingIndienen")
    assert indienen.termijn == date(2025, 9, 24)  # D4
    assert indienen.aanleiding_id == melding.meldplicht_id
    assert indienen.eindverantwoordelijke == "leerplichtambtenaar"
    assert all(to_contract(e) is None for e in beeld.collect_events())


def test_internal_events_publish_nothing() -> None:
    beeld = Leerlingbeeld.nieuw("x", date(2011, 3, 10), Sector.VO)
    [aangemaakt] = beeld.collect_events()

    assert (
        contract_voor(
            aangemaakt, school_id="s", slots={}, rooster=VO_ROOSTER, termijnen={}
        )
        is None
    )


def test_startkwalificatie_counts_from_the_start_or_from_the_change() -> None:
    def bericht(sk: bool) -> LeerlingGeregistreerd:
        return LeerlingGeregistreerd(
            leerling_id=uuid.UUID(int=1),
            school_id=uuid.UUID(int=2),
            geboortedatum=date(2008, 3, 10),
            woongemeente="Teststad",
            inschrijving_vanaf=date(2025, 8, 1),
            startkwalificatie=sk,
            pgn=VersleuteldPgn(soort="bsn", versleuteld="eA=="),
        )

    met = Leerling("1", "2")
    met.registreer(bericht(True), date(2025, 9, 1))
    later = Leerling("1", "2")
    later.registreer(bericht(False), date(2025, 9, 1))
    later.registreer(bericht(True), date(2026, 3, 2))

    assert met.startkwalificatie_sinds == date.min
    assert later.startkwalificatie_sinds == date(2026, 3, 2)
    assert not later.registreer(bericht(True), date(2026, 4, 1))  # unchanged


def test_openapi_follows_the_api_design_rules(tmp_path: Path) -> None:
    runtime = ServiceRuntime(SPEC, Settings(verzuim_data_dir=tmp_path))

    document: dict[str, Any] = runtime.fastapi_app().openapi()

    assert lint(document) == []
    assert set(document["paths"]) >= {
        "/leerlingen/{leerlingId}/verzuimbeeld",
        "/meldplichten",
        "/trends",
    }
    trends = document["paths"]["/trends"]["get"]["responses"]["200"]["content"]
    assert {"application/json", "text/csv"} <= set(trends)


def test_the_api_names_every_duty_state_of_the_read_model() -> None:
    assert set(get_args(Meldplichtstatus)) == set(STATUSSEN)
