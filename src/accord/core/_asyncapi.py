"""The :class:`AsyncContract`: one AsyncAPI 2.x or 3.0 document, read into one model.

AsyncAPI 2.x and 3.0 describe the same things in two shapes; both become
channels, operations and messages here, in 3.0's terms:

- a 2.x channel's ``subscribe`` operation (others subscribe to what the
  application publishes) is an operation with action ``send``; ``publish`` is
  ``receive``. Its id is the ``operationId``, else ``<channel>/<publish|subscribe>``;
- a 2.x ``message`` (one, or ``oneOf`` several) becomes the operation's messages
  and its channel's, keyed by ``messageId`` or ``name`` when given, else by position;
- a 3.0 operation's ``channel`` and ``messages`` are references, followed to the
  channel and message objects they name.

Files are read and ``$ref`` s resolved by the same :class:`~accord.core.DocumentSet`
as OpenAPI documents, with the same confinement, so every object keeps its
:class:`~accord.core.Place` and every finding its ``file:line:col``. Payload and
header schemas (the default JSON Schema format, draft 07) are compiled with
jsonschema-rs against one registry of the contract's files.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import jsonschema_rs

from accord._errors import UnsupportedVersion
from accord.core._contract import DocumentBacked
from accord.core._model import Place, SchemaRef
from accord.core._refs import DocumentSet
from accord.core._schema import (
    Direction,
    SchemaValidator,
    build_registry,
    convert_document,
)
from accord.core._source import SourceFile

__all__ = [
    "AsyncChannel",
    "AsyncContract",
    "AsyncMessage",
    "AsyncOperation",
    "ChannelMatch",
    "MessageExample",
]

Action = Literal["send", "receive"]
_VERSION = re.compile(r"^(2\.[0-6]|3\.[01])\.\d+$")
_PARAM = re.compile(r"\{([^{}]+)\}")
#: schema formats checked as JSON Schema (AsyncAPI's own format is a superset of draft 07)
_JSON_SCHEMA_FORMATS = re.compile(
    r"^(application/vnd\.aai\.asyncapi(\+json|\+yaml)?(;version=[\d.]+)?"
    r"|application/schema(\+json|\+yaml)?(;version=draft-0?[4-7])?)$"
)


@dataclass(slots=True, frozen=True)
class MessageExample:
    """One entry of a message's ``examples``: a payload and/or headers."""

    name: str
    payload: Any
    headers: Any
    has_payload: bool
    has_headers: bool
    place: Place


@dataclass(slots=True, frozen=True)
class AsyncMessage:
    """A Message Object (after ``$ref`` and traits are applied)."""

    key: str  # its key in the channel (3.0) or its messageId / name / position (2.x)
    name: str
    content_type: str  # the message's own, else the document's defaultContentType
    payload: SchemaRef | None  # None when absent or not in a JSON Schema format
    headers: SchemaRef | None
    schema_format: str
    examples: tuple[MessageExample, ...]
    bindings: Mapping[str, Any]
    place: Place
    message_id: str | None = None  # 2.x messageId
    #: the schemaFormat of a payload Accord cannot read (Avro, RAML, protobuf...): such a
    #: payload is neither generated nor checked, and the commands say so
    unsupported_format: str | None = None

    @property
    def label(self) -> str:
        return self.message_id or self.name or self.key


@dataclass(slots=True, frozen=True)
class AsyncChannel:
    """A channel: where messages travel (a NATS subject, a Kafka topic...)."""

    key: str
    address: str | None  # None: unknown until run time (3.0 allows it)
    parameters: Mapping[str, Place]
    messages: Mapping[str, AsyncMessage]
    bindings: Mapping[str, Any]
    place: Place
    _pattern: re.Pattern[str] | None = field(default=None, compare=False, repr=False)

    def match(self, address: str) -> dict[str, str] | None:
        """The parameters when ``address`` is an instance of this channel, else None."""
        if self.address is None:
            return None
        if "{" not in self.address:
            return {} if address == self.address else None
        pattern = self._pattern
        if pattern is None:  # compiled when first matched (compiling one per channel up
            # front was a third of reading a document with 20,000 channels)
            pattern = _address_pattern(self.address)
            object.__setattr__(self, "_pattern", pattern)
        found = pattern.fullmatch(address)
        return dict(zip(self.parameter_names, found.groups(), strict=True)) if found else None

    @property
    def parameter_names(self) -> list[str]:
        return _PARAM.findall(self.address or "")


@dataclass(slots=True, frozen=True)
class AsyncOperation:
    """What the application does on a channel: ``send`` or ``receive`` some messages."""

    key: str
    action: Action
    channel: AsyncChannel
    messages: tuple[AsyncMessage, ...]
    security: tuple[Mapping[str, Any], ...]
    bindings: Mapping[str, Any]
    place: Place
    reply_messages: tuple[AsyncMessage, ...] = ()


@dataclass(slots=True, frozen=True)
class ChannelMatch:
    channel: AsyncChannel
    parameters: Mapping[str, str]


class AsyncContract(DocumentBacked):
    """An AsyncAPI document with its ``$ref`` s resolved and channels, operations, messages indexed.

    Build one with :meth:`from_path` or :meth:`from_dict`.
    """

    def __init__(self, documents: DocumentSet) -> None:
        self.documents = documents
        self.root: SourceFile = documents.root
        self.version = _check_version(self.root)
        self.major = int(self.version.split(".", 1)[0])
        self.data: dict[str, Any] = self.root.data
        self.ref_count = documents.check()
        default = self.data.get("defaultContentType")
        self.default_content_type = default if isinstance(default, str) else "application/json"
        self._messages: dict[tuple[str, str], AsyncMessage] = {}
        self.channels: dict[str, AsyncChannel] = {}
        self.operations: tuple[AsyncOperation, ...] = ()
        if self.major == 2:
            self.operations = tuple(self._index_v2())
        else:
            self.operations = tuple(self._index_v3())
        self._registry: Any = None
        self._validators: dict[tuple[str, str], SchemaValidator] = {}

    # lookup -----------------------------------------------------------------------------
    @property
    def messages(self) -> list[AsyncMessage]:
        """Every message of the document's channels and operations, once each."""
        return list(self._messages.values())

    def operation(self, key: str) -> AsyncOperation | None:
        return next((op for op in self.operations if op.key == key), None)

    def match_channel(self, address: str) -> ChannelMatch | None:
        """The channel ``address`` (a concrete subject or topic) belongs to."""
        for channel in self.channels.values():
            if channel.address == address:
                return ChannelMatch(channel, {})
        for channel in self.channels.values():
            params = channel.match(address)
            if params is not None:
                return ChannelMatch(channel, params)
        return None

    def operations_on(
        self, channel: AsyncChannel, action: Action | None = None
    ) -> list[AsyncOperation]:
        return [
            op
            for op in self.operations
            if op.channel.place == channel.place and (action is None or op.action == action)
        ]

    @property
    def security_schemes(self) -> dict[str, Any]:
        comps = self.data.get("components")
        schemes = comps.get("securitySchemes") if isinstance(comps, dict) else None
        return dict(schemes) if isinstance(schemes, dict) else {}

    # validators -------------------------------------------------------------------------
    def validator(self, schema: SchemaRef) -> SchemaValidator:
        """The compiled validator for a payload or headers schema (compiled once, cached)."""
        key = (schema.place.file.uri, schema.place.pointer)
        found = self._validators.get(key)
        if found is None:
            if self._registry is None:
                self._registry = build_registry(
                    (
                        (
                            f.uri,
                            convert_document(f.data, openapi30=False, direction=Direction.RESPONSE),
                        )
                        for f in self.documents
                    ),
                    draft=jsonschema_rs.Draft7,
                )
            found = self._validators[key] = self._compile(schema, self._registry)
        return found

    def schemas(self) -> Iterator[SchemaRef]:
        """Every payload and headers schema, once each."""
        for message in self.messages:
            if message.payload is not None:
                yield message.payload
            if message.headers is not None:
                yield message.headers

    # indexing ---------------------------------------------------------------------------
    def _deref(self, value: Any, place: Place) -> tuple[Any, Place]:
        target = self.documents.deref(value, place.file, place.pointer)
        return target.value, Place(target.file, target.pointer)

    def _index_v2(self) -> Iterator[AsyncOperation]:
        channels = self.data.get("channels")
        if not isinstance(channels, dict):
            return
        for address, raw in channels.items():
            item, where = self._deref(raw, Place(self.root, "/channels").child(address))
            if not isinstance(item, dict):
                continue
            ops: list[tuple[str, Action, dict[str, Any], Place]] = []
            messages: dict[str, AsyncMessage] = {}
            pairs: tuple[tuple[str, Action], ...] = (("subscribe", "send"), ("publish", "receive"))
            for verb, action in pairs:
                op = item.get(verb)
                if isinstance(op, dict):
                    op_place = where.child(verb)
                    op, op_place = self._deref(op, op_place)
                    op = self._with_traits(op, op_place)
                    ops.append((verb, action, op, op_place))
            found_ops: list[tuple[str, Action, dict[str, Any], Place, list[AsyncMessage]]] = []
            for verb, action, op, op_place in ops:
                own = list(self._v2_messages(op.get("message"), op_place.child("message")))
                for message in own:
                    messages.setdefault(message.key, message)
                found_ops.append((verb, action, op, op_place, own))
            channel = _channel(
                address,
                address,
                self._parameters(item.get("parameters"), where.child("parameters")),
                messages,
                item.get("bindings"),
                where,
            )
            self.channels[address] = channel
            for verb, action, op, op_place, own in found_ops:
                op_id = op.get("operationId")
                yield AsyncOperation(
                    key=op_id if isinstance(op_id, str) and op_id else f"{address}/{verb}",
                    action=action,
                    channel=channel,
                    messages=tuple(own),
                    security=_requirements(op.get("security")),
                    bindings=_mapping(op.get("bindings")),
                    place=op_place,
                )

    def _v2_messages(self, raw: Any, place: Place) -> Iterator[AsyncMessage]:
        if raw is None:
            return
        value, where = self._deref(raw, place)
        if isinstance(value, dict) and isinstance(value.get("oneOf"), list):
            for i, entry in enumerate(value["oneOf"]):
                found = self._message(entry, where.child("oneOf", i), str(i))
                if found is not None:
                    yield found
        else:
            found = self._message(raw, place, "")
            if found is not None:
                yield found

    def _index_v3(self) -> Iterator[AsyncOperation]:
        channels = self.data.get("channels")
        by_place: dict[tuple[str, str], AsyncChannel] = {}
        if isinstance(channels, dict):
            for key, raw in channels.items():
                channel = self._v3_channel(key, raw, Place(self.root, "/channels").child(key))
                if channel is not None:
                    self.channels[key] = channel
                    by_place[(channel.place.file.uri, channel.place.pointer)] = channel
        operations = self.data.get("operations")
        if not isinstance(operations, dict):
            return
        for key, raw in operations.items():
            op, where = self._deref(raw, Place(self.root, "/operations").child(key))
            if not isinstance(op, dict):
                continue
            op = self._with_traits(op, where)
            channel = self._v3_channel_ref(op.get("channel"), where.child("channel"), by_place)
            action = op.get("action")
            if channel is None or action not in ("send", "receive"):
                continue
            yield AsyncOperation(
                key=str(key),
                action="send" if action == "send" else "receive",
                channel=channel,
                messages=tuple(self._v3_message_refs(op, where, channel)),
                security=_requirements(op.get("security")),
                bindings=_mapping(op.get("bindings")),
                place=where,
                reply_messages=tuple(self._v3_reply(op.get("reply"), where.child("reply"))),
            )

    def _v3_channel(self, key: str, raw: Any, place: Place) -> AsyncChannel | None:
        item, where = self._deref(raw, place)
        if not isinstance(item, dict):
            return None
        messages: dict[str, AsyncMessage] = {}
        raw_messages = item.get("messages")
        if isinstance(raw_messages, dict):
            for name, entry in raw_messages.items():
                found = self._message(entry, where.child("messages", name), str(name))
                if found is not None:
                    messages[str(name)] = found
        address = item.get("address")
        return _channel(
            key,
            address if isinstance(address, str) else None,
            self._parameters(item.get("parameters"), where.child("parameters")),
            messages,
            item.get("bindings"),
            where,
        )

    def _v3_channel_ref(
        self, raw: Any, place: Place, by_place: dict[tuple[str, str], AsyncChannel]
    ) -> AsyncChannel | None:
        if not isinstance(raw, dict) or "$ref" not in raw:
            return None
        _, where = self._deref(raw, place)
        found = by_place.get((where.file.uri, where.pointer))
        if found is None:  # a channel of another file, not listed in this document
            found = self._v3_channel(where.pointer.rsplit("/", 1)[-1], raw, place)
            if found is not None:
                by_place[(where.file.uri, where.pointer)] = found
        return found

    def _v3_message_refs(
        self, op: dict[str, Any], place: Place, channel: AsyncChannel
    ) -> Iterator[AsyncMessage]:
        raw = op.get("messages")
        if not isinstance(raw, list):  # absent: every message of the channel
            yield from channel.messages.values()
            return
        for i, entry in enumerate(raw):
            _, where = self._deref(entry, place.child("messages", i))
            found = next((m for m in channel.messages.values() if m.place == where), None)
            if found is None:
                found = self._message(entry, place.child("messages", i), str(i))
            if found is not None:
                yield found

    def _v3_reply(self, raw: Any, place: Place) -> Iterator[AsyncMessage]:
        if raw is None:
            return
        reply, where = self._deref(raw, place)
        if not isinstance(reply, dict):
            return
        messages = reply.get("messages")
        if isinstance(messages, list):
            for i, entry in enumerate(messages):
                found = self._message(entry, where.child("messages", i), str(i))
                if found is not None:
                    yield found

    def _parameters(self, raw: Any, place: Place) -> dict[str, Place]:
        if not isinstance(raw, dict):
            return {}
        return {str(name): place.child(name) for name in raw}

    def _with_traits(self, obj: dict[str, Any], place: Place) -> dict[str, Any]:
        traits = obj.get("traits")
        if not isinstance(traits, list):
            return obj
        merged: dict[str, Any] = {}
        for i, raw in enumerate(traits):
            trait, _ = self._deref(raw, place.child("traits", i))
            if isinstance(trait, dict):
                merged.update(trait)  # the spec's shallow merge: the object's own fields win
        merged.update({k: v for k, v in obj.items() if k != "traits"})
        return merged

    def _message(self, raw: Any, place: Place, key: str) -> AsyncMessage | None:
        value, where = self._deref(raw, place)
        if not isinstance(value, dict):
            return None
        cache_key = (where.file.uri, where.pointer)
        found = self._messages.get(cache_key)
        if found is not None:
            return found
        own_keys = set(value)
        value = self._with_traits(value, where)
        schema_format = str(value.get("schemaFormat") or "")
        payload = self._schema(value, "payload", where, schema_format, "payload" in own_keys)
        headers = self._schema(value, "headers", where, "", "headers" in own_keys)
        name = value.get("name")
        message_id = value.get("messageId")
        ctype = value.get("contentType")
        found = AsyncMessage(
            key=key or str(message_id or name or where.pointer.rsplit("/", 1)[-1]),
            name=name if isinstance(name, str) else "",
            content_type=ctype if isinstance(ctype, str) else self.default_content_type,
            payload=payload,
            headers=headers,
            schema_format=schema_format,
            examples=tuple(self._examples(value.get("examples"), where.child("examples"))),
            bindings=_mapping(value.get("bindings")),
            place=where,
            message_id=message_id if isinstance(message_id, str) else None,
            unsupported_format=_unsupported_format(value, schema_format),
        )
        self._messages[cache_key] = found
        return found

    def _schema(
        self, message: dict[str, Any], field_name: str, where: Place, fmt: str, own: bool
    ) -> SchemaRef | None:
        schema = message.get(field_name)
        if not own:  # from a trait: its place is the trait's, not worth tracking here
            return None
        place = where.child(field_name)
        if isinstance(schema, dict) and "schemaFormat" in schema and "schema" in schema:
            fmt, schema, place = (
                str(schema["schemaFormat"]),
                schema["schema"],
                place.child("schema"),
            )
        if fmt and not _JSON_SCHEMA_FORMATS.match(fmt.replace(" ", "")):
            return None
        if isinstance(schema, dict | bool):
            return SchemaRef(place, schema)
        return None

    def _examples(self, raw: Any, place: Place) -> Iterator[MessageExample]:
        if not isinstance(raw, list):
            return
        for i, entry in enumerate(raw):
            if isinstance(entry, dict):
                name = entry.get("name")
                yield MessageExample(
                    name=name if isinstance(name, str) else str(i),
                    payload=entry.get("payload"),
                    headers=entry.get("headers"),
                    has_payload="payload" in entry,
                    has_headers="headers" in entry,
                    place=place.child(i),
                )


def _channel(
    key: str,
    address: str | None,
    parameters: dict[str, Place],
    messages: dict[str, AsyncMessage],
    bindings: Any,
    place: Place,
) -> AsyncChannel:
    return AsyncChannel(key, address, parameters, messages, _mapping(bindings), place)


def _address_pattern(address: str) -> re.Pattern[str]:
    """The regex of a parameterised address: each parameter is one segment."""
    parts = _PARAM.split(address)
    return re.compile(
        "".join(re.escape(part) if i % 2 == 0 else "([^./]+)" for i, part in enumerate(parts))
    )


def _unsupported_format(message: dict[str, Any], message_format: str) -> str | None:
    """The payload's schemaFormat (3.x: on a multi-format schema; 2.x: on the message) when
    a payload is there and its format is not JSON Schema."""
    payload = message.get("payload")
    if payload is None:
        return None
    fmt = message_format
    if isinstance(payload, dict) and "schemaFormat" in payload and "schema" in payload:
        fmt = str(payload["schemaFormat"])
    return fmt if fmt and not _JSON_SCHEMA_FORMATS.match(fmt.replace(" ", "")) else None


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _requirements(value: Any) -> tuple[Mapping[str, Any], ...]:
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, dict))


def _check_version(root: SourceFile) -> str:
    data = root.data
    if not isinstance(data, dict) or "asyncapi" not in data:
        raise UnsupportedVersion(
            "not an AsyncAPI document: expected a mapping with an `asyncapi` field",
            root.locate(""),
        )
    text = str(data["asyncapi"])
    if not _VERSION.match(text):
        raise UnsupportedVersion(
            f"AsyncAPI {text} is not supported; Accord reads AsyncAPI 2.0-2.6, 3.0 and 3.1",
            root.locate("/asyncapi"),
        )
    return text
