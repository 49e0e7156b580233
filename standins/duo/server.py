"""Running the stand-in under uvicorn: as a program, or in a thread for tests.

With certificates the server demands a client certificate signed by the stand-in's CA
(mutual TLS, as DUO demands the school's PKIoverheid certificate).
"""

from __future__ import annotations

import socket
import ssl
import threading
import time
from types import TracebackType

import uvicorn

from standins.duo.app import SOAP_PAD, maak_app
from standins.duo.certs import Certificaten
from standins.duo.dienst import DuoStandin

__all__ = ["StandinInThread", "uvicorn_config"]


def uvicorn_config(
    standin: DuoStandin,
    *,
    host: str = "127.0.0.1",
    port: int = 8700,
    tls: Certificaten | None = None,
    log_level: str = "info",
) -> uvicorn.Config:
    opties: dict[str, object] = {}
    if tls is not None:
        opties = {
            "ssl_certfile": str(tls.server_cert),
            "ssl_keyfile": str(tls.server_key),
            "ssl_ca_certs": str(tls.ca),
            "ssl_cert_reqs": ssl.CERT_REQUIRED,
        }
    return uvicorn.Config(
        maak_app(standin),
        host=host,
        port=port,
        log_level=log_level,
        timeout_graceful_shutdown=1,
        **opties,  # type: ignore[arg-type]
    )


class StandinInThread:
    """The stand-in on a free loopback port in a background thread.

    with StandinInThread(standin) as server:
        DuoSettings(endpoint=server.endpoint)
    """

    def __init__(self, standin: DuoStandin, *, tls: Certificaten | None = None) -> None:
        # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets that say
        # so, and without it every answer waits 40 ms for a delayed ACK.
        self._socket = socket.socket(
            socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP
        )
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port: int = self._socket.getsockname()[1]
        schema = "https" if tls is not None else "http"
        self.basis = f"{schema}://127.0.0.1:{self.port}"
        self.endpoint = self.basis + SOAP_PAD
        config = uvicorn_config(standin, port=self.port, tls=tls, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name="duo-standin",
            daemon=True,
        )

    def __enter__(self) -> StandinInThread:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("DUO stand-in startte niet")
            time.sleep(0.01)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._socket.close()
