"""OpenAPI Schema Objects as JSON Schema 2020-12, compiled once with jsonschema-rs.

A contract's files are registered, converted, in one ``jsonschema_rs.Registry``
per direction (requests and responses differ: ``readOnly`` properties are not
required in requests, ``writeOnly`` ones not in responses). A validator is then
just ``{"$ref": "<file uri>#<pointer>"}`` compiled against that registry, so
references between schemas and across files are resolved by jsonschema-rs
itself and recursion needs no special care.

OpenAPI 3.0 differences handled here: ``nullable``, boolean
``exclusiveMinimum``/``exclusiveMaximum``, and ``$ref`` siblings (ignored in 3.0).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from accord.core._refs import iter_refs

__all__ = ["Direction", "SchemaValidator", "Violation", "build_registry", "convert_document"]


class Direction(Enum):
    """Which side of an exchange a schema is checked for."""

    REQUEST = "request"
    RESPONSE = "response"


@dataclass(slots=True, frozen=True)
class Violation:
    """One reason an instance does not match its schema."""

    pointer: str  # JSON pointer into the instance ("" is the whole instance)
    message: str
    keyword: str = ""

    def __str__(self) -> str:
        return f"{self.pointer or '/'}: {self.message}"


class SchemaValidator:
    """A compiled validator for one schema of the contract."""

    __slots__ = ("_validator", "uri")

    def __init__(self, validator: Any, uri: str) -> None:
        self._validator = validator
        self.uri = uri

    def is_valid(self, instance: Any) -> bool:
        return bool(self._validator.is_valid(instance))

    def violations(self, instance: Any, limit: int = 50) -> list[Violation]:
        """Every violation (up to ``limit``), each with its JSON pointer into ``instance``."""
        out: list[Violation] = []
        for error in self._validator.iter_errors(instance):
            pointer = "".join(
                "/" + str(p).replace("~", "~0").replace("/", "~1") for p in error.instance_path
            )
            out.append(Violation(pointer, _shorten(error.message), error.kind.name))
            if len(out) >= limit:
                break
        return out

    def errors(self, instance: Any, limit: int = 50) -> list[dict[str, str]]:
        """Every violation (up to ``limit``) as ``{"pointer", "message"}`` dicts, for hot paths.

        jsonschema-rs's ``evaluate()`` lists them at about half the cost of
        :meth:`violations`, but it lists every branch of a failed ``anyOf`` or
        ``oneOf`` separately; where one failed, the branch's one summary
        error from :meth:`violations` is clearer, so that is what is returned.
        """
        out: list[dict[str, str]] = []
        for error in self._validator.evaluate(instance).errors():
            location = error["schemaLocation"]
            if "/anyOf/" in location or "/oneOf/" in location:
                return [
                    {"pointer": v.pointer, "message": v.message}
                    for v in self.violations(instance, limit)
                ]
            if len(out) < limit:
                message = error["error"]
                if len(message) > _WIDTH:
                    message = _shorten(message)
                out.append({"pointer": error["instanceLocation"], "message": message})
        return out


_WIDTH = 200


def _shorten(message: str, width: int = _WIDTH) -> str:
    return message if len(message) <= width else message[: width - 3] + "..."


def _byte(value: str) -> bool:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


#: OpenAPI formats on strings that JSON Schema does not define
FORMATS = {"byte": _byte}


def convert_document(data: Any, *, openapi30: bool, direction: Direction) -> Any:
    """A copy of ``data`` where every schema-shaped mapping is valid JSON Schema 2020-12.

    The whole document is converted, not only Schema Objects: the copy is only
    ever used as a schema registry, and the rewrite rules match nothing but
    schema keywords of the right type.
    """
    hide = "readOnly" if direction is Direction.REQUEST else "writeOnly"
    # iterative post-order copy: documents can be deep, and recursion is slow
    root_holder: list[Any] = [None]
    finish: list[dict[str, Any]] = []
    stack: list[tuple[Any, Any, Any]] = [(data, root_holder, 0)]
    while stack:
        node, parent, key = stack.pop()
        if isinstance(node, dict):
            copy: dict[str, Any] = {}
            parent[key] = copy
            for k, v in node.items():
                if isinstance(v, dict | list):
                    stack.append((v, copy, k))
                else:
                    copy[k] = v
            finish.append(copy)
        elif isinstance(node, list):
            items: list[Any] = [None] * len(node)
            parent[key] = items
            for i, v in enumerate(node):
                if isinstance(v, dict | list):
                    stack.append((v, items, i))
                else:
                    items[i] = v
        else:
            parent[key] = node
    # children are complete once the stack is empty; rewrite deepest-first
    for schema in reversed(finish):
        _rewrite(schema, openapi30, hide)
    return root_holder[0]


def _rewrite(schema: dict[str, Any], openapi30: bool, hidden: str) -> None:
    if openapi30 and isinstance(schema.get("$ref"), str) and len(schema) > 1:
        ref = schema["$ref"]
        schema.clear()
        schema["$ref"] = ref
        return
    # boolean bounds are 3.0 (draft 4) syntax; real 3.1 documents use them too, by mistake
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        flag = schema.get(bound)
        if isinstance(flag, bool):
            if flag and isinstance(schema.get(limit), int | float):
                schema[bound] = schema.pop(limit)
            else:
                del schema[bound]
    if openapi30 and schema.get("nullable") is True:
        del schema["nullable"]
        kind = schema.get("type")
        if isinstance(kind, str):
            schema["type"] = [kind, "null"]
            if isinstance(schema.get("enum"), list) and None not in schema["enum"]:
                schema["enum"] = [*schema["enum"], None]
        elif kind is None and any(k in schema for k in ("allOf", "oneOf", "anyOf", "$ref")):
            rest = dict(schema)
            schema.clear()
            schema["anyOf"] = [{"type": "null"}, rest]
    required = schema.get("required")
    props = schema.get("properties")
    if isinstance(required, list) and isinstance(props, dict):
        kept = [
            name
            for name in required
            if not (isinstance(props.get(name), dict) and props[name].get(hidden) is True)
        ]
        if len(kept) != len(required):
            schema["required"] = kept


def build_registry(resources: Iterable[tuple[str, Any]], *, draft: Any = None) -> Any:
    """A jsonschema-rs registry over already-converted documents; nothing remote is reachable.

    ``draft`` is the default dialect (2020-12; AsyncAPI's schemas are draft 07).
    """

    import jsonschema_rs  # noqa: PLC0415  (loaded by the commands that validate, not at start-up)

    return jsonschema_rs.Registry(
        list(resources), draft=draft or jsonschema_rs.Draft202012, retriever=_refuse
    )


def _refuse(uri: str) -> Any:
    raise ValueError(f"{uri} is not part of this contract (Accord resolves local files only)")


def compile_validator(uri: str, registry: Any, *, schema: Any = None) -> SchemaValidator:
    """Compile the schema at ``uri`` (file URI plus fragment) against ``registry``.

    With ``schema`` (already converted; see :func:`references`), that copy is compiled
    instead of the registry's: on its own when ``registry`` is ``None``, else with its
    ``$ref`` s resolved in ``registry``.

    Raises ``ValueError`` with jsonschema-rs's first line of explanation when the
    schema is not valid JSON Schema or a reference inside it cannot be resolved.
    """
    import jsonschema_rs  # noqa: PLC0415

    try:
        validator: Any
        if schema is not None:
            if registry is not None:  # its local references name the file they were in
                base = uri.partition("#")[0]
                for path, ref in list(iter_refs(schema)):
                    if ref.startswith("#"):
                        _at(schema, path[:-1])["$ref"] = base + ref
            validator = jsonschema_rs.Draft202012Validator(
                schema,
                validate_formats=True,
                formats=FORMATS,
                registry=registry,
                retriever=_refuse,
                # its own name, beside its file: the file's name is the registry's copy
                base_uri=uri.partition("#")[0] + ".accord-compiled",
            )
        else:
            validator = jsonschema_rs.validator_for(
                {"$ref": uri},
                registry=registry,
                validate_formats=True,
                formats=FORMATS,
            )
    except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError) as exc:
        detail = str(exc).strip().splitlines()
        raise ValueError(detail[0] if detail else "invalid schema") from None
    return SchemaValidator(validator, uri)


#: keywords that change how references resolve, or resolve them dynamically
_SCOPED = frozenset(("$dynamicRef", "$recursiveRef", "$id", "$schema", "$anchor", "$dynamicAnchor"))
_RELATIONS = frozenset(("$ref", *_SCOPED))


def references(schema: Any, limit: int = 2_000) -> str:
    """How ``schema`` refers outside itself, from one look at every node (examples too, to
    stay simple): ``"none"``, ``"ref"`` (plain ``$ref`` s only) or ``"scoped"`` (a keyword
    that changes or depends on the base URI, or more than ``limit`` nodes).

    A schema with no references compiles on its own, and one with plain ``$ref`` s against
    a registry of only the parts of the contract that references reach; either spares
    the costly part of compiling a large contract's first validator, a converted copy of
    every file. A scoped one is compiled where it stands in a registry of whole files.
    """
    stack, seen, found = [schema], 0, "none"
    while stack:
        node = stack.pop()
        seen += 1
        if seen > limit:
            return "scoped"
        if type(node) is dict:
            if not _RELATIONS.isdisjoint(node):
                if not _SCOPED.isdisjoint(node):
                    return "scoped"
                found = "ref"
            stack.extend(v for v in node.values() if type(v) is dict or type(v) is list)
        elif type(node) is list:
            stack.extend(v for v in node if type(v) is dict or type(v) is list)
    return found


def _at(node: Any, path: list[str | int]) -> Any:
    for part in path:
        node = node[part]
    return node
