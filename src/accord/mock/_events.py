"""``accord mock`` on an AsyncAPI document: a stand-in for a service's events on a real broker.

Connected to the broker the document's servers name (NATS, Redis or RabbitMQ;
``_event_broker.choose_broker``), the mock

- publishes on every channel the document says the service ``send``s: ``count`` messages
  per channel (0: none), at ``rate`` messages a second per channel (0: as fast as it can;
  the channels take turns), each the message's next example
  (cycling) or, with none, data generated from its payload schema (``seed``: the same
  messages every run). Channel parameters are filled from the seed;
- subscribes to every channel the service ``receive``s (parameters as wildcards) and checks each
  message others publish against the channel's messages (payload, headers, content type):
  a violation is logged as one line and counted.

Counters and the latest violations are served as JSON at ``GET /_accord/events`` (and
``GET /healthz``), by a plain ASGI app whose lifespan runs the broker connection: 503
with ``"connected": false`` while the broker is not reached (the mock waits for it,
saying why in one log line, not a traceback per attempt).
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
from accord.core import AsyncChannel, AsyncContract, AsyncMessage, AsyncOperation, check_message
from accord.mock._event_broker import Link, open_link
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
        self._link: Link | None = None
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
    def _sending(self) -> list[AsyncOperation]:
        return [
            op
            for op in self.contract.operations
            if op.action == "send"
            and op.channel.address is not None
            and any(m.unsupported_format is None for m in op.messages)  # Avro...: not sent
        ]

    def planned(self) -> list[tuple[str, bytes, dict[str, str]]]:
        """Every (subject, body, headers) the mock will publish, in order (deterministic):
        the channels take turns, one message each."""
        rng = random.Random(self.config.seed)
        per_channel: list[list[tuple[str, bytes, dict[str, str]]]] = []
        for op in self._sending():
            assert op.channel.address is not None
            cycle = itertools.cycle([m for m in op.messages if m.unsupported_format is None])
            mine = []
            for _ in range(self.config.count):
                message = next(cycle)
                subject = _PARAM.sub(lambda _m: f"p{rng.randrange(10**6)}", op.channel.address)
                body, headers = self._draw(message, rng)
                mine.append((subject, json.dumps(body).encode(), headers))
            per_channel.append(mine)
        return [m for turn in zip(*per_channel, strict=True) for m in turn]

    @property
    def interval(self) -> float:
        """Seconds between two publishes (0: none). ``rate`` is per channel and the channels
        take turns, so the plan runs at ``rate`` x channels; each message keeps its own
        slot on the clock, so sleeps do not add up to drift."""
        channels = len(self._sending())
        return 1.0 / (self.config.rate * channels) if self.config.rate > 0 and channels else 0.0

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
        """Why a message received on ``subject`` does not fit the document (empty: it fits)."""
        found = check_message(self.contract, subject, data, headers, "receive")
        where = f"{subject} ({found.message.label})" if found.message else subject
        return [f"{where}: {problem}" for problem in found.problems]

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
        link = open_link(self.config.broker, self.contract)
        self._link = link
        try:
            await link.start(self._received_channels(), self._record)
            log.info("mock: connected to %s", self.config.broker)
            plan, interval = self.planned(), self.interval
            loop = asyncio.get_running_loop()
            started = loop.time()
            for index, (subject, body, headers) in enumerate(plan):
                if interval:
                    wait = started + index * interval - loop.time()
                    if wait > 0:
                        await asyncio.sleep(wait)
                await link.publish(subject, body, headers)
                self.counters.published += 1
            await link.flush()
            self.done.set()
            await asyncio.Event().wait()  # keep validating until the app stops
        finally:
            await link.close()

    @property
    def connected(self) -> bool:
        """Connected to the broker, now."""
        return self._link is not None and self._link.connected

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
            connected = self.connected and not failed
            body = {**self.counters.as_json(), "connected": connected}
            await send_bytes(
                send, 200 if connected else 503, json.dumps(body).encode(), content_type=_JSON
            )
            return
        problem = b'{"title": "Not Found", "status": 404}'
        await send_bytes(send, 404, problem, content_type=PROBLEM_JSON)
