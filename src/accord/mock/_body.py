"""Request bodies: read within a size limit, matched to a documented media type, parsed.

Each failure is a :class:`~accord.mock._plan.Problem` (413, 415 or 400), never an
exception that reaches the server: a body over the limit, a content type the
operation does not accept, bytes that are not UTF-8, JSON that does not parse
or nests deeper than the limit.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from accord._asgi import BodyTooLarge, ClientGone
from accord._asgi import read_body as shared_read_body
from accord._json import JSONError, read_json
from accord.core import (
    MediaType,
    RequestBody,
    can_be_json,
    is_xml_media,
    media_type,
    parse_content_type,
    select_media,
)
from accord.mock._asgi import Receive
from accord.mock._plan import Problem
from accord.mock._xml import parse_xml

__all__ = ["ParsedBody", "match_media", "parse_body", "read_body"]

_NO_BODY = object()


@dataclass(slots=True, frozen=True)
class ParsedBody:
    """The body as data, and the documented media type it was read as."""

    media: MediaType | None
    value: Any
    present: bool


async def read_body(receive: Receive, limit: int, declared: str | None) -> bytes | Problem:
    """The whole request body, or a 413 problem when it is larger than ``limit`` bytes."""
    try:
        return await shared_read_body(receive, limit, declared)
    except BodyTooLarge as exc:
        return Problem(413, str(exc))
    except ClientGone as exc:  # nobody reads the answer; it only must not act on half a body
        return Problem(400, str(exc))


def match_media(body: RequestBody, content_type: str | None) -> MediaType | None:
    """The documented media type ``content_type`` falls under, the most specific first
    (:func:`accord.core.select_media`)."""
    if not body.content:
        return None
    if content_type is None:
        return select_media(body.content, None)
    key = (id(body), content_type)
    found = _MEDIA_CACHE.get(key)
    if found is not None and found[0] is body:
        return found[1]
    media = select_media(body.content, content_type)
    if len(_MEDIA_CACHE) >= _MEDIA_CACHE_SIZE:  # clients send a handful of content types
        _MEDIA_CACHE.clear()
    _MEDIA_CACHE[key] = (body, media)  # the body is kept so its id is never reused
    return media


#: (request body id, Content-Type header) -> (request body, documented media type)
_MEDIA_CACHE: dict[tuple[int, str], tuple[RequestBody, MediaType | None]] = {}
_MEDIA_CACHE_SIZE = 4096


def parse_body(
    body: RequestBody | None, raw: bytes, content_type: str | None, max_depth: int
) -> ParsedBody | Problem:
    """Parse ``raw`` as the operation's documented request body."""
    if body is None:
        return ParsedBody(None, None, present=False)
    if not raw:  # no Content-Type and no bytes: no body at all
        media = match_media(body, content_type) if content_type is not None else None
        if media is not None and media.name.startswith("application/x-www-form-urlencoded"):
            return ParsedBody(media, {}, present=True)  # an empty form is an empty object
        if body.required:
            return Problem(
                400, "the request body is required", ({"pointer": "", "message": "required"},)
            )
        return ParsedBody(None, None, present=False)
    media = match_media(body, content_type)
    if media is None:
        if content_type is not None and parse_content_type(content_type) is None:
            return Problem(400, f"the Content-Type {content_type!r} is not a media type")
        offered = ", ".join(body.content) or "no body"
        return Problem(
            415,
            f"content type {content_type or '(none)'!r} is not accepted here; "
            f"the contract documents: {offered}",
        )
    documented = parse_content_type(media.name)
    # a range (``*/*``) documents no syntax: the body's own Content-Type says it
    sent = content_type if documented is None or documented.is_range else None
    name = media_type(sent or media.name)
    if can_be_json(name):
        value = _json(raw, max_depth)
        return value if isinstance(value, Problem) else ParsedBody(media, value, present=True)
    if is_xml_media(name):
        root = parse_xml(raw)
        if isinstance(root, str):
            return Problem(400, root)
        return ParsedBody(media, root, present=True)
    if name == "application/x-www-form-urlencoded":
        try:
            text = raw.decode("utf-8")
            pairs = parse_qsl(text, keep_blank_values=True, errors="strict")
        except (UnicodeDecodeError, ValueError) as exc:
            return Problem(400, f"the form body cannot be read: {exc}")
        return ParsedBody(media, _form(pairs), present=True)
    if name.startswith("text/"):
        try:
            return ParsedBody(media, raw.decode("utf-8"), present=True)
        except UnicodeDecodeError as exc:
            return Problem(400, f"the body is not valid UTF-8: {exc.reason} at byte {exc.start}")
    return ParsedBody(media, _NO_BODY, present=True)  # binary, multipart, xml: accepted as is


def unchecked(parsed: ParsedBody) -> bool:
    """True when the body was accepted without being parsed (no schema check possible)."""
    return parsed.value is _NO_BODY


_BRACKETS = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])+)$")


def _form(pairs: list[tuple[str, str]]) -> Mapping[str, Any]:
    """Form fields; ``a[b][c]=v`` (deepObject, as Stripe and most clients write nested
    objects) become nested mappings, repeated names lists."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        target, name = out, key
        found = _BRACKETS.match(key)
        if found is not None:
            path = [found.group(1), *found.group(2)[1:-1].split("][")]
            for part in path[:-1]:
                nested = target.get(part)
                if not isinstance(nested, dict):
                    nested = target[part] = {}
                target = nested
            name = path[-1]
        if name in target:
            prior = target[name]
            target[name] = [*prior, value] if isinstance(prior, list) else [prior, value]
        else:
            target[name] = value
    return out


def _json(raw: bytes, max_depth: int) -> Any:
    try:
        return read_json(raw, max_depth=max_depth)
    except JSONError as exc:
        return Problem(400, f"the body is {exc}")
