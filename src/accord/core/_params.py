"""Request parameters: read from the path, query, headers and cookies, typed, and checked.

Every value arrives as a string; the parameter's schema says what it should
become (``"42"`` -> ``42`` for an integer, ``"a,b"`` -> ``["a", "b"]`` for an
array in the ``form``/``simple`` styles). Values that cannot be typed stay
strings, so the compiled validator reports them with the schema's own words.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote_plus, unquote_to_bytes

from accord.core._contract import Contract
from accord.core._model import Operation, Parameter
from accord.core._paths import PathTemplate
from accord.core._resolve import SchemaNode, SchemaResolver
from accord.core._schema import Direction

__all__ = [
    "ParameterSpec",
    "ParsedRequest",
    "coerce",
    "compile_parameters",
    "cookies_of",
    "path_as_sent",
    "query_of",
    "read_parameters",
]

_INT = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
#: headers OpenAPI says a parameter may not describe (they are ignored)
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
#: JSON Schema leaves `format: int32/int64` unchecked; parameters are checked here
_INT_BITS = {"int32": 31, "int64": 63}
_DELIMITERS = {"spaceDelimited": " ", "pipeDelimited": "|"}
#: a path parameter's piece as typed: decoded (the text was sent encoded) or as it is
Decode = Callable[[str], str]


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
            found: list[str] = []
            item_types: list[str] = []
            for index, branch in enumerate(_branches(resolver, node)):
                flat = branch.value
                kinds = resolver.types(branch) or list(_value_types(flat))
                found += [k for k in kinds if k not in found]
                if "integer" in kinds and index == 0:  # a member's range is its own
                    int_format = str(flat.get("format", ""))
                sub = flat.get("items")
                if sub is not None:
                    sub_types = resolver.types(_node(sub, branch))
                    item_types += [k for k in sub_types if k not in item_types]
                for name, prop in (flat.get("properties") or {}).items():
                    props.setdefault(name, tuple(resolver.types(_node(prop, branch))))
            types, items = tuple(found), tuple(item_types)
        json_content = any(m.name.endswith("json") for m in param.content)
        out.append(ParameterSpec(param, types, items, props, json_content, int_format))
    return out


def _branches(resolver: SchemaResolver, node: SchemaNode) -> list[SchemaNode]:
    """The schema (``allOf`` merged) and, where it has no type of its own, each of its
    ``anyOf``/``oneOf`` members: a parameter may be an object or an integer (Stripe's
    ``created``: ``created[gt]=1`` or ``created=5``)."""
    flat = resolver.flatten(node)
    if not isinstance(flat.value, dict):
        return []
    out = [flat]
    if resolver.types(flat) or _value_types(flat.value):
        return out
    for keyword in ("anyOf", "oneOf"):
        for member in flat.value.get(keyword) or ():
            branch = resolver.flatten(_node(member, flat))
            if isinstance(branch.value, dict):
                out.append(branch)
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
    path_encoded: bool = False,
    query_sent: Mapping[str, list[str]] | None = None,
) -> ParsedRequest:
    """Type every parameter; with ``validate``, check each against its schema.

    With ``path_encoded``, ``path`` holds each path parameter's text as sent, still
    percent-encoded: it is split at its style's delimiters first and each piece decoded
    after (RFC 6570), so an item's encoded comma (``a%2Cb``) stays inside the item, and a
    piece that is not UTF-8 once decoded is refused. Without it, the text was decoded
    before splitting (what a router that decodes whole paths can give). ``query_sent`` is
    the query as sent (names decoded, values not): a comma-delimited (``form``) array or
    object is split there first, so an item's ``%2C`` stays in the item.
    """
    values: dict[tuple[str, str], Any] = {}
    errors: list[dict[str, str]] = []
    for spec in specs:
        param = spec.param
        raw = _raw(spec, path, query, headers, cookies)
        if raw is None:
            if param.required:
                errors.append(_error(param, "", f"required {param.location} parameter is missing"))
            continue
        decode = _decoded if path_encoded and param.location == "path" else _same
        if query_sent is not None and param.location == "query" and isinstance(raw, list):
            raw = _form_split(spec, raw, query_sent.get(param.name))
        try:
            value = _typed(spec, raw, decode)
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
    # an object, or (anyOf) a value of another type under the parameter's own name
    scalar = query.get(param.name) if set(spec.types) - {"object"} else None
    if "object" in spec.types and param.style == "deepObject":
        prefix = param.name + "["
        nested = {k[len(prefix) : -1]: v for k, v in query.items() if k.startswith(prefix)}
        return nested or scalar
    if "object" in spec.types and param.explode and not spec.json_content:
        flat = {k: v for k, v in query.items() if k in spec.properties}
        return flat or scalar
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


def _same(text: str) -> str:
    return text


def _decoded(text: str) -> str:
    """A piece of a path parameter percent-decoded; one that is not UTF-8 is refused."""
    if "%" not in text:
        return text
    try:
        return unquote_to_bytes(text).decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"is not UTF-8 once percent-decoded: {text!r}") from None


def _form_split(spec: ParameterSpec, raw: list[str], sent: list[str] | None) -> Any:
    """A comma-delimited query value split where the client put its commas (``sent``, still
    encoded), each piece then decoded: a ``_Pieces`` the reader takes as split already."""
    param = spec.param
    if param.explode or param.style not in ("form", "") or sent is None or len(sent) != len(raw):
        return raw
    if not {"array", "object"} & set(spec.types) or spec.json_content:
        return raw
    pieces = _Pieces(_form_decoded(p) for p in sent[-1].split(",")) if sent[-1] != "" else _Pieces()
    return [*raw[:-1], pieces]


class _Pieces(list[str]):
    """A query value split at its delimiters already (see :func:`_form_split`)."""


def _form_decoded(text: str) -> str:
    try:
        return unquote_to_bytes(text.replace("+", " ")).decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError(f"is not UTF-8 once percent-decoded: {text!r}") from None


def _split(text: Any, delimiter: str) -> list[str]:
    if isinstance(text, _Pieces):
        return list(text)
    return text.split(delimiter) if text != "" else []


def _typed(spec: ParameterSpec, raw: list[str] | dict[str, list[str]], decode: Decode) -> Any:
    param = spec.param
    if isinstance(raw, dict):
        for key, given in raw.items():
            if len(given) > 1:
                raise ValueError(f"has the property {key!r} more than once")
        return {k: coerce(v[-1], spec.properties.get(k, ())) for k, v in raw.items()}
    if spec.json_content:
        try:
            return json.loads(decode(raw[-1]))
        except ValueError:
            raise ValueError("is not valid JSON") from None
    if param.location == "query":
        if len(raw) > 1 and not (param.explode and {"array", "object"} & set(spec.types)):
            raise ValueError("was given more than once")  # a second value would be dropped
        if "array" in spec.types:
            parts = raw if param.explode else _split(raw[-1], _DELIMITERS.get(param.style, ","))
            return [coerce(p, spec.item_types) for p in parts]
        if "object" in spec.types and not (param.explode and set(spec.types) - {"object"}):
            parts = _split(raw[-1], _DELIMITERS.get(param.style, ",")) or [""]
            return _object(spec, parts, param.explode, decode)
        return coerce(raw[-1], spec.types)
    if param.location == "cookie" and len(raw) > 1:  # an exploded cookie array
        return [coerce(p, spec.item_types) for p in raw]
    pieces, separator = _unstyled(param, raw[-1])
    if param.style == "matrix" and separator == ";":  # exploded: name=a;name=b or k=v;k=v
        if "array" in spec.types:
            named = [p.partition("=") for p in pieces]
            if any(decode(k) != param.name for k, _, _ in named):
                raise ValueError(f"is not ';{param.name}=...' repeated (matrix style)")
            return [coerce(decode(v), spec.item_types) for _, _, v in named]
        if "object" in spec.types:
            return _object(spec, pieces, True, decode, bare=True)
        raise ValueError(f"is not ';{param.name}=...' (matrix style)")
    text = pieces[0]
    if "array" in spec.types:
        parts = text.split(separator) if text != "" else []
        return [coerce(decode(p), spec.item_types) for p in parts]
    if "object" in spec.types:
        parts = text.split(separator)
        if param.explode and separator == ".":
            parts = _pairs_of(parts)
        return _object(spec, parts, param.explode, decode)
    return coerce(decode(text), spec.types)


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


def _object(
    spec: ParameterSpec, parts: list[str], explode: bool, decode: Decode, *, bare: bool = False
) -> dict[str, Any]:
    """An object from ``k=v`` pieces (exploded) or alternating keys and values.

    An empty text is the empty object. A key without its value (an odd number of pieces,
    or an exploded piece with no ``=``, which only matrix style writes for an empty value:
    ``bare``) and a key given twice are refused: either would drop something sent.
    """
    if parts == [""]:
        return {}
    if explode:
        pairs = []
        for part in parts:
            key, sep, value = part.partition("=")
            if not sep and not bare:
                raise ValueError(f"has {part!r} without '=' (exploded object)")
            pairs.append((decode(key), decode(value)))
    else:
        if len(parts) % 2:
            raise ValueError(f"has the key {parts[-1]!r} without a value (key,value,... pairs)")
        pairs = [(decode(k), decode(v)) for k, v in zip(parts[::2], parts[1::2], strict=True)]
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"has the property {key!r} more than once")
        out[key] = coerce(value, spec.properties.get(key, ()))
    return out


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


#: "." and ".." sent encoded as whole segments (or URLs would drop them, RFC 3986 §5.2.4)
_DOTS = re.compile(r"(%2[Ee]){1,2}")


def path_as_sent(raw_path: bytes, template: str) -> dict[str, str] | None:
    """The path parameters of ``raw_path`` (the ASGI ``raw_path``) still percent-encoded,
    for ``read_parameters(path_encoded=True)``: a style's delimiters are then told apart
    from an item's encoded ones. None when the raw path does not match ``template``."""
    found = PathTemplate.parse(template).match(raw_path.partition(b"?")[0].decode("latin-1"))
    if found is None:
        return None
    return {
        k: v.replace("%2E", ".").replace("%2e", ".") if _DOTS.fullmatch(v) else v
        for k, v in found.items()
    }


def query_of(raw_query: bytes) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """``(query, query_sent)`` of a raw query string: values decoded, and values as sent
    (names decoded) for ``read_parameters(query_sent=...)``. ValueError when a name or
    value is not percent-encoded UTF-8."""
    text = raw_query.decode("latin-1")
    query: dict[str, list[str]] = {}
    sent: dict[str, list[str]] = {}
    if not text:
        return query, sent
    try:
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError as exc:
        raise ValueError(str(exc)) from None
    for key, value in pairs:
        query.setdefault(key, []).append(value)
    for part in text.split("&"):
        if part:
            name, _, value = part.partition("=")
            sent.setdefault(unquote_plus(name), []).append(value)
    return query, sent
