"""``$ref`` resolution across the local files of one contract.

Only local files are ever read: ``http(s)`` references are refused with the
location of the offending ``$ref``, never fetched. Files are confined to the
root document's folder (and the folders a project allows with ``ref-roots``):
every path, ``file://`` URI and symlink is resolved to its real path and refused,
with the ``$ref``'s location, if it lies outside them. This is the one place files
are reached through references, so every feature gets the same confinement.
References stay references (nothing is inlined), so recursive schemas are fine;
a chain of references that only leads back to itself is an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from accord._errors import AccordError, Location, RefError
from accord.core._source import (
    DEFAULT_MAX_BYTES,
    SourceFile,
    decode_pointer,
    load_source,
)

__all__ = ["DocumentSet", "Target", "iter_refs"]

#: keywords whose values are data, not OpenAPI/Schema structure: never scanned for $ref
_DATA_KEYS = frozenset({"example", "default", "const", "enum"})
#: keywords whose value maps names to objects: there `default`, `example` or `x-...` are names
_NAME_MAPS = frozenset(
    {
        "paths", "properties", "patternProperties", "$defs", "definitions", "dependentSchemas",
        "responses", "headers", "content", "schemas", "parameters", "requestBodies",
        "securitySchemes", "links", "callbacks", "examples", "encoding", "pathItems", "webhooks",
    }
)  # fmt: skip


@dataclass(slots=True, frozen=True)
class Target:
    """Where a ``$ref`` leads: the file, the pointer inside it, and the value there."""

    file: SourceFile
    pointer: str
    value: Any

    @property
    def uri(self) -> str:
        return f"{self.file.uri}#{self.pointer}"

    def locate(self) -> Location:
        return self.file.locate(self.pointer)


def iter_refs(data: Any) -> Iterator[tuple[list[str | int], str]]:
    """Yield ``(path, ref)`` for every ``$ref`` in ``data``, skipping example and default values."""
    # paths are linked (parent, key) pairs, made into lists only for a $ref: this walk
    # visits every node of the document, so it allocates as little as it can per node
    stack: list[tuple[Any, _Path, bool]] = [(data, None, False)]
    pop, push = stack.pop, stack.append
    while stack:
        node, path, names = pop()
        if type(node) is dict:
            if not names:
                ref = node.get("$ref")
                if isinstance(ref, str):
                    yield _parts((path, "$ref")), ref
            for key, value in node.items():
                kind = type(value)
                if kind is not dict and kind is not list:  # parsed data: no subclasses
                    continue
                if names:
                    push((value, (path, key), False))
                elif not _is_data(key, value, path):
                    push((value, (path, key), key in _NAME_MAPS))
        elif type(node) is list:
            for i, value in enumerate(node):
                if type(value) is dict or type(value) is list:
                    push((value, (path, i), False))


#: a path as linked pairs: (parent's path, key), None at the root
_Path = tuple["_Path", str | int] | None


def _parts(path: _Path) -> list[str | int]:
    out: list[str | int] = []
    while path is not None:
        path, key = path
        out.append(key)
    return out[::-1]


def _is_data(key: str, value: Any, path: _Path) -> bool:
    if key in _DATA_KEYS or key.startswith("x-") or key == "$ref":
        return True
    if key == "examples" and isinstance(value, list):
        return True  # JSON Schema `examples`: a list of values
    # the value of an Example Object: .../examples/<name>/value
    return key == "value" and path is not None and path[0] is not None and path[0][1] == "examples"


class DocumentSet:
    """The root document of a contract and every local file its ``$ref`` s reach."""

    def __init__(
        self,
        root: SourceFile,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        ref_roots: Iterable[Path] = (),
    ) -> None:
        """``ref_roots``: folders besides the root document's own that ``$ref`` s may reach."""
        self.root = root
        self.max_bytes = max_bytes
        self.files: dict[Path, SourceFile] = {root.path.resolve(): root}
        #: per file (by id), the top-level members some ``$ref`` reached (None: the whole file)
        self._reached: dict[int, set[str] | None] = {}
        folders = [root.path.parent, *ref_roots]
        #: the real folders a referenced file must lie in (symlinks resolved)
        self.roots: tuple[Path, ...] = tuple(dict.fromkeys(f.resolve() for f in folders))

    def __iter__(self) -> Iterator[SourceFile]:
        return iter(list(self.files.values()))

    def check(self) -> int:
        """Resolve every ``$ref`` in every reachable file now; returns how many there were.

        Raises :class:`RefError` for the first remote, dangling or cyclic reference.
        """
        seen: set[int] = set()  # one SourceFile per real path (``_load``), so ids will do
        pending = [self.root]
        count = 0
        while pending:
            file = pending.pop()
            if id(file) in seen:
                continue
            seen.add(id(file))
            for path, ref in iter_refs(file.data):
                count += 1
                target = self.follow(ref, file, path)
                if id(target.file) not in seen:
                    pending.append(target.file)
        return count

    def resolve(self, ref: str, base: SourceFile, at: list[str | int] | str) -> Target:
        """Resolve one ``$ref`` string found in ``base`` at pointer ``at``."""

        def where() -> Location:  # located only when an error needs it: resolving is hot
            return base.locate(at)

        file_part, _, fragment = ref.partition("#")
        file = base
        if file_part:
            split = urlsplit(file_part)
            if split.scheme in ("http", "https") or file_part.startswith("//"):
                raise RefError(
                    f"remote $ref {ref!r} refused: Accord never fetches over the network; "
                    "save the document locally and refer to it by a relative path",
                    where(),
                )
            if split.scheme == "file":
                target_path = Path(unquote(split.path))
            elif split.scheme and len(split.scheme) > 1:
                raise RefError(
                    f"$ref {ref!r} uses the {split.scheme!r} scheme; only relative file paths "
                    "and local pointers are supported",
                    where(),
                )
            else:
                target_path = base.path.parent / unquote(file_part)
            file = self._load(target_path, ref, where)
        pointer = unquote(fragment)
        if pointer and not pointer.startswith("/"):
            raise RefError(
                f"$ref {ref!r}: the fragment must be a JSON pointer starting with '/' "
                "(plain-name anchors are not supported)",
                where(),
            )
        value = _walk(file, pointer, ref, where)
        reached = self._reached.setdefault(id(file), set())
        if reached is not None:
            if pointer:
                reached.add(decode_pointer(pointer)[0])
            else:
                self._reached[id(file)] = None
        return Target(file, pointer, value)

    def referenced_part(self, file: SourceFile) -> Any:
        """What of ``file`` a ``$ref`` has reached: its data, with only the top-level members
        some reference points into (all of it when one points at the whole file).

        After :meth:`check`, this is all a schema registry needs for references to
        resolve: a schema compiled on its own refers into these parts and nowhere else.
        """
        reached = self._reached.get(id(file), set())
        data = file.data
        if reached is None or not isinstance(data, dict):
            return data
        return {key: value for key, value in data.items() if key in reached}

    def follow(self, ref: str, base: SourceFile, at: list[str | int] | str) -> Target:
        """Resolve ``ref`` and any ``$ref`` its target is made of, refusing cycles."""
        target = self.resolve(ref, base, at)
        chain = [target.uri]
        while isinstance(target.value, dict) and isinstance(target.value.get("$ref"), str):
            target = self.resolve(target.value["$ref"], target.file, target.pointer + "/$ref")
            if target.uri in chain:
                loop = " -> ".join(_short(u) for u in [*chain, target.uri])
                raise RefError(f"$ref cycle that never reaches a value: {loop}", base.locate(at))
            chain.append(target.uri)
        return target

    def deref(self, value: Any, file: SourceFile, pointer: str) -> Target:
        """The value itself, or what its ``$ref`` (chain) leads to."""
        if isinstance(value, dict) and isinstance(value.get("$ref"), str):
            return self.follow(value["$ref"], file, pointer + "/$ref")
        return Target(file, pointer, value)

    def _load(self, path: Path, ref: str, where: Callable[[], Location]) -> SourceFile:
        key = path.resolve()
        found = self.files.get(key)
        if found is not None:
            return found
        if not any(key.is_relative_to(folder) for folder in self.roots):
            allowed = ", ".join(str(f) for f in self.roots)
            raise RefError(
                f"$ref {ref!r} leaves the project: {key} is outside {allowed}; "
                "refused (list the folder in [tool.accord] ref-roots to allow it)",
                where(),
            )
        if not path.exists():
            raise RefError(f"$ref {ref!r}: file {path} does not exist", where())
        try:
            loaded = load_source(path, max_bytes=self.max_bytes)
        except AccordError as exc:
            raise RefError(f"$ref {ref!r}: {exc}", where()) from None
        self.files[key] = loaded
        return loaded


def _short(uri: str) -> str:
    name, _, frag = uri.partition("#")
    return f"{name.rsplit('/', 1)[-1]}#{frag}"


def _walk(file: SourceFile, pointer: str, ref: str, where: Callable[[], Location]) -> Any:
    node = file.data
    try:
        parts = decode_pointer(pointer)
    except ValueError:
        raise RefError(f"$ref {ref!r}: malformed JSON pointer", where()) from None
    for part in parts:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            raise RefError(
                f"$ref {ref!r} points nowhere: {file.display} has no {pointer or '/'}", where()
            )
    return node
