"""Reading YAML and JSON files into plain data plus a source map.

YAML is composed with libyaml (``yaml.compose`` with the C parser), which gives
every node a line/column mark, and the node tree is turned into plain Python
data here. Scalars follow the YAML 1.2 core schema, as OpenAPI intends: ``yes``
and ``2024-01-01`` stay strings, mapping keys are always strings (``200:`` is
the string ``"200"``). JSON is parsed with :mod:`json` (fast) and only composed
for marks when a location is first asked for.
"""

from __future__ import annotations

import json
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from accord._errors import AliasBombError, DocumentTooLarge, LoadError, Location

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SourceFile",
    "SourceMap",
    "decode_pointer",
    "encode_pointer",
    "load_source",
]

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
#: deeper YAML would overflow libyaml's C stack; real contracts stay under 100
MAX_DEPTH = 1000
#: aliases may expand a document to at most this many times its real node count
_ALIAS_EXPANSION_FACTOR = 10
_ALIAS_EXPANSION_FLOOR = 100_000


class _Loader(yaml.CSafeLoader):
    """libyaml parser with YAML 1.2 core-schema scalar resolution."""


_Loader.yaml_implicit_resolvers = {}
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
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", ["<"]),
]:
    _Loader.add_implicit_resolver(_tag, re.compile(_regexp), list(_first))


def encode_pointer(parts: tuple[str | int, ...] | list[str | int]) -> str:
    """Build a JSON pointer (RFC 6901) from path parts."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def decode_pointer(pointer: str) -> list[str]:
    """Split a JSON pointer into its unescaped parts (``""`` is the root)."""
    if pointer in ("", "#"):
        return []
    if pointer.startswith("#"):
        pointer = pointer[1:]
    if not pointer.startswith("/"):
        raise ValueError(f"a JSON pointer starts with '/': {pointer!r}")
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer[1:].split("/")]


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


@dataclass(slots=True)
class SourceMap:
    """Maps JSON pointers inside one file to 1-based ``line:col`` positions."""

    file: str
    _root: yaml.Node | None = None
    _compose: Callable[[], yaml.Node | None] | None = None

    def locate(self, pointer: str | list[str | int] | tuple[str | int, ...] = "") -> Location:
        """The location of the node at ``pointer``, or of its closest existing ancestor."""
        if not isinstance(pointer, str):
            pointer = encode_pointer(list(pointer))
        root = self._node()
        if root is None:
            return Location(self.file, 1, 1, pointer)
        node, mark_node = root, root
        for part in decode_pointer(pointer):
            found = _child(node, part)
            if found is None:
                break
            key, node = found
            # a block collection "starts" at its first child; its key is where a reader looks
            block = isinstance(node, yaml.CollectionNode) and not node.flow_style
            mark_node = key if key is not None and block else node
        line, col = _mark(mark_node)
        return Location(self.file, line, col, pointer)

    def locate_key(self, pointer: str) -> Location:
        """Like :meth:`locate`, but points at the mapping key rather than its value."""
        root = self._node()
        parts = decode_pointer(pointer)
        if root is None or not parts:
            return self.locate(pointer)
        parent = root
        for part in parts[:-1]:
            found = _child(parent, part)
            if found is None:
                return self.locate(pointer)
            parent = found[1]
        if isinstance(parent, yaml.MappingNode):
            for key, _value in reversed(parent.value):
                if key.value == parts[-1]:
                    line, col = _mark(key)
                    return Location(self.file, line, col, pointer)
        return self.locate(pointer)

    def _node(self) -> yaml.Node | None:
        if self._root is None and self._compose is not None:
            compose, self._compose = self._compose, None
            self._root = compose()
        return self._root


def _child(node: yaml.Node, part: str) -> tuple[yaml.Node | None, yaml.Node] | None:
    """The (key node, value node) for ``part`` under ``node``; no key for sequence items."""
    if isinstance(node, yaml.MappingNode):
        # the last of duplicate keys wins, in the data and so here
        for key, value in reversed(node.value):
            if key.value == part:
                return key, value
        return None
    if isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
        return None, node.value[int(part)]
    return None


@dataclass(slots=True)
class SourceFile:
    """A parsed file: its plain data, its source map and what the parser noticed."""

    path: Path
    data: Any
    source_map: SourceMap
    format: str  # "yaml" or "json"
    #: (pointer, message) for duplicate mapping keys; the last value wins, as in JSON
    duplicate_keys: list[tuple[str, str]] = field(default_factory=list)
    _uri: str = ""

    @property
    def uri(self) -> str:
        """The file's absolute ``file://`` URI (computed once: validators are keyed by it)."""
        if not self._uri:
            self._uri = self.path.resolve().as_uri()
        return self._uri

    @property
    def display(self) -> str:
        return self.source_map.file

    def locate(self, pointer: str | list[str | int] | tuple[str | int, ...] = "") -> Location:
        return self.source_map.locate(pointer)


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def load_source(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> SourceFile:
    """Read and parse ``path`` (YAML or JSON, chosen by content) with a source map.

    Only regular files are read: a directory, FIFO, device or socket is refused before
    it is opened for reading (a FIFO is opened non-blocking, and checked again after
    opening), the size is checked before reading, and the read itself is bounded, so
    ``/dev/zero`` or a file that grows cannot exhaust memory and a pipe cannot hang.

    Raises :class:`LoadError` (file:line:col and what was expected) for a missing
    or unreadable file, invalid UTF-8, malformed YAML/JSON, or an alias bomb.
    """
    path = Path(path)
    display = _display(path)
    try:
        _check_file(os.stat(path), display, max_bytes)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise LoadError("no such file", Location(display)) from None
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror}", Location(display)) from None
    try:
        with os.fdopen(fd, "rb") as handle:
            _check_file(os.fstat(handle.fileno()), display, max_bytes)  # swapped since stat?
            raw = handle.read(max_bytes + 1)
    except OSError as exc:
        raise LoadError(f"cannot read file: {exc.strerror}", Location(display)) from None
    if len(raw) > max_bytes:
        raise _too_large(len(raw), max_bytes, display, "grew while being read and ")
    return parse_source(raw, display, path=path)


_NOT_REGULAR = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _check_file(info: os.stat_result, display: str, max_bytes: int) -> None:
    """Refuse anything but a regular file within the size limit, before reading it."""
    if stat.S_ISDIR(info.st_mode):
        raise LoadError("is a directory, expected a YAML or JSON file", Location(display))
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _NOT_REGULAR if test(info.st_mode)), "not a file")
        raise LoadError(
            f"is {kind}, not a regular file; contracts are read from regular YAML or JSON files",
            Location(display),
        )
    if info.st_size > max_bytes:
        raise _too_large(info.st_size, max_bytes, display)


def _too_large(size: int, max_bytes: int, display: str, how: str = "") -> DocumentTooLarge:
    over = "over" if how else f"{size / 1048576:.1f} MiB, over"
    return DocumentTooLarge(
        f"file {how}is {over} the {max_bytes / 1048576:.0f} MiB limit "
        "(raise it with --max-size or [tool.accord] max-document-size-mib)",
        Location(display),
    )


def parse_source(raw: bytes, display: str, *, path: Path | None = None) -> SourceFile:
    """Parse bytes already read; ``display`` is the name used in messages."""
    path = path or Path(display)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise LoadError(
            f"invalid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); "
            "contracts must be UTF-8 text",
            Location(display, line, col),
        ) from None
    try:
        return _parse_text(text, display, path)
    except RecursionError:
        raise LoadError(
            "document nests too deeply to be a contract (thousands of levels)",
            Location(display, 1, 1),
        ) from None


def _parse_text(text: str, display: str, path: Path) -> SourceFile:
    stripped = text.lstrip()
    if stripped.startswith(("{", "[")):
        duplicates: list[bool] = []
        try:
            data = json.loads(text, object_pairs_hook=lambda pairs: _json_object(pairs, duplicates))
        except json.JSONDecodeError as exc:
            if stripped.startswith("{") and path.suffix.lower() == ".json":
                raise LoadError(
                    f"malformed JSON: {exc.msg}", Location(display, exc.lineno, exc.colno)
                ) from None
            # flow-style YAML that is not JSON: fall through to the YAML parser
        else:
            if duplicates:  # rare: find where, with the YAML builder that tracks pointers
                node = _compose_quietly(text)
                builder = _Builder(display)
                if node is not None:
                    builder.build(node)
                return SourceFile(path, data, SourceMap(display, node), "json", builder.duplicates)
            smap = SourceMap(display, _compose=lambda: _compose_quietly(text))
            return SourceFile(path, data, smap, "json")
    _check_depth(text, display)
    node = _compose(text, display)
    builder = _Builder(display)
    data = builder.build(node, text) if node is not None else None
    return SourceFile(path, data, SourceMap(display, node), "yaml", builder.duplicates)


def _json_object(pairs: list[tuple[str, Any]], duplicates: list[bool]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        duplicates.append(True)
    return obj


_BRACKETS = re.compile(r"[\[\]{}]")
#: where a YAML anchor (``&name``) could start: after a space, a flow indicator or ``:``
#: (``{"a":&x 1}`` is valid flow YAML); a match in a string only costs the full alias walk
_ANCHOR = re.compile(r"(?:^|[\s\[\]{},:])&[^\s\[\]{},]", re.MULTILINE)
_INDENT = re.compile(rf"^ {{{MAX_DEPTH},}}", re.MULTILINE)


def _check_depth(text: str, display: str) -> None:
    """Refuse YAML nested deeper than :data:`MAX_DEPTH` before libyaml's composer sees it.

    libyaml composes recursively in C: tens of thousands of levels overflow the C
    stack and kill the process. A cheap over-estimate (brackets, indentation)
    clears every real document; only suspicious ones get the exact, event-based count.
    """
    depth = peak = 0
    for m in _BRACKETS.finditer(text):
        depth += 1 if m.group() in "[{" else -1
        peak = max(peak, depth)
    if peak <= MAX_DEPTH and not _INDENT.search(text):
        return
    depth = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    mark = event.start_mark
                    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
                    raise LoadError(
                        f"document nests deeper than {MAX_DEPTH} levels; no contract needs that",
                        Location(display, line, col),
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return  # the composer reports syntax errors with better context


def _compose(text: str, display: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        what = exc.problem or exc.context or "malformed YAML"
        context = exc.context_mark
        if exc.context and context is not None and context.line + 1 != line:
            what += f" ({exc.context} that started at line {context.line + 1}:{context.column + 1})"
        raise LoadError(f"malformed YAML: {what}", Location(display, line, col)) from None
    except yaml.YAMLError as exc:
        raise LoadError(f"malformed YAML: {exc}", Location(display)) from None


def _compose_quietly(text: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        return None


_SCALARS: dict[str, Callable[[str], Any]] = {
    "tag:yaml.org,2002:null": lambda _v: None,
    "tag:yaml.org,2002:bool": lambda v: v.lower() == "true",
    "tag:yaml.org,2002:int": lambda v: int(v, 0) if v[:2] in ("0x", "0o") else int(v),
    "tag:yaml.org,2002:float": lambda v: float(
        v.lower().replace(".inf", "inf").replace(".nan", "nan")
    ),
}


#: where the builder is: (parent's path, key), built per node in O(1), read only on a duplicate
_Path = tuple["_Path", str | int] | None


def _parts(path: _Path) -> list[str | int]:
    out: list[str | int] = []
    while path is not None:
        path, key = path
        out.append(key)
    return out[::-1]


class _Builder:
    """Turns a composed node graph into plain data, refusing alias bombs and recursion."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.duplicates: list[tuple[str, str]] = []
        self._built: dict[int, Any] = {}
        self._aliased: set[int] = set()

    def build(self, root: yaml.Node, text: str | None = None) -> Any:
        """Plain data for ``root``; ``text`` (its source) lets a document without anchors
        skip the alias walk: without an anchor there is no alias, so no bomb."""
        if text is None or _ANCHOR.search(text):
            self._check_aliases(root)
        return self._build(root, None)

    def _check_aliases(self, root: yaml.Node) -> None:
        """Count the expanded size of the node graph without expanding it."""
        sizes: dict[int, int] = {}
        active: set[int] = set()
        real = 0
        stack: list[tuple[yaml.Node, bool]] = [(root, False)]
        while stack:
            node, done = stack.pop()
            key = id(node)
            if done:
                active.discard(key)
                children = _children(node)
                sizes[key] = 1 + sum(sizes[id(c)] for c in children)
                continue
            if key in sizes:
                self._aliased.add(key)
                continue
            if key in active:
                line, col = _mark(node)
                raise AliasBombError(
                    "recursive YAML alias: an anchor refers to itself; "
                    "contracts must be finite trees",
                    Location(self.display, line, col),
                )
            real += 1
            active.add(key)
            stack.append((node, True))
            for child in _children(node):
                if id(child) in active:
                    line, col = _mark(child)
                    raise AliasBombError(
                        "recursive YAML alias: an anchor refers to itself; "
                        "contracts must be finite trees",
                        Location(self.display, line, col),
                    )
                stack.append((child, False))
        expanded = sizes[id(root)]
        if expanded > max(_ALIAS_EXPANSION_FLOOR, _ALIAS_EXPANSION_FACTOR * real):
            raise AliasBombError(
                f"YAML aliases expand {real:,} nodes into {expanded:,}; refusing a likely "
                "alias bomb (use $ref for reuse instead of anchors)",
                Location(self.display, 1, 1),
            )

    def _build(self, node: yaml.Node, path: _Path) -> Any:
        if isinstance(node, yaml.ScalarNode):
            if node.tag == "tag:yaml.org,2002:str":
                return node.value
            convert = _SCALARS.get(node.tag)
            if convert is None:
                return node.value
            try:
                return convert(node.value)
            except ValueError:
                return node.value
        key = id(node)
        if key in self._aliased and key in self._built:
            return self._built[key]
        if isinstance(node, yaml.SequenceNode):
            items = [self._build(child, (path, i)) for i, child in enumerate(node.value)]
            if key in self._aliased:
                self._built[key] = items
            return items
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged = self._build(value_node, path)
                for extra in merged if isinstance(merged, list) else [merged]:
                    if isinstance(extra, dict):
                        for k, v in extra.items():
                            mapping.setdefault(k, v)
                continue
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            if name in mapping:
                self.duplicates.append(
                    (
                        encode_pointer(_parts((path, name))),
                        f"duplicate key {name!r}; the last one wins",
                    )
                )
            mapping[name] = self._build(value_node, (path, name))
        if key in self._aliased:
            self._built[key] = mapping
        return mapping


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        out: list[yaml.Node] = []
        for k, v in node.value:
            out.append(k)
            out.append(v)
        return out
    return []
