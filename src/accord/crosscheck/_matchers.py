"""Pact matching rules: where a body's example only stands for "any value like this".

With a ``type`` matcher (or a regex, a number matcher, ``eachLike``...) the
consumer accepts any value of that shape, so the example is representative,
not literal. A response example that breaks a *value* constraint of the schema
(``enum``, ``pattern``, ``minimum``...) under such a matcher is no disagreement:
the provider sends other, valid values and the consumer accepts them. Type and
structure still count: ``"id": "1"`` against ``type: integer`` is reported.
Pact matchers cascade, so a rule on ``$.items`` covers everything below it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["VALUE_KEYWORDS", "representative"]

#: schema keywords about a value's content rather than its type or shape
VALUE_KEYWORDS = frozenset(
    {
        "enum",
        "const",
        "pattern",
        "format",
        "minimum",
        "maximum",
        "exclusiveminimum",
        "exclusivemaximum",
        "multipleof",
        "minlength",
        "maxlength",
        "minitems",
        "maxitems",
    }
)
_TOKEN = re.compile(r"\.([^.\[\]]+)|\[\s*'([^']*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]|\[(\*|\d+)\]")


def representative(rules: Mapping[str, Mapping[str, Any]], path: Sequence[str | int]) -> bool:
    """True when a non-equality matcher of the ``body`` rules covers instance ``path``."""
    body = rules.get("body") or {}
    for expression, entry in body.items():
        matchers = entry.get("matchers") if isinstance(entry, Mapping) else None
        if not isinstance(matchers, list) or not any(_loose(m) for m in matchers):
            continue
        tokens = _tokens(str(expression))
        if tokens is not None and _covers(tokens, path):
            return True
    return False


def _loose(matcher: Any) -> bool:
    return isinstance(matcher, Mapping) and matcher.get("match", "type") != "equality"


def _tokens(expression: str) -> list[str] | None:
    if not expression.startswith("$"):
        return None
    rest, out, pos = expression[1:], [], 0
    while pos < len(rest):
        found = _TOKEN.match(rest, pos)
        if found is None:
            return None
        out.append(next(g for g in found.groups() if g is not None))
        pos = found.end()
    return out


def _covers(tokens: list[str], path: Sequence[str | int]) -> bool:
    if len(tokens) > len(path):
        return False
    return all(t == "*" or t == str(p) for t, p in zip(tokens, path, strict=False))
