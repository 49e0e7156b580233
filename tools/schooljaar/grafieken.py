"""Geometry of the report's stacked bar charts, drawn as inline SVG by the template.

Only numbers and labels are computed here; the template writes the SVG elements, so
every label passes through Jinja's autoescaping like any other text.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Aslabel", "Diagram", "Reeks", "Staaf", "gestapeld_staafdiagram", "getal"]

_LINKS, _RECHTS, _BOVEN, _ONDER = 56.0, 12.0, 14.0, 46.0


@dataclass(frozen=True)
class Reeks:
    """One stacked series: CSS class, legend label and one value per bar."""

    klasse: str
    label: str
    waarden: list[float]


@dataclass(frozen=True)
class Staaf:
    x: float
    y: float
    breedte: float
    hoogte: float
    klasse: str
    titel: str


@dataclass(frozen=True)
class Aslabel:
    x: float
    y: float
    tekst: str


@dataclass(frozen=True)
class Diagram:
    breedte: int
    hoogte: int
    links: float
    rechts: float
    onder: float
    staven: list[Staaf]
    x_labels: list[Aslabel]
    y_labels: list[Aslabel]
    rasterlijnen: list[float]
    legenda: list[tuple[str, str]]
    beschrijving: str


def _mooie_stap(ruw: float) -> float:
    """1, 2, 2.5 or 5 times a power of ten, at least `ruw`."""
    if ruw <= 0:
        return 1.0
    macht = 10 ** math.floor(math.log10(ruw))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * macht >= ruw:
            return factor * macht
    return 10 * macht


def getal(waarde: float) -> str:
    """Dutch notation: 1.234,5 (one decimal only when there is a fraction)."""
    tekst = f"{waarde:,.1f}" if waarde % 1 else f"{waarde:,.0f}"
    return tekst.replace(",", " ").replace(".", ",").replace(" ", ".")


def gestapeld_staafdiagram(
    labels: list[str],
    reeksen: list[Reeks],
    *,
    beschrijving: str,
    breedte: int = 920,
    hoogte: int = 280,
    label_elke: int = 1,
    eenheid: str = "uur",
) -> Diagram:
    """Bars per label with the series stacked bottom-up in the given order."""
    aantal = len(labels)
    totalen = [sum(r.waarden[i] for r in reeksen) for i in range(aantal)]
    stap = _mooie_stap(max(totalen, default=0) / 4)
    schaal_max = stap * max(1, math.ceil(max(totalen, default=0) / stap))
    onder = hoogte - _ONDER
    plot_hoogte = onder - _BOVEN
    rechts = breedte - _RECHTS
    vak = (rechts - _LINKS) / max(1, aantal)
    staafbreedte = max(1.0, vak * 0.72)

    staven: list[Staaf] = []
    for i, label in enumerate(labels):
        basis = onder
        x = _LINKS + i * vak + (vak - staafbreedte) / 2
        for reeks in reeksen:
            waarde = reeks.waarden[i]
            if waarde <= 0:
                continue
            h = plot_hoogte * waarde / schaal_max
            basis -= h
            titel = f"{label}: {reeks.label} {getal(waarde)} {eenheid}"
            staven.append(
                Staaf(
                    round(x, 2),
                    round(basis, 2),
                    round(staafbreedte, 2),
                    round(h, 2),
                    reeks.klasse,
                    titel,
                )
            )

    x_labels = [
        Aslabel(round(_LINKS + i * vak + vak / 2, 2), onder + 16, label)
        for i, label in enumerate(labels)
        if i % max(1, label_elke) == 0
    ]
    y_labels, raster = [], []
    stappen = round(schaal_max / stap)
    for n in range(stappen + 1):
        y = round(onder - plot_hoogte * n / stappen, 2)
        raster.append(y)
        y_labels.append(Aslabel(_LINKS - 6, y + 4, getal(stap * n)))
    return Diagram(
        breedte=breedte,
        hoogte=hoogte,
        links=_LINKS,
        rechts=rechts,
        onder=onder,
        staven=staven,
        x_labels=x_labels,
        y_labels=y_labels,
        rasterlijnen=raster,
        legenda=[(r.klasse, r.label) for r in reeksen],
        beschrijving=beschrijving,
    )
