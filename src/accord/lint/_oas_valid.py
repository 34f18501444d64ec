"""``oas-valid``: an OpenAPI document against the official OpenAPI JSON Schemas.

The document is validated in one jsonschema-rs pass against the schema the OpenAPI
Initiative publishes for its version (``accord/schemas/openapi-3.0.json``, 2021-09-28, and
``openapi-3.1.json``, 2022-10-07). For 3.1 every Schema Object is checked in the same pass
against the OpenAPI 3.1 base dialect (JSON Schema 2020-12 plus the OAS vocabulary), the way
the Initiative's ``schema-base`` variant does; for 3.0 each schema at a root position
(components, parameters, media types) is checked against the draft-04 meta-schema, as
openapi-spec-validator does. The validators are compiled once per process.

What a JSON Schema cannot say comes from a short walk over the document, mirroring
openapi-spec-validator's: duplicate tag names, duplicate parameters in one list, ``default``
values that their schema refuses, and ``required`` names that neither a schema nor its
``allOf`` parts define. Duplicate operationIds and path parameters are left to the
``operation-id-unique`` and ``path-params-declared`` rules, which point at the place.

openapi-spec-validator stays the oracle: the corpus tests check that both give every
document the same verdict.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs

from accord._errors import AccordError, Location
from accord.core import Contract, Direction, Place, SchemaRef, SourceFile, encode_pointer

__all__ = ["oas_errors"]

Finding = tuple[Location, str]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

#: formats the meta-schemas mention besides ``regex``; openapi-spec-validator does not
#: check them when it checks a schema (its format checker knows only ``regex`` of these)
_UNCHECKED_FORMATS = (
    "uri",
    "uri-reference",
    "iri",
    "iri-reference",
    "uri-template",
    "email",
    "idn-email",
    "hostname",
    "idn-hostname",
    "json-pointer",
    "relative-json-pointer",
    "date",
    "date-time",
    "time",
    "duration",
    "ipv4",
    "ipv6",
    "uuid",
)

_OAS31_DIALECT = "https://spec.openapis.org/oas/3.1/dialect/base"


def _python_regex(pattern: str) -> bool:
    """``format: regex`` as Python's :mod:`re` reads it (openapi-spec-validator's check)."""
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _accept(_: str) -> bool:
    return True


def _load(name: str) -> dict[str, Any]:
    text = resources.files("accord").joinpath(f"schemas/{name}").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def _document_validator(openapi30: bool) -> Any:
    """The compiled validator for whole documents of one OpenAPI version."""
    if openapi30:
        return jsonschema_rs.Draft4Validator(_load("openapi-3.0.json"))
    document = _load("openapi-3.1.json")
    dialect = _load("openapi-3.1-dialect-base.json")
    vocabulary = _load("openapi-3.1-meta-base.json")
    registry = jsonschema_rs.Registry([(s["$id"], s) for s in (document, dialect, vocabulary)])
    # The document schema leaves Schema Objects to "$dynamicRef: #meta"; anchoring "meta"
    # here on the 3.1 dialect checks every one of them in the same pass (the Initiative's
    # schema-base variant, without its pinning of jsonSchemaDialect).
    base = {
        "$id": "urn:accord:openapi-3.1-schema-base",
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$ref": document["$id"],
        "$defs": {"schema": {"$dynamicAnchor": "meta", "$ref": _OAS31_DIALECT}},
    }
    formats = {"regex": _python_regex, **dict.fromkeys(_UNCHECKED_FORMATS, _accept)}
    return jsonschema_rs.Draft202012Validator(
        base, registry=registry, validate_formats=True, formats=formats
    )


@cache
def _meta30() -> Any:
    """Draft 4's meta-schema, which OpenAPI 3.0 Schema Objects must also satisfy."""
    return jsonschema_rs.Draft4Validator(
        _load("json-schema-draft-04.json"),
        validate_formats=True,
        formats={"regex": _python_regex},
    )


def oas_errors(contract: Contract) -> Iterator[Finding]:
    """Every way ``contract`` is not valid OpenAPI, located in its files."""
    reported: list[str] = []
    for error in _document_validator(contract.openapi30).iter_errors(contract.data):
        pointer, finding = _finding(contract.root, "", error)
        if error.kind.name == "uniqueItems" and pointer.endswith(("/tags", "/parameters")):
            continue  # the walk names each duplicate tag or parameter, where it is
        reported.append(pointer)
        yield finding
    yield from _Walk(contract, reported).run()


# errors ---------------------------------------------------------------------------------


def _finding(file: SourceFile, prefix: str, error: Any) -> tuple[str, Finding]:
    """The error's JSON pointer (``prefix`` + its path), and the finding it makes."""
    leaf = _leaf(error)
    pointer = prefix + encode_pointer([str(p) for p in leaf.instance_path])
    unexpected = getattr(leaf.kind, "unexpected", None)
    if isinstance(unexpected, list) and unexpected:  # point at the first unexpected key
        where = file.source_map.locate_key(pointer + encode_pointer([str(unexpected[0])]))
    else:
        where = file.locate(pointer)
    return pointer, (where, _message(leaf))


def _leaf(error: Any) -> Any:
    """The most telling error under a failed ``oneOf``/``anyOf``: the deepest one.

    "Not valid under any of the given schemas" says little; of its branches' errors,
    the one deepest in the document says what is wrong and where (a Schema Object's
    ``type`` rather than the Schema-or-Reference choice around it).
    """
    context = getattr(error.kind, "context", None)
    if not context:
        return error
    leaves = [_leaf(inner) for branch in context for inner in branch]
    telling = [e for e in leaves if '"$ref" is a required property' not in e.message]
    candidates = telling or leaves
    if not candidates:
        return error
    best = max(candidates, key=lambda e: len(e.instance_path))
    return best if len(best.instance_path) >= len(error.instance_path) else error


def _message(error: Any) -> str:
    message = str(error.message).splitlines()[0]
    if message.startswith(("{", "[")) and " is not " in message:
        message = "this " + message[message.index(" is not ") + 1 :]
    elif message.startswith(("{", "[")) and " has " in message:
        message = "this " + message[message.index(" has ") + 1 :]
    return message if len(message) <= 240 else message[:237] + "..."


# the walk -------------------------------------------------------------------------------


class _At:
    """A place in one of the contract's files; its JSON pointer is built only if asked for.

    The walk visits every schema, and only the few with an error, a ``$ref`` or a
    ``default`` need their pointer.
    """

    __slots__ = ("_key", "_parent", "_pointer", "file")

    def __init__(
        self, file: SourceFile, pointer: str | None, parent: _At | None = None, key: str = ""
    ) -> None:
        self.file = file
        self._pointer = pointer
        self._parent = parent
        self._key = key

    def child(self, *parts: str | int) -> _At:
        at = self
        for part in parts:
            at = _At(self.file, None, at, str(part))
        return at

    @property
    def pointer(self) -> str:
        if self._pointer is None:
            assert self._parent is not None
            key = self._key.replace("~", "~0").replace("/", "~1")
            self._pointer = f"{self._parent.pointer}/{key}"
        return self._pointer

    def locate(self) -> Location:
        return self.file.locate(self.pointer)


class _Walk:
    """openapi-spec-validator's walk over paths and component schemas, on plain data."""

    def __init__(self, contract: Contract, reported: list[str]) -> None:
        self.contract = contract
        #: pointers (in the root file) the document schema already reported errors at
        self.reported = reported
        self.meta = _meta30() if contract.openapi30 else None
        self.visited: set[int] = set()
        self.meta_checked: set[int] = set()

    def run(self) -> Iterator[Finding]:
        data = self.contract.data
        root = _At(self.contract.root, "")
        yield from self.tags(data.get("tags"), root.child("tags"))
        paths = data.get("paths")
        for template, item in paths.items() if isinstance(paths, dict) else ():
            yield from self.path_item(item, root.child("paths", template))
        components = data.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        for name, schema in schemas.items() if isinstance(schemas, dict) else ():
            yield from self.schema(schema, root.child("components", "schemas", name), True)

    def already_reported(self, place: _At) -> bool:
        """Did the document schema report an error inside the schema at ``place``?"""
        if place.file is not self.contract.root:
            return False
        inside = place.pointer + "/"
        return any(p == place.pointer or p.startswith(inside) for p in self.reported)

    def deref(self, value: Any, place: _At) -> tuple[Any, _At]:
        if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
            return value, place
        try:
            target = self.contract.documents.deref(value, place.file, place.pointer)
        except AccordError:  # the contract's own $ref check reports it
            return None, place
        return target.value, _At(target.file, target.pointer)

    def tags(self, tags: Any, place: _At) -> Iterator[Finding]:
        seen: set[str] = set()
        for i, tag in enumerate(tags if isinstance(tags, list) else ()):
            name = tag.get("name") if isinstance(tag, dict) else None
            if isinstance(name, str):
                if name in seen:
                    yield place.child(i, "name").locate(), f"duplicate tag name {name!r}"
                seen.add(name)

    def path_item(self, item: Any, place: _At) -> Iterator[Finding]:
        item, place = self.deref(item, place)
        if not isinstance(item, dict):
            return
        yield from self.parameters(item.get("parameters"), place.child("parameters"))
        for method in HTTP_METHODS:
            operation, op_place = self.deref(item.get(method), place.child(method))
            if not isinstance(operation, dict):
                continue
            responses, resp_place = self.deref(
                operation.get("responses"), op_place.child("responses")
            )
            for status, response in responses.items() if isinstance(responses, dict) else ():
                yield from self.content(response, resp_place.child(str(status)))
            yield from self.parameters(operation.get("parameters"), op_place.child("parameters"))

    def parameters(self, params: Any, place: _At) -> Iterator[Finding]:
        seen: set[tuple[Any, Any]] = set()
        for i, raw in enumerate(params if isinstance(params, list) else ()):
            param, where = self.deref(raw, place.child(i))
            if not isinstance(param, dict):
                continue
            if "schema" in param:
                yield from self.schema(param["schema"], where.child("schema"), True)
            key = (param.get("name"), param.get("in"))
            if key in seen:
                yield where.locate(), f"duplicate parameter {key[0]!r} (in: {key[1]})"
            seen.add(key)

    def content(self, response: Any, place: _At) -> Iterator[Finding]:
        response, place = self.deref(response, place)
        content = response.get("content") if isinstance(response, dict) else None
        for media_type, raw in content.items() if isinstance(content, dict) else ():
            media, where = self.deref(raw, place.child("content", media_type))
            if isinstance(media, dict) and "schema" in media:
                yield from self.schema(media["schema"], where.child("schema"), True)

    def schema(self, raw: Any, place: _At, root: bool) -> Iterator[Finding]:
        schema, place = self.deref(raw, place)
        if not isinstance(schema, dict | bool):
            yield place.locate(), "this is not of type 'object', 'boolean'"
            return
        key = id(schema)
        if root and key not in self.meta_checked:
            self.meta_checked.add(key)
            if self.meta is not None and not self.meta.is_valid(schema):
                if not self.already_reported(place):
                    for error in self.meta.iter_errors(schema):
                        yield _finding(place.file, place.pointer, error)[1]
                return
        if key in self.visited or not isinstance(schema, dict):
            return
        self.visited.add(key)
        nested: set[str] = set()
        for keyword in ("allOf", "anyOf", "oneOf"):
            parts = schema.get(keyword)
            for i, sub in enumerate(parts if isinstance(parts, list) else ()):
                yield from self.schema(sub, place.child(keyword, i), False)
                if keyword == "allOf":
                    nested |= self.property_names(sub, place.child(keyword, i), set())
        for keyword in ("not", "items"):
            if isinstance(schema.get(keyword), dict | bool):
                yield from self.schema(schema[keyword], place.child(keyword), False)
        properties = schema.get("properties")
        for name, sub in properties.items() if isinstance(properties, dict) else ():
            yield from self.schema(sub, place.child("properties", name), False)
        required = schema.get("required")
        if root and "allOf" in schema and isinstance(required, list):
            declared = set(properties) if isinstance(properties, dict) else set()
            missing = sorted({r for r in required if isinstance(r, str)} - declared - nested)
            if missing:
                yield (
                    place.child("required").locate(),
                    f"required properties {missing} are defined neither here nor in allOf",
                )
        if "default" in schema and (schema["default"] is not None or not schema.get("nullable")):
            yield from self.default(schema, place)

    def property_names(self, raw: Any, place: _At, seen: set[int]) -> set[str]:
        schema, place = self.deref(raw, place)
        if not isinstance(schema, dict) or id(schema) in seen:
            return set()
        seen.add(id(schema))
        properties = schema.get("properties")
        names = set(properties) if isinstance(properties, dict) else set()
        for keyword in ("allOf", "anyOf", "oneOf"):
            parts = schema.get(keyword)
            for i, sub in enumerate(parts if isinstance(parts, list) else ()):
                names |= self.property_names(sub, place.child(keyword, i), seen)
        for keyword in ("items", "not"):
            if keyword in schema:
                names |= self.property_names(schema[keyword], place.child(keyword), seen)
        return names

    def default(self, schema: dict[str, Any], place: _At) -> Iterator[Finding]:
        try:
            ref = SchemaRef(Place(place.file, place.pointer), schema)
            validator = self.contract.validator(ref, Direction.RESPONSE)
        except AccordError:  # a schema that does not compile is reported by the meta check
            return
        for violation in validator.violations(schema["default"], limit=3):
            where = place.file.locate(place.pointer + "/default" + violation.pointer)
            yield where, f"default does not match its schema: {violation}"
