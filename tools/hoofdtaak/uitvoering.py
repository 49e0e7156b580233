"""The main job: a generated school year through the running chain, end to end.

`voer_uit(opdracht)` generates the year, starts the stack, registers the schools and
pupils, sends every action (day by day with the clock moving, or as one backfill
with the clock at the end of the year), waits until the chain is quiet, takes the
verzuimcoördinator's decisions the demo may take (`besluiten`), collects the figures,
runs the checks and the reconciliation, and returns an `Uitkomst`. The command line
(`__main__`) prints it and writes the HTML report; the end-to-end test asserts on it.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from datetime import time as kloktijd
from uuid import UUID

from rich.console import Console
from rich.progress import Progress, TaskID

from plumbing.clock import FileClock
from plumbing.security.settings import SecuritySettings
from services.registratie.domain.school import school_id_voor
from tools.hoofdtaak.besluiten import Besluitnemer, neem_besluiten
from tools.hoofdtaak.controles import Controle, controleer
from tools.hoofdtaak.dossierwerk import Dossierronde
from tools.hoofdtaak.invoer import Verzender
from tools.hoofdtaak.keten import Keten, start_keten
from tools.hoofdtaak.klant import Ketenklant
from tools.hoofdtaak.metingen import (
    Metingen,
    cpu_seconden,
    laatste_ontvangst,
    piekgeheugen_mb,
)
from tools.hoofdtaak.opdracht import Opdracht
from tools.hoofdtaak.partners import Partnerontvanger
from tools.hoofdtaak.reconciliatie import Reconciliatie, reconcilieer, schrijf_run
from tools.hoofdtaak.registratielog import lees_registratie
from tools.hoofdtaak.sis import Sisroutes
from tools.hoofdtaak.verzamelen import haal_ketenbeeld, rapportgegevens
from tools.hoofdtaak.wachten import Stand, wacht_op_lag, wacht_tot_stil
from tools.schooljaar.rapport import maak_voortgang
from tools.schooljaar.rapportgegevens import Rapportgegevens
from tools.schooljaar.registraties import moment
from tools.schooljaar.verzuim import Instellingen, Schooljaar, genereer_schooljaar

__all__ = ["Metingen", "Uitkomst", "voer_uit"]

_EINDE_DAG = kloktijd(18, 0)
_BEGIN_DAG = kloktijd(7, 0)
_NALOOP = timedelta(days=7)
# Decisions can bring new ones (a confirmed melding changes what is counted).
_BESLUITRONDES = 3


@dataclass
class Uitkomst:
    opdracht: Opdracht
    gegevens: Rapportgegevens
    controles: list[Controle]
    reconciliatie: Reconciliatie
    metingen: Metingen
    besluiten: Counter[str]
    stil: bool

    @property
    def geslaagd(self) -> bool:
        return (
            self.stil
            and all(c.geslaagd for c in self.controles)
            and self.reconciliatie.in_orde
        )


class _Voortgang:
    """Progress bars, or nothing when the run is quiet."""

    def __init__(self, progress: Progress | None) -> None:
        self.progress = progress
        self.taken: dict[str, TaskID] = {}

    def taak(self, naam: str, beschrijving: str, totaal: float | None) -> None:
        if self.progress is not None:
            self.taken[naam] = self.progress.add_task(beschrijving, total=totaal)

    def stap(self, naam: str, aantal: int) -> None:
        if self.progress is not None and naam in self.taken:
            self.progress.advance(self.taken[naam], aantal)

    def beschrijf(self, naam: str, beschrijving: str, *, klaar: bool = False) -> None:
        if self.progress is not None and naam in self.taken:
            taak = self.taken[naam]
            self.progress.update(taak, description=beschrijving)
            if klaar:
                self.progress.update(taak, total=1, completed=1)


def _laatste_dag(jaar: Schooljaar) -> date:
    """The end of the run: a week after the last lesdag (so the D8 notice period of
    the last records has passed), or the last action if that comes later."""
    laatste_lesdag = max(d[-1] for d in jaar.lesdagen.values() if d)
    return max(jaar.acties[-1].day, laatste_lesdag + _NALOOP)


class _Rit:
    """One run against a started chain."""

    def __init__(
        self,
        opdracht: Opdracht,
        jaar: Schooljaar,
        keten: Keten,
        klant: Ketenklant,
        console: Console | None = None,
    ) -> None:
        self.opdracht = opdracht
        self.jaar = jaar
        self.keten = keten
        self.klant = klant
        self.school_ids = school_ids(jaar)
        self.ids = list(self.school_ids.values())
        self.voortgang = _Voortgang(None if opdracht.stil else maak_voortgang(console))
        self.verzender = Verzender(
            klant,
            jaar,
            {k: UUID(v) for k, v in self.school_ids.items()},
            Sisroutes(jaar, sis_bestanden=opdracht.sis_bestanden),
            gelijktijdig=opdracht.gelijktijdig,
            voortgang=self.voortgang.stap,
        )
        self.besluiten: Counter[str] = Counter()
        self.besluitnemer = Besluitnemer(klant, self.ids)
        self.dossierronde = Dossierronde(klant, self.ids)

    def _taken(self) -> None:
        soorten = Counter(a.kind for a in self.jaar.acties)
        self.voortgang.taak("leerlingen", "leerlingen", len(self.jaar.leerlingen))
        self.voortgang.taak(
            "records", "afwezigheden", soorten["afwezigheid"] + soorten["correctie"]
        )
        meldingen = sum(
            soorten[s] for s in ("afmelding", "verlofaanvraag", "verlofbesluit")
        )
        self.voortgang.taak("meldingen", "afmeldingen en verlof", meldingen)

    async def stuur(self, metingen: Metingen) -> datetime:
        """Everything in; returns the wall-clock moment the last action was sent."""
        begin = time.perf_counter()
        await self.verzender.scholen()
        await self.verzender.leerlingen()
        metingen.leerlingen = time.perf_counter() - begin
        for na, duur in self.opdracht.storingen.uitval:
            await self.klant.verzoek(
                "duo",
                "POST",
                "/beheer/storingen/uitval",
                json={"seconden": duur, "na_seconden": na},
            )
        if self.opdracht.echte_bestanden:
            await self.verzender.echte_bestanden()
        begin = time.perf_counter()
        if self.opdracht.modus == "bulk":
            await self.verzender.stuur(Verzender.bulkvolgorde(self.jaar.acties))
        else:
            await self._dag_voor_dag()
        self.verzender.importfouten()
        metingen.acties = time.perf_counter() - begin
        metingen.per_soort = dict(self.verzender.duur)
        metingen.records = sum(
            1 for a in self.jaar.acties if a.kind in ("afwezigheid", "correctie")
        )
        return datetime.now().astimezone()

    async def _dag_voor_dag(self) -> None:
        """One day at a time with the clock on that day; at every weekend the chain
        catches up, so duties are found in the week they arise (D17)."""
        vorige_week: int | None = None
        vorige_dag: date | None = None
        for dag, acties in self.jaar.per_dag():
            week = dag.isocalendar().week
            if vorige_dag is not None and week != vorige_week:
                await wacht_op_lag(self.klant)
                if self.opdracht.besluiten:
                    await self.dossierronde.ronde(vorige_dag)
            vorige_week, vorige_dag = week, dag
            self.keten.zet_klok(moment(dag, _EINDE_DAG))
            await self.verzender.stuur(acties)
        self.keten.zet_klok(moment(_laatste_dag(self.jaar), _EINDE_DAG))
        self.besluiten.update(self.dossierronde.gedaan)

    async def wacht(self, metingen: Metingen) -> tuple[bool, Stand]:
        """Until quiet, with the decisions still taken as they come up; then what
        is left of them, each round followed by a wait. `metingen.rust` gets the
        seconds of every step."""
        self.voortgang.taak("keten", "wachten tot de keten stil is", None)

        def toon(stand: Stand) -> None:
            self.voortgang.beschrijf(
                "keten",
                f"wachten: lag {stand.lag}, te versturen {stand.te_versturen}, "
                f"bij DUO {sum(stand.duo.values())}",
            )

        tijd = self.opdracht.wachttijd
        begin = time.perf_counter()
        self.besluitnemer.elke(1.0)
        stil, stand = await wacht_tot_stil(
            self.klant, self.ids, tijd=tijd, bij_stand=toon
        )
        self.besluiten.update(await self.besluitnemer.stop())
        metingen.rust.append(("tot stil", time.perf_counter() - begin))
        for ronde in range(1, 1 + (_BESLUITRONDES if self.opdracht.besluiten else 0)):
            begin = time.perf_counter()
            genomen = await neem_besluiten(self.klant, self.ids)
            if not genomen:
                break
            self.besluiten.update(genomen)
            metingen.rust.append((f"besluiten {ronde}", time.perf_counter() - begin))
            begin = time.perf_counter()
            stil, stand = await wacht_tot_stil(
                self.klant, self.ids, tijd=tijd, bij_stand=toon
            )
            metingen.rust.append(
                (f"na besluiten {ronde} tot stil", time.perf_counter() - begin)
            )
        self.voortgang.beschrijf(
            "keten", "keten stil" if stil else "keten niet stil", klaar=True
        )
        return stil, stand

    async def voer_uit(self, metingen: Metingen, begin: float) -> Uitkomst:
        self._taken()
        progress = self.voortgang.progress
        if progress is not None:
            progress.start()
        try:
            if self.opdracht.besluiten:
                self.besluitnemer.start()
            laatste_actie = await self.stuur(metingen)
            rust = time.perf_counter()
            stil, stand = await self.wacht(metingen)
            metingen.tot_rust = time.perf_counter() - rust
        finally:
            await self.besluitnemer.stop()
            if progress is not None:
                progress.stop()

        ontvangen = laatste_ontvangst(await self.klant.get("duo", "/beheer/meldingen"))
        if ontvangen is not None:
            metingen.laatste_record_tot_laatste_melding = max(
                0.0, (ontvangen - laatste_actie).total_seconds()
            )
        for naam, pid in self.keten.pids.items():
            piek = piekgeheugen_mb(pid)
            if piek is not None:
                metingen.piekgeheugen_mb[naam] = piek
            cpu = cpu_seconden(pid)
            if cpu is not None:
                metingen.cpu_seconden[naam] = cpu
        eigen = os.times()
        metingen.cpu_seconden["hoofdtaak (SIS-kant)"] = eigen.user + eigen.system
        return await self._afronden(metingen, begin, stil, stand)

    async def _afronden(
        self, metingen: Metingen, begin: float, stil: bool, stand: Stand
    ) -> Uitkomst:
        settings = SecuritySettings(
            verzuim_data_dir=self.keten.data_dir,
            verzuim_store=self.opdracht.store,
            **({"postgres_dbname": self.keten.database} if self.keten.database else {}),
        )
        registratie = await asyncio.to_thread(lees_registratie, settings)
        beeld = await haal_ketenbeeld(
            self.klant, self.ids, gelijktijdig=self.opdracht.gelijktijdig
        )
        vandaag = FileClock(self.keten.klokbestand).today()
        reconciliatie = await reconcilieer(self.klant, settings, vandaag, registratie)
        metingen.totaal = time.perf_counter() - begin
        tellingen = self.verzender.tellingen
        gegevens = rapportgegevens(
            self.jaar,
            self.school_ids,
            beeld,
            registratie,
            stand,
            tellingen,
            metingen.totaal,
        )
        dlq: Counter[str] = Counter()
        for m in stand.metingen.values():
            dlq.update(m.dlq)
        controles = controleer(
            beeld,
            registratie,
            stil=stil,
            onverwacht=self.verzender.uitkomst.onverwacht,
            dlq=dlq,
        )
        return Uitkomst(
            self.opdracht,
            gegevens,
            controles,
            reconciliatie,
            metingen,
            self.besluiten,
            stil,
        )


def school_ids(jaar: Schooljaar) -> dict[str, str]:
    """The registratie id of every demo school that has pupils in this run."""
    return {
        sleutel: str(school_id_voor(school.brin, school.vestiging))
        for sleutel, school in jaar.scholen.items()
        if jaar.leerlingen_van(sleutel)
    }


async def voer_uit(opdracht: Opdracht, console: Console | None = None) -> Uitkomst:
    begin = time.perf_counter()
    metingen = Metingen()
    jaar = genereer_schooljaar(
        Instellingen(
            seed=opdracht.seed,
            weken=opdracht.weken,
            vo_leerlingen=opdracht.vo,
            po_leerlingen=opdracht.po,
        )
    )
    metingen.genereren = time.perf_counter() - begin
    ids = school_ids(jaar)
    klok = (
        moment(_laatste_dag(jaar), _EINDE_DAG)
        if opdracht.modus == "bulk"
        else moment(min(d[0] for d in jaar.lesdagen.values() if d), _BEGIN_DAG)
    )
    scholen = {
        sid: (jaar.scholen[s].naam, jaar.scholen[s].brin) for s, sid in ids.items()
    }
    gemeenten = {ll.woongemeente for ll in jaar.leerlingen}
    partners = Partnerontvanger()
    await partners.start()
    try:
        gestart = time.perf_counter()
        async with start_keten(
            opdracht.data_dir,
            list(ids.values()),
            klok,
            store=opdracht.store,
            seed=opdracht.seed,
            fractie_5xx=opdracht.storingen.fractie_5xx,
            fractie_afwijzing=opdracht.storingen.fractie_afwijzing,
            extra=partners.omgeving(scholen, gemeenten),
        ) as keten:
            metingen.starten = time.perf_counter() - gestart
            schrijf_run(keten.data_dir, opdracht.store, keten.database)
            klant = Ketenklant(keten.urls, keten.api_sleutel)
            try:
                rit = _Rit(opdracht, jaar, keten, klant, console)
                return await rit.voer_uit(metingen, begin)
            finally:
                await klant.sluit()
    finally:
        await partners.stop()
