"""What a run measures: timings per phase, and the peak memory and CPU time of every
process (the CPU seconds show which service the 2 cores were spent on)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

__all__ = ["Metingen", "cpu_seconden", "laatste_ontvangst", "piekgeheugen_mb"]


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
    rust: list[tuple[str, float]] = field(default_factory=list)  # steps of `tot_rust`
    laatste_record_tot_laatste_melding: float | None = None
    totaal: float = 0.0
    piekgeheugen_mb: dict[str, float] = field(default_factory=dict)
    cpu_seconden: dict[str, float] = field(default_factory=dict)

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


def cpu_seconden(pid: int) -> float | None:
    """User plus system CPU time a running process has used so far, in seconds."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces; the fields after it are fixed.
    velden = stat.rpartition(")")[2].split()
    utime, stime = int(velden[11]), int(velden[12])
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def laatste_ontvangst(register: dict[str, Any]) -> datetime | None:
    """When the DUO stand-in received its last melding (its own wall clock)."""
    ontvangen = [
        datetime.fromisoformat(str(m["ontvangen"]))
        for m in register.get("meldingen", [])
    ]
    return max(ontvangen, default=None)
