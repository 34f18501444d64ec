"""XML request bodies read as data, guided by the schema and its ``xml`` objects.

OpenAPI describes XML with the same Schema Objects as JSON plus ``xml`` hints
(``name``, ``attribute``, ``wrapped``). Elements become properties, repeated or
wrapped elements become arrays, and leaf text is typed per the schema, so the
body can then be checked with the same compiled validator as JSON. Documents
with a DTD are refused (no entity tricks).
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from accord.core import Contract, SchemaNode, SchemaRef, SchemaResolver, coerce

__all__ = ["is_xml", "parse_xml", "xml_to_data"]

_MAX_DEPTH = 64


def is_xml(media: str) -> bool:
    base = media.split(";", 1)[0].strip().lower()
    return base in ("application/xml", "text/xml") or base.endswith("+xml")


def parse_xml(raw: bytes) -> ElementTree.Element | str:
    """The root element, or why the bytes are not an acceptable XML document."""
    if b"<!DOCTYPE" in raw.upper() or b"<!ENTITY" in raw.upper():
        return "XML documents with a DTD or entities are not accepted"
    try:
        return ElementTree.fromstring(raw)
    except ElementTree.ParseError as exc:
        return f"the body is not well-formed XML: {exc}"


def xml_to_data(contract: Contract, schema: SchemaRef, root: ElementTree.Element) -> Any:
    """``root`` as the JSON-shaped value the schema describes."""
    resolver = SchemaResolver(contract)
    node = SchemaNode(schema.value, schema.place.file, schema.place.pointer)
    return _value(resolver, root, node, 0)


def _child(value: Any, parent: SchemaNode) -> SchemaNode:
    return value if isinstance(value, SchemaNode) else SchemaNode(value, parent.file)


def _hints(resolver: SchemaResolver, node: SchemaNode) -> dict[str, Any]:
    flat = resolver.flatten(node).value
    hints = flat.get("xml") if isinstance(flat, dict) else None
    return hints if isinstance(hints, dict) else {}


def _value(
    resolver: SchemaResolver, element: ElementTree.Element, node: SchemaNode, depth: int
) -> Any:
    if depth > _MAX_DEPTH:
        return None
    flat = resolver.flatten(node)
    schema = flat.value if isinstance(flat.value, dict) else {}
    types = tuple(resolver.types(flat))
    text = (element.text or "").strip()
    if "object" in types and text and not len(element) and not element.attrib:
        return text  # text where an object belongs: the validator will say so
    if "object" in types or (not types and len(element)):
        return _object(resolver, element, flat, schema, depth)
    if "array" in types:
        items = _child(schema.get("items") or {}, flat)
        return [_value(resolver, child, items, depth + 1) for child in element]
    return coerce(text, types)


def _object(
    resolver: SchemaResolver,
    element: ElementTree.Element,
    flat: SchemaNode,
    schema: dict[str, Any],
    depth: int,
) -> dict[str, Any]:
    found = schema.get("properties")
    props: dict[str, Any] = found if isinstance(found, dict) else {}
    out: dict[str, Any] = {}
    used: set[str] = set()
    for prop, raw in props.items():
        sub = _child(raw, flat)
        hints = _hints(resolver, sub)
        name = str(hints.get("name", prop))
        types = tuple(resolver.types(sub))
        if hints.get("attribute"):
            if name in element.attrib:
                out[prop] = coerce(element.attrib[name], types)
            continue
        if "array" in types:
            items = _child(resolver.flatten(sub).value.get("items") or {}, sub)
            item_name = str(_hints(resolver, items).get("name", name))
            holder = element.find(name) if hints.get("wrapped") else element
            if holder is None:
                continue
            found = holder.findall(item_name)
            if found or hints.get("wrapped"):
                out[prop] = [_value(resolver, c, items, depth + 1) for c in found]
                used.update((name, item_name))
            continue
        child = element.find(name)
        if child is not None:
            out[prop] = _value(resolver, child, sub, depth + 1)
            used.add(name)
    for child in element:  # elements the schema does not name: extra properties
        if child.tag not in used and child.tag not in out:
            out[child.tag] = (child.text or "").strip()
    return out
