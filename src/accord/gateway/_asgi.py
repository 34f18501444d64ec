"""The per-request :class:`Exchange`, and problem+json answers (types from :mod:`accord._asgi`)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from accord._asgi import (
    PROBLEM_JSON,
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    problem_document,
    send_bytes,
)
from accord._json import dump_json
from accord.core import Match

__all__ = [
    "ASGIApp",
    "Exchange",
    "Message",
    "Receive",
    "Scope",
    "Send",
    "exchange_of",
    "send_bytes",
    "send_problem",
]

#: where the :class:`Exchange` of a request lives in its ASGI scope
SCOPE_KEY = "accord.gateway"


@dataclass(slots=True)
class Exchange:
    """What the gateway learns about one request as it passes the steps."""

    method: str
    path: str
    headers: dict[str, str]
    client: str
    started: float = field(default_factory=time.perf_counter)
    request_id: str = ""
    traceparent: str = ""
    service: str | None = None
    match: Match | None = None
    subject: str | None = None
    scopes: tuple[str, ...] = ()
    #: a credential was verified (else the request is anonymous); the ``Authorization``
    #: header was part of it (only then is it forwarded)
    authenticated: bool = False
    authorization_verified: bool = False
    body: bytes = b""
    status: int = 0
    #: headers every answer carries (request id, rate-limit state)
    extra_headers: list[tuple[bytes, bytes]] = field(default_factory=list)

    @property
    def operation_id(self) -> str | None:
        return self.match.operation.name if self.match else None

    @classmethod
    def from_scope(cls, scope: Scope) -> Exchange:
        headers: dict[str, str] = {}
        for name, value in scope.get("headers") or ():
            key = name.decode("latin-1").lower()
            text = value.decode("latin-1")
            headers[key] = f"{headers[key]}, {text}" if key in headers else text
        client = scope.get("client")
        return cls(
            method=str(scope.get("method", "GET")).upper(),
            path=str(scope.get("path", "/")),
            headers=headers,
            client=str(client[0]) if client else "unknown",
        )


def exchange_of(scope: Scope) -> Exchange:
    """The :class:`Exchange` of the request (created by the first step that asks)."""
    found = scope.get(SCOPE_KEY)
    if not isinstance(found, Exchange):
        found = Exchange.from_scope(scope)
        scope[SCOPE_KEY] = found
    return found


async def send_problem(
    send: Send,
    ex: Exchange,
    status: int,
    detail: str,
    *,
    errors: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Answer with an RFC 9457 problem document (``errors`` lists ``{pointer, message}``)."""
    problem = problem_document(status, detail, errors=errors, request_id=ex.request_id or None)
    raw = [(b"content-type", PROBLEM_JSON.encode())]
    raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in (headers or {}).items()]
    raw += ex.extra_headers
    ex.status = status
    await send_bytes(send, status, dump_json(problem), raw)
