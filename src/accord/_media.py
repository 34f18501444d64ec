"""Media types: when a content type one side names is one the other side documents.

One answer for HTTP bodies (request and response ``Content-Type``, ``Accept``) and for
messages (a pact's or a broker's content type against an AsyncAPI message's):

- names are case-insensitive and whitespace around ``/`` and ``;`` does not count;
- ``*/*`` and ``type/*`` ranges match on either side;
- a structured-syntax suffix (RFC 6839) makes a specific type one of its syntax:
  ``application/vnd.schemaregistry.v1+json`` and ``application/problem+json`` are JSON, so
  either matches ``application/json``, and ``application/*+json`` matches both. Two specific
  types (``application/hal+json`` and ``application/problem+json``) stay different;
- parameters only disagree when both sides give one a different value
  (``version=1`` against ``version=2``); ``q`` is never compared, and ``charset`` not for
  JSON, which defines none (RFC 8259 §11). A side without a parameter accepts any value.

Servers (the mock, the gateway, the runtime guard) read a request's ``Content-Type`` with
:func:`parse_content_type`, which is strict (RFC 9110 §8.3.1: ``token "/" token`` and
``name=value`` parameters, a value a token or a quoted string): anything else is malformed
and answered 400. :func:`select_media` picks the content entry a concrete type falls under,
the most specific first (OpenAPI 3.1 §4.8.14: ``text/plain;charset=utf-8`` before
``text/plain`` before ``text/*`` before ``*/*``), with the same compatibility rule as above,
so a body crosscheck accepts for an operation is one the servers accept too.
:func:`parse_accept` reads an ``Accept`` header into its ranges and weights; a comma or a
semicolon inside a quoted parameter value splits nothing.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

__all__ = [
    "AcceptRange",
    "MediaRange",
    "can_be_json",
    "is_json_media",
    "is_xml_media",
    "media_compatible",
    "media_kind",
    "media_type",
    "parse_accept",
    "parse_content_type",
    "select_media",
]

_T = TypeVar("_T")
#: RFC 9110 §5.6.2 token, §5.6.4 quoted-string, §5.6.6 parameters (OWS around ``;`` and ``=``
#: is tolerated, as most servers do; an empty parameter, ``;;``, is allowed by the grammar)
_TOKEN = r"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_QUOTED = r'"(?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\[^\x00-\x08\x0a-\x1f\x7f])*"'
_PARAM = re.compile(rf"[ \t]*;[ \t]*(?:({_TOKEN})[ \t]*=[ \t]*({_TOKEN}|{_QUOTED}))?")
_TYPE = re.compile(rf"[ \t]*({_TOKEN})/({_TOKEN})")


@dataclass(slots=True, frozen=True)
class MediaRange:
    """A parsed media type or range: ``type/subtype`` lower-cased, and its parameters."""

    type: str
    subtype: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, text: str) -> MediaRange:
        """``text`` read as :func:`parse_content_type` does, or leniently when malformed."""
        strict = parse_content_type(text)
        if strict is not None:
            return strict
        bare, *rest = text.split(";")
        kind, _, sub = bare.strip().lower().partition("/")
        params = []
        for item in rest:
            name, sep, value = item.partition("=")
            if sep:
                params.append((name.strip().lower(), value.strip().strip('"')))
        return cls(kind.strip(), sub.strip(), tuple(params))

    @property
    def suffix(self) -> str:
        """The structured syntax (``json`` for ``vnd.x+json``); the subtype itself without one."""
        return self.subtype.rpartition("+")[2]

    @property
    def is_json(self) -> bool:
        return self.suffix == "json"

    @property
    def is_range(self) -> bool:
        """``*/*``, ``type/*`` or ``type/*+suffix``: several types, not one."""
        return "*" in (self.type, self.subtype) or self.subtype.startswith("*+")

    @property
    def essence(self) -> str:
        """``type/subtype`` without parameters."""
        return f"{self.type}/{self.subtype}"


@functools.lru_cache(maxsize=1024)
def parse_content_type(header: str) -> MediaRange | None:
    """A ``Content-Type`` (or a content key) read strictly, or None when it is malformed
    (``""``, ``application/``, ``;``, ``a b/c``, an unclosed quote). Quoted parameter
    values are unquoted (``\\"`` escapes undone); parameter names are lower-cased."""
    found = _TYPE.match(header)
    if found is None:
        return None
    params: list[tuple[str, str]] = []
    at = found.end()
    while at < len(header):
        item = _PARAM.match(header, at)
        if item is None or item.end() == at:
            if header[at:].strip(" \t"):
                return None
            break
        name, value = item.group(1), item.group(2)
        if name is not None:
            if value.startswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1])
            params.append((name.lower(), value))
        at = item.end()
    return MediaRange(found.group(1).lower(), found.group(2).lower(), tuple(params))


def media_type(value: str) -> str:
    """``application/json`` from ``Application/JSON; charset=utf-8``."""
    return value.split(";", 1)[0].strip().lower()


@functools.lru_cache(maxsize=1024)
def is_json_media(value: str) -> bool:
    """``application/json`` or a ``+json`` type (RFC 6839): content that parses as JSON."""
    return MediaRange.parse(value).is_json


@functools.lru_cache(maxsize=1024)
def can_be_json(value: str) -> bool:
    """A JSON type, or a range JSON falls under (``*/*``, ``application/*``): a content
    entry whose schema a JSON body is validated against, and the mock answers in JSON."""
    parsed = MediaRange.parse(value)
    return parsed.is_json or parsed.type == "*" or parsed.essence == "application/*"


@functools.lru_cache(maxsize=1024)
def is_xml_media(value: str) -> bool:
    """``application/xml``, ``text/xml`` or a ``+xml`` type (RFC 7303)."""
    return MediaRange.parse(value).suffix == "xml"


@functools.lru_cache(maxsize=1024)
def media_kind(value: str) -> str:
    """The syntax of a body of media type ``value``: ``json`` (a JSON type, ``text/json``
    and ``application/*+json`` included), ``form`` (``application/x-www-form-urlencoded``),
    ``multipart``, ``text`` (``text/*``, XML and YAML types: every value travels as text) or
    ``binary`` (anything else, ranges such as ``*/*`` and ``application/*`` among them)."""
    media = MediaRange.parse(value)
    if media.is_json:
        return "json"
    if media.essence == "application/x-www-form-urlencoded":
        return "form"
    if media.type == "multipart":
        return "multipart"
    if media.type == "text" or media.suffix in ("xml", "yaml"):
        return "text"
    return "binary"


def select_media(content: Mapping[str, _T], content_type: str | None) -> _T | None:
    """The entry of an OpenAPI ``content`` map a body of ``content_type`` is read as.

    The most specific compatible key wins: the same type with the most matching
    parameters, then a ``+json`` type against the bare JSON type (RFC 6839, either way),
    then ``type/*+suffix``, ``type/*`` and ``*/*``; equal keys keep the map's order.
    None when no key fits, ``content_type`` is malformed, or it is a range (a body has
    one type). Malformed keys never match. Without a ``Content-Type`` (None), a body is
    read as the only documented type, if there is one (RFC 9110 §8.3 lets a recipient
    examine the data; the schema then says whether it fits).
    """
    if content_type is None:
        return next(iter(content.values())) if len(content) == 1 else None
    actual = parse_content_type(content_type)
    if actual is None or actual.is_range:
        return None
    best: tuple[int, int, int] | None = None
    chosen: _T | None = None
    for key, value in content.items():
        rank = _rank(actual, key)
        if rank is not None and (best is None or rank > best):
            best, chosen = rank, value
    return chosen


@functools.lru_cache(maxsize=4096)
def _rank(actual: MediaRange, key: str) -> tuple[int, int, int] | None:
    """How specifically ``key`` names ``actual``: its kind of match, then the parameters it
    shares with ``actual``, then fewer it names that ``actual`` does not send."""
    documented = parse_content_type(key)
    if documented is None or not _params_agree(actual, documented):
        return None
    sent = {name: value.lower() for name, value in actual.params}
    shared = sum(sent.get(name) == value.lower() for name, value in documented.params)
    same = (shared, shared - len(documented.params))
    if documented.essence == actual.essence:
        return 5, *same
    if documented.type == actual.type and _subtypes_match(documented, actual):
        if documented.subtype.startswith("*+"):
            return 3, *same
        return (2, *same) if documented.subtype == "*" else (4, *same)  # json for vnd.x+json
    if actual.type == documented.type and _subtypes_match(actual, documented):
        return 4, *same  # vnd.x+json documented, application/json sent
    if documented.type == "*":
        return 1, *same
    return None


def media_compatible(actual: str | MediaRange, documented: str | MediaRange) -> bool:
    """Whether ``actual`` (what a pact or a broker says) fits ``documented`` (what the
    contract names); either may be a range. See the module docstring for the rules."""
    a = actual if isinstance(actual, MediaRange) else MediaRange.parse(actual)
    d = documented if isinstance(documented, MediaRange) else MediaRange.parse(documented)
    if "*" in (a.type, d.type):
        return True
    if a.type != d.type:
        return False
    if not (_subtypes_match(a, d) or _subtypes_match(d, a)):
        return False
    return _params_agree(a, d)


def _subtypes_match(one: MediaRange, other: MediaRange) -> bool:
    if one.subtype in ("*", other.subtype):
        return True
    if one.subtype.startswith("*+"):  # application/*+json
        return one.suffix == other.suffix
    # the bare syntax type against a specific type of that syntax (json vs vnd.x+json)
    return "+" not in one.subtype and "+" in other.subtype and one.subtype == other.suffix


def _params_agree(a: MediaRange, d: MediaRange) -> bool:
    ours = dict(a.params)
    for name, value in d.params:
        if name == "q" or (name == "charset" and (a.is_json or d.is_json)):
            continue
        mine = ours.get(name)
        if mine is None:
            continue
        same = mine.lower() == value.lower() if name == "charset" else mine == value
        if not same:
            return False
    return True


@dataclass(slots=True, frozen=True)
class AcceptRange:
    """One element of an ``Accept`` header: a media range and its weight ``q`` (0 to 1)."""

    media: MediaRange
    q: float


@functools.lru_cache(maxsize=256)
def parse_accept(header: str) -> tuple[AcceptRange, ...]:
    """The readable ranges of an ``Accept`` header (RFC 9110 §12.5.1), in the order sent.

    Elements are split at commas and parameters at semicolons outside quoted strings, so
    ``text/csv; note="a, b;q=0"`` is one range of weight 1. An element that is not
    ``type/subtype`` is skipped; parameters after ``q`` are accept-extensions and dropped;
    a parameter without ``=`` is ignored, and an unreadable weight counts as 1 (it does not
    exclude what the client asked for).
    """
    out: list[AcceptRange] = []
    for element in _split_unquoted(header, ","):
        bare, *params = _split_unquoted(element, ";")
        kind, slash, sub = bare.partition("/")
        kind, sub = kind.strip(" \t").lower(), sub.strip(" \t").lower()
        if not slash or not _TOKEN_ONLY.fullmatch(kind) or not _TOKEN_ONLY.fullmatch(sub):
            continue
        q, named = 1.0, []
        for param in params:
            name, sep, value = (part.strip(" \t") for part in param.partition("="))
            if not sep or not name:
                continue
            if value.startswith('"'):
                value = re.sub(r"\\(.)", r"\1", value[1:-1] if value.endswith('"') else value[1:])
            if name.lower() == "q":
                q = _weight(value)
                break
            named.append((name.lower(), value))
        out.append(AcceptRange(MediaRange(kind, sub, tuple(named)), q))
    return tuple(out)


_TOKEN_ONLY = re.compile(_TOKEN)


def _split_unquoted(text: str, separator: str) -> list[str]:
    """``text`` split at ``separator`` where it is not inside a quoted string (a backslash
    escapes the next character there; an unclosed quote runs to the end)."""
    parts: list[str] = []
    start, quoted, at = 0, False, 0
    while at < len(text):
        char = text[at]
        if quoted and char == "\\":
            at += 1
        elif char == '"':
            quoted = not quoted
        elif char == separator and not quoted:
            parts.append(text[start:at])
            start = at + 1
        at += 1
    parts.append(text[start:])
    return parts


def _weight(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        return 1.0
    if math.isnan(value):
        return 1.0
    return min(max(value, 0.0), 1.0)
