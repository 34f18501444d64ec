"""payments as an ASGI app: ``create(db_path)``; ``python -m services.payments`` serves it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from generated.payments.server import create_app

from accord.runtime import AppOptions, Database
from services.payments._store import SCHEMA
from services.payments.rules import IssuerRules
from services.payments.service import Payments
from services.payments.states import provider_states

__all__ = ["create"]

DEFAULT_DB = Path(os.environ.get("PAYMENTS_DB", "var/payments.sqlite3"))


def create(
    db_path: str | Path = DEFAULT_DB,
    *,
    with_states: bool = False,
    rules: IssuerRules | None = None,
    **options: Any,
) -> Any:
    """The payments app on the SQLite file at ``db_path`` (created with its schema if new)."""
    db = Database(db_path, SCHEMA)
    states = provider_states(db) if with_states else None
    return create_app(
        Payments(db, rules), AppOptions(name="payments", provider_states=states, **options)
    )
