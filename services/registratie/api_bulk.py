"""What the bulk routes for pupils and notices share: which items the caller may
send, and the answer per item in the order they came.

An item about a pupil or school the caller does not work for is refused as unknown
before the use case sees it, the same answer as for one that does not exist.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

from services.registratie.api_basis import MEDIATYPE, UITGEVOERD, TeGroot
from services.registratie.bulkregels import Regel

__all__ = ["Bulkantwoord", "begrens", "bulk_antwoorden", "leerling_id_van"]


def bulk_antwoorden(
    maximum: int, wat: str, *extra: Mapping[int | str, dict[str, Any]]
) -> dict[int | str, dict[str, Any]]:
    """The documented answers of a bulk route besides its 200: media type, the
    common failures, any `extra`, and the 413 above `maximum` of `wat`."""
    antwoorden: dict[int | str, dict[str, Any]] = {**MEDIATYPE, **UITGEVOERD}
    for deel in extra:
        antwoorden.update(deel)
    antwoorden[413] = {"description": f"More than {maximum} {wat}"}
    return antwoorden


def begrens(items: Sequence[Any], maximum: int, veld: str) -> None:
    """A bulk above its limit is refused as a whole (413), before anything is read."""
    if len(items) > maximum:
        raise TeGroot(
            f"Hooguit {maximum} {veld} per verzoek.",
            invalidParams=[{"name": veld, "reason": f"hooguit {maximum} {veld}"}],
        )


def leerling_id_van(item: Any) -> UUID | None:
    """The `leerlingId` of a raw item, when it is one; the use case names the field
    of anything else wrong with it."""
    waarde = item.get("leerlingId") if isinstance(item, Mapping) else None
    if not isinstance(waarde, str):
        return None
    try:
        return UUID(waarde)
    except ValueError:
        return None


class Bulkantwoord:
    """The answers of a bulk: items refused here, and those the use case answered."""

    def __init__(self, aantal: int, **leeg: Any) -> None:
        """`leeg`: the members of an answer that a refused item has as null."""
        self._regels: list[dict[str, Any] | None] = [None] * aantal
        self._door: list[int] = []
        self._leeg = leeg

    def weiger(self, index: int, veld: str, reden: str, **eigen: Any) -> None:
        self._regels[index] = {
            "index": index,
            **self._leeg,
            **eigen,
            "status": "rejected",
            "veld": veld,
            "reden": reden,
        }

    def door(self, index: int) -> None:
        """The item goes on to the use case, in this order."""
        self._door.append(index)

    def vul_aan(
        self,
        regels: Sequence[Regel[Any]],
        als_json: Callable[[Regel[Any]], dict[str, Any]],
    ) -> None:
        """The use case's answers for the items passed on (`door`), in that order."""
        for index, regel in zip(self._door, regels, strict=True):
            self._regels[index] = {
                "index": index,
                **als_json(regel),
                "status": regel.status,
                "veld": regel.veld,
                "reden": regel.reden,
            }

    def als_json(self) -> dict[str, Any]:
        resultaten = [r for r in self._regels if r is not None]
        return {
            "aantallen": dict(Counter(r["status"] for r in resultaten)),
            "resultaten": resultaten,
        }
