"""Schema rules: types, nullability, enums, required properties, added and removed properties.

Each rule looks at one :class:`SchemaPair`. Levels follow the direction: a request
schema that accepts less, or a response schema that may return more, breaks clients.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from accord.diff._model import Level
from accord.diff._registry import At, Hit, directional, fixed, rule
from accord.diff._walk import SchemaPair

B, NB, INFO = Level.BREAKING, Level.NON_BREAKING, Level.INFO

#: format changes that only widen what a value may be
_WIDER_FORMATS = {("int32", "int64"), ("float", "double")}
_SCALARS = frozenset({"integer", "number", "boolean"})


def types(node: Any, openapi30: bool) -> frozenset[str]:
    """The non-null types a schema allows; empty when it says nothing about type."""
    if not isinstance(node, dict):
        return frozenset()
    raw = node.get("type")
    found = [raw] if isinstance(raw, str) else raw if isinstance(raw, list) else []
    return frozenset(str(t) for t in found if t != "null")


def nullable(node: Any, openapi30: bool) -> bool:
    if not isinstance(node, dict):
        return False
    if openapi30:
        return node.get("nullable") is True
    raw = node.get("type")
    return raw == "null" or (isinstance(raw, list) and "null" in raw)


def _widens(old: frozenset[str], new: frozenset[str]) -> bool:
    grown = new | ({"number"} if "integer" in new and "number" in new else set())
    return all(t in grown or (t == "integer" and "number" in grown) for t in old)


def _show(values: frozenset[str]) -> str:
    return "|".join(sorted(values)) or "any"


@rule(
    "schema",
    directional("type-changed", B, B),
    directional("type-generalized", NB, B),
    directional("type-specialized", B, NB),
    directional("list-of-types-widened", NB, B),
    directional("list-of-types-narrowed", B, NB),
    directional("type-compatible", INFO, INFO),
    directional("type-widened-to-text", NB, B),
)
def type_changes(pair: SchemaPair) -> Iterator[Hit]:
    """The type (or format) of a schema changed, got wider or narrower."""
    old, new = types(pair.old, pair.old30), types(pair.new, pair.new30)
    places: At = {"old": pair.old_place.child("type"), "new": pair.new_place.child("type")}
    if old != new:
        text = f"type changed from {_show(old)} to {_show(new)}"
        if pair.loosely_typed and old and new:
            yield Hit("type-compatible", text + f" ({pair.media} carries text anyway)", **places)
        elif pair.root == "parameter" and new == {"string"} and old and old <= _SCALARS:
            # a parameter's value is text in the URL or header: "5" and "true" are strings
            yield Hit("type-widened-to-text", text + " (its values are text already)", **places)
        elif len(old) > 1 or len(new) > 1:
            if old and new and old < new:
                yield Hit("list-of-types-widened", text, **places)
            elif old and new and new < old:
                yield Hit("list-of-types-narrowed", text, **places)
            else:
                yield Hit("type-changed", text, **places)
        elif not new or (old and _widens(old, new)):
            yield Hit("type-generalized", text, **places)
        elif not old and pair.direction == "response":
            yield Hit("type-specialized", text, **places)
        else:
            yield Hit("type-changed", text, **places)
        return
    fmt_old, fmt_new = pair.get("format")
    if fmt_old == fmt_new:
        return
    text = f"format of type {_show(new)} changed from {fmt_old or 'none'} to {fmt_new or 'none'}"
    places = {"old": pair.old_place.child("format"), "new": pair.new_place.child("format")}
    if fmt_new is None or (fmt_old, fmt_new) in _WIDER_FORMATS:
        yield Hit("type-generalized", text, **places)
    elif fmt_old is None and pair.direction == "response":
        yield Hit("type-specialized", text, **places)
    else:
        yield Hit("type-changed", text, **places)


@rule(
    "schema",
    directional("became-nullable", NB, B),
    directional("became-not-nullable", B, NB),
)
def nullability(pair: SchemaPair) -> Iterator[Hit]:
    """A schema started or stopped accepting null."""
    old, new = nullable(pair.old, pair.old30), nullable(pair.new, pair.new30)
    if old == new:
        return
    if new:
        yield Hit("became-nullable", "now nullable", pair.old_place, pair.new_place)
    else:
        yield Hit("became-not-nullable", "no longer nullable", pair.old_place, pair.new_place)


def _listing(values: list[str], most: int = 8) -> str:
    """``value "a"`` or ``values "a", "b" (and 3 more)``."""
    shown = ", ".join(values[:most]) + (
        f" (and {len(values) - most} more)" if len(values) > most else ""
    )
    return f"value{'s' if len(values) > 1 else ''} {shown}"


def _values(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, list):
        return {}
    return {json.dumps(v, sort_keys=True): v for v in raw}


@rule(
    "schema",
    directional("enum-value-removed", B, NB),
    directional("enum-value-added", NB, B),
    directional("became-enum", B, NB),
    directional("enum-removed", NB, B),
    directional("x-extensible-enum-value-removed", B, NB),
)
def enum_values(pair: SchemaPair) -> Iterator[Hit]:
    """Enum values were added or removed, or a schema became (or stopped being) an enum."""
    for key, prefix in (("enum", ""), ("x-extensible-enum", "x-extensible-")):
        raw_old, raw_new = pair.get(key)
        old, new = _values(raw_old), _values(raw_new)
        places: At = {"old": pair.old_place.child(key), "new": pair.new_place.child(key)}
        if prefix:
            for value in old.keys() - new.keys():
                yield Hit(f"{prefix}enum-value-removed", f"{key} value {value} removed", **places)
            continue
        if raw_old is None and raw_new is not None:
            shown = ", ".join(sorted(new))
            yield Hit("became-enum", f"now restricted to the values {shown}", **places)
            continue
        if raw_old is not None and raw_new is None:
            yield Hit("enum-removed", "no longer restricted to a list of values", **places)
            continue
        removed, added = sorted(old.keys() - new.keys()), sorted(new.keys() - old.keys())
        if removed:
            yield Hit("enum-value-removed", f"enum {_listing(removed)} removed", **places)
        if added:
            yield Hit("enum-value-added", f"enum {_listing(added)} added", **places)


@rule(
    "schema",
    directional("const-added", B, NB),
    directional("const-removed", NB, B),
    directional("const-changed", B, B),
    directional("default-value-added", INFO, INFO, overrides={"request-parameter": B}),
    directional("default-value-removed", INFO, INFO, overrides={"request-parameter": B}),
    directional("default-value-changed", INFO, INFO, overrides={"request-parameter": B}),
)
def const_and_default(pair: SchemaPair) -> Iterator[Hit]:
    """The ``const`` or ``default`` value was added, removed or changed."""
    for key, name in (("const", "const"), ("default", "default-value")):
        old, new = pair.get(key)
        places: At = {"old": pair.old_place.child(key), "new": pair.new_place.child(key)}
        if old == new:
            continue
        if old is None:
            yield Hit(f"{name}-added", f"{key} {json.dumps(new)} added", **places)
        elif new is None:
            yield Hit(f"{name}-removed", f"{key} {json.dumps(old)} removed", **places)
        else:
            text = f"{key} changed from {json.dumps(old)} to {json.dumps(new)}"
            yield Hit(f"{name}-changed", text, **places)


def _props(node: Any) -> dict[str, Any]:
    found = node.get("properties") if isinstance(node, dict) else None
    return found if isinstance(found, dict) else {}


def _required(node: Any) -> set[str]:
    found = node.get("required") if isinstance(node, dict) else None
    return {str(r) for r in found} if isinstance(found, list) else set()


def _hidden(pair: SchemaPair, prop: Any) -> bool:
    """A readOnly property is never sent in a request; a writeOnly one never returned."""
    if not isinstance(prop, dict):
        return False
    flag = "readOnly" if pair.direction == "request" else "writeOnly"
    return prop.get(flag) is True


@rule(
    "schema",
    fixed("request-property-removed", NB),
    fixed("request-property-added-required", B),
    fixed("request-property-added-optional", NB),
    fixed("response-required-property-removed", B),
    fixed("response-optional-property-removed", NB),
    fixed("response-required-property-added", NB),
    fixed("response-optional-property-added", NB),
)
def properties(pair: SchemaPair) -> Iterator[Hit]:
    """Properties of an object were added or removed."""
    old, new = _props(pair.old), _props(pair.new)
    req_old, req_new = _required(pair.old), _required(pair.new)
    for name in old.keys() - new.keys():
        if _hidden(pair, old[name]):
            continue
        where: At = {"old": pair.old_place.child("properties", name), "new": pair.new_place}
        if pair.direction == "request":
            yield Hit("request-property-removed", f"property {name} removed", sub=(name,), **where)
        else:
            kind = "required" if name in req_old else "optional"
            yield Hit(
                f"response-{kind}-property-removed",
                f"{kind} property {name} removed from the response",
                sub=(name,),
                **where,
            )
    for name in new.keys() - old.keys():
        if _hidden(pair, new[name]):
            continue
        where = {"old": pair.old_place, "new": pair.new_place.child("properties", name)}
        required = name in req_new
        if pair.direction == "request":
            kind = "required" if required else "optional"
            yield Hit(
                f"request-property-added-{kind}",
                f"new {kind} request property {name}",
                sub=(name,),
                absent=required,
                **where,
            )
        else:
            kind = "required" if required else "optional"
            yield Hit(f"response-{kind}-property-added", f"new {kind} property {name}", **where)


@rule(
    "schema",
    directional("property-became-required", B, NB, scoped=False),
    directional("property-became-required-with-default", B, NB, scoped=False),
    directional("property-became-optional", NB, B, scoped=False),
)
def required_properties(pair: SchemaPair) -> Iterator[Hit]:
    """A property that stays in the schema became required, or optional."""
    old, new = _props(pair.old), _props(pair.new)
    req_old, req_new = _required(pair.old), _required(pair.new)
    for name in sorted(old.keys() & new.keys()):
        if _hidden(pair, new[name]) or (name in req_old) == (name in req_new):
            continue
        where: At = {
            "old": pair.old_place.child("required"),
            "new": pair.new_place.child("required"),
        }
        if name in req_new:
            has_default = isinstance(new[name], dict) and "default" in new[name]
            yield Hit(
                "property-became-required" + ("-with-default" if has_default else ""),
                f"property {name} became required",
                sub=(name,),
                absent=True,
                **where,
            )
        else:
            yield Hit("property-became-optional", f"property {name} became optional", **where)


@rule(
    "schema",
    directional("deprecated", INFO, INFO),
    directional("deprecated-with-sunset", INFO, INFO),
    directional("reactivated", INFO, INFO),
)
def deprecation(pair: SchemaPair) -> Iterator[Hit]:
    """A schema was marked deprecated, or no longer is."""
    old, new = pair.get("deprecated")
    if bool(old) == bool(new):
        return
    places: At = {"old": pair.old_place, "new": pair.new_place.child("deprecated")}
    if new:
        sunset = pair.new.get("x-sunset") if isinstance(pair.new, dict) else None
        if sunset is not None:
            yield Hit("deprecated-with-sunset", f"deprecated, sunset {sunset}", **places)
        else:
            yield Hit("deprecated", "deprecated", **places)
    else:
        yield Hit("reactivated", "no longer deprecated", **places)


#: readOnly / writeOnly flips of a property: (direction, required, flag, now set) -> level.
#: A required readOnly property is required of responses only, a required writeOnly one
#: of requests only (OpenAPI 3.0, Schema Object); so two flips move a requirement:
#: a required request property that stops being readOnly must now be sent, and a required
#: response property that becomes writeOnly is no longer returned. The others are noted.
_FLIP_LEVELS = {
    ("request", True, "read", False): B,
    ("response", True, "write", True): B,
    ("response", True, "write", False): NB,
    ("request", True, "read", True): NB,
}
_FLIPS = [
    fixed(f"{direction}-{kind}-property-became-{neg}{flag}-only", level)
    for direction in ("request", "response")
    for kind in ("required", "optional")
    for flag in ("read", "write")
    for neg, now in (("", True), ("not-", False))
    for level in [_FLIP_LEVELS.get((direction, kind == "required", flag, now), INFO)]
]


@rule("schema", *_FLIPS)
def read_write_only(pair: SchemaPair) -> Iterator[Hit]:
    """A property of a body became (or stopped being) readOnly or writeOnly."""
    if pair.root != "body":
        return
    old, new = _props(pair.old), _props(pair.new)
    req_old, req_new = _required(pair.old), _required(pair.new)
    for name in sorted(old.keys() & new.keys()):
        a, _ = pair.ctx.deref(0, old[name], pair.old_place.child("properties", name))
        b, at_new = pair.ctx.deref(1, new[name], pair.new_place.child("properties", name))
        if not isinstance(a, dict) or not isinstance(b, dict):
            continue
        required = name in req_old and name in req_new
        if (name in req_old) != (name in req_new):
            continue  # the required_properties rule reports the requirement itself
        for key, flag in (("readOnly", "read"), ("writeOnly", "write")):
            was, now = a.get(key) is True, b.get(key) is True
            if was == now:
                continue
            kind = "required" if required else "optional"
            neg = "" if now else "not-"
            yield Hit(
                f"{pair.direction}-{kind}-property-became-{neg}{flag}-only",
                f"{kind} property {name} {'became' if now else 'is no longer'} {key}",
                pair.old_place.child("properties", name),
                at_new,
                sub=(name,),
                absent=pair.direction == "request" and required and key == "readOnly" and not now,
            )
