"""Two gateway instances on one Redis (a real ``redis-server`` on 127.0.0.1) share the limit."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from accord.gateway import GatewayApp, RateLimit, RedisLimiter
from tests.gateway.conftest import Echo, config, contracts, free_port

RATE, BURST, SECONDS = 40.0, 5, 2.0


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    server = shutil.which("redis-server")
    assert server is not None, "install Debian's redis-server to run the gateway's Redis tests"
    port = free_port()
    proc = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"redis://127.0.0.1:{port}/0"
        deadline = time.monotonic() + 10
        while not _pong(port):
            assert time.monotonic() < deadline, "redis-server did not start"
            assert proc.poll() is None, "redis-server exited"
            time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _pong(port: int) -> bool:
    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=0.2)
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False
    finally:
        client.close()


def _instance(url: str) -> GatewayApp:
    transports = {n: httpx.ASGITransport(app=Echo(n)) for n in ("alpha", "beta")}
    # anonymous traffic also meets the per-address screen first; this test is about the
    # shared general limit alone
    cfg = config(rate_limit=RateLimit(RATE, BURST), unauthenticated_limit=None)
    return GatewayApp(contracts(), cfg, transports=transports, limiter=RedisLimiter(url))


def test_two_instances_share_the_rate_within_ten_percent(redis_url: str) -> None:
    apps = [_instance(redis_url), _instance(redis_url)]

    async def hammer(app: GatewayApp, stop: float) -> list[int]:
        statuses: list[int] = []
        transport = httpx.ASGITransport(app=app, client=("10.0.0.9", 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as client:
            while time.monotonic() < stop:
                statuses.append((await client.get("/ping")).status_code)
                await asyncio.sleep(0.002)
        await app.aclose()
        return statuses

    async def go() -> list[int]:
        stop = time.monotonic() + SECONDS
        results = await asyncio.gather(*(hammer(app, stop) for app in apps))
        return [s for r in results for s in r]

    statuses = asyncio.run(go())
    allowed = statuses.count(200)
    expected = BURST + RATE * SECONDS
    assert statuses.count(429) > 0 and set(statuses) == {200, 429}
    assert abs(allowed - expected) <= 0.1 * expected, (allowed, expected, len(statuses))


def test_two_instances_share_the_unauthenticated_budget(redis_url: str) -> None:
    def instance() -> GatewayApp:
        transports = {n: httpx.ASGITransport(app=Echo(n)) for n in ("alpha", "beta")}
        cfg = config(unauthenticated_limit=RateLimit(0.1, 4))
        return GatewayApp(contracts(), cfg, transports=transports, limiter=RedisLimiter(redis_url))

    apps = [instance(), instance()]

    async def go() -> list[int]:
        statuses = []
        for i in range(8):
            transport = httpx.ASGITransport(app=apps[i % 2], client=("10.0.0.66", 1234))
            async with httpx.AsyncClient(transport=transport, base_url="http://gw.test") as client:
                statuses.append((await client.get("/items/it_1")).status_code)
        for app in apps:
            await app.aclose()
        return statuses

    # the shared bucket holds 4; the instance that did not take the last token learns it
    # is empty at its next charge, so one more request is answered (and charged) there
    assert asyncio.run(go()) == [401] * 5 + [429] * 3
