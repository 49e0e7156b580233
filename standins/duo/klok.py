"""Clocks for the DUO stand-in: the real one, and one a test moves by hand."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Protocol

from services.ketenkoppeling.duo.tijdstip import AMSTERDAM

__all__ = ["HandKlok", "Klok", "Systeemklok"]


class Klok(Protocol):
    def nu(self) -> datetime:
        """The current aware moment."""
        ...


class Systeemklok:
    def nu(self) -> datetime:
        return datetime.now(AMSTERDAM)


class HandKlok:
    """Stands still until `verzet` moves it; safe to move from the test's thread."""

    def __init__(self, begin: datetime) -> None:
        if begin.tzinfo is None:
            raise ValueError("HandKlok vraagt een aware begintijd")
        self._nu = begin
        self._slot = threading.Lock()

    def nu(self) -> datetime:
        with self._slot:
            return self._nu

    def verzet(self, seconden: float) -> None:
        with self._slot:
            self._nu += timedelta(seconds=seconden)
