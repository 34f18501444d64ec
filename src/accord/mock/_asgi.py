"""The mock's ASGI vocabulary: the shared one (:mod:`accord._asgi`) and a JSON answer."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from accord._asgi import ASGIApp, Message, Receive, Scope, Send, Step, send_bytes
from accord._json import dump_json as dump

__all__ = [
    "ASGIApp",
    "Message",
    "Receive",
    "Scope",
    "Send",
    "Step",
    "dump",
    "send_bytes",
    "send_json",
]


async def send_json(
    send: Send,
    status: int,
    value: Any,
    content_type: str = "application/json",
    headers: Iterable[tuple[bytes, bytes]] = (),
) -> None:
    """Send ``value`` as JSON."""
    await send_bytes(send, status, dump(value), headers, content_type=content_type)
