"""The request pipeline, one small ASGI step per concern, in the order they run.

``Observe`` -> ``Health`` -> ``Screen`` -> ``Route`` -> ``Authenticate`` -> ``Limit`` ->
``ReadBody`` -> ``Validate`` -> ``Proxy`` (in ``_proxy.py``). Each step reads and
fills the request's :class:`~accord.gateway._asgi.Exchange` in the ASGI scope,
and either answers or hands on to the next one.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections import OrderedDict
from collections.abc import Mapping
from urllib.parse import parse_qsl

from accord.core import Contract, ParameterSpec, compile_parameters, path_as_sent
from accord.gateway._asgi import (
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    exchange_of,
    send_bytes,
    send_problem,
)
from accord.gateway._auth import (
    Authenticator,
    AuthError,
    Credentials,
    SecurityPlan,
    plan_security,
)
from accord.gateway._config import GatewayConfig, RateLimit
from accord.gateway._ratelimit import Limiter
from accord.gateway._routing import Route, RouteTable, check_path
from accord.gateway._upstream import Upstream
from accord.gateway._validate import check_body, check_parameters

__all__ = ["Authenticate", "Health", "Limit", "ReadBody", "Router", "Screen", "Validate"]


class Health:
    """``/healthz`` (the gateway runs) and ``/readyz`` (every upstream's health path answers)."""

    def __init__(self, app: ASGIApp, upstreams: Mapping[str, Upstream], timeout: float) -> None:
        self.app = app
        self.upstreams = upstreams
        self.timeout = timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = exchange_of(scope)
        if ex.path not in ("/healthz", "/readyz") or ex.method not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        status, body = 200, {"status": "ok"}
        if ex.path == "/readyz":
            names = list(self.upstreams)
            checks = [self.upstreams[n].healthy(self.timeout) for n in names]
            results = dict(zip(names, await asyncio.gather(*checks), strict=True))
            ready = all(results.values())
            status = 200 if ready else 503
            body = {"status": "ready" if ready else "not ready"}
            body.update({n: "up" if ok else "down" for n, ok in results.items()})
        ex.status = status
        raw = json.dumps(body).encode()
        headers = [(b"content-type", b"application/json"), *ex.extra_headers]
        await send_bytes(send, status, raw, headers)


class Screen:
    """Per client address, before routing or authentication: 429 with ``Retry-After``.

    Requests that end anonymous or with a 401/403 spend from the address's bucket (in the
    limiter, so instances sharing Redis share it). When a bucket runs dry, the address is
    refused *here*, before any credential is looked at, until a token is back; that
    deadline is kept in the process, so authenticated traffic, which spends nothing here
    (its limits come after authentication, in :class:`Limit`), costs no limiter call. An
    instance sharing the bucket learns of an exhausted one at its next charge.
    """

    def __init__(
        self, app: ASGIApp, limit: RateLimit, limiter: Limiter, max_addresses: int = 100_000
    ) -> None:
        self.app = app
        self.limit = limit
        self.limiter = limiter
        self.max_addresses = max_addresses
        self._refused_until: OrderedDict[str, float] = OrderedDict()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = exchange_of(scope)
        until = self._refused_until.get(ex.client)
        if until is not None:
            wait = until - time.monotonic()
            if wait > 0:
                detail = (
                    f"too many anonymous or failed requests from {ex.client} "
                    f"(limit {self.limit.rate:g}/s, burst {self.limit.burst})"
                )
                headers = {"Retry-After": str(max(1, math.ceil(wait)))}
                await send_problem(send, ex, 429, detail, headers=headers)
                return
            del self._refused_until[ex.client]
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        await self.app(scope, receive, watch)
        if status in (401, 403) or not ex.authenticated:
            decision = await self.limiter.acquire(f"unauthenticated|{ex.client}", self.limit)
            if not decision.allowed or decision.remaining < 1:
                # dry: refuse until one token is back (at most 1/rate seconds away)
                self._refused_until[ex.client] = time.monotonic() + 1.0 / self.limit.rate
                if len(self._refused_until) > self.max_addresses:
                    self._refused_until.popitem(last=False)


class Router:
    """Refuses path tricks, then finds the operation: 400, 404, 405 with ``Allow``."""

    def __init__(self, app: ASGIApp, table: RouteTable) -> None:
        self.app = app
        self.table = table

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = exchange_of(scope)
        raw = scope.get("raw_path") or str(scope.get("path", "/")).encode()
        path, reason = check_path(bytes(raw).partition(b"?")[0])
        if reason is not None:
            await send_problem(send, ex, 400, f"path refused: {reason}")
            return
        found = self.table.find(ex.method, path)
        twin: str | None = None
        if isinstance(found, Route):
            template = found.match.operation.path
            if path != "/" and path.endswith("/") != template.endswith("/"):
                twin = path + "/" if template.endswith("/") else path.rstrip("/")
        elif not found:
            twin = self.table.slash_twin(ex.method, path)
        if twin is not None:
            # the contract documents the path with (or without) a trailing slash: say where,
            # relative to this origin, instead of letting the upstream answer with its own URL
            location = _twin_raw(bytes(raw).partition(b"?")[0], twin)
            query = bytes(scope.get("query_string") or b"")
            if query:
                location += b"?" + query
            detail = f"{path} is not documented; {twin} is"
            headers = {"Location": location.decode("latin-1")}
            await send_problem(send, ex, 308, detail, headers=headers)
        elif isinstance(found, Route):
            ex.service, ex.match = found.service, found.match
            await self.app(scope, receive, send)
        elif found:
            allow = ", ".join(found)
            detail = f"{ex.method} is not allowed on {path} (allowed: {allow})"
            await send_problem(send, ex, 405, detail, headers={"Allow": allow})
        else:
            await send_problem(send, ex, 404, f"no service declares {path}")


def _twin_raw(raw: bytes, twin: str) -> bytes:
    """The raw path with its trailing slash added or removed, as ``twin`` is."""
    return raw + b"/" if twin.endswith("/") else raw.rstrip(b"/")


class Authenticate:
    """Checks the credentials the operation's ``security`` asks for: 401, 403."""

    def __init__(self, app: ASGIApp, table: RouteTable, authenticator: Authenticator) -> None:
        self.app = app
        self.table = table
        self.authenticator = authenticator
        self._plans: dict[tuple[str, str, str], SecurityPlan] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = exchange_of(scope)
        assert ex.match is not None and ex.service is not None
        operation = ex.match.operation
        key = (ex.service, operation.method, operation.path)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = plan_security(self.table.contracts[ex.service], operation)
        if not plan.public:
            query = bytes(scope.get("query_string") or b"").decode("latin-1")
            credentials = Credentials(ex.headers, dict(parse_qsl(query)))
            try:
                outcome = await self.authenticator.authenticate(plan, credentials)
            except AuthError as exc:
                headers = {"WWW-Authenticate": exc.challenge}
                await send_problem(send, ex, exc.status, exc.detail, headers=headers)
                return
            ex.subject, ex.scopes = outcome.subject, tuple(sorted(outcome.scopes))
            ex.authenticated = outcome.authenticated
            ex.authorization_verified = outcome.authorization_verified
        await self.app(scope, receive, send)


class Limit:
    """Token bucket per subject (or client address): 429 with ``Retry-After``."""

    def __init__(self, app: ASGIApp, config: GatewayConfig, limiter: Limiter) -> None:
        self.app = app
        self.config = config
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = exchange_of(scope)
        assert ex.match is not None and ex.service is not None
        limits = self.config.limits
        operation = ex.match.operation.name
        if operation in limits:
            key, limit = f"op:{operation}", limits[operation]
        elif ex.service in limits:
            key, limit = f"svc:{ex.service}", limits[ex.service]
        elif self.config.rate_limit is not None:
            key, limit = "all", self.config.rate_limit
        else:
            await self.app(scope, receive, send)
            return
        who = f"sub:{ex.subject}" if ex.subject else f"addr:{ex.client}"
        decision = await self.limiter.acquire(f"{key}|{who}", limit)
        ex.extra_headers.extend(decision.headers())
        if not decision.allowed:
            detail = f"rate limit of {limit.rate:g}/s (burst {limit.burst}) exceeded"
            await send_problem(send, ex, 429, detail)
            return
        await self.app(scope, receive, send)


class ReadBody:
    """Reads the whole request body (413 above ``max_bytes``)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = exchange_of(scope)
        declared = ex.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await send_problem(send, ex, 413, f"the body is larger than {self.max_bytes} bytes")
            return
        chunks: list[bytes] = []
        size, more = 0, True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = bytes(message.get("body") or b"")
            size += len(chunk)
            if size > self.max_bytes:
                await send_problem(send, ex, 413, f"the body is larger than {self.max_bytes} bytes")
                return
            chunks.append(chunk)
            more = bool(message.get("more_body"))
        ex.body = b"".join(chunks)
        await self.app(scope, receive, send)


class Validate:
    """Checks parameters (400) and the JSON body (415, 400, 422) against the contract."""

    def __init__(self, app: ASGIApp, contracts: Mapping[str, Contract]) -> None:
        self.app = app
        self.contracts = contracts
        #: each operation's parameters, compiled on first use: (service, method, path) -> specs
        self._specs: dict[tuple[str, str, str], list[ParameterSpec]] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        ex = exchange_of(scope)
        assert ex.match is not None and ex.service is not None
        contract, operation = self.contracts[ex.service], ex.match.operation
        key = (ex.service, operation.method, operation.path)
        specs = self._specs.get(key)
        if specs is None:
            specs = self._specs[key] = compile_parameters(contract, operation)
        query = bytes(scope.get("query_string") or b"")
        raw = scope.get("raw_path")
        sent = path_as_sent(raw, operation.path) if isinstance(raw, bytes) else None
        problem = check_parameters(
            contract, specs, ex.match.path_params, query, ex.headers, path_sent=sent
        )
        if problem is None:
            content_type = ex.headers.get("content-type")
            problem = check_body(contract, operation, content_type, ex.body)
        if problem is not None:
            status, detail, errors = problem
            await send_problem(send, ex, status, detail, errors=errors)
            return
        await self.app(scope, receive, send)
