"""Serving an ASGI app: granian's embedded HTTP/1.1 server on uvloop, with client limits.

``accord mock`` and ``accord gateway`` both serve through :func:`serve`. granian
parses HTTP and writes to sockets in Rust, outside the GIL: on the benchmark's two
CPUs it answers about a quarter more requests per second than uvicorn with httptools
(``benchmarks/README.md``). Its embedded server runs the app object in this process,
so what start-up built is served as it is. It also bounds slow clients, which uvicorn
cannot (h11 and httptools never time out a request's headers):

- the request line and headers must arrive within ``header_timeout`` of the
  connection (granian's ``header_read_timeout``; the connection is closed);
- the body within ``body_timeout`` of its first read (:class:`~accord._asgi.BodyDeadline`
  answers 408 and closes);
- at most ``max_connections`` are served at once (granian's ``backpressure``); the
  next wait in the listen backlog until one closes.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from typing import Any

from accord._asgi import BodyDeadline, ServerLimits

__all__ = ["serve"]


def serve(app: Any, host: str, port: int, limits: ServerLimits) -> None:
    """Serve ``app`` on ``host:port`` until SIGINT or SIGTERM."""
    # imported only when a server really starts
    import uvloop  # noqa: PLC0415
    from granian.constants import HTTPModes, Interfaces  # noqa: PLC0415
    from granian.http import HTTP1Settings  # noqa: PLC0415
    from granian.log import LogLevels  # noqa: PLC0415
    from granian.server.embed import Server  # noqa: PLC0415

    logging.getLogger("_granian").addFilter(_quiet_embedded_warning)
    # what start-up built (the CLI's modules, contracts, compiled validators, planned answers)
    # lives as long as the server: frozen, a full collection no longer walks it (about 40 ms
    # for the shop's contracts, a p99 of 20-40 ms when it came once a second)
    gc.collect()
    gc.freeze()
    header_ms = limits.header_timeout * 1000
    server = Server(
        BodyDeadline(app, limits.body_timeout),
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        http=HTTPModes.http1,
        websockets=False,
        backlog=max(128, min(limits.max_connections, 4096)),
        backpressure=limits.max_connections,
        http1_settings=HTTP1Settings(header_read_timeout=max(1, round(header_ms))),
        log_level=LogLevels.warning,
        log_access=False,
    )

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, server.stop)
        await server.serve()

    uvloop.run(main())


def _quiet_embedded_warning(record: logging.LogRecord) -> bool:
    """granian says its embedded server is experimental at every start; we know."""
    return "experimental" not in record.getMessage()
