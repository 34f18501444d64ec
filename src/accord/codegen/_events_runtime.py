"""``runtime.py`` of an events package: what its typed publishers and subscribers share.

One text per FastStream broker: the address rules (what a parameter's value may be,
the wildcard a subscriber uses for a parameter left open), and the two functions every
generated stub calls, :func:`publish` and :func:`subscribe`, which check payloads and
headers with the package's pydantic models on both sides. The text is black-stable.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

__all__ = ["BROKER_NAMES", "runtime_source"]


@dataclass(slots=True, frozen=True)
class BrokerNames:
    package: str  # faststream.<package>
    label: str
    broker: str
    router: str
    message: str
    token: str  # what a parameter's value may be (a regex)
    wildcard: str  # a subscriber's any-value for a parameter left None ("": none)


BROKER_NAMES = {
    "nats": BrokerNames(
        "nats", "NATS", "NatsBroker", "NatsRouter", "NatsMessage", r"[^.*>\s]+", "*"
    ),
    "kafka": BrokerNames(
        "kafka", "Kafka", "KafkaBroker", "KafkaRouter", "KafkaMessage", r"[A-Za-z0-9_-]+", ".*"
    ),
    "redis": BrokerNames(
        "redis", "Redis", "RedisBroker", "RedisRouter", "RedisMessage", r"[^*?\[\]\s]+", "*"
    ),
    "rabbit": BrokerNames(
        "rabbit", "RabbitMQ", "RabbitBroker", "RabbitRouter", "RabbitMessage", r"[^.*#\s]+", ""
    ),
}

_WHERE = {
    "nats": '''
    """The subscriber's subject: a parameter left None matches any token (``*``)."""
    return [fill(template, values)], options
''',
    "kafka": '''
    """The subscriber's topic, or a topic pattern when a parameter is left None."""
    if all(value is not None for value in values.values()):
        return [fill(template, values)], options
    parts = re.split(r"(\\{[^{}]+\\})", template)
    pattern = "".join(
        fill(part, values) if part.startswith("{") else re.escape(part) for part in parts
    )
    return [], {"pattern": pattern, **options}
''',
    "redis": '''
    """The subscriber's channel, or a channel pattern when a parameter is left None."""
    if all(value is not None for value in values.values()):
        return [fill(template, values)], options
    return [PubSub(fill(template, values), pattern=True)], options
''',
    "rabbit": '''
    """Where the subscriber reads, from the channel's AMQP binding (``options["amqp"]``).

    A ``queue`` channel (the default): its queue, declared as the binding says; every
    parameter is needed (queues have no wildcard). A ``routingKey`` channel: a queue bound
    to the binding's exchange with the address as routing key (a parameter left None
    matches any word, ``*``); the binding's queue, else an exclusive one of its own. On
    the default exchange a key reaches only the queue of its name, so that queue is read.
    FastStream declares the queue, the exchange and the binding when the broker starts.
    """
    options = dict(options)
    amqp: dict[str, Any] = options.pop("amqp", {})
    if amqp.get("is") != "routingKey":
        return [queue(amqp, fill(template, values))], options
    key = fill(template, values, "*")
    target = exchange(amqp)
    named = amqp.get("queue")
    if target is None:  # the default exchange routes a key to the queue of that name
        return [queue({**amqp, "queue": None}, fill(template, values))], options
    own = re.sub(r"[^\\w:.-]", "_", key) + "." + uuid.uuid4().hex[:12]  # a name has no `*`
    bound = RabbitQueue(
        str(named or own),
        durable=bool(amqp.get("durable", False)),
        exclusive=bool(amqp.get("exclusive", not named)),
        auto_delete=bool(amqp.get("auto_delete", not named)),
        routing_key=key,
    )
    return [bound, target], options
''',
}

_ROUTE = {
    "other": '''

async def route(
    broker: BROKER, address: str, options: dict[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """Where :func:`publish` sends to ``address``: the broker's positional and keyword
    arguments."""
    return [address], options
''',
    "rabbit": '''

class Undelivered(RuntimeError):
    """A message that cannot reach its queue: the broker returned it (a ``queue`` channel's
    exclusive queue whose consumer has gone), or the channel's binding puts its exchange or
    queue in another virtual host than the broker's connection."""


def vhost(broker: RabbitBroker) -> str:
    """The virtual host ``broker`` connects to (``/``: the default one)."""
    path = str(getattr(getattr(broker, "config", None), "virtual_host", "") or "")
    return path[1:] or "/"


def exchange(amqp: dict[str, Any]) -> RabbitExchange | None:
    """The exchange an AMQP binding names (None: the default exchange); ``topic`` unless
    the binding gives its ``type``."""
    kind = str(amqp.get("exchange_type", "topic"))
    if not amqp.get("exchange") or kind == "default":
        return None
    return RabbitExchange(
        str(amqp["exchange"]),
        type=ExchangeType(kind),
        durable=bool(amqp.get("exchange_durable", True)),
        auto_delete=bool(amqp.get("exchange_auto_delete", False)),
    )


def queue(amqp: dict[str, Any], name: str) -> RabbitQueue:
    """A ``queue`` channel's queue as its AMQP binding declares it (its name, else ``name``)."""
    return RabbitQueue(
        str(amqp.get("queue") or name),
        durable=bool(amqp.get("durable", False)),
        exclusive=bool(amqp.get("exclusive", False)),
        auto_delete=bool(amqp.get("auto_delete", False)),
    )


async def route(
    broker: RabbitBroker, address: str, options: dict[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """Where :func:`publish` sends to ``address``, from the channel's AMQP binding
    (``options["amqp"]``), declared first so that a fresh broker neither refuses nor drops
    the message (FastStream remembers what it declared; declaring again is a no-op).

    A ``routingKey`` channel goes to its exchange with the address as routing key; with
    nobody bound to the key the message is dropped, as on any exchange. A ``queue`` channel
    (the default) goes to its queue by the default exchange; an exclusive queue belongs to
    its consumer and is not declared, and a message it cannot take raises ``Undelivered``,
    as does a binding whose ``vhost`` is not the broker's.
    """
    options = dict(options)
    amqp: dict[str, Any] = options.pop("amqp", {})
    keyed = amqp.get("is") == "routingKey"
    wanted = str(amqp.get("exchange_vhost" if keyed else "queue_vhost") or vhost(broker))
    if wanted != vhost(broker):
        raise Undelivered(
            f"{address}: the channel's AMQP binding is in vhost {wanted!r}; "
            f"the broker is connected to {vhost(broker)!r}"
        )
    if keyed:
        target = exchange(amqp)
        if target is not None:
            await broker.declare_exchange(target)
        return [], {"exchange": target, "routing_key": address, "mandatory": False, **options}
    found = queue(amqp, address)
    if not found.exclusive:
        await broker.declare_queue(found)
    return [found.name], options
''',
}

_SEND = {
    "other": "await publisher(body, *args, headers=sent, **kwargs)",
    "rabbit": """answer = await publisher(body, *args, headers=sent, **kwargs)
    if isinstance(getattr(answer, "delivery", None), Basic.Return):
        raise Undelivered(f"{args[0] if args else address}: the broker returned the message")""",
}

_TEXT = '''"""What the generated publishers and subscribers on LABEL share (FastStream).

Publishers check the payload with its model before sending it; subscribers check what
arrives (payload and headers) before the handler sees it. Both refuse with
``InvalidMessage`` (or pydantic's ``ValidationError`` for a model changed after it was
built).
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from faststream.PACKAGE import IMPORTS
from faststream.PACKAGE.annotations import MESSAGE
from pydantic import BaseModel, ValidationError

__all__ = [
    "Handler",
    "InvalidMessage",
    "OnInvalid",
    "Registration",
    "decode",
    "fill",
    "publish",
    "route",
    "subscribe",
    "where",
]

#: what a channel parameter's value may be on this broker
TOKEN = TOKEN_VALUE
#: what a subscriber puts for a parameter left None ("": it cannot)
WILDCARD = WILDCARD_VALUE

_M = TypeVar("_M")
#: a subscriber's handler: the payload (its model) and FastStream's message
Handler = Callable[[_M, MESSAGE], Awaitable[None]]
Registration = Callable[[Handler[_M]], Handler[_M]]
OnInvalid = Callable[[MESSAGE, Exception], Awaitable[None]]


class InvalidMessage(ValueError):
    """A message its channel's schemas refuse, or an address parameter its broker cannot take."""


def fill(template: str, values: dict[str, str | None], wildcard: str = WILDCARD) -> str:
    """``template`` with each ``{name}`` replaced by its value (None: ``wildcard``)."""

    def value(found: re.Match[str]) -> str:
        given = values[found.group(1)]
        if given is None:
            if not wildcard:
                raise InvalidMessage(f"{found.group(1)} is needed: {template} has no wildcard")
            return wildcard
        if not re.fullmatch(TOKEN, given):
            raise InvalidMessage(f"{found.group(1)}={given!r} cannot be part of {template}")
        return given

    return re.sub(r"\\{([^{}]+)\\}", value, template)


def where(
    template: str, values: dict[str, str | None], options: dict[str, Any]
) -> tuple[list[Any], dict[str, Any]]:WHERE
ROUTING_FUNCTIONS


def _why(exc: ValidationError) -> str:
    first = exc.errors()[0]
    return f"{first['msg']} at /{'/'.join(str(part) for part in first['loc'])}"


def decode(body: bytes | str, *choices: type[BaseModel]) -> Any:
    """The first of ``choices`` that accepts ``body`` (JSON)."""
    errors = []
    for model in choices:
        try:
            return model.model_validate_json(body)
        except ValidationError as exc:
            errors.append(f"{model.__name__}: {_why(exc)}")
    raise InvalidMessage("; ".join(errors) or "no model to read it with")


def _encode(payload: BaseModel, allowed: tuple[type[BaseModel], ...]) -> bytes:
    """The payload as JSON, after its model checked it again (it may have been changed)."""
    if not isinstance(payload, allowed):
        names = ", ".join(model.__name__ for model in allowed)
        raise InvalidMessage(f"expected {names}, got {type(payload).__name__}")
    data = payload.model_dump(mode="json", by_alias=True, exclude_unset=True)
    type(payload).model_validate(data)
    return json.dumps(data, separators=(",", ":")).encode()


def _header_values(headers: BaseModel | None) -> dict[str, str]:
    if headers is None:
        return {}
    data = headers.model_dump(mode="json", by_alias=True, exclude_unset=True)
    type(headers).model_validate(data)
    return {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}


def _check_headers(model: type[BaseModel], received: dict[str, Any]) -> None:
    """Check the headers the model declares; the broker and FastStream add their own."""
    declared = {field.alias or name for name, field in model.model_fields.items()}
    try:
        model.model_validate({k: v for k, v in received.items() if k in declared})
    except ValidationError as exc:
        raise InvalidMessage(f"headers: {_why(exc)}") from None


async def publish(
    broker: BROKER,
    address: str,
    values: dict[str, str | None],
    payload: BaseModel | bytes,
    allowed: tuple[type[BaseModel], ...],
    headers: BaseModel | None,
    options: dict[str, Any],
) -> None:
    """Check ``payload`` (one of ``allowed``; bytes when there is no model) and publish it."""
    sent: dict[str, Any] = _header_values(headers)  # each broker types its values its way
    if isinstance(payload, BaseModel):
        body = _encode(payload, allowed)
        sent = {"content-type": "application/json", **sent}
    else:
        body = payload
    args, kwargs = await route(broker, fill(address, values), options)
    publisher: Any = broker.publish  # its overloads are keyed by literal options
    SEND


def subscribe(
    broker: BROKER | ROUTER,
    address: str,
    values: dict[str, str | None],
    allowed: tuple[type[BaseModel], ...],
    headers: type[BaseModel] | None,
    handler: Handler[Any],
    on_invalid: OnInvalid | None,
    options: dict[str, Any],
) -> None:
    """Register ``handler`` for the payloads of ``allowed`` (raw bytes when there is none)."""

    async def receive(message: MESSAGE) -> None:
        try:
            payload = decode(message.body, *allowed) if allowed else message.body
            if headers is not None:
                _check_headers(headers, dict(message.headers))
        except InvalidMessage as exc:
            if on_invalid is None:
                raise
            await on_invalid(message, exc)
            return
        await handler(payload, message)

    args, kwargs = where(address, values, options)
    subscriber: Any = broker.subscriber  # its overloads are keyed by literal options
    subscriber(*args, **kwargs)(receive)
'''


def runtime_source(header: str, protocol: str) -> str:
    """The ``runtime.py`` text of a package whose stubs use ``protocol``'s broker."""
    names = BROKER_NAMES[protocol]
    imports = [names.broker, names.router, *(["PubSub"] if protocol == "redis" else [])]
    imports += ["ExchangeType", "RabbitExchange", "RabbitQueue"] if protocol == "rabbit" else []
    text = _TEXT
    if protocol == "rabbit":
        text = text.replace("import re\n", "import re\nimport uuid\n", 1)
        text = text.replace("from pydantic ", "from pamqp.commands import Basic\nfrom pydantic ", 1)
        text = text.replace('    "Registration",\n', '    "Registration",\n    "Undelivered",\n', 1)
        text = text.replace('    "publish",\n', '    "publish",\n    "queue",\n', 1)
        text = text.replace('    "subscribe",\n', '    "subscribe",\n    "vhost",\n', 1)
    for key, value in (
        ("WHERE", _WHERE[protocol].rstrip("\n")),
        ("ROUTING_FUNCTIONS", _ROUTE.get(protocol, _ROUTE["other"]).rstrip("\n")),
        ("SEND", _SEND.get(protocol, _SEND["other"])),
        ("LABEL", names.label),
        ("PACKAGE", names.package),
        ("IMPORTS", ", ".join(sorted(imports))),
        ("MESSAGE", names.message),
        ("TOKEN_VALUE", json.dumps(names.token)),
        ("WILDCARD_VALUE", json.dumps(names.wildcard)),
        ("BROKER", names.broker),
        ("ROUTER", names.router),
    ):
        text = text.replace(key, value)
    return header + "\n" + text
