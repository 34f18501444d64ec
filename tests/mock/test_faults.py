"""Fault injection: latency distributions, error rates and dropped connections."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import replace
from typing import Any

import pytest

from accord.core import Contract
from accord.mock import FaultPlan, Faults, Latency, MockApp, MockConfig
from tests.mock.conftest import ClientFactory

AUTH = {"Authorization": "Bearer anything"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("50ms", Latency("fixed", 0.05)),
        ("1.5s", Latency("fixed", 1.5)),
        ("uniform:10ms-30ms", Latency("uniform", 0.01, 0.03)),
        ("normal:80ms,20ms", Latency("normal", 0.08, 0.02)),
        ("exponential:50ms", Latency("exponential", 0.05)),
    ],
)
def test_latency_specs_parse(text: str, expected: Latency) -> None:
    assert Latency.parse(text) == expected


@pytest.mark.parametrize("text", ["fast", "gamma:5ms", "uniform:a-b"])
def test_bad_latency_specs_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"duration|distribution"):
        Latency.parse(text)


def test_draws_stay_in_their_distribution() -> None:
    rng = random.Random(1)
    uniform = [Latency("uniform", 0.01, 0.03).draw(rng) for _ in range(200)]
    assert all(0.01 <= d <= 0.03 for d in uniform)
    normal = [Latency("normal", 0.08, 0.02).draw(rng) for _ in range(500)]
    assert all(d >= 0 for d in normal) and 0.07 < sum(normal) / len(normal) < 0.09


def test_latency_delays_answers(client: ClientFactory, shop: dict[str, Contract]) -> None:
    plan = FaultPlan(default=Faults(latency=Latency("fixed", 0.05)))
    mock = client(shop["orders"], faults=plan)
    started = time.perf_counter()
    assert mock.get("/orders", headers=AUTH).status_code == 200
    assert time.perf_counter() - started >= 0.05


def test_errors_are_injected_per_operation(
    client: ClientFactory, shop: dict[str, Contract]
) -> None:
    plan = FaultPlan(operations={"getOrder": Faults(error_rate=1.0, error_status=503)})
    mock = client(shop["orders"], faults=plan)
    failed = mock.get("/orders/ord_Q4m8TzR2vW6y", headers=AUTH)
    assert failed.status_code == 503
    assert failed.headers["content-type"] == "application/problem+json"
    assert "fault injected" in failed.json()["detail"]
    assert mock.get("/orders", headers=AUTH).status_code == 200


def test_error_rates_are_rates(client: ClientFactory, shop: dict[str, Contract]) -> None:
    mock = client(shop["orders"], faults=FaultPlan(default=Faults(error_rate=0.3)), seed=9)
    codes = [mock.get("/orders", headers=AUTH).status_code for _ in range(200)]
    assert 30 <= codes.count(503) <= 90 and codes.count(200) + codes.count(503) == 200


def test_a_reset_promises_a_body_it_never_finishes(shop: dict[str, Contract]) -> None:
    app = MockApp([shop["orders"]], MockConfig(faults=FaultPlan(default=Faults(reset_rate=1.0))))
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Any) -> None:
        sent.append(dict(message))

    scope = {"type": "http", "method": "GET", "path": "/orders", "query_string": b"",
             "headers": [(b"authorization", b"Bearer x")]}  # fmt: skip
    asyncio.run(app(scope, receive, send))
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert (b"content-length", b"1024") in sent[0]["headers"]
    assert sent[1]["more_body"] is True and len(sent[1]["body"]) < 1024


def test_forced_faults_win_over_service_and_operation_faults() -> None:
    plan = FaultPlan(
        default=Faults(error_rate=0.1),
        services={"orders": Faults(error_rate=0.2)},
        operations={"getOrder": Faults(error_rate=0.3)},
    )
    assert plan.faults_for("orders", "getOrder").error_rate == 0.3
    assert plan.faults_for("orders", "listOrders").error_rate == 0.2
    assert plan.faults_for("payments", "getCharge").error_rate == 0.1
    forced = replace(plan, forced=Faults(reset_rate=1.0))
    assert forced.faults_for("orders", "getOrder") == Faults(reset_rate=1.0)
    assert forced.active
