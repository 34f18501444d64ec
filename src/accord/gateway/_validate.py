"""Edge validation: a request's parameters and JSON body against its operation's schemas.

Parameters arrive as strings; each is typed by its schema's ``type`` (``"42"``
-> ``42``, ``"a,b"`` -> ``["a", "b"]`` for arrays) and checked by the core's
compiled validator, so the messages are the schema's own. Objects in
parameters (``deepObject`` and friends) are left to the service.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from accord.core import Contract, Direction, Operation, Parameter, SchemaRef

__all__ = ["Problem", "check_body", "check_parameters", "check_response", "media_type"]

_INT = re.compile(r"-?\d+")
_NUMBER = re.compile(r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?")
#: headers OpenAPI says a parameter may not describe
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_DELIMITERS = {"spaceDelimited": " ", "pipeDelimited": "|"}

#: (status, detail, errors)
Problem = tuple[int, str, list[dict[str, str]]]


def media_type(header: str) -> str:
    """``application/json; charset=utf-8`` -> ``application/json``."""
    return header.partition(";")[0].strip().lower()


def _is_json(name: str) -> bool:
    name = media_type(name)
    return name == "application/json" or name.endswith("+json")


def _types(contract: Contract, schema: SchemaRef) -> tuple[str, ...]:
    value, file, pointer = schema.value, schema.place.file, schema.place.pointer
    for _ in range(16):  # a chain of $refs; the core refuses cycles at load time
        if not (isinstance(value, dict) and "$ref" in value):
            break
        target = contract.documents.deref(value, file, pointer)
        value, file, pointer = target.value, target.file, target.pointer
    if not isinstance(value, dict):
        return ()
    kind = value.get("type")
    if isinstance(kind, str):
        return (kind,)
    if isinstance(kind, list):
        return tuple(str(k) for k in kind)
    return ()


def _coerce(text: str, types: tuple[str, ...]) -> Any:
    for kind in types or ("string",):
        if kind == "integer" and _INT.fullmatch(text):
            return int(text)
        if kind == "number" and _NUMBER.fullmatch(text):
            number = float(text)
            return int(number) if number.is_integer() and "." not in text else number
        if kind == "boolean" and text in ("true", "false"):
            return text == "true"
        if kind == "string":
            return text
    return text


def _raw(param: Parameter, path: Mapping[str, str], query: dict[str, list[str]],
         headers: Mapping[str, str], cookies: Mapping[str, str]) -> list[str] | None:  # fmt: skip
    if param.location == "path":
        found = path.get(param.name)
    elif param.location == "header":
        found = headers.get(param.name.lower())
    elif param.location == "cookie":
        found = cookies.get(param.name)
    else:
        return query.get(param.name)
    return None if found is None else [found]


def check_parameters(
    contract: Contract,
    operation: Operation,
    path: Mapping[str, str],
    raw_query: bytes,
    headers: Mapping[str, str],
) -> Problem | None:
    """A 400 problem listing every parameter that does not fit its schema, or None."""
    query: dict[str, list[str]] = {}
    try:
        pairs = parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError) as exc:
        return 400, f"the query string cannot be read: {exc}", []
    for key, text in pairs:
        query.setdefault(key, []).append(text)
    cookies = _cookies(headers.get("cookie", ""))
    errors: list[dict[str, str]] = []
    for param in operation.parameters:
        if param.location == "header" and param.name.lower() in _IGNORED_HEADERS:
            continue
        where = f"/{param.location}/{param.name}"
        raw = _raw(param, path, query, headers, cookies)
        if raw is None:
            if param.required:
                message = f"required {param.location} parameter {param.name!r} is missing"
                errors.append({"pointer": where, "message": message})
            continue
        if param.schema is None:
            continue
        types = _types(contract, param.schema)
        if "object" in types:
            continue
        if "array" in types:
            item = param.schema.value.get("items") if isinstance(param.schema.value, dict) else None
            item_types = (item.get("type"),) if isinstance(item, dict) else ()
            exploded = param.location == "query" and param.explode
            parts = raw if exploded else raw[-1].split(_DELIMITERS.get(param.style, ","))
            value: Any = [_coerce(p, tuple(t for t in item_types if t)) for p in parts if p != ""]
        elif len(raw) > 1:
            errors.append({"pointer": where, "message": "was given more than once"})
            continue
        else:
            value = _coerce(raw[0], types)
        validator = contract.validator(param.schema, Direction.REQUEST)
        for violation in validator.violations(value, limit=10):
            errors.append({"pointer": where + violation.pointer, "message": violation.message})
    return (400, "request parameters do not match the contract", errors) if errors else None


def check_body(
    contract: Contract, operation: Operation, content_type: str, body: bytes
) -> Problem | None:
    """A 400/415/422 problem when the body does not fit the operation's request body."""
    spec = operation.request_body
    if spec is None:
        return None
    if not body:
        if spec.required:
            return 400, "this operation requires a request body", []
        return None
    name = media_type(content_type)
    media = spec.content.get(name) or _wildcard(spec.content, name)
    if media is None:
        declared = ", ".join(sorted(spec.content)) or "none"
        return 415, f"content type {name or '(none)'!r} is not accepted (declared: {declared})", []
    if not _is_json(name) or media.schema is None:
        return None
    try:
        value = json.loads(body)
    except ValueError as exc:
        return 400, f"the body is not valid JSON: {exc}", []
    validator = contract.validator(media.schema, Direction.REQUEST)
    if validator.is_valid(value):
        return None
    errors = validator.errors(value)
    # 422 where the operation documents it, else 400: never a status the contract omits
    status = 422 if "422" in operation.responses else 400
    return status, "the request body does not match the contract", errors


def check_response(
    contract: Contract, operation: Operation, status: int, content_type: str, body: bytes
) -> list[dict[str, str]]:
    """Why an upstream's response breaks the contract (empty when it conforms)."""
    documented = operation.response(status)
    if documented is None:
        return [{"pointer": "", "message": f"status {status} is not documented"}]
    name = media_type(content_type)
    if not documented.content or not body:
        return []
    media = documented.content.get(name) or _wildcard(documented.content, name)
    if media is None:
        return [{"pointer": "", "message": f"content type {name!r} is not documented"}]
    if not _is_json(name) or media.schema is None:
        return []
    try:
        value = json.loads(body)
    except ValueError as exc:
        return [{"pointer": "", "message": f"the body is not valid JSON: {exc}"}]
    validator = contract.validator(media.schema, Direction.RESPONSE)
    return [] if validator.is_valid(value) else validator.errors(value)


def _wildcard(content: Mapping[str, Any], name: str) -> Any:
    major = name.partition("/")[0]
    return content.get(f"{major}/*") or content.get("*/*")


def _cookies(header: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in header.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            out[name] = value
    return out
