"""How the ketenkoppeling reacts to registratie, analyse and opvolging.

The policy only records: school and pupil details, the melding owed for a duty and
the decisions about it, and aanleidingen for partner notifications. Nothing here
calls DUO or a partner; the background jobs act on what is recorded. Events the
ketenkoppeling does not need (most of registratie's traffic) return at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID
from weakref import WeakKeyDictionary

from eventsourcing.application import AggregateNotFoundError

from contracts.analyse import (
    MeldplichtVastgesteld,
    MeldplichtVervallen,
    SignaalAfgegeven,
)
from contracts.envelope import CloudEvent, ContractEvent
from contracts.opvolging import ActieAfgerond, BesluitGenomen, DossierGesloten
from contracts.registratie import (
    LeerlingGeregistreerd,
    LeerlingGewist,
    SchoolGeregistreerd,
)
from leerplicht.kalender import vervaldatum
from plumbing.clock import AMSTERDAM
from plumbing.consumer import Policy, UnitOfWork
from plumbing.security.personal_fields import SealedFieldsApplication
from services.ketenkoppeling.domain.aanleiding import Aanleiding, aanleiding_id
from services.ketenkoppeling.domain.gegevens import (
    Leerlinggegevens,
    Schoolgegevens,
    leerling_gegevens_id,
    school_gegevens_id,
)
from services.ketenkoppeling.domain.meldingstoestand import (
    ACHTERSTALLIG_AFGEWEZEN,
    MELDPLICHT_VERVALLEN,
)
from services.ketenkoppeling.domain.meldplicht import (
    Meldingstatus,
    Meldplicht,
    Verzuimdag,
)
from services.ketenkoppeling.domain.verzuimmelding import Verzuimmelding, melding_id
from services.ketenkoppeling.partners import NotificatieSoort

if TYPE_CHECKING:
    from plumbing.runtime import ServiceRuntime

__all__ = ["GEBRUIKTE_SOORTEN", "maak_policy", "pas_toe"]

#: D18 / D19: the analyse signal that notifies partners as a MAZL signal.
MAZL_SIGNAAL = "zorgwekkendZiekteverzuim"
_MELDING_BESLUITEN = {
    "achterstalligBevestigd",
    "achterstalligAfgewezen",
    "intrekkingBevestigd",
}

Handler = Callable[[UnitOfWork, Any, CloudEvent, datetime], None]


def maak_policy(runtime: ServiceRuntime) -> Policy:
    klok = runtime.clock

    def policy(
        uow: UnitOfWork, gebeurtenis: ContractEvent, envelope: CloudEvent
    ) -> None:
        pas_toe(uow, gebeurtenis, envelope, klok.now())

    return policy


def pas_toe(
    uow: UnitOfWork, gebeurtenis: ContractEvent, envelope: CloudEvent, nu: datetime
) -> None:
    handler = _HANDLERS.get(type(gebeurtenis))
    if handler is not None:
        handler(uow, gebeurtenis, envelope, nu)


def _school(
    uow: UnitOfWork, e: SchoolGeregistreerd, _: CloudEvent, nu: datetime
) -> None:
    gegevens = {
        "brin": e.brin,
        "vestiging": e.vestiging,
        "naam": e.naam,
        "sector": e.sector,
        "gemeente": e.gemeente,
        "contact_melder": e.contact_melder.model_dump() if e.contact_melder else None,
    }
    school = uow.get(school_gegevens_id(e.school_id))
    if school is None:
        school = Schoolgegevens(school_id=e.school_id, gegevens=gegevens)
    else:
        school.werk_bij(gegevens)
    uow.add(school)


def _leerling_van(uow: UnitOfWork, leerling_id: Any) -> Leerlinggegevens:
    leerling = uow.get(leerling_gegevens_id(leerling_id))
    if leerling is None:
        leerling = Leerlinggegevens(leerling_id=leerling_id)
    uow.add(leerling)
    return leerling


def _leerling(
    uow: UnitOfWork, e: LeerlingGeregistreerd, _: CloudEvent, nu: datetime
) -> None:
    # The pgn is kept encrypted as it arrived; only the DUO sender decrypts it.
    # It and the date of birth (as text) are sealed with the pupil's key here.
    leerling = _leerling_van(uow, e.leerling_id)
    if leerling.gewist:
        return  # nothing new about an erased pupil
    leerling.registreer(
        {
            "school_id": e.school_id,
            "geboortedatum": e.geboortedatum.isoformat(),
            "woongemeente": e.woongemeente,
            "leerjaar": e.leerjaar,
            "pgn": e.pgn.model_dump(),
        }
    )


def _gewist(uow: UnitOfWork, e: LeerlingGewist, _: CloudEvent, nu: datetime) -> None:
    """Registratie erased the pupil: destroy the key of its `Leerlinggegevens` (the
    PGN, date of birth and action texts), before the fact is stored, so the rest
    of this batch stores them destroyed and a redelivery destroys it again. The
    meldingen and their statuses stay; one not yet sent is blocked on its PGN."""
    leerling = _leerling_van(uow, e.leerling_id)
    leerling.wis_persoonsgegevens(e.grond, e.gewist_op)
    if isinstance(uow.app, SealedFieldsApplication):
        uow.app.erase([leerling.id], cached=[leerling.id])


def _meldplicht(e: MeldplichtVastgesteld) -> Meldplicht:
    verval = e.vervaldatum
    if verval is None and e.einddatum is not None:
        verval = vervaldatum(e.einddatum)  # D4: einddatum + 5 working days
    return Meldplicht(
        verzuimsoort=e.verzuimsoort,
        begindatum=e.begindatum,
        einddatum=e.einddatum,
        vervaldatum=verval,
        achterstallig=e.achterstallig,
        minuten=e.minuten,
        verzuimdagen=tuple(
            Verzuimdag(d.datum, d.hele_dag, tuple(d.lesuren)) for d in e.verzuimdagen
        ),
        toelichting=e.toelichting,
    )


#: Per application: meldingen a batch left unchanged, kept as that batch's own
#: copies. Analyse states a duty again after every evaluation of the pupil, and
#: mostly nothing changes (the same duty, or one already sent); copying the
#: melding from the cache each time cost more than the rest of the policy. A copy
#: is handed to one batch at a time, and only while the store holds no newer
#: version of the melding.
_EIGEN: WeakKeyDictionary[Any, dict[UUID, Verzuimmelding]] = WeakKeyDictionary()
_EIGEN_MAX = 5_000


class _Meldingen:
    """The meldingen this batch uses; before the save, those it left unchanged
    become the next batch's copies (their version is stored whatever the save
    does)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.geladen: dict[UUID, Verzuimmelding] = {}

    def before_save(self) -> None:
        eigen = _EIGEN.setdefault(self.app, {})
        if len(eigen) >= _EIGEN_MAX:
            eigen.clear()
        for sleutel, melding in self.geladen.items():
            if not melding.pending_events:
                eigen[sleutel] = melding


def _meldingen(uow: UnitOfWork) -> _Meldingen:
    meldingen: _Meldingen = uow.batch_state(
        "ketenkoppeling.meldingen", lambda: _Meldingen(uow.app)
    )
    return meldingen


def _melding_van(uow: UnitOfWork, sleutel: UUID) -> Verzuimmelding | None:
    """The melding from the unit of work: the last batch's copy when the store
    holds no newer version, else a copy from the cache."""
    meldingen = _meldingen(uow)
    if sleutel not in meldingen.geladen:
        eigen = _EIGEN.get(uow.app, {}).pop(sleutel, None)
        if eigen is not None and eigen.version == _opgeslagen_versie(uow, sleutel):
            uow.add(eigen)
    melding = uow.get(sleutel)
    if melding is not None:
        meldingen.geladen[sleutel] = melding
    return melding


def _opgeslagen_versie(uow: UnitOfWork, sleutel: UUID) -> int | None:
    # Only the version of the cached aggregate is read (after bringing it up to
    # date with the store): another thread may be updating its fields meanwhile.
    try:
        opgeslagen = uow.app.repository.get(sleutel, deepcopy_from_cache=False)
    except AggregateNotFoundError:
        return None
    return int(opgeslagen.version)


def _vastgesteld(
    uow: UnitOfWork, e: MeldplichtVastgesteld, _: CloudEvent, nu: datetime
) -> None:
    plicht = _meldplicht(e)
    melding = _melding_van(uow, melding_id(e.meldplicht_id))
    if melding is not None:
        # Analyse states a duty again when it changes (e.g. the LRV einddatum, D7).
        melding.werk_bij(plicht, nu)
        uow.add(melding)
        return
    status = (
        Meldingstatus.WACHT_OP_BEVESTIGING
        if e.achterstallig
        else Meldingstatus.WACHTEND
    )
    melding = Verzuimmelding(
        meldplicht_id=e.meldplicht_id,
        leerling_id=e.leerling_id,
        school_id=e.school_id,
        verzuimsoort=e.verzuimsoort,
        plicht=plicht.als_gegevens(),
        status=str(status),
        op=nu,
    )
    leerling = uow.get(leerling_gegevens_id(e.leerling_id))
    besluit = leerling.besluit_over(e.meldplicht_id) if leerling is not None else None
    if besluit is not None:
        _besluit_over_melding(melding, besluit, "opvolging", nu)
    _meldingen(uow).geladen[melding.id] = melding
    uow.add(melding)


def _vervallen(
    uow: UnitOfWork, e: MeldplichtVervallen, _: CloudEvent, nu: datetime
) -> None:
    melding = _melding_van(uow, melding_id(e.meldplicht_id))
    if melding is not None:
        melding.laat_vervallen(MELDPLICHT_VERVALLEN, e.reden, nu)
        uow.add(melding)


def _besluit_over_melding(
    melding: Verzuimmelding, besluit: str, door: str, nu: datetime
) -> None:
    if besluit == "achterstalligBevestigd":
        melding.bevestig_achterstallig(door, nu)
    elif besluit == "achterstalligAfgewezen":
        reden = "Achterstallige melding niet bevestigd (D17)."
        melding.laat_vervallen(ACHTERSTALLIG_AFGEWEZEN, reden, nu)
    elif besluit == "intrekkingBevestigd":
        melding.vraag_intrekking(door, nu)


def _besluit(
    uow: UnitOfWork, e: BesluitGenomen, envelope: CloudEvent, nu: datetime
) -> None:
    if e.besluit in _MELDING_BESLUITEN:
        # For these decisions the reference is the meldplicht (opvolging's dossier).
        melding = _melding_van(uow, melding_id(e.verwijzing_id))
        if melding is None:
            # The duty is still on its way on the analyse topic: keep the decision.
            _leerling_van(uow, e.leerling_id).besluit_vooraf(e.verwijzing_id, e.besluit)
            return
        _besluit_over_melding(melding, e.besluit, e.door, nu)
        uow.add(melding)
    elif e.besluit == "luxeverzuimBevestigd":
        datum = e.op.astimezone(AMSTERDAM).date()
        _aanleiding(
            uow, envelope, NotificatieSoort.LUXEVERZUIM_BEVESTIGD, e, datum, "L"
        )


def _actie(uow: UnitOfWork, e: ActieAfgerond, _: CloudEvent, nu: datetime) -> None:
    leerling = _leerling_van(uow, e.leerling_id)
    if leerling.gewist:
        return  # an action's text about an erased pupil is not kept
    leerling.actie_afgerond(
        actie_id=e.actie_id,
        school_id=e.school_id,
        titel=e.titel,
        uitkomst=e.uitkomst,
        afgerond_op=e.afgerond_op,
    )


def _signaal(
    uow: UnitOfWork, e: SignaalAfgegeven, envelope: CloudEvent, nu: datetime
) -> None:
    if e.soort == MAZL_SIGNAAL:
        _aanleiding(uow, envelope, NotificatieSoort.MAZL_SIGNAAL, e, e.datum)


def _dossier_gesloten(
    uow: UnitOfWork, e: DossierGesloten, envelope: CloudEvent, nu: datetime
) -> None:
    datum = envelope.time.astimezone(AMSTERDAM).date()
    _aanleiding(uow, envelope, NotificatieSoort.DOSSIER_GESLOTEN, e, datum)


def _aanleiding(
    uow: UnitOfWork,
    envelope: CloudEvent,
    soort: NotificatieSoort,
    e: Any,
    datum: Any,
    meldingsoort: str | None = None,
) -> None:
    if uow.get(aanleiding_id(envelope.id)) is not None:
        return
    uow.add(
        Aanleiding(
            bron=envelope.id,
            soort=str(soort),
            leerling_id=e.leerling_id,
            school_id=e.school_id,
            datum=datum,
            meldingsoort=meldingsoort,
            begindatum=None,
            einddatum=None,
            meldingsnummer=None,
        )
    )


_HANDLERS: dict[type[ContractEvent], Handler] = {
    SchoolGeregistreerd: _school,
    LeerlingGeregistreerd: _leerling,
    LeerlingGewist: _gewist,
    MeldplichtVastgesteld: _vastgesteld,
    MeldplichtVervallen: _vervallen,
    BesluitGenomen: _besluit,
    ActieAfgerond: _actie,
    SignaalAfgegeven: _signaal,
    DossierGesloten: _dossier_gesloten,
}

#: The upstream event types this policy acts on; the consumer passes over the rest
#: (registratie's lesson slots, most of its topic) without parsing them.
GEBRUIKTE_SOORTEN = frozenset(soort.event_type() for soort in _HANDLERS)
