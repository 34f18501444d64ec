"""XML request bodies read as data, guided by the schema and its ``xml`` objects.

OpenAPI describes XML with the same Schema Objects as JSON plus ``xml`` hints
(``name``, ``attribute``, ``wrapped``). Elements become properties, repeated or
wrapped elements become arrays, and leaf text is typed per the schema, so the
body can then be checked with the same compiled validator as JSON. Documents
with a DTD are refused, whatever their encoding (no entity tricks).
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree
from xml.parsers import expat

from accord.core import Contract, SchemaNode, SchemaRef, SchemaResolver, coerce

__all__ = ["is_xml", "parse_xml", "xml_to_data"]

_MAX_DEPTH = 64


def is_xml(media: str) -> bool:
    base = media.split(";", 1)[0].strip().lower()
    return base in ("application/xml", "text/xml") or base.endswith("+xml")


class _Refused(Exception):
    """A DTD (and so any entity declaration) met while parsing."""


def _refuse(*_: object) -> None:
    raise _Refused


def _name(raw: str) -> str:
    """expat's ``uri}local`` as ElementTree's ``{uri}local``."""
    return "{" + raw if "}" in raw else raw


def parse_xml(raw: bytes) -> ElementTree.Element | str:
    """The root element, or why the bytes are not an acceptable XML document.

    expat reads the encoding from the document itself (byte order mark, the XML
    declaration), and the refusal is a handler on the parsed document type
    declaration, so no encoding can smuggle a DTD past it: a document with one is
    refused before any entity it declares is expanded. Without a DTD, only XML's
    predefined and character references exist; any other is not well-formed.
    """
    builder = ElementTree.TreeBuilder()
    parser = expat.ParserCreate(None, "}")
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.NotationDeclHandler = _refuse
    parser.StartElementHandler = lambda tag, attrs: builder.start(
        _name(tag), {_name(k): v for k, v in attrs.items()}
    )
    parser.EndElementHandler = lambda tag: builder.end(_name(tag))
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(raw, True)
    except _Refused:
        return "XML documents with a DTD or entities are not accepted"
    except expat.ExpatError as exc:
        return f"the body is not well-formed XML: {exc}"
    return builder.close()


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
