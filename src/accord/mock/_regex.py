"""Strings that match a regular expression, drawn from a seeded ``random.Random``.

A small walker over Python's own regex parse tree (``re._parser``); it covers
what contracts use in ``pattern`` (literals, classes, ranges, groups,
alternation, bounded and unbounded repeats, anchors). Lookarounds and other
rarities give up with :class:`PatternUnsupported`; callers then fall back.
"""

from __future__ import annotations

import importlib
import random
import re
import string
from functools import cache
from typing import Any

__all__ = ["PatternUnsupported", "string_for_pattern"]

# ``sre_parse`` warns on import since 3.11; its home is ``re._parser`` (untyped, hence Any)
_parser: Any = importlib.import_module("re._parser")
_c: Any = importlib.import_module("re._constants")

#: how far past its minimum an unbounded repeat (``*``, ``+``, ``{n,}``) may go
_UNBOUNDED_EXTRA = 4
_PRINTABLE = string.ascii_letters + string.digits + "-_.~"
_CATEGORIES: dict[Any, str] = {
    _c.CATEGORY_DIGIT: string.digits,
    _c.CATEGORY_NOT_DIGIT: string.ascii_letters + "_-",
    _c.CATEGORY_SPACE: " ",
    _c.CATEGORY_NOT_SPACE: string.ascii_letters + string.digits,
    _c.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    _c.CATEGORY_NOT_WORD: "-.~ ",
}


class PatternUnsupported(ValueError):
    """The pattern uses a construct this generator does not draw from."""


@cache
def _parse(pattern: str) -> Any:
    try:
        return _parser.parse(pattern)
    except re.error as exc:
        raise PatternUnsupported(f"invalid pattern {pattern!r}: {exc}") from None


def string_for_pattern(pattern: str, rng: random.Random, *, shortest: bool = False) -> str:
    """A string matching ``pattern`` (``re.search`` semantics, as JSON Schema uses).

    With ``shortest`` every repeat takes its minimum count and every choice its
    first option, which gives short, stable values for static examples.
    """
    tree = _parse(pattern)
    groups: dict[int, str] = {}
    out = _emit(tree, rng, shortest, groups)
    if re.search(pattern, out) is None:
        raise PatternUnsupported(f"could not draw a string for {pattern!r}")
    return out


def _emit(items: Any, rng: random.Random, shortest: bool, groups: dict[int, str]) -> str:
    parts: list[str] = []
    for op, arg in items:
        parts.append(_one(op, arg, rng, shortest, groups))
    return "".join(parts)


def _one(op: Any, arg: Any, rng: random.Random, shortest: bool, groups: dict[int, str]) -> str:
    if op is _c.LITERAL:
        return chr(arg)
    if op is _c.NOT_LITERAL:
        return next(ch for ch in _PRINTABLE if ord(ch) != arg)
    if op is _c.ANY:
        return "a" if shortest else rng.choice(string.ascii_letters)
    if op is _c.IN:
        return _from_class(arg, rng, shortest)
    if op is _c.AT:
        return ""
    if op is _c.BRANCH:
        options = arg[1]
        chosen = options[0] if shortest else rng.choice(options)
        return _emit(chosen, rng, shortest, groups)
    if op is _c.SUBPATTERN:
        group, _add, _del, inner = arg
        text = _emit(inner, rng, shortest, groups)
        if group is not None:
            groups[group] = text
        return text
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", _c.MAX_REPEAT)):
        low, high, inner = arg
        if high is _c.MAXREPEAT:
            high = low + _UNBOUNDED_EXTRA
        count = low if shortest else rng.randint(low, high)
        return "".join(_emit(inner, rng, shortest, groups) for _ in range(count))
    if op is _c.GROUPREF:
        return groups.get(arg, "")
    if op is _c.ATOMIC_GROUP:
        return _emit(arg, rng, shortest, groups)
    if op is _c.CATEGORY:
        return _pick(_CATEGORIES.get(arg, "a"), rng, shortest)
    raise PatternUnsupported(f"regex construct {op} is not supported")


def _from_class(items: Any, rng: random.Random, shortest: bool) -> str:
    negate = bool(items) and items[0][0] is _c.NEGATE
    allowed: list[str] = []
    for op, arg in items[1:] if negate else items:
        if op is _c.LITERAL:
            allowed.append(chr(arg))
        elif op is _c.RANGE:
            low, high = arg
            # keep to printable ASCII when the range reaches it, else a few code points
            lo, hi = max(low, 0x20), min(high, 0x7E)
            if lo > hi:
                lo, hi = low, min(high, low + 32)
            allowed.extend(chr(c) for c in range(lo, hi + 1))
        elif op is _c.CATEGORY:
            allowed.extend(_CATEGORIES.get(arg, ""))
    if negate:
        banned = set(allowed)
        pool = [ch for ch in _PRINTABLE if ch not in banned]
        if not pool:
            raise PatternUnsupported("negated class excludes every printable character")
        return pool[0] if shortest else rng.choice(pool)
    if not allowed:
        raise PatternUnsupported("empty character class")
    return _pick("".join(allowed), rng, shortest)


def _pick(chars: str, rng: random.Random, shortest: bool) -> str:
    return chars[0] if shortest else rng.choice(chars)
