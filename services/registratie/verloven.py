"""Use cases for leave: submit, assess and decide a request (art. 13a, 14, 11a).

A granted request becomes a legal ground on the pupil (D14) and reclassifies the covered
days; a denied one is remembered for the D18 signal "absence after denied leave".
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from uuid import UUID

from leerplicht.kalender import schooljaar_van
from leerplicht.regime import Regime, regime_op
from services.registratie.basis import RegistratieBasis
from services.registratie.domain.classificatie import Grond, Grondfeit
from services.registratie.domain.fouten import NietGevonden, OngeldigeInvoer
from services.registratie.domain.leerling import Leerling, grondfeit_naar_dict
from services.registratie.domain.school import SchoolContext
from services.registratie.domain.tijd import lokale_datum
from services.registratie.domain.verlof import (
    Reden,
    Uitkomst,
    VerlofContext,
    VerlofSoort,
    VerlofVerzoek,
    beoordeel,
    toets_besluit,
)
from services.registratie.domain.verlofaanvraag import Verlofaanvraag
from services.registratie.meldingen import raak_periode
from services.registratie.modellen import (
    BesluitInvoer,
    VerlofaanvraagInvoer,
    VerlofaanvraagView,
)
from services.registratie.werkeenheid import Werkeenheid

__all__ = ["VerlovenGebruik", "aanvraag_view"]


def _maandag(d: date) -> date:
    return d - timedelta(days=d.weekday())


def aanvraag_view(aanvraag: Verlofaanvraag) -> VerlofaanvraagView:
    return VerlofaanvraagView(
        aanvraag_id=aanvraag.id,
        leerling_id=aanvraag.leerling_id,
        soort=VerlofSoort(aanvraag.soort),
        van=aanvraag.van,
        tot=aanvraag.tot,
        lesdagen=aanvraag.lesdagen,
        uitkomst=aanvraag.status,
        reden=aanvraag.reden_code,
        vlaggen=list(aanvraag.vlaggen),
        beslisser=aanvraag.beslisser_rol,
        besloten_door=aanvraag.besloten_door,
        toelichting=aanvraag.toelichting,
        versie=aanvraag.version,
    )


class VerlovenGebruik(RegistratieBasis):
    def _verlofcontext(
        self,
        leerling: Leerling,
        school: SchoolContext,
        verzoek: VerlofVerzoek,
        eigen: str | None,
    ) -> VerlofContext:
        feiten = leerling.feiten()
        jaar = schooljaar_van(verzoek.van).van.year
        heeft_sk = (
            feiten.startkwalificatie is not None
            and feiten.startkwalificatie <= verzoek.van
        )
        regime = regime_op(
            verzoek.van,
            feiten.geboortedatum,
            heeft_sk,
            school.kalender_voor(verzoek.van),
        )
        gebruikt_door = leerling.vakantieverlof_jaren.get(str(jaar))
        go = {
            k: v for k, v in leerling.go_dagen.get(str(jaar), {}).items() if k != eigen
        }
        return VerlofContext(
            kalender=school.kalender_voor(verzoek.van),
            beleid=school.beleid,
            geboortedatum=feiten.geboortedatum,
            kwalificatieplichtig=regime is Regime.KWALIFICATIEPLICHT,
            lesdagen_leerling=feiten.lesdagen,
            vakantieverlof_gebruikt=gebruikt_door is not None
            and gebruikt_door != eigen,
            go_dagen_eerder=sum(go.values()),
        )

    def dien_verlofaanvraag_in(
        self, invoer: VerlofaanvraagInvoer, nu: datetime | None = None
    ) -> VerlofaanvraagView:
        """Submit and assess a leave request (art. 13a, 14, 11a)."""

        def opdracht(werk: Werkeenheid) -> Verlofaanvraag:
            leerling = werk.leerling(invoer.leerling_id)
            _, school = werk.school(leerling.school_id)
            verzoek = VerlofVerzoek(
                soort=invoer.soort,
                van=invoer.van,
                tot=invoer.tot,
                ingediend_op=invoer.ingediend_op or lokale_datum(werk.moment),
                werkgeversverklaring=invoer.werkgeversverklaring,
                omstandigheid=invoer.omstandigheid,
                minuten=invoer.minuten,
            )
            beoordeling = beoordeel(
                verzoek, self._verlofcontext(leerling, school, verzoek, None)
            )
            aanvraag = Verlofaanvraag.dien_in(leerling.id, verzoek, beoordeling)
            werk.nieuw(aanvraag)
            if beoordeling.uitkomst is Uitkomst.DENIED:
                leerling.wijs_verlof_af(
                    leerling_id=leerling.id,
                    verwijzing=aanvraag.id.hex,
                    van=invoer.van,
                    tot=invoer.tot,
                )
                werk.bewaar(leerling)
            return aanvraag

        return aanvraag_view(self._uitvoeren(opdracht, nu))

    def besluit_verlof(
        self, aanvraag_id: UUID, besluit: BesluitInvoer, nu: datetime | None = None
    ) -> VerlofaanvraagView:
        """The head's (or above 10 days the LPA's) decision; records who and why."""

        def opdracht(werk: Werkeenheid) -> Verlofaanvraag:
            aanvraag = werk.haal(aanvraag_id, Verlofaanvraag)
            if aanvraag is None:
                raise NietGevonden("verlofaanvraag", str(aanvraag_id))
            if aanvraag.status is Uitkomst.GRANTED:
                raise OngeldigeInvoer("uitkomst", "verleend verlof is al besloten")
            leerling = werk.leerling(aanvraag.leerling_id)
            _, school = werk.school(leerling.school_id)
            verzoek = aanvraag.verzoek()
            herbeoordeling = beoordeel(
                verzoek, self._verlofcontext(leerling, school, verzoek, aanvraag.id.hex)
            )
            toets_besluit(Uitkomst(besluit.uitkomst), besluit.beslisser, herbeoordeling)
            toegekend = besluit.uitkomst is Uitkomst.GRANTED
            reden = None if toegekend else (besluit.reden or Reden.NO_LEGAL_GROUND)
            aanvraag.besluit(
                leerling_id=leerling.id,
                uitkomst=Uitkomst(besluit.uitkomst).value,
                reden=reden.value if reden else None,
                beslisser=besluit.beslisser.value,
                door=besluit.door,
                toelichting=besluit.toelichting,
                op=werk.moment,
            )
            werk.bewaar(aanvraag)
            werk.bewaar(leerling)
            if not toegekend:
                leerling.wijs_verlof_af(
                    leerling_id=leerling.id,
                    verwijzing=aanvraag.id.hex,
                    van=verzoek.van,
                    tot=verzoek.tot,
                )
            elif verzoek.soort is VerlofSoort.ART11A_EXTRA:
                leerling.breid_art11a_uit(
                    leerling_id=leerling.id,
                    week=_maandag(verzoek.van),
                    minuten=verzoek.minuten or 0,
                )
            else:
                grond = (
                    Grond.VERLOF_13A
                    if verzoek.soort is VerlofSoort.VAKANTIEVERLOF
                    else Grond.VERLOF_14
                )
                feit = Grondfeit(grond, verzoek.van, verzoek.tot)
                leerling.leg_grond_vast(
                    leerling_id=leerling.id,
                    verwijzing=aanvraag.id.hex,
                    feit=grondfeit_naar_dict(feit),
                )
                leerling.tel_verlof(
                    leerling_id=leerling.id,
                    verwijzing=aanvraag.id.hex,
                    soort=verzoek.soort.value,
                    schooljaar=schooljaar_van(verzoek.van).van.year,
                    lesdagen=aanvraag.lesdagen,
                )
                raak_periode(werk, leerling, school, verzoek.van, verzoek.tot)
            return aanvraag

        return aanvraag_view(self._uitvoeren(opdracht, nu))
