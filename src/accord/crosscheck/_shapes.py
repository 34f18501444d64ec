"""What JSON Schema validation alone does not say about a pact body.

Two OpenAPI-aware checks walk a body together with its schema (following
``$ref``, ``allOf``, and the ``oneOf``/``anyOf`` branches the value matches):

- ``int32``/``int64`` formats, which JSON Schema validators ignore on numbers;
- properties the schema never declares, when responses are held to the
  schema (``additionalPropertiesInResponse: false``): a provider that follows
  its contract would not send them, so the consumer cannot rely on them.

An object is "closed" when its schemas say it is an object and allow nothing more
(no ``additionalProperties``): a ``type: object`` without ``properties`` too, as
swagger-mock-validator does, since such a provider promises no property at all.
``additionalProperties: true`` keeps it open. Of the ``oneOf``/``anyOf`` branches a
value fits, those it fits once closed are preferred (see ``_lenient``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from accord.core import Contract, Place, SchemaRef, SchemaValidator, rust_regex
from accord.crosscheck._exchange import node_at

__all__ = ["BodyWalker", "key_matches"]

#: (instance path, keyword, message)
WalkResult = tuple[list[str | int], str, str]
_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_OPEN_KEYS = ("additionalProperties", "unevaluatedProperties")


@dataclass(slots=True)
class _Shape:
    """What a set of schemas, taken together, say about one value."""

    props: dict[str, list[Place]] = field(default_factory=dict)
    patterns: list[tuple[str, Place]] = field(default_factory=list)
    extra: list[Place] = field(default_factory=list)
    items: list[Place] = field(default_factory=list)
    formats: set[str] = field(default_factory=set)
    is_object: bool = False
    open: bool = False


class BodyWalker:
    """Walks a body together with its schema, reporting what validation alone misses."""

    def __init__(
        self,
        contract: Contract,
        validator: Callable[[SchemaRef], SchemaValidator],
        *,
        close_objects: bool,
        closed: Callable[[SchemaRef], SchemaValidator | None] | None = None,
    ) -> None:
        self.contract = contract
        self.validator = validator
        self.close_objects = close_objects
        self.closed = closed

    def walk(self, schema: SchemaRef, instance: Any) -> Iterator[WalkResult]:
        """Each ``(instance path, keyword, message)``; keyword is "format" or "additional"."""
        yield from self._walk([schema.place], instance, [])

    def _walk(
        self, places: list[Place], instance: Any, path: list[str | int]
    ) -> Iterator[WalkResult]:
        shape = self._collect(places, instance)
        if isinstance(instance, int) and not isinstance(instance, bool):
            for fmt in sorted(shape.formats & _RANGES.keys()):
                low, high = _RANGES[fmt]
                if not low <= instance <= high:
                    yield path, "format", f"{instance} does not fit format {fmt!r} ({low}..{high})"
        if isinstance(instance, dict):
            for key, value in instance.items():
                subs = list(shape.props.get(key, ()))
                subs += [p for pattern, p in shape.patterns if key_matches(pattern, key)]
                if not subs and self._closed(shape):
                    yield (
                        path,
                        "additional",
                        f"property {key!r} is not declared by the schema "
                        "(additional properties in responses are not allowed)",
                    )
                yield from self._walk(subs or shape.extra, value, [*path, str(key)])
        elif isinstance(instance, list) and shape.items:
            for i, value in enumerate(instance):
                yield from self._walk(shape.items, value, [*path, i])

    def _closed(self, shape: _Shape) -> bool:
        return self.close_objects and shape.is_object and not shape.open

    def _collect(self, places: list[Place], instance: Any) -> _Shape:
        shape = _Shape()
        pending = list(places)
        seen: set[tuple[str, str]] = set()
        while pending:
            place = pending.pop()
            key = (str(place.file.path), place.pointer)
            if key in seen:
                continue
            seen.add(key)
            value = node_at(place)
            if isinstance(value, dict) and isinstance(value.get("$ref"), str):
                target = self.contract.documents.deref(value, place.file, place.pointer)
                pending.append(Place(target.file, target.pointer))
                if self.contract.openapi30:
                    continue
            if value is True:
                shape.open = True
            if not isinstance(value, dict):
                continue
            self._read(value, place, instance, shape, pending)
        return shape

    def _read(
        self,
        value: dict[str, Any],
        place: Place,
        instance: Any,
        shape: _Shape,
        pending: list[Place],
    ) -> None:
        kind = value.get("type")
        if kind == "object" or (isinstance(kind, list) and "object" in kind):
            shape.is_object = True
        if isinstance(value.get("format"), str):
            shape.formats.add(value["format"])
        props = value.get("properties")
        if isinstance(props, dict):
            for name in props:
                shape.props.setdefault(str(name), []).append(place.child("properties", name))
        patterns = value.get("patternProperties")
        if isinstance(patterns, dict):
            shape.patterns += [(str(p), place.child("patternProperties", p)) for p in patterns]
        for open_key in _OPEN_KEYS:
            extra = value.get(open_key)
            if extra is True or isinstance(extra, dict):
                shape.open = True
                if isinstance(extra, dict):
                    shape.extra.append(place.child(open_key))
            elif extra is False:
                shape.open = True  # closed by the contract itself: the validator reports it
        items = value.get("items")
        if isinstance(items, dict):
            shape.items.append(place.child("items"))
        members = value.get("allOf")
        if isinstance(members, list):
            pending += [place.child("allOf", i) for i in range(len(members))]
        for keyword in ("oneOf", "anyOf"):
            branches = value.get(keyword)
            if isinstance(branches, list):
                matching = [
                    (place.child(keyword, i), branch)
                    for i, branch in enumerate(branches)
                    if self._valid(place.child(keyword, i), branch, instance)
                ]
                if not matching:
                    shape.open = True  # the validator already says no branch fits
                if len(matching) > 1 and self.closed is not None:
                    closed = [(p, b) for p, b in matching if self._fits_closed(p, b, instance)]
                    matching = closed or matching
                pending += [p for p, _ in matching]
        for keyword in ("then", "else"):
            if isinstance(value.get(keyword), dict | bool):
                pending.append(place.child(keyword))

    def _fits_closed(self, place: Place, branch: Any, instance: Any) -> bool:
        validator = self.closed(SchemaRef(place, branch)) if self.closed else None
        return validator is None or validator.is_valid(instance)

    def _valid(self, place: Place, branch: Any, instance: Any) -> bool:
        if not isinstance(branch, dict | bool):
            return False
        return self.validator(SchemaRef(place, branch)).is_valid(instance)


def key_matches(pattern: str, key: str) -> bool:
    """Whether a ``patternProperties`` pattern finds ``key`` (by a Rust engine, as bodies are
    validated: a hostile pattern never backtracks for ever); one it cannot read, yes."""
    test = rust_regex(pattern)
    return test is None or test(key)
