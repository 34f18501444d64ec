"""Media types, and string values (headers, query and path parameters) against schemas."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from accord._media import MediaRange, parse_accept
from accord.core import (
    Contract,
    Direction,
    Parameter,
    SchemaRef,
    Violation,
    media_compatible,
)
from accord.core import can_be_json as is_json_media

__all__ = [
    "is_json_media",
    "media_matches",
    "parameter_violations",
    "resolved_schema",
    "value_types",
]

_INTEGER = re.compile(r"[+-]?\d+")


def media_matches(actual: str | MediaRange, supported: str | MediaRange) -> bool:
    """True when two media types (or ranges, ``*`` on either side) are compatible: RFC 6839
    suffixes and parameters as :func:`accord.core.media_compatible` has them, for HTTP and
    messages alike."""
    return media_compatible(actual, supported)


def accepted_ranges(header: str) -> list[MediaRange]:
    """The media ranges of an ``Accept`` header (read by :func:`accord._media.parse_accept`,
    quoted strings split nothing), without those of weight 0."""
    return [found.media for found in parse_accept(header) if found.q > 0]


def any_match(actual: Iterable[MediaRange], supported: Iterable[str]) -> bool:
    supported = list(supported)
    return any(media_matches(a, s) for a in actual for s in supported)


def resolved_schema(contract: Contract, schema: SchemaRef) -> Any:
    """The schema's value after following its ``$ref`` chain."""
    return contract.documents.deref(schema.value, schema.place.file, schema.place.pointer).value


def value_types(contract: Contract, schema: SchemaRef) -> set[str]:
    """The JSON types a schema names (``type: [a, b]`` or ``type: a``); empty when it names none."""
    value = resolved_schema(contract, schema)
    kind = value.get("type") if isinstance(value, dict) else None
    if isinstance(kind, str):
        return {kind}
    if isinstance(kind, list):
        return {str(k) for k in kind}
    return set()


def coerce(text: str, types: set[str]) -> Any:
    """``text`` as the JSON value a schema of ``types`` expects, when it reads as one."""
    if not types or "string" in types:
        return text
    if types & {"integer", "number"} and _INTEGER.fullmatch(text.strip()):
        return int(text)
    if "number" in types:
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            return number
    if "boolean" in types and text in ("true", "false"):
        return text == "true"
    if "null" in types and text == "":
        return None
    return text


def is_supported(contract: Contract, param: Parameter | None, schema: SchemaRef | None) -> bool:
    """Whether a string value can be checked: objects, arrays and ``content`` can't be."""
    if schema is None or (param is not None and param.content):
        return False
    return not value_types(contract, schema) & {"object", "array"}


def parameter_violations(
    contract: Contract,
    schema: SchemaRef | None,
    text: str,
    direction: Direction = Direction.REQUEST,
    param: Parameter | None = None,
) -> list[Violation]:
    """Why ``text`` (a header, query or path value) does not fit ``schema``, coerced first."""
    if schema is None or not is_supported(contract, param, schema):
        return []
    value = coerce(text, value_types(contract, schema))
    return contract.validator(schema, direction).violations(value, limit=5)
