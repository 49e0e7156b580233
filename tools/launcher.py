"""`python -m tools.launcher`: the whole chain on this machine with one command.

Starts the embedded broker (unless `KAFKA_BOOTSTRAP_SERVERS` points elsewhere), every
process in `PROCESSES` with the environment passed down, prefixes their output with
their name, waits until each answers, prints the URLs, and on Ctrl-C or SIGTERM stops
them (SIGTERM, then SIGKILL after a timeout) and the broker last.

As a library, the end-to-end tests start the same stack::

    async with Stack(free_ports=True) as stack:
        stack.urls["registratie"]  # "http://127.0.0.1:40123"

Each process gets `PORT` and `<NAME>_PORT`, `KAFKA_BOOTSTRAP_SERVERS`, and the URL of
every process as `<NAME>_URL` (e.g. `DUO_URL` for ketenkoppeling).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

import httpx
from rich.console import Console
from rich.text import Text

from plumbing.broker import EmbeddedBroker, die_with_parent, free_port

HOST = "127.0.0.1"
COLOURS = ("cyan", "magenta", "green", "yellow", "blue", "bright_red", "bright_cyan")


@dataclass(frozen=True)
class ProcessEntry:
    """One process of the stack; `argv` overrides `python -m <module>`."""

    name: str
    module: str
    default_port: int
    port_flag: bool = False  # pass `--port N` besides the environment
    health_path: str | None = "/health"  # None: any HTTP answer means up
    argv: tuple[str, ...] = ()

    @property
    def env_prefix(self) -> str:
        return self.name.upper().replace("-", "_")

    def command(self, port: int) -> list[str]:
        args = list(self.argv) if self.argv else ["-m", self.module]
        if self.port_flag:
            args += ["--port", str(port)]
        return [sys.executable, *args]


PROCESSES: tuple[ProcessEntry, ...] = (
    ProcessEntry("registratie", "services.registratie", 8101),
    ProcessEntry("analyse", "services.analyse", 8102),
    ProcessEntry("opvolging", "services.opvolging", 8103),
    ProcessEntry("ketenkoppeling", "services.ketenkoppeling", 8104),
    # The stand-in has no /health; it is up once it answers at all.
    ProcessEntry("duo", "standins.duo", 8700, port_flag=True, health_path=None),
)


class LaunchError(RuntimeError):
    """A process exited or did not come up in time."""


Output = Callable[[str, str], None]


def console_output(console: Console | None = None) -> Output:
    """Prints `name | line`; the name coloured when writing to a terminal."""
    console = console or Console(highlight=False)
    styles: dict[str, str] = {}

    def write(name: str, line: str) -> None:
        if not console.is_terminal:
            print(f"{name:<14} | {line}", flush=True)
            return
        style = styles.setdefault(name, COLOURS[len(styles) % len(COLOURS)])
        console.print(
            Text.assemble((f"{name:<14}", style), " | ", line), soft_wrap=True
        )

    return write


@dataclass
class _Running:
    entry: ProcessEntry
    port: int
    process: asyncio.subprocess.Process
    pump: asyncio.Task[None] | None = None
    tail: list[str] = field(default_factory=list)


class Stack:
    """Broker plus processes, started in order and stopped in reverse."""

    def __init__(
        self,
        entries: Sequence[ProcessEntry] = PROCESSES,
        *,
        ports: Mapping[str, int] | None = None,
        free_ports: bool = False,
        bootstrap: str | None = None,
        broker_port: int | None = None,
        env: Mapping[str, str] | None = None,
        output: Output | None = None,
        health_timeout: float = 60.0,
        stop_timeout: float = 10.0,
    ) -> None:
        self.entries = list(entries)
        chosen = dict(ports or {})
        self.ports = {
            e.name: chosen.get(e.name)
            or (free_port() if free_ports else e.default_port)
            for e in self.entries
        }
        self.bootstrap = bootstrap
        self.broker_port = broker_port
        self.env = dict(os.environ if env is None else env)
        self.output = output or console_output()
        self.health_timeout = health_timeout
        self.stop_timeout = stop_timeout
        self.broker: EmbeddedBroker | None = None
        self.running: list[_Running] = []

    @property
    def urls(self) -> dict[str, str]:
        return {name: f"http://{HOST}:{port}" for name, port in self.ports.items()}

    async def start(self) -> Self:
        try:
            if self.bootstrap is None:
                self.broker = EmbeddedBroker(self.broker_port)
                await self.broker.astart()
                self.bootstrap = self.broker.bootstrap
                self.output("broker", f"ready on {self.bootstrap}")
            for entry in self.entries:
                self.running.append(await self._spawn(entry))
            async with httpx.AsyncClient(timeout=2.0) as client:
                await asyncio.gather(*(self._wait_up(client, r) for r in self.running))
        except BaseException:
            await self.stop()
            raise
        return self

    async def stop(self) -> None:
        """SIGTERM to every process, SIGKILL after the timeout, then the broker."""
        running, self.running = self.running, []
        await asyncio.gather(*(self._terminate(r) for r in reversed(running)))
        if self.broker is not None:
            await self.broker.astop()
            self.broker = None
            self.output("broker", "stopped")

    async def wait_for_exit(self) -> _Running:
        """Returns the first process that exits on its own."""
        waits = {asyncio.ensure_future(r.process.wait()): r for r in self.running}
        done, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        return waits[next(iter(done))]

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    # --- internals -----------------------------------------------------------------

    def _environment(self, entry: ProcessEntry, port: int) -> dict[str, str]:
        env = dict(self.env)
        env.update({f"{e.env_prefix}_URL": url for e, url in self._entry_urls()})
        env.update(
            PORT=str(port),
            HOST=HOST,
            PYTHONUNBUFFERED="1",
            **{f"{entry.env_prefix}_PORT": str(port)},
        )
        if self.bootstrap is not None:
            env["KAFKA_BOOTSTRAP_SERVERS"] = self.bootstrap
        return env

    def _entry_urls(self) -> list[tuple[ProcessEntry, str]]:
        return [(e, self.urls[e.name]) for e in self.entries]

    async def _spawn(self, entry: ProcessEntry) -> _Running:
        port = self.ports[entry.name]
        process = await asyncio.create_subprocess_exec(
            *entry.command(port),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=self._environment(entry, port),
            # Own process group: Ctrl-C reaches the launcher only, which then
            # stops everything in order.
            start_new_session=True,
            preexec_fn=die_with_parent,
            limit=1 << 20,
        )
        running = _Running(entry, port, process)
        running.pump = asyncio.create_task(self._pump(running), name=entry.name)
        return running

    async def _pump(self, running: _Running) -> None:
        stream = running.process.stdout
        assert stream is not None
        while line := await stream.readline():
            text = line.decode(errors="replace").rstrip()
            running.tail = [*running.tail[-19:], text]
            self.output(running.entry.name, text)

    async def _wait_up(self, client: httpx.AsyncClient, running: _Running) -> None:
        entry, url = running.entry, self.urls[running.entry.name]
        deadline = time.monotonic() + self.health_timeout
        while True:
            if running.process.returncode is not None:
                if running.pump is not None:
                    await running.pump
                raise LaunchError(
                    f"{entry.name} exited with {running.process.returncode} before "
                    "it was up; last lines:\n" + "\n".join(running.tail)
                )
            with contextlib.suppress(httpx.TransportError):
                response = await client.get(url + (entry.health_path or "/"))
                if entry.health_path is None or response.status_code == 200:
                    self.output(entry.name, f"up at {url}")
                    return
            if time.monotonic() > deadline:
                raise LaunchError(f"{entry.name} not up within {self.health_timeout}s")
            await asyncio.sleep(0.1)

    async def _terminate(self, running: _Running) -> None:
        process = running.process
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), self.stop_timeout)
            except TimeoutError:
                self.output(running.entry.name, "did not stop in time; killing it")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                await process.wait()
        if running.pump is not None:
            await running.pump


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m tools.launcher", description=__doc__.split("\n\n")[0]
    )
    for entry in PROCESSES:
        env_port = os.environ.get(f"{entry.env_prefix}_PORT")
        parser.add_argument(
            f"--{entry.name}-port",
            type=int,
            default=int(env_port) if env_port else entry.default_port,
            help=f"default {entry.default_port}, or ${entry.env_prefix}_PORT",
        )
    parser.add_argument(
        "--broker-port",
        type=int,
        default=int(os.environ.get("BROKER_PORT", "9092")),
        help="embedded broker port (0: any free port); default 9092 or $BROKER_PORT",
    )
    parser.add_argument("--stop-timeout", type=float, default=10.0)
    return parser.parse_args(argv)


async def _run(args: argparse.Namespace) -> int:
    ports = {e.name: getattr(args, f"{e.name}_port") for e in PROCESSES}
    stack = Stack(
        PROCESSES,
        ports=ports,
        bootstrap=os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None,
        broker_port=args.broker_port or None,
        stop_timeout=args.stop_timeout,
    )
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)

    starting = asyncio.create_task(stack.start())
    waiting = asyncio.create_task(stopping.wait())
    await asyncio.wait({starting, waiting}, return_when=asyncio.FIRST_COMPLETED)
    if not starting.done():
        starting.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await starting
        return 130
    if starting.exception() is not None:
        print(f"launcher: {starting.exception()}", file=sys.stderr)
        return 1

    stack.output("launcher", f"Kafka bootstrap: {stack.bootstrap}")
    for name, url in stack.urls.items():
        stack.output("launcher", f"{name:<14} {url}")
    stack.output("launcher", "Ctrl-C stops everything")

    exited = asyncio.create_task(stack.wait_for_exit())
    await asyncio.wait({exited, waiting}, return_when=asyncio.FIRST_COMPLETED)
    code = 0
    if exited.done():
        gone = exited.result()
        stack.output(
            "launcher",
            f"{gone.entry.name} exited with "
            f"{gone.process.returncode}; stopping the rest",
        )
        code = 1
    else:
        exited.cancel()
    await stack.stop()
    return code


def main(argv: Sequence[str] | None = None) -> int:
    return asyncio.run(_run(_parse(argv)))


if __name__ == "__main__":
    sys.exit(main())
