"""The environment a service of the workspace is started with, wherever it is started.

``accord verify``, ``accord up`` and the shop's launcher (``python -m services``) give a
service this process's environment without what would point it at someone's
existing infrastructure: every variable named for a service of the workspace
(``ORDERS_NATS_URL``, ``CATALOG_DB``), Accord's own ``ACCORD_*`` ones (``ACCORD_NATS_URL``,
``ACCORD_JWT_SECRET``), and the usual unscoped ones (``DATABASE_URL``, ``NATS_URL``, ...).
What the starter sets up itself (databases, mocks, a NATS server, a secret) is then added
by the starter, so a service only ever talks to what was started for it; where each
service it consumes answers is passed as ``<SERVICE>_<DEPENDENCY>_URL``
(:func:`dependency_urls`: ``ORDERS_CATALOG_URL``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accord.workspace._manifest import Workspace

__all__ = [
    "DEV_SECRET",
    "SECRET_ENV",
    "dependency_urls",
    "env_name",
    "service_environment",
    "service_secret",
]

#: the HS256 secret started services verify tokens with (and sign their own with)
SECRET_ENV = "ACCORD_JWT_SECRET"
#: what the shop's services fall back to without it, for development
DEV_SECRET = "dev-only-secret"

#: unscoped variables that commonly point a service at shared infrastructure
SHARED_INFRA = frozenset(
    {"DATABASE_URL", "NATS_URL", "REDIS_URL", "AMQP_URL", "RABBITMQ_URL", "KAFKA_BROKERS",
     "KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URI", "MONGO_URL", "PGHOST", "PGDATABASE"}
)  # fmt: skip


def service_environment(
    workspace: Workspace, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``environ`` (default: this process's) without what points a service elsewhere.

    Dropped: variables named for any service of the workspace (``<SERVICE>_...``),
    ``ACCORD_...`` ones and the unscoped ones in :data:`SHARED_INFRA`.
    """
    prefixes = ("ACCORD_", *(env_name(f"{name}_") for name in workspace.services))
    return {
        key: value
        for key, value in (os.environ if environ is None else environ).items()
        if not key.upper().startswith(prefixes) and key.upper() not in SHARED_INFRA
    }


def env_name(text: str) -> str:
    """An environment variable's name: ``pactflow-example_CATALOG_URL`` -> upper case, ``_``."""
    return text.upper().replace("-", "_")


def service_secret() -> str:
    """The token secret to give started services: ``$ACCORD_JWT_SECRET``, or the dev one."""
    return os.environ.get(SECRET_ENV) or DEV_SECRET


def dependency_urls(
    workspace: Workspace, name: str, where: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``<NAME>_<DEPENDENCY>_URL`` for each service ``name`` consumes: its URL in ``where``
    (verify's mocks), else where it runs (its ``url:``, or 127.0.0.1 on its port)."""
    found = dict(where or {})
    return {
        env_name(f"{name}_{dependency}_URL"): found.get(dependency)
        or workspace.services[dependency].base_url()
        for dependency in workspace.services[name].consumes
    }
