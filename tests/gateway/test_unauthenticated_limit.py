"""Anonymous and failed-auth traffic is limited per client address, before authentication."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from accord.gateway import GatewayApp, RateLimit
from tests.gateway.conftest import bearer, config, gateway, token

LIMIT = RateLimit(rate=0.5, burst=5)


def _from(app: GatewayApp, *calls: tuple[str, str, str, dict[str, Any]]) -> list[httpx.Response]:
    """``(client address, method, url, kwargs)`` requests, one after the other, one app."""

    async def go() -> list[httpx.Response]:
        out = []
        try:
            for address, method, url, kwargs in calls:
                transport = httpx.ASGITransport(app=app, client=(address, 5000))
                async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
                    out.append(await client.request(method, url, **kwargs))
        finally:
            await app.aclose()
        return out

    return asyncio.run(go())


def test_a_flood_of_bad_tokens_gets_429_and_a_good_client_elsewhere_is_unaffected() -> None:
    app, echoes = gateway(config(unauthenticated_limit=LIMIT))
    bad = {"headers": bearer(token("items:read", key="not-the-secret-but-32-bytes-long!!"))}
    good = {"headers": bearer(token("items:read"))}
    flood = [("10.0.0.66", "GET", "/items/it_1", bad)] * 8
    responses = _from(app, *flood, ("10.0.0.7", "GET", "/items/it_1", good))
    statuses = [r.status_code for r in responses]
    assert statuses == [401] * 5 + [429] * 3 + [200]
    refused = responses[5]
    assert refused.headers["retry-after"] == "2"  # one token at 0.5/s
    assert refused.headers["content-type"] == "application/problem+json"
    assert "www-authenticate" not in refused.headers  # the token was not even looked at
    assert len(echoes["alpha"].seen) == 1


def test_anonymous_requests_and_scans_count_but_authenticated_ones_do_not() -> None:
    app, _ = gateway(config(unauthenticated_limit=RateLimit(rate=0.5, burst=3)))
    good = {"headers": bearer(token("items:read"))}
    calls = [
        ("10.0.0.8", "GET", "/items", {}),  # anonymous operation: counts
        ("10.0.0.8", "GET", "/nowhere", {}),  # 404 scan: counts
        *[("10.0.0.8", "GET", "/items/it_1", good)] * 5,  # authenticated: free
        ("10.0.0.8", "GET", "/items", {}),  # the third anonymous one: the last token
        ("10.0.0.8", "GET", "/items", {}),
        ("10.0.0.8", "GET", "/items/it_1", good),  # the address is now limited for everyone
    ]
    statuses = [r.status_code for r in _from(app, *calls)]
    assert statuses == [200, 404, *[200] * 5, 200, 429, 429]


def test_the_default_is_on() -> None:
    app, _ = gateway()
    assert app.config.unauthenticated_limit == RateLimit(20.0, 200)
    flood = [("10.0.0.9", "GET", "/items/it_1", {})] * 400
    statuses = [r.status_code for r in _from(app, *flood)]
    # the burst, plus what refilled at 20/s while the flood was sent
    assert 200 <= statuses.count(401) < 400
    assert statuses.count(429) == 400 - statuses.count(401)
