"""Domain objects as API response bodies."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic.alias_generators import to_camel

from services.opvolging.api_modellen import (
    ActieUit,
    DossierSamenvatting,
    DossierUit,
    EvaluatieUit,
    MeldingUit,
    MeldplichtUit,
    SignaalUit,
    StatuswijzigingUit,
    WeekCijferUit,
    WijzigingUit,
)
from services.opvolging.domain.actie import Actie
from services.opvolging.domain.beleid import Opvolgingsbeleid
from services.opvolging.domain.dossier import Dossier
from services.opvolging.domain.evaluatie import Evaluatie


def actie_uit(actie: Actie, vandaag: date) -> ActieUit:
    dagen = max(0, (vandaag - actie.vervaldatum).days) if actie.is_open else 0
    return ActieUit(
        id=actie.id,
        titel=actie.titel,
        activiteit=actie.activiteit.value,
        soort=actie.soort.value,
        r_rol=actie.r_rol.value,
        a_rol=actie.a_rol.value,
        i_rollen=[r.value for r in actie.i_rollen],
        vervaldatum=actie.vervaldatum,
        status=actie.status.value,
        uitkomst=actie.uitkomst,
        referentie=actie.referentie,
        ladderstap=actie.ladderstap,
        te_laat=dagen > 0,
        dagen_te_laat=dagen,
        aangemaakt_door=actie.aangemaakt_door,
        aangemaakt_op=actie.aangemaakt_op,
        gewijzigd_door=actie.gewijzigd_door,
        gewijzigd_op=actie.gewijzigd_op,
        historie=[
            WijzigingUit(wat=w.wat, door=w.door, op=w.op, toelichting=w.toelichting)
            for w in actie.historie
        ],
    )


def evaluatie_uit(e: Evaluatie) -> EvaluatieUit:
    return EvaluatieUit(
        peildatum=e.peildatum,
        oordeel=e.oordeel.value,
        maatregelen_werken=e.maatregelen_werken,
        gemiddelde_voor=e.gemiddelde_voor,
        gemiddelde_na=e.gemiddelde_na,
        voorgestelde_stap=e.voorgestelde_stap,
        voorgestelde_titel=e.voorgestelde_titel,
        toelichting=e.toelichting,
        door=e.door,
        op=e.op,
        weken=[WeekCijferUit(week=w.week, minuten=w.minuten) for w in e.weken],
    )


def samenvatting_uit(
    d: Dossier, acties: list[Actie], beleid: Opvolgingsbeleid, vandaag: date
) -> DossierSamenvatting:
    return DossierSamenvatting(
        id=d.id,
        leerling_id=d.leerling_id,
        school_id=d.school_id,
        status=d.status.value,
        geopend_op=d.geopend_op,
        afgesloten_op=d.afgesloten_op,
        volgende_evaluatie=d.evaluatie_verschuldigd_op(beleid),
        acties=[actie_uit(a, vandaag) for a in acties],
    )


def dossier_uit(d: Dossier, beleid: Opvolgingsbeleid, vandaag: date) -> DossierUit:
    return DossierUit(
        id=d.id,
        leerling_id=d.leerling_id,
        school_id=d.school_id,
        aanleiding_id=d.aanleiding_id,
        status=d.status.value,
        geopend_door=d.geopend_door,
        geopend_op=d.geopend_op,
        afgesloten_door=d.afgesloten_door,
        afgesloten_op=d.afgesloten_op,
        afsluitreden=d.afsluitreden.value if d.afsluitreden else None,
        afsluittoelichting=d.afsluittoelichting,
        ladderstap=d.ladderstap,
        maatregelen_vanaf=d.maatregelen_vanaf,
        volgende_evaluatie=d.evaluatie_verschuldigd_op(beleid),
        meldplichten=[
            MeldplichtUit(
                id=m.id,
                soort=m.soort,
                begindatum=m.begindatum,
                einddatum=m.einddatum,
                vervaldatum=m.vervaldatum,
                achterstallig=m.achterstallig,
                toelichting=m.toelichting,
                ontvangen_op=m.ontvangen_op,
            )
            for m in d.meldplichten.values()
        ],
        signalen=[
            SignaalUit(
                id=s.id,
                soort=s.soort.value,
                datum=s.datum,
                toelichting=s.toelichting,
                ontvangen_op=s.ontvangen_op,
            )
            for s in d.signalen.values()
        ],
        meldingen=[
            MeldingUit(
                meldplicht_id=m.meldplicht_id,
                soort=m.soort,
                status=m.status.value,
                reden=m.reden,
                meldingsnummer=m.meldingsnummer,
                historie=[
                    StatuswijzigingUit(
                        status=w.status.value, reden=w.reden, door=w.door, op=w.op
                    )
                    for w in m.historie
                ],
            )
            for m in d.meldingen.values()
        ],
        acties=[actie_uit(a, vandaag) for a in d.acties.values()],
        evaluaties=[evaluatie_uit(e) for e in d.evaluaties],
    )


def camel_sleutels(waarde: Any) -> Any:
    """The report's snake_case keys in camelCase, values untouched."""
    if isinstance(waarde, dict):
        return {to_camel(k): camel_sleutels(v) for k, v in waarde.items()}
    if isinstance(waarde, list):
        return [camel_sleutels(v) for v in waarde]
    return waarde
