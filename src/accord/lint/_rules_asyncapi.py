"""Lint rules over one AsyncAPI document.

``asyncapi-valid`` checks the document against the official AsyncAPI JSON Schema of its
version (``schemas/asyncapi/``, from ``@asyncapi/specs``). Like ``@asyncapi/parser``, it
checks the document with its ``$ref`` s followed, so a broken object in a referenced file
is found, and reported at its own ``file:line:col``. The other rules are the checks the
parser's default rulesets make errors of, under Accord's ids.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

import jsonschema_rs

from accord._errors import AccordError, Location
from accord._findings import Severity
from accord.core import Place, SchemaRef, SourceFile, decode_pointer
from accord.lint._registry import Report, rule

if TYPE_CHECKING:  # linting an OpenAPI file does not import the AsyncAPI model
    from accord.core import AsyncContract, SchemaValidator

__all__ = ["asyncapi_schema_errors"]

#: at most this many schema errors per document: the first ones say what is wrong
_MAX_ERRORS = 25
#: inlining stops past this many nodes (a document's size, not its references' fan-out)
_MAX_NODES = 2_000_000


@cache
def _meta_validator(version: str) -> Any:
    name = version if version.count(".") == 2 else f"{version}.0"
    major_minor = ".".join(name.split(".")[:2]) + ".0"
    folder = resources.files("accord") / "schemas" / "asyncapi"
    schema = json.loads((folder / f"{major_minor}.json").read_text(encoding="utf-8"))
    return jsonschema_rs.Draft7Validator(schema, validate_formats=False)


def asyncapi_schema_errors(data: Any, version: str) -> list[tuple[str, str]]:
    """``(pointer, message)`` for each way ``data`` breaks the AsyncAPI schema of ``version``.

    Most AsyncAPI objects may also be a Reference Object (``oneOf``), so a broken object
    fails both branches; the errors kept are the deepest ones, not "``$ref`` is required"
    or "not valid under any of the schemas" on an ancestor.
    """
    validator = _meta_validator(version)
    if validator.is_valid(data):
        return []
    errors = [
        (e["instanceLocation"], str(e["error"]))
        for e in validator.evaluate(data).errors()
        if not str(e["schemaLocation"]).endswith("Reference.json#/required")
    ]
    pointers = {p for p, _ in errors}
    out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for pointer, message in errors:
        deeper = any(other.startswith(pointer + "/") for other in pointers)
        if deeper or pointer in seen:
            continue
        seen.add(pointer)
        out.append((pointer, message if len(message) <= 200 else message[:197] + "..."))
        if len(out) >= _MAX_ERRORS:
            break
    return out or [("", "the document does not match the AsyncAPI schema")]


class _Inliner:
    """The document with every ``$ref`` replaced by its target, remembering where each came from.

    A reference back into its own chain (a recursive schema) is left as it is.
    """

    def __init__(self, contract: AsyncContract) -> None:
        self.contract = contract
        #: 3.x requires some fields to be Reference Objects; those stay references
        self.keep_refs = contract.major >= 3
        self.origins: dict[str, Place] = {}  # pointer in the inlined document -> source
        self.nodes = 0

    def run(self) -> Any:
        root = self.contract.root
        self.origins[""] = Place(root, "")
        return self._copy(root.data, Place(root, ""), "", ())

    def _copy(self, node: Any, place: Place, out: str, chain: tuple[str, ...]) -> Any:
        self.nodes += 1
        if self.nodes > _MAX_NODES:
            return node
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not (self.keep_refs and _reference_only(out)):
                target = self.contract.documents.deref(node, place.file, place.pointer)
                key = target.uri
                if key in chain:
                    return node
                where = Place(target.file, target.pointer)
                self.origins[out] = where
                return self._copy(target.value, where, out, (*chain, key))
            return {
                k: self._copy(v, place.child(k), f"{out}/{_escape(k)}", chain)
                if isinstance(v, dict | list) and not k.startswith("x-")
                else v
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [
                self._copy(v, place.child(i), f"{out}/{i}", chain)
                if isinstance(v, dict | list)
                else v
                for i, v in enumerate(node)
            ]
        return node

    def locate(self, pointer: str) -> Location:
        """The source location of ``pointer`` in the inlined document."""
        best = ""
        for prefix in self.origins:
            if (pointer == prefix or pointer.startswith(prefix + "/")) and len(prefix) > len(best):
                best = prefix
        place = self.origins.get(best) or Place(self.contract.root, "")
        return Place(place.file, place.pointer + pointer[len(best) :]).locate()


def _reference_only(pointer: str) -> bool:
    """Whether AsyncAPI 3 requires a Reference Object at ``pointer`` (operation channels,
    operation and reply message lists, channel server lists)."""
    parts = pointer.rsplit("/", 2)
    if parts[-1] == "channel":
        return True
    return len(parts) == 3 and parts[-1].isdigit() and parts[-2] in ("messages", "servers")


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


@rule("asyncapi-valid", Severity.ERROR, "asyncapi")
def valid(contract: AsyncContract) -> Report:
    """The document (references followed) is valid against the official AsyncAPI JSON Schema."""
    inliner = _Inliner(contract)
    data = inliner.run()
    for pointer, message in asyncapi_schema_errors(data, contract.version):
        yield inliner.locate(pointer), message


@rule("asyncapi-unique-ids", Severity.ERROR, "asyncapi")
def unique_ids(contract: AsyncContract) -> Report:
    """operationId and messageId values are unique in the document."""
    seen: dict[str, Place] = {}
    for op in contract.operations:
        op_id = _own(op.place, "operationId")
        if op_id is None:
            continue
        if op_id in seen:
            yield (
                op.place.child("operationId").locate(),
                (f"operationId {op_id!r} is also used at {seen[op_id].locate()}"),
            )
        else:
            seen[op_id] = op.place
    messages: dict[str, Place] = {}
    for message in contract.messages:
        if message.message_id is None:
            continue
        first = messages.setdefault(message.message_id, message.place)
        if first != message.place:
            yield (
                message.place.child("messageId").locate(),
                (f"messageId {message.message_id!r} is also used at {first.locate()}"),
            )


def _own(place: Place, key: str) -> str | None:
    value = _at(place.file, place.pointer)
    found = value.get(key) if isinstance(value, dict) else None
    return found if isinstance(found, str) else None


def _at(file: SourceFile, pointer: str) -> Any:
    node = file.data
    for part in decode_pointer(pointer):
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


@rule("asyncapi-channel-parameters", Severity.ERROR, "asyncapi")
def channel_parameters(contract: AsyncContract) -> Report:
    """Every parameter in a channel's address is declared (3.x: and every declared one is
    used); an address's braces pair up around a parameter name (``^[A-Za-z0-9_\\-]+$``, the
    spec's pattern for parameter keys), so it cannot be taken for a literal subject."""
    for channel in contract.channels.values():
        if channel.address is None:
            continue
        problem = _address_problem(channel.address)
        if problem is not None:
            where = channel.place.child("address") if contract.major >= 3 else channel.place
            yield where.locate(), f"channel address {channel.address!r}: {problem}"
        used = channel.parameter_names
        for name in used:
            if name not in channel.parameters:
                yield (
                    channel.place.locate(),
                    (
                        f"channel {channel.address!r} uses parameter {name!r} but `parameters` "
                        "does not declare it"
                    ),
                )
        for name, place in channel.parameters.items():
            if contract.major >= 3 and name not in used:
                yield (
                    place.locate(),
                    (
                        f"parameter {name!r} is declared but the address {channel.address!r} "
                        "does not use it"
                    ),
                )


_PARAMETER_NAME = re.compile(r"[A-Za-z0-9_\-]+")


def _address_problem(address: str) -> str | None:
    """What is wrong with the braces of a channel address, if anything."""
    depth, start = 0, 0
    for i, char in enumerate(address):
        if char == "{":
            if depth:
                return f"`{{` inside a parameter at offset {i}"
            depth, start = 1, i
        elif char == "}":
            if not depth:
                return f"`}}` without its `{{` at offset {i}"
            name = address[start + 1 : i]
            if not _PARAMETER_NAME.fullmatch(name):
                return f"parameter name {name!r} is not ^[A-Za-z0-9_\\-]+$"
            depth = 0
    return f"`{{` at offset {start} is never closed" if depth else None


@rule("asyncapi-message-examples", Severity.ERROR, "asyncapi")
def message_examples(contract: AsyncContract) -> Report:
    """Message examples fit the message's payload and headers schemas."""
    for message in contract.messages:
        for example in message.examples:
            for schema, has, value, part in (
                (message.payload, example.has_payload, example.payload, "payload"),
                (message.headers, example.has_headers, example.headers, "headers"),
            ):
                validator = _validator(contract, schema) if schema is not None and has else None
                if validator is None:
                    continue
                for v in validator.violations(value, limit=5):
                    yield (
                        example.place.child(part).locate(),
                        (f"example {example.name!r} of message {message.label!r}: {part}{v}"),
                    )


@rule("asyncapi-schema-examples", Severity.ERROR, "asyncapi")
def schema_examples(contract: AsyncContract) -> Report:
    """``examples`` and ``default`` values of payload, header and component schemas fit them."""
    for root in _schema_roots(contract):
        place, node = root.place, root.value
        for key in ("default", "examples"):
            if key not in node:
                continue
            values = node[key] if key == "examples" else [node[key]]
            if not isinstance(values, list):
                continue
            validator = _validator(contract, SchemaRef(place, node))
            if validator is None:
                continue
            for i, value in enumerate(values):
                where = place.child(key, i) if key == "examples" else place.child(key)
                for v in validator.violations(value, limit=3):
                    yield where.locate(), f"{key} value does not fit its schema: {v}"


def _schema_roots(contract: AsyncContract) -> Iterator[SchemaRef]:
    seen: set[tuple[str, str]] = set()
    comps = contract.data.get("components")
    schemas = comps.get("schemas") if isinstance(comps, dict) else None
    roots = list(contract.schemas())
    if isinstance(schemas, dict):
        base = Place(contract.root, "/components/schemas")
        roots += [SchemaRef(base.child(k), v) for k, v in schemas.items()]
    for schema in roots:
        key = (schema.place.file.uri, schema.place.pointer)
        if key not in seen and isinstance(schema.value, dict):
            seen.add(key)
            yield schema


_SUBSCHEMA_MAPS = ("properties", "patternProperties", "definitions", "$defs")
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SUBSCHEMA_ONE = ("items", "additionalProperties", "not", "if", "then", "else", "contains")


def _schema_nodes(place: Place, node: Any) -> Iterator[tuple[Place, dict[str, Any]]]:
    """Every schema nested in ``node`` as written (references are checked where they lead)."""
    stack = [(place, node)]
    while stack:
        where, schema = stack.pop()
        if not isinstance(schema, dict) or "$ref" in schema:
            continue
        yield where, schema
        for key in _SUBSCHEMA_MAPS:
            sub = schema.get(key)
            if isinstance(sub, dict):
                stack.extend((where.child(key, k), v) for k, v in sub.items())
        for key in _SUBSCHEMA_LISTS:
            sub = schema.get(key)
            if isinstance(sub, list):
                stack.extend((where.child(key, i), v) for i, v in enumerate(sub))
        for key in _SUBSCHEMA_ONE:
            if isinstance(schema.get(key), dict):
                stack.append((where.child(key), schema[key]))


def _validator(contract: AsyncContract, schema: SchemaRef) -> SchemaValidator | None:
    """The schema's validator; None when it does not compile (``asyncapi-schemas`` says why)."""
    try:
        return contract.validator(schema)
    except AccordError:
        return None


@rule("asyncapi-schemas", Severity.ERROR, "asyncapi")
def schemas_compile(contract: AsyncContract) -> Report:
    """Payload and header schemas are valid JSON Schema."""
    for schema in contract.schemas():
        try:
            contract.validator(schema)
        except AccordError as exc:
            yield schema.place.locate(), exc.message


@rule("asyncapi-payload-format", Severity.WARNING, "asyncapi")
def payload_format(contract: AsyncContract) -> Report:
    """A payload in a schema format other than JSON Schema (Avro, RAML, protobuf...) is not
    checked by Accord: examples, crosscheck and mock cannot use it."""
    for message in contract.messages:
        if message.unsupported_format is not None:
            yield (
                message.place.child("payload").locate(),
                f"message {message.label!r}: payload schemaFormat "
                f"{message.unsupported_format!r} is not supported (Accord reads JSON Schema "
                "payloads); it is neither checked nor generated",
            )


@rule("asyncapi-security-defined", Severity.ERROR, "asyncapi")
def security_defined(contract: AsyncContract) -> Report:
    """Security requirements of servers and operations name defined security schemes."""
    if contract.major != 2:
        return  # 3.x requirements are references, already resolved when the document loads
    defined = set(contract.security_schemes)
    servers = contract.data.get("servers")
    places: list[tuple[Place, Any]] = []
    if isinstance(servers, dict):
        for name, server in servers.items():
            if isinstance(server, dict):
                places.append((Place(contract.root, "/servers").child(name), server))
    for op in contract.operations:
        places.append((op.place, _at(op.place.file, op.place.pointer)))
    for place, holder in places:
        security = holder.get("security") if isinstance(holder, dict) else None
        if not isinstance(security, list):
            continue
        for i, requirement in enumerate(security):
            if not isinstance(requirement, dict):
                continue
            for name in requirement:
                if name not in defined:
                    yield (
                        place.child("security", i, name).locate(),
                        (f"security scheme {name!r} is not defined in components.securitySchemes"),
                    )


@rule("asyncapi-tags-unique", Severity.ERROR, "asyncapi")
def tags_unique(contract: AsyncContract) -> Report:
    """Tag names are unique in every ``tags`` list."""
    for file in contract.files:
        stack: list[tuple[str, Any]] = [("", file.data)]
        while stack:
            pointer, node = stack.pop()
            if isinstance(node, dict):
                tags = node.get("tags")
                if isinstance(tags, list):
                    seen: set[str] = set()
                    for i, tag in enumerate(tags):
                        name = tag.get("name") if isinstance(tag, dict) else None
                        if isinstance(name, str):
                            if name in seen:
                                yield (
                                    file.locate(f"{pointer}/tags/{i}/name"),
                                    (f"duplicate tag name {name!r}"),
                                )
                            seen.add(name)
                for key, value in node.items():
                    if isinstance(value, dict | list) and key not in ("examples", "example"):
                        stack.append((f"{pointer}/{_escape(key)}", value))
            elif isinstance(node, list):
                stack.extend((f"{pointer}/{i}", v) for i, v in enumerate(node))
