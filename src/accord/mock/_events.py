"""``accord mock`` on an AsyncAPI document: a stand-in for a service's events on a real broker.

Connected to a NATS server, the mock

- publishes on every channel the document says the service ``send``s: ``count`` messages
  per channel (0: none), at ``rate`` messages a second, each the message's next example
  (cycling) or, with none, data generated from its payload schema (``seed``: the same
  messages every run). Channel parameters are filled from the seed;
- subscribes to every channel the service ``receive``s (parameters as ``*``) and checks each
  message others publish against the channel's messages (payload, headers, content type):
  a violation is logged as one line and counted.

Counters and the latest violations are served as JSON at ``GET /_accord/events`` (and
``GET /healthz``), by a plain ASGI app whose lifespan runs the broker connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import random
import re
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from accord._asgi import PROBLEM_JSON, Receive, Scope, Send, send_bytes
from accord.core import AsyncChannel, AsyncContract, AsyncMessage
from accord.mock._generate import Unsatisfiable, generate_message

__all__ = ["EventMock", "EventMockConfig"]

log = logging.getLogger("accord.mock.events")
_PARAM = re.compile(r"\{[^{}]+\}")
_JSON = "application/json"


@dataclass(slots=True, frozen=True)
class EventMockConfig:
    broker: str = "nats://127.0.0.1:4222"
    count: int = 1  # messages per channel the service sends
    rate: float = 10.0  # messages a second, per channel
    seed: int = 0


@dataclass(slots=True)
class Counters:
    published: int = 0
    received: int = 0
    valid: int = 0
    invalid: int = 0
    violations: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=50))

    def as_json(self) -> dict[str, Any]:
        return {
            "published": self.published,
            "received": self.received,
            "valid": self.valid,
            "invalid": self.invalid,
            "violations": list(self.violations),
        }


class EventMock:
    """An ASGI app: its lifespan connects to the broker, publishes and validates."""

    def __init__(self, contract: AsyncContract, config: EventMockConfig) -> None:
        self.contract = contract
        self.config = config
        self.counters = Counters()
        self.done = asyncio.Event()  # every message to publish was published
        self._task: asyncio.Task[None] | None = None
        for message in contract.messages:  # compile now: a bad schema fails at start
            if message.unsupported_format is not None:
                log.warning(
                    "mock: message %s: payload schemaFormat %s is not supported; "
                    "it is neither published nor checked",
                    message.label,
                    message.unsupported_format,
                )
            for schema in (message.payload, message.headers):
                if schema is not None:
                    contract.validator(schema)

    # what to publish ------------------------------------------------------------------
    def planned(self) -> list[tuple[str, bytes, dict[str, str]]]:
        """Every (subject, body, headers) the mock will publish, in order (deterministic)."""
        rng = random.Random(self.config.seed)
        out: list[tuple[str, bytes, dict[str, str]]] = []
        for op in self.contract.operations:
            if op.action != "send" or op.channel.address is None or not op.messages:
                continue
            usable = [m for m in op.messages if m.unsupported_format is None]
            if not usable:
                continue
            cycle = itertools.cycle(usable)
            for _ in range(self.config.count):
                message = next(cycle)
                subject = _PARAM.sub(lambda _m: f"p{rng.randrange(10**6)}", op.channel.address)
                body, headers = self._draw(message, rng)
                out.append((subject, json.dumps(body).encode(), headers))
        return out

    def _draw(self, message: AsyncMessage, rng: random.Random) -> tuple[Any, dict[str, str]]:
        examples = [e for e in message.examples if e.has_payload]
        if examples:
            example = examples[rng.randrange(len(examples))]
            headers = example.headers if isinstance(example.headers, dict) else {}
            return example.payload, {k: str(v) for k, v in headers.items()}
        if message.payload is None:
            return {}, {}
        try:
            body = generate_message(self.contract, message.payload, rng)
            headers = (
                generate_message(self.contract, message.headers, rng)
                if message.headers is not None
                else {}
            )
        except Unsatisfiable as exc:
            log.warning("mock: cannot generate message %s: %s", message.label, exc)
            return {}, {}
        return body, {k: str(v) for k, v in headers.items()} if isinstance(headers, dict) else {}

    # what to check ----------------------------------------------------------------------
    def check(self, subject: str, data: bytes, headers: dict[str, str]) -> list[str]:
        """Why a message received on ``subject`` fits none of its channel's messages."""
        found = self.contract.match_channel(subject)
        if found is None:
            return [f"{subject}: no channel of the document has this address"]
        candidates = [
            m for op in self.contract.operations_on(found.channel, "receive") for m in op.messages
        ]
        if candidates and all(m.unsupported_format for m in candidates):
            return []  # Avro, protobuf...: not checked (said once at start)
        try:
            body = json.loads(data)
        except ValueError:
            return [f"{subject}: the message is not JSON"]
        best: list[str] | None = None
        for message in candidates or list(found.channel.messages.values()):
            problems = []
            if message.payload is not None:
                problems += [
                    f"payload{v}" for v in self.contract.validator(message.payload).violations(body)
                ]
            if message.headers is not None:
                problems += [
                    f"headers{v}"
                    for v in self.contract.validator(message.headers).violations(headers)
                ]
            if not problems:
                return []
            if best is None or len(problems) < len(best):
                best = [f"{subject} ({message.label}): {p}" for p in problems]
        return best or []

    def _record(self, subject: str, data: bytes, headers: dict[str, str]) -> None:
        self.counters.received += 1
        problems = self.check(subject, data, headers)
        if problems:
            self.counters.invalid += 1
            self.counters.violations.append({"subject": subject, "problems": problems})
            for problem in problems:
                log.warning("mock: invalid message: %s", problem)
        else:
            self.counters.valid += 1

    # running ----------------------------------------------------------------------------
    async def run(self) -> None:
        import nats  # noqa: PLC0415  (only a running mock connects)

        # no_echo: a channel the service both sends and receives on (a WebSocket API, 2.x
        # publish + subscribe) must not have the mock check its own messages as others'
        conn = await nats.connect(self.config.broker, connect_timeout=2, no_echo=True)
        try:
            for channel in self._received_channels():
                assert channel.address is not None
                wildcard = _PARAM.sub("*", channel.address)

                async def on_message(msg: Any) -> None:
                    self._record(msg.subject, msg.data, dict(msg.headers or {}))

                await conn.subscribe(wildcard, cb=on_message)
            delay = 1.0 / self.config.rate if self.config.rate > 0 else 0.0
            for subject, body, headers in self.planned():
                await conn.publish(subject, body, headers=headers or None)
                self.counters.published += 1
                if delay:
                    await asyncio.sleep(delay)
            await conn.flush()
            self.done.set()
            await asyncio.Event().wait()  # keep validating until the app stops
        finally:
            await conn.drain()

    def _received_channels(self) -> list[AsyncChannel]:
        seen: dict[str, AsyncChannel] = {}
        for op in self.contract.operations:
            if op.action == "receive" and op.channel.address is not None:
                seen.setdefault(op.channel.address, op.channel)
        return list(seen.values())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    self._task = asyncio.create_task(self.run())
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    if self._task is not None:
                        self._task.cancel()
                        with contextlib.suppress(asyncio.CancelledError, Exception):
                            await self._task
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        if scope["path"] in ("/_accord/events", "/healthz"):
            failed = self._task is not None and self._task.done()
            body = {**self.counters.as_json(), "connected": not failed}
            await send_bytes(
                send, 503 if failed else 200, json.dumps(body).encode(), content_type=_JSON
            )
            return
        problem = b'{"title": "Not Found", "status": 404}'
        await send_bytes(send, 404, problem, content_type=PROBLEM_JSON)
