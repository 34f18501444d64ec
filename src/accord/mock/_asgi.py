"""ASGI types and the small helpers every step uses to answer a request."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any, Protocol

import orjson

__all__ = ["ASGIApp", "Receive", "Scope", "Send", "Step", "send_bytes", "send_json"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class Step(Protocol):
    """A middleware of the request pipeline: built around the next app, itself an app."""

    def __call__(self, scope: Scope, receive: Receive, send: Send) -> Awaitable[None]: ...


async def send_bytes(
    send: Send,
    status: int,
    body: bytes,
    content_type: str | None,
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    """Send a whole response in two messages."""
    raw = [(b"content-length", str(len(body)).encode())]
    if content_type is not None and (body or status not in (204, 304)):
        encoded = _CONTENT_TYPES.get(content_type)
        if encoded is None:
            encoded = content_type.encode("latin-1")
            if len(_CONTENT_TYPES) < 256:  # the contract's few media types, kept encoded
                _CONTENT_TYPES[content_type] = encoded
        raw.append((b"content-type", encoded))
    raw.extend(headers)
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def send_json(
    send: Send,
    status: int,
    value: Any,
    content_type: str = "application/json",
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    """Send ``value`` as JSON."""
    await send_bytes(send, status, dump(value), content_type, headers)


#: one encoder for every answer (``json.dumps`` with options builds a new one per call)
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_CONTENT_TYPES: dict[str, bytes] = {}


def dump(value: Any) -> bytes:
    """Compact UTF-8 JSON."""
    try:
        return orjson.dumps(value)
    except TypeError:  # beyond orjson: integers past 64 bits, keys that are not strings
        return _ENCODER.encode(value).encode()
