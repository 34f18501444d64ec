"""AMQP channel bindings: what the generated RabbitMQ runtime and ``accord mock`` declare,
where they publish and where they read, from one table; then both publishing first on a
broker nothing was declared on (a fresh virtual host of the session's ``rabbitmq-server``).

The table is written out by hand from AsyncAPI's AMQP bindings 0.2.0/0.3.0 (``is``,
``exchange`` name/type/durable/autoDelete, ``queue`` name/durable/exclusive/autoDelete), one
channel per case, both sides checked against it. The real-broker scenario runs on that
document and on every corpus document with an ``amqp`` channel binding: the publisher
(the generated one, or the mock) publishes before anyone subscribed; then the generated
peer subscribes and the publisher publishes again. A ``queue`` channel's message waits in
the queue the publisher declared; a ``routingKey`` channel's first message had nobody
bound (dropped, as on any exchange), not refused for a missing exchange; an exclusive
queue belongs to its consumer, so the first message comes back (``Undelivered``).
"""

from __future__ import annotations

import asyncio
import logging
import re
import typing
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from accord.codegen import render_events_package
from accord.core import AsyncContract, AsyncOperation, amqp_binding
from accord.mock import EventMock, EventMockConfig
from accord.mock._event_faststream import destination, elsewhere, reading
from tests.codegen.test_asyncapi_generate import _import, _write, black_stable
from tests.events.rabbitmq import RabbitNode

CORPUS_ASYNCAPI = Path("asyncapi")

#: channel -> (address, binding as YAML flow text)
CHANNELS = {
    "topic": ("lights.{lightId}.measured",
              "{is: routingKey, exchange: {name: lights, type: topic, durable: true}}"),
    "direct": ("alerts.high", "{is: routingKey, exchange: {name: alerts, type: direct, "
                              "durable: false, autoDelete: true}}"),
    "fanout": ("audit.entry", "{is: routingKey, exchange: {name: audit, type: fanout}}"),
    "keyed": ("jobs.resize", "{is: routingKey}"),
    "typo": ("misc.entry", "{is: routingKey, exchange: {name: misc, type: topics}}"),
    "named": ("lights.commands", "{is: queue, queue: {name: light-commands, durable: true}}"),
    "plain": ("reports", "{is: queue}"),
    "unbound": ("notices", "{}"),
    "replies": ("replies.{client}", "{is: queue, queue: {exclusive: true}}"),
}  # fmt: skip

#: channel -> (declared before publishing, publish keywords, what a subscriber reads:
#: (queue name or None for one of its own, routing key, exchange)); an exchange is
#: ("exchange", name, type, durable, auto-delete), a queue ("queue", name, durable,
#: exclusive, auto-delete). ``*`` stands for a parameter left open; values are "v1".
ROUTES: dict[str, tuple[tuple[Any, ...] | None, dict[str, Any], tuple[Any, ...]]] = {
    "topic": (
        ("exchange", "lights", "topic", True, False),
        {"exchange": "lights", "routing_key": "lights.v1.measured", "mandatory": False},
        (None, "lights.*.measured", "lights"),
    ),
    "direct": (
        ("exchange", "alerts", "direct", False, True),
        {"exchange": "alerts", "routing_key": "alerts.high", "mandatory": False},
        (None, "alerts.high", "alerts"),
    ),
    "fanout": (
        ("exchange", "audit", "fanout", True, False),
        {"exchange": "audit", "routing_key": "audit.entry", "mandatory": False},
        (None, "audit.entry", "audit"),
    ),
    "keyed": (  # the default exchange: the key names the queue
        None,
        {"exchange": None, "routing_key": "jobs.resize", "mandatory": False},
        ("jobs.resize", None, None),
    ),
    "typo": (  # a type the binding's schema does not allow: as if none was given
        ("exchange", "misc", "topic", True, False),
        {"exchange": "misc", "routing_key": "misc.entry", "mandatory": False},
        (None, "misc.entry", "misc"),
    ),
    "named": (
        ("queue", "light-commands", True, False, False),
        {"queue": "light-commands"},
        ("light-commands", None, None),
    ),
    "plain": (("queue", "reports", False, False, False), {"queue": "reports"},
              ("reports", None, None)),
    "unbound": (("queue", "notices", False, False, False), {"queue": "notices"},
                ("notices", None, None)),
    "replies": (None, {"queue": "replies.v1"}, ("replies.v1", None, None)),  # its consumer's
}  # fmt: skip


def _document() -> str:
    lines = [
        "asyncapi: 3.0.0",
        'info: {title: Bindings, version: "1"}',
        "servers:",
        '  local: {host: "127.0.0.1:5672", protocol: amqp}',
        "channels:",
    ]
    for name, (address, binding) in CHANNELS.items():
        params = re.findall(r"\{([^{}]+)\}", address)
        lines += [
            f"  {name}:",
            f"    address: {address}",
            *([f"    parameters: {{{', '.join(f'{p}: {{}}' for p in params)}}}"] if params else []),
            f"    bindings: {{amqp: {binding}}}",
            "    messages:",
            f"      {name}:",
            "        payload: {type: object, required: [n], properties: {n: {type: integer}}}",
        ]
    lines.append("operations:")
    lines += [
        f'  send{name.title()}: {{action: send, channel: {{$ref: "#/channels/{name}"}}}}'
        for name in CHANNELS
    ]
    return "\n".join(lines) + "\n"


def _describe(found: Any) -> tuple[Any, ...] | None:
    from faststream.rabbit import RabbitExchange, RabbitQueue  # noqa: PLC0415

    if isinstance(found, RabbitExchange):
        return ("exchange", found.name, found.type.value, found.durable, found.auto_delete)
    if isinstance(found, RabbitQueue):
        return ("queue", found.name, found.durable, found.exclusive, found.auto_delete)
    assert found is None, found
    return None


def _keywords(kwargs: dict[str, Any]) -> dict[str, Any]:
    exchange = kwargs.get("exchange")
    return {**kwargs, "exchange": exchange.name} if exchange is not None else kwargs


def _reads(queue: Any, exchange: Any) -> tuple[Any, ...]:
    """(queue name, or None for a queue of the reader's own; routing key; exchange name)."""
    if exchange is None:
        return (queue.name, None, None)
    return (None, queue.routing_key, exchange.name)


class _Declarations:
    """Records what the runtime's ``route`` declares (the broker's two declare methods)."""

    def __init__(self) -> None:
        self.made: list[Any] = []

    async def declare_exchange(self, exchange: Any) -> None:
        self.made.append(exchange)

    async def declare_queue(self, queue: Any) -> None:
        self.made.append(queue)


@pytest.fixture(scope="module")
def bindings(tmp_path_factory: pytest.TempPathFactory) -> tuple[AsyncContract, Path]:
    spec = tmp_path_factory.mktemp("bindings") / "bindings.yaml"
    spec.write_text(_document())
    return AsyncContract.from_path(spec), spec


def test_the_amqp_tables_are_black_stable(bindings: tuple[AsyncContract, Path]) -> None:
    files = render_events_package(bindings[0], "routes")
    assert '\n    "sendDirect": {\n' in files["app.py"]  # a long entry, split
    for name, text in files.items():
        assert black_stable(name, text), name


@pytest.mark.parametrize("channel", list(ROUTES))
def test_the_mock_and_the_generated_runtime_route_alike(
    bindings: tuple[AsyncContract, Path], packages: Path, channel: str
) -> None:
    contract, _ = bindings
    _write(packages, "evpkg_routes", render_events_package(contract, "routes"))
    runtime = _import("evpkg_routes", "runtime")
    app = _import("evpkg_routes", "app")
    declared, keywords, reads = ROUTES[channel]
    template = CHANNELS[channel][0]
    address = template.replace("{lightId}", "v1").replace("{client}", "v1")
    flat = dict(amqp_binding(contract.channels[channel].bindings.get("amqp")))
    assert app.AMQP[f"send{channel.title()}"] == flat  # the generated table is the flat binding

    made = _Declarations()
    args, kwargs = asyncio.run(runtime.route(made, address, {"amqp": flat}))
    generated = ([_describe(m) for m in made.made] or [None])[0]
    generated_keywords = {"queue": args[0]} if args else _keywords(kwargs)
    mock_declares, mock_keywords = destination(flat, address)
    assert (generated, generated_keywords) == (declared, keywords)
    assert (_describe(mock_declares), _keywords(mock_keywords)) == (declared, keywords)

    values = {name: None for name in re.findall(r"\{([^{}]+)\}", template)}
    if reads[0] is not None and values:  # a queue's name has no wildcard: the value is needed
        values = dict.fromkeys(values, "v1")
    where, _ = runtime.where(template, values, {"amqp": flat})
    generated_reads = _reads(*where) if len(where) == 2 else _reads(where[0], None)
    mock_reads = reading(flat, address if reads[0] is not None else template)
    assert mock_reads is not None
    assert generated_reads == _reads(*mock_reads) == reads
    if reads[0] is not None:  # the same queue, declared alike by both readers
        assert _describe(where[0]) == _describe(mock_reads[0])


# --- on a real broker ----------------------------------------------------------------------


def _amqp_documents(corpus: Path) -> list[Path]:
    """Every corpus AsyncAPI document with an ``amqp`` channel binding."""
    found = []
    for path in sorted((corpus / CORPUS_ASYNCAPI).rglob("*.y*ml")):
        if "amqp" not in path.read_text(errors="replace"):
            continue
        try:
            contract = AsyncContract.from_path(path)
        except Exception:  # not a document this test is about
            continue
        if any("amqp" in channel.bindings for channel in contract.channels.values()):
            found.append(path)
    return found


def _functions(module: ModuleType, prefix: str) -> dict[str, Any]:
    """The generated ``publish_``/``subscribe_`` functions by operation key (their docstring
    names it)."""
    found = {}
    for name in module.__all__:
        if name.startswith(prefix):
            function = getattr(module, name)
            (operation,) = re.findall(r"operation ``([^`]+)``", function.__doc__)
            found[operation] = function
    return found


def _arguments(function: Any, template: str, address: str) -> dict[str, str]:
    """The channel parameters' values in ``address``, as ``function``'s keywords."""
    pattern = re.sub(r"\\\{[^{}]+\\\}", "([^.]+)", re.escape(template))
    values = re.fullmatch(pattern, address)
    assert values is not None, (template, address)
    names = [p for p in typing.get_type_hints(function) if p not in {"broker", "payload",
             "headers", "on_invalid", "options", "return"}]  # fmt: skip
    return dict(zip(names, values.groups(), strict=True))


def _one_type(annotation: Any) -> Any:
    """The first class of a (possibly optional or union) annotation."""
    return next(t for t in typing.get_args(annotation) or (annotation,) if t is not type(None))


class _Party:
    """The generated package of ``contract`` with the mock's plan (one message a channel
    it sends on): publishes the plan (``by`` the generated publishers or the mock), and
    counts what the generated peer's subscribers receive."""

    def __init__(self, url: str, contract: AsyncContract, package: str, by: str) -> None:
        self.url, self.contract, self.by = url, contract, by
        self.app, self.peer, self.runtime = (
            _import(package, p) for p in ("app", "peer", "runtime")
        )
        self.plan = EventMock(contract, EventMockConfig(url, count=1, rate=0, seed=5)).planned()
        self.received = {address: 0 for address, _, _ in self.plan}
        self.expected = {address: _expected(contract, address)[0] for address in self.received}
        self.returned: list[str] = []

    def operation(self, address: str) -> AsyncOperation:
        found = self.contract.match_channel(address)
        assert found is not None, address
        (op,) = [o for o in self.contract.operations
                 if o.action == "send" and o.channel is found.channel]  # fmt: skip
        return op

    async def publish(self, sender: Any) -> None:
        if self.by == "mock":
            run = EventMock(self.contract, EventMockConfig(self.url, count=1, rate=0, seed=5))
            task = asyncio.create_task(run.run())
            try:
                await asyncio.wait_for(run.done.wait(), 20)
            finally:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
            return
        publishers = _functions(self.app, "publish_")
        for address, body, headers in self.plan:
            op = self.operation(address)
            publisher = publishers[op.key]
            hints = typing.get_type_hints(publisher)
            extra = {}
            if "headers" in hints:
                extra["headers"] = _one_type(hints["headers"]).model_validate(headers)
            values = _arguments(publisher, op.channel.address or "", address)
            try:
                payload = _one_type(hints["payload"]).model_validate_json(body)
                await publisher(sender, payload, **values, **extra)
            except self.runtime.Undelivered:
                self.returned.append(address)

    def subscribe(self, reader: Any) -> None:
        subscribers = _functions(self.peer, "subscribe_")
        for address, _, _ in self.plan:
            op = self.operation(address)
            subscribe = subscribers[op.key]

            def count(address: str = address) -> Any:
                async def handler(payload: Any, message: Any) -> None:
                    self.received[address] += 1

                return handler

            subscribe(reader, **_arguments(subscribe, op.channel.address or "", address))(count())


async def _publish_first(party: _Party) -> None:
    """Publish before anyone subscribed, subscribe with the generated peer, publish again."""
    from faststream.rabbit import RabbitBroker  # noqa: PLC0415

    sender, reader = RabbitBroker(party.url), RabbitBroker(party.url)
    await sender.connect()
    try:
        await party.publish(sender)
        party.subscribe(reader)
        await reader.start()
        try:
            await party.publish(sender)
            for _ in range(300):  # a loaded machine may take seconds
                await asyncio.sleep(0.05)
                if all(party.received[a] >= n for a, n in party.expected.items()):
                    break
            await asyncio.sleep(0.2)  # one copy too many, if one is coming
        finally:
            await reader.stop()
    finally:
        await sender.stop()


def _expected(contract: AsyncContract, address: str) -> tuple[int, bool]:
    """(messages the late subscriber gets, whether the first one comes back)."""
    found = contract.match_channel(address)
    assert found is not None
    flat = dict(amqp_binding(found.channel.bindings.get("amqp")))
    if flat.get("is") == "routingKey":
        return 1, False  # the first had nobody bound to its key: dropped
    if flat.get("exclusive"):
        return 1, True  # the queue is its consumer's: not there before it subscribed
    return 2, False  # the first waited in the queue the publisher declared


@pytest.mark.slow
@pytest.mark.parametrize("by", ["generated", "mock"])
def test_publishing_first_on_a_fresh_broker(
    bindings: tuple[AsyncContract, Path],
    corpus: Path,
    packages: Path,
    rabbitmq_node: RabbitNode,
    by: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    documents = [bindings[1], *_amqp_documents(corpus)]
    assert len(documents) >= 7, documents  # the RPC pairs of 2.0, 2.6 and 3.0, and more
    results: dict[str, Any] = {}
    for number, path in enumerate(documents):
        contract = AsyncContract.from_path(path)
        name = f"evpkg_fresh{number}"
        _write(packages, name, render_events_package(contract, name))
        url = rabbitmq_node.fresh_url()
        caplog.clear()
        party = _Party(url, contract, name, by)
        with caplog.at_level(logging.WARNING, "accord.mock.events"):
            asyncio.run(_publish_first(party))
        returned = party.returned if by == "generated" else [
            address for address in party.received
            if any(f"{address}: the broker returned" in r.getMessage() for r in caplog.records)
        ]  # fmt: skip
        for address, count in party.received.items():
            results[f"{path} {address}"] = (count, address in returned)
        expected = {f"{path} {a}": _expected(contract, a) for a in party.received}
        assert {k: results[k] for k in expected} == expected, path
    assert len(results) >= len(CHANNELS) + 7
    assert set(results.values()) == {(1, False), (2, False), (1, True)}  # every kind was seen


VHOSTS = """\
asyncapi: 3.0.0
info: {title: Virtual hosts, version: "1"}
servers:
  local: {host: "127.0.0.1:5672", protocol: amqp}
channels:
  here:
    address: here
    bindings: {amqp: {is: queue, queue: {name: here, vhost: HERE}}}
    messages: {here: {payload: {type: object}}}
  there:
    address: there.{id}
    parameters: {id: {}}
    bindings: {amqp: {is: routingKey, exchange: {name: there, vhost: staging}}}
    messages: {there: {payload: {type: object}}}
operations:
  sendHere: {action: send, channel: {$ref: "#/channels/here"}}
  sendThere: {action: send, channel: {$ref: "#/channels/there"}}
"""


@pytest.mark.slow
def test_a_binding_in_another_vhost_is_not_published_to(
    packages: Path, fresh_rabbitmq_url: str
) -> None:
    """The binding's ``vhost`` (exchange or queue) must be the connection's: the generated
    publisher raises ``Undelivered`` before declaring anything elsewhere, and the mock says
    the same words; a binding in the connection's vhost publishes there."""
    import aio_pika  # noqa: PLC0415
    from faststream.rabbit import RabbitBroker  # noqa: PLC0415

    url = fresh_rabbitmq_url
    spec = packages / "vhosts.yaml"
    spec.write_text(VHOSTS.replace("HERE", url.rsplit("/", 1)[1]))
    contract = AsyncContract.from_path(spec)
    _write(packages, "evpkg_vhosts", render_events_package(contract, "vhosts"))
    app, runtime = _import("evpkg_vhosts", "app"), _import("evpkg_vhosts", "runtime")

    async def scenario() -> tuple[str, int]:
        broker = RabbitBroker(url)
        await broker.connect()
        try:
            await app.publish_here(broker, app.models.Here())
            with pytest.raises(runtime.Undelivered) as refused:
                await app.publish_there(broker, app.models.There(), id="t1")
        finally:
            await broker.stop()
        connection = await aio_pika.connect(url)
        try:
            channel = await connection.channel()
            queue = await channel.declare_queue("here", passive=True)
            waiting = queue.declaration_result.message_count or 0
            with pytest.raises(aio_pika.exceptions.ChannelNotFoundEntity):
                await channel.declare_exchange("there", passive=True)  # never declared here
        finally:
            await connection.close()
        return str(refused.value), waiting

    why, waiting = asyncio.run(scenario())
    assert waiting == 1
    there = dict(amqp_binding(contract.channels["there"].bindings["amqp"]))
    here = dict(amqp_binding(contract.channels["here"].bindings["amqp"]))
    assert why == f"there.t1: {elsewhere(there, url)}"
    assert "in vhost 'staging'; the broker is connected to 'fresh-" in why
    assert elsewhere(here, url) is None
