"""The RASCI matrix of process.md as data, and a school's own variant."""

from __future__ import annotations

import pytest

from services.opvolging.domain.fouten import RasciFout
from services.opvolging.domain.rasci import (
    STANDAARD_MATRIX,
    Activiteit,
    Betrokkenheid,
    Rol,
)

A = Activiteit


@pytest.mark.parametrize(
    ("activiteit", "r", "a", "i"),
    [
        (
            A.SIGNALEREN_VERZUIM,
            (),
            None,
            (Rol.ZORGCOORDINATOR, Rol.SCHOOLLEIDER, Rol.ICT),
        ),
        (
            A.REGISTREREN_VERZUIM,
            (Rol.ICT,),
            Rol.VERZUIMCOORDINATOR,
            (Rol.SCHOOLLEIDER, Rol.OUDERS),
        ),
        (A.BEHEREN_TECHNISCHE_SYSTEMEN, (Rol.ICT,), None, ()),
        (
            A.ANALYSEREN_VERZUIM,
            (Rol.VERZUIMCOORDINATOR,),
            None,
            (Rol.SCHOOLLEIDER, Rol.ADMINISTRATIE, Rol.OUDERS),
        ),
        (
            A.BEPALEN_MAATREGELEN,
            (Rol.VERZUIMCOORDINATOR,),
            Rol.SCHOOLLEIDER,
            (Rol.ADMINISTRATIE,),
        ),
        (
            A.UITVOEREN_MAATREGELEN,
            (Rol.VERZUIMCOORDINATOR, Rol.MENTOR, Rol.ZORGCOORDINATOR),
            None,
            (Rol.SCHOOLLEIDER, Rol.ADMINISTRATIE),
        ),
        (
            A.INFORMEREN_BETROKKENEN,
            (Rol.VERZUIMCOORDINATOR,),
            Rol.OUDERS,
            (Rol.SCHOOLLEIDER, Rol.ADMINISTRATIE, Rol.LEERPLICHTAMBTENAAR),
        ),
        (
            A.RAPPORTEREN_AAN_LEERPLICHTAMBTENAAR,
            (Rol.VERZUIMCOORDINATOR,),
            Rol.LEERPLICHTAMBTENAAR,
            (
                Rol.MENTOR,
                Rol.ZORGCOORDINATOR,
                Rol.SCHOOLLEIDER,
                Rol.ADMINISTRATIE,
                Rol.ICT,
                Rol.OUDERS,
            ),
        ),
    ],
    ids=lambda v: v.value if isinstance(v, Activiteit) else None,
)
def test_default_matrix_matches_the_process_model(
    activiteit: Activiteit, r: tuple[Rol, ...], a: Rol | None, i: tuple[Rol, ...]
) -> None:
    assert STANDAARD_MATRIX.r_rollen(activiteit) == r
    assert STANDAARD_MATRIX.a_rol(activiteit) == a
    assert STANDAARD_MATRIX.i_rollen(activiteit) == i


def test_a_cell_can_hold_two_letters() -> None:
    letters = STANDAARD_MATRIX.letters(A.MONITOREN_VOORTGANG, Rol.MENTOR)

    assert letters == {Betrokkenheid.C, Betrokkenheid.S}
    assert STANDAARD_MATRIX.rollen(A.MONITOREN_VOORTGANG, Betrokkenheid.S) == (
        Rol.MENTOR,
    )


def test_every_activity_of_the_process_model_is_in_the_matrix() -> None:
    assert set(STANDAARD_MATRIX.activiteiten()) == set(Activiteit)


def test_preferred_r_role_is_used_only_when_it_is_an_r_role() -> None:
    uitvoeren = A.UITVOEREN_MAATREGELEN

    assert (
        STANDAARD_MATRIX.kies_r_rol(uitvoeren, Rol.ZORGCOORDINATOR)
        is Rol.ZORGCOORDINATOR
    )
    assert STANDAARD_MATRIX.kies_r_rol(uitvoeren, Rol.OUDERS) is Rol.VERZUIMCOORDINATOR
    assert STANDAARD_MATRIX.kies_r_rol(uitvoeren) is Rol.VERZUIMCOORDINATOR


def test_without_an_a_role_the_responsible_role_answers_for_it() -> None:
    assert (
        STANDAARD_MATRIX.kies_a_rol(A.UITVOEREN_MAATREGELEN, Rol.MENTOR) is Rol.MENTOR
    )
    assert (
        STANDAARD_MATRIX.kies_a_rol(A.BEPALEN_MAATREGELEN, Rol.VERZUIMCOORDINATOR)
        is Rol.SCHOOLLEIDER
    )


def test_activity_without_r_role_cannot_carry_an_action() -> None:
    with pytest.raises(RasciFout):
        STANDAARD_MATRIX.kies_r_rol(A.SIGNALEREN_VERZUIM)


def test_a_school_overrides_single_cells_and_leaves_the_default_alone() -> None:
    school = STANDAARD_MATRIX.met_aanpassingen(
        {
            "uitvoeren_maatregelen": {"schoolleider": "A", "verzuimcoordinator": ""},
            "informeren_betrokkenen": {"ouders": "I", "mentor": "R"},
        }
    )

    assert school.a_rol(A.UITVOEREN_MAATREGELEN) is Rol.SCHOOLLEIDER
    assert school.r_rollen(A.UITVOEREN_MAATREGELEN) == (Rol.MENTOR, Rol.ZORGCOORDINATOR)
    assert school.a_rol(A.INFORMEREN_BETROKKENEN) is None
    assert Rol.OUDERS in school.i_rollen(A.INFORMEREN_BETROKKENEN)
    assert school.r_rollen(A.INFORMEREN_BETROKKENEN) == (
        Rol.VERZUIMCOORDINATOR,
        Rol.MENTOR,
    )
    assert STANDAARD_MATRIX.a_rol(A.UITVOEREN_MAATREGELEN) is None
    assert STANDAARD_MATRIX.a_rol(A.INFORMEREN_BETROKKENEN) is Rol.OUDERS


@pytest.mark.parametrize(
    "aanpassing",
    [
        {"bepalen_maatregelen": {"verzuimcoordinator": "A"}},  # a second A role
        {"bepalen_maatregelen": {"mentor": "X"}},
        {"onbekende_activiteit": {"mentor": "R"}},
        {"bepalen_maatregelen": {"conciërge": "R"}},
    ],
    ids=["two A roles", "unknown letter", "unknown activity", "unknown role"],
)
def test_invalid_overrides_are_refused(aanpassing: dict[str, dict[str, str]]) -> None:
    with pytest.raises(RasciFout):
        STANDAARD_MATRIX.met_aanpassingen(aanpassing)


def test_table_form_round_trips() -> None:
    tabel = STANDAARD_MATRIX.als_tabel()

    assert tabel["monitoren_voortgang"]["mentor"] == "S/C"
    assert STANDAARD_MATRIX.met_aanpassingen(tabel) == STANDAARD_MATRIX
