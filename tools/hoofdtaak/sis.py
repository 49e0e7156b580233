"""Which records travel as an SIS file, and turning them into bulk records.

Part of the VO school's year goes through each SIS format registratie's importers
accept: the record's lesweek (counted from the first school day) picks Magister
JSON, SOMtoday JSON, Eduarte CSV or plain JSON in turn, so even a run of a few weeks
uses every format. A correction follows its record's lesweek, so it takes the same
route and carries the same source id. The PO school's SIS (ParnasSys) has no public
export format, and the faulty records made on purpose must reach registratie as
they are: both always go as plain JSON.

The files are rendered by `tools.schooljaar.sisbestanden.SisWeergave` and read back
by `services.registratie.importers`, exactly as a school's import would. Eduarte
has no absence report without a reason, so an uncoded absence travels as a
teacher's observation (`waarnemingen` CSV, "Afwezig"), and the coded report that
may follow is a second source for the same slot (D14 decides between them).

`echte_bestanden` maps the real Eduarte sample files in `data/realdata/` to
made-up pupils and dates of this run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from services.registratie.importers import (
    ImportResultaat,
    lees_eduarte,
    lees_eduarte_waarnemingen,
    lees_magister,
    lees_somtoday,
)
from tools.schooljaar.registraties import Actie
from tools.schooljaar.sisbestanden import SisWeergave
from tools.schooljaar.verzuim import Schooljaar, record_datum

__all__ = ["Bulkregel", "Importfout", "ROUTES", "Sisroutes", "echte_bestanden"]

ROUTES = ("magister", "somtoday", "eduarte", "json")
REALDATA = Path(__file__).resolve().parents[2] / "data" / "realdata" / "eduarte"
_ONDERWIJSPRODUCT = "LES"


@dataclass(frozen=True)
class Bulkregel:
    """One record of a bulk request and the generated record it came from."""

    body: dict[str, Any]
    school: str
    oorsprong: str  # the generator's bronId, or "<file>:<line>" for a real file
    verwachting: str | None = None


@dataclass(frozen=True)
class Importfout:
    """A row an importer refused; `verwacht` when the file was meant to hold it."""

    route: str
    oorsprong: str
    reden: str
    verwacht: bool = False


@dataclass
class Sisroutes:
    jaar: Schooljaar
    sis_bestanden: bool = True
    importfouten: list[Importfout] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._eerste = {s: d[0] for s, d in self.jaar.lesdagen.items() if d}
        leerlingen = self.jaar.leerlingen_van("vo")
        self._weergave = SisWeergave(self.jaar.scholen["vo"], leerlingen)
        self._nummers = {str(ll.leerlingnummer): ll.leerling_id for ll in leerlingen}

    def route(self, actie: Actie) -> str:
        if not self.sis_bestanden or actie.school != "vo" or actie.verwachting:
            return "json"
        week = (record_datum(actie.payload) - self._eerste["vo"]).days // 7
        return ROUTES[week % len(ROUTES)]

    def verdeel(self, acties: Sequence[Actie]) -> dict[str, list[Bulkregel]]:
        """The bulk records per route, in the order of `acties`."""
        per_route: dict[str, list[Actie]] = {}
        for actie in acties:
            per_route.setdefault(self.route(actie), []).append(actie)
        lezers = {
            "json": self._json,
            "magister": self._magister,
            "somtoday": self._somtoday,
            "eduarte": self._eduarte,
        }
        return {route: lezers[route](lijst) for route, lijst in per_route.items()}

    # --- one route each ---------------------------------------------------------------

    @staticmethod
    def _json(acties: list[Actie]) -> list[Bulkregel]:
        return [
            Bulkregel(a.payload, a.school, a.payload["bronId"], a.verwachting)
            for a in acties
        ]

    def _terug(
        self, route: str, resultaat: ImportResultaat, herkomst: list[Actie]
    ) -> list[Bulkregel]:
        """Records read back, each tied to the action its row was rendered from."""
        for fout in resultaat.afgewezen:
            bron = herkomst[fout.regel - 1].payload["bronId"] if fout.regel else "-"
            self.importfouten.append(Importfout(route, bron, fout.reden))
        regels = []
        for ingelezen in resultaat.records:
            actie = herkomst[ingelezen.regel - 1]
            regels.append(
                Bulkregel(ingelezen.body(), actie.school, actie.payload["bronId"])
            )
        return regels

    def _magister(self, acties: list[Actie]) -> list[Bulkregel]:
        # The pupil view: one answer per pupil, one item per lesson.
        per_leerling: dict[str, list[Actie]] = {}
        for actie in acties:
            per_leerling.setdefault(actie.payload["leerlingId"], []).append(actie)
        regels = []
        for leerling_id, eigen in per_leerling.items():
            items: list[dict[str, Any]] = []
            herkomst: list[Actie] = []
            for actie in eigen:
                nieuw = self._weergave.magister_json([actie.payload])["Items"]
                items += nieuw
                herkomst += [actie] * len(nieuw)
            resultaat = lees_magister({"Items": items}, UUID(leerling_id))
            regels += self._terug("magister", resultaat, herkomst)
        return regels

    def _somtoday(self, acties: list[Actie]) -> list[Bulkregel]:
        ingevoerd = {a.payload["bronId"]: a.moment for a in acties}
        antwoord = self._weergave.somtoday_json([a.payload for a in acties], ingevoerd)
        return self._terug("somtoday", lees_somtoday(antwoord, self._nummers), acties)

    def _eduarte(self, acties: list[Actie]) -> list[Bulkregel]:
        meldingen = [a for a in acties if a.payload.get("redenCode")]
        waarnemingen = [a for a in acties if not a.payload.get("redenCode")]
        regels = []
        if meldingen:
            tekst = self._weergave.eduarte_csv([a.payload for a in meldingen])
            resultaat = lees_eduarte(tekst, self._nummers)
            regels += self._terug("eduarte", resultaat, meldingen)
        if waarnemingen:
            tekst = "".join(self._waarneming(a.payload) for a in waarnemingen)
            resultaat = lees_eduarte_waarnemingen(tekst, self._nummers)
            regels += self._terug("eduarte", resultaat, waarnemingen)
        return regels

    def _waarneming(self, record: dict[str, Any]) -> str:
        """An observation row: the report's first seven fields, then the lesson's
        product, "Afwezig" and not yet handled."""
        velden = self._weergave.eduarte_csv([record]).rstrip("\n").split(";")[:7]
        return ";".join([*velden, _ONDERWIJSPRODUCT, "Afwezig", "N"]) + "\n"


# --- the real sample files ------------------------------------------------------------


def _vervang(regel: str, nummers: dict[str, str], datums: dict[str, str]) -> str:
    velden = regel.split(";")
    velden[0] = nummers.get(velden[0], velden[0])
    for i in (1, 3):
        velden[i] = datums.get(velden[i], velden[i])
    return ";".join(velden)


def echte_bestanden(
    jaar: Schooljaar, routes: Sisroutes, map_: Path = REALDATA
) -> list[Bulkregel]:
    """The two Eduarte sample files, their pupils and dates mapped into this run.

    Pupil numbers become two made-up VO pupils', 12 and 13 October 2009 the first
    Monday and Tuesday of the run, and reason "Z" (ziek) the school's own code. The
    report whose lesson range spans two dates is refused by the importer, as the
    file's README says it must be; that refusal is expected.
    """
    lesdagen = jaar.lesdagen.get("vo", ())
    maandag = next(
        (d for d in lesdagen if d.weekday() == 0 and d + timedelta(days=1) in lesdagen),
        None,
    )
    leerlingen = sorted(jaar.leerlingen_van("vo"), key=lambda ll: ll.leerlingnummer)
    if maandag is None or len(leerlingen) < 2:
        return []
    nummers = {
        "100122": str(leerlingen[0].leerlingnummer),
        "102447": str(leerlingen[1].leerlingnummer),
    }
    datums = {
        "20091012": maandag.strftime("%Y%m%d"),
        "20091013": (maandag + timedelta(days=1)).strftime("%Y%m%d"),
    }
    ziek = jaar.scholen["vo"].code_voor("ziek") or "Z"
    koppeling = {str(ll.leerlingnummer): ll.leerling_id for ll in leerlingen[:2]}
    regels: list[Bulkregel] = []
    for naam, lezer in (
        ("voorbeeld absentiemeldingen.csv", lees_eduarte),
        ("voorbeeld waarnemingen.csv", lees_eduarte_waarnemingen),
    ):
        pad = map_ / naam
        if not pad.exists():
            continue
        rijen = []
        for regel in pad.read_text(encoding="utf-8").splitlines():
            velden = _vervang(regel, nummers, datums).split(";")
            if len(velden) == 9 and velden[7] == "Z":
                velden[7] = ziek
            rijen.append(";".join(velden))
        resultaat = lezer("\n".join(rijen), koppeling)
        for fout in resultaat.afgewezen:
            # The README of realdata names the one row that must be refused.
            verwacht = "lesuurbereik" in fout.reden
            routes.importfouten.append(
                Importfout("eduarte", f"{naam}:{fout.regel}", fout.reden, verwacht)
            )
        regels += [
            Bulkregel(r.body(), "vo", f"{naam}:{r.regel}") for r in resultaat.records
        ]
    return regels
