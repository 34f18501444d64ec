"""XML bodies read as data and data written as XML, guided by the schema's ``xml`` objects.

OpenAPI describes XML with the same Schema Objects as JSON plus ``xml`` hints
(``name``, ``attribute``, ``wrapped``, ``prefix``, ``namespace``). Reading, elements
become properties, repeated or wrapped elements become arrays, and leaf text is typed
per the schema, so the body can then be checked with the same compiled validator as
JSON. Documents with a DTD are refused, whatever their encoding (no entity tricks).
Writing (:func:`data_to_xml`, for the mock's XML answers) is the same mapping backwards:
the root element is named by the schema's ``xml.name``, else its component's name.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree
from xml.parsers import expat

from accord.core import Contract, SchemaNode, SchemaRef, SchemaResolver, coerce

__all__ = ["data_to_xml", "parse_xml", "xml_to_data"]

_MAX_DEPTH = 64


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
        if text and not len(element):
            return text  # text where an array belongs: the validator will say so
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
            text = (holder.text or "").strip() if hints.get("wrapped") else ""
            if text and not found:  # text where the wrapped array belongs: the validator says so
                out[prop] = text
                used.add(name)
            elif found or hints.get("wrapped"):
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


def data_to_xml(contract: Contract, schema: SchemaRef | None, value: Any) -> bytes:
    """``value`` (JSON-shaped data valid against ``schema``) as an XML document."""
    resolver = SchemaResolver(contract)
    if schema is None:
        node = SchemaNode({}, contract.root, "")
    else:
        node = SchemaNode(schema.value, schema.place.file, schema.place.pointer)
    root = _element(resolver, node, value, _root_name(resolver, node), 0)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(root)


def _component_name(node: SchemaNode) -> str | None:
    ref = node.value.get("$ref") if isinstance(node.value, dict) else None
    pointer = ref.rsplit("#", 1)[-1] if isinstance(ref, str) else node.pointer
    if pointer.startswith("/components/schemas/") or pointer.startswith("/definitions/"):
        return pointer.rsplit("/", 1)[-1].replace("~1", "/").replace("~0", "~")
    return None


def _root_name(resolver: SchemaResolver, node: SchemaNode) -> str:
    hints = _hints(resolver, node)
    name = hints.get("name") or _component_name(node)
    if name is None and "array" in resolver.types(node):
        return "items"
    return _tag(str(name or "root"), hints)


def _tag(name: str, hints: dict[str, Any]) -> str:
    prefix = hints.get("prefix")
    return f"{prefix}:{name}" if isinstance(prefix, str) and prefix else name


def _text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _element(
    resolver: SchemaResolver, node: SchemaNode, value: Any, tag: str, depth: int
) -> ElementTree.Element:
    element = ElementTree.Element(tag)
    hints = _hints(resolver, node)
    namespace = hints.get("namespace")
    if isinstance(namespace, str) and namespace:
        prefix = hints.get("prefix")
        element.set(f"xmlns:{prefix}" if isinstance(prefix, str) and prefix else "xmlns", namespace)
    if depth > _MAX_DEPTH:
        return element
    flat = resolver.flatten(node)
    schema = flat.value if isinstance(flat.value, dict) else {}
    if isinstance(value, dict):
        _fill_object(resolver, element, flat, schema, value, depth)
    elif isinstance(value, list):
        items = _child(schema.get("items") or {}, flat)
        item_hints = _hints(resolver, items)
        name = _tag(str(item_hints.get("name") or _component_name(items) or "item"), item_hints)
        for item in value:
            element.append(_element(resolver, items, item, name, depth + 1))
    else:
        element.text = _text_of(value)
    return element


def _fill_object(
    resolver: SchemaResolver,
    element: ElementTree.Element,
    flat: SchemaNode,
    schema: dict[str, Any],
    value: dict[str, Any],
    depth: int,
) -> None:
    found = schema.get("properties")
    props: dict[str, Any] = found if isinstance(found, dict) else {}
    for prop, item in value.items():
        sub = _child(props.get(prop, {}), flat)
        hints = _hints(resolver, sub)
        name = _tag(str(hints.get("name", prop)), hints)
        if hints.get("attribute") and not isinstance(item, dict | list):
            element.set(name, _text_of(item))
        elif isinstance(item, list):
            items = _child(resolver.flatten(sub).value.get("items") or {}, sub)
            item_hints = _hints(resolver, items)
            item_name = _tag(str(item_hints.get("name", hints.get("name", prop))), item_hints)
            holder = element
            if hints.get("wrapped"):
                holder = ElementTree.SubElement(element, name)
            for entry in item:
                holder.append(_element(resolver, items, entry, item_name, depth + 1))
        else:
            element.append(_element(resolver, sub, item, name, depth + 1))
