"""Topic names. One topic per publishing service, plus a dead-letter topic each."""

from __future__ import annotations

REGISTRATIE = "verzuim.registratie.v1"
ANALYSE = "verzuim.analyse.v1"
OPVOLGING = "verzuim.opvolging.v1"
KETENKOPPELING = "verzuim.ketenkoppeling.v1"

TOPIC_OF_SERVICE = {
    "registratie": REGISTRATIE,
    "analyse": ANALYSE,
    "opvolging": OPVOLGING,
    "ketenkoppeling": KETENKOPPELING,
}

#: Who consumes whom (see ARCHITECTURE in the README).
SUBSCRIPTIONS = {
    "registratie": (),
    # analyse also hears whether a duty reached DUO: before submission a
    # correction cancels it, after submission it proposes a withdrawal (D15).
    "analyse": (REGISTRATIE, OPVOLGING, KETENKOPPELING),
    # opvolging also keeps the unauthorised minutes per lesweek and the school
    # calendars from registratie: the PDCA check compares lesweken.
    "opvolging": (ANALYSE, KETENKOPPELING, REGISTRATIE),
    "ketenkoppeling": (REGISTRATIE, ANALYSE, OPVOLGING),
}


def dlq(topic: str) -> str:
    return f"{topic}.dlq"


def prefixed(topic: str, prefix: str) -> str:
    """Tests run many systems on one broker; a prefix keeps them apart."""
    return f"{prefix}{topic}"
