"""Upstreams: one pooled ``httpx.AsyncClient`` and one circuit breaker per service.

A request that cannot connect is retried once when its method is idempotent;
timeouts and refused connections count as failures, and after
``failures`` in a row the breaker opens: requests are refused at once (503)
until ``cooldown`` has passed, then a single probe decides whether it closes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from accord.gateway._config import BreakerConfig

__all__ = ["Breaker", "Upstream", "UpstreamError"]

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


class UpstreamError(Exception):
    """The upstream could not answer: ``status`` is 502, 503 or 504."""

    def __init__(self, status: int, detail: str, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.retry_after = retry_after


@dataclass(slots=True)
class Breaker:
    """closed -> (``failures`` in a row) open -> (``cooldown``) half-open -> closed or open."""

    config: BreakerConfig
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    probing: bool = False

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half-open" if self.clock() - self.opened_at >= self.config.cooldown else "open"

    def admit(self) -> int | None:
        """None when a request may go; else the seconds until a probe will be allowed."""
        if self.opened_at is None:
            return None
        waited = self.clock() - self.opened_at
        if waited < self.config.cooldown:
            return max(1, round(self.config.cooldown - waited))
        if self.probing:
            return 1
        self.probing = True
        return None

    def success(self) -> None:
        self.failures, self.opened_at, self.probing = 0, None, False

    def failure(self) -> None:
        self.failures += 1
        if self.probing or self.failures >= self.config.failures:
            self.opened_at = self.clock()
        self.probing = False


class Upstream:
    """One service behind the gateway."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        connect_timeout: float,
        read_timeout: float,
        breaker: BreakerConfig,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.url = url
        timeout = httpx.Timeout(read_timeout, connect=connect_timeout)
        self.client = httpx.AsyncClient(
            base_url=url,
            timeout=timeout,
            transport=transport,
            limits=httpx.Limits(max_connections=200, max_keepalive_connections=50),
            follow_redirects=False,
            trust_env=False,
        )
        self.breaker = Breaker(breaker)

    async def send(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> httpx.Response:
        """Send one request (``target`` is the raw path and query) and read the whole answer."""
        wait = self.breaker.admit()
        if wait is not None:
            raise UpstreamError(503, f"{self.name} is unavailable (circuit open)", wait)
        attempts = 2 if method in IDEMPOTENT else 1
        for attempt in range(attempts):
            request = self.client.build_request(method, target, headers=headers, content=body)
            try:
                response = await self.client.send(request)
                await response.aread()
            except httpx.ConnectTimeout:
                failure = UpstreamError(504, f"{self.name} did not accept the connection in time")
            except httpx.ConnectError:
                failure = UpstreamError(502, f"{self.name} refused the connection")
            except httpx.TimeoutException:
                self.breaker.failure()
                raise UpstreamError(504, f"{self.name} did not answer in time") from None
            except httpx.TransportError as exc:
                self.breaker.failure()
                raise UpstreamError(502, f"{self.name} failed: {type(exc).__name__}") from None
            else:
                self.breaker.success()
                return response
            if attempt + 1 == attempts:
                self.breaker.failure()
                raise failure
        raise AssertionError("unreachable")  # pragma: no cover

    async def healthy(self, timeout: float) -> bool:
        """True when the upstream's ``/healthz`` answers (below 500) within ``timeout`` seconds."""
        try:
            response = await self.client.get("/healthz", timeout=timeout)
        except httpx.HTTPError:
            return False
        return response.status_code < 500  # a mock without /healthz still answers

    async def aclose(self) -> None:
        await self.client.aclose()
