"""The generated RabbitMQ (AMQP) stubs against a real broker (one private
``rabbitmq-server`` for the session, ``tests/events/rabbitmq.py``).

- The corpus's RPC example pair: ``rpc-server`` and ``rpc-client`` (AsyncAPI 3.0's own
  examples) are generated into two packages; the client sends a typed request on
  ``rpc_queue`` through its publisher, the server's typed subscriber answers through its
  publisher on the client's reply queue, and the client's typed subscriber reads the answer.

Channel bindings (exchanges, routing keys, queues; publishing first on a fresh broker) are
in ``tests/events/test_amqp_bindings.py``; ``BOUND`` is a small document with one
``routingKey`` and one ``queue`` channel, which the mock's tests use.
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from accord.codegen import render_events_package
from accord.core import AsyncContract
from tests.codegen.test_asyncapi_generate import _import, _write

EXAMPLES = Path("asyncapi/spec-examples/3.0.0")


@pytest.fixture
def rpc(corpus: Path, packages: Path) -> tuple[ModuleType, ModuleType]:
    """The ``app`` modules of the server's and the client's generated packages."""
    apps = []
    for side in ("server", "client"):
        contract = AsyncContract.from_path(corpus / EXAMPLES / f"rpc-{side}-asyncapi.yml")
        _write(packages, f"evpkg_rpc_{side}", render_events_package(contract, f"rpc-{side}"))
        apps.append(_import(f"evpkg_rpc_{side}", "app"))
    return apps[0], apps[1]


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
    rpc: tuple[ModuleType, ModuleType],
    rabbitmq_url: str,
) -> None:
    server, client = rpc
    seen = asyncio.run(_rpc(rabbitmq_url, server, client))
    assert isinstance(seen["request"], server.models.Sum)
    assert seen["request"].numbers == [4, 3]
    ((correlation, result),) = seen["answers"]
    assert correlation == "call-1"
    assert isinstance(result, client.models.ReceiveSumResult) and result.result == 7
    assert len(seen["refused"]) == 1 and "Sum: " in seen["refused"][0], seen["refused"]


#: a routingKey channel on a durable topic exchange and a queue channel on a durable queue
BOUND = """\
asyncapi: 3.0.0
info: {title: Lights on AMQP, version: "1"}
servers:
  local: {host: "127.0.0.1:5672", protocol: amqp}
channels:
  measured:
    address: lights.{lightId}.measured
    parameters: {lightId: {}}
    bindings:
      amqp:
        is: routingKey
        exchange: {name: lights, type: topic, durable: true}
    messages:
      measured:
        payload: {type: object, required: [lumens], properties: {lumens: {type: integer}}}
  commands:
    address: lights.commands
    bindings:
      amqp:
        is: queue
        queue: {name: light-commands, durable: true}
    messages:
      turn:
        payload: {type: object, required: ["on"], properties: {"on": {type: boolean}}}
operations:
  sendMeasured: {action: send, channel: {$ref: "#/channels/measured"}}
  receiveTurn: {action: receive, channel: {$ref: "#/channels/commands"}}
"""
