"""`Leerlingbeeld`: the event-sourced picture of one pupil's verzuim.

It holds the pupil's counted slots, the meldingen already submitted and the decisions
on signals. After every change it runs the pure engine and emits, as past-tense
events, only what differs from the previous result. The school's calendar, timetable,
policy and protocol are passed in per command (`Schoolcontext`): they are shared by
all pupils and do not belong in a pupil's event stream.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from leerplicht.kalender import Periode, SchoolKalender
from leerplicht.rooster import Rooster
from services.analyse.domain import serialisatie as data
from services.analyse.domain.engine import evalueer
from services.analyse.domain.maatregelen import (
    MAATREGEL_ACHTERSTALLIG,
    STANDAARD_PROTOCOL,
    Protocol,
    aanleiding_intrekking,
    aanleiding_meldplicht,
)
from services.analyse.domain.model import (
    AnalyseFout,
    Beleid,
    Leerlingfeiten,
    Sector,
    Slot,
)
from services.analyse.domain.toestand import LeerlingbeeldToestand
from services.analyse.domain.venstersom import (
    Venstersom,
    Venstersommen,
    venstersommen,
)
from services.analyse.domain.verschil import vergelijk


@dataclass(frozen=True)
class Schoolcontext:
    """School-wide inputs of an evaluation; the rooster is the pupil's own."""

    kalender: SchoolKalender
    rooster: Rooster
    beleid: Beleid = field(default_factory=Beleid)
    protocol: Protocol = STANDAARD_PROTOCOL


class Leerlingbeeld(LeerlingbeeldToestand):
    """Commands on one pupil's picture; each ends by re-running the engine."""

    @classmethod
    def nieuw(
        cls,
        leerling_id: str,
        geboortedatum: date,
        sector: Sector,
        *,
        startkwalificatie_sinds: date | None = None,
        einde_twaalf_schooljaren: date | None = None,
        vrijgesteld_kwalificatieplicht: bool = False,
    ) -> Leerlingbeeld:
        return cls(
            leerling_id=leerling_id,
            geboortedatum=geboortedatum.isoformat(),
            sector=sector.value,
            startkwalificatie_sinds=data.datum_naar(startkwalificatie_sinds),
            einde_twaalf_schooljaren=data.datum_naar(einde_twaalf_schooljaren),
            vrijgesteld_kwalificatieplicht=vrijgesteld_kwalificatieplicht,
        )

    def feiten(self, school: Schoolcontext) -> Leerlingfeiten:
        if self.geboortedatum is None:
            raise AnalyseFout("de persoonsgegevens van deze leerling zijn gewist")
        return Leerlingfeiten(
            geboortedatum=self.geboortedatum,
            sector=self.sector,
            kalender=school.kalender,
            rooster=school.rooster,
            beleid=school.beleid,
            startkwalificatie_sinds=self.startkwalificatie_sinds,
            einde_twaalf_schooljaren=self.einde_twaalf_schooljaren,
            vrijgesteld_kwalificatieplicht=self.vrijgesteld_kwalificatieplicht,
        )

    def venstersommen(self, school: Schoolcontext, vandaag: date) -> Venstersommen:
        """The current and the highest window sum; a query, it emits nothing.
        Of an erased pupil: the sums as they were at the erasure."""
        if self.gewist:
            return _sommen_uit(self.sommen_bij_wissen)
        return venstersommen(
            self.feiten(school),
            self._slots.values(),
            self._meldplichten.values(),
            self._besluiten,
            vandaag,
        )

    # --- commands --------------------------------------------------------------

    def verwerk_slots(
        self,
        gewijzigd: Iterable[Slot],
        verwijderd: Iterable[str],
        school: Schoolcontext,
        vandaag: date,
    ) -> None:
        """Apply new, corrected and removed slots, in any order (D14: one slot holds
        one status, the newest record replaces the older one). A redelivered,
        unchanged slot emits nothing."""
        laatste = {s.slot_id: s for s in gewijzigd}
        wijzigingen = [
            data.slot_naar(s)
            for s in laatste.values()
            if self._slots.get(s.slot_id) != s
        ]
        weg = sorted(
            i for i in set(verwijderd) if i in self._slots and i not in laatste
        )
        if not wijzigingen and not weg:
            return
        self._slots_bijgewerkt(self.leerling_id, wijzigingen, weg)
        self._herbereken(school, vandaag)

    def wijzig_feiten(
        self,
        school: Schoolcontext,
        vandaag: date,
        *,
        startkwalificatie_sinds: date | None,
        einde_twaalf_schooljaren: date | None,
        vrijgesteld_kwalificatieplicht: bool,
    ) -> None:
        self._feiten_gewijzigd(
            self.leerling_id,
            data.datum_naar(startkwalificatie_sinds),
            data.datum_naar(einde_twaalf_schooljaren),
            vrijgesteld_kwalificatieplicht,
        )
        self._herbereken(school, vandaag)

    def wis_persoonsgegevens(self, school: Schoolcontext | None, vandaag: date) -> None:
        """The pupil's personal data was erased: keep the window sums of today
        (with ``school``, else none) and evaluate nothing again."""
        if self.gewist_op is not None:
            return
        sommen = None
        if school is not None and self.geboortedatum is not None:
            nu = self.venstersommen(school, vandaag)
            sommen = {"huidig": _som_naar(nu.huidig), "hoogste": _som_naar(nu.hoogste)}
        self._persoonsgegevens_gewist(self.leerling_id, vandaag.isoformat(), sommen)

    def herbereken(self, school: Schoolcontext, vandaag: date) -> None:
        """Re-run the rules, e.g. daily: an LRV einddatum becomes known on return."""
        self._herbereken(school, vandaag)

    def registreer_indiening(
        self,
        sleutel: str,
        school: Schoolcontext,
        vandaag: date,
        *,
        begindatum: date | None = None,
        einddatum: date | None = None,
    ) -> None:
        """DUO holds the melding of `sleutel`, over `begindatum`..`einddatum` as it
        was sent (unknown: the duty's own period).

        The duty may have been stated again while its melding was on the way, with
        an earlier begindatum once older absence came in: the melding at DUO stays
        as it was sent, and what lies before it is counted on its own (R-MLD-8)."""
        # A duty cancelled by a correction while ketenkoppeling was already sending it
        # is at DUO all the same: record the submission, so the engine proposes its
        # withdrawal (D15) instead of forgetting it.
        m = self._meldplichten.get(sleutel) or self._vervallen.get(sleutel)
        if m is None:
            raise AnalyseFout(f"geen openstaande meldplicht {sleutel}")
        if m.ingediend:
            return
        self._melding_ingediend(
            self.leerling_id,
            sleutel,
            m.soort.value,
            (begindatum or m.begindatum).isoformat(),
            data.datum_naar(einddatum or m.einddatum),
        )
        self._herbereken(school, vandaag)

    def bevestig_intrekking(
        self, sleutel: str, school: Schoolcontext, vandaag: date
    ) -> None:
        """D15: the verzuimcoördinator confirmed; the withdrawal (status I) is sent."""
        if sleutel not in self._intrekkingen:
            raise AnalyseFout(f"geen intrekkingsvoorstel {sleutel}")
        self._melding_ingetrokken(self.leerling_id, sleutel)
        self._herbereken(school, vandaag)

    def beoordeel_signaal(
        self, sleutel: str, bevestigd: bool, school: Schoolcontext, vandaag: date
    ) -> None:
        """D18: a confirmed "vermoedelijk luxeverzuim" becomes luxe verzuim."""
        if sleutel not in self._signalen:
            raise AnalyseFout(f"geen open signaal {sleutel}")
        self._signaal_beoordeeld(self.leerling_id, sleutel, bevestigd)
        self._herbereken(school, vandaag)

    def _herbereken(self, school: Schoolcontext, vandaag: date) -> None:
        nieuw = evalueer(
            self.feiten(school),
            self._slots.values(),
            self._ingediend.values(),
            self._besluiten,
            vandaag=vandaag,
        )
        verschil = vergelijk(self.resultaat, nieuw, self._besluiten)
        lid = self.leerling_id
        for m in verschil.vervallen:
            self._meldplicht_vervallen(
                lid,
                m.sleutel,
                f"Na correcties is de meldplicht {m.soort} niet meer nodig; "
                "ze was nog niet ingediend en vervalt (D15).",
            )
        for sleutel in verschil.intrekking_vervallen:
            self._intrekkingsvoorstel_vervallen(lid, sleutel)
        for m in verschil.bijgewerkt:
            self._meldplicht_bijgewerkt(lid, data.meldplicht_naar(m))
        for m in verschil.vastgesteld:
            self._meldplicht_vastgesteld(lid, data.meldplicht_naar(m))
            extra = (MAATREGEL_ACHTERSTALLIG,) if m.achterstallig else ()
            self._stel_maatregelen_voor(
                school, aanleiding_meldplicht(m.soort), m.sleutel, extra
            )
        for i in verschil.intrekking_voorgesteld:
            self._intrekking_voorgesteld(lid, data.intrekking_naar(i))
            self._stel_maatregelen_voor(school, aanleiding_intrekking(), i.sleutel)
        for i in verschil.intrekking_bijgewerkt:
            self._intrekkingsvoorstel_bijgewerkt(lid, data.intrekking_naar(i))
        for sleutel in verschil.signalen_vervallen:
            self._signaal_vervallen(lid, sleutel)
        for s in verschil.signalen_bijgewerkt:
            self._signaal_bijgewerkt(lid, data.signaal_naar(s))
        for s in verschil.signalen_afgegeven:
            self._signaal_afgegeven(lid, data.signaal_naar(s))
            self._stel_maatregelen_voor(school, s.soort.value, s.sleutel, s.acties)

    def _stel_maatregelen_voor(
        self,
        school: Schoolcontext,
        aanleiding: str,
        sleutel: str,
        extra_codes: tuple[str, ...] = (),
    ) -> None:
        volgnummer = self._tellers.get(aanleiding, 1)
        for maatregel in school.protocol.voorstellen(
            aanleiding, volgnummer, extra_codes
        ):
            self._maatregel_voorgesteld(
                self.leerling_id,
                aanleiding,
                sleutel,
                volgnummer,
                data.maatregel_naar(maatregel),
            )


def _som_naar(som: Venstersom) -> dict[str, Any]:
    venster = som.venster
    return {
        "minuten": som.minuten,
        "van": venster.van.isoformat() if venster else None,
        "tot": venster.tot.isoformat() if venster else None,
    }


def _som_uit(som: dict[str, Any] | None) -> Venstersom:
    if not som:
        return Venstersom(0, None)
    if som["van"] is None:
        return Venstersom(som["minuten"], None)
    van, tot = date.fromisoformat(som["van"]), date.fromisoformat(som["tot"])
    return Venstersom(som["minuten"], Periode(van, tot))


def _sommen_uit(sommen: dict[str, Any] | None) -> Venstersommen:
    """The sums kept at the erasure (none when it could not evaluate then)."""
    sommen = sommen or {}
    huidig, hoogste = sommen.get("huidig"), sommen.get("hoogste")
    return Venstersommen(_som_uit(huidig), _som_uit(hoogste))
