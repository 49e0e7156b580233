"""Protocol ladders and the RASCI roles of process.md."""

from collections.abc import Iterable

import pytest

from services.analyse.domain.maatregelen import (
    STANDAARD_PROTOCOL,
    Activiteit,
    Maatregel,
    Maatregeltype,
    Protocol,
    ProtocolFout,
    Rol,
    Stap,
    aanleiding_meldplicht,
)
from services.analyse.domain.model import (
    ACTIE_BRIEF,
    ACTIE_GESPREK_OUDERS,
    ACTIE_MELDING_OVERIG,
    Signaalsoort,
    Verzuimsoort,
)


def _rollen(maatregelen: Iterable[Maatregel]) -> dict[str, tuple[Rol, Rol]]:
    return {m.code: (m.verantwoordelijk, m.eindverantwoordelijk) for m in maatregelen}


def test_mazl_proposes_a_mentor_talk_and_an_optional_jeugdarts_consult() -> None:
    maatregelen = STANDAARD_PROTOCOL.voorstellen(
        Signaalsoort.ZORGWEKKEND_ZIEKTEVERZUIM, 1
    )

    # "uitvoeren maatregelen" has no A in the matrix: the verzuimcoördinator answers.
    assert _rollen(maatregelen) == {
        "gesprekMentor": (Rol.MENTOR, Rol.VERZUIMCOORDINATOR),
        "jeugdartsConsult": (Rol.ZORGCOORDINATOR, Rol.VERZUIMCOORDINATOR),
    }
    assert [m.optioneel for m in maatregelen] == [False, True]


def test_the_ladder_climbs_with_the_occurrence() -> None:
    eerste = STANDAARD_PROTOCOL.voorstellen(aanleiding_meldplicht(Verzuimsoort.V3), 1)
    derde = STANDAARD_PROTOCOL.voorstellen(aanleiding_meldplicht(Verzuimsoort.V3), 3)

    assert [m.code for m in eerste] == [
        "verzuimmeldingIndienen",
        "gesprekLeerlingOuders",
    ]
    assert [m.code for m in derde] == ["verzuimmeldingIndienen", "zorgoverleg"]
    melding = eerste[0]
    assert (melding.verantwoordelijk, melding.eindverantwoordelijk) == (
        Rol.VERZUIMCOORDINATOR,
        Rol.LEERPLICHTAMBTENAAR,
    )
    assert Rol.MENTOR in melding.geinformeerd


def test_lateness_signal_brings_its_own_actions() -> None:
    maatregelen = STANDAARD_PROTOCOL.voorstellen(
        Signaalsoort.TE_LAAT,
        3,
        (ACTIE_GESPREK_OUDERS, ACTIE_MELDING_OVERIG, ACTIE_BRIEF),
    )

    assert _rollen(maatregelen) == {
        ACTIE_GESPREK_OUDERS: (Rol.MENTOR, Rol.VERZUIMCOORDINATOR),
        ACTIE_MELDING_OVERIG: (Rol.VERZUIMCOORDINATOR, Rol.LEERPLICHTAMBTENAAR),
        ACTIE_BRIEF: (Rol.VERZUIMCOORDINATOR, Rol.OUDERS),
    }


def test_a_protocol_rejects_roles_without_r_and_unknown_measures() -> None:
    onjuist = Maatregeltype("melden", "Melden", Activiteit.RAPPORTEREN_LPA, Rol.MENTOR)
    with pytest.raises(ProtocolFout):
        Protocol({"melden": onjuist}, {})

    juist = Maatregeltype(
        "melden", "Melden", Activiteit.RAPPORTEREN_LPA, Rol.VERZUIMCOORDINATOR
    )
    with pytest.raises(ProtocolFout):
        Protocol({"melden": juist}, {"x": (Stap(1, ("bestaatNiet",)),)})


def test_a_school_can_change_the_matrix() -> None:
    soort = Maatregeltype(
        "gesprek", "Gesprek", Activiteit.UITVOEREN_MAATREGELEN, Rol.MENTOR
    )
    rasci = {
        Activiteit.UITVOEREN_MAATREGELEN: {Rol.MENTOR: "R", Rol.SCHOOLDIRECTEUR: "A"}
    }
    protocol = Protocol({"gesprek": soort}, {"x": (Stap(1, ("gesprek",)),)}, rasci)

    [maatregel] = protocol.voorstellen("x", 1)

    assert maatregel.eindverantwoordelijk is Rol.SCHOOLDIRECTEUR
