"""`SealedFieldsApplication`: a service's own vault, sealing, erasing and what a
service that holds copies stores after the erasure. The texts are made up."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar
from uuid import UUID, uuid4

import pytest
from eventsourcing.domain import Aggregate, event

from plumbing.security.personal_fields import (
    PersonalFields,
    SealedFieldsApplication,
    aggregate_owner,
)
from plumbing.security.settings import SecuritySettings
from plumbing.security.sleutelkluis import VERNIETIGD, SleutelVernietigd
from plumbing.store import store_env

TEKST = "Gesprek met oom Testbert over de migraine"


class Notitie(Aggregate):
    @event("Geschreven")
    def __init__(self, leerling_id: str, tekst: str, minuten: int) -> None:
        self.leerling_id = leerling_id
        self.tekst = tekst
        self.minuten = minuten

    @event("Aangevuld")
    def vul_aan(self, tekst: str) -> None:
        self.tekst = tekst


def _leerling(state: Any) -> UUID:
    return UUID(str(state["leerling_id"]))


class Kopie(SealedFieldsApplication):
    """A service holding copies: what still arrives is stored as destroyed."""

    personal_fields: ClassVar[dict[type, PersonalFields]] = {
        Notitie.Geschreven: PersonalFields(_leerling, (("tekst",),)),  # type: ignore[attr-defined]
        Notitie.Aangevuld: PersonalFields(aggregate_owner, (("tekst",),)),  # type: ignore[attr-defined]
    }
    vault_name = "sleutelkluis_kopie"


class Bron(Kopie):
    """The service personal data comes in at: refuses it after the erasure."""

    refuse_erased = True


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return store_env("kopie", SecuritySettings(verzuim_data_dir=tmp_path))


def test_fields_are_sealed_in_a_vault_of_the_services_own(
    env: dict[str, str], tmp_path: Path
) -> None:
    app = Kopie(env=env)
    leerling = uuid4()
    notitie = Notitie(leerling_id=str(leerling), tekst=TEKST, minuten=50)
    app.save(notitie)

    opgeslagen = app.recorder.select_notifications(1, 10)[0]
    assert app.read_sealed(opgeslagen).tekst.startswith("pv1:")
    assert app.repository.get(notitie.id).tekst == TEKST
    assert (tmp_path / "sleutelkluis_kopie.sqlite").exists()
    app.close()


def test_erasing_makes_the_copy_unreadable_and_keeps_the_rest(
    env: dict[str, str],
) -> None:
    app = Kopie(env=env)
    leerling = uuid4()
    notitie = Notitie(leerling_id=str(leerling), tekst=TEKST, minuten=50)
    notitie.vul_aan(tekst=f"{TEKST} (vervolg)")
    app.save(notitie)
    assert app.repository.get(notitie.id).tekst.endswith("(vervolg)")  # now cached

    app.erase([leerling, notitie.id], cached=[notitie.id])

    gelezen = app.repository.get(notitie.id)
    assert (gelezen.tekst, gelezen.minuten) == (VERNIETIGD, 50)
    # A copy that still arrives is stored destroyed, not refused.
    gelezen.vul_aan(tekst="nog een keer de migraine")
    app.save(gelezen)
    assert app.repository.get(notitie.id).tekst == VERNIETIGD
    opnieuw = Kopie(env=env)  # another process, after a restart
    assert opnieuw.repository.get(notitie.id).tekst == VERNIETIGD
    opnieuw.close()
    app.close()


def test_the_service_that_takes_data_in_refuses_it_after_the_erasure(
    env: dict[str, str],
) -> None:
    app = Bron(env=env)
    leerling = uuid4()
    app.erase([leerling])

    with pytest.raises(SleutelVernietigd):
        app.save(Notitie(leerling_id=str(leerling), tekst=TEKST, minuten=1))
    app.close()
