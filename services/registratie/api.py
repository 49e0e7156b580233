"""HTTP API of registratie: schools, pupils, absence records, notices and leave.

Paths without `/v1` (create_app adds it). Systems (`sis`) and operators (`beheer`)
write; the school roles of the RASCI matrix read; the head and the
leerplichtambtenaar decide on leave. A school's data is invisible to callers of
other schools (`api_basis`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter

from services.registratie.api_afwezigheden import afwezigheden_router
from services.registratie.api_gronden import gronden_router
from services.registratie.api_leerlingen import leerlingen_router
from services.registratie.api_meldingen import meldingen_router
from services.registratie.api_scholen import scholen_router

if TYPE_CHECKING:
    from plumbing.runtime import ServiceRuntime

__all__ = ["routers"]


def routers(runtime: ServiceRuntime) -> list[APIRouter]:
    return [
        scholen_router(runtime),
        leerlingen_router(runtime),
        afwezigheden_router(runtime),
        meldingen_router(runtime),
        gronden_router(runtime),
    ]
