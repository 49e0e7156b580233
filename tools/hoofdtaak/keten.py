"""The running chain for one run: broker, four services and the DUO stand-in.

`start_keten` starts `tools.launcher.Stack` on free ports with one environment for
every process: the shared data directory, the file clock the driver moves
(`VERZUIM_KLOK=file:<data-dir>/klok`), short job intervals so a simulated day passes
in seconds, generous rate limits for the bulk import, and the DUO stand-in's fast
status changes. Process output goes to `<data-dir>/keten.log`, not the terminal.

With `--store postgres` every run gets a database of its own
(`verzuimketen_<timestamp>`), so the services' schemas start empty.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

import psycopg

from contracts.pgn import sleutel_uit_instellingen
from plumbing.clock import FileClock
from plumbing.security.apikeys import ApiKeyStore
from plumbing.security.callers import Rol
from plumbing.security.settings import SecuritySettings
from tools.launcher import PROCESSES, LaunchError, Stack

__all__ = ["Keten", "maak_api_sleutel", "maak_database", "omgeving", "start_keten"]

SERVICES = ("registratie", "analyse", "opvolging", "ketenkoppeling")
_STARTPOGINGEN = 3
ROLLEN = (Rol.SIS, Rol.BEHEER, Rol.VERZUIMCOORDINATOR, Rol.SCHOOLLEIDER)

# Intervals that let the daily jobs and the DUO status follow a clock that moves a
# simulated day in well under a second, and a sender that retries within seconds.
_SNELLE_INSTELLINGEN = {
    "VERZUIM_RATE_LIMIT_PER_SECOND": "100000",
    "VERZUIM_RATE_LIMIT_BURST": "100000",
    "VERZUIM_MAX_BODY_BYTES": str(32 * 1024 * 1024),
    "ANALYSE_DAGTAAK_SECONDEN": "0.5",
    "REGISTRATIE_DAGTAAK_SECONDEN": "0.5",
    "OPVOLGING_EVALUATIE_POLL_SECONDS": "0.5",
    "KETENKOPPELING_INTERVAL_SECONDS": "0.2",
    "DUO_STATUS_POLL_SECONDS": "0.5",
    "DUO_RETRY_SECONDS": "0.5",
    "DUO_RETRY_MAX_SECONDS": "4",
    "DUO_TIMEOUT_SECONDEN": "5",
    "DUO_WACHT_MAX_SECONDEN": "1",
    "DUO_STANDIN_STATUS_B_AFTER": "0.5",
    "DUO_STANDIN_STATUS_CLOSED_AFTER": "1",
}


@dataclass
class Keten:
    """What the driver needs of the running chain."""

    stack: Stack
    data_dir: Path
    api_sleutel: str
    klokbestand: Path
    database: str | None = None
    pids: dict[str, int] = field(default_factory=dict)

    @property
    def urls(self) -> dict[str, str]:
        return self.stack.urls

    def zet_klok(self, moment: datetime | date) -> None:
        """Move every service to `moment` (they re-read the file on change)."""
        FileClock.write(self.klokbestand, moment)


def omgeving(
    data_dir: Path,
    klokbestand: Path,
    *,
    store: str,
    database: str | None,
    seed: int,
    fractie_5xx: float,
    fractie_afwijzing: float,
) -> dict[str, str]:
    """The environment of every process of the stack."""
    env = dict(os.environ)
    env.update(_SNELLE_INSTELLINGEN)
    env.update(
        VERZUIM_DATA_DIR=str(data_dir),
        VERZUIM_STORE=store,
        VERZUIM_KLOK=f"file:{klokbestand}",
        # Kept in the data dir too, so the run's stores stay usable afterwards.
        VERZUIM_PGN_KEY=sleutel_uit_instellingen(env.get("VERZUIM_PGN_KEY"), data_dir),
        DUO_STANDIN_SEED=str(seed),
        DUO_STANDIN_FAIL_5XX=str(fractie_5xx),
        DUO_STANDIN_FAIL_DC0002=str(fractie_afwijzing),
    )
    if database is not None:
        env["POSTGRES_DBNAME"] = database
    # A stale broker address must not send the stack elsewhere.
    env.pop("KAFKA_BOOTSTRAP_SERVERS", None)
    return env


def maak_database(settings: SecuritySettings, naam: str) -> None:
    """A fresh PostgreSQL database for one run's stores."""
    if not re.fullmatch(r"[a-z0-9_]{1,60}", naam):
        raise ValueError("database name: lower-case letters, digits, underscores")
    with psycopg.connect(settings.postgres_dsn(), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{naam}"')


def maak_api_sleutel(settings: SecuritySettings, scholen: list[str]) -> str:
    """An API key for the driver, bound to the demo schools (shown only here)."""
    store = ApiKeyStore.from_settings(settings)
    try:
        _, sleutel = store.create(
            naam="hoofdtaak", bestuur="demo-bestuur", scholen=scholen, rollen=ROLLEN
        )
    finally:
        store.close()
    return sleutel


@contextlib.contextmanager
def tijdelijke_api_sleutel(
    settings: SecuritySettings, scholen: list[str], naam: str
) -> Iterator[str]:
    """An API key for one command, revoked when it is done: a command that only
    looks leaves no key behind in the run's store."""
    store = ApiKeyStore.from_settings(settings)
    try:
        sleutel, tekst = store.create(
            naam=naam, bestuur="demo-bestuur", scholen=scholen, rollen=ROLLEN
        )
        try:
            yield tekst
        finally:
            store.revoke(sleutel.key_id)
    finally:
        store.close()


class _Logboek:
    """Writes every process line to one file, prefixed with the process name."""

    def __init__(self, pad: Path) -> None:
        self.pad = pad
        self._bestand: TextIO = pad.open("a", encoding="utf-8", buffering=1)

    def __call__(self, naam: str, regel: str) -> None:
        self._bestand.write(f"{naam:<14} | {regel}\n")

    def sluit(self) -> None:
        self._bestand.close()


async def _start_stack(env: dict[str, str], logboek: _Logboek) -> Stack:
    """Start on free ports; again on other ports when one was taken meanwhile (a
    free port is only free until someone binds it, e.g. a client's own socket)."""
    for poging in range(1, _STARTPOGINGEN + 1):
        stack = Stack(
            PROCESSES, free_ports=True, env=env, output=logboek, health_timeout=90.0
        )
        try:
            await stack.start()
        except LaunchError as fout:
            if poging == _STARTPOGINGEN or "address already in use" not in str(fout):
                raise
            logboek("hoofdtaak", f"start failed ({fout}); again on other ports")
            continue
        return stack
    raise AssertionError("unreachable")


@contextlib.asynccontextmanager
async def start_keten(
    data_dir: Path,
    scholen: list[str],
    begin: datetime,
    *,
    store: str = "sqlite",
    seed: int = 0,
    fractie_5xx: float = 0.0,
    fractie_afwijzing: float = 0.0,
    extra: dict[str, str] | None = None,
) -> AsyncIterator[Keten]:
    """Start the stack with the clock at `begin`; stop it on leaving."""
    data_dir = data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    klokbestand = data_dir / "klok"
    FileClock.write(klokbestand, begin)
    database = None
    if store == "postgres":
        database = f"verzuimketen_{data_dir.name.replace('-', '_').lower()}"
        maak_database(SecuritySettings(), database)
    env = omgeving(
        data_dir,
        klokbestand,
        store=store,
        database=database,
        seed=seed,
        fractie_5xx=fractie_5xx,
        fractie_afwijzing=fractie_afwijzing,
    )
    env.update(extra or {})
    settings = SecuritySettings(
        verzuim_data_dir=data_dir,
        verzuim_store=store,  # type: ignore[arg-type]
        **({"postgres_dbname": database} if database else {}),
    )
    sleutel = maak_api_sleutel(settings, scholen)
    logboek = _Logboek(data_dir / "keten.log")
    stack = await _start_stack(env, logboek)
    pids = {r.entry.name: r.process.pid for r in stack.running}
    if stack.broker is not None and stack.broker.process is not None:
        pids["broker"] = stack.broker.process.pid
    try:
        keten = Keten(
            stack=stack,
            data_dir=data_dir,
            api_sleutel=sleutel,
            klokbestand=klokbestand,
            database=database,
            pids=pids,
        )
        yield keten
    finally:
        await stack.stop()
        logboek.sluit()
