"""SIS importers: the real Eduarte sample files, fabricated records in each format
(services/registratie/README.md), and a generated 50,000-row Eduarte file."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from uuid import UUID, uuid4

import httpx
import pytest
import respx
from rich.console import Console

from services.registratie.application import Registratie
from services.registratie.domain.classificatie import Status
from services.registratie.domain.invoer import Soort
from services.registratie.importers import (
    lees_eduarte,
    lees_eduarte_waarnemingen,
    lees_magister,
    lees_somtoday,
)
from services.registratie.importers.cli import BULK_PAD, main, post_in_delen
from tests.registratie.conftest import Klok

ECHT = Path(__file__).resolve().parents[2] / "data" / "realdata" / "eduarte"
KOPPELING = {"100122": uuid4(), "102447": uuid4(), "654321": uuid4(), "123456": uuid4()}

SOMTODAY = {
    "items": [
        {
            "$type": "participatie.RAbsentieMelding",
            "links": [
                {
                    "id": 4100000000001,
                    "rel": "self",
                    "type": "participatie.RAbsentieMelding",
                }
            ],
            "leerling": {
                "links": [
                    {
                        "id": 5100000001,
                        "rel": "self",
                        "type": "leerling.RLeerlingPrimer",
                    }
                ],
                "UUID": "00000000-0000-4000-8000-000000000001",
                "leerlingnummer": 123456,
                "roepnaam": "Test",
                "achternaam": "Leerling",
            },
            "absentieReden": {
                "links": [
                    {
                        "id": 6100000001,
                        "rel": "self",
                        "type": "participatie.RAbsentieRedenPrimer",
                    }
                ],
                "absentieSoort": "Absent",
                "afkorting": "ZK",
                "omschrijving": "Ziek",
                "geoorloofd": True,
            },
            "datumTijdInvoer": "2024-10-07T07:42:10.000+02:00",
            "beginDatumTijd": "2024-10-07T08:30:00.000+02:00",
            "eindDatumTijd": "2024-10-07T12:10:00.000+02:00",
            "beginLesuur": 1,
            "eindLesuur": 4,
            "afgehandeld": True,
            "opmerkingen": "Ouder belde (fabricated)",
        }
    ]
}

MAGISTER = {
    "Items": [
        {
            "Id": 900001,
            "Start": "2024-10-07T06:30:00.0000000Z",
            "Eind": "2024-10-07T07:20:00.0000000Z",
            "Lesuur": 1,
            "Geoorloofd": False,
            "AfspraakId": 700001,
            "Omschrijving": "Afwezig ongeoorloofd",
            "Verantwoordingtype": 1,
            "Code": "A",
            "Afspraak": {
                "Id": 700001,
                "Start": "2024-10-07T06:30:00.0000000Z",
                "Einde": "2024-10-07T07:20:00.0000000Z",
                "LesuurVan": 1,
                "LesuurTotMet": 1,
                "DuurtHeleDag": False,
                "Omschrijving": "ne - h4a",
                "Lokatie": "B101",
            },
        }
    ]
}


def test_echte_eduarte_absentiemeldingen() -> None:
    resultaat = lees_eduarte(
        (ECHT / "voorbeeld absentiemeldingen.csv").read_text(), KOPPELING
    )

    assert [r.regel for r in resultaat.records] == [1, 2, 3]
    assert [(a.regel, "één datum" in a.reden) for a in resultaat.afgewezen] == [
        (4, True)
    ]
    eerste = resultaat.records[0].body()
    assert eerste["datum"] == "2009-10-12"
    assert (eerste["lesuurVan"], eerste["lesuurTot"], eerste["redenCode"]) == (
        2,
        2,
        "Z",
    )
    assert resultaat.records[2].body().keys() >= {"datum", "redenCode"}
    assert "lesuurVan" not in resultaat.records[2].body()  # whole day


def test_echte_eduarte_waarnemingen() -> None:
    resultaat = lees_eduarte_waarnemingen(
        (ECHT / "voorbeeld waarnemingen.csv").read_text(), KOPPELING
    )

    assert resultaat.afgewezen == []
    assert [r.invoer.soort for r in resultaat.records] == [
        Soort.AFWEZIG,
        Soort.AFWEZIG,
        Soort.AFWEZIG,
        Soort.AANWEZIG,
        Soort.AANWEZIG,
    ]
    assert {r.invoer.bron for r in resultaat.records} == {"eduarte-waarneming"}


def test_echte_eduarte_bestanden_door_de_applicatie(
    app: Registratie,
    nieuwe_leerling: Callable[..., UUID],
    school_met_rooster: Callable[..., UUID],
    klok: Klok,
) -> None:
    from leerplicht.fixtures import VO_ROOSTER
    from leerplicht.kalender import Periode as KalenderPeriode
    from leerplicht.kalender import SchoolKalender

    school = school_met_rooster(VO_ROOSTER)
    # The files are of the autumn of 2009: the school needs that year's calendar.
    app.stel_kalender_vast(
        school,
        SchoolKalender(
            vakanties=(KalenderPeriode(date(2009, 10, 17), date(2009, 10, 25)),),
            vrije_dagen=(),
            studiedagen=(),
            eerste_schooldag=date(2009, 8, 31),
        ),
    )
    klok.zet(date(2009, 10, 14))
    koppeling = {
        "100122": nieuwe_leerling(school, date(1992, 5, 1)),
        "102447": nieuwe_leerling(school, date(1993, 2, 1)),
    }
    meldingen = lees_eduarte(
        (ECHT / "voorbeeld absentiemeldingen.csv").read_text(), koppeling
    )
    waarnemingen = lees_eduarte_waarnemingen(
        (ECHT / "voorbeeld waarnemingen.csv").read_text(), koppeling
    )

    antwoord = app.registreer_bulk(
        [r.body() for r in meldingen.records + waarnemingen.records]
    )

    assert antwoord.aantallen == {"accepted": 8}
    dag = app.verzuimdag(koppeling["100122"], date(2009, 10, 12))
    assert dag is not None
    # The report (Z) and the observation for lessons 2 and 3 never add up.
    assert {s.lesuur: s.status for s in dag.slots} == {
        2: Status.GEOORLOOFD,
        3: Status.GEOORLOOFD,
    }
    opnieuw = app.registreer_bulk([r.body() for r in meldingen.records])
    assert opnieuw.aantallen == {"unchanged": 3}


def test_eduarte_regels_die_de_importer_weigert() -> None:
    tekst = "\n".join(
        [
            "abc;20241007;;;;;;Z;",  # non-numeric student number
            "654321;;;;;;;Z;",  # no start date
            "654321;20241007;;;;1;;Z;",  # begin lesson without end lesson
            "654321;20241007;;;;;;;",  # no reason
            "999999;20241007;;;;;;Z;",  # not in the koppeling
            "654321;20241007;0830;20241007;0920;1;1;Z;Gebeld door ouder",
            "654321;20241008;;20241009;;;;Z;Hele dag ziek",
            "654321;20241007",  # wrong number of fields
        ]
    )

    resultaat = lees_eduarte(tekst, KOPPELING)

    assert [r.regel for r in resultaat.records] == [6, 7]
    assert [a.regel for a in resultaat.afgewezen] == [1, 2, 3, 4, 5, 8]
    assert all("999999" not in a.reden for a in resultaat.afgewezen)
    meerdaags = resultaat.records[1].body()
    assert (meerdaags["datum"], meerdaags["tot"]) == ("2024-10-08", "2024-10-09")


def test_sisformats_voorbeelden_eduarte() -> None:
    meldingen = lees_eduarte(
        "654321;20241007;0830;20241007;0920;1;1;Z;Gebeld door ouder\n"
        "654321;20241008;;20241009;;;;Z;Hele dag ziek\n",
        KOPPELING,
    )
    waarneming = lees_eduarte_waarnemingen(
        "654321;20241007;0830;20241007;0920;1;1;NE;Afwezig;J\n", KOPPELING
    )

    assert len(meldingen.records) == 2 and not meldingen.afgewezen
    assert waarneming.records[0].invoer.soort is Soort.AFWEZIG
    # A re-import gives the same ids; another reason keeps the id (a correction).
    nog_eens = lees_eduarte("654321;20241007;0830;20241007;0920;1;1;A;\n", KOPPELING)
    assert nog_eens.records[0].invoer.bron_id == meldingen.records[0].invoer.bron_id


def test_sisformats_voorbeeld_somtoday() -> None:
    resultaat = lees_somtoday(json.dumps(SOMTODAY), KOPPELING)

    (record,) = resultaat.records
    assert record.body() == {
        "bronId": "4100000000001",
        "bron": "somtoday",
        "leerlingId": str(KOPPELING["123456"]),
        "van": "2024-10-07T08:30:00.000+02:00",
        "tot": "2024-10-07T12:10:00.000+02:00",
        "lesuurVan": 1,
        "lesuurTot": 4,
        "soort": "afwezig",
        "redenCode": "ZK",
        "opmerking": "Ouder belde (fabricated)",
    }


def test_somtoday_open_einde_en_onbekende_soort_worden_geweigerd() -> None:
    item = SOMTODAY["items"][0]
    open_einde = {**item, "eindDatumTijd": None}
    vreemd = {
        **item,
        "absentieReden": {**item["absentieReden"], "absentieSoort": "Huiswerk"},
    }

    resultaat = lees_somtoday({"items": [open_einde, vreemd, item]}, KOPPELING)

    assert [a.regel for a in resultaat.afgewezen] == [1, 2]
    assert [r.regel for r in resultaat.records] == [3]


def test_sisformats_voorbeeld_magister() -> None:
    leerling = uuid4()

    resultaat = lees_magister(json.dumps(MAGISTER), leerling)

    (record,) = resultaat.records
    assert record.body()["bronId"] == "900001"
    assert (
        record.invoer.lesuur_van,
        record.invoer.soort,
        record.invoer.reden_code,
    ) == (1, Soort.AFWEZIG, "A")
    huiswerk = {"Items": [{**MAGISTER["Items"][0], "Verantwoordingtype": 8}]}
    assert (
        lees_magister(huiswerk, leerling)
        .afgewezen[0]
        .reden.startswith("Verantwoordingtype 8")
    )


def test_magister_utc_is_amsterdam_lesuur_een(
    app: Registratie, vo_school: UUID, nieuwe_leerling: Callable[..., UUID], klok: Klok
) -> None:
    leerling = nieuwe_leerling(vo_school)
    klok.zet(date(2024, 10, 8))

    app.registreer_bulk([r.body() for r in lees_magister(MAGISTER, leerling).records])

    dag = app.verzuimdag(leerling, date(2024, 10, 7))
    assert dag is not None and [s.lesuur for s in dag.slots] == [1]


def test_vijftigduizend_eduarte_regels_inlezen() -> None:
    nummers = [str(100000 + i) for i in range(500)]
    koppeling = {n: uuid4() for n in nummers}
    # 500 pupils × 20 dates × 5 lessons: 50,000 distinct rows.
    regels = [
        f"{nummers[i % 500]};202510{1 + (i // 500) % 20:02d};;;;{1 + i // 10_000};"
        f"{1 + i // 10_000};A;"
        for i in range(50_000)
    ]

    begin = time.perf_counter()
    resultaat = lees_eduarte("\n".join(regels), koppeling)
    duur = time.perf_counter() - begin

    assert len(resultaat.records) == 50_000 and not resultaat.afgewezen
    assert len({r.invoer.bron_id for r in resultaat.records}) == 50_000
    assert duur < 20, f"{duur:.1f} s for 50,000 rows"


def test_cli_post_in_delen_met_voortgang(tmp_path: Path) -> None:
    regels = [f"654321;202510{d:02d};;;;;;Z;" for d in range(1, 26)]
    bestand = tmp_path / "export.csv"
    bestand.write_text("\n".join(regels))
    koppeling = tmp_path / "koppeling.csv"
    koppeling.write_text(f"654321;{KOPPELING['654321']}\n")
    with respx.mock(base_url="http://registratie.test") as router:
        route = router.post(BULK_PAD).mock(
            side_effect=lambda request: httpx.Response(
                200,
                json={
                    "regels": [{"status": "accepted"}]
                    * len(json.loads(request.content)["afwezigheden"])
                },
            )
        )

        code = main(
            [
                "eduarte",
                str(bestand),
                "--school",
                str(uuid4()),
                "--url",
                "http://registratie.test",
                "--koppeling",
                str(koppeling),
                "--chunk",
                "10",
            ]
        )

    assert code == 0
    assert route.call_count == 3
    eerste = json.loads(route.calls[0].request.content)
    assert len(eerste["afwezigheden"]) == 10
    assert eerste["afwezigheden"][0]["redenCode"] == "Z"


def test_post_in_delen_telt_antwoorden() -> None:
    with respx.mock(base_url="http://x.test") as router:
        router.post(BULK_PAD).mock(
            return_value=httpx.Response(
                200, json={"regels": [{"status": "accepted"}, {"status": "rejected"}]}
            )
        )
        with httpx.Client(base_url="http://x.test") as client:
            statussen = post_in_delen(
                client, "s", [{"bronId": "1"}, {"bronId": "2"}], 2, Console(quiet=True)
            )

    assert statussen == {"accepted": 1, "rejected": 1}


def test_cli_noemt_wat_de_server_weigert(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a koppeling with a header line and a file the server partly refuses.
    bestand = tmp_path / "export.csv"
    bestand.write_text("654321;20251001;;;;;;Z;\n654321;20251002;;;;;;Z;\n")
    koppeling = tmp_path / "koppeling.csv"
    koppeling.write_text(f"leerlingnummer;leerlingId\n654321;{KOPPELING['654321']}\n")
    antwoord = {
        "resultaten": [
            {"bronId": "a", "status": "accepted"},
            {
                "bronId": "b",
                "status": "rejected",
                "veld": "datum",
                "reden": "meer dan 400 dagen geleden",
            },
        ]
    }
    with respx.mock(base_url="http://registratie.test") as router:
        router.post(BULK_PAD).mock(return_value=httpx.Response(200, json=antwoord))

        code = main(
            [
                "eduarte",
                str(bestand),
                "--school",
                str(uuid4()),
                "--url",
                "http://registratie.test",
                "--koppeling",
                str(koppeling),
            ]
        )

    # Then the refused record is named with its field and reason, and it fails.
    uitvoer = capsys.readouterr().err
    assert code == 1
    assert "bronId b: datum: meer dan 400 dagen geleden" in uitvoer


def test_cli_dry_run_zonder_url_en_een_kapotte_koppeling(tmp_path: Path) -> None:
    bestand = tmp_path / "export.csv"
    bestand.write_text("654321;20251001;;;;;;Z;\n")
    goed = tmp_path / "goed.csv"
    goed.write_text(f"654321;{KOPPELING['654321']}\n")
    kapot = tmp_path / "kapot.csv"
    kapot.write_text(f"654321;{KOPPELING['654321']}\n123456;geen-uuid\n")

    droog = main(
        [
            "eduarte",
            str(bestand),
            "--school",
            "s",
            "--koppeling",
            str(goed),
            "--dry-run",
        ]
    )

    assert droog == 0
    with pytest.raises(SystemExit, match="regel 2: 'geen-uuid' is geen leerlingId"):
        main(
            [
                "eduarte",
                str(bestand),
                "--school",
                "s",
                "--koppeling",
                str(kapot),
                "--dry-run",
            ]
        )
    with pytest.raises(SystemExit, match="--url"):
        main(["eduarte", str(bestand), "--school", "s", "--koppeling", str(goed)])


def test_cli_stopt_met_een_duidelijke_melding_bij_onleesbare_bestanden(
    tmp_path: Path,
) -> None:
    ansi = tmp_path / "export.csv"
    ansi.write_bytes("654321;20251001;;;;;;Z;Caf\xe9\n".encode("cp1252"))
    goed = tmp_path / "goed.csv"
    goed.write_text(f"654321;{KOPPELING['654321']}\n")
    lijst = tmp_path / "lijst.json"
    lijst.write_text("[1, 2]")
    komma = tmp_path / "komma.csv"
    komma.write_text(f"654321,{KOPPELING['654321']}\n")
    eerste_fout = tmp_path / "eerste.csv"
    eerste_fout.write_text("654321;geen-uuid\n")

    def draai(*args: str) -> None:
        main(["eduarte", *args, "--school", "s", "--dry-run"])

    with pytest.raises(SystemExit, match="--encoding"):
        draai(str(ansi), "--koppeling", str(goed))
    with pytest.raises(SystemExit, match="onbekende tekenset"):
        draai(str(ansi), "--koppeling", str(goed), "--encoding", "foo")
    with pytest.raises(SystemExit, match="bestaat niet"):
        draai(str(tmp_path / "weg.csv"), "--koppeling", str(goed))
    with pytest.raises(SystemExit, match="JSON-object"):
        draai(str(ansi), "--koppeling", str(lijst))
    with pytest.raises(SystemExit, match="geen ';'"):
        draai(str(ansi), "--koppeling", str(komma))
    with pytest.raises(SystemExit, match="regel 1"):
        draai(str(ansi), "--koppeling", str(eerste_fout))
    # With the right character set it reads.
    assert (
        main(
            [
                "eduarte",
                str(ansi),
                "--school",
                "s",
                "--dry-run",
                "--koppeling",
                str(goed),
                "--encoding",
                "cp1252",
            ]
        )
        == 0
    )
