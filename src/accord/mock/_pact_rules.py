"""Pact matching rules: which rule applies at a path, and what each matcher accepts.

Shared by the JSON comparison (:mod:`accord.mock._pact_match`) and the XML one
(:mod:`accord.mock._pact_xml`). A rule's path is a JSON path (``$.a.b[*]``); the
most specific rule whose path is the value's path or an ancestor applies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from accord.core import rust_regex

__all__ = ["Check", "apply_rule", "check_value", "equal", "kind_of", "parse_rule_path", "rule_for"]

_TOKEN = re.compile(r"\.([^.\[\]]+)|\[(\d+|\*)\]|\['([^']+)'\]|\.(\*)")
_INDEX = 2  # the group of _TOKEN that holds an array index ([0], [*])

#: one matcher of a rule (``{"match": ..., ...}``) applied to a value: the problem, or ""
Check = Callable[[Mapping[str, Any], Any, Any], str]


def equal(want: Any, have: Any) -> bool:
    if isinstance(want, bool) or isinstance(have, bool):
        return want is have
    return bool(want == have)


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an array" if isinstance(value, list) else "an object"


def parse_rule_path(text: str, *, indices: bool = True) -> list[str] | None:
    """The tokens of a rule's path; without ``indices``, array indices (``[0]``, ``[*]``) go."""
    if not text.startswith("$"):
        return None
    tokens: list[str] = []
    rest = text[1:]
    while rest:
        found = _TOKEN.match(rest)
        if found is None:
            return None
        if indices or found.group(_INDEX) is None:
            tokens.append(next(g for g in found.groups() if g is not None))
        rest = rest[found.end() :]
    return tokens


def rule_for(
    path: tuple[str, ...], rules: Mapping[str, Any], *, indices: bool = True
) -> tuple[Any, bool]:
    """The most specific rule whose path is ``path`` or one of its ancestors, and whether exact.

    Without ``indices`` (XML, whose paths name elements, not positions) the rules' array
    indices are ignored: ``$.a.b[*]['@c']`` and ``$.a[*].b['@c']`` both mean ``$.a.b['@c']``.
    """
    best: Any = None
    best_weight = -1
    exact = False
    concrete = path[1:]
    for text, rule in rules.items():
        tokens = parse_rule_path(text, indices=indices)
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
def apply_rule(
    rule: Mapping[str, Any], want: Any, have: Any, check: Check | None = None
) -> list[str]:
    """Problems of ``have`` under ``rule`` (``combine`` AND: all of them; OR: any).

    ``check`` applies one matcher; by default :func:`check_value`, for JSON values.
    """
    check = check or check_value
    results = [check(m, want, have) for m in rule.get("matchers", ())]
    failures = [r for r in results if r]
    if str(rule.get("combine", "AND")).upper() == "OR":
        return failures if len(failures) == len(results) else []
    return failures


def check_value(spec: Mapping[str, Any], want: Any, have: Any) -> str:
    kind = str(spec.get("match", "type"))
    if kind == "regex":
        # a Rust engine: the pact's pattern never backtracks for ever on the client's text
        pattern = str(spec.get("regex", ""))
        text = have if isinstance(have, str) else _text(have)
        matches = rust_regex(pattern, whole=True)
        if matches is None:
            return f"the pact's regex /{pattern}/ cannot be read, so nothing matches it"
        return "" if matches(text or "") else f"{have!r} does not match /{pattern}/"
    if kind in ("type", "min", "max"):
        if kind_of(want) != kind_of(have):
            return f"expected {kind_of(want)}, got {kind_of(have)}"
        if isinstance(have, list):
            low, high = spec.get("min"), spec.get("max")
            if isinstance(low, int) and len(have) < low:
                return f"expected at least {low} element(s), got {len(have)}"
            if isinstance(high, int) and len(have) > high:
                return f"expected at most {high} element(s), got {len(have)}"
        return ""
    if kind == "equality":
        return "" if equal(want, have) else f"expected {want!r}, got {have!r}"
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
