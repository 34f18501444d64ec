"""Pact request matching: an actual request against an interaction's expected one.

Follows the Pact specification's request rules: the method ignores case; the
path, query values and header values are equal unless a matching rule says
otherwise; query parameters may not be added; headers may; the body (JSON)
must hold every expected key and no other, arrays keep their length and order,
unless matching rules (``type``, ``min``/``max``, ``regex``, ``integer``,
``decimal``, ``number``, ``boolean``, ``null``, ``include``, ``equality``,
``date``/``time``/``timestamp``, ``values``, ``eachKey``/``eachValue``) loosen
them. A rule applies to its JSON path and cascades to what is below it; the
most specific rule wins. XML bodies (by the pact's content type) are compared as
element trees by :mod:`accord.mock._pact_xml`, with these same rules and matchers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from accord.core import Body, HttpRequest, MediaRange, is_xml_media
from accord.mock._pact_rules import apply_rule, equal, kind_of, rule_for
from accord.mock._pact_xml import match_xml

__all__ = ["Mismatch", "match_request"]


@dataclass(slots=True, frozen=True)
class Mismatch:
    """One way a request differs from an interaction's request."""

    where: str  # method, path, query.<name>, header.<name>, body <json path>
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def match_request(
    expected: HttpRequest,
    method: str,
    path: str,
    query: Mapping[str, Sequence[str]],
    headers: Mapping[str, Sequence[str]],
    body: Body,
) -> list[Mismatch]:
    """Every mismatch between the expected request and the actual one (empty: it matches)."""
    out: list[Mismatch] = []
    rules = expected.matching_rules
    if expected.method.upper() != method.upper():
        out.append(Mismatch("method", f"expected {expected.method.upper()}, got {method.upper()}"))
    path_rule = rules.get("path", {}).get("")
    if path_rule:
        out += [Mismatch("path", m) for m in apply_rule(path_rule, expected.path, path)]
    elif expected.path != path:
        out.append(Mismatch("path", f"expected {expected.path!r}, got {path!r}"))
    out += _query(expected, query)
    out += _headers(expected, headers)
    out += _body(expected, body)
    return out


def _query(expected: HttpRequest, actual: Mapping[str, Sequence[str]]) -> list[Mismatch]:
    out: list[Mismatch] = []
    rules = expected.matching_rules.get("query", {})
    for name, values in expected.query.items():
        got = list(actual.get(name, ()))
        where = f"query.{name}"
        if not got:
            out.append(Mismatch(where, "expected the parameter, it is missing"))
            continue
        rule = rules.get(name)
        if rule:
            for value in got:
                out += [Mismatch(where, m) for m in apply_rule(rule, values[0], value)]
        elif list(values) != got:
            out.append(Mismatch(where, f"expected {list(values)}, got {got}"))
    for name in actual:
        if name not in expected.query:
            out.append(Mismatch(f"query.{name}", "unexpected parameter"))
    return out


def _headers(expected: HttpRequest, actual: Mapping[str, Sequence[str]]) -> list[Mismatch]:
    out: list[Mismatch] = []
    rules = {k.lower(): v for k, v in expected.matching_rules.get("header", {}).items()}
    lowered = {k.lower(): list(v) for k, v in actual.items()}
    for name, values in expected.headers.items():
        where = f"header.{name}"
        got = lowered.get(name.lower())
        if got is None:
            out.append(Mismatch(where, "expected the header, it is missing"))
            continue
        want = ", ".join(values)
        have = ", ".join(got)
        rule = rules.get(name.lower())
        if rule:
            out += [Mismatch(where, m) for m in apply_rule(rule, want, have)]
        elif name.lower() == "content-type" or ";" in want:
            if not _media_matches(want, have):
                out.append(Mismatch(where, f"expected {want!r}, got {have!r}"))
        elif _split(want) != _split(have):
            out.append(Mismatch(where, f"expected {want!r}, got {have!r}"))
    return out


def _media_matches(want: str, have: str) -> bool:
    """Media types equal; every parameter the pact names present (values ignore case)."""
    wanted, got = MediaRange.parse(want), MediaRange.parse(have)
    if wanted.essence != got.essence:
        return False
    sent = {name: value.lower() for name, value in got.params}
    return all(sent.get(name) == value.lower() for name, value in wanted.params)


def _split(value: str) -> list[str]:
    return [p.strip() for p in value.split(",")]


def _body(expected: HttpRequest, actual: Body) -> list[Mismatch]:
    want = expected.body
    if not want.present:
        return []
    if want.content is None or want.content == "":
        if actual.present and actual.content not in (None, "", b""):
            return [Mismatch("body", "expected an empty body")]
        return []
    if not actual.present or actual.content in (None, ""):
        return [Mismatch("body", "expected a body, got none")]
    rules = expected.matching_rules.get("body", {})
    if _is_xml(want):
        return [Mismatch("body", m) for m in match_xml(want.content, actual.content, rules)]
    out: list[str] = []
    _compare(want.content, actual.content, ("$",), rules, out)
    return [Mismatch("body", m) for m in out]


def _is_xml(body: Body) -> bool:
    """The pact's content type says XML, or (without one) the body is an XML document."""
    if body.content_type:
        return is_xml_media(body.content_type)
    return isinstance(body.content, str) and body.content.lstrip().startswith("<?xml")


# JSON bodies -------------------------------------------------------------------------------
def _compare(
    want: Any, have: Any, path: tuple[str, ...], rules: Mapping[str, Any], out: list[str]
) -> None:
    if len(out) > 20:
        return
    rule, exact = rule_for(path, rules)
    where = _show(path)
    if rule is not None:
        problems = apply_rule(rule, want, have)
        out += [f"{where}: {m}" for m in problems]
        if problems:
            return
        if not isinstance(want, dict | list) or not isinstance(have, dict | list):
            return
        if any(m.get("match") in ("values", "eachValue") for m in rule["matchers"]):
            _each_value(want, have, path, rules, out)
            return
        cascade = True
    else:
        cascade = False
    if isinstance(want, dict):
        if not isinstance(have, dict):
            out.append(f"{where}: expected an object, got {kind_of(have)}")
            return
        for key, value in want.items():
            if key not in have:
                out.append(f"{where}: expected key {key!r}, it is missing")
            else:
                _compare(value, have[key], (*path, key), rules, out)
        if not cascade:
            for key in have:
                if key not in want:
                    out.append(f"{where}: unexpected key {key!r}")
        return
    if isinstance(want, list):
        if not isinstance(have, list):
            out.append(f"{where}: expected an array, got {kind_of(have)}")
            return
        if cascade and want:
            for i, item in enumerate(have):
                _compare(want[min(i, len(want) - 1)], item, (*path, str(i)), rules, out)
            return
        if len(want) != len(have):
            out.append(f"{where}: expected {len(want)} element(s), got {len(have)}")
        for i, (item, got) in enumerate(zip(want, have, strict=False)):
            _compare(item, got, (*path, str(i)), rules, out)
        return
    if rule is None and not equal(want, have):
        out.append(f"{where}: expected {want!r}, got {have!r}")
    del exact


def _each_value(
    want: Any, have: Any, path: tuple[str, ...], rules: Mapping[str, Any], out: list[str]
) -> None:
    template = next(iter(want.values()), None) if isinstance(want, dict) else None
    if isinstance(want, list):
        template = want[0] if want else None
    items = have.items() if isinstance(have, dict) else enumerate(have)
    for key, value in items:
        if template is not None:
            _compare(template, value, (*path, str(key)), rules, out)


def _show(path: tuple[str, ...]) -> str:
    return path[0] + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in path[1:])
