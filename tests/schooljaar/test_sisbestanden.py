"""The three SIS renderings: parsed back, field by field (as in
services/registratie/README.md)."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tools.schooljaar.kalenders import PO_SCHOOL, VO_SCHOOL
from tools.schooljaar.leerlingen import Leerling
from tools.schooljaar.registraties import AMSTERDAM
from tools.schooljaar.sisbestanden import OnbekendeLeerling, SisWeergave
from tools.schooljaar.verzuim import Instellingen, Schooljaar, genereer_schooljaar

ECHT_EDUARTE = (
    Path(__file__).resolve().parents[2]
    / "data"
    / "realdata"
    / "eduarte"
    / "voorbeeld absentiemeldingen.csv"
)
SOMTODAY_TIJD = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$"
)
MAGISTER_TIJD = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$")


@pytest.fixture(scope="module")
def jaar() -> Schooljaar:
    return genereer_schooljaar(
        Instellingen(seed=5, weken=8, vo_leerlingen=200, po_leerlingen=60)
    )


@pytest.fixture(scope="module")
def vo(jaar: Schooljaar) -> SisWeergave:
    return SisWeergave(VO_SCHOOL, jaar.leerlingen_van("vo"))


def _leerling(jaar: Schooljaar, record: dict) -> Leerling:
    return next(
        ll for ll in jaar.leerlingen if str(ll.leerling_id) == record["leerlingId"]
    )


def _lees_eduarte(tekst: str) -> list[list[str]]:
    """The importer's reading of the CSV: `;`, no header, 9 fields per line."""
    rijen = [regel.split(";") for regel in tekst.splitlines() if regel]
    for velden in rijen:
        assert len(velden) == 9
        nummer, begindatum, begintijd, einddatum, eindtijd, van, tot, _, _ = velden
        assert nummer.isdigit()
        datetime.strptime(begindatum, "%Y%m%d")
        datetime.strptime(einddatum, "%Y%m%d")
        for tijd in (begintijd, eindtijd):
            assert tijd == "" or re.fullmatch(r"\d{4}", tijd)
        assert (van == "") == (tot == "")
    return rijen


def test_eduarte_csv_parses_back_like_the_real_sample(
    jaar: Schooljaar, vo: SisWeergave
) -> None:
    records = jaar.records("vo")

    rijen = _lees_eduarte(vo.eduarte_csv(records))
    echte = _lees_eduarte(ECHT_EDUARTE.read_text(encoding="utf-8"))

    assert len(rijen) == len(records)
    assert len(echte) == 4
    for velden, record in zip(rijen, records, strict=True):
        assert velden[0] == str(_leerling(jaar, record).leerlingnummer)
        assert velden[1] == record["datum"].replace("-", "")
        assert velden[5] == str(record["lesuurVan"])
        assert velden[7] == (record.get("redenCode") or "")


def test_eduarte_lesson_times_come_from_the_timetable(
    jaar: Schooljaar, vo: SisWeergave
) -> None:
    record = {
        "bronId": "1",
        "bron": "magister",
        "leerlingId": str(jaar.leerlingen_van("vo")[0].leerling_id),
        "datum": "2025-10-08",  # a Wednesday
        "lesuurVan": 3,
        "lesuurTot": 3,
        "soort": "te_laat",
        "minuten": 10,
        "redenCode": "TA",
        "opmerking": "bus; te laat\nweer",
    }

    velden = vo.eduarte_csv([record]).rstrip("\n").split(";")

    assert velden[1:5] == ["20251008", "1030", "20251008", "1040"]
    assert velden[8] == "bus, te laat weer"


def test_magister_items_are_pascalcase_utc_one_per_lesson(
    jaar: Schooljaar, vo: SisWeergave
) -> None:
    records = jaar.records("vo")

    items = vo.magister_json(records)["Items"]

    assert len(items) == len(records)
    for item, record in zip(items, records, strict=True):
        assert set(item) == {
            "Id",
            "Start",
            "Eind",
            "Lesuur",
            "Geoorloofd",
            "AfspraakId",
            "Omschrijving",
            "Verantwoordingtype",
            "Code",
            "Afspraak",
        }
        assert MAGISTER_TIJD.match(item["Start"]) and MAGISTER_TIJD.match(item["Eind"])
        assert item["Id"] == int(record["bronId"])
        assert item["Lesuur"] == record["lesuurVan"]
        assert item["Afspraak"]["LesuurVan"] == item["Afspraak"]["LesuurTotMet"]
        start = datetime.strptime(item["Start"][:19], "%Y-%m-%dT%H:%M:%S")
        lokaal = start.replace(tzinfo=UTC).astimezone(AMSTERDAM)
        assert lokaal.date() == date.fromisoformat(record["datum"])


def test_magister_codes_and_types(jaar: Schooljaar, vo: SisWeergave) -> None:
    basis = {
        "bron": "magister",
        "leerlingId": str(jaar.leerlingen_van("vo")[0].leerling_id),
    }
    ziek = {**basis, "bronId": "10", "datum": "2025-10-06", "lesuurVan": 1,
            "lesuurTot": 2, "soort": "afwezig", "redenCode": "ZI"}  # fmt: skip
    onbekend = {**basis, "bronId": "11", "datum": "2025-10-07", "lesuurVan": 1,
                "lesuurTot": 1, "soort": "afwezig"}  # fmt: skip

    items = vo.magister_json([ziek, onbekend])["Items"]

    assert [i["Id"] for i in items] == [1001, 1002, 11]
    # 08:30 CEST on 6 Oct 2025 is 06:30 UTC.
    assert items[0]["Start"] == "2025-10-06T06:30:00.0000000Z"
    assert items[0]["Verantwoordingtype"] == 3 and items[0]["Geoorloofd"] is True
    assert items[2]["Code"] is None and items[2]["Geoorloofd"] is False
    assert items[0]["AfspraakId"] != items[1]["AfspraakId"]


def test_somtoday_reports_have_offsets_with_milliseconds(
    jaar: Schooljaar, vo: SisWeergave
) -> None:
    records = jaar.records("vo")
    ingevoerd = {
        a.payload["bronId"]: a.moment for a in jaar.acties if a.kind == "afwezigheid"
    }

    body = vo.somtoday_json(records, ingevoerd)

    assert set(body) == {"items"}
    for item, record in zip(body["items"], records, strict=True):
        assert item["$type"] == "participatie.RAbsentieMelding"
        assert item["links"][0]["id"] == int(record["bronId"])
        assert (
            item["leerling"]["leerlingnummer"] == _leerling(jaar, record).leerlingnummer
        )
        for veld in ("datumTijdInvoer", "beginDatumTijd", "eindDatumTijd"):
            assert SOMTODAY_TIJD.match(item[veld])
        assert item["beginLesuur"] == record["lesuurVan"]
        reden = item["absentieReden"]
        if record.get("redenCode"):
            assert reden["afkorting"] == record["redenCode"]
            assert reden["absentieSoort"] in {"Absent", "Telaat", "Verwijderd"}
        else:
            assert reden is None
    zomertijd = next(i for i in body["items"] if i["beginDatumTijd"][5:7] == "10")
    assert zomertijd["beginDatumTijd"].endswith("+02:00")


def test_time_span_records_render_in_all_three_formats(jaar: Schooljaar) -> None:
    po = SisWeergave(PO_SCHOOL, jaar.leerlingen_van("po"))
    leerling_id = str(jaar.leerlingen_van("po")[0].leerling_id)
    record = {"bronId": "500100001", "bron": "parnassys", "leerlingId": leerling_id,
              "van": "2025-11-03T10:00:00+01:00", "tot": "2025-11-03T11:30:00+01:00",
              "soort": "afwezig", "redenCode": "AR"}  # fmt: skip

    csv_velden = po.eduarte_csv([record]).rstrip("\n").split(";")
    magister = po.magister_json([record])["Items"]
    somtoday = po.somtoday_json([record])["items"][0]

    assert csv_velden[1:7] == ["20251103", "1000", "20251103", "1130", "", ""]
    assert len(magister) == 1 and magister[0]["Start"] == "2025-11-03T09:00:00.0000000Z"
    assert somtoday["beginDatumTijd"] == "2025-11-03T10:00:00.000+01:00"
    assert "beginLesuur" not in somtoday


def test_a_pupil_unknown_to_the_sis_cannot_be_rendered(vo: SisWeergave) -> None:
    record = {"bronId": "9", "bron": "magister", "datum": "2025-10-06",
              "leerlingId": "00000000-0000-4000-8000-00000000dead",
              "lesuurVan": 1, "lesuurTot": 1, "soort": "afwezig"}  # fmt: skip

    with pytest.raises(OnbekendeLeerling):
        vo.eduarte_csv([record])
