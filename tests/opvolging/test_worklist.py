"""A role's worklist: its open R actions, overdue first."""

from __future__ import annotations

from datetime import date

import pytest

from services.opvolging.domain.beleid import Opvolgingsbeleid
from services.opvolging.domain.dossier import Dossier
from services.opvolging.domain.fouten import OngeldigeInvoer
from services.opvolging.domain.worklist import werklijst


def _dossier(leerling: str, h) -> Dossier:
    return Dossier.open(
        leerling_id=leerling, school_id="99XX-01", handeling=h("2025-09-01")
    )


def test_overdue_first_then_by_due_date_only_open_actions_of_the_role(
    beleid: Opvolgingsbeleid, h
) -> None:
    a, b = _dossier("LL-11", h), _dossier("LL-12", h)

    def actie(
        d: Dossier, titel: str, vervalt: date, rol: str = "zorgcoordinator"
    ) -> str:
        return d.actie_toevoegen(
            titel=titel,
            activiteit="uitvoeren_maatregelen",
            beleid=beleid,
            handeling=h("2025-09-01"),
            r_rol=rol,
            vervaldatum=vervalt,
        )

    actie(a, "binnenkort", date(2025, 10, 20))
    actie(b, "lang te laat", date(2025, 9, 20))
    actie(a, "net te laat", date(2025, 10, 9))
    actie(b, "vandaag", date(2025, 10, 10))
    actie(a, "van de mentor", date(2025, 9, 1), rol="mentor")
    klaar = actie(b, "al afgerond", date(2025, 9, 2))
    b.afronden(klaar, uitkomst="gedaan", handeling=h("2025-09-03"))

    regels = werklijst([a, b], "zorgcoordinator", date(2025, 10, 10))

    assert [r.actie.titel for r in regels] == [
        "lang te laat",
        "net te laat",
        "vandaag",
        "binnenkort",
    ]
    assert [r.dagen_te_laat for r in regels] == [20, 1, 0, 0]
    assert [r.te_laat for r in regels] == [True, True, False, False]
    assert regels[0].dossier_id == b.id and regels[0].leerling_id == "LL-12"


def test_unknown_role_is_refused(beleid: Opvolgingsbeleid, h) -> None:
    with pytest.raises(OngeldigeInvoer):
        werklijst([_dossier("LL-13", h)], "conciërge", date(2025, 10, 10))
