"""Fixtures for the shop: the three services in-process (ASGI, real SQLite files) or as
real processes on free 127.0.0.1 ports."""

from __future__ import annotations

import os
import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from generated.catalog.client import AsyncCatalogClient
from generated.payments.client import AsyncPaymentsClient
from services.catalog.app import create as create_catalog
from services.orders.app import create as create_orders
from services.orders.service import Dependencies
from services.payments.app import create as create_payments

from accord._process import Process as Child
from accord._process import free_port
from accord.runtime import mint_token

REPO = Path(__file__).resolve().parents[2]
SCOPES = (
    "catalog:read catalog:write stock:reserve orders:read orders:write "
    "payments:read payments:charge payments:refund"
)


def token(scope: str = SCOPES) -> str:
    # long enough for the whole suite, so a token made at import time stays valid
    return mint_token({"sub": "tester", "scope": scope}, "test-secret", ttl=6 * 3600)


@dataclass
class Shop:
    """The three apps and an async client per service (all through the generated clients)."""

    catalog: Any
    payments: Any
    orders: Any
    catalog_http: httpx.AsyncClient
    payments_http: httpx.AsyncClient
    orders_http: httpx.AsyncClient


def _http(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://shop.test",
        headers={"Authorization": f"Bearer {token()}"},
    )


def build_shop(tmp: Path, *, payments_down: bool = False) -> Shop:
    catalog = create_catalog(tmp / "catalog.sqlite3", validate_responses=True)
    payments = create_payments(tmp / "payments.sqlite3", validate_responses=True)
    catalog_http, payments_http = _http(catalog), _http(payments)
    if payments_down:  # nothing listens on port 9 of the loopback: connect errors, fast
        payments_for_orders = httpx.AsyncClient(base_url="http://127.0.0.1:9")
    else:
        payments_for_orders = _http(payments)
    deps = Dependencies(
        catalog=AsyncCatalogClient(client=_http(catalog), token=token()),
        payments=AsyncPaymentsClient(client=payments_for_orders, token=token()),
    )
    orders = create_orders(tmp / "orders.sqlite3", deps=deps, validate_responses=True)
    return Shop(catalog, payments, orders, catalog_http, payments_http, _http(orders))


@pytest.fixture
def shop(tmp_path: Path) -> Shop:
    return build_shop(tmp_path)


def _rows(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute(sql))


def assert_settled(orders_db: Path, payments_db: Path, catalog_db: Path) -> None:
    """The saga's invariant once every order is settled: nothing is lost or kept twice.

    No order is pending or unresolved; every succeeded, unrefunded charge belongs to a
    confirmed order and every confirmed order has one; no reservation is held; the
    reservations committed (stock taken) are exactly those of confirmed (or since
    cancelled) orders."""
    open_orders = _rows(
        orders_db, "SELECT id, state FROM orders WHERE state IN ('pending', 'unresolved')"
    )
    assert open_orders == [], open_orders
    confirmed = {r[0] for r in _rows(orders_db, "SELECT id FROM orders WHERE state = 'confirmed'")}
    cancelled = {r[0] for r in _rows(orders_db, "SELECT id FROM orders WHERE state = 'cancelled'")}
    kept = "SELECT order_id FROM charges WHERE status = 'succeeded' AND amount_refunded = 0"
    paid = [r[0] for r in _rows(payments_db, kept)]
    assert sorted(paid) == sorted(confirmed), ("charges kept", paid, "confirmed", confirmed)
    held = _rows(catalog_db, "SELECT id, order_id FROM reservations WHERE state = 'held'")
    assert held == [], held
    assert all(r == 0 for (r,) in _rows(catalog_db, "SELECT reserved FROM stock"))
    taken = {
        r[0]
        for r in _rows(catalog_db, "SELECT order_id FROM reservations WHERE state = 'committed'")
    }
    assert taken == confirmed | cancelled, ("stock taken for", taken, "confirmed", confirmed)


# -- real processes -----------------------------------------------------------------------


@dataclass
class Process:
    name: str
    port: int
    db: Path
    env: dict[str, str]
    child: Child | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def proc(self) -> Any:
        """The running ``subprocess.Popen`` (to signal it), or None."""
        return self.child.proc if self.child is not None else None

    def start(self) -> Process:
        """Start ``python -m services.<name>`` on its port and file; return once it answers."""
        argv = [sys.executable, "-m", f"services.{self.name}", "--port", str(self.port),
                "--db", str(self.db)]  # fmt: skip
        self.child = Child(self.name, argv, f"{self.url}/healthz", self.env, REPO,
                           self.db.with_suffix(".log"), ready_timeout=30)  # fmt: skip
        self.child.start().wait_ready()
        return self

    def kill(self) -> None:
        if self.child is not None:
            self.child.kill()

    def stop(self) -> None:
        if self.child is not None:
            self.child.stop()


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[dict[str, Process]]:
    # this checkout's src first: the children run the code under test, not an installed copy
    pythonpath = f"{REPO / 'src'}{os.pathsep}{REPO}"
    env = {**os.environ, "ACCORD_JWT_SECRET": "test-secret", "PYTHONPATH": pythonpath,
           "ORDERS_RECOVERY_INTERVAL": "0.5"}  # fmt: skip
    ports = {name: free_port() for name in ("catalog", "payments", "orders")}
    env["ORDERS_CATALOG_URL"] = f"http://127.0.0.1:{ports['catalog']}"
    env["ORDERS_PAYMENTS_URL"] = f"http://127.0.0.1:{ports['payments']}"
    running = {
        name: Process(name, port, tmp_path / f"{name}.sqlite3", env) for name, port in ports.items()
    }
    try:
        for process in running.values():
            process.start()
        yield running
    finally:
        for process in running.values():
            process.stop()
