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

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from accord.core import DocumentSet, Target

if TYPE_CHECKING:
    from accord.crosscheck._samples import DateFormat

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
    sending: bool = False,
    textual: bool = False,
) -> list[ClassProblem]:
    """Each matcher of ``entries`` (path -> ``{"matchers": [...]}``) against the schema at
    ``root``: what the consumer accepts against what the provider may send, or with
    ``sending`` (a request) what the consumer may send against what the provider takes.
    ``by_name``: the keys are names (message metadata), not JSON paths. ``textual``: the
    values are text a schema reads after coercion (query and header parameters), so a
    JSON type is no verdict, only the values drawn from the class."""
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
                    matcher, tokens, value, schemas, _Context(documents, fits, sending, textual)
                ):
                    out.append(ClassProblem(str(expression), tuple(tokens), error, message, schema))
    return out


#: one verdict of :func:`_judge`: error or warning, what it says, the schema it is about
_Verdict = tuple[bool, str, Target]
#: the date/time matchers (V3 ``date``/``time``/``timestamp``, V4 ``datetime``)
_DATES = ("date", "time", "timestamp", "datetime")
#: the matchers whose class is a set of strings
_STRINGS = ("regex", "include", "semver", "notEmpty", *_DATES)


@dataclass(slots=True, frozen=True)
class _Context:
    documents: DocumentSet
    fits: Fits
    #: the consumer sends the class (a request) rather than accepts it (a response)
    sending: bool
    #: the values are parameter text (see :func:`class_problems`)
    textual: bool = False


def _judge(
    matcher: Mapping[str, Any],
    tokens: list[str],
    value: Any,
    schemas: list[Target],
    ctx: _Context,
) -> Iterator[_Verdict]:
    kind = str(matcher.get("match", "type"))
    where = "$" + "".join(f"[{t}]" if t == "*" or t.isdigit() else f".{t}" for t in tokens)
    if kind == "eachValue":
        element = _value_at(value, ["*"])
        groups = _members(ctx.documents, schemas)
        for rule in matcher.get("rules") or ():
            if not isinstance(rule, Mapping):
                continue
            for group in groups:
                for error, message, schema in _judge(rule, [*tokens, "*"], element, group, ctx):
                    # one member of several: the object may do without it
                    yield error and len(groups) == 1, message, schema
        return
    if kind in ("eachKey", "values"):
        for error, message in _keys(kind, matcher, where, value, schemas, ctx):
            yield error, message, schemas[0]
        return
    spread = _spread(ctx.documents, schemas)
    if ctx.sending:
        found = _sent(kind, matcher, where, value, schemas, spread, ctx.fits, ctx.textual)
    else:
        found = _verdicts(kind, matcher, where, value, schemas, spread, ctx.fits)
    for error, message in found:
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
    """What the consumer accepts against what the schema lets the provider send."""
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
    if kind in _STRINGS and "string" in (types or {"string"}):
        test = _string_test(kind, matcher)
        if test is None:
            return
        allowed = _fits_all(schemas, fits)
        samples, whole = _class_samples(kind, matcher, value)
        if whole and samples and not any(allowed(s) for s in samples):
            yield (
                True,
                f"the consumer's `{kind}` matcher at {where} ({_said(kind, matcher)}) accepts "
                f"values like {samples[0]!r}, which the schema never allows: it would refuse "
                "every value the provider sends",
            )
            return
        witness = next((w for w in _witnesses(spread, allowed) if not test(w)), None)
        if witness is not None:
            yield (
                False,
                f"the consumer's `{kind}` matcher at {where} "
                f"({_said(kind, matcher)}) refuses {witness!r}, which the schema allows: "
                "the provider may send it",
            )


def _sent(
    kind: str,
    matcher: Mapping[str, Any],
    where: str,
    value: Any,
    schemas: list[Target],
    spread: list[Target],
    fits: Fits,
    textual: bool,
) -> Iterator[tuple[bool, str]]:
    """What the consumer may send against what the schema lets the provider take: values
    drawn from the matcher's class (see ``_samples``), each checked by the schema."""
    types = _types(spread)
    sends = None if textual else _sent_types(kind, value)
    if sends is not None and types and not sends & types:
        yield (
            True,
            f"the consumer's `{kind}` matcher at {where} sends {_names(sends)} values, but "
            f"the schema takes only {_names(types)}: the provider would refuse every one",
        )
        return
    if isinstance(value, list) or "array" in types:
        yield from _sizes(matcher, where, spread, sending=True)
    samples, whole = _class_samples(kind, matcher, value)
    allowed = _fits_all(schemas, fits)
    refused = [s for s in samples if not allowed(s)]
    if not refused:
        return
    said = f" ({_said(kind, matcher)})" if kind in _STRINGS else ""
    if whole and len(refused) == len(samples):
        yield (
            True,
            f"the consumer's `{kind}` matcher at {where}{said} sends values like "
            f"{refused[0]!r}, which the schema refuses: the provider would refuse every one",
        )
    else:
        yield (
            False,
            f"the consumer's `{kind}` matcher at {where}{said} may send {refused[0]!r}, which "
            "the schema refuses: the provider may reject the request",
        )


def _fits_all(schemas: list[Target], fits: Fits) -> Callable[[Any], bool]:
    return lambda v: all(fits(t, v) for t in schemas)


def _sent_types(kind: str, value: Any) -> set[str] | None:
    """The JSON types a matcher's class sends (None: not a matter of type). A ``type``
    matcher sends values of its example's own type: ``like(1)`` means integers."""
    if kind == "type":
        found = _json_type(value)
        return {found} if found is not None else None
    if kind in _STRINGS and isinstance(value, str):
        return {"string"}
    return _accepted(kind, value)


#: values drawn from the classes of type-like matchers
_INTEGERS: tuple[Any, ...] = (0, 1, -1, 7, 1_000_000)
_DECIMALS: tuple[Any, ...] = (0.5, -1.25, 1000.75)


def _class_samples(kind: str, matcher: Mapping[str, Any], value: Any) -> tuple[list[Any], bool]:
    """Values of the matcher's class, and whether they stand for all of it (a date
    format, a semantic version, booleans: the class's values all look alike), so that
    the schema refusing every one means it refuses the class. A string matcher on a
    number (a regex, Pact matches the number's text) draws numbers."""
    samples, whole = _drawn(kind, matcher, value)
    if kind in _STRINGS and isinstance(value, int | float) and not isinstance(value, bool):
        numbers = [_as_number(s) for s in samples]
        return [n for n in numbers if isinstance(n, int | float)], False
    return samples, whole


def _as_number(text: Any) -> Any:
    try:
        found = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return found if isinstance(found, int | float) and not isinstance(found, bool) else None


def _drawn(kind: str, matcher: Mapping[str, Any], value: Any) -> tuple[list[Any], bool]:
    if kind == "type":
        kind = {bool: "boolean", int: "integer", float: "decimal", str: "string"}.get(
            type(value), ""
        )
    if kind == "string":
        return [p for p in _PROBES if p != value], False
    if kind == "integer":
        return list(_INTEGERS), False
    if kind == "decimal":
        return list(_DECIMALS), False
    if kind == "number":
        return [*_INTEGERS, *_DECIMALS], False
    if kind == "boolean":
        return [True, False], True
    if kind == "regex":
        from accord.crosscheck._samples import regex_samples  # noqa: PLC0415

        return regex_samples(str(matcher.get("regex", ""))), False
    if kind == "include":
        needle = str(matcher.get("value", ""))
        return [needle, f"x{needle}", f"{needle} y"], False
    if kind == "semver":
        return ["1.0.0", "10.20.30-rc.1+build.5"], True
    if kind == "notEmpty" and isinstance(value, str):
        return [p for p in _PROBES if p], False
    if kind in _DATES:
        found = _date_format(kind, matcher)
        return (list(found.samples), True) if found is not None else ([], False)
    return [], False


def _date_format(kind: str, matcher: Mapping[str, Any]) -> DateFormat | None:
    """A date/time matcher's format (V4 and pact-js: ``format``; V3 pact-jvm: the key
    named after the matcher, ``timestamp``...); None without one: no opinion."""
    from accord.crosscheck._samples import date_format  # noqa: PLC0415

    text = matcher.get("format", matcher.get(kind))
    return date_format(text) if isinstance(text, str) and text else None


def _members(documents: DocumentSet, schemas: list[Target]) -> list[list[Target]]:
    """The schemas of an object's (or an array's) members, one group per kind of member:
    each declared property, each ``patternProperties`` entry, the rest
    (``additionalProperties``, or an array's ``items``)."""
    spread = _spread(documents, schemas)
    groups: list[list[Target]] = []
    names = dict.fromkeys(
        str(n) for t in spread if isinstance(t.value.get("properties"), dict)
        for n in t.value["properties"]
    )  # fmt: skip
    for name in names:
        found = [x for s in schemas for x in _schemas_at(documents, s, [name])]
        if found:
            groups.append(found)
    for t in spread:
        patterns = t.value.get("patternProperties")
        if isinstance(patterns, dict):
            groups += [
                [_child(documents, t, ("patternProperties", str(p)), sub)]
                for p, sub in patterns.items()
                if isinstance(sub, dict)
            ]
    rest = [x for s in schemas for x in _schemas_at(documents, s, ["*"])]
    if rest:
        groups.append(rest)
    return groups


def _keys(
    kind: str,
    matcher: Mapping[str, Any],
    where: str,
    value: Any,
    schemas: list[Target],
    ctx: _Context,
) -> Iterator[tuple[bool, str]]:
    """The keys an ``eachKey`` (V4) or ``values`` (V3: any key) matcher lets an object
    have, against the keys its schema allows (``properties``, ``patternProperties``,
    ``additionalProperties``, ``propertyNames``)."""
    spread = [t for t in _spread(ctx.documents, schemas) if _object_like(t.value)]
    if not spread:
        return
    allowed = _key_space(spread, ctx)
    test, samples, said = _key_class(kind, matcher)
    shown = set(value) if isinstance(value, dict) else set()
    if ctx.sending:
        refused = next((k for k in samples if k not in shown and not allowed(k)), None)
        if refused is not None:
            yield (
                False,
                f"the consumer's `{kind}` matcher at {where} ({said}) may send the key "
                f"{refused!r}, which the schema does not allow: the provider may reject the "
                "request",
            )
        return
    if test is None:
        return
    keys = _schema_keys(spread, ctx, allowed)
    witness = next((k for k in keys if not test(k)), None)
    if witness is not None:
        yield (
            False,
            f"the consumer's `{kind}` matcher at {where} ({said}) refuses the key "
            f"{witness!r}, which the schema allows: the provider may send it",
        )


def _object_like(schema: Mapping[str, Any]) -> bool:
    kind = schema.get("type")
    named = kind == "object" or (isinstance(kind, list) and "object" in kind)
    return named or any(
        k in schema
        for k in ("properties", "patternProperties", "additionalProperties", "propertyNames")
    )


def _key_space(spread: list[Target], ctx: _Context) -> Callable[[str], bool]:
    """Whether the schemas (all of them: ``allOf`` members) allow a key."""
    closed: list[tuple[set[str], list[str]]] = []
    names: list[Target] = []
    for t in spread:
        if t.value.get("additionalProperties") is False:
            props, patterns = t.value.get("properties"), t.value.get("patternProperties")
            declared = {str(n) for n in props} if isinstance(props, dict) else set()
            closed.append((declared, [str(p) for p in patterns or ()]))
        if isinstance(t.value.get("propertyNames"), dict):
            names.append(_child(ctx.documents, t, ("propertyNames",), t.value["propertyNames"]))

    def allowed(key: str) -> bool:
        for declared, regexes in closed:
            if key not in declared and not any(_search(r, key) for r in regexes):
                return False
        return all(ctx.fits(target, key) for target in names)

    return allowed


def _schema_keys(spread: list[Target], ctx: _Context, allowed: Callable[[str], bool]) -> list[str]:
    """Keys the schemas allow: the declared ones, and strings of ``propertyNames`` (or
    plain probes) where more are allowed."""
    keys = [
        str(n) for t in spread if isinstance(t.value.get("properties"), dict)
        for n in t.value["properties"]
    ]  # fmt: skip
    named = [
        _child(ctx.documents, t, ("propertyNames",), t.value["propertyNames"])
        for t in spread
        if isinstance(t.value.get("propertyNames"), dict)
    ]
    more = _witnesses(named, lambda k: True) if named else iter(_PROBES)
    keys += list(more)
    return [k for k in dict.fromkeys(keys) if allowed(k)]


def _key_class(
    kind: str, matcher: Mapping[str, Any]
) -> tuple[Callable[[str], bool] | None, list[str], str]:
    """(the test a key must pass, keys drawn from the class, how the class is said)."""
    if kind == "values":
        return None, [p for p in _PROBES if p], "any key"
    tests: list[Callable[[str], bool]] = []
    samples: list[str] | None = None
    said: list[str] = []
    for rule in matcher.get("rules") or ():
        if not isinstance(rule, Mapping):
            continue
        inner = str(rule.get("match", "type"))
        if inner in _STRINGS:
            test = _string_test(inner, rule)
            if test is not None:
                tests.append(test)
                said.append(_said(inner, rule))
                drawn, _ = _class_samples(inner, rule, "")
                samples = drawn if samples is None else samples
    keys = samples if samples is not None else [p for p in _PROBES if p]
    keys = [k for k in keys if all(t(k) for t in tests)]
    test = (lambda k: all(t(k) for t in tests)) if tests else None
    return test, keys, ", ".join(said) or "any key"


def _search(pattern: str, key: str) -> bool:
    try:
        return re.search(pattern, key) is not None
    except re.error:
        return True


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


def _bounds(schemas: list[Target]) -> tuple[int, int | None]:
    """The schemas' ``minItems`` and ``maxItems`` taken together."""
    lows = [t.value["minItems"] for t in schemas if isinstance(t.value.get("minItems"), int)]
    highs = [t.value["maxItems"] for t in schemas if isinstance(t.value.get("maxItems"), int)]
    return max(lows, default=0), min(highs, default=None)


def _sizes(
    matcher: Mapping[str, Any], where: str, schemas: list[Target], *, sending: bool = False
) -> Iterator[tuple[bool, str]]:
    """The array sizes a matcher's ``min``/``max`` allow against ``minItems``/``maxItems``:
    what the consumer accepts, or (``sending``) what it may send."""
    low, high = matcher.get("min"), matcher.get("max")
    if sending and not isinstance(low, int) and not isinstance(high, int):
        return  # no size said: no opinion
    least, most = _bounds(schemas)
    verb, who = ("sends", "the provider would") if sending else ("wants", "it would")
    if isinstance(low, int) and most is not None and low > most:
        yield (
            True, f"the consumer {verb} at least {low} items at {where}, but the "
            f"schema allows at most {most}: {who} refuse every array",
        )  # fmt: skip
    elif isinstance(high, int) and high < least:
        yield (
            True, f"the consumer {verb} at most {high} items at {where}, but the "
            f"schema requires at least {least}: {who} refuse every array",
        )  # fmt: skip
    elif sending:
        if (low if isinstance(low, int) else 0) < least:
            yield (
                False, f"the consumer may send {low or 0} items at {where}, but the schema "
                f"requires at least {least}: the provider may reject the request",
            )  # fmt: skip
        if most is not None and (not isinstance(high, int) or high > most):
            yield (
                False, f"the consumer may send more than {most} items at {where}, which "
                "the schema allows no more of: the provider may reject the request",
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
    if kind in _DATES:
        found = _date_format(kind, matcher)
        return found.accepts if found is not None else None
    return lambda s: s != ""  # notEmpty


def _said(kind: str, matcher: Mapping[str, Any]) -> str:
    if kind == "regex":
        return f"regex {matcher.get('regex')!r}"
    if kind == "include":
        return f"must include {matcher.get('value')!r}"
    if kind in _DATES:
        return f"format {matcher.get('format', matcher.get(kind))!r}"
    return "semantic version" if kind == "semver" else "not empty"


def _witnesses(schemas: list[Target], fits: Callable[[Any], bool]) -> Iterator[str]:
    """Strings the schemas allow: their enum, const or examples, else canonical values of
    their format, strings drawn from their ``pattern`` (see ``_samples``), else plain
    probes; each confirmed by the compiled schema."""
    from accord.crosscheck._samples import regex_samples  # noqa: PLC0415

    listed: list[Any] = []
    formats: list[str] = []
    patterns: list[str] = []
    for t in schemas:
        if isinstance(t.value.get("enum"), list):
            listed += t.value["enum"]
        if "const" in t.value:
            listed.append(t.value["const"])
        if isinstance(t.value.get("format"), str):
            formats.append(t.value["format"])
        if isinstance(t.value.get("pattern"), str):
            patterns.append(t.value["pattern"])
    closed = bool(listed)
    for t in schemas:
        for key in ("examples", "example", "default"):
            found = t.value.get(key)
            listed += found if key == "examples" and isinstance(found, list) else [found]
    if not closed:
        listed += [v for pattern in patterns for v in regex_samples(pattern)]
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
