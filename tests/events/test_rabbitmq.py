"""The generated RabbitMQ (AMQP) stubs against a real broker (one private
``rabbitmq-server`` for the session, ``tests/events/rabbitmq.py``).

- The corpus's RPC example pair: ``rpc-server`` and ``rpc-client`` (AsyncAPI 3.0's own
  examples) are generated into two packages; the client sends a typed request on
  ``rpc_queue`` through its publisher, the server's typed subscriber answers through its
  publisher on the client's reply queue, and the client's typed subscriber reads the answer.
- Channel bindings, with a plain aio-pika client as the other party: a ``routingKey``
  channel is published to its exchange (it went to the default exchange, where nobody
  reads it), and a ``queue`` channel's subscriber reads the binding's durable queue (it
  declared a queue named after the address instead).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from accord.codegen import render_events_package
from accord.core import AsyncContract
from tests.codegen.test_asyncapi_generate import _import, _write, black_stable

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


async def _bound(url: str, app: ModuleType, peer: ModuleType) -> dict[str, list[Any]]:
    import aio_pika  # noqa: PLC0415
    from faststream.rabbit import RabbitBroker  # noqa: PLC0415

    seen: dict[str, list[Any]] = {"plain": [], "peer": [], "app": []}
    # the other party, as the document describes it: a durable topic exchange and queue
    conn = await aio_pika.connect(url)
    channel = await conn.channel()
    exchange = await channel.declare_exchange("lights", aio_pika.ExchangeType.TOPIC, durable=True)
    plain = await channel.declare_queue("", exclusive=True)
    await plain.bind(exchange, "lights.*.measured")
    await channel.declare_queue("light-commands", durable=True)

    broker = RabbitBroker(url)

    @peer.subscribe_measured(broker)  # any light: `*` in the routing key
    async def measured(event: Any, message: Any) -> None:
        seen["peer"].append((message.raw_message.routing_key, event))

    @app.subscribe_turn(broker)  # the binding's durable queue, declared alike
    async def turn(command: Any, message: Any) -> None:
        seen["app"].append(command)

    await broker.start()
    try:
        await app.publish_measured(broker, app.models.Measured(lumens=5), light_id="l7")
        body = json.dumps({"on": True}).encode()
        await channel.default_exchange.publish(
            aio_pika.Message(body, content_type="application/json"), "light-commands"
        )
        for _ in range(100):
            found = await plain.get(fail=False)
            if found is not None:
                seen["plain"].append((found.routing_key, json.loads(found.body)))
                await found.ack()
            if seen["plain"] and seen["peer"] and seen["app"]:
                break
            await asyncio.sleep(0.05)
    finally:
        await broker.stop()
        await conn.close()
    return seen


@pytest.mark.slow
def test_channel_bindings_choose_the_exchange_and_the_queue(
    rabbitmq_url: str,
    packages: Path,
) -> None:
    spec = packages / "bound.yaml"
    spec.write_text(BOUND)
    files = render_events_package(AsyncContract.from_path(spec), "b")
    for name, text in files.items():
        assert black_stable(name, text), name  # the AMQP table too, long entries split
    _write(packages, "evpkg_bound", files)
    app, peer = _import("evpkg_bound", "app"), _import("evpkg_bound", "peer")
    seen = asyncio.run(_bound(rabbitmq_url, app, peer))
    assert seen["plain"] == [("lights.l7.measured", {"lumens": 5})]
    ((key, event),) = seen["peer"]
    assert key == "lights.l7.measured" and isinstance(event, peer.models.Measured)
    ((command,),) = [seen["app"]]
    assert isinstance(command, app.models.Turn) and command.on is True
