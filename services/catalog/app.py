"""catalog as an ASGI app: ``create(db_path)``; ``python -m services.catalog`` serves it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from generated.catalog.server import create_app

from accord.runtime import AppOptions, Database
from services.catalog._store import SCHEMA
from services.catalog.service import Catalog
from services.catalog.states import provider_states

__all__ = ["create"]

DEFAULT_DB = Path(os.environ.get("CATALOG_DB", "var/catalog.sqlite3"))


def create(db_path: str | Path = DEFAULT_DB, *, with_states: bool = False, **options: Any) -> Any:
    """The catalog app on the SQLite file at ``db_path`` (created with its schema if new)."""
    db = Database(db_path, SCHEMA)
    states = provider_states(db) if with_states else None
    return create_app(Catalog(db), AppOptions(name="catalog", provider_states=states, **options))
