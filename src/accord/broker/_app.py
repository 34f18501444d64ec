"""``accord broker``: the Pact Broker's HTTP/HAL API, as a plain ASGI app.

The resources and relations follow the Pact Broker's API browser and docs
(docs.pact.io/pact_broker/api; the ``pb:`` relations of its index). Each request
runs in one database transaction on a worker thread. Writes need the configured
token (``Authorization: Bearer``) or basic credentials when either is set, as a
Pact Broker with ``PACT_BROKER_BASIC_AUTH_*``/PactFlow tokens does; reads are open.
Bad input is answered with ``application/problem+json``.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import re
from typing import Any
from urllib.parse import parse_qsl, unquote

from accord._asgi import (
    BodyTooLarge,
    ClientGone,
    Receive,
    Scope,
    Send,
    answer_lifespan,
    problem_document,
    read_body,
    send_bytes,
    send_problem,
)
from accord._errors import AccordError
from accord._json import JSONError, dump_json, read_json
from accord._media import is_json_media
from accord.broker import _deploy, _pact_lists, _routes, _verification  # noqa: F401 - importing them registers the routes
from accord.broker._db import Database, Unstorable
from accord.broker._html import render_index
from accord.broker._intake import check_text
from accord.broker._model import BrokerError
from accord.broker._routing import HAL, BrokerConfig, Request, check_of, match
from accord.core import decode_pointer

__all__ = ["BrokerApp", "BrokerConfig"]

_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


class BrokerApp:
    """The broker as an ASGI app over one :class:`Database`."""

    def __init__(self, db: Database, config: BrokerConfig | None = None) -> None:
        self.db = db
        self.config = config or BrokerConfig()

    def _authorised(self, scope: Scope) -> bool:
        config = self.config
        if not config.token and not config.username:
            return True
        header = ""
        for key, value in scope.get("headers", []):
            if key == b"authorization":
                header = value.decode("latin-1")
        kind, _, credentials = header.partition(" ")
        if config.token and kind.lower() == "bearer":
            return hmac.compare_digest(credentials.strip(), config.token)
        if config.username and kind.lower() == "basic":
            expected = f"{config.username}:{config.password or ''}".encode()
            try:
                given = base64.b64decode(credentials.strip(), validate=True)
            except binascii.Error:
                return False
            return hmac.compare_digest(given, expected)
        return False

    def _base(self, scope: Scope) -> str:
        if self.config.public_url:
            return self.config.public_url.rstrip("/")
        host = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), "")
        if not host:
            server = scope.get("server") or ("127.0.0.1", 80)
            host = f"{server[0]}:{server[1]}"
        return f"{scope.get('scheme', 'http')}://{host}" + str(scope.get("root_path", ""))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await answer_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        method = scope["method"]
        raw_path = scope.get("raw_path") or scope["path"].encode()
        raw = raw_path.decode("latin-1").split("?", 1)[0]
        segments = [unquote(s) for s in raw.split("/") if s]
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        if method == "GET" and (segments in ([], ["ui"])) and _wants_html(scope, segments):
            page = await asyncio.to_thread(self.db.retrying, render_index, write=False)
            await send_bytes(send, 200, page.encode(), content_type="text/html; charset=utf-8")
            return
        if any("\x00" in s for s in segments):
            await send_problem(send, 400, "a path segment holds a NUL character (%00)")
            return
        handler, params, kind, known = match(method if method != "HEAD" else "GET", segments)
        if handler is None:
            status = 405 if known else 404
            await send_problem(
                send,
                status,
                f"{method} /{'/'.join(segments)}: "
                + ("method not allowed" if status == 405 else "no such resource"),
            )
            return
        if kind == "write" and not self._authorised(scope):
            await send_problem(
                send,
                401,
                "writing to this broker needs its token",
                [(b"www-authenticate", b'Bearer realm="accord broker"')],
            )
            return
        try:
            data, body = await self._read(scope, receive)
        except BrokerError as exc:
            await send_refusal(send, scope, exc)
            return
        except ClientGone:
            return
        req = Request(
            method,
            segments,
            query,
            body,
            self._base(scope),
            params,
            self.config.allow_contract_modification,
            data,
        )
        check = check_of(handler)
        try:
            if check is not None:
                req.checked = await asyncio.to_thread(check, req)
            status, answer = await asyncio.to_thread(
                self.db.retrying, lambda tx: handler(tx, req), write=kind == "write"
            )
        except BrokerError as exc:
            await send_refusal(send, scope, exc)
            return
        except Unstorable as exc:
            await send_problem(send, 400, str(exc))
            return
        except AccordError as exc:  # the database is unreachable or refused the work
            await send_problem(send, 503, str(exc))
            return
        body_out = b"" if status == 204 else dump_json(answer)
        await send_bytes(send, status, body_out, content_type=HAL)

    async def _read(self, scope: Scope, receive: Receive) -> tuple[bytes, Any]:
        """The body as sent and as JSON (None when empty); a ``BrokerError`` when it is too
        large (413, unread past the limit), declared as another type than JSON (415), or
        not JSON, too deep or not Unicode (400)."""
        declared = next(
            (v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"content-length"),
            None,
        )
        try:
            data = await read_body(receive, self.config.max_body_bytes, declared)
        except BodyTooLarge as exc:
            raise BrokerError(413, str(exc)) from None
        if not data.strip():
            return data, None
        media = next((v for k, v in scope.get("headers", []) if k == b"content-type"), None)
        if media is not None and not is_json_media(media.decode("latin-1")):
            raise BrokerError(  # as the Pact Broker answers a body it does not accept
                415, f"the request body must be application/json, not {media.decode('latin-1')}"
            )
        try:
            body = read_json(data)
        except (JSONError, UnicodeDecodeError) as exc:
            raise BrokerError(400, f"the request body is not JSON: {exc}") from None
        if _SURROGATE.search(data):  # only an escape can spell one in UTF-8 text
            check_text(body)
        return data, body


async def send_refusal(send: Send, scope: Scope, exc: BrokerError) -> None:
    """A refused request's answer, in the form the client asks for, as the Pact Broker
    negotiates it: a problem document whose ``errors`` list each error with its JSON
    ``pointer`` (RFC 9457; for ``Accept: application/problem+json``, ``*/*`` or none), or,
    for a client that names only other types (the Pact CLI asks for
    ``application/hal+json``), the same document with ``errors`` keyed by path, the
    form those clients read and print (pact_broker's ``DryValidationErrorsFormatter``)."""
    if exc.errors and not _accepts_problems(scope):
        body = problem_document(exc.status, exc.detail, errors=keyed_errors(exc.errors))
        await send_bytes(send, exc.status, dump_json(body), content_type=_JSON)
        return
    await send_problem(send, exc.status, exc.detail, errors=exc.errors)


_JSON = "application/json;charset=utf-8"


def _accepts_problems(scope: Scope) -> bool:
    accept = next((v for k, v in scope.get("headers", []) if k == b"accept"), None)
    if accept is None:
        return True
    ranges = {part.split(b";")[0].strip().lower() for part in accept.split(b",")}
    return bool(ranges & {b"application/problem+json", b"*/*", b"application/*", b""})


def keyed_errors(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Errors keyed by path, as the Pact Broker's older clients read them: the path up to
    the first array index, the rest of it and the index in the message
    (``{"contracts": ["consumerName required: ... (at index 0)"]}``)."""
    keyed: dict[str, list[str]] = {}
    for error in errors:
        segments = decode_pointer(str(error.get("pointer") or ""))
        index = next((i for i, s in enumerate(segments) if s.isdigit()), None)
        inner = error.get("pactPointer")
        detail = str(error["detail"])
        if inner and inner != error.get("pointer"):
            detail = f"{inner}: {detail}"
        if index is None:
            key, text = ".".join(segments) or "body", detail
        else:
            rest = "/".join(segments[index + 1 :])
            key = ".".join(segments[:index]) or "body"
            text = f"{rest + ' ' if rest else ''}{detail} (at index {segments[index]})"
        keyed.setdefault(key, []).append(text)
    return keyed


def _wants_html(scope: Scope, segments: list[str]) -> bool:
    if segments == ["ui"]:
        return True
    accept = next((v for k, v in scope.get("headers", []) if k == b"accept"), b"")
    return b"text/html" in accept
