"""The text of an event stub module: typed FastStream publishers and subscribers.

Written already in black's style (line length 100): every bracket that holds more
than one item ends with a trailing comma, so it stays one item per line, and contract
text reaches the code only as string literals and names. A test runs black over the
output of the corpus as the oracle; the generator itself never calls it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from accord.codegen._asyncapi import EventFunction
from accord.codegen._naming import class_name

__all__ = ["emit_events"]


@dataclass(slots=True, frozen=True)
class _Broker:
    package: str  # faststream.<package>
    label: str
    broker: str
    router: str
    message: str
    token: str  # what a parameter's value may be (a regex character class, repeated)
    wildcard: str  # the subscriber's any-value for a parameter left None ("" when none)
    publish_options: str


_BROKERS = {
    "nats": _Broker(
        "nats", "NATS", "NatsBroker", "NatsRouter", "NatsMessage",
        r"[^.*>\s]+", "*", "``stream``, ``timeout``...",
    ),
    "kafka": _Broker(
        "kafka", "Kafka", "KafkaBroker", "KafkaRouter", "KafkaMessage",
        r"[A-Za-z0-9_-]+", ".*", "``key``, ``partition``...",
    ),
    "redis": _Broker(
        "redis", "Redis", "RedisBroker", "RedisRouter", "RedisMessage",
        r"[^*?\[\]\s]+", "*", "``list``, ``stream``...",
    ),
    "rabbit": _Broker(
        "rabbit", "RabbitMQ", "RabbitBroker", "RabbitRouter", "RabbitMessage",
        r"[^.*#\s]+", "", "``exchange``, ``routing_key``...",
    ),
}  # fmt: skip

_WHERE_DEF = (
    "def _where(template: str, values: dict[str, str | None]) -> tuple[list[Any], dict[str, Any]]:"
)
_WHERE = {
    "nats": '''
    """The subscriber's subject: a parameter left None matches any token (``*``)."""
    return [_fill(template, values)], {}
''',
    "kafka": '''
    """The subscriber's topic, or a topic pattern when a parameter is left None."""
    if all(value is not None for value in values.values()):
        return [_fill(template, values)], {}
    parts = re.split(r"(\\{[^{}]+\\})", template)
    pattern = "".join(
        _fill(part, values) if part.startswith("{") else re.escape(part) for part in parts
    )
    return [], {"pattern": pattern}
''',
    "redis": '''
    """The subscriber's channel, or a channel pattern when a parameter is left None."""
    if all(value is not None for value in values.values()):
        return [_fill(template, values)], {}
    return [PubSub(_fill(template, values), pattern=True)], {}
''',
    "rabbit": '''
    """The subscriber's queue: RabbitMQ queues have no wildcard, so every parameter is needed."""
    return [_fill(template, values)], {}
''',
}


def _q(text: str) -> str:
    """A double-quoted Python string literal (black's preferred quotes)."""
    return json.dumps(text, ensure_ascii=False).replace("\\/", "/")


def _doc(text: str) -> str:
    """Contract text made safe inside a docstring."""
    cleaned = " ".join(text.replace("\\", "/").replace('"', "'").split())
    return cleaned.replace("``", "`")


def _bracket(open_: str, items: Sequence[str], close: str, indent: str) -> list[str]:
    """``items`` one per line, each with a trailing comma (black keeps them so)."""
    inner = indent + "    "
    return [open_, *(f"{inner}{item}," for item in items), f"{indent}{close}"]


def _union(types: Sequence[str]) -> str:
    return " | ".join(types)


def _payload_type(function: EventFunction) -> str:
    """The payload's annotation: a model, an alias of several (:func:`_aliases`), or bytes."""
    if not function.payloads:
        return "bytes"
    if len(function.payloads) == 1:
        return f"models.{function.payloads[0]}"
    return class_name(function.name) + "Payload"


def _models_args(function: EventFunction) -> str:
    """The models to check the payload with, as arguments."""
    if len(function.payloads) == 1:
        return f"models.{function.payloads[0]}"
    return f"*_{function.name.upper()}_MODELS"


def _aliases(functions: Sequence[EventFunction]) -> list[str]:
    """For each function whose payload is one of several models: their union and tuple."""
    lines: list[str] = []
    for function in functions:
        if len(function.payloads) > 1:
            types = [f"models.{t}" for t in function.payloads]
            lines += _alias(_payload_type(function), types)
            lines += _bracket(f"_{function.name.upper()}_MODELS = (", types, ")", "")
    return lines


def emit_events(
    header: str,
    title: str,
    side: str,
    protocol: str,
    functions: Iterable[EventFunction],
) -> str:
    """The module text of one side (``app`` or ``peer``) for one broker."""
    spec = _BROKERS[protocol]
    functions = list(functions)
    subscribers = [f for f in functions if f.role == "subscribe"]
    parse = bool(subscribers) and all(f.payloads for f in subscribers)
    whose = (
        "the application's side: what it publishes and what it receives"
        if side == "app"
        else "its peers' side: what they receive from it and what they send it"
    )
    exported = ["ADDRESSES", "InvalidMessage", *(f.name for f in functions)]
    if parse:
        exported += ["Received", "parse"]
    lines = [
        header,
        f'"""{_doc(title)} on {spec.label}.',
        "",
        f"This is {whose}.",
        "Publishers check the payload with its model before sending it; subscribers check what",
        "arrives (payload and headers) before the handler sees it. Both refuse with",
        "``InvalidMessage`` or pydantic's ``ValidationError``.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "import json",
        "import re",
    ]
    names = [spec.broker]
    if subscribers:
        lines.append("from collections.abc import Awaitable, Callable")
        names += [spec.router, *(["PubSub"] if protocol == "redis" else [])]
    lines += [
        "from typing import Any, TypeVar" if subscribers else "from typing import Any",
        "",
        f"from faststream.{spec.package} import {', '.join(sorted(names))}",
    ]
    if subscribers:
        lines.append(f"from faststream.{spec.package}.annotations import {spec.message}")
    pydantic = "BaseModel, ValidationError" if subscribers else "BaseModel"
    lines += [
        f"from pydantic import {pydantic}",
        "",
        "from . import models",
        "",
        *_bracket("__all__ = [", [_q(n) for n in sorted(exported)], "]", ""),
        "",
        "#: each operation's channel address; ``{name}`` is a channel parameter",
        *_bracket(
            "ADDRESSES: dict[str, str] = {",
            [f"{_q(f.operation)}: {_q(f.address)}" for f in functions],
            "}",
            "",
        ),
    ]
    if not functions:
        lines[-1:] = ["ADDRESSES: dict[str, str] = {}"]
    lines += [f"_TOKEN = {_q(spec.token)}", f"_WILDCARD = {_q(spec.wildcard)}"]
    if subscribers:
        lines += [
            '_M = TypeVar("_M")',
            f"Handler = Callable[[_M, {spec.message}], Awaitable[None]]",
            "Registration = Callable[[Handler[_M]], Handler[_M]]",
            f"OnInvalid = Callable[[{spec.message}, Exception], Awaitable[None]]",
        ]
    if parse:
        received = sorted({f"models.{t}" for f in subscribers for t in f.payloads})
        lines += _alias("Received", received)
    lines += _aliases(functions)
    lines += ["", "", *_helpers(protocol, subscribers)]
    for function in functions:
        lines += ["", ""]
        if function.role == "publish":
            lines += _publisher(function, spec)
        else:
            lines += _subscriber(function, spec)
    if parse:
        lines += ["", "", *_parse(subscribers)]
    return "\n".join(lines) + "\n"


def _alias(name: str, types: Sequence[str]) -> list[str]:
    flat = f"{name} = {_union(types)}"
    if len(flat) <= 100:
        return [flat]
    inner = "    " + _union(types)
    if len(inner) <= 100:
        return [f"{name} = (", inner, ")"]
    return [f"{name} = (", f"    {types[0]}", *(f"    | {t}" for t in types[1:]), ")"]


def _helpers(protocol: str, subscribers: list[EventFunction]) -> list[str]:
    text = '''class InvalidMessage(ValueError):
    """A message its channel's schemas refuse, or an address parameter its broker cannot take."""


def _fill(template: str, values: dict[str, str | None]) -> str:
    """``template`` with each ``{name}`` replaced by its value (None: the wildcard)."""

    def value(found: re.Match[str]) -> str:
        given = values[found.group(1)]
        if given is None:
            if not _WILDCARD:
                raise InvalidMessage(f"{found.group(1)} is needed: {template} has no wildcard")
            return _WILDCARD
        if not re.fullmatch(_TOKEN, given):
            raise InvalidMessage(f"{found.group(1)}={given!r} cannot be part of {template}")
        return given

    return re.sub(r"\\{([^{}]+)\\}", value, template)


def _encode(payload: BaseModel, *allowed: type[BaseModel]) -> bytes:
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
'''
    if subscribers:
        text += (
            '''

def _why(exc: ValidationError) -> str:
    first = exc.errors()[0]
    return f"{first['msg']} at /{'/'.join(str(part) for part in first['loc'])}"


def _decode(body: bytes | str, *choices: type[BaseModel]) -> Any:
    """The first of ``choices`` that accepts ``body`` (JSON)."""
    errors = []
    for model in choices:
        try:
            return model.model_validate_json(body)
        except ValidationError as exc:
            errors.append(f"{model.__name__}: {_why(exc)}")
    raise InvalidMessage("; ".join(errors) or "no model to read it with")


def _check_headers(headers: dict[str, Any], model: type[BaseModel]) -> None:
    try:
        model.model_validate(headers)
    except ValidationError as exc:
        raise InvalidMessage(f"headers: {_why(exc)}") from None


'''
            + _WHERE_DEF
            + _WHERE[protocol].rstrip("\n")
        )
    return text.rstrip("\n").split("\n")


def _call(indent: str, head: str, args: Sequence[str], tail: str) -> list[str]:
    """A call on one line when it fits in 100 columns, else one argument per line with a
    trailing comma: the two shapes black leaves as they are."""
    flat = f"{indent}{head}{', '.join(args)}{tail}"
    if len(flat) <= 100:
        return [flat]
    return [f"{indent}{head}", *(f"{indent}    {a}," for a in args), f"{indent}{tail}"]


def _address(function: EventFunction) -> str:
    return f"ADDRESSES[{_q(function.operation)}]"


def _op(function: EventFunction) -> str:
    return f"operation ``{_doc(function.operation)}``"


def _values(function: EventFunction) -> str:
    items = ", ".join(f"{_q(raw)}: {py}" for py, raw in function.parameters)
    return "{" + items + "}"


def _publisher(function: EventFunction, spec: _Broker) -> list[str]:
    params = [f"broker: {spec.broker}", f"payload: {_payload_type(function)}"]
    named = [f"{py}: str" for py, _ in function.parameters]
    if function.headers is not None:
        if function.headers_required:
            named.append(f"headers: models.{function.headers}")
        else:
            named.append(f"headers: models.{function.headers} | None = None")
    params += ["*", *named] if named else []
    params.append("**options: Any")
    if function.payloads:
        encode = _call("        ", "_encode(", ["payload", _models_args(function)], "),")
        sent = ['"content-type": "application/json"']
    else:
        encode, sent = ["        payload,"], []
    if function.headers is not None:
        sent.append("**_header_values(headers)")
    doc = [
        f'    """Publish to ``{_doc(function.address)}`` ({_op(function)}).',
        "",
        f"    ``options`` go to ``{spec.broker}.publish`` ({spec.publish_options}).",
        *([f"    {_doc(function.summary)}"] if function.summary else []),
        '    """',
    ]
    return [
        *_bracket(f"async def {function.name}(", params, ") -> None:", ""),
        *doc,
        "    await broker.publish(",
        *encode,
        *_call("        ", "_fill(", [_address(function), _values(function)], "),"),
        "        headers={" + ", ".join(sent) + "},",
        "        **options,",
        "    )",
    ]


def _subscriber(function: EventFunction, spec: _Broker) -> list[str]:
    payload = _payload_type(function)
    params = [f"broker: {spec.broker} | {spec.router}", "*"]
    params += [f"{py}: str | None = None" for py, _ in function.parameters]
    params += ["on_invalid: OnInvalid | None = None", "**options: Any"]
    decode = (
        _call(
            "                ", "payload = _decode(", ["message.body", _models_args(function)], ")"
        )
        if function.payloads
        else ["                payload = message.body"]
    )
    check = (
        _call(
            "                ",
            "_check_headers(",
            ["dict(message.headers)", f"models.{function.headers}"],
            ")",
        )
        if function.headers is not None
        else []
    )
    return [
        *_bracket(
            f"def {function.name}(",
            params,
            f") -> Registration[{payload}]:",
            "",
        ),
        f'    """Subscribe to ``{_doc(function.address)}`` ({_op(function)}).',
        "",
        "    The decorated handler gets each message's payload and the message; the payload is",
        f"    ``{payload}``. A parameter left None matches any value.",
        "    An invalid message goes to ``on_invalid`` when given, else raises ``InvalidMessage``",
        "    (the broker's acknowledgement policy decides what then). ``options`` go to",
        f"    ``{spec.broker}.subscriber``.",
        '    """',
        "",
        "    def register(",
        f"        handler: Handler[{payload}],",
        f"    ) -> Handler[{payload}]:",
        f"        async def receive(message: {spec.message}) -> None:",
        "            try:",
        *decode,
        *check,
        "            except InvalidMessage as exc:",
        "                if on_invalid is None:",
        "                    raise",
        "                await on_invalid(message, exc)",
        "                return",
        "            await handler(payload, message)",
        "",
        *_call("        ", "args, kwargs = _where(", [_address(function), _values(function)], ")"),
        "        subscriber: Any = broker.subscriber  # its overloads are keyed by literal options",
        "        subscriber(*args, **kwargs, **options)(receive)",
        "        return handler",
        "",
        "    return register",
    ]


_RECEIVED = "_RECEIVED: tuple[tuple[str, tuple[type[BaseModel], ...]], ...] = ("


def _parse(subscribers: list[EventFunction]) -> list[str]:
    entries = [
        "\n".join(_bracket("(", [_q(_regex(f.address)), _tuple(f)], ")", "    ")).lstrip()
        for f in subscribers
    ]
    return [
        *_bracket(_RECEIVED, entries, ")", ""),
        "",
        "",
        "def parse(body: bytes | str, address: str | None = None) -> Received:",
        '    """A received payload, read by the models of the channel ``address`` names.',
        "",
        "    Every channel's when ``address`` is None. Raises ``InvalidMessage`` when no",
        "    channel has that address or no model accepts the body.",
        '    """',
        "    choices = [",
        "        model",
        "        for pattern, models_ in _RECEIVED",
        "        if address is None or re.fullmatch(pattern, address)",
        "        for model in models_",
        "    ]",
        "    if not choices:",
        '        raise InvalidMessage(f"no channel received on has the address {address!r}")',
        "    found: Received = _decode(body, *choices)",
        "    return found",
    ]


def _tuple(function: EventFunction) -> str:
    if len(function.payloads) == 1:
        return f"(models.{function.payloads[0]},)"
    return f"_{function.name.upper()}_MODELS"


def _regex(address: str) -> str:
    parts = re.split(r"(\{[^{}]+\})", address)
    return "".join("[^./]+" if p.startswith("{") else re.escape(p) for p in parts)
