"""Schema rules for validation keywords: bounds, patterns, compositions, JSON Schema 2020-12.

The bounds are one table: a ``max`` keyword that decreases (or appears) narrows a
schema, a ``min`` keyword that increases (or appears) narrows it too; the
opposite edits widen it. Narrowing breaks requests, widening breaks responses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from accord.diff._model import Level
from accord.diff._registry import At, Hit, Kind, directional, rule
from accord.diff._walk import ANNOTATIONS, COMPOSITIONS, SchemaPair, composition_members

B, NB, INFO = Level.BREAKING, Level.NON_BREAKING, Level.INFO

#: keyword -> (id stem, True for an upper bound)
BOUNDS = {
    "maximum": ("max", True),
    "exclusiveMaximum": ("exclusive-max", True),
    "maxLength": ("max-length", True),
    "maxItems": ("max-items", True),
    "maxProperties": ("max-properties", True),
    "maxContains": ("max-contains", True),
    "minimum": ("min", False),
    "exclusiveMinimum": ("exclusive-min", False),
    "minLength": ("min-length", False),
    "minItems": ("min-items", False),
    "minProperties": ("min-properties", False),
    "minContains": ("min-contains", False),
}


def _bound_kinds() -> list[Kind]:
    kinds = []
    for stem, upper in BOUNDS.values():
        narrow, wide = ("decreased", "increased") if upper else ("increased", "decreased")
        kinds += [
            directional(f"{stem}-{narrow}", B, NB),
            directional(f"{stem}-{wide}", NB, B),
            directional(f"{stem}-set", B, NB),
            directional(f"{stem}-unset", NB, B),
        ]
    return kinds


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


@rule("schema", *_bound_kinds())
def bounds(pair: SchemaPair) -> Iterator[Hit]:
    """A numeric, length, size or count bound was set, removed, raised or lowered."""
    if not isinstance(pair.old, dict) or not isinstance(pair.new, dict):
        return
    for keyword, (stem, _upper) in BOUNDS.items():
        raw_old, raw_new = pair.old.get(keyword), pair.new.get(keyword)
        old, new = _number(raw_old), _number(raw_new)
        if old == new:
            continue
        places: At = {"old": pair.old_place.child(keyword), "new": pair.new_place.child(keyword)}
        if old is None:
            yield Hit(f"{stem}-set", f"{keyword} set to {raw_new}", **places)
        elif new is None:
            yield Hit(f"{stem}-unset", f"{keyword} {raw_old} removed", **places)
        else:
            grew = new > old
            verb = "increased" if grew else "decreased"
            yield Hit(f"{stem}-{verb}", f"{keyword} {verb} from {raw_old} to {raw_new}", **places)


_ANY = frozenset({"", ".*", "^.*", ".*$", "^.*$"})
_NON_EMPTY = frozenset({".+", "^.+", ".+$", "^.+$"})
#: ``^[class]+$`` / ``^[class]*$``: one character class, repeated, the whole string
_CLASS_RUN = re.compile(r"\^\[([^\]\\^]+)\]([+*])\$")


def generalizes(old: str, new: str) -> bool:
    """True when every string ``old`` matches is matched by ``new`` too (when it can tell).

    Patterns are searched, not anchored (JSON Schema). Anything, anything non-empty
    (when ``old`` refuses the empty string), and a whole string of one character class
    (a class that contains the old one, repeated at least as freely) are told apart;
    any other change counts as a change.
    """
    if new in _ANY:
        return True
    if new in _NON_EMPTY:
        try:
            return re.search(old, "") is None
        except re.error:
            return False
    a, b = _CLASS_RUN.fullmatch(old), _CLASS_RUN.fullmatch(new)
    if a is None or b is None:
        return False
    chars_a, chars_b = _class_chars(a.group(1)), _class_chars(b.group(1))
    if chars_a is None or chars_b is None:
        return False
    return chars_a <= chars_b and (b.group(2) == "*" or a.group(2) == "+")


def _class_chars(body: str) -> frozenset[str] | None:
    """The characters of a simple class body (``a-z0-9_-``); None when it is not simple."""
    if "\\" in body:
        return None
    out: set[str] = set()
    i = 0
    while i < len(body):
        if i + 2 < len(body) and body[i + 1] == "-":
            low, high = ord(body[i]), ord(body[i + 2])
            if low > high:
                return None
            out.update(chr(c) for c in range(low, high + 1))
            i += 3
        else:
            out.add(body[i])
            i += 1
    return frozenset(out)


@rule(
    "schema",
    directional("pattern-added", B, NB),
    directional("pattern-removed", NB, NB),
    directional("pattern-changed", B, NB),
    directional("pattern-generalized", NB, NB),
)
def pattern(pair: SchemaPair) -> Iterator[Hit]:
    """A string pattern was added, removed or changed."""
    old, new = (p or None for p in pair.get("pattern"))  # "" constrains nothing
    if old == new:
        return
    places: At = {"old": pair.old_place.child("pattern"), "new": pair.new_place.child("pattern")}
    if old is None:
        yield Hit("pattern-added", f"pattern {new!r} added", **places)
    elif new is None:
        yield Hit("pattern-removed", f"pattern {old!r} removed", **places)
    elif generalizes(old, new):
        yield Hit("pattern-generalized", f"pattern {old!r} generalized to {new!r}", **places)
    else:
        yield Hit("pattern-changed", f"pattern changed from {old!r} to {new!r}", **places)


def _annotation_only(member: Any) -> bool:
    return isinstance(member, dict) and all(k in ANNOTATIONS or k.startswith("x-") for k in member)


def _implied(pair: SchemaPair, member: Any, verb: str, old: list[Any], new: list[Any]) -> bool:
    """True when an allOf member added or removed constrains nothing the others do not.

    A removed member is checked against the new allOf, an added one against the old:
    each of its keywords must be said, with the same value, by one of the others (its
    properties one by one, its required names by any of them). Only then does dropping
    or adding it leave the set of valid values as it was.
    """
    side, others = (0, new) if verb == "removed" else (1, old)
    place = pair.old_place if side == 0 else pair.new_place
    rest = [pair.ctx.deref(1 - side, m, place)[0] for m in others]
    rest = [m for m in rest if isinstance(m, dict)]
    this = pair.ctx.deref(side, member, place)[0]
    if not isinstance(this, dict) or not rest:
        return False
    for keyword, value in this.items():
        if keyword in ANNOTATIONS or keyword.startswith("x-"):
            continue
        if keyword == "required" and isinstance(value, list):
            named = {str(n) for m in rest for n in m.get("required") or ()}
            if not {str(n) for n in value} <= named:
                return False
        elif keyword == "properties" and isinstance(value, dict):
            for name, schema in value.items():
                if not any(_props_of(m).get(name) == schema for m in rest):
                    return False
        elif not any(m.get(keyword) == value for m in rest):
            return False
    return True


def _props_of(node: dict[str, Any]) -> dict[str, Any]:
    found = node.get("properties")
    return found if isinstance(found, dict) else {}


_COMPOSITION_KINDS = [
    directional("one-of-added", NB, B),
    directional("one-of-removed", B, NB),
    directional("any-of-added", NB, B),
    directional("any-of-removed", B, NB),
    directional("all-of-added", B, NB),
    directional("all-of-removed", NB, B),
    directional("all-of-added-annotation-only", INFO, INFO),
    directional("all-of-removed-annotation-only", INFO, INFO),
    directional("all-of-added-redundant", INFO, INFO),
    directional("all-of-removed-redundant", INFO, INFO),
    directional("wrapped-in-one-of", B, B),
]


@rule("schema", *_COMPOSITION_KINDS)
def compositions(pair: SchemaPair) -> Iterator[Hit]:
    """Members were added to or removed from ``oneOf``, ``anyOf`` or ``allOf``."""
    if not isinstance(pair.old, dict) or not isinstance(pair.new, dict):
        return
    old_props, new_props = "properties" in pair.old, "properties" in pair.new
    if "oneOf" not in pair.old and "oneOf" in pair.new and old_props and not new_props:
        text = "the object was wrapped in a oneOf: a value matching several members fails"
        yield Hit("wrapped-in-one-of", text, pair.old_place, pair.new_place.child("oneOf"))
    for key in COMPOSITIONS:
        stem = {"oneOf": "one-of", "anyOf": "any-of", "allOf": "all-of"}[key]
        old, new = pair.old.get(key), pair.new.get(key)
        _, removed, added = composition_members(pair, key)
        for verb, indexes, members, side in (
            ("removed", removed, old or [], pair.old_place),
            ("added", added, new or [], pair.new_place),
        ):
            for i in indexes:
                member = members[i]
                name = member.get("$ref", f"#{i}") if isinstance(member, dict) else f"#{i}"
                suffix = ""
                if key == "allOf" and _annotation_only(member):
                    suffix = "-annotation-only"
                elif key == "allOf" and _implied(pair, member, verb, old or [], new or []):
                    suffix = "-redundant"
                places: At = {"old": pair.old_place, "new": pair.new_place}
                if verb == "removed":
                    places["old"] = side.child(key, i)
                else:
                    places["new"] = side.child(key, i)
                yield Hit(f"{stem}-{verb}{suffix}", f"{key} member {name} {verb}", **places)


@rule(
    "schema",
    *(
        directional(f"discriminator-{what}", INFO, INFO)
        for what in (
            "added",
            "removed",
            "property-name-changed",
            "mapping-added",
            "mapping-deleted",
            "mapping-changed",
        )
    ),
)
def discriminator(pair: SchemaPair) -> Iterator[Hit]:
    """The discriminator, its property name or its mapping changed."""
    old, new = pair.get("discriminator")
    if old == new:
        return
    places: At = {"old": pair.old_place.child("discriminator"), "new": pair.new_place}
    if not isinstance(old, dict):
        yield Hit("discriminator-added", "discriminator added", **places)
        return
    if not isinstance(new, dict):
        yield Hit("discriminator-removed", "discriminator removed", **places)
        return
    places["new"] = pair.new_place.child("discriminator")
    if old.get("propertyName") != new.get("propertyName"):
        text = f"discriminator property changed to {new.get('propertyName')}"
        yield Hit("discriminator-property-name-changed", text, **places)
    map_old, map_new = old.get("mapping") or {}, new.get("mapping") or {}
    if map_new.keys() - map_old.keys():
        yield Hit("discriminator-mapping-added", "discriminator mapping added", **places)
    if map_old.keys() - map_new.keys():
        yield Hit("discriminator-mapping-deleted", "discriminator mapping deleted", **places)
    if any(map_old[k] != map_new[k] for k in map_old.keys() & map_new.keys()):
        yield Hit("discriminator-mapping-changed", "discriminator mapping changed", **places)


#: subschema keywords that narrow a schema when added: keyword -> id stem
NARROWING = {
    "contains": "contains",
    "if": "if",
    "then": "then",
    "else": "else",
    "propertyNames": "property-names",
    "contentSchema": "content-schema",
    "unevaluatedItems": "unevaluated-items",
    "unevaluatedProperties": "unevaluated-properties",
}
#: keywords whose entries each narrow a schema: keyword -> id stem
NARROWING_ENTRIES = {
    "dependentSchemas": "dependent-schema",
    "patternProperties": "pattern-property",
    "dependentRequired": "dependent-required",
}


def _mapping(node: dict[str, Any], key: str) -> dict[str, Any]:
    found = node.get(key)
    return found if isinstance(found, dict) else {}


def _applicator_kinds() -> list[Kind]:
    kinds = []
    for stem in (*NARROWING.values(), *NARROWING_ENTRIES.values()):
        kinds += [directional(f"{stem}-added", B, NB), directional(f"{stem}-removed", NB, B)]
    kinds += [
        directional("dependent-required-changed", B, B),
        directional("prefix-items-added", NB, B),
        directional("prefix-items-removed", B, NB),
        directional("content-media-type-changed", B, B),
        directional("content-encoding-changed", B, B),
    ]
    return kinds


@rule("schema", *_applicator_kinds())
def applicators(pair: SchemaPair) -> Iterator[Hit]:
    """JSON Schema 2020-12 keywords (contains, if/then/else, dependent*, ...) changed."""
    if not isinstance(pair.old, dict) or not isinstance(pair.new, dict):
        return
    old, new = pair.old, pair.new
    at: At = {"old": pair.old_place, "new": pair.new_place}
    for keyword, stem in NARROWING.items():
        if keyword in new and keyword not in old:
            yield Hit(f"{stem}-added", f"{keyword} added", **at)
        elif keyword in old and keyword not in new:
            yield Hit(f"{stem}-removed", f"{keyword} removed", **at)
    for keyword, stem in NARROWING_ENTRIES.items():
        a, b = _mapping(old, keyword), _mapping(new, keyword)
        for name in sorted(b.keys() - a.keys()):
            yield Hit(f"{stem}-added", f"{keyword} entry {name!r} added", **at)
        for name in sorted(a.keys() - b.keys()):
            yield Hit(f"{stem}-removed", f"{keyword} entry {name!r} removed", **at)
        if keyword == "dependentRequired":
            for name in sorted(a.keys() & b.keys()):
                if a[name] != b[name]:
                    yield Hit(f"{stem}-changed", f"{keyword} entry {name!r} changed", **at)
    a_items, b_items = old.get("prefixItems"), new.get("prefixItems")
    count_a = len(a_items) if isinstance(a_items, list) else 0
    count_b = len(b_items) if isinstance(b_items, list) else 0
    if count_b > count_a:
        yield Hit("prefix-items-added", f"{count_b - count_a} prefixItems added", **at)
    elif count_a > count_b:
        yield Hit("prefix-items-removed", f"{count_a - count_b} prefixItems removed", **at)
    for keyword, stem in (
        ("contentMediaType", "content-media-type"),
        ("contentEncoding", "content-encoding"),
    ):
        if old.get(keyword) != new.get(keyword):
            text = f"{keyword} changed from {old.get(keyword)} to {new.get(keyword)}"
            yield Hit(f"{stem}-changed", text, **at)
