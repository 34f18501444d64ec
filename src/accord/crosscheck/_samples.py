"""Sample values of a matcher's class: what a consumer may send or accept under it.

A pact matcher names a class of values, not one value. To hold a class against a schema
(see ``_matchers``), values are drawn from it and each is checked by the compiled schema:

- a date/time matcher's ``format`` is a Java ``DateTimeFormatter`` pattern (pact-jvm, and
  the Pact reference's ``pact_models::time_utils``, which follows it): :func:`date_format`
  reads it into a regex (to test a value the schema allows) and renders it at a few
  instants, offsets and zones (its samples). Where the two differ, the Pact reference (the
  FFI every non-JVM Pact client runs) is followed: numbers of any width up to the
  pattern's (``yyyy-MM-dd`` takes ``2026-1-9``), five ``Z`` never ``Z`` for a zero offset,
  no optional ``[...]`` sections, no ``VV`` zone ids. ``tests/crosscheck/test_samples.py``
  holds both readings against the FFI's ``validate_datetime``. A pattern with a letter or
  a construct it does not know gives None: no opinion;
- a regex: :func:`regex_samples` walks the parsed pattern and builds a few strings that
  match it whole (a character class yields its first, last and middle members, a
  repetition its least, a middle and a larger count, each alternative in turn); each is
  confirmed by a full match. Lookarounds and back references may make a sample fail: it
  is dropped, never guessed.
"""

from __future__ import annotations

import re
import re._constants as sre  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

__all__ = ["DateFormat", "date_format", "regex_samples"]

#: (instant, zone name, zone id): the values a date/time format is rendered at
_INSTANTS: tuple[tuple[datetime, str, str], ...] = (
    (datetime(2026, 12, 3, 18, 4, 5, 123456, timezone(timedelta(hours=1))), "CET", "Europe/Paris"),
    (datetime(2026, 1, 9, 7, 8, 9, 500000, UTC), "GMT", "UTC"),
    (
        datetime(1999, 11, 30, 23, 59, 59, 0, timezone(-timedelta(hours=3, minutes=30))),
        "NST",
        "America/St_Johns",
    ),
    (
        datetime(2001, 7, 4, 0, 30, 0, 0, timezone(-timedelta(hours=7))),
        "PDT",
        "America/Los_Angeles",
    ),
)
_MONTHS: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July")
_MONTHS += ("August", "September", "October", "November", "December")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ONE_OR_TWO = r"\d{1,2}"
#: a year of 2 letters (``yy``), of any other count
_YEARS = (r"\d{1,4}", r"\d{1,2}")


@dataclass(slots=True, frozen=True)
class DateFormat:
    """A Java date/time pattern read: the strings it parses, and some it renders."""

    pattern: str
    regex: re.Pattern[str]
    samples: tuple[str, ...]

    def accepts(self, value: str) -> bool:
        return self.regex.fullmatch(value) is not None


#: one element of a pattern: a literal ``(text, 0)`` or a run of one letter ``(letter, n)``
_Part = tuple[str, int]


def date_format(pattern: str) -> DateFormat | None:
    """``pattern`` (``yyyy-MM-dd'T'HH:mm:ssXXX``) read, or None when it cannot be."""
    parts = _parse(pattern)
    if not parts:
        return None
    out = ""
    for text, n in parts:
        out += _LETTERS[text][0](n) if n else re.escape(text)
    regex = re.compile(out)
    samples = (
        "".join(_LETTERS[text][1](n, *at) if n else text for text, n in parts) for at in _INSTANTS
    )
    return DateFormat(
        pattern, regex, tuple(dict.fromkeys(s for s in samples if regex.fullmatch(s)))
    )


def _parse(pattern: str) -> list[_Part] | None:
    parts: list[_Part] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "'":
            end = pattern.find("'", i + 1)
            if end == i + 1:  # '' is a quote
                parts.append(("'", 0))
                i += 2
                continue
            while end != -1 and pattern[end + 1 : end + 2] == "'":
                end = pattern.find("'", end + 2)
            if end == -1:
                return None
            parts.append((pattern[i + 1 : end].replace("''", "'"), 0))
            i = end + 1
        elif c.isascii() and c.isalpha():
            if c not in _LETTERS:
                return None
            run = len(pattern) - i - len(pattern[i:].lstrip(c))
            parts.append((c, run))
            i += run
        elif c in "[]#{}":
            return None  # optional sections (the Pact reference reads none), reserved
        else:
            parts.append((c, 0))
            i += 1
    return parts


def _number(low: int, high: int) -> Callable[[int], str]:
    """A numeric field: 1..``high`` digits for one letter, 1..n for n letters."""
    return lambda n: rf"\d{{{low},{max(high, n)}}}"


def _text(names: tuple[str, ...]) -> Callable[[int], str]:
    def regex(n: int) -> str:
        if n <= 2:
            return _ONE_OR_TWO
        if n == 3:
            return "(?:" + "|".join(s[:3] for s in names) + ")"
        if n == 4:
            return "(?:" + "|".join(names) + ")"
        return "[A-Z]"

    return regex


def _named(names: tuple[str, ...], index: int, n: int) -> str:
    if n == 3:
        return names[index][:3]
    if n == 4:
        return names[index]
    return names[index][0] if n >= 5 else str(index + 1).zfill(n)


def _padded(value: int, n: int) -> str:
    return str(value).zfill(n)


def _year(n: int, dt: datetime) -> str:
    return f"{dt.year % 100:02d}" if n == 2 else str(dt.year).zfill(n)


def _offset(dt: datetime) -> tuple[str, int, int]:
    delta = dt.utcoffset() or timedelta()
    minutes = int(delta.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return sign, abs(minutes) // 60, abs(minutes) % 60


def _iso_offset(n: int, dt: datetime, zero: str | None) -> str:
    """``X``/``x``: 1 letter ``+01`` (``+0130``), 2 and 4 ``+0100``, 3 and 5 ``+01:00``;
    ``zero`` is what a zero offset is (``Z`` for X)."""
    sign, hours, minutes = _offset(dt)
    if zero is not None and hours == minutes == 0:
        return zero
    if n == 1:
        return f"{sign}{hours:02d}" + (f"{minutes:02d}" if minutes else "")
    colon = ":" if n in (3, 5) else ""
    return f"{sign}{hours:02d}{colon}{minutes:02d}"


def _iso_offset_regex(n: int, zero: str | None) -> str:
    body = {
        1: r"[+-]\d{2}(?:\d{2})?",
        2: r"[+-]\d{4}",
        3: r"[+-]\d{2}:\d{2}",
        4: r"[+-]\d{4}(?:\d{2})?",
        5: r"[+-]\d{2}:\d{2}(?::\d{2})?",
    }[min(n, 5)]
    return f"(?:{re.escape(zero)}|{body})" if zero else body


def _zone_z(n: int, dt: datetime) -> str:
    sign, hours, minutes = _offset(dt)
    if n <= 3:
        return f"{sign}{hours:02d}{minutes:02d}"
    if n == 4:
        return "GMT" if hours == minutes == 0 else f"GMT{sign}{hours:02d}:{minutes:02d}"
    return _iso_offset(5, dt, None)


def _zone_z_regex(n: int) -> str:
    if n <= 3:
        return r"[+-]\d{4}"
    return r"GMT(?:[+-]\d{2}:\d{2})?" if n == 4 else _iso_offset_regex(5, None)


def _localized(n: int, dt: datetime) -> str:
    sign, hours, minutes = _offset(dt)
    if n == 1:
        return f"GMT{sign}{hours}" + (f":{minutes:02d}" if minutes else "")
    return f"GMT{sign}{hours:02d}:{minutes:02d}"


def _hour12(hour: int, zero_based: bool) -> int:
    return hour % 12 if zero_based else (hour % 12 or 12)


def _fraction(n: int, dt: datetime) -> str:
    return f"{dt.microsecond:06d}000"[:n].ljust(n, "0")


_Render = Callable[..., str]
#: letter -> (regex for n letters, rendering of n letters at (instant, zone name, zone id))
_LETTERS: dict[str, tuple[Callable[[int], str], _Render]] = {
    "G": (lambda n: "(?:AD|BC|Anno Domini|Before Christ|A|B)", lambda n, dt, *_: "AD"),
    "u": (lambda n: _YEARS[n == 2], lambda n, dt, *_: _year(n, dt)),
    "y": (lambda n: _YEARS[n == 2], lambda n, dt, *_: _year(n, dt)),
    "Y": (lambda n: _YEARS[n == 2], lambda n, dt, *_: _year(n, dt)),
    "D": (_number(1, 3), lambda n, dt, *_: _padded(dt.timetuple().tm_yday, n)),
    "M": (_text(_MONTHS), lambda n, dt, *_: _named(_MONTHS, dt.month - 1, n)),
    "L": (_text(_MONTHS), lambda n, dt, *_: _named(_MONTHS, dt.month - 1, n)),
    "d": (_number(1, 2), lambda n, dt, *_: _padded(dt.day, n)),
    "Q": (
        lambda n: r"\d{1,2}" if n <= 2 else r"Q\d" if n == 3 else r"\d(?:st|nd|rd|th) quarter",
        lambda n, dt, *_: (
            _padded((dt.month - 1) // 3 + 1, n)
            if n <= 2
            else f"Q{(dt.month - 1) // 3 + 1}"
            if n == 3
            else f"{(dt.month - 1) // 3 + 1}{('st', 'nd', 'rd', 'th')[(dt.month - 1) // 3]} quarter"
        ),
    ),
    "w": (_number(1, 2), lambda n, dt, *_: _padded(dt.isocalendar()[1], n)),
    "W": (_number(1, 1), lambda n, dt, *_: str((dt.day - 1) // 7 + 1)),
    "E": (
        lambda n: (
            "(?:" + "|".join(d[:3] for d in _DAYS) + ")"
            if n <= 3
            else "(?:" + "|".join(_DAYS) + ")"
            if n == 4
            else "[A-Z]"
        ),
        lambda n, dt, *_: _named(_DAYS, dt.weekday(), max(n, 3)),
    ),
    "e": (_text(_DAYS), lambda n, dt, *_: _named(_DAYS, dt.weekday(), n)),
    "c": (_text(_DAYS), lambda n, dt, *_: _named(_DAYS, dt.weekday(), n)),
    "F": (_number(1, 1), lambda n, dt, *_: str((dt.day - 1) // 7 + 1)),
    "a": (lambda n: "(?:AM|PM)", lambda n, dt, *_: "AM" if dt.hour < 12 else "PM"),
    "h": (_number(1, 2), lambda n, dt, *_: _padded(_hour12(dt.hour, False), n)),
    "K": (_number(1, 2), lambda n, dt, *_: _padded(_hour12(dt.hour, True), n)),
    "k": (_number(1, 2), lambda n, dt, *_: _padded(dt.hour or 24, n)),
    "H": (_number(1, 2), lambda n, dt, *_: _padded(dt.hour, n)),
    "m": (_number(1, 2), lambda n, dt, *_: _padded(dt.minute, n)),
    "s": (_number(1, 2), lambda n, dt, *_: _padded(dt.second, n)),
    "S": (lambda n: rf"\d{{1,{n}}}", lambda n, dt, *_: _fraction(n, dt)),
    "A": (
        lambda n: rf"\d{{{n},8}}",
        lambda n, dt, *_: _padded(
            ((dt.hour * 60 + dt.minute) * 60 + dt.second) * 1000 + dt.microsecond // 1000, n
        ),
    ),
    "n": (lambda n: rf"\d{{{n},9}}", lambda n, dt, *_: _padded(dt.microsecond * 1000, n)),
    "N": (
        lambda n: rf"\d{{{n},14}}",
        lambda n, dt, *_: _padded(
            ((dt.hour * 60 + dt.minute) * 60 + dt.second) * 10**9 + dt.microsecond * 1000, n
        ),
    ),
    "z": (
        lambda n: r"[A-Z]{2,5}" if n <= 3 else r"[A-Za-z ]+",
        lambda n, dt, name, zone: name if n <= 3 else f"{zone} Time",
    ),
    "O": (
        lambda n: r"GMT[+-]\d{1,2}(?::\d{2})?" if n == 1 else r"GMT[+-]\d{2}:\d{2}",
        lambda n, dt, *_: _localized(n, dt),
    ),
    "X": (lambda n: _iso_offset_regex(n, "Z"), lambda n, dt, *_: _iso_offset(n, dt, "Z")),
    "x": (lambda n: _iso_offset_regex(n, None), lambda n, dt, *_: _iso_offset(n, dt, None)),
    "Z": (_zone_z_regex, lambda n, dt, *_: _zone_z(n, dt)),
}


# --- regexes ----------------------------------------------------------------------------------

#: characters tried for a negated class or a ``.``, in this order
_ANY = "aZ0_-. x"
_CATEGORIES = {
    sre.CATEGORY_DIGIT: "0975",
    sre.CATEGORY_NOT_DIGIT: "aZ_-",
    sre.CATEGORY_WORD: "aZ0_",
    sre.CATEGORY_NOT_WORD: " -.@",
    sre.CATEGORY_SPACE: " \t",
    sre.CATEGORY_NOT_SPACE: "aZ0-",
}
_VARIANTS = 4
_MAX_LENGTH = 200


def regex_samples(pattern: str) -> list[str]:
    """Up to four strings that ``pattern`` matches whole; none when it cannot be read.
    Each is confirmed by a Rust regex engine (jsonschema-rs's, as ``_matchers`` tests
    regexes), so a hostile pattern cannot backtrack for ever."""
    import jsonschema_rs  # noqa: PLC0415

    if len(pattern) > _MAX_LENGTH * 5:
        return []
    try:
        parsed = sre_parse.parse(pattern)
        whole = jsonschema_rs.validator_for({"type": "string", "pattern": f"^(?:{pattern})$"})
    except (re.error, RecursionError, OverflowError, ValueError, jsonschema_rs.ValidationError):
        return []
    out: list[str] = []
    for variant in range(_VARIANTS):
        try:
            text = _build(list(parsed), variant, 0)
        except (_Unsupported, RecursionError):
            continue
        if text not in out and whole.is_valid(text):
            out.append(text)
    return out


class _Unsupported(Exception):
    """A construct the sample builder leaves alone (back references, conditionals)."""


def _build(items: list[tuple[Any, Any]], variant: int, depth: int) -> str:
    if depth > 50:
        raise _Unsupported
    out = ""
    for op, arg in items:
        if op is sre.LITERAL:
            out += chr(arg)
        elif op is sre.NOT_LITERAL:
            out += next(c for c in _ANY if ord(c) != arg)
        elif op is sre.ANY:
            out += _ANY[variant % 3]
        elif op is sre.IN:
            out += _member(arg, variant)
        elif op is sre.BRANCH:
            alternatives = arg[1]
            out += _build(list(alternatives[variant % len(alternatives)]), variant, depth + 1)
        elif op is sre.SUBPATTERN:
            out += _build(list(arg[3]), variant, depth + 1)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", None)):
            low, high, inner = arg
            high = low + 40 if high is sre.MAXREPEAT else high
            count = (max(low, min(1, high)), low, min(high, low + 2), min(high, max(low, 3)))
            times = count[variant % len(count)]
            if times > _MAX_LENGTH:
                raise _Unsupported
            for i in range(times):
                out += _build(list(inner), variant + i, depth + 1)
                if len(out) > _MAX_LENGTH:
                    raise _Unsupported  # a sample no longer than a probe's worth
        elif op is sre.ATOMIC_GROUP:
            out += _build(list(arg), variant, depth + 1)
        elif op is sre.CATEGORY:
            out += _CATEGORIES.get(arg, "a")[variant % len(_CATEGORIES.get(arg, "a"))]
        elif op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue  # anchors and lookarounds: the full match confirms or drops the sample
        else:
            raise _Unsupported
    return out


def _member(items: list[tuple[Any, Any]], variant: int) -> str:
    """A character of a ``[...]`` class: varied by ``variant``; a negated class takes the
    first of a few common characters it does not exclude."""
    if items and items[0][0] is sre.NEGATE:
        allowed = [c for c in _ANY if re.fullmatch(_as_class(items), c)]
        if not allowed:
            raise _Unsupported
        return allowed[variant % len(allowed)]
    choices: list[str] = []
    for op, arg in items:
        if op is sre.LITERAL:
            choices.append(chr(arg))
        elif op is sre.RANGE:
            low, high = arg
            choices += [chr(low), chr(high), chr((low + high) // 2)]
        elif op is sre.CATEGORY:
            choices += list(_CATEGORIES.get(arg, "a"))
    if not choices:
        raise _Unsupported
    return choices[variant % len(choices)]


def _as_class(items: list[tuple[Any, Any]]) -> str:
    """A negated class rebuilt as regex text, to test candidate characters."""
    out = "[^"
    for op, arg in items[1:]:
        if op is sre.LITERAL:
            out += re.escape(chr(arg))
        elif op is sre.RANGE:
            out += f"{re.escape(chr(arg[0]))}-{re.escape(chr(arg[1]))}"
        elif op is sre.CATEGORY:
            out += {
                sre.CATEGORY_DIGIT: r"\d",
                sre.CATEGORY_NOT_DIGIT: r"\D",
                sre.CATEGORY_WORD: r"\w",
                sre.CATEGORY_NOT_WORD: r"\W",
                sre.CATEGORY_SPACE: r"\s",
                sre.CATEGORY_NOT_SPACE: r"\S",
            }.get(arg, "")
    return out + "]"
