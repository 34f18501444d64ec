"""AsyncAPI to Python: the models' input and the operation views event stubs are written from.

Payload and header models come from the same generator as HTTP models
(:func:`~accord.codegen._models.generate_models`): the AsyncAPI document is fed to it
as an OpenAPI 3.1 document whose ``components/schemas`` are the AsyncAPI ones plus one
component per message payload or headers schema written inline. Schemas in other files
are copied in (the generator reads one file), so every ``$ref`` left points inside it.

Direction is the document's application's: an operation with action ``send`` (2.x:
``subscribe``, which others do to what the application publishes) is published by the
application and subscribed to by its peers; ``receive`` (2.x: ``publish``) the reverse.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from accord._errors import ContractError
from accord.codegen._models import Models, generate_models
from accord.codegen._naming import class_name, identifier, snake
from accord.core import AsyncContract, Contract, amqp_binding
from accord.core._asyncapi import AsyncMessage, AsyncOperation
from accord.core._source import SourceFile

__all__ = [
    "BROKERS",
    "EventFunction",
    "EventModels",
    "Role",
    "broker_of",
    "event_functions",
    "event_models",
]

Role = Literal["publish", "subscribe"]

#: AsyncAPI protocol (server ``protocol`` or binding key) -> FastStream broker package
BROKERS = {
    "nats": "nats",
    "kafka": "kafka",
    "kafka-secure": "kafka",
    "redis": "redis",
    "amqp": "rabbit",
    "amqps": "rabbit",
}
_SCHEMAS = "#/components/schemas/"
_VERBS = ("publish", "send", "subscribe", "receive", "on", "handle", "consume", "produce")


@dataclass(slots=True, frozen=True)
class EventModels:
    """The generated ``models.py`` and the model class of each message's payload and headers."""

    models: Models
    payloads: dict[tuple[str, str], str]  # message place (file uri, pointer) -> class name
    headers: dict[tuple[str, str], str]


@dataclass(slots=True, frozen=True)
class EventFunction:
    """One generated function: publish to, or subscribe to, one operation's channel."""

    role: Role
    name: str  # publish_order_confirmed / subscribe_order_confirmed
    operation: str  # the operation's key in the document
    action: str  # the operation's own action (the application's view)
    address: str  # the channel address, parameters as {name}
    parameters: tuple[tuple[str, str], ...]  # (python name, AsyncAPI name)
    payloads: tuple[str, ...]  # model class names; empty: no JSON Schema payload (bytes)
    headers: str | None  # headers model class name
    headers_required: bool
    summary: str
    #: the channel's AMQP binding, flattened (``core.amqp_binding``); only RabbitMQ uses it
    amqp: tuple[tuple[str, str | bool], ...] = ()


def _key(message: AsyncMessage) -> tuple[str, str]:
    return (message.place.file.uri, message.place.pointer)


def event_models(contract: AsyncContract, header: str, workdir: Path) -> EventModels:
    """Generate ``models.py`` for the document's message payloads and headers."""
    # the root document, with every ``$ref`` to another file replaced by what it names
    bundler = _Bundler(contract)
    data = bundler.inline(contract.data, contract.root)
    data = {k: v for k, v in data.items() if k != "asyncapi"}
    components = data.setdefault("components", {})
    if not isinstance(components, dict):
        components = data["components"] = {}
    schemas = components.get("schemas")
    schemas = components["schemas"] = dict(schemas) if isinstance(schemas, dict) else {}
    taken = bundler.taken  # one set: components made here and by the bundler never clash
    taken |= set(schemas)
    payloads: dict[tuple[str, str], str] = {}
    headers: dict[tuple[str, str], str] = {}
    named: dict[tuple[str, str], str] = {}  # a schema's place -> its component name
    for message in sorted(contract.messages, key=lambda m: (m.place.file.uri, m.place.pointer)):
        base = class_name(message.name or message.message_id or message.key or "Message")
        for kind, ref, found in (
            ("Payload", message.payload, payloads),
            ("Headers", message.headers, headers),
        ):
            if ref is None or isinstance(ref.value, bool):
                continue
            target = contract.documents.deref(ref.value, ref.place.file, ref.place.pointer)
            where = (target.file.uri, target.pointer)
            if target.file is contract.root and target.pointer.startswith("/components/schemas/"):
                name = target.pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
            elif where in named:
                name = named[where]
            else:
                name = base if kind == "Payload" and base not in taken else base + kind
                while name in taken:
                    name += "_"
                taken.add(name)
                schemas[name] = copy.deepcopy(bundler.inline(target.value, target.file))
                named[where] = name
            found[_key(message)] = name
    schemas.update(bundler.hoisted)
    contract_like = Contract.from_dict(
        {**data, "openapi": "3.1.0", "paths": {}}, name=contract.root.display
    )
    models = generate_models(contract_like, header, workdir)
    classes = models.classes
    return EventModels(
        models,
        {k: classes[v] for k, v in payloads.items() if v in classes},
        {k: classes[v] for k, v in headers.items() if v in classes},
    )


class _Bundler:
    """Copies what references into other files name into the root document.

    A reference inside another file means that file; a schema that refers to itself
    across files becomes a component of the root document (one file cannot copy it in).
    """

    def __init__(self, contract: AsyncContract) -> None:
        self.contract = contract
        self.active: set[tuple[str, str]] = set()
        self.names: dict[tuple[str, str], str] = {}
        self.hoisted: dict[str, Any] = {}
        comps = contract.data.get("components")
        schemas = comps.get("schemas") if isinstance(comps, dict) else None
        self.taken = set(schemas) if isinstance(schemas, dict) else set()

    def inline(self, value: Any, file: SourceFile) -> Any:
        if isinstance(value, list):
            return [self.inline(v, file) for v in value]
        if not isinstance(value, dict):
            return value
        ref = value.get("$ref")
        if not isinstance(ref, str) or (file is self.contract.root and ref.startswith("#")):
            return {k: self.inline(v, file) for k, v in value.items()}
        target = self.contract.documents.deref(value, file, "")
        if target.file is self.contract.root:
            return {"$ref": "#" + target.pointer}
        key = (target.file.uri, target.pointer)
        if key in self.active or key in self.names:  # a cycle: a component refers to it
            return {"$ref": _SCHEMAS + self._name(key, target.file, target.pointer)}
        self.active.add(key)
        found = self.inline(target.value, target.file)
        self.active.discard(key)
        if key in self.names:
            self.hoisted[self.names[key]] = found
            return {"$ref": _SCHEMAS + self.names[key]}
        return found

    def _name(self, key: tuple[str, str], file: SourceFile, pointer: str) -> str:
        if key not in self.names:
            last = pointer.rsplit("/", 1)[-1] or file.path.stem
            name = class_name(last)
            while name in self.taken:
                name += "_"
            self.taken.add(name)
            self.names[key] = name
        return self.names[key]


def broker_of(contract: AsyncContract) -> str:
    """The FastStream broker package (``nats``, ``kafka``...) the document's servers name.

    The first server with a supported protocol wins; without servers, the bindings of its
    channels, operations and messages decide. Raises :class:`ContractError` otherwise.
    """
    servers = contract.data.get("servers")
    protocols: list[str] = []
    pointer = ""
    if isinstance(servers, dict):
        for key, server in servers.items():
            protocol = server.get("protocol") if isinstance(server, dict) else None
            if isinstance(protocol, str):
                protocols.append(protocol.lower())
                pointer = pointer or f"/servers/{_escape(str(key))}/protocol"
    for protocol in protocols:
        if protocol in BROKERS:
            return BROKERS[protocol]
    bound: list[str] = []
    for op in contract.operations:
        for bindings in (op.bindings, op.channel.bindings, *(m.bindings for m in op.messages)):
            bound += [str(k).lower() for k in bindings if str(k).lower() in BROKERS]
    if not protocols and bound:
        return BROKERS[bound[0]]
    said = ", ".join(sorted(set(protocols))) or "no server protocol and no broker bindings"
    raise ContractError(
        f"cannot write FastStream stubs for {said}: accord generate supports "
        f"{', '.join(sorted(BROKERS))} (a server's `protocol`); generate the models alone "
        "with `--models-only`",
        contract.root.locate(pointer),
    )


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def event_functions(contract: AsyncContract, models: EventModels, side: str) -> list[EventFunction]:
    """The functions of one side: ``app`` (the document's application) or ``peer``."""
    functions: list[EventFunction] = []
    names: set[str] = set()
    for op in contract.operations:
        if op.channel.address is None:
            continue  # an address known only at run time: nothing to type
        sends = op.action == "send"
        role: Role = "publish" if sends == (side == "app") else "subscribe"
        name = f"{role}_{_stem(op)}"
        while name in names:
            name += "_"
        names.add(name)
        functions.append(_function(contract, op, role, name, models))
    return functions


def _stem(op: AsyncOperation) -> str:
    words = snake(op.key.replace("/", "_")).split("_")
    while len(words) > 1 and words[0] in _VERBS:
        words = words[1:]
    while len(words) > 1 and words[-1] in _VERBS and words[-1] != "on":  # turnOn keeps it
        words = words[:-1]
    return identifier("_".join(words))


def _function(
    contract: AsyncContract, op: AsyncOperation, role: Role, name: str, models: EventModels
) -> EventFunction:
    payloads: list[str] = []
    for message in op.messages:
        found = models.payloads.get(_key(message))
        if found is None:  # one message without a model: the body is bytes for all
            payloads = []
            break
        if found not in payloads:
            payloads.append(found)
    header_classes = {models.headers.get(_key(m)) for m in op.messages}
    headers = header_classes.pop() if len(header_classes) == 1 else None
    required = headers is not None and all(_requires(contract, m) for m in op.messages)
    params = _parameters(op.channel.address or "")
    return EventFunction(
        role=role,
        name=name,
        operation=op.key,
        action=op.action,
        address=op.channel.address or "",
        parameters=params,
        payloads=tuple(payloads),
        headers=headers,
        headers_required=required,
        summary=_summary(op),
        amqp=amqp_binding(op.channel.bindings.get("amqp")),
    )


def _requires(contract: AsyncContract, message: AsyncMessage) -> bool:
    """Whether the message's headers schema requires a header (so headers must be given)."""
    if message.headers is None:
        return False
    ref = message.headers
    schema = contract.documents.deref(ref.value, ref.place.file, ref.place.pointer).value
    return isinstance(schema, dict) and bool(schema.get("required"))


def _parameters(address: str) -> tuple[tuple[str, str], ...]:
    found: list[tuple[str, str]] = []
    taken = {"broker", "payload", "headers", "options", "handler", "on_invalid"}
    for raw in re.findall(r"\{([^{}]+)\}", address):
        if any(raw == r for _, r in found):
            continue
        py = snake(raw)
        while py in taken:
            py += "_"
        taken.add(py)
        found.append((py, raw))
    return tuple(found)


def _summary(op: AsyncOperation) -> str:
    raw = op.place.file.data
    for part in op.place.pointer.strip("/").split("/"):
        raw = raw.get(part.replace("~1", "/").replace("~0", "~")) if isinstance(raw, dict) else None
    text = raw.get("summary") if isinstance(raw, dict) else None
    return " ".join(text.split()) if isinstance(text, str) else ""


def unique(names: Iterable[str]) -> list[str]:
    """``names`` without repeats, in order."""
    return list(dict.fromkeys(names))
