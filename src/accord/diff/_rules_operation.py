"""Contract and operation rules: operations, parameters, request bodies, responses, headers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from accord.core import Operation, Parameter, PathTemplate, Place, decode_pointer
from accord.diff._model import Level, Target
from accord.diff._registry import At, Hit, fixed, rule
from accord.diff._walk import DiffContext, OperationPair

B, NB, INFO = Level.BREAKING, Level.NON_BREAKING, Level.INFO


def operation_key(op: Operation) -> tuple[str, str]:
    """Operations match across versions by method and path shape (parameter names aside)."""
    return op.method, PathTemplate.parse(op.path).shape


def raw_node(place: Place) -> Any:
    node: Any = place.file.data
    for part in decode_pointer(place.pointer):
        if isinstance(node, list):
            node = node[int(part)] if part.isdigit() and int(part) < len(node) else None
        else:
            node = node.get(part) if isinstance(node, dict) else None
    return node


def is_date(value: Any) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def sunset_ahead(node: Any) -> str | None:
    """The x-sunset date of a raw operation or parameter when it is still to come."""
    raw = node.get("x-sunset") if isinstance(node, dict) else None
    if raw is None or not is_date(raw):
        return None
    return str(raw) if date.fromisoformat(str(raw)) > date.today() else None


@rule(
    "contract",
    fixed("path-removed", B),
    fixed("operation-removed", B),
    fixed("deprecated-path-removed", NB),
    fixed("deprecated-operation-removed", NB),
    fixed("path-removed-before-sunset", B),
    fixed("operation-removed-before-sunset", B),
    fixed("operation-added", NB),
)
def operations(ctx: DiffContext) -> Iterator[Hit]:
    """Operations (or whole paths) were removed (before their sunset date) or added."""
    old = {operation_key(op): op for op in ctx.old.operations}
    new = {operation_key(op): op for op in ctx.new.operations}
    new_shapes = {shape for _, shape in new}
    for key in sorted(old.keys() - new.keys()):
        op = old[key]
        what = "operation" if key[1] in new_shapes else "path"
        kind = f"deprecated-{what}-removed" if op.deprecated else f"{what}-removed"
        text = f"{op.key} removed" + (" (it was deprecated)" if op.deprecated else "")
        sunset = sunset_ahead(raw_node(op.place))
        if sunset is not None:
            kind, text = (
                f"{what}-removed-before-sunset",
                f"{op.key} removed before its sunset {sunset}",
            )
        yield Hit(kind, text, op.place, None, target=Target("operation", name=op.key))
    for key in sorted(new.keys() - old.keys()):
        op = new[key]
        yield Hit("operation-added", f"{op.key} added", None, op.place, target=Target("contract"))


def paired_parameters(
    pair: OperationPair,
) -> tuple[list[tuple[Parameter, Parameter]], list[Parameter], list[Parameter]]:
    """Parameters matched by location and name (path parameters by position)."""
    renames = dict(
        zip(
            PathTemplate.parse(pair.old.path).params,
            PathTemplate.parse(pair.new.path).params,
            strict=False,
        )
    )

    def key(p: Parameter, rename: bool) -> tuple[str, str]:
        if rename and p.location == "path":
            return p.location, renames.get(p.name, p.name)
        return p.key

    new = {key(p, False): p for p in pair.new.parameters}
    old = {key(p, True): p for p in pair.old.parameters}
    matched = [(old[k], new[k]) for k in old if k in new]
    return matched, [old[k] for k in old if k not in new], [new[k] for k in new if k not in old]


def param_target(p: Parameter, absent: bool = False) -> Target:
    return Target("parameter", name=p.name, location=p.location, absent=absent)


@rule(
    "operation",
    fixed("request-parameter-removed", NB),
    fixed("request-parameter-removed-before-sunset", B),
    fixed("request-parameter-added-required", B),
    fixed("request-parameter-added-optional", NB),
    fixed("request-parameter-became-required", B),
    fixed("request-parameter-became-optional", NB),
    fixed("request-parameter-deprecated", INFO),
    fixed("request-parameter-reactivated", INFO),
)
def parameters(pair: OperationPair) -> Iterator[Hit]:
    """Parameters were removed, added, made required or optional, or deprecated."""
    matched, removed, added = paired_parameters(pair)
    for p in removed:
        text = f"{p.location} parameter {p.name} removed"
        kind = "request-parameter-removed"
        sunset = sunset_ahead(raw_node(p.place))
        if sunset is not None:
            kind, text = f"{kind}-before-sunset", f"{text} before its sunset {sunset}"
        yield Hit(kind, text, p.place, pair.new.place, target=param_target(p))
    for p in added:
        kind = "required" if p.required else "optional"
        text = f"new {kind} {p.location} parameter {p.name}"
        yield Hit(
            f"request-parameter-added-{kind}",
            text,
            pair.old.place,
            p.place,
            target=param_target(p, p.required),
        )
    for a, b in matched:
        at: At = {"old": a.place, "new": b.place, "target": param_target(b)}
        if a.required != b.required:
            kind = "required" if b.required else "optional"
            text = f"{b.location} parameter {b.name} became {kind}"
            at["target"] = param_target(b, b.required)
            yield Hit(f"request-parameter-became-{kind}", text, **at)
            at["target"] = param_target(b)
        if a.deprecated != b.deprecated:
            kind = "deprecated" if b.deprecated else "reactivated"
            yield Hit(
                f"request-parameter-{kind}",
                f"{b.location} parameter {b.name} {kind}",
                **at,
            )


@rule(
    "operation",
    fixed("request-body-added-required", B),
    fixed("request-body-added-optional", NB),
    fixed("request-body-removed", B),
    fixed("request-body-became-required", B),
    fixed("request-body-became-optional", NB),
    fixed("request-body-media-type-added", NB),
    fixed("request-body-media-type-removed", B),
)
def request_body(pair: OperationPair) -> Iterator[Hit]:
    """The request body appeared, disappeared, changed requiredness or media types."""
    old, new = pair.old.request_body, pair.new.request_body
    if old is None and new is None:
        return
    target = Target("request-body")
    if old is None and new is not None:
        kind = "required" if new.required else "optional"
        yield Hit(
            f"request-body-added-{kind}",
            f"{kind} request body added",
            pair.old.place,
            new.place,
            target=Target("request-body", absent=new.required),
        )
        return
    if new is None and old is not None:
        yield Hit(
            "request-body-removed", "request body removed", old.place, pair.new.place, target=target
        )
        return
    assert old is not None and new is not None
    if old.required != new.required:
        kind = "required" if new.required else "optional"
        yield Hit(
            f"request-body-became-{kind}",
            f"request body became {kind}",
            old.place,
            new.place,
            target=Target("request-body", absent=new.required),
        )
    for media in sorted(old.content.keys() - new.content.keys()):
        yield Hit(
            "request-body-media-type-removed",
            f"request media type {media} removed",
            old.content[media].place,
            new.place,
            target=target,
        )
    for media in sorted(new.content.keys() - old.content.keys()):
        yield Hit(
            "request-body-media-type-added",
            f"request media type {media} added",
            old.place,
            new.content[media].place,
            target=target,
        )


def _success(status: str) -> bool:
    return status.startswith("2")


@rule(
    "operation",
    fixed("response-success-status-removed", B),
    fixed("response-non-success-status-removed", INFO),
    fixed("response-success-status-added", NB),
    fixed("response-non-success-status-added", INFO),
    fixed("response-media-type-removed", B),
    fixed("response-media-type-added", NB),
)
def responses(pair: OperationPair) -> Iterator[Hit]:
    """Response statuses or their media types were removed or added."""
    old, new = pair.old.responses, pair.new.responses
    responses_old = pair.old.place.child("responses")
    responses_new = pair.new.place.child("responses")
    for status in sorted(old.keys() - new.keys()):
        kind = "success" if _success(status) else "non-success"
        yield Hit(
            f"response-{kind}-status-removed",
            f"response {status} removed",
            old[status].place,
            responses_new,
            target=Target("response-status", status=status),
        )
    for status in sorted(new.keys() - old.keys()):
        kind = "success" if _success(status) else "non-success"
        yield Hit(
            f"response-{kind}-status-added",
            f"response {status} added",
            responses_old,
            new[status].place,
            target=Target("response-status", status=status),
        )
    for status in sorted(old.keys() & new.keys()):
        a, b = old[status], new[status]
        target = Target("response-body", status=status)
        for media in sorted(a.content.keys() - b.content.keys()):
            yield Hit(
                "response-media-type-removed",
                f"response {status} media type {media} removed",
                a.content[media].place,
                b.place,
                target=target,
            )
        for media in sorted(b.content.keys() - a.content.keys()):
            yield Hit(
                "response-media-type-added",
                f"response {status} media type {media} added",
                a.place,
                b.content[media].place,
                target=target,
            )


@rule(
    "operation",
    fixed("response-required-header-removed", B),
    fixed("response-optional-header-removed", B),
    fixed("response-header-became-optional", B),
    fixed("response-header-became-required", NB),
    fixed("response-header-added", NB),
)
def response_headers(pair: OperationPair) -> Iterator[Hit]:
    """Response headers were removed, added, or changed requiredness."""
    for status in sorted(pair.old.responses.keys() & pair.new.responses.keys()):
        a, b = pair.old.responses[status], pair.new.responses[status]
        for name in sorted(a.headers.keys() - b.headers.keys()):
            h = a.headers[name]
            kind = "required" if h.required else "optional"
            target = Target("response-header", name=h.name, status=status)
            yield Hit(
                f"response-{kind}-header-removed",
                f"{kind} response header {h.name} removed",
                h.place,
                b.place,
                target=target,
            )
        for name in sorted(b.headers.keys() - a.headers.keys()):
            h = b.headers[name]
            target = Target("response-header", name=h.name, status=status)
            yield Hit(
                "response-header-added",
                f"response header {h.name} added",
                a.place,
                h.place,
                target=target,
            )
        for name in sorted(a.headers.keys() & b.headers.keys()):
            ha, hb = a.headers[name], b.headers[name]
            if ha.required != hb.required:
                kind = "required" if hb.required else "optional"
                target = Target("response-header", name=hb.name, status=status)
                yield Hit(
                    f"response-header-became-{kind}",
                    f"response header {hb.name} became {kind}",
                    ha.place,
                    hb.place,
                    target=target,
                )


@rule(
    "operation",
    fixed("request-body-media-type-schema-added", B),
    fixed("request-body-media-type-schema-removed", NB),
    fixed("response-body-media-type-schema-added", NB),
    fixed("response-body-media-type-schema-removed", B),
)
def media_type_schemas(pair: OperationPair) -> Iterator[Hit]:
    """A media type both versions list gained or lost its schema.

    A media type without a schema carries anything: a schema added to a request's
    narrows what may be sent, one removed from a response's no longer says what comes
    back (as a type generalized to any does).
    """
    bodies: list[tuple[str, Target, Any, Any]] = []
    old_body, new_body = pair.old.request_body, pair.new.request_body
    if old_body is not None and new_body is not None:
        bodies.append(("request", Target("request-body"), old_body.content, new_body.content))
    for status in sorted(pair.old.responses.keys() & pair.new.responses.keys()):
        a, b = pair.old.responses[status], pair.new.responses[status]
        bodies.append(("response", Target("response-body", status=status), a.content, b.content))
    for direction, target, old, new in bodies:
        where = f"response {target.status}" if target.status else "request"
        for media in sorted(old.keys() & new.keys()):
            a, b = old[media], new[media]
            if (a.schema is None) == (b.schema is None):
                continue
            verb = "added" if a.schema is None else "removed"
            yield Hit(
                f"{direction}-body-media-type-schema-{verb}",
                f"{where} media type {media}: schema {verb}",
                a.place,
                b.place,
                target=Target(target.part, status=target.status, media=media),
            )
