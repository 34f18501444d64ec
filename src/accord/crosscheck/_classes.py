"""A matcher's class of values held against the schemas at one place of a body.

Two directions (see ``_matchers``, which finds the place and the schemas):
:func:`accepted_verdicts` for what a consumer accepts (a response, a message), where a value
the schemas allow that the class refuses is the witness (their ``enum``, examples, a
canonical value of their ``format``, strings drawn from their ``pattern``, plain probes);
:func:`sent_verdicts` for what a consumer sends (a request), where a value drawn from the
class (:func:`class_samples`, see ``_samples``) that the schemas refuse is. Each verdict is
``(error, message)``: an error when the class misses everything (a JSON type apart, or
every sample of a class its samples stand for whole), else a warning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from accord.core import Target

if TYPE_CHECKING:
    from accord.crosscheck._samples import DateFormat

__all__ = [
    "DATES",
    "PROBES",
    "STRINGS",
    "Fits",
    "accepted_verdicts",
    "class_samples",
    "said",
    "sent_verdicts",
    "string_test",
    "witnesses",
]

#: what :func:`class_problems` needs of a contract: its documents and a compiled check
Fits = Callable[[Target, Any], bool]


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
PROBES = ("", "a", "Z", "0", "42", "-1", "a b", "a-b_c.d", "x" * 40)
_SEMVER = re.compile(r"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")

#: the date/time matchers (V3 ``date``/``time``/``timestamp``, V4 ``datetime``)
DATES = ("date", "time", "timestamp", "datetime")
#: the matchers whose class is a set of strings
STRINGS = ("regex", "include", "semver", "notEmpty", *DATES)


def accepted_verdicts(
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
    if kind in STRINGS and "string" in (types or {"string"}):
        test = string_test(kind, matcher)
        if test is None:
            return
        allowed = _fits_all(schemas, fits)
        samples, whole = class_samples(kind, matcher, value)
        if whole and samples and not any(allowed(s) for s in samples):
            yield (
                True,
                f"the consumer's `{kind}` matcher at {where} ({said(kind, matcher)}) accepts "
                f"values like {samples[0]!r}, which the schema never allows: it would refuse "
                "every value the provider sends",
            )
            return
        witness = next((w for w in witnesses(spread, allowed) if not test(w)), None)
        if witness is not None:
            yield (
                False,
                f"the consumer's `{kind}` matcher at {where} "
                f"({said(kind, matcher)}) refuses {witness!r}, which the schema allows: "
                "the provider may send it",
            )


def sent_verdicts(
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
    samples, whole = class_samples(kind, matcher, value)
    allowed = _fits_all(schemas, fits)
    refused = [s for s in samples if not allowed(s)]
    if not refused:
        return
    shown = f" ({said(kind, matcher)})" if kind in STRINGS else ""
    if whole and len(refused) == len(samples):
        yield (
            True,
            f"the consumer's `{kind}` matcher at {where}{shown} sends values like "
            f"{refused[0]!r}, which the schema refuses: the provider would refuse every one",
        )
    else:
        yield (
            False,
            f"the consumer's `{kind}` matcher at {where}{shown} may send {refused[0]!r}, which "
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
    if kind in STRINGS and isinstance(value, str):
        return {"string"}
    return _accepted(kind, value)


#: values drawn from the classes of type-like matchers
_INTEGERS: tuple[Any, ...] = (0, 1, -1, 7, 1_000_000)
_DECIMALS: tuple[Any, ...] = (0.5, -1.25, 1000.75)


def class_samples(kind: str, matcher: Mapping[str, Any], value: Any) -> tuple[list[Any], bool]:
    """Values of the matcher's class, and whether they stand for all of it (a date
    format, a semantic version, booleans: the class's values all look alike), so that
    the schema refusing every one means it refuses the class. A string matcher on a
    number (a regex, Pact matches the number's text) draws numbers."""
    samples, whole = _drawn(kind, matcher, value)
    if kind in STRINGS and isinstance(value, int | float) and not isinstance(value, bool):
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
        return [p for p in PROBES if p != value], False
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
        return [p for p in PROBES if p], False
    if kind in DATES:
        found = _date_format(kind, matcher)
        return (list(found.samples), True) if found is not None else ([], False)
    return [], False


def _date_format(kind: str, matcher: Mapping[str, Any]) -> DateFormat | None:
    """A date/time matcher's format (V4 and pact-js: ``format``; V3 pact-jvm: the key
    named after the matcher, ``timestamp``...); None without one: no opinion."""
    from accord.crosscheck._samples import date_format  # noqa: PLC0415

    text = matcher.get("format", matcher.get(kind))
    return date_format(text) if isinstance(text, str) and text else None


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


def string_test(kind: str, matcher: Mapping[str, Any]) -> Callable[[str], bool] | None:
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
    if kind in DATES:
        found = _date_format(kind, matcher)
        return found.accepts if found is not None else None
    return lambda s: s != ""  # notEmpty


def said(kind: str, matcher: Mapping[str, Any]) -> str:
    if kind == "regex":
        return f"regex {matcher.get('regex')!r}"
    if kind == "include":
        return f"must include {matcher.get('value')!r}"
    if kind in DATES:
        return f"format {matcher.get('format', matcher.get(kind))!r}"
    return "semantic version" if kind == "semver" else "not empty"


def witnesses(schemas: list[Target], fits: Callable[[Any], bool]) -> Iterator[str]:
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
            listed += PROBES
    seen: set[str] = set()
    for value in listed:
        if isinstance(value, str) and value not in seen:
            seen.add(value)
            if fits(value):
                yield value
