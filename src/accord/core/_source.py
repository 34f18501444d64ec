"""Reading YAML and JSON files into plain data plus a source map.

YAML is read from libyaml's event stream (``_yaml.py``) into plain data and a
compact position index in one pass; scalars follow the YAML 1.2 core schema, as
OpenAPI intends. JSON is parsed with :mod:`json` (fast) and its positions are
only read when a location is first asked for, collection by collection, along
the pointers asked for (``_json_positions.py``).
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from accord._errors import DocumentTooLarge, LoadError, Location
from accord.core._json_positions import JsonPositions
from accord.core._pointer import decode_pointer, encode_pointer

if TYPE_CHECKING:
    from accord.core._yaml import Positions

__all__ = [
    "DEFAULT_MAX_BYTES",
    "SourceFile",
    "SourceMap",
    "decode_pointer",
    "encode_pointer",
    "load_source",
]

DEFAULT_MAX_BYTES = 32 * 1024 * 1024


@dataclass(slots=True)
class SourceMap:
    """Maps JSON pointers inside one file to 1-based ``line:col`` positions."""

    file: str
    _positions: Positions | JsonPositions | None = None
    _read: Callable[[], Positions | JsonPositions | None] | None = None

    def locate(self, pointer: str | list[str | int] | tuple[str | int, ...] = "") -> Location:
        """The location of the node at ``pointer``, or of its closest existing ancestor."""
        if not isinstance(pointer, str):
            pointer = encode_pointer(list(pointer))
        index = self._index()
        if index is None:
            return Location(self.file, 1, 1, pointer)
        node, mark = index.root, index.root_mark
        for part in decode_pointer(pointer):
            found = index.entry(node, part)
            if found is None or not found[2]:
                break
            node, _, mark = found
        return Location(self.file, mark >> 32, mark & 0xFFFFFFFF, pointer)

    def locate_key(self, pointer: str) -> Location:
        """Like :meth:`locate`, but points at the mapping key rather than its value."""
        index = self._index()
        parts = decode_pointer(pointer)
        if index is None or not parts:
            return self.locate(pointer)
        node = index.root
        for part in parts:
            found = index.entry(node, part)
            if found is None:
                return self.locate(pointer)
            node, key_mark, _ = found
        if not key_mark:
            return self.locate(pointer)
        return Location(self.file, key_mark >> 32, key_mark & 0xFFFFFFFF, pointer)

    def _index(self) -> Positions | JsonPositions | None:
        if self._positions is None and self._read is not None:
            read, self._read = self._read, None
            self._positions = read()
        return self._positions


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
            if duplicates:  # rare: find where, with the YAML reader that tracks pointers
                from accord.core._yaml import read_yaml  # noqa: PLC0415

                _, positions, found = read_yaml(text, display)
                return SourceFile(path, data, SourceMap(display, positions), "json", found)
            smap = SourceMap(display, _read=lambda: JsonPositions(text))
            return SourceFile(path, data, smap, "json")
    # PyYAML is imported only for YAML: reading a JSON document (and locating its
    # findings) needs none of it, and its import is a third of a short command's start-up
    from accord.core._yaml import read_yaml  # noqa: PLC0415

    data, positions, found = read_yaml(text, display)
    return SourceFile(path, data, SourceMap(display, positions), "yaml", found)


def _json_object(pairs: list[tuple[str, Any]], duplicates: list[bool]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        duplicates.append(True)
    return obj
