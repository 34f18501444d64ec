"""The diff rule registry: each rule is one small function registered by decorator.

A rule declares the kinds of change it reports. A :class:`Kind` has a stable id
(or an id template, for schema changes, whose id depends on where the schema is)
and a level for each direction, because the same edit means opposite things on
the two sides of an API: narrowing what a request accepts breaks the clients that
send the old values, narrowing what a response returns breaks nobody; widening a
response (a new enum value, a wider type) breaks clients that only know the old set.

Scopes:

- ``contract``: called with the :class:`~accord.diff.DiffContext` of the two contracts;
- ``operation``: called with an :class:`OperationPair` (both versions of one operation);
- ``schema``: called with a :class:`SchemaPair` (both versions of one schema node,
  ``$ref`` s followed) for every schema node two versions of an operation share.

A rule yields :class:`Hit` s; the engine turns them into :class:`~accord.diff.Change` s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from accord.core import Place
from accord.diff._model import Level, Target

__all__ = ["KINDS", "RULES", "At", "Hit", "Kind", "Rule", "all_ids", "directional", "fixed", "rule"]

Scope = Literal["contract", "operation", "schema"]

#: every place a schema can sit, by direction: the prefixes of schema change ids
SCHEMA_SCOPES = {
    "request": (
        "request-body",
        "request-property",
        "request-parameter",
        "request-parameter-property",
        "request-header-property",
    ),
    "response": (
        "response-body",
        "response-property",
        "response-header",
        "response-header-property",
    ),
}


@dataclass(slots=True, frozen=True)
class Kind:
    """One kind of change: its id (template) and its level on each side of the API.

    ``template`` is ``{name}`` for kinds with a fixed id, ``{dir}-{name}`` for kinds
    that only depend on the direction, and ``{scope}-{name}`` for schema changes, whose
    id says where the schema is (``request-body``, ``response-property``, ...).
    """

    name: str
    request: Level
    response: Level
    template: str = "{name}"
    overrides: Mapping[str, Level] = field(default_factory=dict)  # scope -> level

    def resolve(self, direction: str, scope: str) -> tuple[str, Level]:
        """The concrete id and level of this kind for one place of the contract."""
        change_id = self.template.format(name=self.name, dir=direction, scope=scope)
        level = self.overrides.get(scope)
        if level is None:
            level = self.request if direction == "request" else self.response
        return change_id, level

    def ids(self) -> dict[str, Level]:
        out: dict[str, Level] = {}
        for direction, scopes in SCHEMA_SCOPES.items():
            for scope in scopes:
                change_id, level = self.resolve(direction, scope)
                out[change_id] = level
        return out


def fixed(name: str, level: Level) -> Kind:
    """A kind whose id and level do not depend on where it happens."""
    return Kind(name, level, level)


def directional(
    name: str,
    request: Level,
    response: Level,
    *,
    scoped: bool = True,
    overrides: Mapping[str, Level] | None = None,
) -> Kind:
    """A schema kind: the id is prefixed with its place, the level depends on the direction."""
    template = "{scope}-{name}" if scoped else "{dir}-{name}"
    return Kind(name, request, response, template, dict(overrides or {}))


class At(TypedDict, total=False):
    """Keyword arguments of :class:`Hit` that rules share between several hits."""

    old: Place | None
    new: Place | None
    target: Target


@dataclass(slots=True, frozen=True)
class Hit:
    """What a rule reports: the kind (by name), a message, and both places.

    ``sub`` extends the target's JSON path (a property removed from an object is
    reported at the object with ``sub=("name",)``); ``target`` replaces it entirely.
    """

    kind: str
    message: str
    old: Place | None = None
    new: Place | None = None
    sub: tuple[str, ...] = ()
    absent: bool = False
    target: Target | None = None


@dataclass(slots=True, frozen=True)
class Rule:
    """A registered rule: its name (from the function), scope, kinds and check function."""

    name: str
    scope: Scope
    kinds: Mapping[str, Kind]
    description: str
    check: Callable[[Any], Iterator[Hit]]


RULES: dict[str, Rule] = {}
KINDS: dict[str, Kind] = {}


def rule(
    scope: Scope, *kinds: Kind
) -> Callable[[Callable[[Any], Iterator[Hit]]], Callable[[Any], Iterator[Hit]]]:
    """Register ``check`` as a diff rule of ``scope`` reporting ``kinds``."""

    def register(check: Callable[[Any], Iterator[Hit]]) -> Callable[[Any], Iterator[Hit]]:
        name = check.__name__.strip("_").replace("_", "-")
        if name in RULES:
            raise ValueError(f"diff rule {name!r} is registered twice")
        for kind in kinds:
            if kind.name in KINDS:
                raise ValueError(f"change kind {kind.name!r} is declared twice")
            KINDS[kind.name] = kind
        doc = (check.__doc__ or "").strip().splitlines()
        RULES[name] = Rule(name, scope, {k.name: k for k in kinds}, doc[0] if doc else name, check)
        return check

    return register


def all_ids() -> dict[str, Level]:
    """Every change id the registered rules can report, with its level."""
    out: dict[str, Level] = {}
    for kind in KINDS.values():
        if kind.template == "{name}":
            out[kind.name] = kind.request
        else:
            out.update(kind.ids())
    return dict(sorted(out.items()))
