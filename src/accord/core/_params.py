"""Request parameters: read from the path, query, headers and cookies, typed, and checked.

Every value arrives as a string; the parameter's schema says what it should
become (``"42"`` -> ``42`` for an integer, ``"a,b"`` -> ``["a", "b"]`` for an
array in the ``form``/``simple`` styles). Values that cannot be typed stay
strings, so the compiled validator reports them with the schema's own words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from accord.core._contract import Contract
from accord.core._model import Operation, Parameter
from accord.core._resolve import SchemaNode, SchemaResolver
from accord.core._schema import Direction

__all__ = [
    "ParameterSpec",
    "ParsedRequest",
    "coerce",
    "compile_parameters",
    "cookies_of",
    "read_parameters",
]

_INT = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
#: headers OpenAPI says a parameter may not describe (they are ignored)
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
#: JSON Schema leaves `format: int32/int64` unchecked; parameters are checked here
_INT_BITS = {"int32": 31, "int64": 63}
_DELIMITERS = {"spaceDelimited": " ", "pipeDelimited": "|"}


@dataclass(slots=True, frozen=True)
class ParameterSpec:
    """A parameter with the shape of its schema worked out once."""

    param: Parameter
    types: tuple[str, ...]
    item_types: tuple[str, ...]
    properties: Mapping[str, tuple[str, ...]]
    json_content: bool
    int_format: str = ""


@dataclass(slots=True)
class ParsedRequest:
    """The typed parameters of a request, by location and name."""

    values: dict[tuple[str, str], Any]
    errors: list[dict[str, str]]


def compile_parameters(contract: Contract, operation: Operation) -> list[ParameterSpec]:
    """Work out each parameter's types (called once per operation)."""
    resolver = SchemaResolver(contract)
    out: list[ParameterSpec] = []
    for param in operation.parameters:
        if param.location == "header" and param.name.lower() in _IGNORED_HEADERS:
            continue
        types: tuple[str, ...] = ()
        items: tuple[str, ...] = ()
        props: dict[str, tuple[str, ...]] = {}
        int_format = ""
        if param.schema is not None:
            node = SchemaNode(
                param.schema.value, param.schema.place.file, param.schema.place.pointer
            )
            types = tuple(resolver.types(node))
            flat = resolver.flatten(node).value
            if not types and isinstance(flat, dict):
                types = _value_types(flat)
            if isinstance(flat, dict):
                int_format = str(flat.get("format", "")) if "integer" in types else ""
                sub = flat.get("items")
                if sub is not None:
                    items = tuple(resolver.types(_node(sub, node)))
                for name, prop in (flat.get("properties") or {}).items():
                    props[name] = tuple(resolver.types(_node(prop, node)))
        json_content = any(m.name.endswith("json") for m in param.content)
        out.append(ParameterSpec(param, types, items, props, json_content, int_format))
    return out


#: a JSON value's type by Python class (``bool`` before ``int``, which it subclasses)
_JSON_TYPES = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"))


def _value_types(schema: Mapping[str, Any]) -> tuple[str, ...]:
    """The types of an untyped schema's ``enum`` or ``const`` values: ``enum: ["true"]``
    reads ``?x=true`` as the string it lists, not as a boolean."""
    values = schema.get("enum")
    if not isinstance(values, list):
        values = [schema["const"]] if "const" in schema else []
    found: list[str] = []
    for value in values:
        kind = next((name for cls, name in _JSON_TYPES if isinstance(value, cls)), None)
        if kind is not None and kind not in found:
            found.append(kind)
    return tuple(found)


def _node(value: Any, parent: SchemaNode) -> SchemaNode:
    return value if isinstance(value, SchemaNode) else SchemaNode(value, parent.file)


def read_parameters(
    contract: Contract,
    specs: list[ParameterSpec],
    path: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
    *,
    validate: bool = True,
) -> ParsedRequest:
    """Type every parameter; with ``validate``, check each against its schema."""
    values: dict[tuple[str, str], Any] = {}
    errors: list[dict[str, str]] = []
    for spec in specs:
        param = spec.param
        raw = _raw(spec, path, query, headers, cookies)
        if raw is None:
            if param.required:
                errors.append(_error(param, "", f"required {param.location} parameter is missing"))
            continue
        try:
            value = _typed(spec, raw, query)
        except ValueError as exc:
            errors.append(_error(param, "", str(exc)))
            continue
        values[param.key] = value
        bits = _INT_BITS.get(spec.int_format)
        if validate and bits and isinstance(value, int) and not -(2**bits) <= value < 2**bits:
            errors.append(_error(param, "", f"{value} is outside the {spec.int_format} range"))
            continue
        if validate and param.schema is not None:
            validator = contract.validator(param.schema, Direction.REQUEST)
            if not validator.is_valid(value):  # a fraction of listing what is wrong
                for found in validator.errors(value, limit=10):
                    errors.append(_error(param, found["pointer"], found["message"]))
    return ParsedRequest(values, errors)


def _error(param: Parameter, pointer: str, message: str) -> dict[str, str]:
    return {"pointer": param.name + pointer, "in": param.location, "message": message}


def _raw(
    spec: ParameterSpec,
    path: Mapping[str, str],
    query: Mapping[str, list[str]],
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
) -> list[str] | dict[str, list[str]] | None:
    param = spec.param
    if param.location == "path":
        found = path.get(param.name)
        return [found] if found is not None else None
    if param.location == "header":
        found = headers.get(param.name.lower())
        return [found] if found is not None else None
    if param.location == "cookie":
        if param.explode and not spec.json_content and {"array", "object"} & set(spec.types):
            return _exploded_cookie(spec, headers.get("cookie", ""))
        found = cookies.get(param.name)
        return [found] if found is not None else None
    if param.location != "query":
        return None
    if "object" in spec.types and param.style == "deepObject":
        prefix = param.name + "["
        nested = {k[len(prefix) : -1]: v for k, v in query.items() if k.startswith(prefix)}
        return nested or None
    if "object" in spec.types and param.explode and not spec.json_content:
        flat = {k: v for k, v in query.items() if k in spec.properties}
        return flat or None
    return query.get(param.name)


def _exploded_cookie(spec: ParameterSpec, header: str) -> list[str] | dict[str, list[str]] | None:
    """An exploded array (``ids=1; ids=2``) or object (``lo=1; hi=5``) among the cookies.

    An array sent once with commas (``ids=1,2``, as many clients write every cookie array)
    and an object under its own name (``range=lo,1,hi,5``) are read too.
    """
    jar: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            jar.setdefault(name, []).append(value)
    name = spec.param.name
    if "array" in spec.types and name in jar:
        values = jar[name]
        return values[0].split(",") if len(values) == 1 and values[0] else values
    if "object" in spec.types:
        found = {k: v for k, v in jar.items() if k in spec.properties}
        if found:
            return found
        if name in jar:
            flat = jar[name][-1].split(",")
            return {k: [v] for k, v in zip(flat[::2], flat[1::2], strict=False)}
    return None


def _unstyled(param: Parameter, text: str) -> tuple[list[str], str]:
    """A path parameter's text without its style's decoration: the pieces of an exploded
    ``label`` or ``matrix`` value, and the separator of the rest (RFC 6570)."""
    style, name, explode = param.style, param.name, param.explode
    if style == "label":
        if not text.startswith("."):
            raise ValueError(f"does not start with '.' (label style): {text!r}")
        return [text[1:]], "." if explode else ","
    if style == "matrix":
        if not text.startswith(";"):
            raise ValueError(f"does not start with ';' (matrix style): {text!r}")
        pieces = text[1:].split(";")
        if explode and len(pieces) > 1:
            return pieces, ";"
        key, sep, value = pieces[0].partition("=")
        if key != name or len(pieces) > 1:
            if explode:
                return pieces, ";"
            raise ValueError(f"is not ';{name}=...' (matrix style): {text!r}")
        return [value if sep else ""], ","
    return [text], ","


def _typed(spec: ParameterSpec, raw: list[str] | dict[str, list[str]], query: Any) -> Any:
    param = spec.param
    if isinstance(raw, dict):
        return {k: coerce(v[-1], spec.properties.get(k, ())) for k, v in raw.items()}
    if spec.json_content:
        try:
            return json.loads(raw[-1])
        except ValueError:
            raise ValueError("is not valid JSON") from None
    if param.location == "query":
        if "array" in spec.types:
            if param.explode:
                parts = raw
            else:
                parts = raw[-1].split(_DELIMITERS.get(param.style, ",")) if raw[-1] != "" else []
            return [coerce(p, spec.item_types) for p in parts]
        if "object" in spec.types:
            parts = raw[-1].split(_DELIMITERS.get(param.style, ","))
            return _object(spec, parts, explode=param.explode)
        if len(raw) > 1:
            raise ValueError("was given more than once")
        return coerce(raw[-1], spec.types)
    if param.location == "cookie" and len(raw) > 1:  # an exploded cookie array
        return [coerce(p, spec.item_types) for p in raw]
    pieces, separator = _unstyled(param, raw[-1])
    if param.style == "matrix" and separator == ";":  # exploded: name=a;name=b or k=v;k=v
        if "array" in spec.types:
            values = [p.partition("=") for p in pieces]
            if any(k != param.name for k, _, _ in values):
                raise ValueError(f"is not ';{param.name}=...' repeated (matrix style)")
            return [coerce(v, spec.item_types) for _, _, v in values]
        if "object" in spec.types:
            return _object(spec, pieces, explode=True)
        raise ValueError(f"is not ';{param.name}=...' (matrix style)")
    text = pieces[0]
    if "array" in spec.types:
        parts = text.split(separator) if text != "" else []
        return [coerce(p, spec.item_types) for p in parts]
    if "object" in spec.types:
        parts = text.split(separator)
        if param.explode and separator == ".":
            parts = _pairs_of(parts)
        return _object(spec, parts, param.explode)
    return coerce(text, spec.types)


def _pairs_of(parts: list[str]) -> list[str]:
    """Exploded label pairs split on ``.``, with a piece holding no ``=`` joined back to the
    value before it (``x=1.5`` split as ``x=1``, ``5``)."""
    out: list[str] = []
    for part in parts:
        if "=" not in part and out:
            out[-1] += "." + part
        else:
            out.append(part)
    return out


def _object(spec: ParameterSpec, parts: list[str], explode: bool) -> dict[str, Any]:
    """An object from ``k=v`` pieces (exploded) or alternating keys and values."""
    if explode:
        pairs = [p.partition("=") for p in parts]
        return {k: coerce(v, spec.properties.get(k, ())) for k, _, v in pairs}
    obj = dict(zip(parts[::2], parts[1::2], strict=False))
    return {k: coerce(v, spec.properties.get(k, ())) for k, v in obj.items()}


def coerce(text: str, types: tuple[str, ...]) -> Any:
    """``text`` as the first of ``types`` it can be (or unchanged)."""
    order = types or ("integer", "number", "boolean", "string")
    for kind in order:
        if kind == "integer" and _INT.fullmatch(text):
            return int(text)
        if kind == "number" and _NUMBER.fullmatch(text):
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
        if kind == "boolean" and text in ("true", "false"):
            return text == "true"
        if kind == "null" and text in ("", "null"):
            return None
        if kind == "string":
            return text
    return text


def cookies_of(header: str) -> dict[str, str]:
    """The cookies of a ``Cookie`` header, by name."""
    out: dict[str, str] = {}
    if not header:
        return out
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            out[name] = value
    return out
