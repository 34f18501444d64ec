"""Upstreams: one pooled HTTP client and one circuit breaker per service.

The network is reached with aiohttp: its C HTTP parser costs a fraction of
httpx's pure-Python stack per request, which is most of a proxy's own latency
(see ``benchmarks/bench_gateway.py``). An ``httpx`` transport can stand in for
the network of a named upstream (tests and in-process use pass
``httpx.ASGITransport`` or ``httpx.MockTransport``).

A request that cannot connect is retried once when its method is idempotent;
timeouts and refused connections count as failures, and after
``failures`` in a row the breaker opens: requests are refused at once (503)
until ``cooldown`` has passed, then a single probe decides whether it closes.
"""

from __future__ import annotations

import asyncio
import enum
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import aiohttp
import httpx
import yarl

from accord.gateway._config import BreakerConfig

__all__ = ["Answer", "Breaker", "Upstream", "UpstreamError"]

IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})
#: below uvicorn's 5 s keep-alive, so a pooled connection is dropped before the server drops it
KEEPALIVE_S = 4.0
#: headers aiohttp would add on its own; a proxy sends only what the client sent
_NOT_ADDED = ("User-Agent", "Accept", "Accept-Encoding", "Content-Type")


class UpstreamError(Exception):
    """The upstream could not answer: ``status`` is 502, 503 or 504."""

    def __init__(self, status: int, detail: str, retry_after: int | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.retry_after = retry_after


@dataclass(slots=True, frozen=True)
class Answer:
    """An upstream's whole response (the body already decoded from any content coding)."""

    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes

    def header(self, name: bytes) -> str:
        """The first value of header ``name`` (lower case), or ``""``."""
        for key, value in self.headers:
            if key.lower() == name:
                return value.decode("latin-1")
        return ""


class _Failure(enum.Enum):
    CONNECT = "connect"
    CONNECT_TIMEOUT = "connect timeout"
    READ_TIMEOUT = "read timeout"
    BROKEN = "broken"


class _Failed(Exception):
    def __init__(self, kind: _Failure, detail: str = "") -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


class _Client(Protocol):
    async def send(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes,
        timeout: float | None = None,
    ) -> Answer: ...

    async def aclose(self) -> None: ...


class _Network:
    """The real network, through one aiohttp session (and connection pool)."""

    def __init__(self, url: str, connect_timeout: float, read_timeout: float) -> None:
        self.base = url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(sock_connect=connect_timeout, sock_read=read_timeout)
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def _open(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            connector = aiohttp.TCPConnector(limit=200, keepalive_timeout=KEEPALIVE_S)
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=self.timeout,
                cookie_jar=aiohttp.DummyCookieJar(),
                skip_auto_headers=_NOT_ADDED,
                trust_env=False,
            )
            self._loop = loop
        return self._session

    async def send(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes,
        timeout: float | None = None,
    ) -> Answer:
        url = yarl.URL(self.base + target, encoded=True)  # the raw path, exactly as received
        session = self._open()
        # aiohttp reads `timeout=None` as "no timeout at all"
        limits = self.timeout if timeout is None else aiohttp.ClientTimeout(total=timeout)
        try:
            async with session.request(
                method,
                url,
                headers=headers,
                data=body or None,
                allow_redirects=False,
                timeout=limits,
            ) as response:
                return Answer(response.status, list(response.raw_headers), await response.read())
        except aiohttp.ConnectionTimeoutError:
            raise _Failed(_Failure.CONNECT_TIMEOUT) from None
        except aiohttp.ClientConnectorError:
            raise _Failed(_Failure.CONNECT) from None
        except (aiohttp.ServerTimeoutError, TimeoutError):
            raise _Failed(_Failure.READ_TIMEOUT) from None
        except aiohttp.ClientError as exc:
            raise _Failed(_Failure.BROKEN, type(exc).__name__) from None

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class _Transport:
    """An ``httpx`` transport in place of the network."""

    def __init__(
        self,
        url: str,
        transport: httpx.AsyncBaseTransport,
        connect_timeout: float,
        read_timeout: float,
    ) -> None:
        self.client = httpx.AsyncClient(
            base_url=url,
            timeout=httpx.Timeout(read_timeout, connect=connect_timeout),
            transport=transport,
            follow_redirects=False,
            trust_env=False,
        )

    async def send(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]],
        body: bytes,
        timeout: float | None = None,
    ) -> Answer:
        request = self.client.build_request(
            method,
            target,
            headers=headers,
            content=body,
            timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
        )
        try:
            response = await self.client.send(request)
            content = await response.aread()
        except httpx.ConnectTimeout:
            raise _Failed(_Failure.CONNECT_TIMEOUT) from None
        except httpx.ConnectError:
            raise _Failed(_Failure.CONNECT) from None
        except httpx.TimeoutException:
            raise _Failed(_Failure.READ_TIMEOUT) from None
        except httpx.TransportError as exc:
            raise _Failed(_Failure.BROKEN, type(exc).__name__) from None
        return Answer(response.status_code, list(response.headers.raw), content)

    async def aclose(self) -> None:
        await self.client.aclose()


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
        health: str = "/healthz",
    ) -> None:
        self.name = name
        self.url = url
        self.health = health if health.startswith("/") else "/" + health
        self._client: _Client = (
            _Network(url, connect_timeout, read_timeout)
            if transport is None
            else _Transport(url, transport, connect_timeout, read_timeout)
        )
        self.breaker = Breaker(breaker)

    async def send(
        self, method: str, target: str, headers: list[tuple[str, str]], body: bytes
    ) -> Answer:
        """Send one request (``target`` is the raw path and query) and read the whole answer."""
        wait = self.breaker.admit()
        if wait is not None:
            raise UpstreamError(503, f"{self.name} is unavailable (circuit open)", wait)
        attempts = 2 if method in IDEMPOTENT else 1
        for attempt in range(attempts):
            try:
                answer = await self._client.send(method, target, headers, body)
            except _Failed as failed:
                if failed.kind is _Failure.CONNECT_TIMEOUT:
                    error = UpstreamError(504, f"{self.name} did not accept the connection in time")
                elif failed.kind is _Failure.CONNECT:
                    error = UpstreamError(502, f"{self.name} refused the connection")
                elif failed.kind is _Failure.READ_TIMEOUT:
                    self.breaker.failure()
                    raise UpstreamError(504, f"{self.name} did not answer in time") from None
                else:
                    self.breaker.failure()
                    raise UpstreamError(502, f"{self.name} failed: {failed.detail}") from None
            else:
                self.breaker.success()
                return answer
            if attempt + 1 == attempts:
                self.breaker.failure()
                raise error
        raise AssertionError("unreachable")  # pragma: no cover

    async def healthy(self, timeout: float) -> bool:
        """True when the upstream's health path answers (below 500) within ``timeout`` seconds."""
        try:
            answer = await self._client.send("GET", self.health, [], b"", timeout)
        except _Failed:
            return False
        return answer.status < 500  # a mock without /healthz still answers

    async def aclose(self) -> None:
        await self._client.aclose()
