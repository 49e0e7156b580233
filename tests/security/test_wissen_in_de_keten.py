"""Erasure reaches every service: after `wissen leerling`, no store of the chain
still yields the pupil's personal data, while counts, duties and statuses stay.

The chain of `keten_met_persoonsgegevens` runs (SQLite and PostgreSQL):
a pupil with a BSN, a remark naming an illness, a leave decision with a reason,
a melding filed at the DUO stand-in and a dossier action that names a person and
the illness, completed, so ketenkoppeling holds its text too. Then registratie
erases the pupil from the command line while the chain runs. Each service's store
is read afterwards the way anyone holding its store key and its key vault would:
every event through the service's own mapper, and every PGN-key encrypted number
decrypted with the PGN key. All names, numbers and texts are made up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any
from uuid import UUID

import pytest

from contracts.common import VersleuteldPgn
from contracts.pgn import PgnSleutelFout, ontsleutel
from plumbing.store import ServiceApplication, store_env
from services.analyse.application import Analyse
from services.analyse.leerling import Leerling as AnalyseLeerling
from services.ketenkoppeling.application import Ketenkoppeling
from services.opvolging.application import Opvolging
from services.opvolging.domain.leerlingdossiers import LeerlingDossiers
from services.registratie.service_app import RegistratieDienst, pgn_sleutel
from services.registratie.wissen import main as wissen
from standins.duo import DuoStandin
from tests.e2e.harness import Keten, wait_for
from tests.security.keten_met_persoonsgegevens import (
    BSN,
    GEBOORTEDATUM,
    REDEN_BESLUIT,
    SCHOOL,
    ZIEKTE,
    door_de_keten,
    ok,
)

pytestmark = pytest.mark.broker

#: The pupil's own data; the school contact's name is the school's, not the pupil's.
VAN_DE_LEERLING = (BSN, GEBOORTEDATUM, ZIEKTE, REDEN_BESLUIT)
UITKOMST = f"Gesproken; {ZIEKTE} is voorbij"

_APPS: dict[str, type[ServiceApplication]] = {
    "registratie": RegistratieDienst,
    "analyse": Analyse,
    "opvolging": Opvolging,
    "ketenkoppeling": Ketenkoppeling,
}


def _waarden(state: Any) -> Iterator[Any]:
    if isinstance(state, dict):
        yield state
        for waarde in state.values():
            yield from _waarden(waarde)
    elif isinstance(state, list | tuple):
        for waarde in state:
            yield from _waarden(waarde)
    else:
        yield state


def _leesbaar(keten: Keten, service: str) -> tuple[list[str], int]:
    """What of the pupil a reader of this store can still decrypt, and how many
    events were read."""
    settings = keten.settings_for(service)
    app = _APPS[service](env=store_env(service, settings))
    sleutel = pgn_sleutel(settings)
    gevonden: list[str] = []
    gelezen = 0
    try:
        start = 1
        while notificaties := app.recorder.select_notifications(start, 500):
            for notificatie in notificaties:
                event = app.mapper.to_domain_event(notificatie)
                gelezen += 1
                for waarde in _waarden(vars(event)):
                    if isinstance(waarde, dict) and "versleuteld" in waarde:
                        try:
                            waarde = ontsleutel(VersleuteldPgn(**waarde), sleutel)
                        except (PgnSleutelFout, ValueError, TypeError):
                            continue
                    tekst = str(waarde)
                    gevonden += [
                        f"{service}/{notificatie.topic}: {g}"
                        for g in VAN_DE_LEERLING
                        if g in tekst
                    ]
            start = notificaties[-1].id + 1
    finally:
        app.close()
    return gevonden, gelezen


async def _stand(keten: Keten, leerling: UUID, dossier_id: str) -> dict[str, Any]:
    """What the services count and decided about the pupil, by their APIs."""
    beeld = await ok(
        await keten.clients["analyse"].get(f"/v1/leerlingen/{leerling}/verzuimbeeld")
    )
    meldingen = await keten.clients["ketenkoppeling"].get(
        "/v1/verzuimmeldingen", params={"schoolId": str(SCHOOL)}
    )
    assert meldingen.status_code == 200, meldingen.text
    dossier = await ok(
        await keten.clients["opvolging"].get(f"/v1/dossiers/{dossier_id}")
    )
    return {
        "hoogste": beeld["hoogsteVenstersom"]["minuten"],
        "meldplichten": [
            (m["meldplichtId"], m["status"], m["minuten"])
            for m in beeld["meldplichten"]
        ],
        "meldingen": sorted(
            (m["meldplichtId"], m["status"])
            for m in meldingen.json()
            if m["leerlingId"] == str(leerling)
        ),
        "dossier": (dossier["status"], len(dossier["acties"])),
        "acties": {a["id"]: (a["titel"], a["uitkomst"]) for a in dossier["acties"]},
    }


def _gewist_overal(keten: Keten, leerling: UUID) -> bool:
    analyse = keten.runtimes["analyse"].require_app()
    opvolging = keten.runtimes["opvolging"].require_app()
    ketenkoppeling = keten.runtimes["ketenkoppeling"].require_app()
    assert isinstance(analyse, Analyse)
    assert isinstance(opvolging, Opvolging)
    assert isinstance(ketenkoppeling, Ketenkoppeling)
    in_analyse = analyse._haal(AnalyseLeerling.create_id(str(leerling)))
    pointer = opvolging._laad(LeerlingDossiers.id_voor(str(SCHOOL), str(leerling)))
    in_keten = ketenkoppeling.leerling(leerling)
    return all(
        (
            in_analyse is not None and in_analyse.gewist,
            isinstance(pointer, LeerlingDossiers) and pointer.gewist,
            in_keten is not None and in_keten.gewist,
        )
    )


async def test_erasing_a_pupil_leaves_no_store_of_the_chain_able_to_read_them(
    keten: Keten, standin: tuple[DuoStandin, Any]
) -> None:
    duo, _ = standin
    leerling, actie = await door_de_keten(keten, duo)
    dossier_id = actie["dossierId"]
    await ok(
        await keten.clients["opvolging"].post(
            f"/v1/dossiers/{dossier_id}/acties/{actie['id']}/afronding",
            json={"uitkomst": UITKOMST},
        )
    )
    ketenkoppeling = keten.runtimes["ketenkoppeling"].require_app()
    assert isinstance(ketenkoppeling, Ketenkoppeling)
    await wait_for(lambda: (ll := ketenkoppeling.leerling(leerling)) and ll.acties)
    voor = await _stand(keten, leerling, dossier_id)
    assert voor["meldplichten"] and voor["meldingen"]
    assert UITKOMST in str(voor["acties"])

    # when registratie erases the pupil (the command, while the chain runs)
    assert wissen(["leerling", str(leerling)], keten.settings_for("registratie")) == 0
    await wait_for(lambda: _gewist_overal(keten, leerling))

    # then every count, duty, melding status and the dossier stay; the texts go
    na = await _stand(keten, leerling, dossier_id)
    assert {k: v for k, v in na.items() if k != "acties"} == {
        k: v for k, v in voor.items() if k != "acties"
    }
    assert na["acties"][actie["id"]] == ("[vernietigd]", "[vernietigd]")
    assert {titel for titel, _ in na["acties"].values()} == {"[vernietigd]"}
    # Nor does the dossier take new free text about the pupil.
    nieuw = await keten.clients["opvolging"].post(
        f"/v1/dossiers/{dossier_id}/acties", json={"titel": f"Bellen over {ZIEKTE}"}
    )
    assert nieuw.status_code == 410, nieuw.text
    await asyncio.sleep(0.5)  # let the last relay and consumer rounds finish
    await keten.stop()

    # and no store yields the pupil's number, date of birth or free text
    vondsten: list[str] = []
    for service in _APPS:
        gevonden, gelezen = _leesbaar(keten, service)
        assert gelezen > 0, service
        vondsten += gevonden
    assert vondsten == []
