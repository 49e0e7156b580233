"""The absence generator: reproducible, realistic in shape, the right volume."""

import os
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest

from tools.schooljaar.kalenders import SCHOLEN, als_schoolkalender
from tools.schooljaar.registraties import AMSTERDAM
from tools.schooljaar.verzuim import (
    Instellingen,
    Schooljaar,
    genereer_schooljaar,
    record_datum,
)

KLEIN_ARGS = "(seed=11, weken=6, vo_leerlingen=250, po_leerlingen=80)"
KLEIN = Instellingen(seed=11, weken=6, vo_leerlingen=250, po_leerlingen=80)
ONGEOORLOOFD = {None, "A", "SP", "L", "OG", "LV"}


@pytest.fixture(scope="module")
def jaar() -> Schooljaar:
    """The full default year, generated once for the module (a few seconds)."""
    start = time.perf_counter()
    jaar = genereer_schooljaar()
    duur = time.perf_counter() - start
    print(f"\nvolledig schooljaar gegenereerd in {duur:.2f} s: {jaar.tellingen()}")
    assert duur < 20
    return jaar


def _records(jaar: Schooljaar, school: str | None = None) -> list[dict]:
    return [
        a.payload
        for a in jaar.acties
        if a.kind == "afwezigheid"
        and a.verwachting is None
        and (school is None or a.school == school)
    ]


def test_same_seed_gives_the_same_stream() -> None:
    een = genereer_schooljaar(KLEIN)
    twee = genereer_schooljaar(KLEIN)

    assert een.acties == twee.acties
    assert een.leerlingen == twee.leerlingen
    assert een.vingerafdruk() == twee.vingerafdruk()


def test_the_stream_does_not_depend_on_hash_randomisation() -> None:
    code = (
        "from tools.schooljaar.verzuim import Instellingen, genereer_schooljaar\n"
        f"print(genereer_schooljaar(Instellingen{KLEIN_ARGS}).vingerafdruk())"
    )
    afdrukken = set()
    for hashseed in ("1", "2"):
        omgeving = {**os.environ, "PYTHONHASHSEED": hashseed, "TZ": "UTC"}
        uitvoer = subprocess.run(
            [sys.executable, "-c", code],
            env=omgeving,
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).parents[2],
        )
        afdrukken.add(uitvoer.stdout.strip())

    assert afdrukken == {genereer_schooljaar(KLEIN).vingerafdruk()}


@pytest.mark.parametrize(
    "fout",
    [{"weken": 0}, {"vo_leerlingen": -1}, {"foutkans": 1.0}],
    ids=["weken", "leerlingen", "foutkans"],
)
def test_impossible_settings_are_refused(fout: dict) -> None:
    with pytest.raises(ValueError):
        Instellingen(**fout)


def test_another_seed_gives_another_stream() -> None:
    een = genereer_schooljaar(KLEIN)
    ander = genereer_schooljaar(
        Instellingen(seed=12, weken=6, vo_leerlingen=250, po_leerlingen=80)
    )

    assert [a.payload for a in een.acties] != [a.payload for a in ander.acties]


def test_full_year_volume_is_about_150_000_vo_records(jaar: Schooljaar) -> None:
    vo = _records(jaar, "vo")
    tellingen = jaar.tellingen()

    assert 130_000 <= len(vo) <= 175_000
    assert len(jaar.leerlingen_van("vo")) == 1500
    assert len(jaar.leerlingen_van("po")) == 300
    assert tellingen["correctie"] > 1000
    assert tellingen["intrekking"] > 100
    assert tellingen["afmelding"] > 1000
    assert tellingen["verlofbesluit"] > 10


def test_a_scaled_down_run_is_proportionally_smaller(jaar: Schooljaar) -> None:
    klein = genereer_schooljaar(KLEIN)
    weken_klein = len(klein.lesdagen["vo"]) / len(jaar.lesdagen["vo"])
    per_leerling = len(_records(klein, "vo")) / 250
    per_leerling_jaar = len(_records(jaar, "vo")) / 1500

    assert len(klein.lesdagen["vo"]) < 35
    assert per_leerling == pytest.approx(per_leerling_jaar * weken_klein, rel=0.5)
    assert klein.tellingen()["verwachtAfgewezen"] >= 6


def test_records_fall_on_lesdagen_in_the_timetable(jaar: Schooljaar) -> None:
    leerlingen = {str(ll.leerling_id): ll for ll in jaar.leerlingen}
    for sleutel, school in SCHOLEN.items():
        kalender = als_schoolkalender(school.kalender)
        for record in _records(jaar, sleutel):
            d = record_datum(record)
            assert kalender.is_lesdag(d)
            assert d >= leerlingen[record["leerlingId"]].inschrijving_vanaf
            if "lesuurVan" in record:
                grid = [les["nummer"] for les in school.lesuren_op(d.isoweekday())]
                assert record["lesuurVan"] in grid


def test_no_two_records_for_one_lesson_slot(jaar: Schooljaar) -> None:
    slots = Counter(
        (r["leerlingId"], r["datum"], r["lesuurVan"])
        for r in _records(jaar)
        if "lesuurVan" in r
    )

    assert max(slots.values()) == 1


def test_actions_are_in_time_order_in_amsterdam(jaar: Schooljaar) -> None:
    momenten = [a.moment for a in jaar.acties]

    assert momenten == sorted(momenten)
    assert all(
        a.moment.tzinfo is AMSTERDAM and a.day == a.moment.date() for a in jaar.acties
    )
    assert sum(len(acties) for _, acties in jaar.per_dag()) == len(jaar.acties)


def test_corrections_withdrawals_and_decisions_refer_to_earlier_actions(
    jaar: Schooljaar,
) -> None:
    gezien: dict[tuple[str, str], str] = {}
    aanvragen: set[str] = set()
    for actie in jaar.acties:
        p = actie.payload
        if actie.kind == "afwezigheid":
            gezien[(actie.school, p["bronId"])] = p["leerlingId"]
        elif actie.kind in ("correctie", "intrekking"):
            assert gezien[(actie.school, p["bronId"])] == p["leerlingId"]
        elif actie.kind == "verlofaanvraag":
            aanvragen.add(actie.sleutel)
        elif actie.kind == "verlofbesluit":
            assert actie.verwijzing in aanvragen


def test_faulty_records_exercise_every_rejection(jaar: Schooljaar) -> None:
    bekend = {str(ll.leerling_id) for ll in jaar.leerlingen}
    fout = [a for a in jaar.acties if a.kind == "afwezigheid" and a.verwachting]
    soorten = Counter(a.verwachting for a in fout)

    assert set(soorten) == {"onbekendeLeerling", "buitenRooster", "onbekendeRedenCode"}
    for actie in fout:
        p = actie.payload
        d = record_datum(p)
        grid = [
            les["nummer"] for les in SCHOLEN[actie.school].lesuren_op(d.isoweekday())
        ]
        if actie.verwachting == "onbekendeLeerling":
            assert p["leerlingId"] not in bekend
        elif actie.verwachting == "buitenRooster":
            assert p["lesuurVan"] not in grid
        else:
            assert p["redenCode"] not in {r.code for r in SCHOLEN[actie.school].redenen}


def _per_lesdag(records: list[dict], lesdagen: list[date]) -> float:
    dagen = set(lesdagen)
    return sum(1 for r in records if record_datum(r) in dagen) / len(dagen)


def test_illness_peaks_in_the_flu_season(jaar: Schooljaar) -> None:
    ziek = [r for r in _records(jaar, "vo") if r.get("redenCode") == "ZI"]
    lesdagen = jaar.lesdagen["vo"]
    winter = [d for d in lesdagen if d.month in (12, 1, 2)]
    najaar = [d for d in lesdagen if d.month in (9, 10)]

    assert _per_lesdag(ziek, winter) > 1.4 * _per_lesdag(ziek, najaar)


def test_lateness_clusters_on_mondays_and_with_some_pupils(jaar: Schooljaar) -> None:
    laat = [r for r in _records(jaar, "vo") if r["soort"] == "te_laat"]
    lesdagen = jaar.lesdagen["vo"]
    maandagen = [d for d in lesdagen if d.isoweekday() == 1]
    overig = [d for d in lesdagen if d.isoweekday() != 1]
    per_leerling = Counter(r["leerlingId"] for r in laat)

    winter = [d for d in lesdagen if d.month in (11, 12, 1, 2) and d.isoweekday() != 1]
    najaar = [d for d in lesdagen if d.month in (9, 10) and d.isoweekday() != 1]

    assert _per_lesdag(laat, maandagen) > 1.3 * _per_lesdag(laat, overig)
    assert _per_lesdag(laat, winter) > 1.15 * _per_lesdag(laat, najaar)
    assert sum(1 for n in per_leerling.values() if n >= 12) >= 20
    assert all(0 < r["minuten"] < 50 for r in laat)


def test_luxe_verzuim_sits_next_to_a_vacation(jaar: Schooljaar) -> None:
    for sleutel, code in (("vo", "L"), ("po", "LV")):
        kalender = als_schoolkalender(SCHOLEN[sleutel].kalender)
        luxe = [r for r in jaar.records(sleutel) if r.get("redenCode") == code]

        assert luxe
        for record in luxe:
            d = record_datum(record)
            bij = [d + timedelta(days=n) for n in range(-9, 10)]
            assert any(kalender.is_vakantieweek(x) for x in bij)


def test_sick_notices_are_mostly_timely_and_some_late(jaar: Schooljaar) -> None:
    ziek = [
        a for a in jaar.acties if a.kind == "afmelding" and a.payload["soort"] == "ziek"
    ]
    dagen_later = Counter(
        (a.day - date.fromisoformat(a.payload["van"])).days for a in ziek
    )
    te_laat = sum(n for dagen, n in dagen_later.items() if dagen > 2)

    assert dagen_later[0] > 0.7 * len(ziek)
    assert 10 <= te_laat <= 0.1 * len(ziek)


def test_leave_requests_are_granted_and_denied(jaar: Schooljaar) -> None:
    besluiten = Counter(
        a.payload["uitkomst"] for a in jaar.acties if a.kind == "verlofbesluit"
    )
    automatisch = {a.verwachting for a in jaar.acties if a.kind == "verlofaanvraag"}

    assert besluiten["GRANTED"] > 0 and besluiten["DENIED"] > 0
    assert "DENIED:MAX_10_DAYS" in automatisch


def _overschrijdingen(uren: dict[date, float], kalender) -> int:
    """Times 16 unexplained lessons fall inside one 4-lesweek window (D2, R-MLD-8)."""
    dagen = sorted(uren)
    aantal, i = 0, 0
    while i < len(dagen):
        venster, som = set(kalender.venster(dagen[i])), 0.0
        for j in range(i, len(dagen)):
            if dagen[j] in venster:
                som += uren[dagen[j]]
                if som >= 16:
                    aantal, i = aantal + 1, j
                    break
        i += 1
    return aantal


def test_a_few_chronic_truants_cross_16_hours_several_times(jaar: Schooljaar) -> None:
    kalender = als_schoolkalender(SCHOLEN["vo"].kalender)
    gemeld: dict[str, set[date]] = defaultdict(set)
    for a in jaar.acties:
        van = date.fromisoformat(a.payload.get("van", "2025-01-01")[:10])
        if a.kind == "afmelding" and a.day <= van + timedelta(days=2):
            tot = date.fromisoformat(a.payload["tot"])
            gemeld[a.payload["leerlingId"]] |= {
                van + timedelta(days=n) for n in range((tot - van).days + 1)
            }
    uren: dict[str, dict[date, float]] = defaultdict(lambda: defaultdict(float))
    for r in jaar.records("vo"):
        d = record_datum(r)
        if r["soort"] == "afwezig" and r.get("redenCode") in ONGEOORLOOFD:
            if r.get("redenCode") is None and d in gemeld[r["leerlingId"]]:
                continue
            uren[r["leerlingId"]][d] += 1
    profiel = {str(ll.leerling_id): ll.profiel for ll in jaar.leerlingen}
    vaak = [pid for pid, u in uren.items() if _overschrijdingen(u, kalender) >= 3]

    assert 5 <= len(vaak) <= 60
    assert {profiel[pid] for pid in vaak} <= {"chronisch", "thuiszitter", "spijbelaar"}
    assert sum(1 for p in profiel.values() if p == "thuiszitter") == 2
