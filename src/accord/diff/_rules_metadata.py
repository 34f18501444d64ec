"""Contract-wide and descriptive rules: security, webhooks, operation metadata, deprecation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from accord.core import Place
from accord.diff._model import Level, Target
from accord.diff._registry import At, Hit, fixed, rule
from accord.diff._rules_operation import paired_parameters, param_target, raw_node
from accord.diff._walk import DiffContext, OperationPair

B, NB, INFO = Level.BREAKING, Level.NON_BREAKING, Level.INFO


@rule(
    "contract",
    fixed("global-security-added", INFO),
    fixed("global-security-removed", INFO),
    fixed("webhook-added", NB),
    fixed("webhook-removed", B),
)
def contract_level(ctx: DiffContext) -> Iterator[Hit]:
    """Global security requirements or webhooks were added or removed."""
    root_old, root_new = Place(ctx.old.root, ""), Place(ctx.new.root, "")
    target = Target("contract")
    old, new = (
        _requirements(ctx.old.data.get("security")),
        _requirements(ctx.new.data.get("security")),
    )
    for req in sorted(new - old):
        yield Hit(
            "global-security-added",
            f"global security {req} added",
            root_old,
            root_new,
            target=target,
        )
    for req in sorted(old - new):
        yield Hit(
            "global-security-removed",
            f"global security {req} removed",
            root_old,
            root_new,
            target=target,
        )
    hooks_old, hooks_new = _mapping(ctx.old.data, "webhooks"), _mapping(ctx.new.data, "webhooks")
    for name in sorted(hooks_old.keys() - hooks_new.keys()):
        yield Hit(
            "webhook-removed",
            f"webhook {name} removed",
            root_old.child("webhooks", name),
            root_new,
            target=target,
        )
    for name in sorted(hooks_new.keys() - hooks_old.keys()):
        yield Hit(
            "webhook-added",
            f"webhook {name} added",
            root_old,
            root_new.child("webhooks", name),
            target=target,
        )


def _mapping(node: Any, key: str) -> dict[str, Any]:
    found = node.get(key) if isinstance(node, dict) else None
    return found if isinstance(found, dict) else {}


def _requirements(raw: Any) -> set[str]:
    if not isinstance(raw, list):
        return set()
    return {" + ".join(sorted(r)) or "(anonymous)" for r in raw if isinstance(r, dict)}


@rule(
    "operation",
    fixed("operation-deprecated", INFO),
    fixed("operation-reactivated", INFO),
    fixed("operation-id-added", INFO),
    fixed("operation-id-removed", INFO),
    fixed("operation-id-changed", INFO),
    fixed("tag-added", INFO),
    fixed("tag-removed", INFO),
    fixed("security-added", INFO),
    fixed("security-removed", INFO),
)
def operation_metadata(pair: OperationPair) -> Iterator[Hit]:
    """Deprecation, operationId, tags or operation-level security changed."""
    old, new = pair.old, pair.new
    at: At = {"old": old.place, "new": new.place, "target": Target("operation")}
    if old.deprecated != new.deprecated:
        kind = "operation-deprecated" if new.deprecated else "operation-reactivated"
        yield Hit(kind, f"{new.key} {'deprecated' if new.deprecated else 'reactivated'}", **at)
    if old.operation_id != new.operation_id:
        if old.operation_id is None:
            yield Hit("operation-id-added", f"operationId {new.operation_id} added", **at)
        elif new.operation_id is None:
            yield Hit("operation-id-removed", f"operationId {old.operation_id} removed", **at)
        else:
            text = f"operationId changed from {old.operation_id} to {new.operation_id}"
            yield Hit("operation-id-changed", text, **at)
    for tag in sorted(set(new.tags) - set(old.tags)):
        yield Hit("tag-added", f"tag {tag} added", **at)
    for tag in sorted(set(old.tags) - set(new.tags)):
        yield Hit("tag-removed", f"tag {tag} removed", **at)
    raw_old, raw_new = raw_node(old.place), raw_node(new.place)
    sec_old = _requirements(raw_old.get("security") if isinstance(raw_old, dict) else None)
    sec_new = _requirements(raw_new.get("security") if isinstance(raw_new, dict) else None)
    for req in sorted(sec_new - sec_old):
        yield Hit("security-added", f"security requirement {req} added", **at)
    for req in sorted(sec_old - sec_new):
        yield Hit("security-removed", f"security requirement {req} removed", **at)


_STABILITY = frozenset({"draft", "alpha", "beta", "stable"})


def _is_date(value: Any) -> bool:
    try:
        date.fromisoformat(str(value))
    except ValueError:
        return False
    return True


def _sunset(kind_prefix: str, old: Any, new: Any, what: str) -> Iterator[tuple[str, str]]:
    """Deprecation-policy findings for one deprecated element (operation or parameter)."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return
    before, after = old.get("x-sunset"), new.get("x-sunset")
    if new.get("deprecated") and before is not None and after is None:
        yield (
            f"{kind_prefix}sunset-removed",
            f"{what} is deprecated but lost its x-sunset date: clients lose their notice",
        )
    elif after is not None and after != before and not _is_date(after):
        yield (
            f"{kind_prefix}sunset-invalid",
            f"x-sunset {after!r} of {what} is not a date (YYYY-MM-DD)",
        )


@rule(
    "operation",
    fixed("sunset-removed", B),
    fixed("sunset-invalid", B),
    fixed("stability-level-invalid", B),
    fixed("request-parameter-sunset-removed", B),
    fixed("request-parameter-sunset-invalid", B),
)
def deprecation_policy(pair: OperationPair) -> Iterator[Hit]:
    """A deprecated operation or parameter lost its sunset date, or has an unreadable one."""
    raw_old, raw_new = raw_node(pair.old.place), raw_node(pair.new.place)
    at: At = {"old": pair.old.place, "new": pair.new.place, "target": Target("operation")}
    for kind, text in _sunset("", raw_old, raw_new, pair.new.key):
        yield Hit(kind, text, **at)
    level = raw_new.get("x-stability-level") if isinstance(raw_new, dict) else None
    if level is not None and level not in _STABILITY:
        text = f"x-stability-level {level!r} is not one of {', '.join(sorted(_STABILITY))}"
        yield Hit("stability-level-invalid", text, **at)
    matched, _, _ = paired_parameters(pair)
    for a, b in matched:
        what = f"{b.location} parameter {b.name}"
        for kind, text in _sunset("request-parameter-", raw_node(a.place), raw_node(b.place), what):
            yield Hit(kind, text, a.place, b.place, target=param_target(b))
