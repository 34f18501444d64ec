"""``accord mock`` on an AsyncAPI document whose broker is not up yet: it says so in one log
line (not a traceback per attempt), answers 503 ``"connected": false``, and connects and
publishes once the broker comes up."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path

import httpx
import pytest

from accord._process import Process, free_port
from accord.core import AsyncContract
from accord.mock import EventMock, EventMockConfig
from accord.workspace import nats_server

REPO = Path(__file__).resolve().parents[2]


async def _events(mock: EventMock) -> tuple[int, dict[str, object]]:
    transport = httpx.ASGITransport(app=mock)
    async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
        answer = await client.get("/_accord/events")
    return answer.status_code, json.loads(answer.content)


def test_the_mock_waits_for_its_broker_and_says_why(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    contract = AsyncContract.from_path(REPO / "contracts" / "asyncapi" / "orders.yaml")
    mock = EventMock(contract, EventMockConfig(f"nats://127.0.0.1:{port}", 1, 0.0, 7))
    broker = nats_server(tmp_path / "jetstream", port)
    assert broker is not None

    async def scenario() -> list[object]:
        task = asyncio.create_task(mock.run())
        await asyncio.sleep(2.5)  # a few attempts
        before = await _events(mock)
        with Process("nats", broker.argv, broker.health, log=tmp_path / "nats.log"):
            await asyncio.wait_for(mock.done.wait(), 15)
            after = await _events(mock)
            task.cancel()  # before the broker stops (that is a warning of its own)
            await asyncio.gather(task, return_exceptions=True)
        return [before, after]

    with caplog.at_level(logging.INFO, logger="accord.mock.events"):
        before, after = asyncio.run(scenario())
    assert before == (
        503,
        {"published": 0, "received": 0, "valid": 0, "invalid": 0, "violations": [],
         "connected": False},
    )  # fmt: skip
    assert after[0] == 200 and after[1]["connected"] is True and after[1]["published"] == 3
    waits = [r for r in caplog.records if "mock: broker" in r.getMessage()]
    assert len(waits) == 1 and "retrying" in waits[0].getMessage(), caplog.text
    assert "Traceback" not in caplog.text
