"""Exceptions of the DUO adapter.

None of them carries a BSN, onderwijsnummer, name or free text of a melding: they name
fields and document numbers only, so they are safe to log.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "DuoAfwijzing",
    "DuoFout",
    "DuoOnbereikbaar",
    "DuoProtocolFout",
    "OngeldigBericht",
    "OngeldigeMelding",
]


class DuoFout(Exception):
    """Base of every error the adapter raises."""


class OngeldigeMelding(DuoFout, ValueError):
    """The product handed in a melding or mutatie that DUO would refuse.

    `problemen` holds (field, reason) pairs; reasons never quote the value.
    """

    def __init__(self, document_id: str, problemen: Iterable[tuple[str, str]]) -> None:
        self.document_id = document_id
        self.problemen = tuple(problemen)
        opsomming = "; ".join(f"{veld}: {reden}" for veld, reden in self.problemen)
        super().__init__(f"document {document_id} ongeldig: {opsomming}")

    @property
    def velden(self) -> tuple[str, ...]:
        return tuple(veld for veld, _ in self.problemen)


class OngeldigBericht(DuoFout):
    """An XML document that does not match the adapter's schema.

    `richting` is "uitgaand" (our bug, caught before sending) or "inkomend" (DUO's
    answer). `plaatsen` lists element names and lxml error types, never the values
    that failed, because the value may be a BSN.
    """

    def __init__(self, richting: str, plaatsen: Iterable[str]) -> None:
        self.richting = richting
        self.plaatsen = tuple(plaatsen)
        self.elementen = tuple(dict.fromkeys(p.split(" ")[0] for p in self.plaatsen))
        super().__init__(f"{richting} bericht past niet in het schema: {self.plaatsen}")


class DuoAfwijzing(DuoFout):
    """DUO answered with a DC0002 Foutmelding: the request is refused, never retried."""

    def __init__(
        self,
        code: str,
        reden: str,
        *,
        document_id: str | None = None,
        velden: Iterable[str] = (),
    ) -> None:
        self.code = code
        self.reden = reden
        self.document_id = document_id
        self.velden = tuple(velden)
        super().__init__(f"DUO wees {document_id or 'het verzoek'} af: {code} {reden}")


class DuoProtocolFout(DuoFout):
    """An answer outside the contract (unexpected HTTP status, SOAP client fault)."""


class DuoOnbereikbaar(DuoFout):
    """DUO could not be reached within the bounded attempts; the caller requeues.

    `uitkomst_onzeker` is true when at least one attempt may have reached DUO (a
    timeout or 5xx after sending). The caller then passes the moment of its first
    attempt as `eerdere_poging` next time, so the client checks before re-sending.
    """

    def __init__(self, operatie: str, pogingen: int, *, uitkomst_onzeker: bool) -> None:
        self.operatie = operatie
        self.pogingen = pogingen
        self.uitkomst_onzeker = uitkomst_onzeker
        super().__init__(
            f"DUO onbereikbaar voor {operatie} na {pogingen} pogingen"
            + (" (uitkomst onzeker)" if uitkomst_onzeker else "")
        )
