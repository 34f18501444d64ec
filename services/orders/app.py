"""orders as an ASGI app: ``create(db_path)``; ``python -m services.orders`` serves it.

Where catalog and payments are comes from ``ORDERS_CATALOG_URL`` and
``ORDERS_PAYMENTS_URL`` (default: their ports in contracts/accord.yaml); orders calls
them with a token it signs with ``ACCORD_JWT_SECRET``, with the scopes it needs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import httpx
from generated.catalog.client import AsyncCatalogClient
from generated.orders.server import create_app
from generated.payments.client import AsyncPaymentsClient

from accord.runtime import AppOptions, Database, mint_token
from services.orders._store import SCHEMA
from services.orders.service import Dependencies, Orders
from services.orders.states import provider_states

__all__ = ["create"]

DEFAULT_DB = Path(os.environ.get("ORDERS_DB", "var/orders.sqlite3"))
SCOPES = "catalog:read catalog:write stock:reserve payments:charge payments:read payments:refund"
TIMEOUT = httpx.Timeout(float(os.environ.get("ORDERS_UPSTREAM_TIMEOUT", "5")), connect=1.0)


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
    return create_app(
        Orders(db, deps or default_dependencies()),
        AppOptions(name="orders", provider_states=states, **options),
    )
