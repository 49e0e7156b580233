"""The checks at the end of a run: do the services' totals agree?

- every duty became a melding DUO accepted, or waits for a person's decision;
- no melding twice: one verzuimmelding per duty, one register entry per melding at
  the stand-in, every meldingsnummer once;
- every absence counted once: the minutes per school and status in registratie's
  own log equal those analyse counts in its trends, and no slot refers to a pupil
  registratie never announced;
- what registratie answered is what the generator expected (only the faulty
  records made on purpose are rejected), and no message went to a dead-letter topic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from tools.hoofdtaak.registratielog import Registratiestand
from tools.hoofdtaak.vergelijking import BIJ_DUO, STAAND
from tools.hoofdtaak.verzamelen import Ketenbeeld

__all__ = ["Controle", "controleer"]

_MAX_DETAILS = 20
# A person has to act: confirm a backlog melding (D17), repair a refused one, or
# judge a proposed withdrawal (D15).
_WACHT_OP_PERSOON = frozenset({"wachtOpBevestiging", "afgewezen"})


@dataclass(frozen=True)
class Controle:
    naam: str
    details: list[str] = field(default_factory=list)

    @property
    def geslaagd(self) -> bool:
        return not self.details


def _controle(naam: str, details: Iterable[str]) -> Controle:
    lijst = list(details)
    if len(lijst) > _MAX_DETAILS:
        lijst = [*lijst[:_MAX_DETAILS], f"... en nog {len(lijst) - _MAX_DETAILS}"]
    return Controle(naam, lijst)


def _elke_plicht_gemeld(beeld: Ketenbeeld) -> Iterable[str]:
    bij_duo = {m["meldingsnummer"] for m in beeld.duo.get("meldingen", [])}
    meldingen = {str(m["meldplichtId"]): m for m in beeld.meldingen}
    for plicht in beeld.meldplichten:
        status = plicht["status"]
        if status not in STAAND and status != "intrekkingVoorgesteld":
            continue
        mid = str(plicht["meldplichtId"])
        melding = meldingen.get(mid)
        if melding is None:
            yield f"meldplicht {mid} ({status}) heeft geen verzuimmelding"
            continue
        if melding["status"] in BIJ_DUO:
            if melding.get("meldingsnummer") not in bij_duo:
                yield f"melding {melding['meldingId']} is niet bij DUO geregistreerd"
        elif melding["status"] in _WACHT_OP_PERSOON:
            continue
        elif melding["status"] == "wachtend" and melding.get("blokkade"):
            continue  # missing data a person has to supply
        else:
            yield f"melding {melding['meldingId']} staat op {melding['status']}"


def _geen_melding_dubbel(beeld: Ketenbeeld) -> Iterable[str]:
    per_plicht = Counter(str(m["meldplichtId"]) for m in beeld.meldingen)
    for mid, aantal in sorted(per_plicht.items()):
        if aantal > 1:
            yield f"meldplicht {mid} heeft {aantal} verzuimmeldingen"
    nummers = Counter(
        m["meldingsnummer"] for m in beeld.meldingen if m.get("meldingsnummer")
    )
    for nummer, aantal in sorted(nummers.items()):
        if aantal > 1:
            yield f"meldingsnummer {nummer} {aantal} keer"
    register = beeld.duo.get("meldingen", [])
    documenten = Counter(m["document_id"] for m in register)
    for document, aantal in sorted(documenten.items()):
        if aantal > 1:
            yield f"document {document} {aantal} keer bij DUO"
    onbekend = {m["meldingsnummer"] for m in register} - set(nummers)
    for nummer in sorted(onbekend):
        yield f"DUO kent melding {nummer}, ketenkoppeling niet"


def _elk_verzuim_eenmaal(
    beeld: Ketenbeeld, registratie: Registratiestand
) -> Iterable[str]:
    bron: dict[str, Counter[str]] = {}
    for leerling in registratie.leerlingen.values():
        school = str(leerling.registratie.school_id)
        teller = bron.setdefault(school, Counter())
        for slot in leerling.slots.values():
            teller[slot.status] += slot.gemiste_minuten
    for school_id in sorted(set(bron) | set(beeld.trends)):
        analyse: Counter[str] = Counter()
        for regel in beeld.trends.get(school_id, []):
            analyse["geoorloofd"] += regel["geoorloofdMinuten"]
            analyse["ongeoorloofd"] += regel["ongeoorloofdMinuten"]
            analyse["onbekend"] += regel["onbekendMinuten"]
        geregistreerd = bron.get(school_id, Counter())
        for status in ("geoorloofd", "ongeoorloofd", "onbekend"):
            if geregistreerd[status] != analyse[status]:
                yield (
                    f"school {school_id} {status}: registratie {geregistreerd[status]}"
                    f" minuten, analyse {analyse[status]}"
                )
    for leerling_id, aantal in sorted(registratie.wezen.items()):
        yield f"{aantal} slots van leerling {leerling_id} zonder inschrijving"


def controleer(
    beeld: Ketenbeeld,
    registratie: Registratiestand,
    *,
    stil: bool,
    onverwacht: list[str],
    dlq: Mapping[str, int],
) -> list[Controle]:
    return [
        _controle("keten kwam tot rust", [] if stil else ["niet binnen de wachttijd"]),
        _controle(
            "elke meldplicht gemeld of wacht op een besluit", _elke_plicht_gemeld(beeld)
        ),
        _controle("geen melding dubbel", _geen_melding_dubbel(beeld)),
        _controle(
            "elk verzuim één keer geteld", _elk_verzuim_eenmaal(beeld, registratie)
        ),
        _controle("registratie antwoordde zoals verwacht", onverwacht),
        _controle(
            "geen berichten in een DLQ",
            [f"{topic}: {aantal}" for topic, aantal in sorted(dlq.items()) if aantal],
        ),
    ]
