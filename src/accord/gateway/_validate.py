"""Edge validation: a request's parameters and JSON body against its operation's schemas.

Parameters are read, typed and checked by the core (``read_parameters``: styles,
arrays, ``deepObject``, integer formats), the same way the mock reads them; bodies
and responses by the core's compiled validators, so the messages are the schema's own.
"""

from __future__ import annotations

from collections.abc import Mapping

from accord._json import JSONError, read_json
from accord.core import (
    Contract,
    Direction,
    Operation,
    ParameterSpec,
    cookies_of,
    is_json_media,
    media_type,
    parse_content_type,
    query_of,
    read_parameters,
    select_media,
)

__all__ = ["Problem", "check_body", "check_parameters", "check_response"]

#: (status, detail, errors)
Problem = tuple[int, str, list[dict[str, str]]]


def check_parameters(
    contract: Contract,
    specs: list[ParameterSpec],
    path: Mapping[str, str],
    raw_query: bytes,
    headers: Mapping[str, str],
    *,
    path_sent: Mapping[str, str] | None = None,
) -> Problem | None:
    """A 400 problem listing every parameter that does not fit its schema, or None.

    ``specs`` are the operation's parameters as the core compiles them
    (``compile_parameters``), typed and checked the way the mock does: ``path_sent``
    (the path parameters still percent-encoded, from ``path_as_sent``) and the raw query
    are split at their style's delimiters before they are decoded; ``path`` (decoded) is
    read only when no raw path was given.
    """
    try:
        query, query_sent = query_of(raw_query)
    except ValueError as exc:
        return 400, f"the query string cannot be read: {exc}", []
    cookies = cookies_of(headers.get("cookie", ""))
    parsed = read_parameters(
        contract,
        specs,
        path if path_sent is None else path_sent,
        query,
        headers,
        cookies,
        path_encoded=path_sent is not None,
        query_sent=query_sent,
    )
    if not parsed.errors:
        return None
    errors = [
        {"pointer": f"/{e['in']}/{e['pointer']}", "message": e["message"]} for e in parsed.errors
    ]
    return 400, "request parameters do not match the contract", errors


def check_body(
    contract: Contract, operation: Operation, content_type: str | None, body: bytes
) -> Problem | None:
    """A 400/415/422 problem when the body does not fit the operation's request body.

    ``content_type`` is the request's header (None when absent); the documented entry is
    the core's :func:`~accord.core.select_media` choice, as the mock makes it.
    """
    spec = operation.request_body
    if spec is None:
        return None
    if not body:
        if spec.required:
            return 400, "this operation requires a request body", []
        return None
    media = select_media(spec.content, content_type)
    if media is None:
        if content_type is not None and parse_content_type(content_type) is None:
            return 400, f"the Content-Type {content_type[:200]!r} is not a media type", []
        declared = ", ".join(sorted(spec.content)) or "none"
        name = media_type(content_type or "") or "(none)"
        return 415, f"content type {name!r} is not accepted (declared: {declared})", []
    if not is_json_media(content_type or media.name) or media.schema is None:
        return None
    try:
        value = read_json(body)
    except JSONError as exc:
        return 400, f"the body is {exc}", []
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
    """Why an upstream's response breaks the contract (empty when it conforms); an empty
    ``content_type`` is an absent header."""
    documented = operation.response(status)
    if documented is None:
        return [{"pointer": "", "message": f"status {status} is not documented"}]
    sent = content_type or None
    if not documented.content or not body:
        return []
    media = select_media(documented.content, sent)
    if media is None:
        if sent is not None and parse_content_type(sent) is None:
            return [{"pointer": "", "message": f"Content-Type {sent!r} is malformed"}]
        name = media_type(sent or "") or "(none)"
        return [{"pointer": "", "message": f"content type {name!r} is not documented"}]
    if not is_json_media(sent or media.name) or media.schema is None:
        return []
    try:
        value = read_json(body)
    except JSONError as exc:
        return [{"pointer": "", "message": f"the body is {exc}"}]
    validator = contract.validator(media.schema, Direction.RESPONSE)
    return [] if validator.is_valid(value) else validator.errors(value)
