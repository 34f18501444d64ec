"""The generated RabbitMQ (AMQP) stubs against a real broker: the corpus's RPC example pair.

``rpc-server`` and ``rpc-client`` (AsyncAPI 3.0's own examples) are generated into two
packages; the client sends a typed request on ``rpc_queue`` through its publisher, the
server's typed subscriber answers through its publisher on the client's reply queue, and
the client's typed subscriber reads the answer. Both ends run on one private
``rabbitmq-server`` (``tests/events/rabbitmq.py``).
"""

from __future__ import annotations

import asyncio
import importlib
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from accord.codegen import render_events_package
from accord.core import AsyncContract
from tests.events.rabbitmq import rabbitmq_server

EXAMPLES = Path("asyncapi/spec-examples/3.0.0")


@pytest.fixture
def rpc(corpus: Path, tmp_path: Path) -> Iterator[tuple[ModuleType, ModuleType]]:
    """The ``app`` modules of the server's and the client's generated packages."""
    sys.path.insert(0, str(tmp_path))
    apps = []
    try:
        for side in ("server", "client"):
            contract = AsyncContract.from_path(corpus / EXAMPLES / f"rpc-{side}-asyncapi.yml")
            package = tmp_path / f"rmq_rpc_{side}"
            package.mkdir()
            for name, text in render_events_package(contract, f"rpc-{side}").items():
                (package / name).write_text(text, "utf-8")
            apps.append(importlib.import_module(f"rmq_rpc_{side}.app"))
        yield apps[0], apps[1]
    finally:
        sys.path.remove(str(tmp_path))
        for module in [m for m in sys.modules if m.startswith("rmq_rpc_")]:
            del sys.modules[module]


async def _rpc(url: str, server: ModuleType, client: ModuleType) -> dict[str, Any]:
    from faststream.rabbit import RabbitBroker  # noqa: PLC0415

    seen: dict[str, Any] = {"answers": [], "refused": []}
    answered = asyncio.Event()
    server_broker, client_broker = RabbitBroker(url), RabbitBroker(url)
    reply = f"rpc-reply-{uuid.uuid4().hex[:8]}"

    async def refused(message: Any, error: Exception) -> None:
        seen["refused"].append(str(error))

    @server.subscribe_sum(server_broker, on_invalid=refused)
    async def add(request: Any, message: Any) -> None:
        seen["request"] = request
        result = server.models.SendSumResult(result=sum(request.numbers or []))
        await server.publish_sum_result(
            server_broker, result, queue=message.reply_to, correlation_id=message.correlation_id
        )

    @client.subscribe_sum_result(client_broker, queue=reply)
    async def answer(result: Any, message: Any) -> None:
        seen["answers"].append((message.correlation_id, result))
        answered.set()

    await server_broker.start()
    await client_broker.start()
    try:
        await client_broker.publish(b'{"numbers": "four"}', "rpc_queue")  # not the contract's
        request = client.models.RequestSum(numbers=[4, 3])
        await client.publish_request_sum(
            client_broker, request, reply_to=reply, correlation_id="call-1"
        )
        await asyncio.wait_for(answered.wait(), 15)
        for _ in range(100):
            if seen["refused"]:
                break
            await asyncio.sleep(0.05)
    finally:
        await client_broker.stop()
        await server_broker.stop()
    return seen


@pytest.mark.slow
def test_typed_rpc_round_trip_on_a_real_rabbitmq(
    rpc: tuple[ModuleType, ModuleType], tmp_path: Path
) -> None:
    server, client = rpc
    with rabbitmq_server(tmp_path / "rabbitmq") as url:
        seen = asyncio.run(_rpc(url, server, client))
    assert isinstance(seen["request"], server.models.Sum)
    assert seen["request"].numbers == [4, 3]
    ((correlation, result),) = seen["answers"]
    assert correlation == "call-1"
    assert isinstance(result, client.models.ReceiveSumResult) and result.result == 7
    assert len(seen["refused"]) == 1 and "Sum: " in seen["refused"][0], seen["refused"]
