"""ASGI vocabulary shared by the mock, the gateway and the runtime's guard.

The types of a plain ASGI app, the two-message answer, the RFC 9457 problem
document, and a request body read within a size limit. Each server keeps its own
per-request ``Exchange`` (they learn different things) but answers through these.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any, Protocol

from accord._http import status_title
from accord._json import dump_json

__all__ = [
    "PROBLEM_JSON",
    "ASGIApp",
    "BodyDeadline",
    "BodyTooLarge",
    "ClientGone",
    "Message",
    "Receive",
    "Scope",
    "Send",
    "ServerLimits",
    "Step",
    "answer_lifespan",
    "problem_document",
    "read_body",
    "send_bytes",
    "send_problem",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PROBLEM_JSON = "application/problem+json"
#: a problem's ``detail`` is cut to this many characters (contracts' Problem schemas cap it)
DETAIL_MAX = 1000


class Step(Protocol):
    """A middleware of a request pipeline: built around the next app, itself an app."""

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]: ...


#: media type -> its encoded header value (a server's few media types, kept encoded)
_CONTENT_TYPES: dict[str, bytes] = {}


async def send_bytes(
    send: Send,
    status: int,
    body: bytes,
    headers: Iterable[tuple[bytes, bytes]] = (),
    *,
    content_type: str | None = None,
) -> None:
    """Send a whole response in two messages (``content_type`` adds that header)."""
    raw = [(b"content-length", str(len(body)).encode())]
    if content_type is not None and (body or status not in (204, 304)):
        encoded = _CONTENT_TYPES.get(content_type)
        if encoded is None:
            encoded = content_type.encode("latin-1")
            if len(_CONTENT_TYPES) < 256:
                _CONTENT_TYPES[content_type] = encoded
        raw.append((b"content-type", encoded))
    raw.extend(headers)
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def answer_lifespan(receive: Receive, send: Send) -> None:
    """Acknowledge an ASGI lifespan's start-up and shutdown (for apps with nothing to do)."""
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


def problem_document(status: int, detail: str, **members: Any) -> dict[str, Any]:
    """An RFC 9457 problem: type, title (the status's RFC 9110 name), status, detail, extras."""
    if len(detail) > DETAIL_MAX:
        detail = detail[: DETAIL_MAX - 3] + "..."
    doc: dict[str, Any] = {
        "type": "about:blank",
        "title": status_title(status),
        "status": status,
        "detail": detail,
    }
    doc.update((k, v) for k, v in members.items() if v is not None)
    return doc


async def send_problem(
    send: Send,
    status: int,
    detail: str,
    headers: Iterable[tuple[bytes, bytes]] = (),
    **members: Any,
) -> None:
    """Answer with :func:`problem_document` as ``application/problem+json``."""
    body = dump_json(problem_document(status, detail, **members))
    await send_bytes(send, status, body, headers, content_type=PROBLEM_JSON)


class BodyTooLarge(Exception):
    """The request body is larger than the limit (answer 413)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the request body is larger than the limit of {limit} bytes")
        self.limit = limit


class ClientGone(Exception):
    """The client went away (or was cut off) before its request body was complete."""


async def read_body(receive: Receive, limit: int, declared: str | None = None) -> bytes:
    """The whole request body; raises :class:`BodyTooLarge` past ``limit`` bytes.

    ``declared`` (the Content-Length header) lets an oversized body be refused
    before any of it is read. A client that disconnects first raises
    :class:`ClientGone`: half a body is never taken for a whole one.
    """
    if declared is not None and declared.strip().isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone("the client went away before the request body was complete")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


@dataclass(slots=True, frozen=True)
class ServerLimits:
    """How long a client may take to send a request, and how many may be connected at once.

    ``header_timeout`` bounds the request line and headers (the HTTP server closes the
    connection), ``body_timeout`` the whole body from the first read (:class:`BodyDeadline`
    answers 408 and closes), ``max_connections`` the connections served at once (more
    wait in the listen backlog until one closes).
    """

    header_timeout: float = 10.0
    body_timeout: float = 30.0
    max_connections: int = 1000


class BodyDeadline:
    """An ASGI wrapper that gives a request body ``seconds`` to arrive, from its first read.

    A body still incomplete at the deadline (a client trickling a byte at a time, or one
    that stopped) gets a 408 problem with ``Connection: close``, and the app sees the
    client as gone; whatever the app answers afterwards is dropped. Reads after the
    body is complete (apps waiting for a disconnect) are not timed.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        self.app = app
        self.seconds = seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.seconds <= 0:
            await self.app(scope, receive, send)
            return
        deadline: float | None = None
        body_done = started = expired = False

        async def timed_receive() -> Message:
            nonlocal deadline, body_done, expired
            if expired:
                return {"type": "http.disconnect"}
            if body_done:
                return await receive()
            if deadline is None:
                deadline = time.monotonic() + self.seconds
            # the read is not cancelled at the deadline (a server's receive may finish only
            # when the next byte comes); it is left to end with the connection
            pending = asyncio.ensure_future(receive())
            await asyncio.wait((pending,), timeout=max(0.0, deadline - time.monotonic()))
            if not pending.done():
                expired = True
                pending.add_done_callback(_quietly)
                if not started:
                    detail = f"the request body did not arrive within {self.seconds:g} s"
                    await send_problem(send, 408, detail, [(b"connection", b"close")])
                return {"type": "http.disconnect"}
            message = pending.result()
            if message["type"] != "http.request" or not message.get("more_body", False):
                body_done = True
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if expired:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, timed_receive, guarded_send)


def _quietly(task: asyncio.Future[Any]) -> None:
    """Retrieve an abandoned read's outcome, so asyncio does not log it as never retrieved."""
    if not task.cancelled():
        task.exception()
