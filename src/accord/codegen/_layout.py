"""Source text laid out as black lays it out, for the few shapes the emitters write.

Formatting the generated client and stub with black cost three quarters of
``accord generate``. The emitters write a handful of shapes only (function
signatures, calls with positional and keyword arguments, dict and tuple displays,
imports, docstrings),
so they describe each long statement as a :class:`Seq` tree and :func:`lines`
places it the way black (stable style, 100 columns) would: on one line when it
fits; otherwise split at its outer bracket, the contents on one indented line if
they fit there (call arguments, parameters), else one item per line with a
trailing comma (always so for a display of two or more items). An annotation is a
union split before each ``|`` (a parameter's in brackets of its own) or a subscript
split at its bracket, wherever it stands. The tests check that black leaves every
generated file unchanged.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = [
    "LINE_LENGTH",
    "Expr",
    "Pair",
    "Seq",
    "Union",
    "annotation",
    "docstring",
    "import_from",
    "joined",
    "lines",
    "parameter",
    "quote",
]

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
    magic: bool = False  # written with a trailing comma: one item a line, however short


@dataclass(frozen=True, slots=True)
class Pair:
    """``prefix`` + a value that may split: ``key: value`` or ``name=value``."""

    prefix: str
    value: Expr


@dataclass(frozen=True, slots=True)
class Union:
    """``prefix`` + ``a | b | ...`` + ``tail``: a union annotation.

    Too long, black splits it before each ``|``; a parameter's (``bracketed``) is first
    wrapped in brackets of its own, its default (``tail``) after them.
    """

    prefix: str
    parts: tuple[Expr, ...]
    tail: str = ""
    bracketed: bool = False


Expr = str | Seq | Pair | Union


_Memo = dict[int, tuple[Expr, str]]


def flat(expr: Expr, memo: _Memo | None = None) -> str:
    """The expression on one line.

    ``memo`` holds already flattened sub-expressions by id, with the expression itself
    (alive, so that a later temporary cannot reuse its id).
    """
    if isinstance(expr, str):
        return expr
    if memo is not None and id(expr) in memo:
        return memo[id(expr)][1]
    if isinstance(expr, Pair):
        text = expr.prefix + flat(expr.value, memo)
    elif isinstance(expr, Union):
        text = expr.prefix + " | ".join(flat(p, memo) for p in expr.parts) + expr.tail
    else:
        body = ", ".join(flat(i, memo) for i in expr.items) + ("," if expr.one_tuple else "")
        text = f"{expr.head}{expr.bracket}{body}{_CLOSE[expr.bracket]}{expr.tail}"
    if memo is not None:
        memo[id(expr)] = (expr, text)
    return text


def lines(expr: Expr, indent: int, suffix: str = "") -> Iterator[str]:
    """``expr`` (a statement, or an item ending with ``suffix``) as black would lay it out."""
    return _lines(expr, indent, suffix, {})


def _lines(expr: Expr, indent: int, suffix: str, memo: _Memo) -> Iterator[str]:
    pad = " " * indent
    one = pad + flat(expr, memo) + suffix
    if isinstance(expr, Pair) and isinstance(expr.value, Seq):
        expr = joined(expr.prefix, expr.value)
    elif isinstance(expr, Pair) and isinstance(expr.value, Union):
        value = expr.value
        expr = Union(expr.prefix + value.prefix, value.parts, value.tail, value.bracketed)
    if isinstance(expr, Union) and not _fits(one):
        if expr.bracketed:  # black brackets a parameter's annotation, then splits inside
            yield pad + expr.prefix + "("
            yield from _lines(Union("", expr.parts), indent + 4, "", memo)
            yield pad + ")" + expr.tail + suffix
            return
        last = len(expr.parts) - 1  # elsewhere it splits before each ``|``
        for i, part in enumerate(expr.parts):
            end = expr.tail + suffix if i == last else ""
            yield from _lines(Pair("| ", part) if i else Pair(expr.prefix, part), indent, end, memo)
        return
    if not isinstance(expr, Seq) or not expr.items or (_fits(one) and not expr.magic):
        yield one
        return
    yield pad + expr.head + expr.bracket
    inner = " " * (indent + 4)
    items = expr.items
    if expr.magic:
        for item in items:
            yield from _lines(item, indent + 4, ",", memo)
    elif len(items) == 1:  # black adds a comma only after a lone parameter or in ``(x,)``
        comma = "," if expr.is_def or expr.one_tuple else ""
        yield from _lines(items[0], indent + 4, comma, memo)
    elif not expr.literal and _fits(together := inner + ", ".join(flat(i, memo) for i in items)):
        yield together
    else:
        for item in items:
            yield from _lines(item, indent + 4, ",", memo)
    close = pad + _CLOSE[expr.bracket] + expr.tail + suffix
    if expr.is_def and not _fits(close) and expr.tail.startswith(" -> "):
        yield from _returns(expr.tail[4:-1], indent, expr.tail[-1:] + suffix, memo)
    else:
        yield close


def _returns(text: str, indent: int, end: str, memo: _Memo) -> Iterator[str]:
    """``) -> X:`` too long: black splits ``X[...]`` at its bracket, else brackets X."""
    returned = annotation(text)
    if isinstance(returned, Seq):
        split = Seq(") -> " + returned.head, returned.items, "[", tail=end)
        yield from _lines(split, indent, "", memo)
        return
    pad = " " * indent
    yield pad + ") -> ("
    yield from _lines(returned, indent + 4, "", memo)
    yield pad + ")" + end


def joined(prefix: str, value: Seq) -> Seq:
    """``prefix`` + ``value`` as one sequence (an assignment of a display, a keyword value)."""
    return Seq(
        prefix + value.head,
        value.items,
        value.bracket,
        value.tail,
        value.literal,
        value.is_def,
        value.one_tuple,
        value.magic,
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


def annotation(text: str) -> Expr:
    """An annotation as black may split it: a :class:`Union` at its ``|``, a :class:`Seq`
    at a trailing subscript (``list[models.X]``, ``dict[str, Any]``), the same inside."""
    parts = _split_top(text, " | ")
    if len(parts) > 1:
        return Union("", tuple(annotation(p) for p in parts))
    if not text.endswith("]"):
        return text
    depth, start = 0, -1
    for i in range(len(text) - 1, -1, -1):
        depth += {"]": 1, "[": -1}.get(text[i], 0)
        if depth == 0:
            start = i
            break
    if start <= 0:
        return text
    items = _split_top(text[start + 1 : -1], ", ")
    return Seq(text[:start], tuple(annotation(i) for i in items), "[")


def parameter(text: str) -> Expr:
    """A parameter ``name: annotation`` or ``name: a | b = default``, split as black splits it."""
    name, colon, rest = text.partition(": ")
    if not colon or "[" in name:
        return text
    annotation_text, equals, default = rest.partition(" = ")
    typed = annotation(annotation_text)
    if isinstance(typed, Union):
        tail = f" = {default}" if equals else ""
        return Union(f"{name}: ", typed.parts, tail, bracketed=True)
    if equals:  # black brackets a long annotation before its default: never written
        return text
    return Pair(f"{name}: ", typed)


def _split_top(text: str, separator: str) -> list[str]:
    """``text`` split at each ``separator`` outside brackets."""
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        depth += {"[": 1, "]": -1}.get(c, 0)
        if depth == 0 and text.startswith(separator, i):
            parts.append(text[start:i])
            start = i + len(separator)
    return [*parts, text[start:]]


def import_from(module: str, names: list[str]) -> list[str]:
    """``from module import a, b``, or one name a line in brackets when that is too long."""
    one = f"from {module} import {', '.join(names)}"
    if _fits(one):
        return [one]
    return [f"from {module} import (", *(f"    {n}," for n in names), ")"]


_LINE_BREAK = re.compile(r"\r\n|[\r\n]")
_BACKSLASH_NEWLINE = re.compile(r"\\\s*\n")


def docstring(body: str, indent: int) -> str:
    """``\"\"\"body\"\"\"`` as black rewrites a docstring at ``indent``: stripped, re-indented.

    ``body`` is the source text between the quotes (already escaped); the result is
    the docstring's source lines, the first one indented.
    """
    pad = " " * indent
    if _BACKSLASH_NEWLINE.search(body):  # black leaves such a docstring alone
        return f'{pad}"""{body}"""'
    text = _reindent(body, pad) if "\n" in body else body.strip()
    trailing_backslash = False
    if text:
        if text[0] == '"':
            text = " " + text
        if text[-1] == '"':
            text += " "
        if text[-1] == "\\" and (len(text) - len(text.rstrip("\\"))) % 2:
            text += " "
            trailing_backslash = True
    elif body:
        text = " "
    split = text.splitlines()
    last = len(split[-1]) if text and not text.endswith("\n") else 0
    long_last = len(split) > 1 and last + 3 > LINE_LENGTH  # closing quotes on a line of their own
    if long_last and not trailing_backslash and not body.endswith("\n"):
        text += "\n" + pad
    return f'{pad}"""{text}"""'


def _reindent(body: str, pad: str) -> str:
    """PEP 257 trimming, as black does it: common indentation off, ``pad`` on."""
    raw = _LINE_BREAK.split(body)
    found = []
    for line in raw:  # leading tabs expanded
        stripped = line.lstrip()
        lead = line[: len(line) - len(stripped)]
        found.append(lead.expandtabs(4) + stripped if stripped else line)
    indent = min(
        (len(line) - len(line.lstrip()) for line in found[1:] if line.lstrip()),
        default=sys.maxsize,
    )
    trimmed = [found[0].strip()]
    if indent < sys.maxsize:
        last = len(found) - 2
        for i, line in enumerate(found[1:]):
            kept = line[indent:].rstrip()
            trimmed.append(pad + kept if kept or i == last else "")
    return "\n".join(trimmed)
