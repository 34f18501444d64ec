"""`accord generate` on AsyncAPI: models, typed FastStream publishers and subscribers.

Direction (2.x ``subscribe`` is what the application sends), black-stable output,
parameters filling the address, pydantic on both sides of a real NATS server, the
drift check, and a clear error for a broker FastStream does not speak.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import black
import pytest
from black.mode import TargetVersion
from pydantic import ValidationError

from accord import ContractError
from accord.codegen import check_workspace, render_events_package
from accord.core import AsyncContract
from accord.workspace import Workspace
from tests.gateway.test_redis import redis_url  # noqa: F401  (the fixture: a real redis-server)
from tests.shop.events import nats_server

REPO = Path(__file__).resolve().parents[2]
ORDERS = REPO / "contracts" / "asyncapi" / "orders.yaml"
#: the oracle: stubs are written in the project's style (100 columns); models.py comes from
#: datamodel-code-generator's own formatter, black's default (88 columns)
BLACK = {
    "stubs": black.Mode(line_length=100, target_versions={TargetVersion.PY311}),
    "models.py": black.Mode(target_versions={TargetVersion.PY311}),
}


def black_stable(filename: str, text: str) -> bool:
    return black.format_str(text, mode=BLACK.get(filename, BLACK["stubs"])) == text


LIGHTS = """\
asyncapi: 2.6.0
info: {title: Street lights, version: "1.0.0"}
servers:
  prod: {url: "broker:9092", protocol: PROTOCOL}
channels:
  lights.{streetlightId}.measured:
    parameters:
      streetlightId: {schema: {type: string}}
    subscribe:  # others subscribe to it: the application sends it
      operationId: sendLightMeasured
      message:
        name: LightMeasured
        payload:
          type: object
          required: [lumens]
          properties:
            lumens: {type: integer, minimum: 0}
            sentAt: {type: string, format: date-time}
  lights.{streetlightId}.turn:
    parameters:
      streetlightId: {schema: {type: string}}
    publish:  # others publish it: the application receives it
      operationId: receiveTurnCommand
      message:
        name: TurnCommand
        headers:  # closed: the headers brokers add themselves are not the message's
          type: object
          required: [x-user]
          additionalProperties: false
          properties: {x-user: {type: string}}
        payload:
          type: object
          required: ["on"]
          properties: {"on": {type: boolean}}
"""


def accord(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "accord", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, timeout=300, check=False,
    )  # fmt: skip


def _write(folder: Path, name: str, files: dict[str, str]) -> Path:
    out = folder / name
    out.mkdir(parents=True)
    for filename, text in files.items():
        (out / filename).write_text(text, "utf-8")
    return out


@pytest.fixture
def packages(tmp_path: Path) -> Iterator[Path]:
    """A folder on sys.path for generated packages; they are forgotten afterwards."""
    sys.path.insert(0, str(tmp_path))
    try:
        yield tmp_path
    finally:
        sys.path.remove(str(tmp_path))
        for module in [m for m in sys.modules if m.startswith("evpkg_")]:
            del sys.modules[module]


def _lights(folder: Path, protocol: str) -> AsyncContract:
    spec = folder / f"lights-{protocol}.yaml"
    spec.write_text(LIGHTS.replace("PROTOCOL", protocol))
    return AsyncContract.from_path(spec)


def _import(name: str, part: str) -> ModuleType:
    return importlib.import_module(f"{name}.{part}")


def _functions(module: ModuleType) -> set[str]:
    return {n for n in module.__all__ if n.startswith(("publish_", "subscribe_"))}


def test_direction_of_2x_and_3x_operations(packages: Path) -> None:
    files = render_events_package(_lights(packages, "kafka"), "lights")
    _write(packages, "evpkg_lights", files)
    # 2.x: `subscribe` is what the application sends, `publish` what it receives
    assert _functions(_import("evpkg_lights", "app")) == {
        "publish_light_measured",
        "subscribe_turn_command",
    }
    assert _functions(_import("evpkg_lights", "peer")) == {
        "subscribe_light_measured",
        "publish_turn_command",
    }
    # 3.0: action `send` -- orders publishes, its peers (shipping) subscribe
    _write(packages, "evpkg_orders", render_events_package(AsyncContract.from_path(ORDERS), "o"))
    app, peer = _import("evpkg_orders", "app"), _import("evpkg_orders", "peer")
    assert _functions(app) == {f"publish_order_{k}" for k in ("confirmed", "cancelled", "failed")}
    assert _functions(peer) == {
        f"subscribe_order_{k}" for k in ("confirmed", "cancelled", "failed")
    }


@pytest.mark.parametrize("protocol", ["nats", "kafka", "redis", "amqp"])
def test_stubs_are_black_stable_and_import(packages: Path, protocol: str) -> None:
    files = render_events_package(_lights(packages, protocol), "lights")
    assert set(files) == {"__init__.py", "models.py", "runtime.py", "app.py", "peer.py"}
    for filename, text in files.items():
        assert black_stable(filename, text), filename
    name = f"evpkg_{protocol}"
    _write(packages, name, files)
    broker = {"nats": "NatsBroker", "kafka": "KafkaBroker", "redis": "RedisBroker"}
    app = _import(name, "app")
    assert app.publish_light_measured.__annotations__["broker"] == broker.get(
        protocol, "RabbitBroker"
    )


def test_shop_package_is_black_stable_and_committed() -> None:
    files = render_events_package(AsyncContract.from_path(ORDERS), "orders", root=REPO)
    for filename, text in files.items():
        assert black_stable(filename, text), filename
        assert (REPO / "generated" / "orders_events" / filename).read_text("utf-8") == text
        assert str(REPO) not in text


@pytest.mark.slow
def test_stubs_of_every_broker_pass_mypy_strict(packages: Path) -> None:
    names = []
    for protocol in ("nats", "kafka", "redis", "amqp"):
        names.append(f"evpkg_mypy_{protocol}")
        _write(packages, names[-1], render_events_package(_lights(packages, protocol), "l"))
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file=",
         "--python-version=3.11", *(a for n in names for a in ("-p", n))],
        cwd=packages, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-1000:]


def _event(**changes: Any) -> dict[str, Any]:
    event = {
        "event_id": "evt_0123456789abcdef", "type": "order.confirmed",
        "occurred_at": "2026-01-05T10:00:00Z", "order_id": "ord_0123456789abcdef",
        "customer_id": "cus_9dLw3Rt7Yb2e", "currency": "EUR", "total": 2598,
        "lines": [{"product_id": "prd_0123456789abcdef", "quantity": 2}],
    }  # fmt: skip
    return event | changes


def test_publisher_checks_the_payload_before_sending() -> None:
    from faststream.nats import NatsBroker  # noqa: PLC0415
    from generated.orders_events import app, models  # noqa: PLC0415

    broker = NatsBroker("nats://127.0.0.1:1")  # never connected: nothing may reach it
    payload = models.OrderConfirmed.model_validate(_event())
    payload.total = -1  # changed after it was checked
    headers = models.EventHeaders.model_validate({"Nats-Msg-Id": "evt_0123456789abcdef"})
    with pytest.raises(ValidationError, match="total"):
        asyncio.run(app.publish_order_confirmed(broker, payload, order_id="x", headers=headers))
    wrong: Any = models.OrderCancelled.model_validate(_event(type="order.cancelled"))
    with pytest.raises(app.InvalidMessage, match="expected OrderConfirmed, got OrderCancelled"):
        asyncio.run(app.publish_order_confirmed(broker, wrong, order_id="x", headers=headers))
    good = models.OrderConfirmed.model_validate(_event())
    with pytest.raises(
        app.InvalidMessage, match=r"orderId='a\.b' cannot be part of orders\.\{orderId\}"
    ):
        asyncio.run(app.publish_order_confirmed(broker, good, order_id="a.b", headers=headers))


def test_parse_reads_by_the_channel_of_the_address() -> None:
    from generated.orders_events import models, peer  # noqa: PLC0415

    body = (
        b'{"event_id":"evt_0123456789abcdef","type":"order.failed","occurred_at":'
        b'"2026-01-05T10:00:00Z","order_id":"ord_0123456789abcdef","customer_id":"cus_9dLw3Rt7Yb2e",'
        b'"currency":"EUR","total":1,"lines":[{"product_id":"prd_0123456789abcdef","quantity":1}],'
        b'"reason":"out_of_stock"}'
    )
    failed = peer.parse(body, "orders.ord_0123456789abcdef.failed")
    assert isinstance(failed, models.OrderFailed) and failed.reason.value == "out_of_stock"
    with pytest.raises(peer.InvalidMessage, match=r"OrderConfirmed: .* at /total"):
        confirmed = body.replace(b'"order.failed"', b'"order.confirmed"')
        peer.parse(confirmed.replace(b'"total":1', b'"total":-1'), "orders.x.confirmed")
    with pytest.raises(peer.InvalidMessage, match=r"OrderConfirmed: .* at /type"):
        peer.parse(body, "orders.x.confirmed")  # a failed event on the confirmed channel
    with pytest.raises(peer.InvalidMessage, match="no channel received on has the address"):
        peer.parse(body, "payments.x.done")


async def _nats_roundtrip(url: str) -> tuple[list[Any], list[str]]:
    from faststream.nats import NatsBroker  # noqa: PLC0415
    from generated.orders_events import app, models, peer  # noqa: PLC0415

    received: list[Any] = []
    refused: list[str] = []
    done = asyncio.Event()
    consumer = NatsBroker(url)

    async def invalid(message: Any, error: Exception) -> None:
        refused.append(f"{message.raw_message.subject}: {error}")
        done.set()

    @peer.subscribe_order_confirmed(consumer, on_invalid=invalid)
    async def confirmed(event: models.OrderConfirmed, message: Any) -> None:
        received.append((message.raw_message.subject, event))

    @peer.subscribe_order_cancelled(consumer, order_id="ord_0123456789abcdef")
    async def cancelled(event: models.OrderCancelled, message: Any) -> None:
        received.append((message.raw_message.subject, event))

    producer = NatsBroker(url)
    await consumer.start()
    await producer.connect()
    try:
        headers = models.EventHeaders.model_validate({"Nats-Msg-Id": "evt_0123456789abcdef"})
        event = models.OrderConfirmed.model_validate(_event())
        await app.publish_order_confirmed(producer, event, order_id="ord_A1", headers=headers)
        other = models.OrderCancelled.model_validate(_event(type="order.cancelled"))
        for order_id in ("ord_elsewhere", "ord_0123456789abcdef"):  # one filtered out
            await app.publish_order_cancelled(producer, other, order_id=order_id, headers=headers)
        await producer.publish(b'{"event_id": 1}', "orders.ord_B2.confirmed")  # not the contract's
        body = json.dumps(_event()).encode()  # a valid event without its Nats-Msg-Id header
        await producer.publish(body, "orders.ord_C3.confirmed")
        await asyncio.wait_for(done.wait(), 10)
        for _ in range(100):
            if len(refused) == 2:
                break
            await asyncio.sleep(0.05)
        for _ in range(100):
            if len(received) == 2:
                break
            await asyncio.sleep(0.05)
    finally:
        await producer.stop()
        await consumer.stop()
    return received, refused


def test_publisher_and_subscriber_on_a_real_nats(tmp_path: Path) -> None:
    from generated.orders_events import models  # noqa: PLC0415

    with nats_server(tmp_path) as nats:
        received, refused = asyncio.run(_nats_roundtrip(nats.url))
    subjects = sorted(subject for subject, _ in received)
    assert subjects == ["orders.ord_0123456789abcdef.cancelled", "orders.ord_A1.confirmed"]
    assert all(isinstance(e, models.OrderCancelled | models.OrderConfirmed) for _, e in received)
    refused.sort()
    assert len(refused) == 2, refused
    assert refused[0].startswith("orders.ord_B2.confirmed: OrderConfirmed:")
    assert refused[1].startswith("orders.ord_C3.confirmed: headers: Field required at /Nats-Msg-Id")


def test_kafka_and_redis_subscribers_use_patterns_for_open_parameters(packages: Path) -> None:
    from faststream.redis import PubSub  # noqa: PLC0415

    for protocol in ("kafka", "redis", "amqp"):
        files = render_events_package(_lights(packages, protocol), "l")
        _write(packages, f"evpkg_w_{protocol}", files)
    template = _import("evpkg_w_kafka", "app").ADDRESSES["receiveTurnCommand"]
    kafka = _import("evpkg_w_kafka", "runtime")
    assert kafka.where(template, {"streetlightId": "s1"}, {}) == (["lights.s1.turn"], {})
    assert kafka.where(template, {"streetlightId": None}, {}) == (
        [], {"pattern": r"lights\..*\.turn"}
    )  # fmt: skip
    redis = _import("evpkg_w_redis", "runtime")
    (channel,), _ = redis.where(template, {"streetlightId": None}, {})
    assert isinstance(channel, PubSub) and channel.pattern and channel.name == "lights.*.turn"
    rabbit = _import("evpkg_w_amqp", "runtime")
    with pytest.raises(rabbit.InvalidMessage, match="streetlightId is needed"):
        rabbit.where(template, {"streetlightId": None}, {})
    # an AMQP routingKey channel: a queue bound to the exchange, `*` for an open parameter
    amqp = {"is": "routingKey", "exchange": "lights", "exchange_type": "topic"}
    (queue, exchange), rest = rabbit.where(template, {"streetlightId": None}, {"amqp": amqp})
    assert (queue.routing_key, queue.exclusive, exchange.name) == ("lights.*.turn", True, "lights")
    assert rest == {}  # where a publisher sends: tests/events/test_amqp_bindings.py


def test_unsupported_protocol_is_a_clear_error_and_models_still_generate(tmp_path: Path) -> None:
    spec = tmp_path / "mqtt.yaml"
    spec.write_text(LIGHTS.replace("PROTOCOL", "mqtt"))
    with pytest.raises(ContractError, match="cannot write FastStream stubs for mqtt"):
        render_events_package(AsyncContract.from_path(spec), "mqtt")
    proc = accord("generate", "--contract", spec, "--out", tmp_path / "out", cwd=tmp_path)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert "mqtt.yaml:4:" in proc.stderr and "--models-only" in proc.stderr, proc.stderr
    assert not (tmp_path / "out").exists()
    proc = accord(
        "generate", "--contract", spec, "--out", tmp_path / "out", "--models-only", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["__init__.py", "models.py"]
    assert "class LightMeasured(BaseModel)" in (tmp_path / "out" / "models.py").read_text()


NAMES = """\
asyncapi: 3.0.0
info: {title: Names, version: "1"}
servers:
  local: {host: "127.0.0.1:4222", protocol: nats}
channels:
  lights: {address: lights}
operations:
  turnOn: {action: send, channel: {$ref: "#/channels/lights"}}
  onUserSignedUp: {action: receive, channel: {$ref: "#/channels/lights"}}
  receiveLightMeasurement: {action: receive, channel: {$ref: "#/channels/lights"}}
  send: {action: send, channel: {$ref: "#/channels/lights"}}
"""


def test_function_names_drop_the_verbs_of_operation_ids(tmp_path: Path) -> None:
    spec = tmp_path / "names.yaml"
    spec.write_text(NAMES)
    app = render_events_package(AsyncContract.from_path(spec), "names")["app.py"]
    for name in ("publish_turn_on", "subscribe_user_signed_up", "subscribe_light_measurement"):
        assert f"def {name}(" in app
    assert "async def publish_send(" in app  # nothing else to name it by
    assert "payload: bytes" in app  # no message: the payload is bytes, sent as they are


def test_without_servers_the_bindings_name_the_broker(tmp_path: Path) -> None:
    unbound = tmp_path / "unbound.yaml"
    unbound.write_text(
        LIGHTS.replace('servers:\n  prod: {url: "broker:9092", protocol: PROTOCOL}\n', "")
    )
    with pytest.raises(ContractError, match="no server protocol and no broker bindings"):
        render_events_package(AsyncContract.from_path(unbound), "l")
    bound = tmp_path / "bound.yaml"
    bound.write_text(
        unbound.read_text().replace(
            "    subscribe:", "    bindings: {nats: {bindingVersion: 0.1.0}}\n    subscribe:", 1
        )
    )
    files = render_events_package(AsyncContract.from_path(bound), "l")
    assert "from faststream.nats import NatsBroker" in files["app.py"]


def test_cli_writes_the_package_of_an_asyncapi_file(tmp_path: Path) -> None:
    spec = tmp_path / "lights.yaml"
    spec.write_text(LIGHTS.replace("PROTOCOL", "kafka"))
    proc = accord("generate", "--contract", spec, "--out", tmp_path / "lights_events", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    app = (tmp_path / "lights_events" / "app.py").read_text()
    assert "from faststream.kafka import KafkaBroker, KafkaRouter" in app
    assert "async def publish_light_measured(" in app and "def subscribe_turn_command(" in app


@pytest.mark.slow
def test_drift_check_covers_the_events_package(tmp_path: Path) -> None:
    shutil.copytree(REPO / "contracts", tmp_path / "contracts")
    shutil.copytree(REPO / "generated", tmp_path / "generated")
    assert check_workspace(Workspace.from_path(tmp_path)).clean
    contract = tmp_path / "contracts" / "asyncapi" / "orders.yaml"
    contract.write_text(contract.read_text().replace("minimum: 0", "minimum: 1", 1))
    (tmp_path / "generated" / "orders_events" / "old.py").write_text("x = 1\n")
    proc = accord("generate", "--check", cwd=tmp_path)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    for part in ("__init__", "models", "runtime", "app", "peer"):
        assert f"generated/orders_events/{part}.py: stale" in lines, lines
    assert "generated/orders_events/old.py: extra" in lines
    assert not any(line.startswith("generated/orders/") for line in lines)
    text = textwrap.dedent((tmp_path / "generated/orders_events/models.py").read_text())
    assert "ge=0" in text  # the committed one, before `accord generate`
    assert accord("generate", cwd=tmp_path).returncode == 0
    assert "ge=1" in (tmp_path / "generated/orders_events/models.py").read_text()


async def _redis_roundtrip(url: str, app: ModuleType, peer: ModuleType) -> list[Any]:
    from faststream.redis import RedisBroker  # noqa: PLC0415

    models = app.models
    received: list[Any] = []
    consumer, producer = RedisBroker(url), RedisBroker(url)

    @peer.subscribe_light_measured(consumer)  # any street light: a channel pattern
    async def measured(event: Any, message: Any) -> None:
        received.append(("measured", event))

    @app.subscribe_turn_command(consumer, streetlight_id="s1")
    async def turn(event: Any, message: Any) -> None:
        received.append(("turn", event))

    await consumer.start()
    await producer.connect()
    try:
        await app.publish_light_measured(
            producer, models.LightMeasured(lumens=3), streetlight_id="s9"
        )
        user = models.TurnCommandHeaders.model_validate({"x-user": "ops"})
        for light in ("s2", "s1"):  # s2 is not subscribed to
            await peer.publish_turn_command(
                producer, models.TurnCommand(on=True), streetlight_id=light, headers=user
            )
        for _ in range(200):
            if len(received) >= 2:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.2)  # a wrong third delivery would arrive by now
    finally:
        await producer.stop()
        await consumer.stop()
    return received


def test_publisher_and_subscriber_on_a_real_redis(packages: Path, redis_url: str) -> None:  # noqa: F811
    _write(packages, "evpkg_redis_rt", render_events_package(_lights(packages, "redis"), "l"))
    app, peer = _import("evpkg_redis_rt", "app"), _import("evpkg_redis_rt", "peer")
    received = asyncio.run(_redis_roundtrip(redis_url, app, peer))
    assert sorted(kind for kind, _ in received) == ["measured", "turn"]
    events = dict(received)
    assert events["measured"].lumens == 3 and events["turn"].on is True
