"""YAML text to plain data plus compact positions, in one pass over libyaml's events.

libyaml's ``compose`` builds a Python node, with two ``Mark`` objects, for every
scalar and collection, only so that a finding can later say ``line:col``: for a
30 MiB document that is ~10 s and most of the peak memory. Here the C parser's
event stream is turned into data directly (iteratively, so nesting cannot
overflow the C stack), and each collection keeps its children's positions in an
``array`` of packed integers, about 16 bytes per entry instead of a node tree.

Scalars follow the YAML 1.2 core schema, as OpenAPI intends: ``yes`` and
``2024-01-01`` stay strings, mapping keys are always strings (``200:`` is the
string ``"200"``). Aliases share the anchored value (never copied); a document
whose aliases would expand to more than ten times its real size (billion
laughs), or an alias inside its own anchor, is refused.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import _yaml  # libyaml binding (PyYAML's C extension)

from accord._errors import AliasBombError, LoadError, Location
from accord.core._gc import long_lived
from accord.core._pointer import encode_pointer

__all__ = ["MAX_DEPTH", "Positions", "read_yaml"]

#: deeper YAML is no contract (real ones stay under 100); also bounds our stack
MAX_DEPTH = 1000
#: aliases may expand a document to at most this many times its real node count
_ALIAS_EXPANSION_FACTOR = 10
_ALIAS_EXPANSION_FLOOR = 100_000

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"

#: YAML 1.2 core schema, by first character: (tag, pattern) in the order they are tried
_RESOLVERS: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
for _tag, _regexp, _first in [
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    (
        "tag:yaml.org,2002:int",
        r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
        "-+0123456789",
    ),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+0123456789.",
    ),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    # not YAML 1.2, but real OpenAPI documents use `<<: *base` merges
    (_MERGE, r"^(?:<<)$", ["<"]),
]:
    for _char in _first:
        _RESOLVERS.setdefault(_char, []).append((_tag, re.compile(_regexp)))


def _float(value: str) -> float:
    return float(value.lower().replace(".inf", "inf").replace(".nan", "nan"))


_CONVERT: dict[str, Callable[[str], Any]] = {
    "tag:yaml.org,2002:null": lambda _v: None,
    "tag:yaml.org,2002:bool": lambda v: v.lower() == "true",
    "tag:yaml.org,2002:int": lambda v: int(v, 0) if v[:2] in ("0x", "0o") else int(v),
    "tag:yaml.org,2002:float": _float,
}


@dataclass(slots=True)
class Positions:
    """Where each value of one parsed document starts, as the source map needs it.

    ``marks[id(collection)]`` lists, per mapping entry, the key's position and the
    position a reader looks at for its value (the key for a block collection, the
    value itself for a scalar or a flow collection); per sequence item, the item's.
    """

    root: Any
    root_mark: int
    marks: dict[int, array[int]]
    _indexes: dict[int, dict[str, int]] = field(default_factory=dict)

    def entry(self, node: Any, part: str) -> tuple[Any, int, int] | None:
        """``(child, key position, value position)`` of ``part`` under ``node``."""
        marks = self.marks.get(id(node))
        if marks is None:
            return None
        if isinstance(node, dict):
            if part not in node or len(marks) != 2 * len(node):
                return None  # absent, or the data changed since it was read
            i = self._index(node, part)
            return node[part], marks[2 * i], marks[2 * i + 1]
        if isinstance(node, list) and part.isdigit() and int(part) < len(node) == len(marks):
            i = int(part)
            return node[i], 0, marks[i]
        return None

    def _index(self, node: dict[str, Any], part: str) -> int:
        if len(node) < 16:
            for i, key in enumerate(node):
                if key == part:
                    return i
        index = self._indexes.get(id(node))
        if index is None:
            index = self._indexes[id(node)] = {k: i for i, k in enumerate(node)}
        return index[part]


class _Frame:
    """A collection being built: its value, its positions and where it sits."""

    __slots__ = (
        "anchor", "at", "block", "is_map", "key", "key_mark", "mark", "marks", "size", "value"
    )  # fmt: skip

    def __init__(self, value: Any, mark: int, block: bool, anchor: str | None, at: Any) -> None:
        self.value = value
        self.is_map = type(value) is dict
        self.marks: array[int] = array("Q")
        self.mark = mark
        self.block = block
        self.anchor = anchor
        self.at = at  # its key or index in the parent (for duplicate-key pointers)
        self.key: Any = _NO_KEY
        self.key_mark = 0
        self.size = 1  # nodes in the expanded subtree (aliases counted in full)


_NO_KEY = object()
_MERGE_KEY = object()


def _error(display: str, exc: yaml.YAMLError, text: str) -> LoadError:
    if isinstance(exc, yaml.reader.ReaderError):  # a control character: where, in one line
        at = min(max(exc.position, 0), len(text))
        line = text.count("\n", 0, at) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        return LoadError(
            f"malformed YAML: character #x{code:04x} is not allowed ({exc.reason})",
            Location(display, line, at - text.rfind("\n", 0, at)),
        )
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = exc.problem or exc.context or "malformed YAML"
        context = exc.context_mark
        if exc.context and context is not None and context.line + 1 != line:
            what += f" ({exc.context} that started at line {context.line + 1}:{context.column + 1})"
        return LoadError(f"malformed YAML: {what}", Location(display, line, col))
    return LoadError(f"malformed YAML: {exc}", Location(display))


def read_yaml(text: str, display: str) -> tuple[Any, Positions | None, list[tuple[str, str]]]:
    """Parse one YAML document: ``(data, positions, duplicate keys)``.

    Duplicate keys are ``(pointer, message)``; the last value wins, as in JSON.
    Raises :class:`LoadError` for malformed YAML, more than one document, nesting
    deeper than :data:`MAX_DEPTH`, and :class:`AliasBombError` for alias bombs.
    """
    with long_lived():
        try:
            return _Reader(display).read(text)
        except yaml.YAMLError as exc:
            raise _error(display, exc, text) from None


def _unpack(packed: int) -> tuple[int, int]:
    return packed >> 32, packed & 0xFFFFFFFF


class _Reader:
    def __init__(self, display: str) -> None:
        self.display = display
        self.duplicates: list[tuple[str, str]] = []
        self.marks: dict[int, array[int]] = {}
        #: anchor -> (value, its position, block collection?, expanded size)
        self.anchors: dict[str, tuple[Any, int, bool, int]] = {}
        self.open_anchors: dict[str, int] = {}
        self.real = 0

    def read(self, text: str) -> tuple[Any, Positions | None, list[tuple[str, str]]]:
        parser = _yaml.CParser(text)
        get: Callable[[], Any] = parser.get_event
        event = get()  # StreamStart
        event = get()
        if isinstance(event, yaml.StreamEndEvent):
            return None, None, []
        document_mark = event.start_mark
        root, root_mark, size = self._document(get)
        event = get()
        if not isinstance(event, yaml.StreamEndEvent):
            raise yaml.composer.ComposerError(
                "expected a single document in the stream",
                document_mark,
                "but found another document",
                event.start_mark,
            )
        if size > max(_ALIAS_EXPANSION_FLOOR, _ALIAS_EXPANSION_FACTOR * self.real):
            raise AliasBombError(
                f"YAML aliases expand {self.real:,} nodes into {size:,}; refusing a likely "
                "alias bomb (use $ref for reuse instead of anchors)",
                Location(self.display, 1, 1),
            )
        return root, Positions(root, root_mark, self.marks), self.duplicates

    def _document(self, get: Callable[[], Any]) -> tuple[Any, int, int]:  # noqa: PLR0915
        """Events of one document (after DocumentStart, up to and with DocumentEnd)."""
        scalar_event, alias_event = yaml.ScalarEvent, yaml.AliasEvent
        mapping_start, sequence_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
        convert, resolvers, marks_of = _CONVERT, _RESOLVERS, self.marks
        stack: list[_Frame] = []
        top: _Frame | None = None
        result: tuple[Any, int, int] | None = None
        real = 0
        while True:
            event = get()
            kind = type(event)
            # one finished value: (value, position, block collection?, expanded size)
            if kind is scalar_event:
                real += 1
                value = event.value
                mark = event.start_mark
                packed = ((mark.line + 1) << 32) | (mark.column + 1)
                tag = event.tag
                if top is not None and top.is_map and top.key is _NO_KEY:
                    # a mapping key: the raw text is the key (`200:` is "200")
                    if (value == "<<" and tag is None and event.implicit[0]) or tag == _MERGE:
                        top.key = _MERGE_KEY
                    else:
                        top.key = value
                    top.key_mark = packed
                    top.size += 1
                    if event.anchor is not None:
                        self._anchor(event.anchor, value, packed, False, 1, event)
                    continue
                if tag is None or tag == "!":
                    tag = _STR
                    if event.implicit[0]:
                        for rtag, pattern in resolvers.get(value[:1], ()):
                            if pattern.match(value):
                                tag = rtag
                                break
                if tag != _STR:
                    fn = convert.get(tag)
                    if fn is not None:
                        try:
                            value = fn(value)
                        except ValueError:
                            tag = _STR  # not what its tag says (`!!int zz`): kept as text
                done: tuple[Any, int, bool, int] = (value, packed, False, 1)
                if event.anchor is not None:
                    self._anchor(event.anchor, value, packed, False, 1, event)
            elif kind is mapping_start or kind is sequence_start:
                real += 1
                if len(stack) >= MAX_DEPTH:
                    mark = event.start_mark
                    raise LoadError(
                        f"document nests deeper than {MAX_DEPTH} levels; no contract needs that",
                        Location(self.display, mark.line + 1, mark.column + 1),
                    )
                at: Any = None
                if top is not None:
                    at = top.key if top.is_map else len(top.value)
                mark = event.start_mark
                top = _Frame(
                    {} if kind is mapping_start else [],
                    ((mark.line + 1) << 32) | (mark.column + 1),
                    not event.flow_style,
                    event.anchor,
                    at,
                )
                if event.anchor is not None:
                    self.open_anchors[event.anchor] = top.mark
                stack.append(top)
                continue
            elif kind is alias_event:
                found = self.anchors.get(event.anchor)
                if found is None:
                    if event.anchor in self.open_anchors:
                        line, col = _unpack(self.open_anchors[event.anchor])
                        raise AliasBombError(
                            "recursive YAML alias: an anchor refers to itself; "
                            "contracts must be finite trees",
                            Location(self.display, line, col),
                        )
                    raise yaml.composer.ComposerError(
                        None, None, f"found undefined alias {event.anchor!r}", event.start_mark
                    )
                done = found
                if top is not None and top.is_map and top.key is _NO_KEY:
                    top.key = str(found[0])  # an aliased key: rare, its text as the name
                    top.key_mark = found[1]
                    top.size += found[3]
                    continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = stack.pop()
                top = stack[-1] if stack else None
                if frame.value:
                    marks_of[id(frame.value)] = frame.marks
                done = (frame.value, frame.mark, frame.block, frame.size)
                if frame.anchor is not None:
                    del self.open_anchors[frame.anchor]
                    self._anchor(frame.anchor, *done, event)
                if top is not None and top.is_map and top.key is _NO_KEY:
                    top.key = str(frame.value)  # a collection as a key: rare, its text
                    top.key_mark = frame.mark
                    top.size += frame.size
                    continue
            elif kind is yaml.DocumentEndEvent:
                self.real = real
                return result if result is not None else (None, 0, 0)
            else:  # pragma: no cover - libyaml emits nothing else inside a document
                raise yaml.composer.ComposerError(
                    None, None, f"unexpected {kind.__name__}", event.start_mark
                )
            # place the finished value in its parent
            if top is None:
                result = (done[0], done[1], done[3])
                continue
            top.size += done[3]
            if not top.is_map:
                top.value.append(done[0])
                top.marks.append(done[1])
                continue
            key, top.key = top.key, _NO_KEY
            if key is _MERGE_KEY:
                self._merge(top, done[0])
                continue
            mapping = top.value
            shown = top.key_mark if done[2] else done[1]
            if key in mapping:
                self._duplicate(stack, key)
                i = list(mapping).index(key)
                top.marks[2 * i] = top.key_mark
                top.marks[2 * i + 1] = shown
            else:
                top.marks.append(top.key_mark)
                top.marks.append(shown)
            mapping[key] = done[0]

    def _anchor(self, name: str, value: Any, mark: int, block: bool, size: int, event: Any) -> None:
        if name in self.anchors:
            line, col = _unpack(self.anchors[name][1])
            raise LoadError(
                f"malformed YAML: found duplicate anchor {name!r} (first at line {line}:{col})",
                Location(self.display, event.start_mark.line + 1, event.start_mark.column + 1),
            )
        self.anchors[name] = (value, mark, block, size)

    def _merge(self, frame: _Frame, merged: Any) -> None:
        """``<<: *base`` (or a list of them): keys not set yet come from the merged maps."""
        mapping = frame.value
        for extra in merged if isinstance(merged, list) else [merged]:
            if isinstance(extra, dict):
                for k, v in extra.items():
                    if k not in mapping:
                        mapping[k] = v
                        frame.marks.append(0)  # no position of its own: the parent's is used
                        frame.marks.append(0)

    def _duplicate(self, stack: list[_Frame], key: str) -> None:
        parts = [("<<" if f.at is _MERGE_KEY else f.at) for f in stack[1:]] + [key]
        self.duplicates.append((encode_pointer(parts), f"duplicate key {key!r}; the last one wins"))
