"""Use cases of opvolging's staff: actions, decisions, closing, and the queries.

The reactions to upstream events are in `policies`, the PDCA use cases in `pdca`,
store set-up and units of work in `basis`.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any
from uuid import UUID

from services.opvolging.domain.dossier import Dossier
from services.opvolging.domain.leerlingdossiers import LeerlingDossiers
from services.opvolging.domain.lesweekverzuim import Lesweekverzuim
from services.opvolging.domain.rapport import LeerlingGegevens, afsluitrapport, als_html
from services.opvolging.domain.tijd import datum_van
from services.opvolging.domain.worklist import WerklijstRegel, werklijst
from services.opvolging.pdca import OpvolgingPdca
from services.opvolging.werkeenheid import Werkeenheid, dossier_laden, pointer_laden

__all__ = ["Opvolging"]

logger = logging.getLogger(__name__)


class Opvolging(OpvolgingPdca):
    name = "opvolging"

    # -- actions and decisions by staff

    def actie_toevoegen(
        self,
        dossier_id: UUID,
        *,
        titel: str,
        activiteit: str,
        door: str,
        r_rol: str | None = None,
        a_rol: str | None = None,
        vervaldatum: date | None = None,
        actie_id: str | None = None,
        op: datetime | None = None,
    ) -> str:
        return self._wijzig(
            dossier_id,
            door,
            op,
            lambda d, h: d.actie_toevoegen(
                titel=titel,
                activiteit=activiteit,
                beleid=self.beleid(d.school_id),
                handeling=h,
                r_rol=r_rol,
                a_rol=a_rol,
                vervaldatum=vervaldatum,
                actie_id=actie_id,
            ),
        )

    def actie_hertoewijzen(
        self,
        dossier_id: UUID,
        actie_id: str,
        *,
        r_rol: str,
        door: str,
        a_rol: str | None = None,
        toelichting: str = "",
        op: datetime | None = None,
    ) -> None:
        self._wijzig(
            dossier_id,
            door,
            op,
            lambda d, h: d.hertoewijzen(
                actie_id, r_rol=r_rol, a_rol=a_rol, toelichting=toelichting, handeling=h
            ),
        )

    def actie_afronden(
        self,
        dossier_id: UUID,
        actie_id: str,
        *,
        uitkomst: str,
        door: str,
        op: datetime | None = None,
    ) -> None:
        self._wijzig(
            dossier_id,
            door,
            op,
            lambda d, h: d.afronden(actie_id, uitkomst=uitkomst, handeling=h),
        )

    def actie_annuleren(
        self,
        dossier_id: UUID,
        actie_id: str,
        *,
        reden: str,
        door: str,
        op: datetime | None = None,
    ) -> None:
        self._wijzig(
            dossier_id,
            door,
            op,
            lambda d, h: d.annuleren(actie_id, reden=reden, handeling=h),
        )

    def beslis(
        self,
        dossier_id: UUID,
        actie_id: str,
        *,
        bevestigd: bool,
        door: str,
        toelichting: str = "",
        op: datetime | None = None,
    ) -> None:
        """Confirm or reject a decision (D15, D17, D18); the outcome is an event."""
        self._wijzig(
            dossier_id,
            door,
            op,
            lambda d, h: d.beslis(
                actie_id, bevestigd=bevestigd, toelichting=toelichting, handeling=h
            ),
        )

    # -- closing

    def afsluiten(
        self,
        dossier_id: UUID,
        *,
        reden: str,
        door: str,
        toelichting: str = "",
        op: datetime | None = None,
    ) -> None:
        handeling = self._handeling(door, op)

        def opdracht(uow: Werkeenheid) -> None:
            dossier = dossier_laden(uow, dossier_id)
            dossier.afsluiten(reden=reden, toelichting=toelichting, handeling=handeling)
            pointer = pointer_laden(uow, dossier.school_id, dossier.leerling_id)
            if pointer is not None:
                pointer.dossier_gesloten(dossier.id)

        self.werkeenheid(opdracht)
        logger.info(
            "afgesloten",
            extra={"event": "dossier_afgesloten", "dossier": str(dossier_id)},
        )

    # -- queries

    def open_dossier(self, school_id: str, leerling_id: str) -> Dossier | None:
        pointer = self._laad(LeerlingDossiers.id_voor(school_id, leerling_id))
        if not isinstance(pointer, LeerlingDossiers) or pointer.open_dossier is None:
            return None
        return self.dossier(pointer.open_dossier)

    def dossiers(
        self, school_id: str, *, status: str | None = None, rol: str | None = None
    ) -> list[Dossier]:
        return self.overzicht.van_school(school_id, status=status, rol=rol)

    def werklijst(
        self, school_id: str, rol: str, peildatum: date | None = None
    ) -> list[WerklijstRegel]:
        peildatum = peildatum or datum_van(self._klok())
        return werklijst(self.dossiers(school_id, status="open"), rol, peildatum)

    def leerlinggegevens(self, dossier: Dossier) -> LeerlingGegevens:
        """What the report shows of the pupil: names never reach opvolging, so the
        internal id stands in for one; the class comes from registratie."""
        verzuim = self._laad(
            Lesweekverzuim.id_voor(dossier.school_id, dossier.leerling_id)
        )
        klas = verzuim.klas if isinstance(verzuim, Lesweekverzuim) else None
        return LeerlingGegevens(naam=dossier.leerling_id, klas=klas)

    def rapport(
        self, dossier_id: UUID, leerling: LeerlingGegevens | None = None
    ) -> dict[str, Any]:
        dossier = self.dossier(dossier_id)
        return afsluitrapport(dossier, leerling or self.leerlinggegevens(dossier))

    def rapport_html(
        self, dossier_id: UUID, leerling: LeerlingGegevens | None = None
    ) -> str:
        return als_html(self.rapport(dossier_id, leerling))
