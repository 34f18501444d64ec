"""Pact request matching for XML bodies: the expected element tree against the actual one.

The walk follows the Pact reference implementations. Element names must be equal;
every expected attribute must be there with an equal value and no other attribute may
be; child elements are grouped by name and each group is compared like an array (same
count, in order); text (whitespace-only text ignored) is compared as a string.

Matching rules use the JSON rule machinery of :mod:`accord.mock._pact_rules`, with
paths that name elements: ``$.animals.alligator`` (the ``alligator`` children of the
root ``animals``), ``$.animals.alligator['@name']`` (an attribute) and
``$.animals.alligator.#text`` (the text). Array indices in a rule's path are ignored,
since XML paths name elements rather than positions. A rule cascades to what is below
its element. On an element, ``type`` and ``equality`` check the name, ``min``/``max``
(on the rule's own element) bound how many child elements it has, and value matchers
(``regex``, ``include``, ``integer``...) check its text. A ``type`` rule over a group of
children lets the count differ: every actual child is compared with the first expected one.

Untrusted documents are parsed by :func:`accord.mock._xml.parse_xml`, which refuses DTDs
and entities; a body that does not parse is a mismatch, never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from xml.etree.ElementTree import Element

from accord.mock._pact_rules import Check, apply_rule, check_value, kind_of, rule_for
from accord.mock._xml import parse_xml

__all__ = ["match_xml"]

_MAX_DEPTH = 64
_MAX_PROBLEMS = 20
_NUMERIC = ("integer", "decimal", "number", "boolean")
_SIZE_KINDS = ("type", "min", "max")

Path = tuple[str, ...]


def match_xml(want: Any, have: Any, rules: Mapping[str, Any]) -> list[str]:
    """Every way the actual XML body ``have`` differs from the expected ``want``."""
    expected = _parse(want)
    if isinstance(expected, str):
        return [f"$: the pact's expected body is not usable XML ({expected})"]
    if not isinstance(have, str | bytes):
        return [f"$: expected an XML body, got {kind_of(have)}"]
    actual = _parse(have)
    if isinstance(actual, str):
        return [f"$: {actual}"]
    out: list[str] = []
    name = _local(expected.tag)
    _element(expected, actual, ("$", name), f"$.{name}", rules, out, 0)
    return out


def _parse(body: Any) -> Element | str:
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not isinstance(body, bytes):
        return f"expected XML text, got {kind_of(body)}"
    return parse_xml(body)


def _element(
    want: Element,
    have: Element,
    path: Path,
    where: str,
    rules: Mapping[str, Any],
    out: list[str],
    depth: int,
) -> None:
    if len(out) > _MAX_PROBLEMS:
        return
    if depth > _MAX_DEPTH:
        out.append(f"{where}: elements nested more than {_MAX_DEPTH} deep are not compared")
        return
    rule, exact = rule_for(path, rules, indices=False)
    if rule is not None:
        problems = apply_rule(rule, want, have, _element_check(exact))
    elif want.tag != have.tag:
        problems = [f"expected element {_show(want.tag)}, got {_show(have.tag)}"]
    else:
        problems = []
    if problems:
        out += [f"{where}: {m}" for m in problems]
        return
    _attributes(want, have, path, where, rules, out)
    _children(want, have, path, where, rules, out, depth)
    _value(_text(want), _text(have), (*path, "#text"), f"{where}.#text", rules, out, "text ")


def _attributes(
    want: Element, have: Element, path: Path, where: str, rules: Mapping[str, Any], out: list[str]
) -> None:
    for key, value in want.attrib.items():
        name = _local(key)
        at = f"{where}['@{name}']"
        if key not in have.attrib:
            out.append(f"{at}: expected attribute {name}={value!r}, it is missing")
            continue
        _value(value, have.attrib[key], (*path, f"@{name}"), at, rules, out, f"{name}=")
    for key, value in have.attrib.items():
        if key not in want.attrib:
            name = _local(key)
            out.append(f"{where}['@{name}']: unexpected attribute {name}={value!r}")


def _children(
    want: Element,
    have: Element,
    path: Path,
    where: str,
    rules: Mapping[str, Any],
    out: list[str],
    depth: int,
) -> None:
    expected, actual = _by_name(want), _by_name(have)
    if not expected and actual:
        names = ", ".join(f"<{_local(tag)}>" for tag in actual)
        out.append(f"{where}: expected no child elements, got {names}")
        return
    for tag, wanted in expected.items():
        name = _local(tag)
        child_path = (*path, name)
        got = actual.get(tag, [])
        if not got:
            out.append(f"{where}: expected child element <{name}>, it is missing")
            continue
        rule, _ = rule_for(child_path, rules, indices=False)
        if rule is not None and any(_kind_of(m) in _SIZE_KINDS for m in rule["matchers"]):
            pairs = [(wanted[0], item) for item in got]
        else:
            if len(wanted) != len(got):
                out.append(
                    f"{where}.{name}: expected {len(wanted)} <{name}> element(s), got {len(got)}"
                )
            pairs = list(zip(wanted, got, strict=False))
        many = len(wanted) > 1 or len(got) > 1
        for i, (one, other) in enumerate(pairs):
            at = f"{where}.{name}[{i}]" if many else f"{where}.{name}"
            _element(one, other, child_path, at, rules, out, depth + 1)
    for tag in actual:
        if tag not in expected:
            out.append(f"{where}: unexpected child element <{_local(tag)}>")


def _value(
    want: str,
    have: str,
    path: Path,
    where: str,
    rules: Mapping[str, Any],
    out: list[str],
    label: str,
) -> None:
    rule, _ = rule_for(path, rules, indices=False)
    if rule is not None:
        out += [f"{where}: {m}" for m in apply_rule(rule, want, have, _text_check)]
    elif want != have:
        out.append(f"{where}: expected {label}{want!r}, got {label}{have!r}")


def _element_check(exact: bool) -> Check:
    """One matcher applied to an element: names, the number of children, or its text."""

    def check(spec: Mapping[str, Any], want: Element, have: Element) -> str:
        kind = _kind_of(spec)
        if kind in (*_SIZE_KINDS, "equality"):
            if want.tag != have.tag:
                return f"expected element {_show(want.tag)}, got {_show(have.tag)}"
            count = len(have)
            low, high = spec.get("min"), spec.get("max")
            if exact and isinstance(low, int) and count < low:
                return f"expected at least {low} child element(s), got {count}"
            if exact and isinstance(high, int) and count > high:
                return f"expected at most {high} child element(s), got {count}"
            return ""
        return _text_check(spec, _text(want), _text(have))

    return check


def _text_check(spec: Mapping[str, Any], want: Any, have: Any) -> str:
    """One matcher applied to text: numeric and boolean matchers read the text as a value."""
    if _kind_of(spec) in _NUMERIC:
        return check_value(spec, _typed(want), _typed(have))
    return check_value(spec, want, have)


def _typed(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    value = text.strip()
    if re.fullmatch(r"[+-]?\d+", value):
        return int(value)
    if re.fullmatch(r"[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?", value):
        return float(value)
    return {"true": True, "false": False}.get(value, text)


def _kind_of(spec: Mapping[str, Any]) -> str:
    return str(spec.get("match", "type"))


def _by_name(element: Element) -> dict[str, list[Element]]:
    groups: dict[str, list[Element]] = {}
    for child in element:
        if isinstance(child.tag, str):  # not a comment or processing instruction
            groups.setdefault(child.tag, []).append(child)
    return groups


def _text(element: Element) -> str:
    """The element's own text (not its children's), each piece stripped."""
    parts = [element.text or "", *(child.tail or "" for child in element)]
    return "".join(p.strip() for p in parts)


def _show(tag: str) -> str:
    uri, _, name = tag[1:].rpartition("}") if tag.startswith("{") else ("", "", tag)
    return f"<{name}> of namespace {uri!r}" if uri else f"<{name}>"


def _local(tag: str) -> str:
    """``{namespace}name`` as ``name``: paths and messages use local names."""
    return tag.rpartition("}")[2]
