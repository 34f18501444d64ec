"""Running the registered rules over two contracts and turning hits into changes."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from accord.core import Contract, PactFile, Place, SchemaRef
from accord.diff import (  # noqa: F401  (importing them registers the rules)
    _rules_keywords,
    _rules_metadata,
    _rules_operation,
    _rules_schema,
)
from accord.diff._impact import attach_consumers
from accord.diff._model import Change, DiffResult, Level, Target
from accord.diff._oasdiff import OASDIFF_IDS, hidden_oasdiff_id
from accord.diff._registry import RULES, Hit, Kind, Rule
from accord.diff._rules_metadata import relax_unstable
from accord.diff._rules_operation import operation_key, paired_parameters
from accord.diff._walk import DiffContext, OperationPair, SchemaPair, node_key, walk_schemas

__all__ = ["diff_contracts"]

SchemaRoot = tuple[tuple[Any, Place], tuple[Any, Place], str, str, Target, str]


def diff_contracts(
    old: Contract, new: Contract, pacts: Iterable[PactFile] = (), *, service: str = ""
) -> DiffResult:
    """Every change from ``old`` to ``new``, classified, with the consumers each breaks.

    ``pacts`` are the provider's pact files; an interaction is affected by a breaking
    change when it routes to the changed operation (on ``old``) and uses the changed part.
    """
    ctx = DiffContext(old, new)
    memo: dict[Any, _Found] = {}
    walks: dict[Any, _Walk] = {}
    changes: list[Change] = []
    by_scope: dict[str, list[Rule]] = {"contract": [], "operation": [], "schema": []}
    for entry in RULES.values():
        by_scope[entry.scope].append(entry)
    for entry in by_scope["contract"]:
        changes.extend(_changes(ctx, entry, entry.check(ctx), "", service))
    new_ops = {operation_key(op): op for op in new.operations}
    for op in old.operations:
        other = new_ops.get(operation_key(op))
        if other is None:
            continue
        pair = OperationPair(ctx, op, other)
        for entry in by_scope["operation"]:
            changes.extend(_changes(ctx, entry, entry.check(pair), op.key, service))
        for root in _schema_roots(pair):
            found = _root_changes(ctx, by_scope["schema"], root, memo, walks, op.key, service)
            changes.extend(found)
    changes.sort(key=Change.sort_key)
    relax_unstable(changes, old)
    pact_list = list(pacts)
    attach_consumers(changes, old, pact_list)
    return DiffResult(changes, pacts=len(pact_list))


def _change(ctx: DiffContext, hit: Hit, change_id: str, level: Level) -> Change:
    return Change(
        id=change_id,
        level=level,
        message=hit.message,
        operation="",
        target=hit.target or Target("operation"),
        old_location=ctx.locate(hit.old) if hit.old is not None else None,
        new_location=ctx.locate(hit.new) if hit.new is not None else None,
        oasdiff_id=OASDIFF_IDS.get(change_id),
    )


def _kind(entry: Rule, hit: Hit) -> Kind:
    kind = entry.kinds.get(hit.kind)
    if kind is None:
        raise ValueError(f"diff rule {entry.name!r} reported undeclared kind {hit.kind!r}")
    return kind


def _changes(
    ctx: DiffContext, entry: Rule, hits: Iterator[Hit], operation: str, service: str
) -> Iterator[Change]:
    for hit in hits:
        kind = _kind(entry, hit)
        change = _change(ctx, hit, kind.name, kind.request)
        change.detail = hit.message
        change.operation = operation or (
            hit.target.name if hit.target and hit.target.part == "operation" else ""
        )
        change.service = service
        yield change


#: what the schema rules found for one pair of nodes in one kind of place, computed once
_Found = list[tuple[Hit, str, Level]]
#: what one walk from a pair of schema roots found: (data path, hits) where rules hit
_Walk = list[tuple[SchemaPair, _Found]]


def _root_changes(
    ctx: DiffContext,
    rules: list[Rule],
    root: SchemaRoot,
    memo: dict[Any, _Found],
    walks: dict[Any, _Walk],
    operation: str,
    service: str,
) -> Iterator[Change]:
    """The changes under one schema root (a body, parameter or header of an operation).

    Many roots lead to the same pair of schemas (Stripe: hundreds of responses are one
    ``$ref``), and the breadth-first walk from a pair depends only on the pair and the
    kind of place, so each walk runs once per diff and is replayed for the other roots.
    """
    old, new, direction, kind, target, media = root
    start = (node_key(ctx.deref(0, *old)[1]), node_key(ctx.deref(1, *new)[1]))
    key = (start, direction, kind, media, target.location, target.json_path)
    walk = walks.get(key)
    if walk is None:
        walk = walks[key] = []
        for pair in walk_schemas(ctx, old, new, direction, kind, target, media):
            found = _found(rules, pair, memo)
            if found:
                walk.append((pair, found))
    for pair, found in walk:
        where = replace(target, json_path=pair.target.json_path)
        for hit, change_id, level in found:
            change = _change(ctx, hit, change_id, level)
            change.target = replace(
                where,
                json_path=where.json_path + hit.sub,
                absent=hit.absent or where.absent,
                media=media,
            )
            change.operation = operation
            change.service = service
            change.detail = hit.message
            change.message = f"{change.path}: {hit.message}"
            if pair.hidden:
                _hide(change, pair.hidden)
            yield change


def _hide(change: Change, flag: str) -> None:
    """A change to a value the reading side never sees (readOnly in a request, writeOnly
    in a response) breaks nobody: noted as info, under oasdiff's read-only/write-only id
    where it has one."""
    side = "sent in a request" if flag == "readOnly" else "returned in a response"
    change.level = Level.INFO
    change.message += f" ({flag}: never {side})"
    change.oasdiff_id = hidden_oasdiff_id(change.id, flag) or change.oasdiff_id


def _found(rules: list[Rule], pair: SchemaPair, memo: dict[Any, _Found]) -> _Found:
    """What the schema rules say about one pair (memoised per pair of nodes and place kind)."""
    key = (
        node_key(pair.old_place),
        node_key(pair.new_place),
        pair.direction,
        pair.scope,
        pair.media,
    )
    found = memo.get(key)
    if found is None:
        found = memo[key] = [
            (hit, *_kind(entry, hit).resolve(pair.direction, pair.scope))
            for entry in rules
            for hit in entry.check(pair)
        ]
    return found


def _schema_roots(pair: OperationPair) -> Iterator[SchemaRoot]:
    """The schemas both versions of an operation have in common, with where they sit."""
    matched, _, _ = paired_parameters(pair)
    for a, b in matched:
        target = Target("parameter", name=b.name, location=b.location)
        yield from _root(a.schema, b.schema, "request", "parameter", target)
    body_a, body_b = pair.old.request_body, pair.new.request_body
    if body_a is not None and body_b is not None:
        for media in sorted(body_a.content.keys() & body_b.content.keys()):
            old, new = body_a.content[media].schema, body_b.content[media].schema
            yield from _root(old, new, "request", "body", Target("request-body"), media)
    for status in sorted(pair.old.responses.keys() & pair.new.responses.keys()):
        ra, rb = pair.old.responses[status], pair.new.responses[status]
        for media in sorted(ra.content.keys() & rb.content.keys()):
            target = Target("response-body", status=status)
            old, new = ra.content[media].schema, rb.content[media].schema
            yield from _root(old, new, "response", "body", target, media)
        for name in sorted(ra.headers.keys() & rb.headers.keys()):
            ha, hb = ra.headers[name], rb.headers[name]
            target = Target("response-header", name=hb.name, status=status)
            yield from _root(ha.schema, hb.schema, "response", "header", target)


def _root(
    old: SchemaRef | None,
    new: SchemaRef | None,
    direction: str,
    root: str,
    target: Target,
    media: str = "",
) -> Iterator[SchemaRoot]:
    if old is not None and new is not None:
        yield (old.value, old.place), (new.value, new.place), direction, root, target, media
