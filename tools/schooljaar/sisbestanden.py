"""Render generated absence records in the three SIS shapes the importers accept.

Shapes as in services/registratie/README.md: Eduarte absence-report CSV, the Magister
pupil view `/absenties` (PascalCase, UTC instants with a `Z`, one item per lesson) and
SOMtoday `/absentiemeldingen` (`{"items": [...]}`, offsets with milliseconds). Input
records are the registratie HTTP bodies the generator writes (`Schooljaar.records()`);
times come from the school's timetable.

Choices where the formats leave room:

- A record without a reason code gets an empty Eduarte code field, a Magister item
  with `Code` null and `Omschrijving` "Afwezig", and a SOMtoday report with
  `absentieReden` null.
- Magister `Id`: the record's numeric bronId; a record spanning several lessons becomes
  one item per lesson with Id = bronId * 100 + lesuur. A time-span record becomes the
  lessons it overlaps.
- Late arrival covers the first `minuten` of the lesson, removal from class the last.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from tools.schooljaar.kalenders import Redencode, Schoolgegevens
from tools.schooljaar.leerlingen import Leerling
from tools.schooljaar.registraties import AMSTERDAM

__all__ = ["OnbekendeLeerling", "SisWeergave"]

_VAKKEN = ("ne", "en", "wi", "gs", "ak", "bi", "lo", "fa", "du", "na", "ec", "kv")


class OnbekendeLeerling(KeyError):
    """A record names a pupil the SIS does not know, so it has no pupil number."""


@dataclass(frozen=True)
class _Tijdvak:
    lesuur: int | None
    begin: datetime
    eind: datetime


def _tijd(hhmm: str) -> time:
    return time.fromisoformat(hhmm)


def _met_ms(moment: datetime) -> str:
    """SOMtoday style: `2024-10-07T08:30:00.000+02:00`."""
    return moment.isoformat(timespec="milliseconds")


class SisWeergave:
    """Renders records of one school; pupils are looked up by `leerlingId`."""

    def __init__(self, school: Schoolgegevens, leerlingen: Iterable[Leerling]) -> None:
        self.school = school
        self._leerlingen = {str(ll.leerling_id): ll for ll in leerlingen}
        klassen = sorted({ll.klas for ll in self._leerlingen.values()})
        self._klasnummer = {klas: i for i, klas in enumerate(klassen, start=1)}

    def _leerling(self, record: dict[str, Any]) -> Leerling:
        leerling = self._leerlingen.get(record["leerlingId"])
        if leerling is None:
            raise OnbekendeLeerling(
                f"record {record['bronId']}: pupil unknown to the SIS"
            )
        return leerling

    def _reden(self, record: dict[str, Any]) -> Redencode | None:
        code = record.get("redenCode")
        return self.school.reden(code) if code else None

    def tijdvakken(self, record: dict[str, Any]) -> list[_Tijdvak]:
        """The wall-clock spans a record covers, one per lesson where it has lessons."""
        if "van" in record:
            van = datetime.fromisoformat(record["van"]).astimezone(AMSTERDAM)
            tot = datetime.fromisoformat(record["tot"]).astimezone(AMSTERDAM)
            return [_Tijdvak(None, van, tot)]
        d = date.fromisoformat(record["datum"])
        vakken = []
        for les in self.school.lesuren_op(d.isoweekday()):
            if record["lesuurVan"] <= les["nummer"] <= record["lesuurTot"]:
                begin = datetime.combine(d, _tijd(les["begin"]), tzinfo=AMSTERDAM)
                eind = datetime.combine(d, _tijd(les["eind"]), tzinfo=AMSTERDAM)
                minuten = record.get("minuten")
                if minuten and record["soort"] == "te_laat":
                    eind = min(eind, begin + timedelta(minutes=minuten))
                elif minuten and record["soort"] == "verwijderd":
                    begin = max(begin, eind - timedelta(minutes=minuten))
                vakken.append(_Tijdvak(les["nummer"], begin, eind))
        return vakken

    def _lessen_in(self, vak: _Tijdvak) -> list[tuple[int, datetime, datetime]]:
        """The lessons a span overlaps, clipped to it (Magister has one per lesson)."""
        if vak.lesuur is not None:
            return [(vak.lesuur, vak.begin, vak.eind)]
        d = vak.begin.date()
        lessen = []
        for les in self.school.lesuren_op(d.isoweekday()):
            begin = datetime.combine(d, _tijd(les["begin"]), tzinfo=AMSTERDAM)
            eind = datetime.combine(d, _tijd(les["eind"]), tzinfo=AMSTERDAM)
            if begin < vak.eind and eind > vak.begin:
                lessen.append(
                    (les["nummer"], max(begin, vak.begin), min(eind, vak.eind))
                )
        return lessen

    # Eduarte -----------------------------------------------------------------

    def eduarte_csv(self, records: Iterable[dict[str, Any]]) -> str:
        """Absence reports: `;`, no header, yyyyMMdd, HHmm, 9 fields."""
        regels = []
        for record in records:
            leerling = self._leerling(record)
            vakken = self.tijdvakken(record)
            eerste, laatste = vakken[0], vakken[-1]
            # The format has no quoting: keep separators and line breaks out.
            opmerking = (record.get("opmerking") or "").replace(";", ",")
            velden = [
                str(leerling.leerlingnummer),
                eerste.begin.strftime("%Y%m%d"),
                eerste.begin.strftime("%H%M"),
                laatste.eind.strftime("%Y%m%d"),
                laatste.eind.strftime("%H%M"),
                str(record.get("lesuurVan", "")),
                str(record.get("lesuurTot", "")),
                record.get("redenCode") or "",
                " ".join(opmerking.split())[:1024],
            ]
            regels.append(";".join(velden) + "\n")
        return "".join(regels)

    # Magister ----------------------------------------------------------------

    @staticmethod
    def _utc(moment: datetime) -> str:
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000Z")

    def magister_json(self, records: Iterable[dict[str, Any]]) -> dict[str, Any]:
        """The pupil view `/absenties`: `{"Items": [...]}`, one item per lesson."""
        items = []
        for record in records:
            leerling = self._leerling(record)
            reden = self._reden(record)
            lessen = [
                les for vak in self.tijdvakken(record) for les in self._lessen_in(vak)
            ]
            for lesuur, begin, eind in lessen:
                record_id = int(record["bronId"])
                if len(lessen) > 1:
                    record_id = record_id * 100 + lesuur
                afspraak_id = self._afspraak_id(begin.date(), leerling.klas, lesuur)
                vak = _VAKKEN[(begin.isoweekday() * 3 + lesuur) % len(_VAKKEN)]
                items.append(
                    {
                        "Id": record_id,
                        "Start": self._utc(begin),
                        "Eind": self._utc(eind),
                        "Lesuur": lesuur,
                        "Geoorloofd": bool(reden and reden.geoorloofd),
                        "AfspraakId": afspraak_id,
                        "Omschrijving": reden.omschrijving if reden else "Afwezig",
                        "Verantwoordingtype": self._verantwoordingtype(record, reden),
                        "Code": reden.code if reden else None,
                        "Afspraak": {
                            "Id": afspraak_id,
                            "Start": self._utc(begin),
                            "Einde": self._utc(eind),
                            "LesuurVan": lesuur,
                            "LesuurTotMet": lesuur,
                            "DuurtHeleDag": False,
                            "Omschrijving": f"{vak} - {leerling.klas.lower()}",
                            "Lokatie": f"B{100 + lesuur}",
                        },
                    }
                )
        return {"Items": items}

    @staticmethod
    def _verantwoordingtype(record: dict[str, Any], reden: Redencode | None) -> int:
        # Magister's Verantwoordingtype: 1 absent, 2 late, 3 sick, 4 removed.
        if reden is not None:
            return reden.verantwoordingtype
        return {"te_laat": 2, "verwijderd": 4}.get(record["soort"], 1)

    def _afspraak_id(self, d: date, klas: str, lesuur: int) -> int:
        """One lesson of one class on one day: shared by all its pupils."""
        dagnummer = (d - date(2025, 8, 1)).days
        return 700_000_000 + dagnummer * 10_000 + self._klasnummer[klas] * 10 + lesuur

    # SOMtoday ----------------------------------------------------------------

    def somtoday_json(
        self,
        records: Iterable[dict[str, Any]],
        ingevoerd: dict[str, datetime] | None = None,
    ) -> dict[str, Any]:
        """`/absentiemeldingen`: `{"items": [...]}`, one report per record.

        `ingevoerd` maps bronId to the moment the record was entered
        (`datumTijdInvoer`); without it the report's begin is used.
        """
        items = []
        for record in records:
            leerling = self._leerling(record)
            reden = self._reden(record)
            vakken = self.tijdvakken(record)
            begin, eind = vakken[0].begin, vakken[-1].eind
            invoer = (ingevoerd or {}).get(record["bronId"], begin)
            item: dict[str, Any] = {
                "$type": "participatie.RAbsentieMelding",
                "links": [
                    {
                        "id": int(record["bronId"]),
                        "rel": "self",
                        "type": "participatie.RAbsentieMelding",
                    }
                ],
                "leerling": {
                    "links": [
                        {
                            "id": 5_100_000_000 + leerling.leerlingnummer,
                            "rel": "self",
                            "type": "leerling.RLeerlingPrimer",
                        }
                    ],
                    "UUID": str(leerling.leerling_id),
                    "leerlingnummer": leerling.leerlingnummer,
                    "roepnaam": leerling.roepnaam,
                    "achternaam": leerling.achternaam,
                },
                "absentieReden": self._somtoday_reden(reden),
                "datumTijdInvoer": _met_ms(invoer.astimezone(AMSTERDAM)),
                "beginDatumTijd": _met_ms(begin),
                "eindDatumTijd": _met_ms(eind),
                "afgehandeld": reden is not None,
            }
            if leerling.voorvoegsel:
                item["leerling"]["voorvoegsel"] = leerling.voorvoegsel
            if "lesuurVan" in record:
                item["beginLesuur"] = record["lesuurVan"]
                item["eindLesuur"] = record["lesuurTot"]
            if record.get("opmerking"):
                item["opmerkingen"] = record["opmerking"]
            items.append(item)
        return {"items": items}

    def _somtoday_reden(self, reden: Redencode | None) -> dict[str, Any] | None:
        if reden is None:
            return None
        nummer = [r.code for r in self.school.redenen].index(reden.code)
        return {
            "links": [
                {
                    "id": 6_100_000_000 + nummer,
                    "rel": "self",
                    "type": "participatie.RAbsentieRedenPrimer",
                }
            ],
            "absentieSoort": reden.absentie_soort,
            "afkorting": reden.code,
            "omschrijving": reden.omschrijving,
            "geoorloofd": reden.geoorloofd,
        }
