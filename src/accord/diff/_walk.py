"""Walking two versions of a contract side by side, with ``$ref`` s followed.

Schemas are compared after resolution: each pair of schema nodes is reached
through ``DocumentSet.deref``, so an edit to a shared component shows up in every
operation that uses it, at the data path where it is used there. Inside one
body (or parameter, or header) a pair of nodes is visited once, breadth first,
so a recursive schema is walked once and a change is reported at its shortest
path. Pairs whose whole ``$ref`` closure is unchanged are skipped (memoised per
diff), which keeps large documents such as Stripe's fast.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from accord._errors import AccordError, Location
from accord._media import media_kind
from accord.core import Contract, Operation, Place
from accord.diff._model import Target

__all__ = [
    "DiffContext",
    "NodeKey",
    "OperationPair",
    "SchemaPair",
    "all_refs",
    "composition_members",
    "node_key",
    "walk_schemas",
]

#: subschema keywords holding one schema, with the data-path segment they lead to
_SINGLE = {
    "items": "[]",
    "additionalProperties": "*",
    "contains": "[]",
    "unevaluatedItems": "[]",
    "unevaluatedProperties": "*",
    "propertyNames": "",
    "if": "",
    "then": "",
    "else": "",
    "not": "",
    "contentSchema": "",
}
#: subschema keywords holding a map of schemas
_MAPS = {"properties": True, "patternProperties": False, "dependentSchemas": False}
COMPOSITIONS = ("allOf", "anyOf", "oneOf")
ANNOTATIONS = frozenset(
    {"description", "title", "example", "examples", "deprecated", "readOnly", "writeOnly",
     "externalDocs", "$comment"}
)  # fmt: skip


#: a node of one document, cheap to hash: (id of its SourceFile, JSON pointer)
NodeKey = tuple[int, str]
#: a pair of child nodes: (old, its place, new, its place, data-path step, the flags
#: readOnly/writeOnly that both versions of the child set)
Child = tuple[Any, Place, Any, Place, tuple[str, ...], frozenset[str]]
#: what hides a node from one direction: a readOnly value is never sent in a request,
#: a writeOnly one never returned in a response
HIDING_FLAG = {"request": "readOnly", "response": "writeOnly"}


def node_key(place: Place) -> NodeKey:
    return id(place.file), place.pointer


@dataclass(slots=True)
class DiffContext:
    """The two contracts being compared, and the memos that keep large diffs fast.

    Everything is memoised per node (not per path): whether a pair of nodes is
    unchanged through all its references, where a ``$ref`` leads, a pair's children
    and the ``file:line:col`` of a node.
    """

    old: Contract
    new: Contract
    same_memo: dict[tuple[NodeKey, NodeKey], bool] = field(default_factory=dict)
    children_memo: dict[tuple[NodeKey, NodeKey], list[Child]] = field(default_factory=dict)
    deref_memo: dict[tuple[int, NodeKey], tuple[Any, Place]] = field(default_factory=dict)
    follow_memo: dict[tuple[int, int, str], tuple[Any, Place] | None] = field(default_factory=dict)
    locations: dict[NodeKey, Location] = field(default_factory=dict)

    def deref(self, side: int, value: Any, place: Place) -> tuple[Any, Place]:
        """``value`` at ``place`` in the old (side 0) or new (1) document, ``$ref`` followed."""
        if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
            return value, place
        key = (side, node_key(place))
        found = self.deref_memo.get(key)
        if found is None:
            docs = (self.old if side == 0 else self.new).documents
            target = docs.deref(value, place.file, place.pointer)
            found = (target.value, Place(target.file, target.pointer))
            self.deref_memo[key] = found
        return found

    def locate(self, place: Place) -> Location:
        key = node_key(place)
        found = self.locations.get(key)
        if found is None:
            found = self.locations[key] = place.locate()
        return found

    def same(self, old: Place, old_value: Any, new: Place, new_value: Any) -> bool:
        """True when both nodes and everything their ``$ref`` s reach are equal."""
        key = (node_key(old), node_key(new))
        found = self.same_memo.get(key)
        if found is not None:
            return found
        self.same_memo[key] = True  # assume equal while in progress (recursive schemas)
        result = old_value == new_value and all(
            self._same_ref(ref, old, new) for ref in all_refs(old_value)
        )
        self.same_memo[key] = result
        return result

    def _follow(self, side: int, ref: str, place: Place) -> tuple[Any, Place] | None:
        key = (side, id(place.file), ref)
        if key not in self.follow_memo:
            docs = (self.old if side == 0 else self.new).documents
            try:
                target = docs.follow(ref, place.file, place.pointer)
            except AccordError:
                self.follow_memo[key] = None
            else:
                self.follow_memo[key] = (target.value, Place(target.file, target.pointer))
        return self.follow_memo[key]

    def _same_ref(self, ref: str, old: Place, new: Place) -> bool:
        a, b = self._follow(0, ref, old), self._follow(1, ref, new)
        if a is None or b is None:
            return False
        return self.same(a[1], a[0], b[1], b[0])


def all_refs(value: Any) -> Iterator[str]:
    """Every ``$ref`` string anywhere in ``value`` (data or not: a superset is what
    comparing and fetching want)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str):
                yield ref
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(v for v in node if isinstance(v, dict | list))


@dataclass(slots=True, frozen=True)
class OperationPair:
    """Both versions of one operation (matched by method and path shape)."""

    ctx: DiffContext
    old: Operation
    new: Operation

    @property
    def key(self) -> str:
        return self.old.key


@dataclass(slots=True, frozen=True)
class SchemaPair:
    """Both versions of one schema node, ``$ref`` s followed, and where it sits."""

    ctx: DiffContext
    old: Any
    new: Any
    old_place: Place
    new_place: Place
    direction: str  # request | response
    root: str  # body | parameter | header
    target: Target  # where in the operation; json_path is the data path
    media: str = ""  # the media type of a body ("" for parameters and headers)
    #: "readOnly" in a request or "writeOnly" in a response when this node is (inside) a
    #: value both versions mark so: the side that would read or send it never sees it
    hidden: str = ""

    @property
    def scope(self) -> str:
        """``request-body``, ``request-property``, ``response-header``... for change ids."""
        if self.root == "body":
            return f"{self.direction}-{'property' if self.target.json_path else 'body'}"
        # the items of an array parameter are still the parameter; its object properties are not
        nested = any(s != "[]" for s in self.target.json_path)
        if not nested:
            return f"{self.direction}-{self.root}"
        if self.target.location == "header":
            return "request-header-property"
        return f"{self.direction}-{self.root}-property"

    @property
    def loosely_typed(self) -> bool:
        """Bodies such as XML, text or forms, where every value travels as text anyway (not
        JSON, nor binary syntaxes such as CBOR, where a value's type is part of the bytes)."""
        return bool(self.media) and media_kind(self.media) in ("form", "multipart", "text")

    @property
    def old30(self) -> bool:
        return self.ctx.old.openapi30

    @property
    def new30(self) -> bool:
        return self.ctx.new.openapi30

    def get(self, key: str) -> tuple[Any, Any]:
        """The values of ``key`` in the old and the new node (None when absent)."""
        return _get(self.old, key), _get(self.new, key)


def _get(node: Any, key: str) -> Any:
    return node.get(key) if isinstance(node, dict) else None


def walk_schemas(
    ctx: DiffContext,
    old: tuple[Any, Place],
    new: tuple[Any, Place],
    direction: str,
    root: str,
    target: Target,
    media: str = "",
) -> Iterator[SchemaPair]:
    """Every pair of corresponding schema nodes under ``old`` and ``new``, breadth first."""
    seen: set[tuple[NodeKey, NodeKey]] = set()
    a, op = ctx.deref(0, *old)
    b, np_ = ctx.deref(1, *new)
    if ctx.same(op, a, np_, b):
        return
    queue: deque[tuple[Any, Place, Any, Place, tuple[str, ...], str]] = deque(
        [(a, op, b, np_, target.json_path, "")]
    )
    t = target
    flag = HIDING_FLAG[direction] if root == "body" else ""
    while queue:
        a, op, b, np_, path, hidden = queue.popleft()
        key = (node_key(op), node_key(np_))
        if key in seen:
            continue
        seen.add(key)
        where = Target(t.part, t.name, t.location, t.status, path, t.absent)
        pair = SchemaPair(ctx, a, b, op, np_, direction, root, where, media, hidden)
        yield pair
        children = ctx.children_memo.get(key)
        if children is None:
            children = ctx.children_memo[key] = _changed_children(pair)
        for ca, cop, cb, cnp, step, flags in children:
            hides = hidden or (flag if flag in flags else "")
            queue.append((ca, cop, cb, cnp, path + step, hides))


def _changed_children(pair: SchemaPair) -> list[Child]:
    """The children of a pair that differ somewhere below, ``$ref`` s followed."""
    out: list[Child] = []
    ctx = pair.ctx
    for ov, old_at, nv, new_at, step in _children(pair):
        a, op = ctx.deref(0, ov, old_at)
        b, np_ = ctx.deref(1, nv, new_at)
        if not ctx.same(op, a, np_, b):
            flags = frozenset(
                f
                for f in HIDING_FLAG.values()
                if isinstance(a, dict) and isinstance(b, dict) and a.get(f) is b.get(f) is True
            )
            out.append((a, op, b, np_, step, flags))
    return out


def _children(pair: SchemaPair) -> Iterator[tuple[Any, Place, Any, Place, tuple[str, ...]]]:
    old, new = pair.old, pair.new
    if not isinstance(old, dict) or not isinstance(new, dict):
        return
    for key, segment in _SINGLE.items():
        if isinstance(old.get(key), dict) and isinstance(new.get(key), dict):
            step = (segment,) if segment else ()
            yield old[key], pair.old_place.child(key), new[key], pair.new_place.child(key), step
    for key, is_data in _MAPS.items():
        a, b = old.get(key), new.get(key)
        if isinstance(a, dict) and isinstance(b, dict):
            for name in a:  # the old document's order: a set's would vary per process
                if name not in b:
                    continue
                step = (str(name),) if is_data else ()
                yield (
                    a[name],
                    pair.old_place.child(key, name),
                    b[name],
                    pair.new_place.child(key, name),
                    step,
                )
    a, b = old.get("prefixItems"), new.get("prefixItems")
    if isinstance(a, list) and isinstance(b, list):
        for i in range(min(len(a), len(b))):
            yield (
                a[i],
                pair.old_place.child("prefixItems", i),
                b[i],
                pair.new_place.child("prefixItems", i),
                ("[]",),
            )
    for key in COMPOSITIONS:
        matched, _, _ = composition_members(pair, key)
        for i, j in matched:
            yield (
                old[key][i],
                pair.old_place.child(key, i),
                new[key][j],
                pair.new_place.child(key, j),
                (),
            )


def member_key(member: Any, index: int) -> str:
    """How a oneOf/anyOf/allOf member is recognised across versions: its $ref, or position."""
    if isinstance(member, dict) and isinstance(member.get("$ref"), str):
        return "ref:" + str(member["$ref"]).rsplit("/", 1)[-1]
    return f"inline:{index}"


def composition_members(
    pair: SchemaPair, key: str
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """The members of ``key`` (allOf, anyOf, oneOf) of both nodes of ``pair``, matched.

    Members match by ``$ref`` first; then a member that says the same as one on the other
    side (an inline schema moved into a component, a ``$ref`` inlined, annotations aside)
    matches it and is compared rather than reported removed and added; the inline members
    left match by their order.
    """
    old, new = _get(pair.old, key), _get(pair.new, key)

    def same(i: int, j: int) -> bool:
        a, b = pair.old_place.child(key, i), pair.new_place.child(key, j)
        return _equivalent(pair.ctx, old[i], a, new[j], b)

    return pair_members(old, new, same)


def _equivalent(ctx: DiffContext, a: Any, a_at: Place, b: Any, b_at: Place) -> bool:
    """Two schemas that say the same once ``$ref`` s are followed, annotations aside."""
    a, a_at = ctx.deref(0, a, a_at)
    b, b_at = ctx.deref(1, b, b_at)
    if not isinstance(a, dict) or not isinstance(b, dict):
        return bool(a == b)
    a = {k: v for k, v in a.items() if k not in ANNOTATIONS}
    b = {k: v for k, v in b.items() if k not in ANNOTATIONS}
    return a == b and all(ctx._same_ref(ref, a_at, b_at) for ref in all_refs(a))


def pair_members(
    old: Any, new: Any, same: Callable[[int, int], bool] | None = None
) -> tuple[list[tuple[int, int]], list[int], list[int]]:
    """Match composition members: (matched index pairs, removed old indexes, added new ones).

    By ``$ref``, then by ``same`` (when given), then inline members by their order.
    """
    a = old if isinstance(old, list) else []
    b = new if isinstance(new, list) else []
    refs_a = {member_key(m, i): i for i, m in enumerate(a) if member_key(m, i).startswith("ref:")}
    refs_b = {member_key(m, i): i for i, m in enumerate(b) if member_key(m, i).startswith("ref:")}
    matched = [(refs_a[k], refs_b[k]) for k in refs_a if k in refs_b]
    left_a = [i for i in range(len(a)) if i not in {m for m, _ in matched}]
    left_b = [j for j in range(len(b)) if j not in {n for _, n in matched}]
    if same is not None:
        for i in list(left_a):
            j = next((j for j in left_b if same(i, j)), None)
            if j is not None:
                matched.append((i, j))
                left_a.remove(i)
                left_b.remove(j)
    inline_a = [i for i in left_a if not member_key(a[i], i).startswith("ref:")]
    inline_b = [j for j in left_b if not member_key(b[j], j).startswith("ref:")]
    matched.extend(zip(inline_a, inline_b, strict=False))
    done_a, done_b = {i for i, _ in matched}, {j for _, j in matched}
    removed = [i for i in range(len(a)) if i not in done_a]
    added = [j for j in range(len(b)) if j not in done_b]
    return matched, removed, added
