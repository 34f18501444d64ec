"""The text of ``app.py`` and ``peer.py``: one typed FastStream publisher or subscriber per
operation, each a thin wrapper over the package's ``runtime.py``.

Written already in black's style (line length 100): a bracket of several items ends
with a trailing comma, so it stays one item per line, a call goes on one line only when
it fits, and contract text reaches the code only as string literals and names. A test
runs black over the output of the corpus as the oracle; the generator never calls it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from accord.codegen._asyncapi import EventFunction
from accord.codegen._events_runtime import BROKER_NAMES, BrokerNames
from accord.codegen._naming import class_name

__all__ = ["emit_events"]

_OPTIONS = {
    "nats": "``stream``, ``timeout``...",
    "kafka": "``key``, ``partition``...",
    "redis": "``list``, ``stream``...",
    "rabbit": "``exchange``, ``routing_key``...",
}


def _q(text: str) -> str:
    """A double-quoted Python string literal (black's preferred quotes)."""
    return json.dumps(text, ensure_ascii=False)


def _doc(text: str) -> str:
    """Contract text made safe inside a docstring."""
    return " ".join(text.replace("\\", "/").replace('"', "'").replace("``", "`").split())


def _bracket(open_: str, items: Sequence[str], close: str, indent: str) -> list[str]:
    """``items`` one per line, each with a trailing comma (black keeps them so)."""
    inner = indent + "    "
    return [open_, *(f"{inner}{item}," for item in items), f"{indent}{close}"]


def _alias(name: str, types: Sequence[str]) -> list[str]:
    """``name = A | B | ...`` as black writes it."""
    flat = f"{name} = {' | '.join(types)}"
    if len(flat) <= 100:
        return [flat]
    inner = "    " + " | ".join(types)
    if len(inner) <= 100:
        return [f"{name} = (", inner, ")"]
    return [f"{name} = (", f"    {types[0]}", *(f"    | {t}" for t in types[1:]), ")"]


def _payload_type(function: EventFunction) -> str:
    """The payload's annotation: a model, an alias of several (:func:`_aliases`), or bytes."""
    if not function.payloads:
        return "bytes"
    if len(function.payloads) == 1:
        return f"models.{function.payloads[0]}"
    return class_name(function.name) + "Payload"


def _models(function: EventFunction) -> str:
    """The tuple of models that check the payload."""
    if len(function.payloads) == 1:
        return f"(models.{function.payloads[0]},)"
    return f"_{function.name.upper()}_MODELS" if function.payloads else "()"


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
    names = BROKER_NAMES[protocol]
    functions = list(functions)
    publishers = [f for f in functions if f.role == "publish"]
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
    classes = [names.broker, *([names.router] if subscribers else [])]
    runtime = ["InvalidMessage"]
    runtime += ["publish"] if publishers else []
    runtime += ["Handler", "OnInvalid", "Registration", "subscribe"] if subscribers else []
    runtime += ["decode"] if parse else []
    lines = [
        header,
        f'"""{_doc(title)} on {names.label}; {whose}.',
        "",
        "Each function checks payloads (and headers) with the models of ``models.py``; see",
        "``runtime.py``.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        *(["import re"] if parse else []),
        "from typing import Any",
        "",
        f"from faststream.{names.package} import {', '.join(sorted(classes))}",
        *(["from pydantic import BaseModel"] if parse else []),
        "",
        "from . import models",
        f"from .runtime import {', '.join(sorted(runtime))}",
        "",
        *_bracket("__all__ = [", [_q(n) for n in sorted(exported)], "]", ""),
        "",
        "#: each operation's channel address; ``{name}`` is a channel parameter",
    ]
    entries = [f"{_q(f.operation)}: {_q(f.address)}" for f in functions]
    if entries:
        lines += _bracket("ADDRESSES: dict[str, str] = {", entries, "}", "")
    else:
        lines.append("ADDRESSES: dict[str, str] = {}")
    if protocol == "rabbit":
        lines += _amqp(functions)
    if parse:
        lines += _alias(
            "Received", sorted({f"models.{t}" for f in subscribers for t in f.payloads})
        )
    lines += _aliases(functions)
    for function in functions:
        lines += ["", ""]
        options = _options(function) if protocol == "rabbit" else "options"
        if function.role == "publish":
            lines += _publisher(function, names, _OPTIONS[protocol], options)
        else:
            lines += _subscriber(function, names, options)
    if parse:
        lines += ["", "", *_parse(subscribers)]
    return "\n".join(lines) + "\n"


def _values(function: EventFunction) -> str:
    return "{" + ", ".join(f"{_q(raw)}: {py}" for py, raw in function.parameters) + "}"


def _docstring(first: str, rest: Sequence[str], summary: str) -> list[str]:
    about = [f"    {_doc(summary)}", ""] if summary else []
    return [f'    """{first}', "", *about, *(f"    {line}" for line in rest), '    """']


def _amqp(functions: Sequence[EventFunction]) -> list[str]:
    """``AMQP``: each operation's channel binding, as the RabbitMQ runtime reads it."""
    lines = [
        "#: each operation's AMQP channel binding (``is``, exchange, queue); see ``runtime.py``"
    ]
    if not functions:
        return [*lines, "AMQP: dict[str, dict[str, Any]] = {}"]
    entries: list[str] = []
    for function in functions:
        items = [f"{_q(k)}: {v if isinstance(v, bool) else _q(v)}" for k, v in function.amqp]
        flat = f"    {_q(function.operation)}: {{{', '.join(items)}}},"
        if len(flat) <= 100:
            entries.append(flat.strip().removesuffix(","))
        else:
            entries.append("\n".join(_bracket(f"{_q(function.operation)}: {{", items, "}", "    ")))
    return [*lines, *_bracket("AMQP: dict[str, dict[str, Any]] = {", entries, "}", "")]


def _options(function: EventFunction) -> str:
    """The options a RabbitMQ stub passes on: its channel's binding, then the caller's."""
    return f'{{"amqp": AMQP[{_q(function.operation)}], **options}}'


def _publisher(function: EventFunction, names: BrokerNames, about: str, options: str) -> list[str]:
    params = [f"broker: {names.broker}", f"payload: {_payload_type(function)}"]
    named = [f"{py}: str" for py, _ in function.parameters]
    if function.headers is not None:
        optional = "" if function.headers_required else " | None = None"
        named.append(f"headers: models.{function.headers}{optional}")
    params += ["*", *named] if named else []
    params.append("**options: Any")
    where = f"``{_doc(function.address)}`` (operation ``{_doc(function.operation)}``)"
    return [
        *_bracket(f"async def {function.name}(", params, ") -> None:", ""),
        *_docstring(
            f"Publish to {where}.",
            [f"``options`` go to ``{names.broker}.publish`` ({about})."],
            function.summary,
        ),
        *_bracket(
            "    await publish(",
            [
                "broker",
                f"ADDRESSES[{_q(function.operation)}]",
                _values(function),
                "payload",
                _models(function),
                "headers" if function.headers is not None else "None",
                options,
            ],
            ")",
            "    ",
        ),
    ]


def _subscriber(function: EventFunction, names: BrokerNames, options: str) -> list[str]:
    payload = _payload_type(function)
    params = [f"broker: {names.broker} | {names.router}", "*"]
    params += [f"{py}: str | None = None" for py, _ in function.parameters]
    params += ["on_invalid: OnInvalid | None = None", "**options: Any"]
    where = f"``{_doc(function.address)}`` (operation ``{_doc(function.operation)}``)"
    return [
        *_bracket(f"def {function.name}(", params, f") -> Registration[{payload}]:", ""),
        *_docstring(
            f"Subscribe to {where}.",
            [
                "The decorated handler gets each message's payload and the message; the",
                f"payload is ``{payload}``. A parameter left None matches any value.",
                "An invalid message goes to ``on_invalid`` when given, else raises",
                "``InvalidMessage`` (the broker's acknowledgement policy decides what then).",
                f"``options`` go to ``{names.broker}.subscriber``.",
            ],
            function.summary,
        ),
        "",
        *_bracket(
            "    def register(",
            [f"handler: Handler[{payload}]"],
            f") -> Handler[{payload}]:",
            "    ",
        ),
        *_bracket(
            "        subscribe(",
            [
                "broker",
                f"ADDRESSES[{_q(function.operation)}]",
                _values(function),
                _models(function),
                f"models.{function.headers}" if function.headers is not None else "None",
                "handler",
                "on_invalid",
                options,
            ],
            ")",
            "        ",
        ),
        "        return handler",
        "",
        "    return register",
    ]


def _parse(subscribers: list[EventFunction]) -> list[str]:
    entries = [
        "\n".join(_bracket("(", [_q(_regex(f.address)), _models(f)], ")", "    ")).lstrip()
        for f in subscribers
    ]
    return [
        *_bracket(
            "_RECEIVED: tuple[tuple[str, tuple[type[BaseModel], ...]], ...] = (", entries, ")", ""
        ),
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
        "    found: Received = decode(body, *choices)",
        "    return found",
    ]


def _regex(address: str) -> str:
    parts = re.split(r"(\{[^{}]+\})", address)
    return "".join("[^./]+" if p.startswith("{") else re.escape(p) for p in parts)
