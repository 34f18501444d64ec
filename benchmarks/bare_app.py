"""The ceiling of ``bench_mock.py``: a bare ASGI app that answers every request with a fixed JSON.

It reads (and discards) the request body, so a POST costs what the server needs to
receive it, then sends the same few bytes every time. Served by
``uvicorn benchmarks.bare_app:app`` with the settings ``accord mock`` itself uses
(httptools parser, uvloop, one worker, no access log).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Message = MutableMapping[str, Any]

BODY = b'{"id":"ord_Q4m8TzR2vW6y","state":"confirmed","total":5399,"currency":"EUR"}'
HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(BODY)).encode()),
]


async def app(
    scope: Message,
    receive: Callable[[], Awaitable[Message]],
    send: Callable[[Message], Awaitable[None]],
) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False) and message["type"] == "http.request"
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
