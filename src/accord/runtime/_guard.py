"""An ASGI guard in front of connexion, for what it gets wrong at the edges of a contract.

- a documented path with an undocumented method (``OPTIONS`` included) is a 405 with an
  ``Allow`` header listing exactly the documented methods;
- a JSON body that is not UTF-8, not JSON or nested too deep is a 400 problem (connexion
  answers 500; :func:`accord._json.read_json` reads it);
- a body over ``max_body`` bytes is a 413;
- problem documents keep ``detail`` short enough for the contracts' ``Problem`` schema
  (connexion quotes the whole offending value).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from accord._asgi import BodyTooLarge, ClientGone, read_body, send_problem
from accord._json import DEFAULT_MAX_DEPTH, JSONError, read_json

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
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.max_depth = max_depth
        allowed: dict[str, set[str]] = {}
        for method, path in routes:
            allowed.setdefault(path, set()).add(method.upper())
        self._routes = [
            (
                re.compile(
                    "^"
                    + _PARAM.sub("[^/]+", re.escape(p).replace(r"\{", "{").replace(r"\}", "}"))
                    + "/?$"
                ),
                sorted(m),
            )
            for p, m in allowed.items()
        ]

    def _allowed(self, path: str) -> list[str] | None:
        for regex, methods in self._routes:
            if regex.match(path):
                return methods
        return None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        methods = self._allowed(scope["path"])
        if methods is not None and scope["method"].upper() not in methods:
            allow = ", ".join(methods).encode()
            detail = f"{scope['method']} is not documented for {scope['path']}"
            await send_problem(send, 405, detail, [(b"allow", allow)])
            return
        headers = dict(scope.get("headers") or [])
        ctype = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if ctype == b"application/json" or ctype.endswith(b"+json"):
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
