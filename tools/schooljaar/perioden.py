"""Absence that spans days or comes with a request: chronic truancy, the long-term
absentee, luxe verzuim around vacations, leave, religious feasts, suspensions, the
5-year-olds' hours, and the teachers' mistakes that get withdrawn."""

from __future__ import annotations

from datetime import date, time, timedelta

from tools.schooljaar.dagelijks import codeer_achteraf, ongeoorloofd_afhandelen
from tools.schooljaar.jaarcontext import Leerlingjaar
from tools.schooljaar.leerlingen import verjaardag
from tools.schooljaar.registraties import moment

__all__ = [
    "bijzondere_verzoeken",
    "chronisch",
    "gewichtige_omstandigheden",
    "luxe",
    "religieuze_feestdagen",
    "schorsing",
    "thuiszitter",
    "vergissingen",
    "vijfjarigen",
]

# Expected dates; the exact day depends on the moon sighting (one day either way).
SUIKERFEEST_2026 = date(2026, 3, 20)
OFFERFEEST_2026 = date(2026, 5, 27)


def chronisch(lj: Leerlingjaar) -> None:
    """Spells of two to three weeks with absence on about half the days: 16 hours in
    4 lesweken is crossed several times in the year (R-MLD-1, R-MLD-8)."""
    if lj.leerling.profiel != "chronisch":
        return
    vo = lj.ctx.school.sector == "vo"
    for _ in range(max(1, lj.aantal(3))):
        start = lj.trek_dag()
        if start is None:
            continue
        for d in lj.ctx.lesdagen[start : start + lj.rng.randint(10, 15)]:
            if lj.rng.random() > (0.45 if vo else 0.35):
                continue
            lessen = lj.lessen(d)
            if vo and lj.rng.random() < 0.5:
                lessen = lessen[lj.rng.randint(2, len(lessen) - 1) :]
            geboekt = lj.boek.record(d, lessen, code=None)
            if geboekt and lj.rng.random() < 0.1:
                # A doubtful sick note days later (R-VRL-ZIEK-2: too late to count).
                lj.boek.afmelding(
                    "ziek", d, d, moment(d + timedelta(days=4), time(8, 5))
                )
            else:
                ongeoorloofd_afhandelen(lj, geboekt)


def thuiszitter(lj: Leerlingjaar) -> None:
    """Away every lesdag for more than four lesweken: an LRV melding (D7)."""
    if lj.leerling.profiel != "thuiszitter" or not lj.ctx.lesdagen:
        return
    # Starts in the middle third of the run (December - February for a full year).
    vroegst = len(lj.ctx.lesdagen) // 3
    start = lj.rng.randrange(vroegst, max(vroegst + 1, len(lj.ctx.lesdagen) // 2))
    dagen = lj.ctx.lesdagen[start : start + lj.rng.randint(28, 35)]
    eerste_week = [
        a for d in dagen[:5] for a in lj.boek.record(d, lj.lessen(d), code=None)
    ]
    codeer_achteraf(lj, eerste_week, lj.code("ongeoorloofd"))
    for d in dagen[5:]:
        lj.boek.record(d, lj.lessen(d), code=None)


def luxe(lj: Leerlingjaar) -> None:
    """A family holiday stretched into school time (D18), once in the year."""
    grenzen = lj.ctx.vakantiegrenzen
    if not lj.leerling.luxe_gezin or not grenzen:
        return
    voor, na = lj.rng.choice(grenzen)
    aantal = lj.rng.choices((1, 2, 3, 5), (60, 25, 10, 5))[0]
    dagen = (
        list(voor[-aantal:]) if (lj.rng.random() < 0.7 or not na) else list(na[:aantal])
    )
    dagen = [d for d in dagen if lj.is_ingeschreven(d)]
    if not dagen:
        return
    vorm = lj.rng.choices(
        ("geweigerd", "zonder", "ziek", "toegekend"), (35, 30, 25, 10)
    )[0]
    if vorm == "ziek":
        # Sick right before or after the vacation: signal "vermoedelijk luxeverzuim".
        lj.boek.afmelding("ziek", dagen[0], dagen[-1], moment(dagen[0], time(7, 50)))
        for d in dagen:
            lj.boek.record(
                d, lj.lessen(d), code=lj.code("ziek"), wanneer=moment(d, time(8, 45))
            )
        return
    if vorm == "zonder":
        geboekt = [a for d in dagen for a in lj.boek.record(d, lj.lessen(d), code=None)]
        wanneer = moment(dagen[-1] + timedelta(days=lj.rng.randint(3, 10)), time(14, 0))
        for actie in geboekt:
            lj.boek.corrigeer(actie, wanneer, redenCode=lj.code("luxeverzuim"))
        return
    toegekend = vorm == "toegekend"
    # R-VRL-VAK-5 / D9: eight weeks ahead is policy; the refused ones are often later.
    ingediend = dagen[0] - timedelta(
        days=lj.rng.randint(60, 90) if toegekend else lj.rng.randint(21, 70)
    )
    sleutel = lj.boek.verlofaanvraag(
        "vakantieverlof", dagen[0], dagen[-1], ingediend, werkgeversverklaring=toegekend
    )
    besluit = ingediend + timedelta(days=lj.rng.randint(5, 10))
    if toegekend:
        lj.boek.verlofbesluit(
            sleutel,
            besluit,
            "GRANTED",
            None,
            "seizoensgebonden beroep, werkgeversverklaring aanwezig",
        )
    else:
        # R-VRL-VAK-6: cheaper tickets or a booked trip are never a ground.
        lj.boek.verlofbesluit(
            sleutel,
            besluit,
            "DENIED",
            "NO_LEGAL_GROUND",
            "geen werkgeversverklaring; vakantie buiten de schoolvakantie",
        )
    code = lj.code("verlof") if toegekend else lj.code("luxeverzuim")
    for d in dagen:
        lj.boek.record(d, lj.lessen(d), code=code, wanneer=moment(d, time(9, 0)))


_OMSTANDIGHEDEN = {
    # R-VRL-GO-4 examples; days off in lesdagen.
    "huwelijk": (1, 2),
    "overlijden_1e_graad": (2, 4),
    "overlijden_2e_graad": (1, 2),
    "verhuizing": (1, 1),
    "jubileum": (1, 1),
}


def gewichtige_omstandigheden(lj: Leerlingjaar) -> None:
    """Leave for a wedding, a funeral, a move (Lpw art. 14), granted by the head."""
    if lj.rng.random() > 0.025 * lj.ctx.fractie:
        return
    start = lj.trek_dag()
    if start is None:
        return
    omstandigheid = lj.rng.choice(sorted(_OMSTANDIGHEDEN))
    laag, hoog = _OMSTANDIGHEDEN[omstandigheid]
    dagen = lj.reeks(start, lj.rng.randint(laag, hoog))
    if omstandigheid.startswith("overlijden"):
        # Art. 14(2): asked afterwards, within two days of the first day (D8).
        ingediend = dagen[0] + timedelta(days=lj.rng.choice((0, 1)))
    else:
        ingediend = dagen[0] - timedelta(days=lj.rng.randint(14, 42))
    sleutel = lj.boek.verlofaanvraag(
        "gewichtige_omstandigheden",
        dagen[0],
        dagen[-1],
        ingediend,
        omstandigheid=omstandigheid,
    )
    besluit = max(ingediend + timedelta(days=lj.rng.randint(1, 5)), ingediend)
    lj.boek.verlofbesluit(sleutel, besluit, "GRANTED", None, f"verlof: {omstandigheid}")
    for d in dagen:
        lj.boek.record(
            d, lj.lessen(d), code=lj.code("verlof"), wanneer=moment(d, time(8, 45))
        )


def bijzondere_verzoeken(lj: Leerlingjaar) -> None:
    """Requests the rules decide by themselves (VO, a handful in the whole school)."""
    if lj.ctx.school.sector != "vo":
        return
    trek = lj.rng.random()
    if trek < 0.002:
        # 1-15 June 2026 holds 11 lesdagen: over the 10 of art. 13a(1) (S09).
        lj.boek.verlofaanvraag(
            "vakantieverlof",
            date(2026, 6, 1),
            date(2026, 6, 15),
            date(2026, 3, 30),
            werkgeversverklaring=True,
            verwachting="DENIED:MAX_10_DAYS",
        )
    elif trek < 0.003:
        # 9-24 March 2026 holds 12 lesdagen: above 10, the LPA decides (D10).
        lj.boek.verlofaanvraag(
            "gewichtige_omstandigheden",
            date(2026, 3, 9),
            date(2026, 3, 24),
            date(2026, 2, 2),
            omstandigheid="ernstige ziekte familie",
            verwachting="ROUTED_TO_LPA",
        )


def religieuze_feestdagen(lj: Leerlingjaar) -> None:
    """Notice at least two days ahead (Lpw art. 13, D8); some notice too late."""
    if not lj.leerling.religieus:
        return
    for feest, kans in ((SUIKERFEEST_2026, 1.0), (OFFERFEEST_2026, 0.6)):
        if (
            lj.index(feest) is None
            or not lj.is_ingeschreven(feest)
            or lj.rng.random() > kans
        ):
            continue
        vooraf = lj.rng.randint(3, 10) if lj.rng.random() < 0.9 else 1
        lj.boek.afmelding(
            "religieus",
            feest,
            feest,
            moment(feest - timedelta(days=vooraf), time(19, 30)),
        )
        lj.boek.record(feest, lj.lessen(feest), code=None)


def schorsing(lj: Leerlingjaar) -> None:
    """Suspended for a day or two (Lpw art. 11(c): geoorloofd)."""
    if lj.ctx.school.sector != "vo":
        return
    kans = 0.08 if lj.leerling.profiel in ("chronisch", "spijbelaar") else 0.003
    if lj.rng.random() > kans * lj.ctx.fractie:
        return
    start = lj.trek_dag()
    if start is None:
        return
    for d in lj.reeks(start, lj.rng.randint(1, 2)):
        lj.boek.record(
            d, lj.lessen(d), code=lj.code("schorsing"), wanneer=moment(d, time(8, 30))
        )


def vijfjarigen(lj: Leerlingjaar) -> None:
    """Lpw art. 11a: a 5-year-old kept home on Wednesday mornings (3.75 h a week)."""
    if (
        lj.ctx.school.sector != "po"
        or lj.leerling.leerjaar > 2
        or lj.rng.random() > 0.2
    ):
        return
    vijf = verjaardag(lj.leerling.geboortedatum, 5)
    zes = verjaardag(lj.leerling.geboortedatum, 6)
    woensdagen = [d for d in lj.ctx.lesdagen if d.isoweekday() == 3 and vijf <= d < zes]
    for d in sorted(
        lj.rng.sample(woensdagen, min(len(woensdagen), lj.rng.randint(3, 8)))
    ):
        lj.boek.afmelding(
            "vijfjarige", d, d, moment(d - timedelta(days=1), time(18, 0))
        )
        lj.boek.record(
            d, lj.lessen(d), code=lj.code("vijfjarige"), wanneer=moment(d, time(8, 30))
        )


def vergissingen(lj: Leerlingjaar) -> None:
    """A teacher books the wrong pupil and withdraws it; or absent turns into late."""
    vo = lj.ctx.school.sector == "vo"
    for _ in range(lj.aantal(0.3 if vo else 0.1)):
        i = lj.trek_dag()
        if i is None:
            continue
        d = lj.ctx.lesdagen[i]
        for actie in lj.boek.record(d, [lj.rng.choice(lj.lessen(d))], code=None):
            lj.boek.trek_in(
                actie, actie.moment + timedelta(minutes=lj.rng.randint(30, 120))
            )
    for _ in range(lj.aantal(0.2 if vo else 0.05)):
        i = lj.trek_dag()
        if i is None:
            continue
        d = lj.ctx.lesdagen[i]
        for actie in lj.boek.record(d, lj.lessen(d)[:1], code=None):
            lj.boek.corrigeer(
                actie,
                actie.moment + timedelta(minutes=15),
                soort="te_laat",
                minuten=20,
                redenCode=lj.code("te_laat"),
            )
