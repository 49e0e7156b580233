"""Transcodings for stored events that every service application can register.

The library's JSON transcoder knows `datetime` but not `date`; domain events carry
plenty of calendar dates (lesdagen, due dates, lesweken). Register it in the
application::

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())

The name ``date_iso`` is part of the stored data: renaming it makes stored events
unreadable.
"""

from __future__ import annotations

from datetime import date

from eventsourcing.persistence import Transcoding

__all__ = ["DateAsISO"]


class DateAsISO(Transcoding):
    """A calendar date as ``YYYY-MM-DD`` (a `datetime` keeps the library's own)."""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)
