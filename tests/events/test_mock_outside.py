"""``accord mock`` on AsyncAPI documents nobody here wrote, on a real NATS server.

- Slack's RTM API (an official 2.6 example) sends and receives on one channel, ``/``: the
  mock published its own messages and then checked them as others' (every one "invalid").
- A payload in Avro is neither generated nor checked: the mock says so once at start and
  publishes nothing for it (it used to publish ``{}`` as the message, silently).
"""

from __future__ import annotations

import asyncio
import json
import logging
import textwrap
from pathlib import Path
from typing import Any

import nats
import pytest

from accord.core import AsyncContract
from accord.mock import EventMock, EventMockConfig
from tests.conftest import CORPUS
from tests.shop.events import nats_server

pytestmark = pytest.mark.slow

SLACK = CORPUS / "asyncapi/spec-examples/2.6.0/slack-rtm.yml"
AVRO = """\
asyncapi: 3.0.0
info: {title: readings, version: "1"}
channels:
  readings:
    address: sensors.readings
    messages:
      reading:
        payload:
          schemaFormat: application/vnd.apache.avro;version=1.9.0
          schema: {type: record, name: Reading, fields: [{name: value, type: double}]}
      note:
        payload: {type: object, required: [text], properties: {text: {type: string}}}
operations:
  publishReadings: {action: send, channel: {$ref: "#/channels/readings"}}
"""


def _run(mock: EventMock, url: str, publish: list[tuple[str, bytes]]) -> dict[str, Any]:
    async def scenario() -> dict[str, Any]:
        task = asyncio.create_task(mock.run())
        await asyncio.wait_for(mock.done.wait(), 15)
        conn = await nats.connect(url)
        for subject, body in publish:
            await conn.publish(subject, body)
        await conn.flush()
        await conn.close()
        await asyncio.sleep(0.5)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        return mock.counters.as_json()

    return asyncio.run(scenario())


def test_a_channel_both_sent_and_received_is_not_checked_against_itself(
    tmp_path: Path,
) -> None:
    contract = AsyncContract.from_path(SLACK)
    with nats_server(tmp_path) as broker:
        mock = EventMock(contract, EventMockConfig(broker.url, count=5, rate=0, seed=1))
        outgoing = {"id": 1, "type": "message", "channel": "C1", "text": "hi"}
        counters = _run(mock, broker.url, [("/", json.dumps(outgoing).encode())])
    assert counters["published"] == 5
    # only the client's message was received and checked (against outgoingMessage)
    assert (counters["received"], counters["valid"], counters["invalid"]) == (1, 1, 0), counters


def test_an_avro_payload_is_said_unsupported_and_not_published(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    doc = tmp_path / "readings.yaml"
    doc.write_text(textwrap.dedent(AVRO))
    contract = AsyncContract.from_path(doc)
    (reading,) = [m for m in contract.messages if m.key == "reading"]
    assert reading.unsupported_format == "application/vnd.apache.avro;version=1.9.0"
    with caplog.at_level(logging.WARNING, logger="accord.mock.events"):
        mock = EventMock(contract, EventMockConfig(count=4, rate=0))
    assert "payload schemaFormat application/vnd.apache.avro" in caplog.text
    planned = mock.planned()
    assert len(planned) == 4 and all(json.loads(body)["text"] for _, body, _ in planned)
