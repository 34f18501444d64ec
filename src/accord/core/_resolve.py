"""Schema Objects as generators and parameter readers see them: ``$ref`` followed, ``allOf`` merged.

A schema is always read together with the file it lives in, because a ``$ref``
inside it is relative to that file. :class:`SchemaNode` carries the pair; merged
``allOf`` schemas keep each part's own file by wrapping nested schemas in nodes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from accord.core._asyncapi import AsyncContract
from accord.core._contract import Contract
from accord.core._source import SourceFile

__all__ = ["SchemaNode", "SchemaResolver"]

#: keywords whose value is one schema
_SUB_SCHEMA = ("items", "additionalProperties", "not", "contains", "propertyNames")
#: keywords whose value is a list of schemas
_SUB_LISTS = ("oneOf", "anyOf", "allOf", "prefixItems")
_LOWER_BOUNDS = ("minimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "maxLength", "maxItems", "maxProperties")


@dataclass(slots=True, frozen=True)
class SchemaNode:
    """A schema value and the file its ``$ref`` s are relative to."""

    value: Any
    file: SourceFile
    pointer: str = ""


class SchemaResolver:
    """Follows ``$ref`` and flattens ``allOf`` for one contract."""

    def __init__(self, contract: Contract | AsyncContract) -> None:
        self.contract = contract
        self.openapi30 = isinstance(contract, Contract) and contract.openapi30

    def deref(self, node: SchemaNode) -> SchemaNode:
        """``node`` itself, or the schema its ``$ref`` chain leads to.

        In 3.1 the siblings of a ``$ref`` apply too; they are merged over the target.
        """
        value = node.value
        if isinstance(value, SchemaNode):
            return self.deref(value)
        if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
            return node
        target = self.contract.documents.deref(value, node.file, node.pointer)
        found = SchemaNode(target.value, target.file, target.pointer)
        siblings = {k: v for k, v in value.items() if k != "$ref"}
        if siblings and not self.openapi30 and isinstance(found.value, dict):
            return self.flatten(
                SchemaNode({"allOf": [found, SchemaNode(siblings, node.file)]}, node.file)
            )
        return found

    def flatten(self, node: SchemaNode) -> SchemaNode:
        """The schema with its ``allOf`` parts merged into one mapping (recursively)."""
        node = self.deref(node)
        value = node.value
        if not isinstance(value, dict) or "allOf" not in value:
            return node
        merged: dict[str, Any] = {}
        parts = [SchemaNode({k: v for k, v in value.items() if k != "allOf"}, node.file)]
        parts += [_child(node, item) for item in value["allOf"] or ()]
        for part in parts:
            flat = self.flatten(part)
            if isinstance(flat.value, dict):
                _merge_into(merged, flat)
        return SchemaNode(merged, node.file, node.pointer)

    def types(self, node: SchemaNode) -> list[str]:
        """The JSON types a schema allows, inferred from its keywords when ``type`` is absent."""
        value = self.flatten(node).value
        if not isinstance(value, dict):
            return []
        kind = value.get("type")
        if isinstance(kind, str):
            types = [kind]
        elif isinstance(kind, list):
            types = [str(k) for k in kind]
        elif "properties" in value or "required" in value or "additionalProperties" in value:
            types = ["object"]
        elif "items" in value or "prefixItems" in value:
            types = ["array"]
        elif any(k in value for k in ("pattern", "format", "minLength", "maxLength")):
            types = ["string"]
        elif any(k in value for k in ("minimum", "maximum", "multipleOf")):
            types = ["number"]
        else:
            types = []
        if self.openapi30 and value.get("nullable") is True and "null" not in types:
            types.append("null")
        return types


def _child(parent: SchemaNode, value: Any) -> SchemaNode:
    if isinstance(value, SchemaNode):
        return value
    return SchemaNode(value, parent.file, parent.pointer)


def _wrap(value: Any, file: SourceFile) -> Any:
    """Nested schemas of a merged mapping keep their own file."""
    if isinstance(value, SchemaNode) or not isinstance(value, dict | bool):
        return value
    return SchemaNode(value, file)


def _merge_into(merged: dict[str, Any], part: SchemaNode) -> None:
    for key, value in part.value.items():
        if key == "properties" and isinstance(value, dict):
            props = merged.setdefault("properties", {})
            for name, schema in value.items():
                wrapped = _wrap(schema, part.file)
                if name in props:
                    props[name] = SchemaNode({"allOf": [props[name], wrapped]}, part.file)
                else:
                    props[name] = wrapped
        elif key == "required" and isinstance(value, list):
            merged["required"] = list(dict.fromkeys([*merged.get("required", []), *value]))
        elif key in _SUB_SCHEMA:
            wrapped = _wrap(value, part.file)
            if key in merged and key == "items":
                merged[key] = SchemaNode({"allOf": [merged[key], wrapped]}, part.file)
            else:
                merged[key] = wrapped
        elif key in _SUB_LISTS and isinstance(value, list):
            if key in merged:  # two oneOf lists: both must hold, keep the first, the check decides
                continue
            merged[key] = [_wrap(v, part.file) for v in value]
        elif key in _LOWER_BOUNDS and isinstance(value, int | float) and key in merged:
            merged[key] = max(merged[key], value)
        elif key in _UPPER_BOUNDS and isinstance(value, int | float) and key in merged:
            merged[key] = min(merged[key], value)
        elif key == "type" and "type" in merged:
            merged[key] = _intersect(merged[key], value)
        elif key == "enum" and "enum" in merged and isinstance(value, list):
            merged[key] = [v for v in merged[key] if v in value]
        else:
            merged.setdefault(key, value)


def _intersect(a: Any, b: Any) -> Any:
    left = [a] if isinstance(a, str) else list(a or [])
    right = [b] if isinstance(b, str) else list(b or [])
    both = [t for t in left if t in right or (t == "integer" and "number" in right)]
    both += [t for t in right if t == "integer" and "number" in left and t not in both]
    if len(both) == 1:
        return both[0]
    return both or left
