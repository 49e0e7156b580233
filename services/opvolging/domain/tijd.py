"""Dates of moments: always Europe/Amsterdam, never the process time zone."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

__all__ = ["AMSTERDAM", "datum_nl", "datum_van", "tijdstip_nl"]

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def datum_van(op: datetime) -> date:
    """The local calendar date of an aware moment."""
    return op.astimezone(AMSTERDAM).date()


def datum_nl(d: date | None) -> str:
    return d.strftime("%d-%m-%Y") if d else ""


def tijdstip_nl(op: datetime | None) -> str:
    return op.astimezone(AMSTERDAM).strftime("%d-%m-%Y %H:%M") if op else ""
