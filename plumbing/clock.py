"""The one injectable clock: "today" for every rule that depends on it.

``VERZUIM_KLOK`` chooses it:
- empty (default): the system clock;
- an ISO date or date-time (``2026-03-02`` or ``2026-03-02T09:00:00+01:00``): fixed;
- ``file:/path``: the date-time written in that file, re-read when the file
  changes. The main job writes the simulated day there, so all services move
  through a school year together, fast-forwarded.
Dates are Europe/Amsterdam local whatever the process time zone is.
"""

from __future__ import annotations

import os
from datetime import date, datetime, time
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


class Clock(Protocol):
    def now(self) -> datetime: ...

    def today(self) -> date: ...


def _parse(text: str) -> datetime:
    text = text.strip()
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time(12), AMSTERDAM)
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=AMSTERDAM)


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(AMSTERDAM)

    def today(self) -> date:
        return self.now().date()


class FixedClock:
    def __init__(self, moment: datetime | date) -> None:
        if not isinstance(moment, datetime):
            moment = datetime.combine(moment, time(12), AMSTERDAM)
        self.moment = moment

    def set(self, moment: datetime | date) -> None:
        self.__init__(moment)  # type: ignore[misc]

    def now(self) -> datetime:
        return self.moment.astimezone(AMSTERDAM)

    def today(self) -> date:
        return self.now().date()


class FileClock:
    """Reads the moment from a file; falls back to the system clock without one."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: float | None = None
        self._moment: datetime | None = None

    def now(self) -> datetime:
        try:
            stamp = self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return datetime.now(AMSTERDAM)
        if stamp != self._stamp:
            self._moment = _parse(self.path.read_text())
            self._stamp = stamp
        assert self._moment is not None
        return self._moment.astimezone(AMSTERDAM)

    def today(self) -> date:
        return self.now().date()

    @staticmethod
    def write(path: Path, moment: datetime | date) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(moment.isoformat())
        os.replace(tmp, path)


def clock_from_setting(value: str | None) -> Clock:
    if not value:
        return SystemClock()
    if value.startswith("file:"):
        return FileClock(Path(value.removeprefix("file:")))
    return FixedClock(_parse(value))
