"""Source text laid out as black lays it out, for the few shapes the emitters write.

Formatting the generated client and stub with black cost three quarters of
``accord generate``. The emitters write a handful of shapes only (function
signatures, calls with positional and keyword arguments, dict and tuple displays,
imports, docstrings),
so they describe each long statement as a :class:`Seq` tree and :func:`lines`
places it the way black (stable style, 100 columns) would: on one line when it
fits; otherwise split at its outer bracket, the contents on one indented line if
they fit there (call arguments, parameters), else one item per line with a
trailing comma (always so for a display of two or more items). The tests check
that black leaves every generated file unchanged.
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
    """``prefix`` + ``a | b | ...`` + ``tail``: a parameter's union annotation and default."""

    prefix: str
    parts: tuple[Expr, ...]
    tail: str = ""


Expr = str | Seq | Pair | Union


def flat(expr: Expr, memo: dict[int, str] | None = None) -> str:
    """The expression on one line (``memo``: already flattened sub-expressions, by id)."""
    if isinstance(expr, str):
        return expr
    if memo is not None and id(expr) in memo:
        return memo[id(expr)]
    if isinstance(expr, Pair):
        text = expr.prefix + flat(expr.value, memo)
    elif isinstance(expr, Union):
        text = expr.prefix + " | ".join(flat(p, memo) for p in expr.parts) + expr.tail
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
        expr = joined(expr.prefix, expr.value)
    if isinstance(expr, Union) and not _fits(one):  # black brackets the annotation
        yield pad + expr.prefix + "("
        inner = " " * (indent + 4)
        if _fits(together := inner + " | ".join(flat(p, memo) for p in expr.parts)):
            yield together
        else:
            for i, part in enumerate(expr.parts):
                yield from _lines(Pair("| ", part) if i else part, indent + 4, "", memo)
        yield pad + ")" + expr.tail + suffix
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
    """An annotation black may split at its subscript: ``list[models.X]``, ``body: list[...]``.

    Only a subscript of one item at the end is a :class:`Seq` (nested ones too); anything
    else stays text. A union or default after it (``list[X] | None = None``), which black
    wraps in brackets of its own when too long, is not laid out: the tests' documents and
    shapes never need it.
    """
    close = len(text) - 1
    if not text.endswith("]"):  # a union or a default: black brackets those first (not done)
        return text
    depth, start = 0, -1
    for i in range(close, -1, -1):
        depth += {"]": 1, "[": -1}.get(text[i], 0)
        if depth == 0:
            start = i
            break
    inner = text[start + 1 : close]
    if start <= 0 or "," in inner:
        return text
    return Seq(text[:start], (annotation(inner),), "[")


def parameter(text: str) -> Expr:
    """A parameter ``name: annotation`` or ``name: a | b = default``, split as black splits it."""
    name, colon, rest = text.partition(": ")
    if not colon or "[" in name:
        return text
    annotation_text, equals, default = rest.partition(" = ")
    parts = _split_union(annotation_text)
    if len(parts) == 1:
        return annotation(text) if not equals else text
    tail = f" = {default}" if equals else ""
    return Union(f"{name}: ", tuple(annotation(p) for p in parts), tail)


def _split_union(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, c in enumerate(text):
        depth += {"[": 1, "]": -1}.get(c, 0)
        if depth == 0 and text.startswith(" | ", i):
            parts.append(text[start:i])
            start = i + 3
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
