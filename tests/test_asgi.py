"""The shared ASGI pieces (``accord._asgi``): the body deadline and the bounded body reader."""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from typing import Any

import pytest

from accord._asgi import BodyDeadline, ClientGone, read_body

Message = MutableMapping[str, Any]


def _run(app: Any, chunks: list[tuple[float, Message]]) -> list[Message]:
    """Call ``app`` with messages that arrive after the given delays; what it sent."""
    sent: list[Message] = []
    queue = list(chunks)

    async def receive() -> Message:
        if not queue:
            await asyncio.sleep(3600)  # a client that keeps the connection open
        delay, message = queue.pop(0)
        await asyncio.sleep(delay)
        return message

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/x", "headers": []}
    asyncio.run(asyncio.wait_for(app(scope, receive, send), 5))
    return sent


async def _echo(scope: Any, receive: Any, send: Any) -> None:
    body = b""
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        body += message.get("body", b"")
        if not message.get("more_body", False):
            break
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": body})


def test_a_stalled_body_gets_408_and_the_app_answer_is_dropped() -> None:
    chunks = [(0.0, {"type": "http.request", "body": b"{", "more_body": True}),
              (2.0, {"type": "http.request", "body": b"}", "more_body": False})]  # fmt: skip
    sent = _run(BodyDeadline(_echo, 0.3), chunks)
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 408
    headers = dict(sent[0]["headers"])
    assert headers[b"connection"] == b"close"
    assert headers[b"content-type"] == b"application/problem+json"
    assert "0.3 s" in json.loads(sent[1]["body"])["detail"]


def test_a_trickled_body_is_cut_at_the_deadline_not_per_chunk() -> None:
    chunks = [(0.1, {"type": "http.request", "body": b"x", "more_body": True})] * 20
    sent = _run(BodyDeadline(_echo, 0.5), chunks)
    assert sent[0]["status"] == 408


def test_a_body_in_time_passes_and_later_reads_are_not_timed() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        first = await receive()
        waited = await receive()  # an app waiting for the client to go, past the deadline
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": first["body"] + waited["type"].encode()})

    chunks = [(0.0, {"type": "http.request", "body": b"ok", "more_body": False}),
              (0.5, {"type": "http.disconnect"})]  # fmt: skip
    sent = _run(BodyDeadline(app, 0.2), chunks)
    assert sent[0]["status"] == 200
    assert sent[1]["body"] == b"okhttp.disconnect"


def test_half_a_body_is_never_taken_for_a_whole_one() -> None:
    messages = [{"type": "http.request", "body": b'{"a": 1}', "more_body": True},
                {"type": "http.disconnect"}]  # fmt: skip

    async def receive() -> Message:
        return messages.pop(0)

    with pytest.raises(ClientGone):
        asyncio.run(read_body(receive, 1000))
