"""What the API answers about stored things, read from the aggregates.

Synchronous (run them with `runtime.run_sync`). The domain's views leave out parts
the API shows (a school's timetable and calendars, a pupil's class, the status of a
record's slots), so these read the aggregates through the application's repository.
None means "not there" (unknown id, or an id of another kind).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any
from uuid import UUID

from services.registratie.api_modellen import (
    Afmelding,
    Afwezigheid,
    Leerling,
    PgnAanduiding,
    Rooster,
    School,
    SchooljaarKalender,
    Slot,
    Sluiting,
    Verlofaanvraag,
    Verzuimdag,
)
from services.registratie.domain.afmelding import Afmelding as AfmeldingAggregaat
from services.registratie.domain.afwezigheid import Afwezigheid as Record
from services.registratie.domain.classificatie import SlotStatus
from services.registratie.domain.invoer import Soort
from services.registratie.domain.school import RedenCode
from services.registratie.domain.verzuimdag import Verzuimdag as Dag
from services.registratie.domain.verzuimdag import verzuimdag_id
from services.registratie.modellen import VerlofaanvraagView
from services.registratie.service_app import RegistratieDienst
from services.registratie.werkeenheid import is_gewist

__all__ = [
    "afmelding",
    "afwezigheid",
    "leerling",
    "school",
    "slot",
    "verlofaanvraag",
    "verzuimdagen",
]

_SOORT = {"te_laat": "teLaat"}


def slot(status: SlotStatus) -> Slot:
    return Slot(
        lesuur=status.lesuur,
        status=status.status.value,
        soort=_SOORT.get(status.soort.value, status.soort.value),
        gemiste_minuten=status.gemist,
        lesduur=status.duur,
        minuten=status.telwaarde,
        telt=status.niet_geteld is None,
        niet_geteld=status.niet_geteld.value if status.niet_geteld else None,
        grond=status.grond.value if status.grond else None,
        artikel=status.grond.artikel if status.grond else None,
        categorie=status.categorie,
        reden_code=status.reden_code,
        luxe=status.luxe,
        laat_ziekgemeld=status.late_sick_notice,
        afwezigheid_id=UUID(status.bron) if status.bron else None,
    )


def _verzuimdag(datum: date, statussen: Iterable[SlotStatus]) -> Verzuimdag:
    return Verzuimdag(
        datum=datum,
        slots=[slot(s) for s in sorted(statussen, key=lambda s: s.lesuur)],
    )


def school(app: RegistratieDienst, school_id: UUID) -> School | None:
    aggregaat = app.school_aggregaat(school_id)
    if aggregaat is None:
        return None
    aanvulling = app.schoolaanvulling(school_id)
    kalenders = [
        SchooljaarKalender.model_validate(
            {
                "schooljaar": int(jaar),
                "eersteSchooldag": k["eersteSchooldag"],
                "vakanties": [{"van": a, "tot": b} for a, b in k["vakanties"]],
                "vrijeDagen": [{"van": a, "tot": b} for a, b in k["vrijeDagen"]],
                "studiedagen": [{"van": a, "tot": b} for a, b in k["studiedagen"]],
            }
        )
        for jaar, k in sorted(aggregaat.kalenders.items())
    ]
    rooster = {
        dag: [{"nummer": nr, "begin": b, "eind": e} for nr, b, e in lessen]
        for dag, lessen in aggregaat.rooster.items()
    }
    return School(
        school_id=aggregaat.id,
        brin=aggregaat.brin,
        vestiging=aggregaat.vestiging,
        naam=aggregaat.naam,
        sector=aggregaat.sector,
        regio=aggregaat.regio,
        gemeente=aanvulling.get("gemeente"),
        kalenders=kalenders,
        rooster=Rooster.model_validate({"lesuren": rooster}),
        redenen=[RedenCode.model_validate(r) for r in aggregaat.redenen.values()],
        beleid=dict(aggregaat.beleid),
        contact_melder=aanvulling.get("contactMelder"),
        sluitingen=sorted(
            (Sluiting.model_validate(s) for s in aggregaat.sluitingen),
            key=lambda s: s.van,
        ),
        versie=aggregaat.version,
    )


def leerling(app: RegistratieDienst, leerling_id: UUID) -> Leerling | None:
    aggregaat = app.leerling_aggregaat(leerling_id)
    if aggregaat is None:
        return None
    g: dict[str, Any] = aggregaat.gegevens
    gewist = is_gewist(aggregaat)
    return Leerling(
        leerling_id=aggregaat.id,
        school_id=aggregaat.school_id,
        leerlingnummer=None if gewist else g.get("leerlingnummer"),
        geboortedatum=None if gewist else g["geboortedatum"],
        # Never the number itself: its kind and the last two digits to check it.
        pgn=None
        if gewist
        else PgnAanduiding(soort=g["pgnSchema"], laatste_cijfers=g["pgn"][-2:]),
        woongemeente=g["woongemeente"],
        inschrijving_vanaf=g["inschrijvingVanaf"],
        inschrijving_tot=g.get("inschrijvingTot"),
        klas=g.get("klas") or g.get("groep"),
        leerjaar=g.get("leerjaar"),
        startkwalificatie=g.get("startkwalificatie"),
        lesdagen=g.get("lesdagen"),
        versie=aggregaat.version,
        persoonsgegevens="vernietigd" if gewist else "aanwezig",
    )


def afwezigheid(app: RegistratieDienst, afwezigheid_id: UUID) -> Afwezigheid | None:
    """The record as received and the current status of the slots it names."""
    record = app.aggregaat(afwezigheid_id, Record)
    if record is None:
        return None
    dagen = []
    for datum in record.datums:
        dag = app.aggregaat(verzuimdag_id(record.leerling_id, datum), Dag)
        bron = dag.bronnen.get(record.id.hex) if dag is not None else None
        lesuren = [lesuur for lesuur, _, _ in bron["slots"]] if bron else []
        statussen = [
            SlotStatus.uit_dict(dag.statussen[lu])
            for lu in lesuren
            if dag is not None and lu in dag.statussen
        ]
        dagen.append(_verzuimdag(datum, statussen))
    registratie = {
        veld: waarde
        for veld, waarde in record.invoer.items()
        # A remark is free text that may hold medical or personal details.
        if waarde is not None and veld != "opmerking"
    }
    if registratie.get("soort") == Soort.TE_LAAT:
        registratie["soort"] = "teLaat"  # as the HTTP contract spells it
    return Afwezigheid(
        afwezigheid_id=record.id,
        leerling_id=record.leerling_id,
        school_id=record.school_id,
        bron=record.bron,
        bron_id=record.bron_id,
        registratie=registratie,
        ingetrokken=record.ingetrokken,
        dagen=dagen,
        versie=record.version,
    )


def verzuimdagen(
    app: RegistratieDienst, leerling_id: UUID, van: date, tot: date
) -> list[Verzuimdag]:
    return [
        _verzuimdag(dag.datum, dag.slots)
        for dag in app.verzuimdagen(leerling_id, van, tot)
    ]


def afmelding(app: RegistratieDienst, afmelding_id: UUID) -> Afmelding | None:
    aggregaat = app.aggregaat(afmelding_id, AfmeldingAggregaat)
    if aggregaat is None:
        return None
    # D8: timeliness follows from the moment of receipt and the first day.
    feit = aggregaat.grondfeit()
    return Afmelding(
        afmelding_id=aggregaat.id,
        leerling_id=aggregaat.leerling_id,
        soort=aggregaat.soort,
        van=aggregaat.van,
        tot=aggregaat.tot,
        lesuur_van=aggregaat.lesuur_van,
        lesuur_tot=aggregaat.lesuur_tot,
        ontvangen=aggregaat.ontvangen,
        gemeld_door=aggregaat.gemeld_door,
        tijdig=feit.tijdig(),
        binnen_limiet=aggregaat.binnen_limiet,
        bron=aggregaat.bron,
        bron_id=aggregaat.bron_id,
        versie=aggregaat.version,
    )


def verlofaanvraag(view: VerlofaanvraagView) -> Verlofaanvraag:
    return Verlofaanvraag(
        verlofaanvraag_id=view.aanvraag_id,
        leerling_id=view.leerling_id,
        soort=view.soort,
        van=view.van,
        tot=view.tot,
        lesdagen=view.lesdagen,
        uitkomst=view.uitkomst,
        reden=view.reden,
        vlaggen=view.vlaggen,
        beslisser=view.beslisser,
        besloten_door=view.besloten_door,
        toelichting=view.toelichting,
        versie=view.versie,
    )
