"""Use cases of analyse, as an eventsourcing application.

Per school a `School` (calendar, timetable, policy, sector and its pupils), per
pupil a `Leerling` (registration, classified slots, outgoing messages) and the
domain's `Leerlingbeeld`. Upstream events are applied by the consumer through
`batchwerk` (see `verwerking`); the API reads the aggregates and the in-memory
`Leesmodel`; a daily job calls `herbereken_dag`.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from eventsourcing.persistence import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)

from plumbing.consumer import UnitOfWork
from plumbing.errors import NotFound
from plumbing.security.personal_fields import SealedFieldsApplication
from services.analyse.domain.aggregate import Leerlingbeeld
from services.analyse.leerling import Leerling
from services.analyse.leesmodel import Leesmodel, Meldplichtstand
from services.analyse.persoonsvelden import PERSOONSVELDEN
from services.analyse.school import School, Schoolcontexten
from services.analyse.trends import Groepering, Per, Trendregel, bereken_trends
from services.analyse.verwerking import Batchwerk
from services.analyse.verzuimbeeld import (
    Verzuimbeeld,
    bouw_verzuimbeeld,
    leeg_verzuimbeeld,
)

__all__ = ["Analyse", "LeerlingNietGevonden"]

logger = logging.getLogger(__name__)

_STORE_ERRORS = (OperationalError, InterfaceError, DatabaseError)
# Pupils evaluated again per transaction by the daily job.
_DAGTAAK_PER_KEER = 200
# How far back a 16-hour duty's einddatum keeps its pupil in the daily job: the
# repeat period (7 days by default, D7) with room for days the job did not run.
HERHALING_TERUG = timedelta(days=35)


class LeerlingNietGevonden(NotFound):
    title = "Leerling niet gevonden"


class Analyse(SealedFieldsApplication):
    # The date of birth and parked free text, sealed per pupil (`persoonsvelden`).
    personal_fields = PERSOONSVELDEN
    vault_name = "sleutelkluis_analyse"
    cache_saved = True

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env=env)
        self.contexten = Schoolcontexten()
        self.leesmodel = Leesmodel(self)

    def batchwerk(self, uow: UnitOfWork, vandaag: date) -> Batchwerk:
        return Batchwerk(self.contexten, uow, vandaag)

    def _haal(self, aggregate_id: Any) -> Any | None:
        try:
            return self.repository.get(aggregate_id)
        except Exception as error:  # noqa: BLE001
            if type(error).__name__ != "AggregateNotFoundError":
                raise
            return None

    # --- queries ----------------------------------------------------------------------

    def school_van(self, leerling_id: str) -> str:
        """The pupil's school; `LeerlingNietGevonden` for a pupil never registered."""
        leerling = self._haal(Leerling.create_id(leerling_id))
        if leerling is None or not leerling.is_geregistreerd:
            raise LeerlingNietGevonden("Er is geen leerling met dit id.")
        return str(leerling.school_id)

    def verzuimbeeld(self, leerling_id: str, vandaag: date) -> Verzuimbeeld:
        leerling = self._haal(Leerling.create_id(leerling_id))
        if leerling is None or not leerling.is_geregistreerd:
            raise LeerlingNietGevonden("Er is geen leerling met dit id.")
        school = self._haal(School.create_id(leerling.school_id))
        beeld = self._haal(Leerlingbeeld.create_id(leerling_id))
        if school is None or not school.is_geregistreerd or beeld is None:
            return leeg_verzuimbeeld(leerling_id, leerling.school_id, vandaag)
        context = self.contexten.voor(school, leerling.lesdagen)
        return bouw_verzuimbeeld(leerling.school_id, beeld, context, vandaag)

    def meldplichten(
        self, school_id: str, status: str | None = None
    ) -> list[Meldplichtstand]:
        self.leesmodel.bij()
        with self.leesmodel.lock:
            gevonden = [
                m
                for _, stand in self.leesmodel.van_school(school_id)
                for m in stand.meldplichten.values()
                if status is None or m.status == status
            ]
        return sorted(gevonden, key=lambda m: (m.vervaldatum, m.leerling_id, m.sleutel))

    def trends(
        self,
        school_id: str,
        per: Per,
        groepering: Groepering,
        van: date | None = None,
        tot: date | None = None,
    ) -> list[Trendregel]:
        self.leesmodel.bij()
        return bereken_trends(self.leesmodel, school_id, per, groepering, van, tot)

    # --- the daily job ----------------------------------------------------------------

    def herbereken_dag(self, vandaag: date) -> int:
        """Evaluate again the pupils whose result can change by the date alone.

        The engine reads `vandaag` for the einddatum of an LRV or RMC melding (known
        once a later lesdag passed, D7), for a repeat melding held back until 7 days
        after the last one (D7), and for the achterstallig flag, which is fixed when
        a duty is first found (D17). Other duties only come with new facts, which
        the consumer evaluates; so only pupils with a standing LRV or RMC duty
        without einddatum, or a 16-hour duty that ended in the last
        `HERHALING_TERUG` days, are evaluated here. Returns how many were evaluated.
        """
        self.leesmodel.bij()
        kandidaten = sorted(
            {
                *self.leesmodel.lopend_continu(),
                *self.leesmodel.recent_zestien_uur(vandaag - HERHALING_TERUG),
            }
        )
        for begin in range(0, len(kandidaten), _DAGTAAK_PER_KEER):
            deel = kandidaten[begin : begin + _DAGTAAK_PER_KEER]
            try:
                self._herbereken(deel, vandaag)
            except Exception as fout:  # noqa: BLE001
                if isinstance(fout, _STORE_ERRORS) and not isinstance(
                    fout, IntegrityError
                ):
                    raise  # the store is away: the job tries the day again later
                # A version conflict (the consumer changed a pupil meanwhile) or one
                # pupil's failure must not stop the others: once more, one by one.
                for leerling_id in deel:
                    self._herbereken_een(leerling_id, vandaag)
        if kandidaten:
            logger.info("daily evaluation done", extra={"count": len(kandidaten)})
        return len(kandidaten)

    def _herbereken_een(self, leerling_id: str, vandaag: date) -> None:
        try:
            self._herbereken([leerling_id], vandaag)
        except IntegrityError:
            logger.info(
                "pupil changed during the daily evaluation; skipped",
                extra={"leerling": leerling_id},
            )
        except _STORE_ERRORS:
            raise
        except Exception:  # noqa: BLE001 - logged; the consumer's next change retries
            logger.exception(
                "daily evaluation of a pupil failed", extra={"leerling": leerling_id}
            )

    def _herbereken(self, leerling_ids: list[str], vandaag: date) -> None:
        uow = UnitOfWork(self)
        werk = self.batchwerk(uow, vandaag)
        for leerling_id in leerling_ids:
            werk.herbereken(leerling_id)
        werk.before_save()
        self.save(*uow.aggregates)
        self.keep_in_cache(uow.aggregates)
