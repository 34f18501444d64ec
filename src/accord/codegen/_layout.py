"""Source text laid out as black lays it out, for the few shapes the emitters write.

Formatting the generated client and stub with black cost three quarters of
``accord generate``. The emitters write a handful of shapes only (function
signatures, calls with positional and keyword arguments, dict and tuple displays),
so they describe each long statement as a :class:`Seq` tree and :func:`lines`
places it the way black (stable style, 100 columns) would: on one line when it
fits; otherwise split at its outer bracket, the contents on one indented line if
they fit there (call arguments, parameters), else one item per line with a
trailing comma (always so for a display of two or more items). The tests check
that black leaves every generated file unchanged.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["LINE_LENGTH", "Pair", "Seq", "lines", "quote", "split_top"]

LINE_LENGTH = 100
_CLOSE = {"(": ")", "[": "]", "{": "}"}


@dataclass(frozen=True, slots=True)
class Seq:
    """``head(item, item, ...)tail``: a call, a signature, or a display (``literal``)."""

    head: str
    items: tuple[Expr, ...]
    bracket: str = "("
    tail: str = ""
    literal: bool = False  # a tuple/list/dict display
    is_def: bool = False  # a function signature (black adds a comma after a lone parameter)
    one_tuple: bool = False  # a display of one item that needs its comma: ``(x,)``


@dataclass(frozen=True, slots=True)
class Pair:
    """``prefix`` + a value that may split: ``key: value`` or ``name=value``."""

    prefix: str
    value: Expr


Expr = str | Seq | Pair


def flat(expr: Expr, memo: dict[int, str] | None = None) -> str:
    """The expression on one line (``memo``: already flattened sub-expressions, by id)."""
    if isinstance(expr, str):
        return expr
    if memo is not None and id(expr) in memo:
        return memo[id(expr)]
    if isinstance(expr, Pair):
        text = expr.prefix + flat(expr.value, memo)
    else:
        body = ", ".join(flat(i, memo) for i in expr.items) + ("," if expr.one_tuple else "")
        text = f"{expr.head}{expr.bracket}{body}{_CLOSE[expr.bracket]}{expr.tail}"
    if memo is not None:
        memo[id(expr)] = text
    return text


def lines(expr: Expr, indent: int, suffix: str = "") -> Iterator[str]:
    """``expr`` (a statement, or an item ending with ``suffix``) as black would lay it out."""
    return _lines(expr, indent, suffix, {})


def _lines(expr: Expr, indent: int, suffix: str, memo: dict[int, str]) -> Iterator[str]:
    pad = " " * indent
    one = pad + flat(expr, memo) + suffix
    if isinstance(expr, Pair) and isinstance(expr.value, Seq):
        expr = _joined(expr.prefix, expr.value)
    if _fits(one) or not isinstance(expr, Seq) or not expr.items:
        yield one
        return
    yield pad + expr.head + expr.bracket
    inner = " " * (indent + 4)
    items = expr.items
    if (len(items) == 1 and not expr.literal) or expr.one_tuple:
        comma = "," if expr.is_def or expr.one_tuple else ""
        yield from _lines(items[0], indent + 4, comma, memo)
    elif not expr.literal and _fits(joined := inner + ", ".join(flat(i, memo) for i in items)):
        yield joined
    else:
        for item in items:
            yield from _lines(item, indent + 4, ",", memo)
    close = pad + _CLOSE[expr.bracket] + expr.tail + suffix
    if expr.is_def and not _fits(close) and expr.tail.startswith(" -> "):
        yield from _returns(expr.tail[4:-1], pad, expr.tail[-1:] + suffix)
    else:
        yield close


def _returns(annotation: str, pad: str, end: str) -> Iterator[str]:
    """``) -> X:`` too long: black wraps X in brackets of its own, or splits ``X[...]``."""
    if annotation.endswith("]") and "[" in annotation:
        outer, _, inner = annotation[:-1].partition("[")
        yield f"{pad}) -> {outer}["
        yield f"{pad}    {inner}"
        yield f"{pad}]{end}"
    else:
        yield f"{pad}) -> ("
        yield f"{pad}    {annotation}"
        yield f"{pad}){end}"


def _joined(prefix: str, value: Seq) -> Seq:
    return Seq(
        prefix + value.head,
        value.items,
        value.bracket,
        value.tail,
        value.literal,
        value.is_def,
        value.one_tuple,
    )


def _fits(line: str) -> bool:
    if line.isascii():
        return len(line) <= LINE_LENGTH
    wide = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in line)
    return wide <= LINE_LENGTH


def quote(text: str) -> str:
    """A string literal as black writes it: double quotes unless they need more escapes."""
    literal = repr(text)
    if literal[0] == '"' or text.count('"') > text.count("'"):
        return literal
    body = literal[1:-1].replace("\\'", "'").replace('"', '\\"')
    return f'"{body}"'


def split_top(text: str) -> list[str]:
    """``text`` split at the ``", "`` that are outside brackets and string literals."""
    parts: list[str] = []
    depth, start, i, quote_char = 0, 0, 0, ""
    while i < len(text):
        c = text[i]
        if quote_char:
            if c == "\\":
                i += 1
            elif c == quote_char:
                quote_char = ""
        elif c in "'\"":
            quote_char = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif c == "," and depth == 0 and text.startswith(", ", i):
            parts.append(text[start:i])
            start = i + 2
            i += 1
        i += 1
    parts.append(text[start:])
    return [p for p in parts if p]
