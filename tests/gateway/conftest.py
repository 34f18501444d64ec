"""A tiny two-service workspace in memory, echo upstreams, tokens and servers on 127.0.0.1."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping
from dataclasses import replace
from typing import Any
from urllib.parse import unquote

import httpx
import jwt
import pytest
import uvicorn

from accord.core import Contract
from accord.gateway import AuthConfig, GatewayApp, GatewayConfig

SECRET = "gateway-test-secret-at-least-32-bytes-long"
ISSUER = "https://auth.test"
AUDIENCE = "shop"

Scope = MutableMapping[str, Any]
ASGI = Callable[[Scope, Any, Any], Awaitable[None]]

ITEM = {
    "type": "object",
    "required": ["name", "qty"],
    "properties": {"name": {"type": "string", "minLength": 1}, "qty": {"type": "integer"}},
    "additionalProperties": False,
}
ALPHA = {
    "openapi": "3.1.0",
    "info": {"title": "alpha", "version": "1"},
    "components": {
        "securitySchemes": {
            "auth": {
                "type": "oauth2",
                "flows": {
                    "clientCredentials": {
                        "tokenUrl": "https://auth.test/token",
                        "scopes": {"items:read": "r", "items:write": "w"},
                    }
                },
            }
        }
    },
    "paths": {
        "/items": {
            "get": {
                "operationId": "listItems",
                "parameters": [
                    {"name": "limit", "in": "query",
                     "schema": {"type": "integer", "minimum": 1, "maximum": 10}},
                    {"name": "tags", "in": "query", "explode": False,
                     "schema": {"type": "array", "items": {"type": "string", "maxLength": 3}}},
                ],
                "responses": {"200": {"description": "ok", "content": {"application/json": {
                    "schema": {"type": "object", "required": ["path"]}}}}},
            },
            "post": {
                "operationId": "createItem",
                "security": [{"auth": ["items:write"]}],
                "requestBody": {"required": True,
                                "content": {"application/json": {"schema": ITEM}}},
                "responses": {"201": {"description": "created"}},
            },
        },
        "/items/{itemId}": {
            "get": {
                "operationId": "getItem",
                "security": [{"auth": ["items:read"]}],
                "parameters": [{"name": "itemId", "in": "path", "required": True,
                                "schema": {"type": "string", "pattern": "^it_[a-z0-9.]+$"}}],
                "responses": {"200": {"description": "ok"}},
            },
            "delete": {
                "operationId": "deleteItem",
                "security": [{"auth": ["items:write"]}],
                "parameters": [{"name": "itemId", "in": "path", "required": True,
                                "schema": {"type": "string"}}],
                "responses": {"204": {"description": "gone"}},
            },
        },
    },
}  # fmt: skip
BETA = {
    "openapi": "3.1.0",
    "info": {"title": "beta", "version": "1"},
    "paths": {
        "/ping": {"get": {"operationId": "ping", "responses": {"200": {"description": "ok"}}}},
        "/slow": {"get": {"operationId": "slow", "responses": {"200": {"description": "ok"}}}},
        "/broken": {"get": {"operationId": "broken", "responses": {"200": {"description": "ok",
            "content": {"application/json": {"schema": {"type": "object",
                                                        "required": ["id"]}}}}}}},
    },
}  # fmt: skip


def contracts() -> dict[str, Contract]:
    return {
        "alpha": Contract.from_dict(ALPHA, name="alpha.yaml"),
        "beta": Contract.from_dict(BETA, name="beta.yaml"),
    }


#: longer than any whole test run (CI allows 90 minutes)
SUITE = 6 * 3600


def token(
    scope: str = "items:read items:write",
    *,
    key: Any = SECRET,
    alg: str = "HS256",
    kid: str | None = None,
    **claims: Any,
) -> str:
    now = int(time.time())
    # tokens made in parametrize lists exist from collection on: they outlive the whole suite
    payload = {"sub": "alice", "iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + SUITE}
    payload |= {"scope": scope, **claims}
    return jwt.encode(payload, key, algorithm=alg, headers={"kid": kid} if kid else None)


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


def config(**overrides: Any) -> GatewayConfig:
    base = GatewayConfig(
        upstreams={"alpha": "http://alpha.test", "beta": "http://beta.test"},
        auth=AuthConfig(issuer=ISSUER, audience=AUDIENCE, algorithms=("HS256",), secret=SECRET),
    )
    return replace(base, **overrides)


class Echo:
    """An upstream that answers every request with what it received (and remembers it)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.seen: list[dict[str, Any]] = []

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        seen = {
            "service": self.name,
            "method": scope["method"],
            "path": scope["path"],
            "raw_path": scope["raw_path"].decode(),
            "query": scope["query_string"].decode(),
            "headers": {k.decode(): v.decode() for k, v in scope["headers"]},
            "header_names": [k.decode() for k, _ in scope["headers"]],
            "body": body.decode(),
        }
        self.seen.append(seen)
        status = 200
        if scope["path"] == "/slow":
            await asyncio.sleep(2.0)
        if scope["path"] == "/broken":
            seen = {"no_id": True}
        payload = json.dumps(seen).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(payload)).encode()),
            (b"x-request-id", b"upstream-lie"),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def gateway(
    cfg: GatewayConfig | None = None, upstreams: Mapping[str, Any] | None = None
) -> tuple[GatewayApp, dict[str, Echo]]:
    """The gateway over the two contracts, its upstreams in-process (echo apps by default)."""
    echoes = {"alpha": Echo("alpha"), "beta": Echo("beta")}
    apps: dict[str, Any] = {**echoes, **(upstreams or {})}
    transports = {n: httpx.ASGITransport(app=a) for n, a in apps.items()}
    return GatewayApp(contracts(), cfg or config(), transports=transports), echoes


def run(app: GatewayApp, *requests: tuple[str, str, dict[str, Any]]) -> list[httpx.Response]:
    """Send ``(method, url, kwargs)`` requests to the gateway one after the other."""

    async def go() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, client=("10.0.0.7", 5000))
        async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as client:
            try:
                return [await client.request(m, u, **kw) for m, u, kw in requests]
            finally:
                await app.aclose()

    return asyncio.run(go())


def one(app: GatewayApp, method: str, url: str, **kwargs: Any) -> httpx.Response:
    return run(app, (method, url, kwargs))[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """An ASGI app served by uvicorn in a thread on a free 127.0.0.1 port."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        cfg = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                             lifespan="off")  # fmt: skip
        self.server = uvicorn.Server(cfg)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture
def echo_server() -> Iterator[tuple[Server, Echo]]:
    echo = Echo("beta")
    with Server(echo) as server:
        yield server, echo


def raw_call(
    app: GatewayApp, method: str, raw_path: bytes, headers: Mapping[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Call the ASGI app with ``raw_path`` exactly as a server would pass it (no client
    normalises it first); ``path`` is its percent-decoding, as uvicorn computes it."""
    sent: list[MutableMapping[str, Any]] = []
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": method,
        "scheme": "http", "path": unquote(raw_path.decode("latin-1")), "raw_path": raw_path,
        "query_string": b"", "root_path": "", "client": ("10.0.0.7", 5000),
        "server": ("gw.test", 80),
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
    }  # fmt: skip

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    async def go() -> None:
        try:
            await app(scope, receive, send)
        finally:
            await app.aclose()

    asyncio.run(go())
    start = sent[0]
    head = {k.decode(): v.decode() for k, v in start["headers"]}
    return int(start["status"]), head, b"".join(m.get("body", b"") for m in sent[1:])
