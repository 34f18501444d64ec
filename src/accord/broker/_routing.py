"""The request plumbing of ``accord broker``: its configuration, a request, the routes."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from accord.broker._db import Transaction

__all__ = [
    "BODY_LIMIT",
    "HAL",
    "BrokerConfig",
    "Check",
    "Handler",
    "Request",
    "check_of",
    "match",
    "q",
    "route",
]

HAL = "application/hal+json;charset=utf-8"
BODY_LIMIT = 16 * 1024 * 1024


@dataclass(slots=True, frozen=True)
class BrokerConfig:
    """How a broker answers: who may write, and whether a version's pact may change."""

    token: str | None = None
    username: str | None = None
    password: str | None = None
    allow_contract_modification: bool = False
    public_url: str | None = None  # the base of every link (default: from the Host header)
    max_body_bytes: int = BODY_LIMIT  # a larger request body is refused (413) unread


@dataclass(slots=True)
class Request:
    method: str
    segments: list[str]
    query: list[tuple[str, str]]
    body: Any
    base: str
    params: dict[str, str] = field(default_factory=dict)
    allow_overwrite: bool = False  # --allow-contract-modification
    raw: bytes = b""  # the body as sent (pacts are checked, and located, in it)
    checked: Any = None  # what the route's check made of the body

    @property
    def path(self) -> str:
        return "/" + "/".join(q(s) for s in self.segments)


Handler = Callable[[Transaction, Request], tuple[int, Any]]
#: reads and checks a request before its transaction (no lock held); what it returns is
#: the handler's ``req.checked``, and a ``BrokerError`` it raises is the answer
Check = Callable[[Request], Any]
_ROUTES: list[tuple[str, re.Pattern[str], str, Handler]] = []
_CHECKS: dict[Handler, Check] = {}


def route(method: str, pattern: str, *, check: Check | None = None) -> Callable[[Handler], Handler]:
    """Register a handler; ``{name}`` matches one path segment (percent-decoded)."""
    regex = re.compile(
        "^" + re.sub(r"\{(\w+)\}", lambda g: f"(?P<{g.group(1)}>[^/]+)", pattern) + "$"
    )

    def register(handler: Handler) -> Handler:
        _ROUTES.append((method, regex, "write" if method != "GET" else "read", handler))
        if check is not None:
            _CHECKS[handler] = check
        return handler

    return register


def check_of(handler: Handler) -> Check | None:
    """The check registered with ``handler``, if any."""
    return _CHECKS.get(handler)


def q(value: str) -> str:
    return quote(value, safe="")


def match(method: str, segments: list[str]) -> tuple[Handler | None, dict[str, str], str, bool]:
    """(handler, path parameters, "read"/"write", whether the path exists for some method)."""
    path = "/" + "/".join(s.replace("/", "\x00") for s in segments)
    known = False
    for verb, regex, kind, handler in _ROUTES:
        found = regex.match(path)
        if found is None:
            continue
        known = True
        if verb == method:
            params = {k: v.replace("\x00", "/") for k, v in found.groupdict().items()}
            return handler, params, kind, True
    return None, {}, "", known
