"""What one run of the main job is asked to do: sizes, mode, store, DUO failures.

`Opdracht` is built by the command line (`__main__`) and by the end-to-end test, so
both run the same driver with different sizes. `DuoStoringen` is the failure plan
for the DUO stand-in, parsed from `--duo-storingen` ("5xx=0.05,uitval=20:6").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

__all__ = ["DuoStoringen", "Opdracht", "OngeldigeOpdracht", "standaard_data_dir"]

Modus = Literal["dagelijks", "bulk"]
Store = Literal["sqlite", "postgres"]


class OngeldigeOpdracht(ValueError):
    """A flag value the driver cannot run with."""


@dataclass(frozen=True)
class DuoStoringen:
    """How the stand-in misbehaves: a share of 500 answers, refusals and outages.

    `uitval` holds (seconds after the records start flowing, duration) pairs: the
    stand-in answers 503 in that window, so the sender must back off and resume.
    """

    fractie_5xx: float = 0.0
    fractie_afwijzing: float = 0.0
    uitval: tuple[tuple[float, float], ...] = ()

    @classmethod
    def lees(cls, tekst: str) -> DuoStoringen:
        """Parse "5xx=0.05,afwijzing=0.01,uitval=20:6"; "geen" means none."""
        tekst = tekst.strip()
        if tekst in ("", "geen"):
            return cls()
        fractie_5xx = fractie_afwijzing = 0.0
        uitval: list[tuple[float, float]] = []
        for deel in tekst.split(","):
            naam, _, waarde = deel.strip().partition("=")
            try:
                if naam == "5xx":
                    fractie_5xx = float(waarde)
                elif naam == "afwijzing":
                    fractie_afwijzing = float(waarde)
                elif naam == "uitval":
                    na, _, duur = waarde.partition(":")
                    uitval.append((float(na), float(duur)))
                else:
                    raise OngeldigeOpdracht(f"onbekende storing {naam!r}")
            except ValueError as fout:
                if isinstance(fout, OngeldigeOpdracht):
                    raise
                raise OngeldigeOpdracht(f"storing {deel.strip()!r}: {fout}") from None
        for fractie in (fractie_5xx, fractie_afwijzing):
            if not 0 <= fractie <= 1:
                raise OngeldigeOpdracht("een fractie ligt tussen 0 en 1")
        if any(na < 0 or duur <= 0 for na, duur in uitval):
            raise OngeldigeOpdracht("uitval is NA:DUUR met NA >= 0 en DUUR > 0")
        return cls(fractie_5xx, fractie_afwijzing, tuple(uitval))

    def beschrijving(self) -> str:
        delen = []
        if self.fractie_5xx:
            delen.append(f"{self.fractie_5xx:.0%} HTTP 500")
        if self.fractie_afwijzing:
            delen.append(f"{self.fractie_afwijzing:.0%} afgewezen")
        delen += [f"uitval {duur:g} s na {na:g} s" for na, duur in self.uitval]
        return ", ".join(delen) or "geen"


#: Default: some 500s and one short outage while the records flow.
STANDAARD_STORINGEN = "5xx=0.05,uitval=8:5"


def standaard_data_dir(nu: datetime | None = None) -> Path:
    """A fresh `./var/demo-<timestamp>` directory name."""
    moment = nu or datetime.now()
    return Path("var") / f"demo-{moment:%Y%m%d-%H%M%S}"


@dataclass(frozen=True)
class Opdracht:
    """One run: the generated year, how it is sent and where the stores live."""

    data_dir: Path
    rapport: Path | None = Path("reports/schooljaar.html")
    seed: int = 2526
    weken: int | None = None
    vo: int = 1500
    po: int = 300
    modus: Modus = "bulk"
    store: Store = "sqlite"
    storingen: DuoStoringen = field(
        default_factory=lambda: DuoStoringen.lees(STANDAARD_STORINGEN)
    )
    # The demo plays the verzuimcoördinator: it confirms backlog meldingen (D17)
    # and proposed withdrawals (D15) once the chain is quiet.
    besluiten: bool = True
    # Eduarte, Magister and SOMtoday for part of the VO school's year.
    sis_bestanden: bool = True
    echte_bestanden: bool = True
    wachttijd: float = 600.0  # seconds the chain may take to settle
    gelijktijdig: int = 8  # requests in flight for single calls
    stil: bool = False  # no progress bars or summary (benchmarks)

    def __post_init__(self) -> None:
        if self.vo < 0 or self.po < 0 or self.vo + self.po == 0:
            raise OngeldigeOpdracht("at least one pupil is needed")
        if self.weken is not None and self.weken < 1:
            raise OngeldigeOpdracht("--weken is at least 1")
        if self.gelijktijdig < 1:
            raise OngeldigeOpdracht("at least one request in flight")
