"""Media types, and string values (headers, query and path parameters) against schemas."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

from accord.core import (
    Contract,
    Direction,
    Parameter,
    SchemaRef,
    Violation,
    media_compatible,
    media_type,
)
from accord.core import is_json_media as json_media

__all__ = [
    "base_media",
    "is_json_media",
    "media_matches",
    "parameter_violations",
    "resolved_schema",
    "value_types",
]

_INTEGER = re.compile(r"[+-]?\d+")


def base_media(value: str) -> str:
    """``application/json`` from ``Application/JSON; charset=utf-8``."""
    return media_type(value)


def media_matches(actual: str, supported: str) -> bool:
    """True when two media types (or ranges, ``*`` on either side) are compatible: RFC 6839
    suffixes and parameters as :func:`accord.core.media_compatible` has them, for HTTP and
    messages alike."""
    return media_compatible(actual, supported)


def accepted_ranges(header: str) -> list[str]:
    """The media ranges of an ``Accept`` header, without those marked ``q=0``."""
    out = []
    for item in header.split(","):
        params = [p.strip().lower().replace(" ", "") for p in item.split(";")[1:]]
        if any(p in ("q=0", "q=0.0", "q=0.00", "q=0.000") for p in params):
            continue
        if item.strip():
            out.append(item.strip())
    return out


def any_match(actual: Iterable[str], supported: Iterable[str]) -> bool:
    supported = list(supported)
    return any(media_matches(a, s) for a in actual for s in supported)


def is_json_media(value: str) -> bool:
    """JSON, a ``+json`` type, or the ``*/*`` range (a JSON body is then acceptable)."""
    return media_type(value) == "*/*" or json_media(value)


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
