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
    return [fill(template, values)], {}
''',
    "kafka": '''
    """The subscriber's topic, or a topic pattern when a parameter is left None."""
    if all(value is not None for value in values.values()):
        return [fill(template, values)], {}
    parts = re.split(r"(\\{[^{}]+\\})", template)
    pattern = "".join(
        fill(part, values) if part.startswith("{") else re.escape(part) for part in parts
    )
    return [], {"pattern": pattern}
''',
    "redis": '''
    """The subscriber's channel, or a channel pattern when a parameter is left None."""
    if all(value is not None for value in values.values()):
        return [fill(template, values)], {}
    return [PubSub(fill(template, values), pattern=True)], {}
''',
    "rabbit": '''
    """The subscriber's queue: RabbitMQ queues have no wildcard, so every parameter is needed."""
    return [fill(template, values)], {}
''',
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


def fill(template: str, values: dict[str, str | None]) -> str:
    """``template`` with each ``{name}`` replaced by its value (None: the wildcard)."""

    def value(found: re.Match[str]) -> str:
        given = values[found.group(1)]
        if given is None:
            if not WILDCARD:
                raise InvalidMessage(f"{found.group(1)} is needed: {template} has no wildcard")
            return WILDCARD
        if not re.fullmatch(TOKEN, given):
            raise InvalidMessage(f"{found.group(1)}={given!r} cannot be part of {template}")
        return given

    return re.sub(r"\\{([^{}]+)\\}", value, template)


def where(template: str, values: dict[str, str | None]) -> tuple[list[Any], dict[str, Any]]:WHERE


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
    await broker.publish(body, fill(address, values), headers=sent, **options)


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

    args, kwargs = where(address, values)
    subscriber: Any = broker.subscriber  # its overloads are keyed by literal options
    subscriber(*args, **kwargs, **options)(receive)
'''


def runtime_source(header: str, protocol: str) -> str:
    """The ``runtime.py`` text of a package whose stubs use ``protocol``'s broker."""
    names = BROKER_NAMES[protocol]
    imports = [names.broker, names.router, *(["PubSub"] if protocol == "redis" else [])]
    text = _TEXT
    for key, value in (
        ("WHERE", _WHERE[protocol].rstrip("\n")),
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
