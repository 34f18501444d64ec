"""Whether a pact matcher can be read at all: its ``match`` a type the Pact specification
knows, its fields of the types the type needs, its regex one the Pact FFI's Rust ``regex``
engine compiles, its date format with its quotes closed.

A matcher that cannot be read makes Pact fail (or skip) every comparison under it, so the
class it stands for is unknown; ``_matchers`` reports it (a warning naming what is wrong)
instead of judging it against the schema, where it would otherwise be passed over silently.
"""

from __future__ import annotations

import functools
import re
import re._constants as sre  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
from collections.abc import Mapping
from typing import Any

from accord.core import rust_regex

__all__ = ["unreadable"]

#: every ``match`` the Pact specification (V2-V4) and the reference engines read
KNOWN = frozenset(
    {
        "equality", "regex", "type", "min", "max", "include", "integer", "decimal", "number",
        "real", "timestamp", "datetime", "date", "time", "null", "boolean", "contentType",
        "content-type", "values", "arrayContains", "statusCode", "notEmpty", "semver",
        "eachKey", "eachValue",
    }
)  # fmt: skip
_DATES = ("timestamp", "datetime", "date", "time")
#: what Rust's ``regex`` crate (the Pact FFI, pact-js, pact-go) does not have
_BACKTRACKING = {sre.ASSERT: "a lookaround", sre.ASSERT_NOT: "a lookaround"}
_BACKTRACKING[sre.GROUPREF] = "a back reference"


def unreadable(matcher: Mapping[str, Any]) -> str | None:
    """What makes ``matcher`` unreadable, or None when it can be read."""
    kind = matcher.get("match", "regex" if "regex" in matcher else "type")
    if not isinstance(kind, str) or kind not in KNOWN:
        return f"`match` {kind!r} is no matcher type the Pact specification knows"
    for key in ("min", "max"):
        bound = matcher.get(key)
        if key in matcher and (not isinstance(bound, int) or isinstance(bound, bool) or bound < 0):
            return f"`{key}` must be a non-negative integer, got {bound!r}"
    if kind == "regex":
        return _regex_problem(matcher.get("regex"))
    if kind in _DATES:
        text = matcher.get("format", matcher.get(kind))
        if text is not None and not isinstance(text, str):
            return f"the {kind} format must be a string, got {text!r}"
        if isinstance(text, str) and text.replace("''", "").count("'") % 2:
            return f"the {kind} format {text!r} opens a quoted literal it never closes"
    if kind == "include" and not isinstance(matcher.get("value"), str):
        return f"`include` needs a string `value`, got {matcher.get('value')!r}"
    if kind in ("eachKey", "eachValue"):
        rules = matcher.get("rules")
        if not isinstance(rules, list) or not all(isinstance(r, Mapping) for r in rules):
            return f"`{kind}` needs `rules`, an array of matchers, got {rules!r}"
        if kind == "eachKey":  # eachValue's rules are judged (and so read) one by one
            return next((found for r in rules if (found := unreadable(r)) is not None), None)
    return None


def _regex_problem(pattern: Any) -> str | None:
    if not isinstance(pattern, str):
        return f"`regex` must be a string, got {pattern!r}"
    return _pattern_problem(pattern)


@functools.lru_cache(maxsize=1024)  # a pact repeats its patterns over its interactions
def _pattern_problem(pattern: str) -> str | None:
    if rust_regex(pattern) is None:
        return f"the regex {pattern!r} does not compile (Rust regex syntax)"
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError):
        return None  # Python's syntax differs (\p{L}, [[:alpha:]]): the Rust engine decides
    found = _construct(list(parsed), 0)
    if found is not None:
        return (
            f"the regex {pattern!r} uses {found}, which the Pact FFI's Rust regex engine"
            " refuses (pact-jvm alone reads it)"
        )
    return None


def _construct(items: list[tuple[Any, Any]], depth: int) -> str | None:
    """The first construct Rust's ``regex`` crate lacks, walking the parsed pattern."""
    if depth > 100:
        return None
    for op, arg in items:
        if op in _BACKTRACKING:
            return _BACKTRACKING[op]
        inner: list[Any] = []
        if op is sre.SUBPATTERN:
            inner = [list(arg[3])]
        elif op is sre.BRANCH:
            inner = [list(a) for a in arg[1]]
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            inner = [list(arg[2])]
        for part in inner:
            found = _construct(part, depth + 1)
            if found is not None:
                return found
    return None
