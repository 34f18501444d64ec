"""orders as an ASGI app: ``create(db_path)``; ``python -m services.orders`` serves it.

Where catalog and payments are comes from ``ORDERS_CATALOG_URL`` and
``ORDERS_PAYMENTS_URL`` (default: their ports in contracts/accord.yaml); orders calls
them with a token it signs with ``ACCORD_JWT_SECRET``, with the scopes it needs.
Served (with an ASGI lifespan), it finishes interrupted orders at start and every
``ORDERS_RECOVERY_INTERVAL`` seconds (default 30), and, when ``ORDERS_NATS_URL`` (or
``ACCORD_NATS_URL``, set by ``accord up``) is set, relays its event outbox to NATS
JetStream (``services.orders.events``). ``/healthz`` reports the outbox: ``"outbox": "ok"``,
or ``"degraded, N dead-lettered"`` (still 200) while rows the relay refused are kept.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
from typing import Any

import httpx
from generated.catalog.client import AsyncCatalogClient
from generated.orders.server import create_app
from generated.payments.client import AsyncPaymentsClient
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accord.runtime import AppOptions, Database, mint_token
from services.orders._store import SCHEMA
from services.orders.events import OutboxRelay, outbox_health
from services.orders.messages import add_event_states, message_producers
from services.orders.service import Dependencies, Orders
from services.orders.states import provider_states

__all__ = ["create"]

DEFAULT_DB = Path(os.environ.get("ORDERS_DB", "var/orders.sqlite3"))
SCOPES = "catalog:read catalog:write stock:reserve payments:charge payments:read payments:refund"
TIMEOUT = httpx.Timeout(float(os.environ.get("ORDERS_UPSTREAM_TIMEOUT", "5")), connect=1.0)
RECOVERY_INTERVAL = float(os.environ.get("ORDERS_RECOVERY_INTERVAL", "30"))


class _Recovering:
    """The app, plus :meth:`Orders.keep_recovering` and the outbox relay for as long as its
    lifespan lasts."""

    def __init__(
        self, app: ASGIApp, orders: Orders, interval: float, relay: OutboxRelay | None = None
    ) -> None:
        self.app, self.orders, self.interval, self.relay = app, orders, interval, relay
        self._task: asyncio.Task[None] | None = None
        self._relay_task: asyncio.Task[None] | None = None

    def __getattr__(self, name: str) -> Any:  # the wrapped app's own API stays reachable
        return getattr(self.app, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return

        async def lifespan_receive() -> Message:
            message = await receive()
            if message["type"] == "lifespan.startup" and self._task is None:
                self._task = asyncio.create_task(self.orders.keep_recovering(self.interval))
                if self.relay is not None:
                    self._relay_task = asyncio.create_task(self.relay.run())
            elif message["type"] == "lifespan.shutdown":
                for task in (self._task, self._relay_task):
                    if task is not None:
                        task.cancel()
                        with contextlib.suppress(asyncio.CancelledError):
                            await task
            return message

        await self.app(scope, lifespan_receive, send)


def _token() -> str:
    secret = os.environ.get("ACCORD_JWT_SECRET", "dev-only-secret")
    return mint_token({"sub": "service:orders", "scope": SCOPES}, secret, ttl=365 * 24 * 3600)


def default_dependencies() -> Dependencies:
    token = _token()
    catalog = os.environ.get("ORDERS_CATALOG_URL", "http://127.0.0.1:8101")
    payments = os.environ.get("ORDERS_PAYMENTS_URL", "http://127.0.0.1:8103")
    return Dependencies(
        catalog=AsyncCatalogClient(catalog, token=token, timeout=TIMEOUT),
        payments=AsyncPaymentsClient(payments, token=token, timeout=TIMEOUT),
    )


def create(
    db_path: str | Path = DEFAULT_DB,
    *,
    with_states: bool = False,
    deps: Dependencies | None = None,
    **options: Any,
) -> Any:
    """The orders app on the SQLite file at ``db_path``; ``deps`` injects the two clients."""
    db = Database(db_path, SCHEMA)
    states = provider_states(db) if with_states else None
    if states is not None:
        add_event_states(states, db)
    orders = Orders(
        db, deps or default_dependencies(), exit_at=os.environ.get("ORDERS_FAULT_EXIT_AT")
    )
    messages = message_producers(db) if with_states else None
    options.setdefault("health", lambda: outbox_health(db))
    app = create_app(
        orders,
        AppOptions(name="orders", provider_states=states, messages=messages, **options),
    )
    nats_url = os.environ.get("ORDERS_NATS_URL") or os.environ.get("ACCORD_NATS_URL")
    relay = OutboxRelay(db, nats_url) if nats_url else None
    return _Recovering(app, orders, RECOVERY_INTERVAL, relay)
