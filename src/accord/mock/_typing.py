"""What the compiled validators cannot do alone: typed form fields and integer formats.

Form bodies (``application/x-www-form-urlencoded``) arrive as strings; their
schema says which fields are numbers or booleans. Objects sent as ``a[b]=c``
(deepObject) are typed the same way, property by property; other object-valued
fields cannot be read back from a flat form and are left out of the check.

``format: int32`` / ``int64`` are annotations to JSON Schema; OpenAPI means
them as ranges, so values outside them are reported here.
"""

from __future__ import annotations

from typing import Any

from accord.core import Contract, SchemaNode, SchemaRef, SchemaResolver, coerce

__all__ = ["IntRanges", "typed_form"]

_BITS = {"int32": 31, "int64": 63}
_MAX_DEPTH = 32


def _node(schema: SchemaRef) -> SchemaNode:
    return SchemaNode(schema.value, schema.place.file, schema.place.pointer)


def typed_form(contract: Contract, schema: SchemaRef, fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` typed per the schema's properties; unreadable object fields are dropped."""
    return _typed_object(SchemaResolver(contract), _node(schema), fields, 0)


def _typed_object(
    resolver: SchemaResolver, node: SchemaNode, fields: dict[str, Any], depth: int
) -> dict[str, Any]:
    flat = resolver.flatten(node)
    props = flat.value.get("properties") if isinstance(flat.value, dict) else None
    if not isinstance(props, dict):
        for option in _options(flat):  # anyOf/oneOf: the first object member that has them
            child = option if isinstance(option, SchemaNode) else SchemaNode(option, flat.file)
            found = resolver.flatten(child).value
            if isinstance(found, dict) and isinstance(found.get("properties"), dict):
                return _typed_object(resolver, child, fields, depth + 1)
        return fields
    out: dict[str, Any] = {}
    required = flat.value.get("required") or ()
    for name in required:
        # an empty array has no form encoding at all: absent means empty
        sub = props.get(name)
        if name not in fields and sub is not None:
            node = sub if isinstance(sub, SchemaNode) else SchemaNode(sub, flat.file)
            if "array" in resolver.types(node):
                out[name] = []
    for name, raw in fields.items():
        sub = props.get(name)
        if sub is None:
            out[name] = raw
            continue
        node = sub if isinstance(sub, SchemaNode) else SchemaNode(sub, flat.file)
        if isinstance(raw, dict | list) and depth < _MAX_DEPTH:
            out[name] = _typed_nested(resolver, node, raw, depth + 1)
            continue
        types = tuple(resolver.types(node))
        if not types:  # anyOf/oneOf: an array member takes repeated (or single) fields
            arrays = [
                o
                for o in _options(resolver.flatten(node))
                if "array"
                in resolver.types(o if isinstance(o, SchemaNode) else SchemaNode(o, node.file))
            ]
            if arrays and raw != "":
                first = arrays[0]
                node = first if isinstance(first, SchemaNode) else SchemaNode(first, node.file)
                types = ("array",)
        if "object" in types:
            continue
        if "array" in types:
            item_node = _items(resolver, node)
            item_types = tuple(resolver.types(item_node))
            if "object" in item_types:
                continue
            values = raw if isinstance(raw, list) else [raw]
            out[name] = [coerce(v, item_types) if isinstance(v, str) else v for v in values]
            continue
        out[name] = coerce(raw[-1] if isinstance(raw, list) else raw, types)
    return out


def _items(resolver: SchemaResolver, node: SchemaNode) -> SchemaNode:
    value = resolver.flatten(node).value
    item = value.get("items") if isinstance(value, dict) else None
    return item if isinstance(item, SchemaNode) else SchemaNode(item or {}, node.file)


def _typed_nested(resolver: SchemaResolver, node: SchemaNode, raw: Any, depth: int) -> Any:
    """A value sent as ``a[b]=c`` or ``a[0]=x`` typed per its schema (anyOf: first fit)."""
    flat = resolver.flatten(node)
    types = tuple(resolver.types(flat))
    if not types:
        for option in _options(flat):
            child = option if isinstance(option, SchemaNode) else SchemaNode(option, flat.file)
            kinds = resolver.types(child)
            if (isinstance(raw, dict) and "object" in kinds) or (
                "array" in kinds and (isinstance(raw, list) or _indexed(raw))
            ):
                return _typed_nested(resolver, child, raw, depth + 1)
        return raw
    if "array" in types and (isinstance(raw, list) or _indexed(raw)):
        listed = raw if isinstance(raw, list) else [raw[k] for k in sorted(raw, key=int)]
        item = _items(resolver, flat)
        item_types = tuple(resolver.types(item))
        return [
            _typed_nested(resolver, item, v, depth + 1)
            if isinstance(v, dict | list)
            else coerce(v, item_types)
            for v in listed
        ]
    if isinstance(raw, dict) and "object" in types:
        return _typed_object(resolver, flat, raw, depth + 1)
    return raw


def _indexed(raw: Any) -> bool:
    return isinstance(raw, dict) and bool(raw) and all(k.isdigit() for k in raw)


def _options(flat: SchemaNode) -> list[Any]:
    value = flat.value if isinstance(flat.value, dict) else {}
    found = value.get("anyOf") or value.get("oneOf")
    return list(found) if isinstance(found, list) else []


class IntRanges:
    """Finds integers outside their ``int32``/``int64`` format in a body."""

    def __init__(self, contract: Contract) -> None:
        self.resolver = SchemaResolver(contract)
        self.active = _mentions_int_formats(contract)

    def violations(self, schema: SchemaRef, value: Any) -> list[dict[str, str]]:
        if not self.active:
            return []
        out: list[dict[str, str]] = []
        self._walk(_node(schema), value, "", 0, out)
        return out

    def _walk(self, node: SchemaNode, value: Any, pointer: str, depth: int, out: list[Any]) -> None:
        if depth > _MAX_DEPTH or len(out) >= 20:
            return
        flat = self.resolver.flatten(node)
        schema = flat.value
        if not isinstance(schema, dict):
            return
        if isinstance(value, int) and not isinstance(value, bool):
            bits = _BITS.get(str(schema.get("format", "")))
            if bits and not -(2**bits) <= value < 2**bits:
                message = f"{value} is outside the {schema['format']} range"
                out.append({"pointer": pointer, "message": message})
        elif isinstance(value, dict) and isinstance(schema.get("properties"), dict):
            for key, sub in schema["properties"].items():
                if key in value:
                    child = sub if isinstance(sub, SchemaNode) else SchemaNode(sub, flat.file)
                    where = f"{pointer}/{key.replace('~', '~0').replace('/', '~1')}"
                    self._walk(child, value[key], where, depth + 1, out)
        elif isinstance(value, list) and schema.get("items") is not None:
            items = schema["items"]
            child = items if isinstance(items, SchemaNode) else SchemaNode(items, flat.file)
            for i, item in enumerate(value):
                self._walk(child, item, f"{pointer}/{i}", depth + 1, out)


def _mentions_int_formats(contract: Contract) -> bool:
    stack: list[Any] = [f.data for f in contract.files]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get("format"), str) and node["format"] in _BITS:
                return True
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, dict | list))
    return False
