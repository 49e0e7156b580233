"""The launcher: broker first, processes with their environment, orderly stop."""

from __future__ import annotations

import asyncio
import os
import signal

import httpx
import pytest

from plumbing.broker import port_in_use
from tools import launcher
from tools.launcher import LaunchError, ProcessEntry, Stack

pytestmark = [pytest.mark.broker, pytest.mark.slow]

_SERVICE = """
import os
import uvicorn
from fastapi import APIRouter
from plumbing.http import create_app

router = APIRouter()

@router.get("/omgeving")
def omgeving() -> dict[str, str]:
    names = ("KAFKA_BOOTSTRAP_SERVERS", "PORT", "NEP_PORT", "ANDER_URL", "EXTRA")
    return {name: os.environ.get(name, "") for name in names}

app = create_app(service="nep", version="1.0.0", description="nep", routers=[router])
print("nep luistert", flush=True)
uvicorn.run(app, host="127.0.0.1", port=int(os.environ["PORT"]), log_level="warning")
"""


# Answers /health but ignores SIGTERM (uvicorn would install its own handler).
_STUBBORN = """
import http.server, os, signal

signal.signal(signal.SIGTERM, signal.SIG_IGN)

class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass

http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Health).serve_forever()
"""


def _entry(name: str, script: str = _SERVICE) -> ProcessEntry:
    return ProcessEntry(name, "unused", 0, argv=("-c", script))


class _Lines:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def __call__(self, name: str, line: str) -> None:
        self.lines.append((name, line))

    def of(self, name: str) -> list[str]:
        return [line for who, line in self.lines if who == name]


async def test_stack_starts_broker_and_processes_with_their_environment() -> None:
    output = _Lines()
    stack = Stack(
        [_entry("nep"), _entry("ander")],
        free_ports=True,
        env={**os.environ, "EXTRA": "doorgegeven"},
        output=output,
    )

    async with stack:
        assert stack.broker is not None and stack.broker.running
        broker_port = stack.broker.port
        async with httpx.AsyncClient() as client:
            response = await client.get(stack.urls["nep"] + "/v1/omgeving")
        processes = [running.process for running in stack.running]

    assert response.json() == {
        "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{broker_port}",
        "PORT": str(stack.ports["nep"]),
        "NEP_PORT": str(stack.ports["nep"]),
        "ANDER_URL": stack.urls["ander"],
        "EXTRA": "doorgegeven",
    }
    assert "nep luistert" in output.of("nep")
    assert "nep luistert" in output.of("ander")
    assert all(process.returncode is not None for process in processes)
    assert output.lines[-1] == ("broker", "stopped")  # the broker goes last
    assert not port_in_use("127.0.0.1", broker_port)


async def test_an_external_broker_is_used_as_given() -> None:
    output = _Lines()

    stack = Stack(
        [_entry("nep")], free_ports=True, bootstrap="kafka.test:9093", output=output
    )

    async with stack, httpx.AsyncClient() as client:
        response = await client.get(stack.urls["nep"] + "/v1/omgeving")

    assert stack.broker is None
    assert response.json()["KAFKA_BOOTSTRAP_SERVERS"] == "kafka.test:9093"


async def test_a_process_that_ignores_sigterm_is_killed() -> None:
    output = _Lines()
    stack = Stack(
        [_entry("koppig", _STUBBORN)],
        free_ports=True,
        output=output,
        stop_timeout=0.5,
    )

    async with stack:
        process = stack.running[0].process

    assert process.returncode == -signal.SIGKILL
    assert "did not stop in time; killing it" in output.of("koppig")


async def test_a_process_that_dies_at_start_stops_the_stack() -> None:
    output = _Lines()
    broken = ProcessEntry(
        "kapot", "unused", 0, argv=("-c", "import sys; print('geen db'); sys.exit(3)")
    )
    stack = Stack([_entry("nep"), broken], free_ports=True, output=output)

    with pytest.raises(LaunchError, match="kapot exited with 3") as raised:
        await stack.start()

    assert "geen db" in str(raised.value)
    assert stack.running == [] and stack.broker is None
    assert output.lines[-1] == ("broker", "stopped")


async def test_command_line_runs_until_sigterm(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(launcher, "PROCESSES", (_entry("nep"),))
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    port = launcher.free_port()
    args = launcher._parse(["--nep-port", str(port), "--broker-port", "0"])
    run = asyncio.create_task(launcher._run(args))

    ready = False
    for _ in range(300):
        ready = "Ctrl-C stops everything" in capsys.readouterr().out
        if ready or run.done():
            break
        await asyncio.sleep(0.1)
    assert ready, "the launcher did not report the stack as up"
    async with httpx.AsyncClient() as client:
        health = await client.get(f"http://127.0.0.1:{port}/health")
    os.kill(os.getpid(), signal.SIGTERM)  # the launcher's handler catches it
    code = await asyncio.wait_for(run, 30)

    assert health.status_code == 200
    assert code == 0
    assert not port_in_use("127.0.0.1", port)
