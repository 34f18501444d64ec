"""Pact matching rules: where a body's example only stands for "any value like this".

With a ``type`` matcher (or a regex, a number matcher, ``eachLike``...) the
consumer accepts any value of that shape, so the example is representative,
not literal. A response example that breaks a *value* constraint of the schema
(``enum``, ``pattern``, ``minimum``...) under such a matcher is no disagreement:
the provider sends other, valid values and the consumer accepts them. Type and
structure still count: ``"id": "1"`` against ``type: integer`` is reported.
Pact matchers cascade, so a rule on ``$.items`` covers everything below it.

A matcher also promises that the consumer accepts a *class* of values, and
:func:`class_problems` holds that class against the schema at the matcher's path:

- the class misses everything the schema allows (a ``type`` matcher on a string where the
  schema's values are integers, ``decimal`` where it only has integers, ``min: 3`` on an
  array of at most 2 items): an error, the consumer refuses whatever the provider sends;
- the class is narrower (``integer`` where the schema allows any number, a ``regex`` or
  ``include`` a value the schema allows does not fit, ``notEmpty`` where the schema allows
  empty, ``min``/``max`` tighter than ``minItems``/``maxItems``; ``min: 1`` is eachLike's
  default and left alone, a provider state fills the array): a warning, the provider may
  legitimately send a value the consumer refuses. A regex is never compared to a regex: a
  value the schema allows (its ``enum``, ``const``, examples, a canonical value of its
  ``format``, or a plain probe that fits it) that the regex refuses is the witness.

``eachLike`` is a ``type`` matcher with ``min`` on the array and rules on ``[*]``, which
reach the schema's ``items``; ``eachValue`` rules reach ``additionalProperties``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from accord.core import DocumentSet, Target

__all__ = ["VALUE_KEYWORDS", "ClassProblem", "body_rules", "class_problems", "representative"]

#: schema keywords about a value's content rather than its type or shape
VALUE_KEYWORDS = frozenset(
    {
        "enum",
        "const",
        "pattern",
        "format",
        "minimum",
        "maximum",
        "exclusiveminimum",
        "exclusivemaximum",
        "multipleof",
        "minlength",
        "maxlength",
        "minitems",
        "maxitems",
    }
)
_TOKEN = re.compile(r"\.([^.\[\]]+)|\[\s*'([^']*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]|\[(\*|\d+)\]")


def representative(rules: Mapping[str, Mapping[str, Any]], path: Sequence[str | int]) -> bool:
    """True when a non-equality matcher of the ``body`` rules covers instance ``path``."""
    for expression, entry in body_rules(rules).items():
        matchers = entry.get("matchers") if isinstance(entry, Mapping) else None
        if not isinstance(matchers, list) or not any(_loose(m) for m in matchers):
            continue
        tokens = _tokens(str(expression))
        if tokens is not None and _covers(tokens, path):
            return True
    return False


def body_rules(rules: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """The rules on a body: HTTP's ``body``, and a message's ``body`` (pact-js, V3) or
    ``content`` (pact-jvm and the Pact reference, V3 and V4)."""
    return {**(rules.get("content") or {}), **(rules.get("body") or {})}


def _loose(matcher: Any) -> bool:
    return isinstance(matcher, Mapping) and matcher.get("match", "type") != "equality"


def _tokens(expression: str) -> list[str] | None:
    if not expression.startswith("$"):
        return None
    rest, out, pos = expression[1:], [], 0
    while pos < len(rest):
        found = _TOKEN.match(rest, pos)
        if found is None:
            return None
        out.append(next(g for g in found.groups() if g is not None))
        pos = found.end()
    return out


def _covers(tokens: list[str], path: Sequence[str | int]) -> bool:
    if len(tokens) > len(path):
        return False
    return all(t == "*" or t == str(p) for t, p in zip(tokens, path, strict=False))


# --- the class a matcher accepts, against the schema ------------------------------------------

#: what :func:`class_problems` needs of a contract: its documents and a compiled check
Fits = Callable[[Target, Any], bool]


@dataclass(slots=True, frozen=True)
class ClassProblem:
    """A matcher's class of values against the schema at its path (``*`` for any element)."""

    #: the rule's key as the pact writes it (``$.lines[*].qty``, or a metadata name)
    expression: str
    path: tuple[str, ...]
    error: bool
    message: str
    #: the schema the class was held against
    schema: Target

    def overlaps(self, path: Sequence[str]) -> bool:
        """Whether an instance ``path`` and this rule's path lie on one branch (one is
        a prefix of the other, ``*`` matching any element)."""
        return all(t in ("*", p) for t, p in zip(self.path, path, strict=False))


_JSON_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string"}
#: canonical values of string formats (a value of the format the schema allows)
_FORMAT_VALUES: dict[str, tuple[str, ...]] = {
    "date-time": ("2026-12-03T18:04:05Z", "2026-12-03T18:04:05.123+01:00"),
    "date": ("2026-12-03",),
    "time": ("18:04:05Z", "18:04:05.5+01:00"),
    "uuid": ("0f8fad5b-d9cb-469f-a165-70867728950e", "7C9E6679-7425-40DE-944B-E07FC1F90AE7"),
    "email": ("ann@example.com",),
    "uri": ("https://example.com/a?b=1",),
    "hostname": ("example.com",),
    "ipv4": ("192.0.2.1",),
    "ipv6": ("2001:db8::1",),
}
#: plain strings tried against a string schema without an enum, a const or a format
_PROBES = ("", "a", "Z", "0", "42", "-1", "a b", "a-b_c.d", "x" * 40)
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")


def class_problems(
    entries: Mapping[str, Any],
    example: Any,
    root: Target,
    documents: DocumentSet,
    fits: Fits,
    *,
    by_name: bool = False,
) -> list[ClassProblem]:
    """Each matcher of ``entries`` (path -> ``{"matchers": [...]}``) against the schema at
    ``root``: what the consumer accepts against what the provider may send. ``by_name``:
    the keys are names (message metadata), not JSON paths."""
    out: list[ClassProblem] = []
    for expression, entry in entries.items():
        matchers = entry.get("matchers") if isinstance(entry, Mapping) else None
        tokens = [str(expression)] if by_name else _tokens(str(expression))
        if not isinstance(matchers, list) or tokens is None:
            continue
        schemas = _schemas_at(documents, root, tokens)
        if not schemas:
            continue  # a value the schema does not declare: the payload check says so
        value = _value_at(example, tokens)
        for matcher in matchers:
            if isinstance(matcher, Mapping):
                for error, message, schema in _judge(
                    matcher, tokens, value, schemas, documents, fits
                ):
                    out.append(ClassProblem(str(expression), tuple(tokens), error, message, schema))
    return out


#: one verdict of :func:`_judge`: error or warning, what it says, the schema it is about
_Verdict = tuple[bool, str, Target]


def _judge(
    matcher: Mapping[str, Any],
    tokens: list[str],
    value: Any,
    schemas: list[Target],
    documents: DocumentSet,
    fits: Fits,
) -> Iterator[_Verdict]:
    kind = str(matcher.get("match", "type"))
    where = "$" + "".join(f"[{t}]" if t == "*" or t.isdigit() else f".{t}" for t in tokens)
    if kind == "eachValue":
        for rule in matcher.get("rules") or ():
            if isinstance(rule, Mapping):
                inner = [e for t in schemas for e in _schemas_at(documents, t, ["*"])]
                element = _value_at(value, ["*"])
                if inner:
                    yield from _judge(rule, [*tokens, "*"], element, inner, documents, fits)
        return
    spread = _spread(documents, schemas)
    for error, message in _verdicts(kind, matcher, where, value, schemas, spread, fits):
        yield error, message, schemas[0]


def _verdicts(
    kind: str,
    matcher: Mapping[str, Any],
    where: str,
    value: Any,
    schemas: list[Target],
    spread: list[Target],
    fits: Fits,
) -> Iterator[tuple[bool, str]]:
    types = _types(spread)
    accepts = _accepted(kind, value)
    if accepts is not None and types and not accepts & types:
        yield (
            True,
            f"the consumer's `{kind}` matcher at {where} accepts only {_names(accepts)} values, "
            f"but the schema's are {_names(types)}: it would refuse every one",
        )
        return
    if kind in ("integer", "number", "decimal") and accepts is not None:
        wider = types - accepts - {"null"}
        if kind == "integer" and "number" in types:
            wider = {"number"}
        if wider and types & accepts:
            yield (
                False,
                f"the consumer's `{kind}` matcher at {where} accepts only {_names(accepts)} "
                f"values, but the schema also allows {_names(wider)}: the provider may send "
                "one the consumer refuses",
            )
    if isinstance(value, list) or "array" in types:
        yield from _sizes(matcher, where, spread)
    if kind in ("regex", "include", "semver", "notEmpty") and "string" in (types or {"string"}):
        test = _string_test(kind, matcher)
        if test is not None:
            found = _witnesses(spread, lambda v: all(fits(t, v) for t in schemas))
            witness = next((w for w in found if not test(w)), None)
            if witness is not None:
                yield (
                    False,
                    f"the consumer's `{kind}` matcher at {where} "
                    f"({_said(kind, matcher)}) refuses {witness!r}, which the schema allows: "
                    "the provider may send it",
                )


def _accepted(kind: str, value: Any) -> set[str] | None:
    """The JSON types a matcher accepts (None: not a matter of type)."""
    if kind == "integer":
        return {"integer"}
    if kind == "decimal":
        return {"number"}
    if kind == "number":
        return {"integer", "number"}
    if kind == "boolean":
        return {"boolean"}
    if kind == "null":
        return {"null"}
    # regex, include, semver, date...: Pact matches them against a number's text too
    if kind == "type":
        found = _json_type(value)
        if found in ("integer", "number"):
            return {"integer", "number"}  # Pact's type matcher takes any JSON number
        return {found} if found is not None else None
    return None


def _json_type(value: Any) -> str | None:
    if value is None:
        return "null"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return _JSON_TYPES.get(type(value))


def _types(schemas: list[Target]) -> set[str]:
    """The JSON types the schemas' values may have (empty: any); ``integer`` where
    ``number`` is allowed too (a type matcher on 3 accepts 3.5 in Pact)."""
    out: set[str] = set()
    for t in schemas:
        kind = t.value.get("type")
        named = [kind] if isinstance(kind, str) else kind if isinstance(kind, list) else []
        if not named:
            values = t.value.get("enum", [t.value["const"]] if "const" in t.value else None)
            if isinstance(values, list):
                named = [_json_type(v) or "" for v in values]
        if t.value.get("nullable") is True:
            named = [*named, "null"]
        out |= {str(n) for n in named if n}
    if "number" in out:
        out.add("integer")
    return out


def _names(types: set[str]) -> str:
    if types == {"number"}:
        return "non-integer number"  # Pact's decimal
    shown = sorted(types - {"integer"}) if {"integer", "number"} <= types else sorted(types)
    return "/".join(shown)


def _sizes(
    matcher: Mapping[str, Any], where: str, schemas: list[Target]
) -> Iterator[tuple[bool, str]]:
    low, high = matcher.get("min"), matcher.get("max")
    lows = [t.value["minItems"] for t in schemas if isinstance(t.value.get("minItems"), int)]
    highs = [t.value["maxItems"] for t in schemas if isinstance(t.value.get("maxItems"), int)]
    least, most = max(lows, default=0), min(highs, default=None)
    if isinstance(low, int) and most is not None and low > most:
        yield (
            True, f"the consumer wants at least {low} items at {where}, but the "
            f"schema allows at most {most}: it would refuse every array",
        )  # fmt: skip
    elif isinstance(high, int) and high < least:
        yield (
            True, f"the consumer wants at most {high} items at {where}, but the "
            f"schema requires at least {least}: it would refuse every array",
        )  # fmt: skip
    else:
        if isinstance(low, int) and low > max(least, 1):  # 1: eachLike's default
            yield (
                False, f"the consumer wants at least {low} items at {where}, but the "
                f"schema allows {least}: the provider may send fewer",
            )  # fmt: skip
        if isinstance(high, int) and (most is None or high < most):
            allows = "any number" if most is None else f"up to {most}"
            yield (
                False, f"the consumer wants at most {high} items at {where}, but the "
                f"schema allows {allows}: the provider may send more",
            )  # fmt: skip


def _string_test(kind: str, matcher: Mapping[str, Any]) -> Callable[[str], bool] | None:
    if kind == "regex":
        # evaluated as the Pact FFI does, by a Rust regex engine (a search, never a
        # catastrophic backtrack on a hostile pattern)
        import jsonschema_rs  # noqa: PLC0415

        pattern = {"type": "string", "pattern": str(matcher.get("regex", ""))}
        try:
            return jsonschema_rs.validator_for(pattern).is_valid
        except (jsonschema_rs.ValidationError, ValueError):
            return None  # a regex the engine does not read: no opinion
    if kind == "include":
        needle = str(matcher.get("value", ""))
        return lambda s: needle in s
    if kind == "semver":
        return lambda s: _SEMVER.match(s) is not None
    return lambda s: s != ""  # notEmpty


def _said(kind: str, matcher: Mapping[str, Any]) -> str:
    if kind == "regex":
        return f"regex {matcher.get('regex')!r}"
    if kind == "include":
        return f"must include {matcher.get('value')!r}"
    return "semantic version" if kind == "semver" else "not empty"


def _witnesses(schemas: list[Target], fits: Callable[[Any], bool]) -> Iterator[str]:
    """Strings the schemas allow: their enum, const or examples, else canonical values of
    their format, else plain probes; each confirmed by the compiled schema."""
    listed: list[Any] = []
    formats: list[str] = []
    for t in schemas:
        if isinstance(t.value.get("enum"), list):
            listed += t.value["enum"]
        if "const" in t.value:
            listed.append(t.value["const"])
        if isinstance(t.value.get("format"), str):
            formats.append(t.value["format"])
    closed = bool(listed)
    for t in schemas:
        for key in ("examples", "example", "default"):
            found = t.value.get(key)
            listed += found if key == "examples" and isinstance(found, list) else [found]
    if not closed:
        if formats:
            listed += [v for f in formats for v in _FORMAT_VALUES.get(f, ())]
        else:
            listed += _PROBES
    seen: set[str] = set()
    for value in listed:
        if isinstance(value, str) and value not in seen:
            seen.add(value)
            if fits(value):
                yield value


def _value_at(example: Any, tokens: list[str]) -> Any:
    node = example
    for token in tokens:
        if isinstance(node, list):
            index = 0 if token == "*" else int(token) if token.isdigit() else -1
            node = node[index] if 0 <= index < len(node) else None
        elif isinstance(node, dict):
            node = next(iter(node.values()), None) if token == "*" else node.get(token)
        else:
            return None
    return node


def _schemas_at(documents: DocumentSet, root: Target, tokens: list[str]) -> list[Target]:
    """The schemas that declare the value at ``tokens`` below ``root`` (found through
    ``$ref``, ``allOf``/``anyOf``/``oneOf``, ``properties``, ``items`` and
    ``additionalProperties``); each holds for the value where its branch is taken."""
    below = [documents.deref(root.value, root.file, root.pointer)]
    for token in tokens:
        frontier, below = _spread(documents, below), []
        for t in frontier:
            props = t.value.get("properties")
            if token != "*" and isinstance(props, dict) and token in props:
                below.append(_child(documents, t, ("properties", token), props[token]))
                continue
            items = t.value.get("items")
            if (token == "*" or token.isdigit()) and isinstance(items, dict):
                below.append(_child(documents, t, ("items",), items))
                continue
            extra = t.value.get("additionalProperties")
            if isinstance(extra, dict) and not token.isdigit():
                below.append(_child(documents, t, ("additionalProperties",), extra))
    return [t for t in below if isinstance(t.value, dict)]


def _child(documents: DocumentSet, parent: Target, parts: tuple[str, ...], value: Any) -> Target:
    pointer = parent.pointer + "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)
    return documents.deref(value, parent.file, pointer)


def _spread(documents: DocumentSet, targets: list[Target]) -> list[Target]:
    """The schemas and every ``allOf``/``anyOf``/``oneOf`` member below them (dicts only)."""
    out: list[Target] = []
    stack = list(targets)
    while stack and len(out) < 64:
        t = stack.pop(0)
        if not isinstance(t.value, dict):
            continue
        out.append(t)
        for keyword in ("allOf", "anyOf", "oneOf"):
            members = t.value.get(keyword)
            if isinstance(members, list):
                stack += [_child(documents, t, (keyword, str(i)), m) for i, m in enumerate(members)]
    return out
