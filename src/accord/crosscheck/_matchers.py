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
  ``format``, strings drawn from its ``pattern``, or a plain probe) that the regex
  refuses is the witness.

On a request (``sending``) the consumer sends the class, so the provider must take all of
it: values drawn from the class that the schema refuses are the witnesses (a warning), and
an error when it refuses them all where the samples stand for the whole class (a date
format, booleans) or the JSON types never meet. The verdicts at one place are
``_classes``'; this module finds the places and the schemas there.

``eachLike`` is a ``type`` matcher with ``min`` on the array and rules on ``[*]``, which
reach the schema's ``items``. ``eachValue`` rules reach each kind of member (each declared
property, each ``patternProperties`` entry, ``additionalProperties``); one member refused
of several is a warning, the object may do without it. ``eachKey`` (V4) and ``values`` (V3:
any key) meet the keys the schema allows (``properties`` and ``patternProperties`` where
``additionalProperties`` is false, ``propertyNames``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from accord.core import DocumentSet, Target
from accord.crosscheck._classes import (
    PROBES,
    STRINGS,
    Fits,
    accepted_verdicts,
    class_samples,
    said,
    sent_verdicts,
    string_test,
    witnesses,
)

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
        found = sent_verdicts(kind, matcher, where, value, schemas, spread, ctx.fits, ctx.textual)
    else:
        found = accepted_verdicts(kind, matcher, where, value, schemas, spread, ctx.fits)
    for error, message in found:
        yield error, message, schemas[0]


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
    test, samples, phrase = _key_class(kind, matcher)
    shown = set(value) if isinstance(value, dict) else set()
    if ctx.sending:
        refused = next((k for k in samples if k not in shown and not allowed(k)), None)
        if refused is not None:
            yield (
                False,
                f"the consumer's `{kind}` matcher at {where} ({phrase}) may send the key "
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
            f"the consumer's `{kind}` matcher at {where} ({phrase}) refuses the key "
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
    more = witnesses(named, lambda k: True) if named else iter(PROBES)
    keys += list(more)
    return [k for k in dict.fromkeys(keys) if allowed(k)]


def _key_class(
    kind: str, matcher: Mapping[str, Any]
) -> tuple[Callable[[str], bool] | None, list[str], str]:
    """(the test a key must pass, keys drawn from the class, how the class is said)."""
    if kind == "values":
        return None, [p for p in PROBES if p], "any key"
    tests: list[Callable[[str], bool]] = []
    samples: list[str] | None = None
    phrases: list[str] = []
    for rule in matcher.get("rules") or ():
        if not isinstance(rule, Mapping):
            continue
        inner = str(rule.get("match", "type"))
        if inner in STRINGS:
            test = string_test(inner, rule)
            if test is not None:
                tests.append(test)
                phrases.append(said(inner, rule))
                drawn, _ = class_samples(inner, rule, "")
                samples = drawn if samples is None else samples
    keys = samples if samples is not None else [p for p in PROBES if p]
    keys = [k for k in keys if all(t(k) for t in tests)]
    test = (lambda k: all(t(k) for t in tests)) if tests else None
    return test, keys, ", ".join(phrases) or "any key"


def _search(pattern: str, key: str) -> bool:
    try:
        return re.search(pattern, key) is not None
    except re.error:
        return True


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
