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
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["MediaRange", "is_json_media", "media_compatible", "media_type"]


@dataclass(slots=True, frozen=True)
class MediaRange:
    """A parsed media type or range: ``type/subtype`` lower-cased, and its parameters."""

    type: str
    subtype: str
    params: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, text: str) -> MediaRange:
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


def media_type(value: str) -> str:
    """``application/json`` from ``Application/JSON; charset=utf-8``."""
    return value.split(";", 1)[0].strip().lower()


def is_json_media(value: str) -> bool:
    """``application/json`` or a ``+json`` type (RFC 6839): content that parses as JSON."""
    return MediaRange.parse(value).is_json


def media_compatible(actual: str, documented: str) -> bool:
    """Whether ``actual`` (what a pact or a broker says) fits ``documented`` (what the
    contract names); either may be a range. See the module docstring for the rules."""
    a, d = MediaRange.parse(actual), MediaRange.parse(documented)
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
