"""Leave assessment as a pure function (art. 13a, 14, 11a; D9–D13) and the art. 11a
hours of five-year-olds through the application."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

import pytest

from leerplicht.fixtures import TC_2526
from services.registratie.application import Registratie
from services.registratie.domain.afmelding import AfmeldingSoort
from services.registratie.domain.classificatie import Grond, Status
from services.registratie.domain.fouten import VerlofFout
from services.registratie.domain.school import Beleid
from services.registratie.domain.verlof import (
    Beslisser,
    Reden,
    Uitkomst,
    VerlofContext,
    VerlofSoort,
    VerlofVerzoek,
    Vlag,
    beoordeel,
    maximum_lesdagen,
    toets_besluit,
)
from services.registratie.modellen import (
    AfmeldingInvoer,
    BesluitInvoer,
    VerlofaanvraagInvoer,
)
from tests.registratie.conftest import Klok

CTX = VerlofContext(kalender=TC_2526, beleid=Beleid(), geboortedatum=date(2012, 1, 1))


def _verzoek(
    soort: VerlofSoort, van: date, tot: date, ingediend: date, **extra: object
) -> VerlofVerzoek:
    return VerlofVerzoek(soort, van, tot, ingediend, **extra)  # type: ignore[arg-type]


def test_d13_evenredig_maximum_voor_kwalificatieplichtigen() -> None:
    bbl = VerlofContext(
        kalender=TC_2526,
        beleid=Beleid(),
        geboortedatum=date(2008, 1, 1),
        kwalificatieplichtig=True,
        lesdagen_leerling=frozenset({2}),
    )

    assert maximum_lesdagen(CTX) == 10
    assert maximum_lesdagen(bbl) == 2
    # Three Tuesdays: 2025-11-18, 11-25, 12-02 → above the cap of 2.
    verzoek = _verzoek(
        VerlofSoort.VAKANTIEVERLOF,
        date(2025, 11, 17),
        date(2025, 12, 5),
        date(2025, 9, 1),
        werkgeversverklaring=True,
    )
    beoordeling = beoordeel(verzoek, bbl)
    assert (beoordeling.lesdagen, beoordeling.reden) == (3, Reden.MAX_10_DAYS)


def test_d10_gewichtige_omstandigheden_boven_tien_dagen_naar_de_lpa() -> None:
    ctx = VerlofContext(
        kalender=TC_2526,
        beleid=Beleid(),
        geboortedatum=date(2012, 1, 1),
        go_dagen_eerder=8,
    )
    verzoek = _verzoek(
        VerlofSoort.GEWICHTIGE_OMSTANDIGHEDEN,
        date(2025, 11, 17),
        date(2025, 11, 19),
        date(2025, 11, 3),
        omstandigheid="overlijden_1e_graad",
    )

    beoordeling = beoordeel(verzoek, ctx)

    assert (beoordeling.uitkomst, beoordeling.beslisser) == (
        Uitkomst.ROUTED_TO_LPA,
        Beslisser.LPA,
    )
    assert beoordeling.vlaggen == {
        Vlag.LATE_REQUEST
    }  # D9: 4 weeks for more than 10 days
    with pytest.raises(VerlofFout, match="ROUTED_TO_LPA"):
        toets_besluit(Uitkomst.GRANTED, Beslisser.HEAD, beoordeling)
    toets_besluit(Uitkomst.GRANTED, Beslisser.LPA, beoordeling)


def test_gewichtige_omstandigheden_binnen_tien_dagen_en_richtlijn() -> None:
    verzoek = _verzoek(
        VerlofSoort.GEWICHTIGE_OMSTANDIGHEDEN,
        date(2025, 11, 17),
        date(2025, 11, 18),
        date(2025, 11, 3),
        omstandigheid="verhuizing",
    )

    beoordeling = beoordeel(verzoek, CTX)

    assert beoordeling.uitkomst is Uitkomst.AWAITING_HEAD_DECISION
    assert beoordeling.vlaggen == {Vlag.ABOVE_GUIDELINE}
    with pytest.raises(VerlofFout, match="NOT_ROUTED"):
        toets_besluit(Uitkomst.GRANTED, Beslisser.LPA, beoordeling)


@pytest.mark.parametrize(
    ("ingediend", "reden"),
    [(date(2025, 11, 19), None), (date(2025, 11, 20), Reden.RETROACTIVE_TOO_LATE)],
)
def test_art14_lid2_achteraf_binnen_twee_dagen(
    ingediend: date, reden: Reden | None
) -> None:
    verzoek = _verzoek(
        VerlofSoort.GEWICHTIGE_OMSTANDIGHEDEN,
        date(2025, 11, 17),
        date(2025, 11, 17),
        ingediend,
    )

    assert beoordeel(verzoek, CTX).reden == reden


def test_extra_vakantie_is_nooit_gewichtig() -> None:
    verzoek = _verzoek(
        VerlofSoort.GEWICHTIGE_OMSTANDIGHEDEN,
        date(2025, 11, 17),
        date(2025, 11, 17),
        date(2025, 10, 1),
        omstandigheid="extra_vakantie",
    )

    assert beoordeel(verzoek, CTX).reden == Reden.NO_LEGAL_GROUND


def test_verzoek_zonder_lesdagen() -> None:
    verzoek = _verzoek(
        VerlofSoort.VAKANTIEVERLOF,
        date(2025, 10, 20),
        date(2025, 10, 24),
        date(2025, 7, 1),
        werkgeversverklaring=True,
    )

    assert beoordeel(verzoek, CTX).reden == Reden.NO_LESDAGEN


def test_art11a_extra_uren_stoppen_op_de_zesde_verjaardag() -> None:
    vijf = VerlofContext(
        kalender=TC_2526, beleid=Beleid(), geboortedatum=date(2020, 6, 1)
    )
    zes = VerlofContext(
        kalender=TC_2526, beleid=Beleid(), geboortedatum=date(2019, 6, 1)
    )
    verzoek = _verzoek(
        VerlofSoort.ART11A_EXTRA,
        date(2025, 11, 17),
        date(2025, 11, 21),
        date(2025, 11, 10),
        minuten=300,
    )

    assert beoordeel(verzoek, vijf).uitkomst is Uitkomst.AWAITING_HEAD_DECISION
    assert beoordeel(verzoek, zes).reden == Reden.NO_LEGAL_GROUND
    te_veel = _verzoek(
        VerlofSoort.ART11A_EXTRA,
        date(2025, 11, 17),
        date(2025, 11, 21),
        date(2025, 11, 10),
        minuten=301,
    )
    assert beoordeel(te_veel, vijf).reden == Reden.MAX_5_HOURS


def test_art11a_vijf_uur_per_week_op_melding(
    app: Registratie, po_school: UUID, nieuwe_leerling: Callable[..., UUID], klok: Klok
) -> None:
    # Turned 5 on 2020-06-01 → leerplichtig from the first school day of July 2025.
    leerling = nieuwe_leerling(po_school, date(2020, 6, 1))
    klok.zet(date(2025, 11, 14))

    def melding(d: date, van: int, tot: int) -> bool:
        return app.registreer_afmelding(
            AfmeldingInvoer(
                leerling_id=leerling,
                soort=AfmeldingSoort.VIJFJARIGE,
                van=d,
                tot=d,
                lesuur_van=van,
                lesuur_tot=tot,
            )
        ).binnen_limiet

    # PO blocks: 1 = 08:30–12:00 (210 min), 2 = 12:30–14:00 (90 min).
    assert melding(date(2025, 11, 10), 1, 1)  # 210
    assert melding(date(2025, 11, 11), 2, 2)  # 300: the weekly 5 hours are used
    assert not melding(date(2025, 11, 12 + 1), 2, 2)  # 390: above the limit

    aanvraag = app.dien_verlofaanvraag_in(
        VerlofaanvraagInvoer(
            leerling_id=leerling,
            soort=VerlofSoort.ART11A_EXTRA,
            van=date(2025, 11, 10),
            tot=date(2025, 11, 14),
            minuten=300,
        )
    )
    app.besluit_verlof(
        aanvraag.aanvraag_id,
        BesluitInvoer(
            uitkomst=Uitkomst.GRANTED, door="directeur", toelichting="wenperiode"
        ),
    )
    assert melding(date(2025, 11, 14), 2, 2)  # within the extra 5 hours

    app.registreer_afwezigheid(
        {
            "bronId": "k1",
            "bron": "las",
            "leerlingId": str(leerling),
            "datum": "2025-11-13",
        }
    )
    app.registreer_afwezigheid(
        {
            "bronId": "k2",
            "bron": "las",
            "leerlingId": str(leerling),
            "datum": "2025-11-11",
        }
    )
    boven = app.verzuimdag(leerling, date(2025, 11, 13))
    binnen = app.verzuimdag(leerling, date(2025, 11, 11))
    assert boven is not None and binnen is not None
    assert {s.lesuur: s.grond for s in binnen.slots} == {1: None, 2: Grond.VIJFJARIGE}
    assert {s.lesuur: s.grond for s in boven.slots} == {1: None, 2: None}
    assert {s.status for s in boven.slots} == {Status.ONBEKEND}
