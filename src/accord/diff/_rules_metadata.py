"""Contract-wide and descriptive rules: security, webhooks, operation metadata, deprecation."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from accord.core import Contract, Place
from accord.diff._model import Change, Level, Target
from accord.diff._registry import At, Hit, Kind, fixed, rule
from accord.diff._rules_operation import (
    is_date,
    paired_parameters,
    param_target,
    raw_node,
)
from accord.diff._walk import DiffContext, OperationPair, SchemaPair

B, NB, INFO = Level.BREAKING, Level.NON_BREAKING, Level.INFO


@rule(
    "contract",
    fixed("global-security-added", INFO),
    fixed("global-security-removed", INFO),
    fixed("global-security-scope-added", B),
    fixed("global-security-scope-removed", NB),
    fixed("webhook-added", NB),
    fixed("webhook-removed", B),
)
def contract_level(ctx: DiffContext) -> Iterator[Hit]:
    """Global security requirements (or their scopes) or webhooks were added or removed."""
    root_old, root_new = Place(ctx.old.root, ""), Place(ctx.new.root, "")
    target = Target("contract")
    raw_old, raw_new = ctx.old.data.get("security"), ctx.new.data.get("security")
    old, new = _requirements(raw_old), _requirements(raw_new)
    for kind, text in _scope_changes(raw_old, raw_new):
        yield Hit(f"global-{kind}", f"global {text}", root_old, root_new, target=target)
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
    return set(_requirement_scopes(raw))


def _requirement_scopes(raw: Any) -> dict[str, dict[str, set[str]]]:
    """Security requirements by their schemes (``a + b``): each scheme's scopes."""
    if not isinstance(raw, list):
        return {}
    return {
        " + ".join(sorted(r)) or "(anonymous)": {
            str(k): {str(s) for s in v} if isinstance(v, list) else set() for k, v in r.items()
        }
        for r in raw
        if isinstance(r, dict)
    }


def _scope_changes(raw_old: Any, raw_new: Any) -> Iterator[tuple[str, str]]:
    """Scopes added to or removed from a requirement both versions have.

    A requirement's scopes are all needed: a new one refuses the tokens issued without
    it (breaking), a scope no longer asked for refuses nobody.
    """
    old, new = _requirement_scopes(raw_old), _requirement_scopes(raw_new)
    for req in sorted(old.keys() & new.keys()):
        for scheme in sorted(old[req]):
            before, after = old[req][scheme], new[req].get(scheme, set())
            for scope in sorted(after - before):
                yield "security-scope-added", f"security {req}: scope {scope!r} of {scheme} added"
            for scope in sorted(before - after):
                text = f"security {req}: scope {scope!r} of {scheme} removed"
                yield "security-scope-removed", text


def _carrier(scheme: dict[str, Any], key: str) -> Any:
    """A scheme's ``key``; HTTP auth scheme names are case-insensitive (RFC 9110 11.1)."""
    value = scheme.get(key)
    return value.lower() if key == "scheme" and isinstance(value, str) else value


_FLOW_URLS = {"authorizationUrl": "oauth-url", "tokenUrl": "oauth-token-url"}
#: what identifies how a credential travels, by scheme type
_CARRIER = {"apiKey": ("in", "name"), "http": ("scheme",), "openIdConnect": ("openIdConnectUrl",)}


@rule(
    "contract",
    fixed("security-component-added", INFO),
    fixed("security-component-removed", INFO),
    fixed("security-component-type-changed", B),
    fixed("security-component-changed", B),
    fixed("security-component-oauth-scope-added", INFO),
    fixed("security-component-oauth-scope-removed", INFO),
    fixed("security-component-oauth-url-changed", INFO),
    fixed("security-component-oauth-token-url-changed", INFO),
)
def security_schemes(ctx: DiffContext) -> Iterator[Hit]:
    """Security schemes of components were added, removed, retyped or changed."""
    old = _mapping(_mapping(ctx.old.data, "components"), "securitySchemes")
    new = _mapping(_mapping(ctx.new.data, "components"), "securitySchemes")
    base_old = Place(ctx.old.root, "/components/securitySchemes")
    base_new = Place(ctx.new.root, "/components/securitySchemes")
    target = Target("contract")
    for name in sorted(new.keys() - old.keys()):
        at_new = base_new.child(name)
        yield Hit(
            "security-component-added", f"security scheme {name} added", None, at_new, target=target
        )
    for name in sorted(old.keys() - new.keys()):
        at_old = base_old.child(name)
        yield Hit(
            "security-component-removed",
            f"security scheme {name} removed",
            at_old,
            None,
            target=target,
        )
    for name in sorted(old.keys() & new.keys()):
        a, b = old[name], new[name]
        if not isinstance(a, dict) or not isinstance(b, dict) or a == b:
            continue
        at: At = {"old": base_old.child(name), "new": base_new.child(name), "target": target}
        if a.get("type") != b.get("type"):
            text = f"security scheme {name} changed type from {a.get('type')} to {b.get('type')}"
            yield Hit("security-component-type-changed", text, **at)
            continue
        for key in _CARRIER.get(str(a.get("type")), ()):
            if _carrier(a, key) != _carrier(b, key):
                text = (
                    f"security scheme {name}: {key} changed from {a.get(key)!r} to {b.get(key)!r}"
                )
                yield Hit("security-component-changed", text, **at)
        flows_old, flows_new = _mapping(a, "flows"), _mapping(b, "flows")
        for flow in sorted(flows_old.keys() & flows_new.keys()):
            fa, fb = flows_old[flow], flows_new[flow]
            if not isinstance(fa, dict) or not isinstance(fb, dict):
                continue
            for key, stem in _FLOW_URLS.items():
                if fa.get(key) != fb.get(key):
                    text = f"security scheme {name}, {flow} flow: {key} changed to {fb.get(key)}"
                    yield Hit(f"security-component-{stem}-changed", text, **at)
            scopes_old, scopes_new = _mapping(fa, "scopes"), _mapping(fb, "scopes")
            for scope in sorted(scopes_new.keys() - scopes_old.keys()):
                text = f"security scheme {name}, {flow} flow: scope {scope!r} added"
                yield Hit("security-component-oauth-scope-added", text, **at)
            for scope in sorted(scopes_old.keys() - scopes_new.keys()):
                text = f"security scheme {name}, {flow} flow: scope {scope!r} removed"
                yield Hit("security-component-oauth-scope-removed", text, **at)


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
    fixed("security-scope-added", B),
    fixed("security-scope-removed", NB),
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
    if isinstance(raw_old, dict) and isinstance(raw_new, dict):
        for kind, text in _scope_changes(raw_old.get("security"), raw_new.get("security")):
            yield Hit(kind, text, **at)


_STABILITY = frozenset({"draft", "alpha", "beta", "stable"})


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
    elif after != before:
        # a change from or to a date nobody can read: the notice cannot be compared
        bad = [v for v in (after, before) if v is not None and not is_date(v)]
        if bad:
            yield (
                f"{kind_prefix}sunset-invalid",
                f"x-sunset {bad[0]!r} of {what} is not a date (YYYY-MM-DD)",
            )


#: how much an operation promises, least first; draft and alpha promise nothing
_STABILITY_RANK = {"draft": 0, "alpha": 1, "beta": 2, "stable": 3}
UNSTABLE = frozenset({"draft", "alpha"})


@rule(
    "operation",
    fixed("sunset-removed", B),
    fixed("sunset-invalid", B),
    fixed("stability-level-invalid", B),
    fixed("stability-decreased", B),
    fixed("stability-increased", INFO),
    fixed("request-parameter-sunset-removed", B),
    fixed("request-parameter-sunset-invalid", B),
)
def deprecation_policy(pair: OperationPair) -> Iterator[Hit]:
    """Sunset dates lost or unreadable, stability levels invalid, lowered or raised."""
    raw_old, raw_new = raw_node(pair.old.place), raw_node(pair.new.place)
    at: At = {"old": pair.old.place, "new": pair.new.place, "target": Target("operation")}
    for kind, text in _sunset("", raw_old, raw_new, pair.new.key):
        yield Hit(kind, text, **at)
    before = raw_old.get("x-stability-level") if isinstance(raw_old, dict) else None
    level = raw_new.get("x-stability-level") if isinstance(raw_new, dict) else None
    found = _stability_change(before, level)
    if found is not None:
        yield Hit(found[0], found[1], **at)
    matched, _, _ = paired_parameters(pair)
    for a, b in matched:
        what = f"{b.location} parameter {b.name}"
        for kind, text in _sunset("request-parameter-", raw_node(a.place), raw_node(b.place), what):
            yield Hit(kind, text, a.place, b.place, target=param_target(b))


def _stability_change(before: Any, level: Any) -> tuple[str, str] | None:
    """(kind, text) for an x-stability-level that became invalid, lower or higher.

    No level at all is ``stable`` (as oasdiff reads it): marking a stable element beta
    lowers its promise, dropping the mark raises it.
    """
    if before is None and level is None:
        return None
    before = "stable" if before is None else before if isinstance(before, str) else repr(before)
    level = "stable" if level is None else level if isinstance(level, str) else repr(level)
    if level is not None and level not in _STABILITY:
        text = f"x-stability-level {level!r} is not one of {', '.join(sorted(_STABILITY))}"
        return "stability-level-invalid", text
    if before in _STABILITY_RANK and level in _STABILITY_RANK and before != level:
        lower = _STABILITY_RANK[str(level)] < _STABILITY_RANK[str(before)]
        text = f"x-stability-level {'lowered' if lower else 'raised'} from {before} to {level}"
        return ("stability-decreased" if lower else "stability-increased"), text
    return None


def _schema_kind(what: str, level: Level) -> Kind:
    """A schema's stability kind: named apart from the operation's, with the place's id."""
    return Kind(f"schema-{what}", level, level, "{scope}-" + what)


@rule(
    "schema",
    _schema_kind("stability-level-invalid", B),
    _schema_kind("stability-decreased", B),
    _schema_kind("stability-increased", INFO),
)
def schema_stability(pair: SchemaPair) -> Iterator[Hit]:
    """A property's (or any schema's) x-stability-level became invalid, lower or higher."""
    before, level = pair.get("x-stability-level")
    found = _stability_change(before, level)
    if found is not None:
        at = pair.new_place.child("x-stability-level") if level is not None else pair.new_place
        yield Hit(f"schema-{found[0]}", found[1], pair.old_place, at)


def stability(raw: Any) -> str:
    level = raw.get("x-stability-level") if isinstance(raw, dict) else None
    return level if isinstance(level, str) else ""


def relax_unstable(changes: list[Change], old: Contract) -> None:
    """Changes to a draft or alpha operation break no promise: breaking becomes info.

    ``x-stability-level: draft`` or ``alpha`` (on the old version) says the operation may
    change at any time; oasdiff reports nothing about such operations, so these changes
    have no oasdiff id. Changes of the stability level itself keep theirs.
    """
    levels = {op.key: stability(raw_node(op.place)) for op in old.operations}
    for change in changes:
        level = levels.get(change.operation, "")
        if level not in UNSTABLE or change.id.startswith("stability-"):
            continue
        change.oasdiff_id = None
        if change.level is Level.BREAKING:
            change.level = Level.INFO
            change.message += f" (x-stability-level {level}: no compatibility promised)"


def _alternatives(security: tuple[Mapping[str, Any], ...]) -> set[frozenset[str]]:
    """An operation's effective requirements: any one of them lets a call in, and each
    needs all its schemes; an empty one (or none at all) lets anyone in."""
    return {frozenset(req) for req in security} or {frozenset()}


@rule(
    "operation",
    fixed("security-became-required", B),
    fixed("security-alternative-refused", B),
    fixed("global-security-became-required", B),
    fixed("global-security-alternative-refused", B),
)
def authentication(pair: OperationPair) -> Iterator[Hit]:
    """Calls the old version let in (anonymous, or with some credentials) are refused.

    The requirements are the effective ones (the operation's own, else the document's,
    which the ``global-`` ids name): a client that called without credentials breaks
    when every alternative now needs some, and one that used an alternative breaks when
    no new alternative is met by the credentials it has.
    """
    old, new = _alternatives(pair.old.security), _alternatives(pair.new.security)
    if frozenset() in new:
        return
    raw = raw_node(pair.new.place)
    prefix = "" if isinstance(raw, dict) and "security" in raw else "global-"
    at: At = {"old": pair.old.place, "new": pair.new.place, "target": Target("operation")}
    if frozenset() in old:
        text = "calls without credentials are refused now: every alternative needs " + (
            " or ".join(" + ".join(sorted(alt)) for alt in sorted(new, key=sorted))
        )
        yield Hit(f"{prefix}security-became-required", text, **at)
        return
    for alt in sorted(old, key=sorted):
        if not any(need <= alt for need in new):
            text = f"clients that authenticate with {' + '.join(sorted(alt))} are refused now"
            yield Hit(f"{prefix}security-alternative-refused", text, **at)
