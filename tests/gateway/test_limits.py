"""Token-bucket rate limits per subject (or client address), per operation or service."""

from __future__ import annotations

from accord.gateway import MemoryLimiter, RateLimit
from tests.gateway.conftest import bearer, config, gateway, run, token


def test_burst_then_429_with_retry_after_and_ratelimit_headers() -> None:
    app, echoes = gateway(config(rate_limit=RateLimit(rate=1.0, burst=3)))
    responses = run(app, *[("GET", "/items", {})] * 4)
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers["ratelimit-remaining"] for r in responses] == ["2", "1", "0", "0"]
    last = responses[-1]
    assert last.headers["retry-after"] == "1"
    assert last.headers["ratelimit-limit"] == "3"
    assert int(last.headers["ratelimit-reset"]) >= 1
    assert last.headers["content-type"] == "application/problem+json"
    assert len(echoes["alpha"].seen) == 3


def test_subjects_have_their_own_buckets() -> None:
    app, _ = gateway(config(rate_limit=RateLimit(rate=0.5, burst=1)))
    alice, bob = bearer(token("items:read", sub="alice")), bearer(token("items:read", sub="bob"))
    statuses = [
        r.status_code
        for r in run(
            app,
            ("GET", "/items/it_1", {"headers": alice}),
            ("GET", "/items/it_1", {"headers": bob}),
            ("GET", "/items/it_1", {"headers": alice}),
        )
    ]
    assert statuses == [200, 200, 429]


def test_per_operation_and_per_service_limits_win_over_the_default() -> None:
    limits = {"listItems": RateLimit(0.5, 1), "beta": RateLimit(0.5, 2)}
    app, _ = gateway(config(rate_limit=RateLimit(100, 100), limits=limits))
    statuses = [
        r.status_code
        for r in run(
            app,
            ("GET", "/items", {}),
            ("GET", "/items", {}),
            ("GET", "/ping", {}),
            ("GET", "/ping", {}),
            ("GET", "/slow", {}),  # the same service bucket as /ping
        )
    ]
    assert statuses == [200, 429, 200, 200, 429]


def test_bucket_refills_at_the_configured_rate() -> None:
    now = [0.0]
    limiter = MemoryLimiter(clock=lambda: now[0])
    limit = RateLimit(rate=10.0, burst=2)
    assert [limiter.take("k", limit).allowed for _ in range(3)] == [True, True, False]
    now[0] = 0.1  # one token back
    assert [limiter.take("k", limit).allowed for _ in range(2)] == [True, False]
    now[0] = 10.0
    decision = limiter.take("k", limit)
    assert decision.allowed and decision.remaining == 1


def test_rate_over_a_second_of_simulated_time_is_within_ten_percent() -> None:
    now = [0.0]
    limiter = MemoryLimiter(clock=lambda: now[0])
    limit = RateLimit(rate=50.0, burst=1)
    allowed = 0
    for step in range(10_000):  # 10 s of requests every millisecond
        now[0] = step / 1000
        allowed += limiter.take("k", limit).allowed
    assert 450 <= allowed <= 550
