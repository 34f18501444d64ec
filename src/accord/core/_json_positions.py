"""Source positions for a JSON document, read only where a finding asks for one.

A JSON contract is parsed with :mod:`json` (C, fast, no positions). When a finding
needs ``line:col``, the source map walks the pointer through this index instead of
re-reading the whole text: each object or array on the way is indexed once, the
first time a pointer passes through it, by reading its members' keys with the C
string scanner and skipping each member's value with the C JSON scanner. Only the
collections that findings point into are ever indexed, so a document with hundreds
of findings in its operations costs a few C parses of the text, not a Python pass
over every token (what the YAML reader's event stream costs).

Positions are the YAML reader's (:class:`accord.core._yaml.Positions`): a mapping
entry gives its key's position and its value's, a sequence item its own, 1-based
lines and columns counted in characters, with ``\\r\\n``, ``\\r``, ``\\n``, NEL,
LS and PS as line breaks, as libyaml counts them. The handle of a node is the
offset of its first character in the text.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from itertools import accumulate
from json.decoder import scanstring  # type: ignore[attr-defined]
from typing import Any

__all__ = ["JsonPositions"]

_WS = re.compile(r"[ \t\n\r]*")
#: how deep, and over how many members, a first read goes (a path's operations' responses
#: are four levels down; Vercel's document has 2,300 members within four levels)
_EAGER_DEPTH = 4
_EAGER_MEMBERS = 20_000
#: a value's members: an object's ``key -> (key offset, value offset)``, an array's offsets
_Members = dict[str, tuple[int, int]] | list[int]


class JsonPositions:
    """Where each value of one JSON text starts, indexed lazily, collection by collection."""

    __slots__ = ("_line_starts", "_members", "_scan", "_text", "root", "root_mark")

    def __init__(self, text: str) -> None:
        self._text = text
        self._scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[attr-defined]
        self._members: dict[int, _Members | None] = {}
        self._line_starts: list[int] | None = None
        #: the root's handle: the offset where the document's value starts
        self.root: int = _WS.match(text, 0).end()  # type: ignore[union-attr]
        self.root_mark = self._mark(self.root)

    def entry(self, node: Any, part: str) -> tuple[Any, int, int] | None:
        """``(child handle, key position, value position)`` of ``part`` under ``node``."""
        if node in self._members:
            members = self._members[node]
        else:
            try:
                members = self._read(node, _EAGER_DEPTH, [_EAGER_MEMBERS])[0]
            except (IndexError, ValueError, StopIteration):  # not the JSON it was parsed as
                members = None
            self._members[node] = members
        if members is None:
            return None
        if isinstance(members, dict):
            found = members.get(part)
            if found is None:
                return None
            key, value = found
            return value, self._mark(key), self._mark(value)
        if part.isdigit() and int(part) < len(members):
            value = members[int(part)]
            return value, 0, self._mark(value)
        return None

    def _read(self, at: int, depth: int, budget: list[int]) -> tuple[_Members | None, int]:
        """The members of the collection starting at ``at`` (``None`` for a scalar) and the
        offset after it.

        Collections inside it are read too, ``depth`` levels down while ``budget`` (members
        left to read this way) lasts, and the rest skipped with the C scanner: skipping a
        value parses it, so reading the levels a pointer passes through one after the
        other would parse the top of the document once per level. Read together, it is
        parsed about once, and the deeper collections later asked for are small.
        """
        text, scan, ws, members = self._text, self._scan, _WS.match, self._members
        opener = text[at : at + 1]
        if opener not in ("{", "["):
            return None, at
        closer = "}" if opener == "{" else "]"
        pos = ws(text, at + 1).end()  # type: ignore[union-attr]
        mapping: dict[str, tuple[int, int]] = {}
        items: list[int] = []
        while text[pos] != closer:
            if opener == "{":
                key, end = scanstring(text, pos + 1)
                value = ws(text, ws(text, end).end() + 1).end()  # type: ignore[union-attr]
                mapping[key] = (pos, value)  # the last of duplicate keys wins, as in JSON
            else:
                value = pos
                items.append(value)
            budget[0] -= 1
            if depth and budget[0] > 0 and text[value] in "{[" and value not in members:
                members[value], end = self._read(value, depth - 1, budget)
            else:
                end = scan(text, value)[1]
            pos = ws(text, end).end()  # type: ignore[union-attr]
            if text[pos] == ",":
                pos = ws(text, pos + 1).end()  # type: ignore[union-attr]
        return (mapping if opener == "{" else items), pos + 1

    def _mark(self, offset: int) -> int:
        """``offset`` packed as the YAML reader packs a position: ``line << 32 | column``."""
        starts = self._line_starts
        if starts is None:
            # str.splitlines also splits at \v, \f and \x1c-\x1e, but JSON allows none of
            # them unescaped, so in JSON its lines are libyaml's (and found in C)
            lines = self._text.splitlines(keepends=True)
            starts = self._line_starts = [0, *accumulate(map(len, lines))]
        line = bisect_right(starts, offset)
        return (line << 32) | (offset - starts[line - 1] + 1)
