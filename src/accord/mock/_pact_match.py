"""Pact request matching: an actual request against an interaction's expected one.

Follows the Pact specification's request rules: the method ignores case; the
path, query values and header values are equal unless a matching rule says
otherwise; query parameters may not be added; headers may; the body (JSON)
must hold every expected key and no other, arrays keep their length and order,
unless matching rules (``type``, ``min``/``max``, ``regex``, ``integer``,
``decimal``, ``number``, ``boolean``, ``null``, ``include``, ``equality``,
``date``/``time``/``timestamp``, ``values``, ``eachKey``/``eachValue``) loosen
them. A rule applies to its JSON path and cascades to what is below it; the
most specific rule wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from accord.core import Body, HttpRequest

__all__ = ["Mismatch", "match_request"]

_TOKEN = re.compile(r"\.([^.\[\]]+)|\[(\d+|\*)\]|\['([^']+)'\]|\.(\*)")


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
        out += [Mismatch("path", m) for m in _apply(path_rule, expected.path, path)]
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
                out += [Mismatch(where, m) for m in _apply(rule, values[0], value)]
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
            out += [Mismatch(where, m) for m in _apply(rule, want, have)]
        elif name.lower() == "content-type" or ";" in want:
            if not _media_matches(want, have):
                out.append(Mismatch(where, f"expected {want!r}, got {have!r}"))
        elif _split(want) != _split(have):
            out.append(Mismatch(where, f"expected {want!r}, got {have!r}"))
    return out


def _media_matches(want: str, have: str) -> bool:
    """Media types equal; every parameter the pact names present (values ignore case)."""
    wanted, got = _media(want), _media(have)
    return wanted[0] == got[0] and wanted[1].items() <= got[1].items()


def _media(value: str) -> tuple[str, dict[str, str]]:
    parts = [p.strip().lower() for p in value.split(";")]
    params = dict(p.replace(" ", "").partition("=")[::2] for p in parts[1:] if p)
    return parts[0], params


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
    out: list[str] = []
    _compare(want.content, actual.content, ("$",), rules, out)
    return [Mismatch("body", m) for m in out]


# JSON bodies -------------------------------------------------------------------------------
def _compare(
    want: Any, have: Any, path: tuple[str, ...], rules: Mapping[str, Any], out: list[str]
) -> None:
    if len(out) > 20:
        return
    rule, exact = _rule_for(path, rules)
    where = _show(path)
    if rule is not None:
        problems = _apply(rule, want, have)
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
            out.append(f"{where}: expected an object, got {_kind(have)}")
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
            out.append(f"{where}: expected an array, got {_kind(have)}")
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
    if rule is None and not _equal(want, have):
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


def _equal(want: Any, have: Any) -> bool:
    if isinstance(want, bool) or isinstance(have, bool):
        return want is have
    return bool(want == have)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def _show(path: tuple[str, ...]) -> str:
    return path[0] + "".join(f"[{p}]" if p.isdigit() else f".{p}" for p in path[1:])


def _parse_rule_path(text: str) -> list[str] | None:
    if not text.startswith("$"):
        return None
    tokens: list[str] = []
    rest = text[1:]
    while rest:
        found = _TOKEN.match(rest)
        if found is None:
            return None
        tokens.append(next(g for g in found.groups() if g is not None))
        rest = rest[found.end() :]
    return tokens


def _rule_for(path: tuple[str, ...], rules: Mapping[str, Any]) -> tuple[Any, bool]:
    """The most specific rule whose path is ``path`` or one of its ancestors."""
    best: Any = None
    best_weight = -1
    exact = False
    concrete = path[1:]
    for text, rule in rules.items():
        tokens = _parse_rule_path(text)
        if tokens is None or len(tokens) > len(concrete):
            continue
        weight = 0
        for token, part in zip(tokens, concrete, strict=False):
            if token == part:
                weight += 2
            elif token == "*":
                weight += 1
            else:
                break
        else:
            weight = weight * 10 + len(tokens)
            if weight > best_weight:
                best, best_weight, exact = rule, weight, len(tokens) == len(concrete)
    return best, exact


# matchers ----------------------------------------------------------------------------------
def _apply(rule: Mapping[str, Any], want: Any, have: Any) -> list[str]:
    """Problems of ``have`` under ``rule`` (``combine`` AND: all of them; OR: any)."""
    results = [_matcher(m, want, have) for m in rule.get("matchers", ())]
    failures = [r for r in results if r]
    if str(rule.get("combine", "AND")).upper() == "OR":
        return failures if len(failures) == len(results) else []
    return failures


def _matcher(spec: Mapping[str, Any], want: Any, have: Any) -> str:
    kind = str(spec.get("match", "type"))
    if kind == "regex":
        pattern = str(spec.get("regex", ""))
        text = have if isinstance(have, str) else _text(have)
        return "" if re.fullmatch(pattern, text or "") else f"{have!r} does not match /{pattern}/"
    if kind in ("type", "min", "max"):
        if _kind(want) != _kind(have):
            return f"expected {_kind(want)}, got {_kind(have)}"
        if isinstance(have, list):
            low, high = spec.get("min"), spec.get("max")
            if isinstance(low, int) and len(have) < low:
                return f"expected at least {low} element(s), got {len(have)}"
            if isinstance(high, int) and len(have) > high:
                return f"expected at most {high} element(s), got {len(have)}"
        return ""
    if kind == "equality":
        return "" if _equal(want, have) else f"expected {want!r}, got {have!r}"
    if kind == "include":
        value = str(spec.get("value", ""))
        return "" if value in _text(have) else f"{have!r} does not include {value!r}"
    if kind == "integer":
        ok = isinstance(have, int) and not isinstance(have, bool)
        return "" if ok else f"expected an integer, got {have!r}"
    if kind == "decimal":
        ok = isinstance(have, float) or (isinstance(have, int) and not isinstance(have, bool))
        return "" if ok else f"expected a decimal, got {have!r}"
    if kind == "number":
        ok = isinstance(have, int | float) and not isinstance(have, bool)
        return "" if ok else f"expected a number, got {have!r}"
    if kind == "boolean":
        return "" if isinstance(have, bool) else f"expected a boolean, got {have!r}"
    if kind == "null":
        return "" if have is None else f"expected null, got {have!r}"
    if kind in ("date", "time", "timestamp", "datetime", "contentType", "semver", "notEmpty"):
        return "" if have not in (None, "", [], {}) else f"expected a {kind}, got {have!r}"
    return ""  # values, eachKey, eachValue, arrayContains: checked structurally or leniently


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)
