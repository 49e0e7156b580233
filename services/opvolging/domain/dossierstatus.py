"""Whether a dossier is open, and why it was closed."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["AfsluitReden", "DossierStatus"]


class DossierStatus(StrEnum):
    OPEN = "open"
    AFGESLOTEN = "afgesloten"


class AfsluitReden(StrEnum):
    VERZUIM_GESTOPT = "verzuim_gestopt"  # the last evaluation shows none for N weeks
    VOLDOENDE_VERBETERD = "voldoende_verbeterd"  # the last evaluation shows improvement
    LEERLING_VERTROKKEN = "leerling_vertrokken"
    GEEN_VERVOLG_NODIG = "geen_vervolg_nodig"  # e.g. a rejected luxeverzuim signal

    @property
    def omschrijving(self) -> str:
        return self.value.replace("_", " ")
