"""Everyday absence: illness, lateness, skipped lessons, appointments, removals.

Rates are expected occurrences per pupil per full school year, by absence profile.
They are made up to give a plausible picture (most pupils rarely absent, a few often)
and about 150,000 lesson records for 1,500 VO pupils; they are no statistics.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from tools.schooljaar.jaarcontext import Leerlingjaar
from tools.schooljaar.registraties import Actie, moment

__all__ = [
    "afspraken",
    "codeer_achteraf",
    "ongeoorloofd_afhandelen",
    "onverklaard",
    "spijbelen",
    "te_laat",
    "verwijderingen",
    "ziekte",
]

_ZIEKTE = {
    "vo": {"zelden": 3.7, "gemiddeld": 8, "ziekelijk": 14, "laatkomer": 6,
           "spijbelaar": 7, "chronisch": 7, "thuiszitter": 2},
    "po": {"zelden": 3, "gemiddeld": 5, "ziekelijk": 10, "laatkomer": 4,
           "chronisch": 5},
}  # fmt: skip
_LAAT = {
    "vo": {"zelden": 1, "gemiddeld": 3, "ziekelijk": 2, "laatkomer": 18,
           "spijbelaar": 8, "chronisch": 12, "thuiszitter": 1},
    "po": {"zelden": 1.5, "gemiddeld": 3, "ziekelijk": 2, "laatkomer": 25,
           "chronisch": 10},
}  # fmt: skip
_SPIJBELEN = {"zelden": 0.3, "gemiddeld": 1.5, "ziekelijk": 1, "laatkomer": 3,
              "spijbelaar": 25, "chronisch": 12}  # fmt: skip
_ONVERKLAARD = {"zelden": 0.1, "gemiddeld": 0.3, "ziekelijk": 0.3, "laatkomer": 0.8,
                "spijbelaar": 2, "chronisch": 6}  # fmt: skip
_VERWIJDERD = {"zelden": 0.2, "gemiddeld": 0.8, "laatkomer": 1.5, "spijbelaar": 3,
               "chronisch": 4}  # fmt: skip
_AFSPRAKEN = {"vo": 4.0, "po": 1.5}

_DUUR_ZIEKTE = (1, 2, 3, 4, 5, 7, 9)
_KANS_DUUR = (40, 25, 15, 8, 6, 4, 2)


def _na(wanneer: datetime, minuten: int) -> datetime:
    return wanneer + timedelta(minutes=minuten)


def ziekte(lj: Leerlingjaar) -> None:
    """Sick episodes, more in the flu season; mostly notified in time (D8, D14)."""
    sector = lj.ctx.school.sector
    code = lj.code("ziek")
    for _ in range(lj.aantal(_ZIEKTE[sector].get(lj.leerling.profiel, 3))):
        start = lj.trek_dag(lj.ctx.ziekte_cum)
        if start is None:
            continue
        dagen = lj.reeks(start, lj.rng.choices(_DUUR_ZIEKTE, _KANS_DUUR)[0])
        if not lj.boek.vrij(dagen[0], lj.lessen(dagen[0])):
            continue
        pad = lj.rng.choices(("tijdig", "docent", "laat", "geen"), (80, 14, 4, 2))[0]
        if sector == "po" and pad == "docent":
            pad = "tijdig"
        if pad in ("laat", "geen"):
            # Parents who do not call are mostly away for a day, not a week.
            dagen = dagen[: lj.rng.choice((1, 1, 2))]
        if pad == "tijdig":
            # The parent calls before school; the administration books the code.
            gebeld = moment(dagen[0], time(7, 30)) + timedelta(
                minutes=lj.rng.randint(0, 50)
            )
            lj.boek.afmelding("ziek", dagen[0], dagen[-1], gebeld)
            for d in dagen:
                lj.boek.record(
                    d,
                    lj.lessen(d),
                    code=code,
                    wanneer=moment(d, time(8, 40 + lj.rng.randint(0, 15))),
                )
            continue
        geboekt = [a for d in dagen for a in lj.boek.record(d, lj.lessen(d), code=None)]
        if pad == "docent":
            # The teacher saw the empty chair first; the call comes within two days.
            gebeld = moment(
                dagen[0], time(lj.rng.randint(10, 16), lj.rng.randint(0, 59))
            )
            gebeld += timedelta(days=lj.rng.choice((0, 0, 1)))
            lj.boek.afmelding("ziek", dagen[0], dagen[-1], gebeld)
            if lj.rng.random() < 0.5:
                for actie in geboekt:
                    lj.boek.corrigeer(actie, _na(gebeld, 60), redenCode=code)
        elif pad == "laat":
            # R-VRL-ZIEK-1: notified more than two days later (flag lateSickNotice).
            gebeld = moment(
                dagen[0] + timedelta(days=lj.rng.randint(3, 6)), time(9, 15)
            )
            lj.boek.afmelding("ziek", dagen[0], dagen[-1], gebeld)
        elif lj.rng.random() < 0.4:
            codeer_achteraf(lj, geboekt, lj.code("ongeoorloofd"))


def codeer_achteraf(lj: Leerlingjaar, acties: list[Actie], code: str | None) -> None:
    """The mentor codes unexplained registrations a few days later."""
    if not acties or code is None:
        return
    wanneer = moment(acties[0].day + timedelta(days=lj.rng.randint(2, 5)), time(15, 30))
    for actie in acties:
        lj.boek.corrigeer(actie, wanneer, redenCode=code)


def te_laat(lj: Leerlingjaar) -> None:
    """Late arrivals, more on Mondays and in winter (P-LATE feeds on them)."""
    sector = lj.ctx.school.sector
    code = lj.code("te_laat")
    for _ in range(lj.aantal(_LAAT[sector].get(lj.leerling.profiel, 2))):
        i = lj.trek_dag(lj.ctx.laat_cum)
        if i is None:
            continue
        d = lj.ctx.lesdagen[i]
        lessen = lj.lessen(d)
        if not lessen:
            continue
        minuten = lj.rng.choices((3, 5, 8, 10, 15, 20, 30), (10, 25, 20, 20, 12, 8, 5))[
            0
        ]
        geboekt = lj.boek.record(
            d, lessen[:1], code=code, soort="te_laat", minuten=minuten
        )
        if geboekt and sector == "vo" and lj.rng.random() < 0.03:
            # Booked late, but the pupil had a note from the orthodontist.
            lj.boek.corrigeer(
                geboekt[0],
                _na(geboekt[0].moment, 120),
                redenCode=lj.code("medisch"),
                soort="afwezig",
                minuten=None,
            )


def spijbelen(lj: Leerlingjaar) -> None:
    """Skipped lessons (VO): after a break or at the end of the day."""
    if lj.ctx.school.sector != "vo":
        return
    for _ in range(lj.aantal(_SPIJBELEN.get(lj.leerling.profiel, 0))):
        i = lj.trek_dag()
        if i is None:
            continue
        d = lj.ctx.lesdagen[i]
        lessen = lj.lessen(d)
        aantal = lj.rng.choices((1, 2, 3), (50, 35, 15))[0]
        gekozen = lessen[-aantal:] if lj.rng.random() < 0.6 else lessen[2 : 2 + aantal]
        ongeoorloofd_afhandelen(lj, lj.boek.record(d, gekozen, code=None))


def ongeoorloofd_afhandelen(lj: Leerlingjaar, geboekt: list[Actie]) -> None:
    """Uncoded registrations: some coded spijbelen or ongeoorloofd later, some left."""
    keuze = lj.rng.random()
    if keuze < 0.35:
        codeer_achteraf(lj, geboekt, lj.code("spijbelen") or lj.code("ongeoorloofd"))
    elif keuze < 0.55:
        codeer_achteraf(lj, geboekt, lj.code("ongeoorloofd"))


def onverklaard(lj: Leerlingjaar) -> None:
    """Whole days away without any notice: ongeoorloofd once two days have passed."""
    for _ in range(lj.aantal(_ONVERKLAARD.get(lj.leerling.profiel, 0))):
        i = lj.trek_dag()
        if i is None:
            continue
        d = lj.ctx.lesdagen[i]
        ongeoorloofd_afhandelen(lj, lj.boek.record(d, lj.lessen(d), code=None))


def afspraken(lj: Leerlingjaar) -> None:
    """Doctor, dentist, orthodontist: the parent tells the school beforehand."""
    code = lj.code("medisch")
    for _ in range(lj.aantal(_AFSPRAKEN[lj.ctx.school.sector])):
        i = lj.trek_dag()
        if i is None:
            continue
        d = lj.ctx.lesdagen[i]
        if lj.ctx.school.sector == "po":
            begin = lj.rng.choice((time(9, 0), time(10, 30), time(13, 0)))
            eind = (
                datetime.combine(d, begin) + timedelta(minutes=lj.rng.choice((60, 90)))
            ).time()
            lj.boek.tijdspanne(d, begin, eind, code=code, opmerking="tandarts")
            continue
        lessen = lj.lessen(d)
        start = lj.rng.randrange(len(lessen))
        lj.boek.record(
            d,
            lessen[start : start + lj.rng.randint(1, 3)],
            code=code,
            wanneer=moment(d, time(8, 15)),
            opmerking="afspraak orthodontist",
        )


def verwijderingen(lj: Leerlingjaar) -> None:
    """Sent out of class (VO): the rest of that lesson is missed."""
    if lj.ctx.school.sector != "vo":
        return
    for _ in range(lj.aantal(_VERWIJDERD.get(lj.leerling.profiel, 0.2))):
        i = lj.trek_dag()
        if i is None:
            continue
        d = lj.ctx.lesdagen[i]
        lj.boek.record(
            d,
            [lj.rng.choice(lj.lessen(d))],
            code=lj.code("verwijderd"),
            soort="verwijderd",
            minuten=lj.rng.randint(15, 40),
        )
