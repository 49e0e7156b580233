"""Running a bulk of pupils or notices in one save, answered per item.

Each item goes through the same use-case code as a single request, as one step of a
shared unit of work (`Werkeenheid.sluit_stap`): the save stores the events, and so
publishes the messages, that the items sent one by one would have.

An item is refused on its own in two ways. A rule that refuses it is raised before
the item changes anything (`RegistratieFout`), so the bulk goes on with the next.
Anything else that fails for one item (an unexpected error, or a refusal while its
days are classified, when its changes are already made) runs the bulk again without
that item. A failure of the store, the key vault or the machine is no item's fault:
the request fails and nothing is saved.
"""

from __future__ import annotations

import logging
import traceback
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from services.registratie.basis import OPSLAGFOUTEN, RegistratieBasis
from services.registratie.domain.fouten import (
    LeerlingGewist,
    NietGevonden,
    OngeldigeInvoer,
    PgnInGebruik,
    RegistratieFout,
    ValidatieFout,
)
from services.registratie.werkeenheid import Werkeenheid

__all__ = ["ONVERWACHT", "Regel", "Stap", "geweigerd", "lees_model", "per_regel"]

logger = logging.getLogger(__name__)

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

# The reason of an item refused for a failure that is no rule of its own.
ONVERWACHT = (
    "kon niet worden verwerkt (interne fout, gelogd); niets hiervan is opgeslagen"
)


@dataclass(frozen=True)
class Regel(Generic[T]):
    """The answer for one item: `accepted`, `updated`, `unchanged` or `rejected`
    (with the field at fault, when there is one, and the reason)."""

    index: int
    status: str
    resultaat: T | None = None
    veld: str | None = None
    reden: str | None = None


def geweigerd(index: int, fout: RegistratieFout) -> Regel[Any]:
    """The refusal of one item for a domain error, with the field at fault."""
    if isinstance(fout, ValidatieFout):
        return Regel(index, "rejected", veld=fout.veld, reden=fout.reden)
    if isinstance(fout, NietGevonden):
        return Regel(index, "rejected", veld=f"{fout.soort}Id", reden=str(fout))
    if isinstance(fout, LeerlingGewist):
        reden = "de persoonsgegevens van deze leerling zijn gewist"
        return Regel(index, "rejected", veld="leerlingId", reden=reden)
    if isinstance(fout, PgnInGebruik):
        return Regel(index, "rejected", veld="pgn", reden=str(fout))
    return Regel(index, "rejected", reden=str(fout))


def lees_model(model: type[M], waarde: M | Mapping[str, Any]) -> M:
    """Validate one raw item; its first problem becomes an `OngeldigeInvoer`."""
    if isinstance(waarde, model):
        return waarde
    try:
        return model.model_validate(waarde)
    except ValidationError as fout:
        eerste = fout.errors(include_url=False, include_input=False)[0]
        veld = ".".join(str(deel) for deel in eerste["loc"]) or model.__name__
        raise OngeldigeInvoer(veld, eerste["msg"]) from None


class _RegelMislukt(Exception):  # noqa: N818 - a Dutch name, not "Error"
    def __init__(self, index: int, oorzaak: BaseException) -> None:
        super().__init__(index)
        self.index = index
        self.oorzaak = oorzaak


# One item's step: its changes in the unit of work, and its answer (any index).
Stap = Callable[[Werkeenheid, T], Regel[Any]]


def per_regel(
    app: RegistratieBasis,
    waarden: Sequence[Any],
    lees: Callable[[Any], T],
    stap: Stap[T],
    voorbereid: Callable[[Werkeenheid, Sequence[T]], None] | None = None,
    nu: datetime | None = None,
) -> list[Regel[Any]]:
    """Run `stap` for every item that `lees` accepts, all in one save (see the
    module doc); `voorbereid` may prefetch what the items need, so the store is
    asked once rather than once per item."""
    uitgesloten: dict[int, Regel[Any]] = {}
    gelezen: dict[int, T] = {}
    for index, waarde in enumerate(waarden):
        try:
            gelezen[index] = lees(waarde)
        except RegistratieFout as fout:
            uitgesloten[index] = geweigerd(index, fout)

    def opdracht(werk: Werkeenheid) -> list[Regel[Any]]:
        regels: dict[int, Regel[Any]] = dict(uitgesloten)
        open_ = [(i, item) for i, item in gelezen.items() if i not in uitgesloten]
        if voorbereid is not None:
            voorbereid(werk, [item for _, item in open_])
        for index, item in open_:
            try:
                regel = stap(werk, item)
            except RegistratieFout as fout:
                regels[index] = geweigerd(index, fout)
                continue
            except OPSLAGFOUTEN:
                raise
            except Exception as fout:
                raise _RegelMislukt(index, fout) from fout
            try:
                werk.sluit_stap()
            except OPSLAGFOUTEN:
                raise
            except Exception as fout:
                raise _RegelMislukt(index, fout) from fout
            regels[index] = replace(regel, index=index)
        return [regels[i] for i in range(len(waarden))]

    while True:
        try:
            regels = app._uitvoeren(opdracht, nu)
        except _RegelMislukt as mislukt:
            oorzaak = mislukt.oorzaak
            if isinstance(oorzaak, RegistratieFout):
                uitgesloten[mislukt.index] = geweigerd(mislukt.index, oorzaak)
            else:
                _log_onverwacht(oorzaak, mislukt.index)
                uitgesloten[mislukt.index] = Regel(
                    mislukt.index, "rejected", reden=ONVERWACHT
                )
            continue
        aantallen = Counter(regel.status for regel in regels)
        logger.info(
            "bulk verwerkt",
            extra={"event": "bulk_regels", "count": len(regels), **aantallen},
        )
        return regels


def _log_onverwacht(fout: BaseException, index: int) -> None:
    """Where it failed, never what the item held (it may hold personal data)."""
    plaats = traceback.extract_tb(fout.__traceback__)[-1:] or None
    logger.error(
        "bulkregel onverwacht geweigerd",
        extra={
            "event": "bulkregel_onverwacht",
            "fout": type(fout).__name__,
            "plaats": f"{plaats[0].filename}:{plaats[0].lineno}" if plaats else None,
            "index": index,
        },
    )
