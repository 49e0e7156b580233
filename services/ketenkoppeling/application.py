"""The ketenkoppeling application: the store of meldingen, pupils, schools and
notifications, and the use cases the background jobs and the API call.

Upstream events reach it through `policies` (one unit of work per consumer batch).
The jobs change a melding with `wijzig_melding`, which loads, applies and saves, and
starts again on a concurrent write (the consumer may change the same melding while a
call to DUO is under way). A melding that reaches DUO or is withdrawn there records an
`Aanleiding` for partner notifications in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import JSONTranscoder, RecordConflictError, Transcoding

from plumbing.security.personal_fields import SealedFieldsApplication
from services.ketenkoppeling.domain.aanleiding import Aanleiding, aanleiding_id
from services.ketenkoppeling.domain.fouten import (
    MeldingNietGevonden,
    NotificatieNietGevonden,
    NotificatieNietMislukt,
)
from services.ketenkoppeling.domain.gegevens import (
    Leerlinggegevens,
    Schoolgegevens,
    Statusvolging,
    leerling_gegevens_id,
    school_gegevens_id,
)
from services.ketenkoppeling.domain.meldplicht import DuoStand, Meldingstatus
from services.ketenkoppeling.domain.verzuimmelding import Verzuimmelding
from services.ketenkoppeling.overzicht import Overzicht
from services.ketenkoppeling.partners import (
    Notificatie,
    NotificatieFout,
    NotificatieSoort,
    Notificatiestatus,
)
from services.ketenkoppeling.persoonsvelden import PERSOONSVELDEN

__all__ = ["Ketenkoppeling"]

T = TypeVar("T")

# A version conflict means someone else saved the same aggregate first; every change
# here reads what it saves, so loading and applying again is safe.
_POGINGEN = 8


class _DatumAlsIso(Transcoding):
    type = date
    name = "datum"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class Ketenkoppeling(SealedFieldsApplication):
    name = "ketenkoppeling"
    # The PGN, date of birth and action texts, sealed per pupil (`persoonsvelden`).
    personal_fields = PERSOONSVELDEN
    vault_name = "sleutelkluis_ketenkoppeling"
    # The consumer's saves stay cached: the notification job and the sender read
    # the aanleidingen, meldingen and pupils a batch just made.
    cache_saved = True

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        self.overzicht = Overzicht(
            lambda start, limit: self.recorder.select_notifications(start, limit),
            self.read_sealed,  # it keeps no personal field: none is opened
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(_DatumAlsIso())

    # -- reading ---------------------------------------------------------------------

    def _laad(self, aggregate_id: UUID, *, kopie: bool = True) -> Any | None:
        """The aggregate, or None. `kopie=False` hands out the cached object itself:
        only for reading, never for a command (a failed command would leave its
        changes in the cache)."""
        try:
            return self.repository.get(aggregate_id, deepcopy_from_cache=kopie)
        except AggregateNotFoundError:
            return None

    def melding(self, melding_id: UUID, *, kopie: bool = True) -> Verzuimmelding:
        melding = self._laad(melding_id, kopie=kopie)
        if not isinstance(melding, Verzuimmelding):
            raise MeldingNietGevonden("Er is geen verzuimmelding met dit id.")
        return melding

    def meldingen(self, school_ids: Iterable[UUID]) -> list[Verzuimmelding]:
        """For reading only: every melding of these schools, oldest period first."""
        ids = self.overzicht.meldingen_van(school_ids)
        meldingen = [self.melding(melding_id, kopie=False) for melding_id in ids]
        return sorted(meldingen, key=lambda m: (m.plicht.begindatum, str(m.id)))

    def school(self, school_id: UUID) -> Schoolgegevens | None:
        return self._laad(school_gegevens_id(school_id))

    def leerling(
        self, leerling_id: UUID, *, kopie: bool = True
    ) -> Leerlinggegevens | None:
        return self._laad(leerling_gegevens_id(leerling_id), kopie=kopie)

    def aanleiding(self, aanleiding: UUID) -> Aanleiding | None:
        return self._laad(aanleiding)

    def notificatie(self, notificatie_id: UUID, *, kopie: bool = True) -> Notificatie:
        notificatie = self._laad(notificatie_id, kopie=kopie)
        if not isinstance(notificatie, Notificatie):
            raise NotificatieNietGevonden("Er is geen notificatie met dit id.")
        return notificatie

    def notificaties(self, school_ids: Iterable[str]) -> list[Notificatie]:
        """For reading only, like `meldingen`: the cached notifications themselves."""
        ids = self.overzicht.notificaties_van(school_ids)
        return [self.notificatie(n, kopie=False) for n in ids]

    def statusvolging(self) -> Statusvolging:
        volging = self._laad(Statusvolging.create_id())
        return volging if volging is not None else Statusvolging()

    # -- meldingen -------------------------------------------------------------------

    def wijzig_melding(
        self, melding_id: UUID, actie: Callable[[Verzuimmelding], T], op: datetime
    ) -> T:
        """Apply `actie` to the current melding and save; again after a conflict."""
        for _ in range(_POGINGEN):
            melding = self.melding(melding_id)
            voor = (melding.meldingsnummer, melding.status)
            uitkomst = actie(melding)
            if not melding.pending_events:
                return uitkomst
            aanleidingen = self._aanleidingen(melding, voor, op)
            try:
                self.save(melding, *aanleidingen)
            except RecordConflictError:
                continue
            return uitkomst
        raise RuntimeError(f"verzuimmelding {melding_id} bleef gelijktijdig gewijzigd")

    def _aanleidingen(
        self,
        melding: Verzuimmelding,
        voor: tuple[str | None, Meldingstatus],
        op: datetime,
    ) -> list[Aanleiding]:
        """Partners hear that a melding was sent, or withdrawn, at DUO."""
        soorten = []
        if voor[0] is None and melding.meldingsnummer is not None:
            soorten.append(NotificatieSoort.MELDING_VERZONDEN)
        if voor[1] is not Meldingstatus.INGETROKKEN and (
            melding.status is Meldingstatus.INGETROKKEN
        ):
            soorten.append(NotificatieSoort.MELDING_INGETROKKEN)
        plicht = melding.plicht
        return [
            Aanleiding(
                bron=f"{melding.id}/{soort}",
                soort=str(soort),
                leerling_id=melding.leerling_id,
                school_id=melding.school_id,
                datum=op.date(),
                meldingsoort=melding.verzuimsoort,
                begindatum=plicht.begindatum,
                einddatum=plicht.einddatum,
                meldingsnummer=melding.meldingsnummer,
            )
            for soort in soorten
        ]

    def verwerk_duo_standen(
        self, brin: str, standen: Sequence[DuoStand], op: datetime
    ) -> int:
        """Status reports of one poll; moves the BRIN's poll position. Changes made."""
        for _ in range(_POGINGEN):
            volging = self.statusvolging()
            opslaan: list[Any] = []
            for stand in standen:
                melding_id = self.overzicht.melding_bij_document(
                    stand.document_id or ""
                )
                if melding_id is None:
                    continue
                melding = self.melding(melding_id)
                voor = (melding.meldingsnummer, melding.status)
                if melding.meldingsnummer is None and melding.werk is not None:
                    # DUO holds it although the sender has no answer yet.
                    melding.geregistreerd(
                        meldingsnummer=stand.meldingsnummer,
                        brin=brin,
                        laatste_mutatie=stand.laatste_mutatie,
                        einddatum_verzonden=melding.plicht.einddatum_bij_melden,
                        op=op,
                    )
                if stand.status is not None:
                    melding.duo_status_gezien(
                        stand.status, stand.reden, stand.laatste_mutatie, op
                    )
                if melding.pending_events:
                    opslaan += [melding, *self._aanleidingen(melding, voor, op)]
            if standen:
                volging.schuif_op(brin, max(s.laatste_mutatie for s in standen))
            if volging.pending_events:
                opslaan.append(volging)
            if not opslaan:
                return 0
            try:
                self.save(*opslaan)
            except RecordConflictError:
                continue
            return sum(1 for a in opslaan if isinstance(a, Verzuimmelding))
        raise RuntimeError("statusvolging bleef gelijktijdig gewijzigd")

    # -- notifications ---------------------------------------------------------------

    def notificaties_aangemaakt(
        self, aanleidingen: Sequence[Aanleiding], notificaties: Sequence[Notificatie]
    ) -> None:
        """Save routed aanleidingen with their new notifications, in one save.

        The index knows every notification stored (the log was read before the
        aanleidingen were loaded); one it does not know yet makes the save fail on
        the store's own uniqueness, and the round tries again."""
        nieuw = [n for n in notificaties if not self.overzicht.kent_notificatie(n.id)]
        self.save(*aanleidingen, *nieuw)

    def bezorging_vastgelegd(
        self,
        notificaties: Sequence[Notificatie],
        op: datetime,
        bekend: Mapping[UUID, Aanleiding] | None = None,
    ) -> list[Aanleiding]:
        """Save the tries of deliveries; a final outcome is published (as the
        aanleiding's `BezorgingAfgehandeld`). One save for all of them.

        `bekend` holds current copies of aanleidingen (as the caller last saved
        them), used instead of loading them; a stale one makes the save fail on
        its version. Returns the aanleidingen saved, as they are now."""
        aanleidingen: dict[UUID, Aanleiding | None] = {}
        for notificatie in notificaties:
            if notificatie.status is Notificatiestatus.OPEN:
                continue
            sleutel = aanleiding_id(notificatie.bron_event_id)
            if sleutel not in aanleidingen:
                gekend = bekend.get(sleutel) if bekend is not None else None
                aanleidingen[sleutel] = gekend or self.aanleiding(sleutel)
            aanleiding = aanleidingen[sleutel]
            if aanleiding is not None:
                aanleiding.bezorging_afgehandeld(
                    notificatie_id=notificatie.id,
                    rol=str(notificatie.rol),
                    kanaal=str(notificatie.kanaal),
                    status=str(notificatie.status),
                    op=op,
                )
        gewijzigd = [a for a in aanleidingen.values() if a is not None]
        self.save(*notificaties, *gewijzigd)
        return gewijzigd

    def bied_opnieuw_aan(
        self, notificatie_id: UUID, door: str, op: datetime
    ) -> Notificatie:
        """A person asks for another delivery of a failed notification."""
        notificatie = self.notificatie(notificatie_id)
        try:
            notificatie.bied_opnieuw_aan(door, op)
        except NotificatieFout:
            raise NotificatieNietMislukt(
                f"De notificatie is {notificatie.status}; alleen een mislukte "
                "notificatie kan opnieuw worden aangeboden."
            ) from None
        self.save(notificatie)
        return notificatie
