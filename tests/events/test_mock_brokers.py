"""``accord mock`` on an AsyncAPI document serves on the broker its servers name.

NATS, Redis and RabbitMQ (amqp) are served (on this machine: a server's own address only
when it is a loopback one); a document whose servers are all Kafka, MQTT... is refused with
one line at the ``protocol``'s ``file:line``, and ``--broker`` publishes anyway. The Redis
and RabbitMQ branches run on real brokers against the generated FastStream stubs.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import nats
import pytest

from accord import ContractError
from accord.codegen import render_events_package
from accord.core import AsyncContract
from accord.mock import EventMock, EventMockConfig, choose_broker
from tests.codegen.test_asyncapi_generate import LIGHTS, _import, _write
from tests.events.test_rabbitmq import BOUND
from tests.gateway.test_redis import redis_url  # noqa: F401  (the fixture: a real redis-server)
from tests.shop.events import nats_server

REPO = Path(__file__).resolve().parents[2]
RPC = "asyncapi/spec-examples/3.0.0/rpc-{}-asyncapi.yml"


def _doc(folder: Path, servers: str, name: str = "lights") -> AsyncContract:
    """The street-lights document with ``servers`` (YAML lines, or "" for none)."""
    text = LIGHTS.replace('servers:\n  prod: {url: "broker:9092", protocol: PROTOCOL}\n', servers)
    path = folder / f"{name}.yaml"
    path.write_text(text)
    return AsyncContract.from_path(path)


@pytest.mark.parametrize(
    ("servers", "url", "why"),
    [
        ("servers:\n  local: {url: 'nats://localhost:4333', protocol: nats}\n",
         "nats://localhost:4333", "server 'local' (nats)"),
        ("servers:\n  prod: {url: 'demo.nats.io:4222', protocol: nats}\n",
         "nats://127.0.0.1:4222", "server 'prod' (nats)"),  # never a remote broker
        ("servers:\n  cache: {url: '127.0.0.1:6390', protocol: redis}\n",
         "redis://127.0.0.1:6390", "server 'cache' (redis)"),
        ("servers:\n  mq: {url: 'rabbitmq.example.org', protocol: amqp}\n",
         "amqp://guest:guest@127.0.0.1:5672", "server 'mq' (amqp)"),
        ("servers:\n  k: {url: 'b:9092', protocol: kafka}\n  n: {url: 'n:4222', protocol: nats}\n",
         "nats://127.0.0.1:4222", "server 'n' (nats)"),  # the first the mock speaks
        ("", "nats://127.0.0.1:4222", "no servers in the document"),
    ],
)  # fmt: skip
def test_the_servers_protocol_chooses_the_broker(
    tmp_path: Path, servers: str, url: str, why: str
) -> None:
    choice = choose_broker(_doc(tmp_path, servers))
    assert (choice.url, choice.why) == (url, why)


def test_without_servers_the_bindings_choose(tmp_path: Path) -> None:
    contract = _doc(tmp_path, "")
    text = contract.root.path.read_text().replace(
        "    subscribe:", "    bindings: {amqp: {is: queue}}\n    subscribe:", 1
    )
    contract.root.path.write_text(text)
    choice = choose_broker(AsyncContract.from_path(contract.root.path))
    assert (choice.kind, choice.url) == ("rabbit", "amqp://guest:guest@127.0.0.1:5672")


@pytest.mark.parametrize("protocol", ["kafka", "mqtt", "ws"])
def test_a_protocol_the_mock_does_not_speak_is_refused_at_its_line(
    tmp_path: Path, protocol: str
) -> None:
    contract = _doc(tmp_path, f"servers:\n  prod:\n    url: b:1\n    protocol: {protocol}\n")
    with pytest.raises(ContractError) as refused:
        choose_broker(contract)
    text = str(refused.value)
    assert f"cannot serve server 'prod' ({protocol})" in text and "--broker nats://" in text
    location = refused.value.location
    assert location is not None and (location.line, location.pointer) == (
        6, "/servers/prod/protocol"
    )  # fmt: skip
    assert choose_broker(contract, "nats://127.0.0.1:4999").url == "nats://127.0.0.1:4999"
    with pytest.raises(ValueError, match=r"kafka://b:1: expected nats://, redis:// or amqp://"):
        choose_broker(contract, "kafka://b:1")


def test_cli_refuses_a_kafka_document_in_one_line(tmp_path: Path) -> None:
    contract = _doc(tmp_path, "servers:\n  prod: {url: 'broker:9092', protocol: kafka}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "accord", "mock", str(contract.root.path)],
        capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert "lights.yaml:4:" in line and "server 'prod' (kafka)" in line, line


async def _mock_round(
    mock: EventMock, after_start: Callable[[], Awaitable[None]] | None = None
) -> dict[str, Any]:
    """Run ``mock`` until it published its plan, then ``after_start``; its counters."""
    task = asyncio.create_task(mock.run())
    try:
        await asyncio.wait_for(mock.done.wait(), 20)
        if after_start is not None:
            await after_start()
        for _ in range(40):
            await asyncio.sleep(0.05)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return mock.counters.as_json()


def test_broker_flag_publishes_a_kafka_document_on_nats(tmp_path: Path) -> None:
    contract = _doc(tmp_path, "servers:\n  prod: {url: 'broker:9092', protocol: kafka}\n")
    with nats_server(tmp_path) as broker:
        received: list[str] = []

        async def listen() -> None:
            conn = await nats.connect(broker.url)

            async def append(msg: Any) -> None:
                received.append(msg.subject)

            await conn.subscribe("lights.*.measured", cb=append)
            await conn.flush()
            mock = EventMock(contract, EventMockConfig(choose_broker(contract, broker.url).url, 3))
            task = asyncio.create_task(mock.run())
            await asyncio.wait_for(mock.done.wait(), 15)
            for _ in range(40):
                if len(received) == 3:
                    break
                await asyncio.sleep(0.05)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await conn.close()

        asyncio.run(listen())
    assert len(received) == 3 and all(s.startswith("lights.p") for s in received), received


def _generated(folder: Path, name: str, contract: AsyncContract, side: str) -> ModuleType:
    _write(folder, name, render_events_package(contract, name))
    return _import(name, side)


def test_a_redis_document_is_served_on_redis(packages: Path, redis_url: str) -> None:  # noqa: F811
    port = redis_url.rsplit(":", 1)[1].split("/", maxsplit=1)[0]
    contract = _doc(packages, f"servers:\n  cache: {{url: 'localhost:{port}', protocol: redis}}\n")
    choice = choose_broker(contract)
    assert choice.url == f"redis://localhost:{port}"
    peer = _generated(packages, "evpkg_mock_redis", contract, "peer")
    models = peer.models
    measured: list[Any] = []

    async def scenario() -> dict[str, Any]:
        from faststream.redis import RedisBroker  # noqa: PLC0415

        consumer = RedisBroker(redis_url)

        @peer.subscribe_light_measured(consumer)  # typed, any street light
        async def on_measured(event: Any, message: Any) -> None:
            measured.append(event)

        await consumer.start()
        mock = EventMock(contract, EventMockConfig(choice.url, count=4, rate=0, seed=3))

        async def send_commands() -> None:  # the peer's typed publisher, then a bad one
            user = models.TurnCommandHeaders.model_validate({"x-user": "ops"})
            await peer.publish_turn_command(
                consumer, models.TurnCommand(on=True), streetlight_id="s1", headers=user
            )
            await consumer.publish(b'{"on": "yes"}', "lights.s2.turn")

        try:
            return await _mock_round(mock, send_commands)
        finally:
            await consumer.stop()

    counters = asyncio.run(scenario())
    assert len(measured) == 4 and all(isinstance(e, models.LightMeasured) for e in measured)
    assert (counters["published"], counters["received"]) == (4, 2), counters
    assert (counters["valid"], counters["invalid"]) == (1, 1), counters
    (violation,) = counters["violations"]
    assert violation["subject"] == "lights.s2.turn"
    assert any("/on" in p for p in violation["problems"]), violation


async def _beside_rabbitmq(
    url: str,
    mock: EventMock,
    register: Callable[[Any], None] = lambda broker: None,
    send: Callable[[Any], Awaitable[None]] | None = None,
) -> dict[str, Any]:
    """Run ``mock`` beside a FastStream RabbitMQ broker on which ``register`` put the
    generated subscribers; once the mock has published, ``send(broker)``. Its counters."""
    from faststream.rabbit import RabbitBroker  # noqa: PLC0415

    broker = RabbitBroker(url)
    register(broker)
    await broker.start()
    try:
        return await _mock_round(mock, None if send is None else lambda: send(broker))
    finally:
        await broker.stop()


@pytest.mark.slow
def test_an_amqp_document_is_served_on_rabbitmq(
    packages: Path,
    corpus: Path,
    rabbitmq_url: str,
) -> None:
    """The mock of the RPC client publishes requests the generated server reads; the mock
    of the server checks what the generated client sends it."""
    url = rabbitmq_url
    client = AsyncContract.from_path(corpus / RPC.format("client"))
    server = AsyncContract.from_path(corpus / RPC.format("server"))
    assert choose_broker(client).kind == choose_broker(server).kind == "rabbit"
    server_app = _generated(packages, "evpkg_mock_srv", server, "app")
    client_app = _generated(packages, "evpkg_mock_cli", client, "app")
    requests: list[Any] = []

    def register(broker: Any) -> None:
        @server_app.subscribe_sum(broker)
        async def on_sum(request: Any, message: Any) -> None:
            requests.append(request)

    async def send(broker: Any) -> None:
        request = client_app.models.RequestSum(numbers=[1, 2])
        await client_app.publish_request_sum(broker, request, reply_to="r1")
        await broker.publish(b'{"numbers": "1,2"}', queue="rpc_queue")

    as_client = EventMock(client, EventMockConfig(url, count=3, rate=0, seed=1))
    sent = asyncio.run(_beside_rabbitmq(url, as_client, register))
    as_server = EventMock(server, EventMockConfig(url, count=0, rate=0))
    checked = asyncio.run(_beside_rabbitmq(url, as_server, send=send))
    assert sent["published"] == 3 and len(requests) == 3
    assert all(isinstance(r, server_app.models.Sum) for r in requests)
    assert (checked["received"], checked["valid"], checked["invalid"]) == (2, 1, 1), checked
    assert "/numbers" in checked["violations"][0]["problems"][0]


@pytest.mark.slow
def test_the_rabbitmq_mock_follows_the_channel_bindings(
    packages: Path,
    rabbitmq_url: str,
) -> None:
    """A routingKey channel on its (topic) exchange, read by the generated peer with an open
    parameter (``*``); a queue channel on the binding's durable queue, which the mock reads
    what the peer sends on. Every binding shape: ``tests/events/test_amqp_bindings.py``."""
    spec = packages / "bound.yaml"
    spec.write_text(BOUND)
    contract = AsyncContract.from_path(spec)
    peer = _generated(packages, "evpkg_mock_bound", contract, "peer")
    measured: list[Any] = []

    def register(broker: Any) -> None:
        @peer.subscribe_measured(broker)
        async def on_measured(event: Any, message: Any) -> None:
            measured.append(event)

    async def send(broker: Any) -> None:
        await peer.publish_turn(broker, peer.models.Turn(on=True))

    mock = EventMock(contract, EventMockConfig(rabbitmq_url, count=2, rate=0, seed=2))
    counters = asyncio.run(_beside_rabbitmq(rabbitmq_url, mock, register, send))
    assert len(measured) == 2 and all(isinstance(e, peer.models.Measured) for e in measured)
    assert (counters["published"], counters["received"], counters["valid"]) == (2, 1, 1), counters


def test_content_type_is_not_checked_as_an_application_header(tmp_path: Path) -> None:
    """Every FastStream publisher sets ``content-type``; a closed headers schema refuses it
    only when it declares the header itself (found by the Redis test above)."""
    from accord.core import check_message  # noqa: PLC0415

    contract = _doc(tmp_path, "")
    body, user = b'{"on": true}', {"x-user": "ops"}
    assert check_message(contract, "lights.s1.turn", body, user, "receive").ok
    typed = {**user, "content-type": "application/json"}
    assert check_message(contract, "lights.s1.turn", body, typed, "receive").ok
    found = check_message(contract, "lights.s1.turn", body, {**typed, "x-other": "1"}, "receive")
    assert [p for p in found.problems if "x-other" in p], found.problems
    declared = contract.root.path.read_text().replace(
        "properties: {x-user: {type: string}}",
        "properties: {x-user: {type: string}, content-type: {const: text/plain}}",
    )
    contract.root.path.write_text(declared)
    strict = AsyncContract.from_path(contract.root.path)
    found = check_message(strict, "lights.s1.turn", body, typed, "receive")
    assert [p for p in found.problems if "content-type" in p], found.problems
