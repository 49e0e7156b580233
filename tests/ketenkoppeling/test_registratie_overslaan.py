"""Ketenkoppeling acts on few of registratie's messages: the rest is not parsed."""

from __future__ import annotations

from contracts.registratie import (
    LeerlingGeregistreerd,
    VerzuimdagBijgewerkt,
    VerzuimGeclassificeerd,
    VerzuimVervallen,
)
from services.ketenkoppeling.policies import GEBRUIKTE_SOORTEN
from services.ketenkoppeling.service import SPEC


def test_pupil_days_and_slots_are_passed_over_unparsed() -> None:
    slots = {
        soort.event_type()
        for soort in (VerzuimdagBijgewerkt, VerzuimGeclassificeerd, VerzuimVervallen)
    }

    assert SPEC.event_types == GEBRUIKTE_SOORTEN
    assert not slots & GEBRUIKTE_SOORTEN
    assert LeerlingGeregistreerd.event_type() in GEBRUIKTE_SOORTEN
