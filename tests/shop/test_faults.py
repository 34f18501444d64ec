"""Fault tests of the order saga with real processes: orders dies at each saga point, or
payments stalls (SIGSTOP) holding a charge; after a restart and recovery the invariant holds:
every succeeded, unrefunded charge belongs to a confirmed order, no reservation stays held
and no order stays pending or unresolved."""

from __future__ import annotations

import signal
import sqlite3
import time

import httpx
import pytest

from tests.shop.conftest import Process, assert_settled
from tests.shop.test_processes import _create_product, _order, auth

pytestmark = pytest.mark.slow

FAST = {"ORDERS_RECOVERY_INTERVAL": "0.3", "ORDERS_UPSTREAM_TIMEOUT": "1"}


def _restart_orders(orders: Process, **env: str) -> None:
    orders.stop()
    base = {k: v for k, v in orders.env.items() if k != "ORDERS_FAULT_EXIT_AT"}
    orders.env = {**base, **FAST, **env}
    orders.start()


def _rows(db: Process, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db.db) as conn:
        return list(conn.execute(sql))


def _assert_invariant(processes: dict[str, Process], timeout: float = 20) -> None:
    orders, payments, catalog = processes["orders"], processes["payments"], processes["catalog"]
    deadline = time.monotonic() + timeout
    while _rows(orders, "SELECT id FROM orders WHERE state IN ('pending', 'unresolved')"):
        assert time.monotonic() < deadline, "recovery left orders pending or unresolved"
        time.sleep(0.2)
    assert_settled(orders.db, payments.db, catalog.db)


@pytest.mark.parametrize("point", ["after_reserve", "after_charge", "after_commit"])
def test_orders_dies_at_a_saga_point(processes: dict[str, Process], point: str) -> None:
    product_id = _create_product(processes["catalog"], on_hand=5)
    orders = processes["orders"]
    # a long upstream timeout: on a loaded machine a 1 s one answers 504 before the exit point
    _restart_orders(orders, ORDERS_FAULT_EXIT_AT=point, ORDERS_UPSTREAM_TIMEOUT="30")
    with pytest.raises(httpx.TransportError):  # the process dies under the request
        httpx.post(orders.url + "/orders", json=_order(product_id, 1), headers=auth(), timeout=10)
    assert orders.proc is not None and orders.proc.wait(timeout=10) == 70
    assert _rows(orders, "SELECT state FROM orders") == [("pending",)]
    _restart_orders(orders)
    _assert_invariant(processes)
    # the token is kept until the order settles, so recovery can always finish forwards
    assert _rows(orders, "SELECT state FROM orders") == [("confirmed",)]
    assert _rows(orders, "SELECT * FROM charge_requests") == []
    assert _rows(processes["payments"], "SELECT status FROM charges") == [("succeeded",)]


def test_payments_stalls_holding_a_charge(processes: dict[str, Process]) -> None:
    """The issue's case: payments is stopped with the charge in hand; orders times out (504)
    and keeps the order; resumed, payments completes the charge and recovery confirms."""
    product_id = _create_product(processes["catalog"], on_hand=5)
    orders, payments = processes["orders"], processes["payments"]
    _restart_orders(orders)
    assert payments.proc is not None
    payments.proc.send_signal(signal.SIGSTOP)
    try:
        response = httpx.post(
            orders.url + "/orders", json=_order(product_id, 1), headers=auth(), timeout=20
        )
        assert response.status_code == 504, response.text
        assert _rows(orders, "SELECT state FROM orders") == [("unresolved",)]
        time.sleep(1)  # recovery rounds meanwhile cannot reach payments: nothing changes
        assert _rows(orders, "SELECT state FROM orders") == [("unresolved",)]
    finally:
        payments.proc.send_signal(signal.SIGCONT)
    _assert_invariant(processes)
    assert _rows(orders, "SELECT state FROM orders") == [("confirmed",)]
    assert _rows(payments, "SELECT status, amount_refunded FROM charges") == [("succeeded", 0)]


def test_payments_killed_mid_burst(processes: dict[str, Process]) -> None:
    import asyncio  # noqa: PLC0415

    product_id = _create_product(processes["catalog"], on_hand=100)
    orders, payments = processes["orders"], processes["payments"]
    _restart_orders(orders)

    async def burst() -> list[httpx.Response | BaseException]:
        async with httpx.AsyncClient(base_url=orders.url, headers=auth(), timeout=30) as client:
            tasks = [
                asyncio.create_task(client.post("/orders", json=_order(product_id, n)))
                for n in range(60)
            ]
            deadline = time.monotonic() + 30  # a loaded machine may time most orders out
            while len(_rows(payments, "SELECT id FROM charges")) < 5:  # charges under way
                if time.monotonic() > deadline or all(t.done() for t in tasks):
                    break
                await asyncio.sleep(0.01)
            payments.kill()
            return await asyncio.gather(*tasks, return_exceptions=True)

    answers = asyncio.run(burst())
    odd = [
        f"{a.status_code} {a.text[:300]}"
        for a in answers
        if isinstance(a, httpx.Response) and a.status_code not in (201, 503, 504)
    ]
    assert odd == [], odd
    payments.start()
    _assert_invariant(processes)
    log = orders.db.with_suffix(".log").read_text()
    assert "Traceback" not in log, log[log.find("Traceback") - 300 :][:3000]
