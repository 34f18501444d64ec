"""The shop's events on a real NATS JetStream: orders' transactional outbox (killed between
the commit and the publish, the event still arrives) and shipping's durable, idempotent
consumer (stopped while 100 events are emitted, then each handled exactly once)."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from faststream.nats import NatsBroker
from generated.orders import models
from services._broker import ensure_stream
from services.orders._store import SCHEMA as ORDERS_SCHEMA
from services.orders.events import OutboxRelay, event_for, record_event
from services.shipping.app import DURABLE
from services.shipping.handler import SCHEMA as SHIPPING_SCHEMA
from services.shipping.handler import Shipping

from accord._process import free_port
from accord.core import AsyncContract
from accord.runtime import Database, new_id
from tests.shop.conftest import REPO, Process
from tests.shop.events import consumer_state, nats_server, stream_messages
from tests.shop.test_processes import _create_product, _order, auth

CONTRACT = REPO / "contracts/asyncapi/orders.yaml"


def _order_model(state: str = "confirmed", **extra: Any) -> models.Order:
    return models.Order.model_validate(
        {
            "id": new_id("ord"), "customer_id": "cus_9dLw3Rt7Yb2e", "state": state,
            "currency": "EUR", "subtotal": 2900, "total": 2900,
            "lines": [{"product_id": "prd_7Hx2Kq9LmN4p", "quantity": 2, "unit_price": 1450,
                       "line_total": 2900}],
            "created_at": "2025-04-02T11:00:00Z", "updated_at": "2025-04-02T11:00:04Z",
            "customer_email": None, "reservation_id": None, "charge_id": None,
            "failure_reason": None,
            **extra,
        }
    )  # fmt: skip


def _check_against_contract(subject: str, headers: dict[str, str], payload: Any) -> None:
    contract = AsyncContract.from_path(CONTRACT)
    match = contract.match_channel(subject)
    assert match is not None, subject
    (op,) = contract.operations_on(match.channel, "send")
    (message,) = op.messages
    assert message.payload is not None and message.headers is not None
    assert contract.validator(message.payload).violations(payload) == []
    assert contract.validator(message.headers).violations(headers) == []


def test_every_settled_state_has_an_event_that_fits_the_contract() -> None:
    for state, extra in (
        ("confirmed", {}),
        ("cancelled", {}),
        ("failed", {"failure_reason": "out_of_stock"}),
    ):
        subject, payload = event_for(_order_model(state, **extra))
        _check_against_contract(subject, {"Nats-Msg-Id": payload["event_id"]}, payload)


def test_shipping_handles_an_event_once(tmp_path: Path) -> None:
    shipping = Shipping(Database(tmp_path / "s.sqlite3", SHIPPING_SCHEMA))
    _, payload = event_for(_order_model())
    body = json.dumps(payload).encode()
    assert shipping.handle(body) is True
    assert shipping.handle(body) is False
    assert shipping.shipment(payload["order_id"]) == {
        "order_id": payload["order_id"],
        "state": "ready",
        "lines": [{"product_id": "prd_7Hx2Kq9LmN4p", "quantity": 2}],
    }


def _rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return list(conn.execute(sql))


def _wait(check: Any, timeout: float = 20) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


@pytest.mark.slow
def test_orders_killed_between_commit_and_publish_still_publishes(
    processes: dict[str, Process], tmp_path: Path
) -> None:
    with nats_server(tmp_path) as nats:
        product_id = _create_product(processes["catalog"], on_hand=5)
        orders = processes["orders"]
        orders.stop()
        base = {k: v for k, v in orders.env.items() if k != "ORDERS_FAULT_EXIT_AT"}
        # a slow catalog or payments (a loaded CI machine) must not time the order out
        # before the commit the fault waits for: it would answer instead of dying
        base["ORDERS_UPSTREAM_TIMEOUT"] = "30"
        orders.env = {
            **base,
            "ORDERS_NATS_URL": nats.url,
            "ORDERS_FAULT_EXIT_AT": "event_committed",
        }
        orders.start()
        try:  # dies right after the commit
            answer = httpx.post(
                orders.url + "/orders", json=_order(product_id, 1), headers=auth(), timeout=40
            )
        except httpx.TransportError:
            pass
        else:
            pytest.fail(f"orders answered {answer.status_code} {answer.text[:300]}, not dying")
        assert orders.proc is not None and orders.proc.wait(timeout=10) == 70
        assert _rows(orders.db, "SELECT state FROM orders") == [("confirmed",)]
        assert _rows(orders.db, "SELECT published_at FROM outbox") == [(None,)]
        assert stream_messages(nats.url) == []  # the relay never got to it
        orders.env = {**base, "ORDERS_NATS_URL": nats.url}
        orders.start()
        published = _wait(lambda: stream_messages(nats.url))
        ((subject, headers, payload),) = published
        (order_id,) = _rows(orders.db, "SELECT id FROM orders")[0]
        assert subject == f"orders.{order_id}.confirmed" and payload["order_id"] == order_id
        assert headers["Nats-Msg-Id"] == payload["event_id"]
        _check_against_contract(subject, {"Nats-Msg-Id": headers["Nats-Msg-Id"]}, payload)
        assert _wait(
            lambda: _rows(orders.db, "SELECT 1 FROM outbox WHERE published_at IS NOT NULL")
        )


@pytest.mark.slow
def test_shipping_is_durable_and_idempotent(tmp_path: Path) -> None:
    with nats_server(tmp_path) as nats:
        env = {**processes_env(), "SHIPPING_NATS_URL": nats.url}
        shipping = Process("shipping", free_port(), tmp_path / "shipping.sqlite3", env)
        shipping.start()  # creates the durable consumer
        shipping.stop()
        outbox = Database(tmp_path / "orders.sqlite3", ORDERS_SCHEMA)
        with outbox.transaction() as conn:
            for _ in range(100):
                record_event(conn, _order_model())
        relay = OutboxRelay(outbox, nats.url)

        async def emit() -> int:
            await ensure_stream(nats.url, "ORDERS", ["orders.>"])
            broker = NatsBroker(nats.url)
            await broker.start()
            try:
                sent = await relay.publish_pending(broker)
                # 10 repeats past JetStream's dedupe (another message id): the consumer's job
                for subject, payload in _rows(
                    outbox.path, "SELECT subject, payload FROM outbox LIMIT 10"
                ):
                    await broker.publish(payload.encode(), subject, stream="ORDERS",
                                         headers={"Nats-Msg-Id": new_id("dup")})  # fmt: skip
                return sent
            finally:
                await broker.stop()

        assert asyncio.run(emit()) == 100
        assert len(stream_messages(nats.url)) == 110
        assert _rows(shipping.db, "SELECT count(*) FROM effects") == [(0,)]
        # the durable consumer outlived its process and kept its place: all 110 wait for it
        assert consumer_state(nats.url, DURABLE) == (110, 0)
        shipping.start()
        try:
            handled = _wait(
                lambda: _rows(shipping.db, "SELECT count(*) FROM handled_events")[0][0] == 100
            )
            assert handled, _rows(shipping.db, "SELECT count(*) FROM handled_events")
            time.sleep(0.5)  # anything still in flight would land now
            assert _rows(shipping.db, "SELECT count(*), count(DISTINCT event_id) FROM effects") == [
                (100, 100)
            ]
            assert _rows(shipping.db, "SELECT count(*) FROM shipments WHERE state = 'ready'") == [
                (100,)
            ]
            assert _wait(lambda: consumer_state(nats.url, DURABLE) == (0, 110))
        finally:
            shipping.stop()


def processes_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}"}
