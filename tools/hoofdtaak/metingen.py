"""What a run measures: timings per phase and the peak memory of every process."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["Metingen", "laatste_ontvangst", "piekgeheugen_mb"]


@dataclass
class Metingen:
    """Timings of the run (seconds, wall clock) and peak memory per process."""

    genereren: float = 0.0
    starten: float = 0.0
    leerlingen: float = 0.0  # schools and pupils registered
    acties: float = 0.0  # from the first action sent to the last
    per_soort: dict[str, float] = field(default_factory=dict)  # of `acties`
    records: int = 0  # absence records and corrections sent
    tot_rust: float = 0.0  # from the last action until the chain was quiet
    laatste_record_tot_laatste_melding: float | None = None
    totaal: float = 0.0
    piekgeheugen_mb: dict[str, float] = field(default_factory=dict)

    @property
    def records_seconden(self) -> float:
        """Time spent sending records (bulk requests) only."""
        return self.per_soort.get("records", 0.0)

    @property
    def records_per_seconde(self) -> float:
        return self.records / self.records_seconden if self.records_seconden else 0.0


def piekgeheugen_mb(pid: int) -> float | None:
    """Peak resident memory (VmHWM) of a running process in MB (psutil is not
    installed; Linux keeps the high-water mark in /proc)."""
    try:
        regels = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    for regel in regels:
        if regel.startswith("VmHWM:"):
            return int(regel.split()[1]) / 1024
    return None


def laatste_ontvangst(register: dict[str, Any]) -> datetime | None:
    """When the DUO stand-in received its last melding (its own wall clock)."""
    ontvangen = [
        datetime.fromisoformat(str(m["ontvangen"]))
        for m in register.get("meldingen", [])
    ]
    return max(ontvangen, default=None)
