"""An ASGI guard in front of connexion, for what it gets wrong at the edges of a contract.

- a documented path with an undocumented method (``OPTIONS`` included) is a 405 with an
  ``Allow`` header listing exactly the documented methods;
- a JSON body that is not UTF-8, not JSON or nested too deep is a 400 problem (connexion
  answers 500; :func:`accord._json.read_json` reads it);
- a request ``Content-Type`` is read as the mock and the gateway read it
  (:mod:`accord._media`): a malformed one is a 400, one no documented key takes a 415, and
  one a key takes (``Application/JSON ; charset=utf-8``, ``application/vnd.x+json`` for
  ``application/json``) reaches connexion as that key, whose exact-string lookup would
  otherwise answer 415 or pick no schema;
- a body over ``max_body`` bytes is a 413;
- problem documents keep ``detail`` short enough for the contracts' ``Problem`` schema
  (connexion quotes the whole offending value).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from accord._asgi import BodyTooLarge, ClientGone, read_body, send_problem
from accord._json import DEFAULT_MAX_DEPTH, JSONError, read_json
from accord._media import is_json_media, parse_content_type, select_media

__all__ = ["ContractGuard"]

PROBLEM = b"application/problem+json"
_PARAM = re.compile(r"\{[^{}/]+\}")
_DETAIL_MAX = 1000


class ContractGuard:
    def __init__(
        self,
        app: Any,
        routes: Iterable[tuple[str, str]],
        *,
        max_body: int = 1 << 20,
        max_depth: int = DEFAULT_MAX_DEPTH,
        bodies: Mapping[tuple[str, str], Sequence[str]] | None = None,
    ) -> None:
        """``bodies`` maps ``(METHOD, path template)`` to its request body's content keys."""
        self.app = app
        self.max_body = max_body
        self.max_depth = max_depth
        allowed: dict[str, set[str]] = {}
        for method, path in routes:
            allowed.setdefault(path, set()).add(method.upper())
        content: dict[str, dict[str, dict[str, None]]] = {}
        for (method, path), keys in (bodies or {}).items():
            content.setdefault(path, {})[method.upper()] = dict.fromkeys(keys)
        self._routes = [
            (
                re.compile(
                    "^"
                    + _PARAM.sub("[^/]+", re.escape(p).replace(r"\{", "{").replace(r"\}", "}"))
                    + "/?$"
                ),
                sorted(m),
                content.get(p, {}),
            )
            for p, m in allowed.items()
        ]

    def _route(self, path: str) -> tuple[list[str], dict[str, dict[str, None]]] | None:
        for regex, methods, content in self._routes:
            if regex.match(path):
                return methods, content
        return None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = self._route(scope["path"])
        method = scope["method"].upper()
        if route is not None and method not in route[0]:
            allow = ", ".join(route[0]).encode()
            detail = f"{scope['method']} is not documented for {scope['path']}"
            await send_problem(send, 405, detail, [(b"allow", allow)])
            return
        headers = dict(scope.get("headers") or [])
        raw_type = headers.get(b"content-type")
        ctype = None if raw_type is None else raw_type.decode("latin-1")
        content = route[1].get(method) if route is not None else None
        if content and _announces_body(headers):  # read as the mock and the gateway read it
            chosen = _content_type(content, ctype)
            if isinstance(chosen, tuple):
                await send_problem(send, *chosen)
                return
            if chosen is not None and chosen != ctype:
                scope = {**scope, "headers": _with_content_type(scope, chosen)}
        if ctype is not None and is_json_media(ctype):
            try:
                body = await read_body(receive, self.max_body)
            except BodyTooLarge:
                await send_problem(send, 413, f"bodies are limited to {self.max_body} bytes")
                return
            except ClientGone:
                return
            if body:
                try:
                    read_json(body, max_depth=self.max_depth)
                except JSONError as exc:
                    await send_problem(send, 400, f"the request body is {exc}")
                    return
            replayed = False

            async def replay() -> dict[str, Any]:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": body, "more_body": False}
                message: dict[str, Any] = await receive()
                return message

            await self.app(scope, replay, _ShortProblems(send))
            return
        await self.app(scope, receive, _ShortProblems(send))


def _announces_body(headers: Mapping[bytes, bytes]) -> bool:
    """Whether the request says a body follows (RFC 9112 §6.3: a Content-Length above 0 or
    a Transfer-Encoding); the body itself is streamed on, not read here."""
    length = headers.get(b"content-length", b"").strip()
    return b"transfer-encoding" in headers or (length.isdigit() and int(length) > 0)


def _content_type(content: Mapping[str, None], ctype: str | None) -> str | tuple[int, str] | None:
    """The Content-Type connexion is to see (the documented key the header falls under, with
    the header's charset), or the (status, detail) of the problem to answer."""
    sent = None if ctype is None else parse_content_type(ctype)
    if ctype is not None and sent is None:
        return 400, f"the Content-Type {ctype[:200]!r} is not a media type"
    key = select_media({k: k for k in content}, ctype)
    if key is None:
        shown = ctype[:200] if ctype is not None else "(none)"
        return 415, f"content type {shown!r} is not accepted (declared: {', '.join(content)})"
    documented = parse_content_type(key)
    if documented is not None and documented.subtype in ("*",) and sent is not None:
        key = sent.essence  # type/* and */*: connexion's fnmatch finds the same key
    charset = dict(sent.params).get("charset") if sent is not None else None
    return key if charset is None or ";" in key else f"{key}; charset={charset}"


def _with_content_type(scope: Mapping[str, Any], value: str) -> list[tuple[bytes, bytes]]:
    kept = [(k, v) for k, v in scope.get("headers") or [] if k.lower() != b"content-type"]
    return [*kept, (b"content-type", value.encode("latin-1"))]


class _ShortProblems:
    """Buffers problem+json responses and trims an overlong ``detail``."""

    def __init__(self, send: Any) -> None:
        self.send = send
        self.start: dict[str, Any] | None = None
        self.chunks: list[bytes] = []

    async def __call__(self, message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            headers = dict(message.get("headers") or [])
            if headers.get(b"content-type", b"").startswith(PROBLEM):
                self.start = message
                return
        elif message["type"] == "http.response.body" and self.start is not None:
            self.chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = b"".join(self.chunks)
            try:
                problem = json.loads(body)
                if isinstance(problem, dict) and len(str(problem.get("detail", ""))) > _DETAIL_MAX:
                    problem["detail"] = str(problem["detail"])[: _DETAIL_MAX - 3] + "..."
                    body = json.dumps(problem).encode()
            except ValueError:
                pass
            kept = [(k, v) for k, v in self.start["headers"] if k.lower() != b"content-length"]
            kept.append((b"content-length", str(len(body)).encode()))
            await self.send({**self.start, "headers": kept})
            await self.send({"type": "http.response.body", "body": body})
            return
        await self.send(message)
