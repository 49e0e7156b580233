"""Legal grounds over HTTP besides notices and leave: a pupil well again, a
vrijstelling, a schorsing and a school closure each reclassify the days they cover.
All pupils and numbers are made up; "today" is Thursday 2025-11-20."""

from __future__ import annotations

import pytest

from plumbing.security.callers import Rol
from tests.registratie.service_dienst import Dienst, probleem, velden

pytestmark = pytest.mark.broker


async def test_een_betermelding_beeindigt_de_ziekmelding(dienst: Dienst) -> None:
    # Given an open-ended sick notice from Monday and absence on Monday and Wednesday.
    leerling = await dienst.leerling(dienst.school_a)
    melding = await dienst.verzoek(
        "POST",
        "/afmeldingen",
        {
            "leerlingId": str(leerling),
            "soort": "ziek",
            "van": "2025-11-17",
            "ontvangen": "2025-11-17T07:45:00+01:00",
        },
        status=201,
    )
    for datum in ("2025-11-17", "2025-11-19"):
        await dienst.afwezig(leerling, f"Z-{datum}", datum=datum, lesuurVan=1)
    voor = await dienst.slots(leerling, "2025-11-17", "2025-11-19")
    assert voor[("2025-11-19", 1)]["grond"] == "ziekte"

    # When the parents report the pupil well again after Monday.
    pad = f"/afmeldingen/{melding.json()['afmeldingId']}/betermelding"
    antwoord = await dienst.verzoek("POST", pad, {"tot": "2025-11-17"}, status=200)

    # Then the notice ends there: Monday stays ill, Wednesday no longer is.
    assert antwoord.json()["tot"] == "2025-11-17"
    na = await dienst.slots(leerling, "2025-11-17", "2025-11-19")
    assert na[("2025-11-17", 1)]["grond"] == "ziekte"
    assert na[("2025-11-19", 1)]["grond"] != "ziekte"
    assert na[("2025-11-19", 1)]["status"] != "geoorloofd"

    # A mistake put right: well only after Wednesday makes Wednesday ill again.
    await dienst.verzoek("POST", pad, {"tot": "2025-11-19"}, status=200)
    weer = await dienst.slots(leerling, "2025-11-19")
    assert weer[("2025-11-19", 1)]["grond"] == "ziekte"

    # Before the notice began, or far in the future: refused on its field.
    for tot in ("2025-11-10", "2199-12-31"):
        fout = await dienst.verzoek("POST", pad, {"tot": tot}, status=400)
        assert velden(probleem(fout, 400)) == ["tot"]


async def test_alleen_een_ziekmelding_wordt_beter_gemeld(dienst: Dienst) -> None:
    leerling = await dienst.leerling(dienst.school_a)
    melding = await dienst.verzoek(
        "POST",
        "/afmeldingen",
        {
            "leerlingId": str(leerling),
            "soort": "religieus",
            "van": "2025-12-10",
            "ontvangen": "2025-11-20T08:00:00+01:00",
        },
        status=201,
    )

    pad = f"/afmeldingen/{melding.json()['afmeldingId']}/betermelding"
    fout = await dienst.verzoek("POST", pad, {"tot": "2025-12-31"}, status=422)

    assert fout.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    ("soort", "grond", "artikel"),
    [
        ("vrijstellingen", "vrijstelling", "Lpw art. 5, 11, 15"),
        ("schorsingen", "schorsing", "Lpw art. 11(c)"),
    ],
)
async def test_vrijstelling_en_schorsing_maken_hun_dagen_geoorloofd(
    dienst: Dienst, soort: str, grond: str, artikel: str
) -> None:
    leerling = await dienst.leerling(dienst.school_a)
    await dienst.afwezig(
        leerling, "S-1", datum="2025-11-18", lesuurVan=1, lesuurTot=2, redenCode="A"
    )
    assert (await dienst.slots(leerling, "2025-11-18"))[("2025-11-18", 1)][
        "status"
    ] == "ongeoorloofd"

    pad = f"/leerlingen/{leerling}/{soort}/BESLUIT-2025-7"
    body = {"van": "2025-11-18", "tot": "2025-11-18", "lesuren": [1]}
    eerst = await dienst.verzoek("PUT", pad, body, status=200)
    opnieuw = await dienst.verzoek("PUT", pad, body, status=200)

    assert eerst.json() == opnieuw.json()
    assert eerst.json()["grond"] == grond
    slots = await dienst.slots(leerling, "2025-11-18")
    assert (slots[("2025-11-18", 1)]["grond"], slots[("2025-11-18", 1)]["artikel"]) == (
        grond,
        artikel,
    )
    assert slots[("2025-11-18", 1)]["status"] == "geoorloofd"
    # Only lesuur 1 is covered: lesuur 2 keeps its unauthorised status.
    assert slots[("2025-11-18", 2)]["status"] == "ongeoorloofd"


async def test_grond_voor_een_onbekende_of_andere_leerling(dienst: Dienst) -> None:
    vreemd = await dienst.leerling(dienst.school_b)
    _, alleen_a = dienst.sleutel([dienst.school_a], Rol.SIS)
    assert dienst.http is not None
    body = {"van": "2025-11-18"}

    andere = await dienst.http.put(
        f"/leerlingen/{vreemd}/schorsingen/K1", json=body, headers=alleen_a
    )
    verkeerd = await dienst.verzoek(
        "PUT",
        f"/leerlingen/{vreemd}/schorsingen/K1",
        {"van": "2025-11-18", "tot": "2025-11-01"},
    )

    assert andere.status_code == 404
    assert velden(probleem(verkeerd, 400)) == ["tot"]
    for lesuren in (["1"], [True], list(range(1, 22)), []):
        fout = await dienst.verzoek(
            "PUT",
            f"/leerlingen/{vreemd}/schorsingen/K1",
            {"van": "2025-11-18", "lesuren": lesuren},
        )
        assert fout.status_code == 400, lesuren


async def test_sluiting_van_de_school(dienst: Dienst) -> None:
    leerling = await dienst.leerling(dienst.school_a)
    await dienst.afwezig(
        leerling, "C-1", datum="2025-11-19", lesuurVan=3, redenCode="A"
    )
    pad = f"/scholen/{dienst.school_a}/sluitingen"
    sluiting = {"van": "2025-11-19", "tot": "2025-11-19", "reden": "stormschade"}

    eerst = await dienst.verzoek("POST", pad, sluiting, status=200)
    opnieuw = await dienst.verzoek("POST", pad, sluiting, status=200)

    # The same closure twice is one closure, listed with the school.
    assert eerst.json() == opnieuw.json()
    assert eerst.json()["sluitingen"] == [sluiting]
    slot = (await dienst.slots(leerling, "2025-11-19"))[("2025-11-19", 3)]
    assert (slot["status"], slot["grond"]) == ("geoorloofd", "sluiting")

    # Recorded in error: taken back, the day counts again.
    terug = await dienst.verzoek("DELETE", f"{pad}/2025-11-19", status=200)
    assert terug.json()["sluitingen"] == []
    slot = (await dienst.slots(leerling, "2025-11-19"))[("2025-11-19", 3)]
    assert slot["status"] == "ongeoorloofd"
    await dienst.verzoek("DELETE", f"{pad}/2025-11-19", status=404)


async def test_een_sluiting_blijft_binnen_haar_grenzen(dienst: Dienst) -> None:
    pad = f"/scholen/{dienst.school_a}/sluitingen"
    eeuw = {"van": "1900-01-01", "tot": "2199-12-31", "reden": "eeuw"}
    lang = {"van": "2025-11-01", "tot": "2026-02-01", "reden": "verbouwing"}
    vroeg = {"van": "2020-11-02", "tot": "2020-11-03", "reden": "oud"}

    for body, veld in ((eeuw, "tot"), (lang, "tot"), (vroeg, "van")):
        fout = await dienst.verzoek("POST", pad, body, status=400)
        assert velden(probleem(fout, 400)) == [veld]
    school = await dienst.verzoek("GET", f"/scholen/{dienst.school_a}", status=200)
    assert school.json()["sluitingen"] == []


async def test_een_afmelding_met_bronid_is_eenmaal_opgeslagen(dienst: Dienst) -> None:
    # Given a parents' portal that names its notices and sends one twice.
    leerling = await dienst.leerling(dienst.school_a)
    melding = {
        "leerlingId": str(leerling),
        "soort": "ziek",
        "van": "2025-11-17",
        "tot": "2025-11-18",
        "bron": "ouderportaal",
        "bronId": "ZM-1001",
    }
    eerst = await dienst.verzoek("POST", "/afmeldingen", melding, status=201)
    opgeslagen = dienst.opgeslagen()

    # When it comes again, alone and in a bulk, and once with other days.
    opnieuw = await dienst.verzoek("POST", "/afmeldingen", melding, status=200)
    na_opnieuw = dienst.opgeslagen()
    bulk = await dienst.verzoek(
        "POST",
        "/afmeldingen/bulk",
        {"afmeldingen": [melding, {**melding, "bronId": "ZM-1002"}]},
        status=200,
    )
    anders = await dienst.verzoek(
        "POST", "/afmeldingen", {**melding, "tot": "2025-11-19"}, status=400
    )

    # Then the same notice is answered and nothing is stored for it; another id is a
    # new notice; the same id with other content is refused on bronId.
    assert opnieuw.json()["afmeldingId"] == eerst.json()["afmeldingId"]
    assert opnieuw.json()["bronId"] == "ZM-1001"
    [zelfde, nieuw] = bulk.json()["resultaten"]
    assert (zelfde["status"], zelfde["afmeldingId"]) == (
        "unchanged",
        eerst.json()["afmeldingId"],
    )
    assert nieuw["status"] == "accepted"
    assert na_opnieuw == opgeslagen
    assert velden(probleem(anders, 400)) == ["bronId"]


async def test_een_afmelding_zonder_bronid_is_elke_keer_nieuw(dienst: Dienst) -> None:
    leerling = await dienst.leerling(dienst.school_a)
    melding = {"leerlingId": str(leerling), "soort": "ziek", "van": "2025-11-17"}

    eerst = await dienst.verzoek("POST", "/afmeldingen", melding, status=201)
    tweede = await dienst.verzoek("POST", "/afmeldingen", melding, status=201)

    assert eerst.json()["afmeldingId"] != tweede.json()["afmeldingId"]
