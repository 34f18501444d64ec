"""Timeouts, one retry on connect failure, the circuit breaker, 502/503/504, isolation."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx

from accord.gateway import Breaker, BreakerConfig, GatewayApp
from tests.gateway.conftest import Echo, Server, bearer, config, contracts, free_port, token


def _real(upstreams: dict[str, str], **overrides: Any) -> GatewayApp:
    return GatewayApp(contracts(), config(upstreams=upstreams, **overrides))


async def _client(app: GatewayApp) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw.test")


def test_read_timeout_is_504_and_a_slow_upstream_does_not_slow_another() -> None:
    with Server(Echo("beta")) as beta, Server(Echo("alpha")) as alpha:
        app = _real({"alpha": alpha.url, "beta": beta.url}, read_timeout=0.5)

        async def go() -> tuple[httpx.Response, list[float]]:
            async with await _client(app) as client:
                begun = time.perf_counter()
                slow = asyncio.create_task(client.get("/slow"))
                await asyncio.sleep(0.05)
                times = []
                for _ in range(5):
                    started = time.perf_counter()
                    assert (await client.get("/items")).status_code == 200
                    times.append(time.perf_counter() - started)
                result = await slow
                times.append(time.perf_counter() - begun)
            await app.aclose()
            return result, times

        slow, times = asyncio.run(go())
    assert slow.status_code == 504
    assert slow.headers["content-type"] == "application/problem+json"
    assert times.pop() < 1.5  # the read timeout, not the upstream's 2 s sleep
    assert max(times) < 0.3


def test_connection_refused_is_502_after_one_retry_then_the_breaker_opens() -> None:
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with Server(Echo("alpha")) as alpha:
        app = _real(
            {"alpha": alpha.url, "beta": dead}, breaker=BreakerConfig(failures=2, cooldown=30)
        )

        async def go() -> list[httpx.Response]:
            async with await _client(app) as client:
                out = [await client.get("/ping") for _ in range(3)]
                out.append(await client.get("/items"))  # alpha is unaffected
            await app.aclose()
            return out

        started = time.perf_counter()
        first, second, third, other = asyncio.run(go())
    assert (first.status_code, second.status_code) == (502, 502)
    assert third.status_code == 503
    assert third.headers["retry-after"].isdigit()
    assert "circuit open" in third.json()["detail"]
    assert other.status_code == 200
    assert time.perf_counter() - started < 2


def test_idempotent_requests_are_retried_once_on_connect_failure() -> None:
    calls: list[str] = []

    def flaky(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(200, json={"path": request.url.path})

    transport = httpx.MockTransport(flaky)
    app = GatewayApp(contracts(), config(), transports={"beta": transport})

    async def go() -> httpx.Response:
        async with await _client(app) as client:
            response = await client.get("/ping")
        await app.aclose()
        return response

    assert asyncio.run(go()).status_code == 200
    assert calls == ["GET", "GET"]


def test_non_idempotent_requests_are_not_retried() -> None:
    calls: list[str] = []

    def refuse(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        raise httpx.ConnectError("refused", request=request)

    app = GatewayApp(contracts(), config(), transports={"alpha": httpx.MockTransport(refuse)})

    async def go() -> httpx.Response:
        async with await _client(app) as client:
            response = await client.post(
                "/items", json={"name": "a", "qty": 1}, headers=bearer(token())
            )
        await app.aclose()
        return response

    assert asyncio.run(go()).status_code == 502
    assert calls == ["POST"]


def test_breaker_half_open_probe_closes_or_reopens() -> None:
    now = [0.0]
    breaker = Breaker(BreakerConfig(failures=2, cooldown=5), clock=lambda: now[0])
    breaker.failure()
    assert breaker.admit() is None and breaker.state == "closed"
    breaker.failure()
    assert breaker.state == "open" and breaker.admit() == 5
    now[0] = 5.0
    assert breaker.admit() is None  # the probe
    assert breaker.admit() == 1  # only one probe at a time
    breaker.failure()
    assert breaker.state == "open"
    now[0] = 10.0
    assert breaker.admit() is None
    breaker.success()
    assert breaker.state == "closed" and breaker.admit() is None


def test_connect_timeout_is_504_after_the_retry() -> None:
    calls: list[str] = []

    def hang(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        raise httpx.ConnectTimeout("timed out", request=request)

    app = GatewayApp(contracts(), config(), transports={"beta": httpx.MockTransport(hang)})

    async def go() -> httpx.Response:
        async with await _client(app) as client:
            response = await client.get("/ping")
        await app.aclose()
        return response

    response = asyncio.run(go())
    assert response.status_code == 504
    assert "in time" in response.json()["detail"]
    assert calls == ["GET", "GET"]
