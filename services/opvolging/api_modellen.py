"""Request and response bodies of the opvolging API (camelCase on the wire)."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel

from services.opvolging.domain.dossierstatus import AfsluitReden
from services.opvolging.domain.rasci import Activiteit, Rol


class _Model(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


# -- requests


class ActieIn(_Model):
    titel: str = Field(min_length=1, max_length=200)
    activiteit: Activiteit = Activiteit.UITVOEREN_MAATREGELEN
    r_rol: Rol | None = None
    a_rol: Rol | None = None
    vervaldatum: date | None = None


class ToewijzingIn(_Model):
    r_rol: Rol
    a_rol: Rol | None = None
    toelichting: str = Field(default="", max_length=2000)


class AfrondingIn(_Model):
    uitkomst: str = Field(min_length=1, max_length=2000)


class AnnuleringIn(_Model):
    reden: str = Field(min_length=1, max_length=2000)


class BesluitIn(_Model):
    bevestigd: bool
    toelichting: str = Field(default="", max_length=2000)


class WeekCijferIn(_Model):
    week: date = Field(description="any day of the lesweek")
    minuten: int = Field(ge=0, le=7 * 24 * 60)


class EvaluatieIn(_Model):
    peildatum: date | None = Field(default=None, description="default: today")
    weken: list[WeekCijferIn] | None = Field(
        default=None,
        description="unauthorised minutes per lesweek; default: what opvolging "
        "keeps from registratie",
    )

    @field_validator("weken")
    @classmethod
    def _elke_week_eenmaal(
        cls, weken: list[WeekCijferIn] | None
    ) -> list[WeekCijferIn] | None:
        if weken is not None:
            maandagen = [w.week.toordinal() - w.week.weekday() for w in weken]
            if len(set(maandagen)) != len(maandagen):
                raise ValueError("every lesweek may appear only once")
        return weken


class AfsluitingIn(_Model):
    reden: AfsluitReden
    toelichting: str = Field(default="", max_length=2000)


# -- responses


class WijzigingUit(_Model):
    wat: str
    door: str
    op: datetime
    toelichting: str


class ActieUit(_Model):
    id: str
    titel: str
    activiteit: str
    soort: str
    r_rol: str
    a_rol: str
    i_rollen: list[str]
    vervaldatum: date
    status: str
    uitkomst: str | None
    referentie: str | None
    ladderstap: int | None
    te_laat: bool
    dagen_te_laat: int
    aangemaakt_door: str
    aangemaakt_op: datetime
    gewijzigd_door: str
    gewijzigd_op: datetime | None
    historie: list[WijzigingUit]


class ActieLijst(_Model):
    acties: list[ActieUit]


class MeldplichtUit(_Model):
    id: str
    soort: str
    begindatum: date
    einddatum: date | None
    vervaldatum: date | None
    achterstallig: bool
    toelichting: str
    ontvangen_op: datetime


class SignaalUit(_Model):
    id: str
    soort: str
    datum: date
    toelichting: str
    ontvangen_op: datetime


class StatuswijzigingUit(_Model):
    status: str
    reden: str | None
    door: str
    op: datetime


class MeldingUit(_Model):
    meldplicht_id: str
    soort: str
    status: str
    reden: str | None
    meldingsnummer: str | None
    historie: list[StatuswijzigingUit]


class WeekCijferUit(_Model):
    week: date
    minuten: int


class EvaluatieUit(_Model):
    peildatum: date
    oordeel: str
    maatregelen_werken: bool
    gemiddelde_voor: float | None
    gemiddelde_na: float | None
    voorgestelde_stap: int | None
    voorgestelde_titel: str | None
    toelichting: str
    door: str
    op: datetime
    weken: list[WeekCijferUit]


class EvaluatieLijst(_Model):
    evaluaties: list[EvaluatieUit]
    volgende_evaluatie: date | None


class DossierSamenvatting(_Model):
    id: UUID
    leerling_id: str
    school_id: str
    status: str
    geopend_op: datetime
    afgesloten_op: datetime | None
    volgende_evaluatie: date | None
    acties: list[ActieUit] = Field(
        description="open actions (of the role asked for), overdue first"
    )


class DossierLijst(_Model):
    dossiers: list[DossierSamenvatting]


class DossierUit(_Model):
    id: UUID
    leerling_id: str
    school_id: str
    aanleiding_id: str | None
    status: str
    geopend_door: str
    geopend_op: datetime
    afgesloten_door: str | None
    afgesloten_op: datetime | None
    afsluitreden: str | None
    afsluittoelichting: str
    ladderstap: int
    maatregelen_vanaf: date | None
    volgende_evaluatie: date | None
    meldplichten: list[MeldplichtUit]
    signalen: list[SignaalUit]
    meldingen: list[MeldingUit]
    acties: list[ActieUit]
    evaluaties: list[EvaluatieUit]
