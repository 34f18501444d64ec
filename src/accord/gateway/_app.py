"""The gateway: one ASGI app in front of every service of a workspace."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Self

import httpx

from accord.core import Contract
from accord.gateway._asgi import ASGIApp, Receive, Scope, Send
from accord.gateway._auth import Authenticator, plan_security
from accord.gateway._config import GatewayConfig
from accord.gateway._observe import Observe
from accord.gateway._proxy import Proxy
from accord.gateway._ratelimit import Limiter, MemoryLimiter
from accord.gateway._routing import RouteTable
from accord.gateway._steps import (
    Authenticate,
    Health,
    Limit,
    ReadBody,
    Router,
    Screen,
    Validate,
)
from accord.gateway._upstream import Upstream
from accord.workspace import Workspace

__all__ = ["GatewayApp"]

logger = logging.getLogger("accord.gateway")


class GatewayApp:
    """A pure ASGI reverse proxy whose routes, checks and security come from the contracts.

    Requests pass through ordered steps (see ``accord.gateway._steps``);
    ``transports`` replace the network for named upstreams (tests use
    ``httpx.ASGITransport``); ``limiter`` holds the rate-limit buckets (default:
    in memory; ``RedisLimiter`` shares them between instances). Close it with
    ``await app.aclose()`` or let the ASGI lifespan do it.
    """

    def __init__(
        self,
        contracts: Mapping[str, Contract],
        config: GatewayConfig,
        *,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        limiter: Limiter | None = None,
    ) -> None:
        missing = sorted(set(contracts) - set(config.upstreams))
        if missing:
            raise ValueError(f"no upstream URL for {', '.join(missing)}")
        self.config = config
        self.contracts = dict(contracts)
        self.table = RouteTable(self.contracts)
        self.upstreams = {
            name: Upstream(
                name,
                config.upstreams[name],
                connect_timeout=config.connect_timeout,
                read_timeout=config.read_timeout,
                breaker=config.breaker,
                transport=(transports or {}).get(name),
                health=config.health.get(name, "/healthz"),
            )
            for name in self.contracts
        }
        self.limiter: Limiter = limiter or MemoryLimiter()
        self.authenticator = Authenticator(config.auth)
        self._warn_unusable_schemes()
        self._app = self._build()

    @classmethod
    def from_workspace(
        cls,
        workspace: Workspace,
        config: GatewayConfig | None = None,
        *,
        transports: Mapping[str, httpx.AsyncBaseTransport] | None = None,
        limiter: Limiter | None = None,
    ) -> Self:
        """A gateway for every service of ``workspace`` (settings from its ``accord.yaml``)."""
        config = config or GatewayConfig.from_workspace(workspace)
        contracts = {name: workspace.contract(name) for name in workspace.services}
        return cls(contracts, config, transports=transports, limiter=limiter)

    def _build(self) -> ASGIApp:
        config = self.config
        app: ASGIApp = Proxy(self.upstreams, self.contracts, config.validate_responses)
        if config.validate_requests:
            app = Validate(app, self.contracts)
        app = ReadBody(app, config.max_body_bytes)
        app = Limit(app, config, self.limiter)
        app = Authenticate(app, self.table, self.authenticator)
        app = Router(app, self.table)
        if config.unauthenticated_limit is not None:
            app = Screen(app, config.unauthenticated_limit, self.limiter)
        app = Health(app, self.upstreams, config.ready_timeout)
        return Observe(app)

    def _warn_unusable_schemes(self) -> None:
        """Say at start which operations have security the gateway cannot check (their
        requests get a 401 for those schemes), instead of letting them pass unchecked."""
        found: dict[str, list[str]] = {}
        for contract in self.contracts.values():
            for operation in contract.operations:
                for scheme in self.authenticator.unusable(plan_security(contract, operation)):
                    found.setdefault(scheme, []).append(operation.name)
        for scheme, names in sorted(found.items()):
            logger.warning(
                "the gateway cannot check security scheme %s: requests that rely on it get "
                "401 (operations: %s)",
                scheme,
                ", ".join(sorted(names)),
            )

    def warm(self) -> int:
        """Compile every validator now (servers call this at start); returns how many."""
        return sum(contract.compile_all() for contract in self.contracts.values())

    async def aclose(self) -> None:
        """Close every upstream's connection pool and the limiter."""
        for upstream in self.upstreams.values():
            await upstream.aclose()
        await self.limiter.aclose()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._app(scope, receive, send)
        elif kind == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await self.aclose()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
