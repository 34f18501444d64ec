"""``accord mock`` on an AsyncAPI document, on a real NATS server: it publishes what the
service sends (count, rate, seed; examples or generated data, all valid) and checks what
others publish on the channels the service receives (log line and counters over HTTP)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import httpx
import nats
import pytest

from accord._process import Process, free_port
from accord.core import AsyncContract
from tests.shop.events import nats_server

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow

DOC = """\
asyncapi: 3.0.0
info: {title: stock, version: "1"}
channels:
  levels:
    address: stock.{sku}.level
    parameters: {sku: {}}
    messages:
      level:
        payload:
          type: object
          required: [sku, on_hand]
          properties:
            sku: {type: string, pattern: "^[A-Z]{3}-[0-9]{3}$"}
            on_hand: {type: integer, minimum: 0}
  commands:
    address: stock.commands
    messages:
      adjust:
        payload:
          type: object
          required: [sku, delta]
          properties:
            sku: {type: string}
            delta: {type: integer}
operations:
  publishLevels: {action: send, channel: {$ref: "#/channels/levels"}}
  adjust: {action: receive, channel: {$ref: "#/channels/commands"}}
"""


async def _collect(url: str, subject: str, into: list[Any], ready: asyncio.Event) -> None:
    async def append(msg: Any) -> None:
        into.append((msg.subject, json.loads(msg.data)))

    conn = await nats.connect(url)
    try:
        await conn.subscribe(subject, cb=append)
        await conn.flush()
        ready.set()
        await asyncio.sleep(30)
    finally:
        await conn.close()


def test_mock_publishes_and_validates(tmp_path: Path) -> None:
    doc = tmp_path / "stock.yaml"
    doc.write_text(textwrap.dedent(DOC))
    contract = AsyncContract.from_path(doc)
    with nats_server(tmp_path) as broker:
        received: list[Any] = []

        async def scenario() -> dict[str, Any]:
            ready = asyncio.Event()
            listener = asyncio.create_task(_collect(broker.url, "stock.>", received, ready))
            await asyncio.wait_for(ready.wait(), 10)
            port = free_port()
            argv = [sys.executable, "-m", "accord", "mock", str(doc), "--broker", broker.url,
                    "--count", "20", "--rate", "200", "--seed", "7",
                    "--port", str(port)]  # fmt: skip
            env = {**os.environ, "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}"}
            url = f"http://127.0.0.1:{port}"
            with Process("mock", argv, url + "/healthz", env, tmp_path, tmp_path / "mock.log"):
                deadline = time.monotonic() + 15
                while len([s for s, _ in received if s.endswith(".level")]) < 20:
                    assert time.monotonic() < deadline, received
                    await asyncio.sleep(0.1)
                conn = await nats.connect(broker.url)
                await conn.publish(
                    "stock.commands", json.dumps({"sku": "CUP-001", "delta": 2}).encode()
                )
                await conn.publish(
                    "stock.commands", json.dumps({"sku": "CUP-001", "delta": "2"}).encode()
                )
                await conn.flush()
                await conn.close()
                await asyncio.sleep(0.5)
                counters = httpx.get(url + "/_accord/events", timeout=5).json()
            listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await listener  # its connection closes before the loop does
            log = (tmp_path / "mock.log").read_text()
            return {"counters": counters, "log": log}

        outcome = asyncio.run(scenario())
    levels = [(s, body) for s, body in received if s.endswith(".level")]
    assert len(levels) == 20
    (channel,) = [c for c in contract.channels.values() if c.key == "levels"]
    (message,) = channel.messages.values()
    assert message.payload is not None
    validator = contract.validator(message.payload)
    for subject, body in levels:
        assert channel.match(subject) is not None, subject
        assert validator.violations(body) == [], body
    counters = outcome["counters"]
    assert (counters["published"], counters["received"]) == (20, 2)
    assert (counters["valid"], counters["invalid"]) == (1, 1)
    assert "/delta" in counters["violations"][0]["problems"][0]
    assert "invalid message: stock.commands" in outcome["log"]
