"""Starting a provider for verification: a fresh database, its dependencies mocked.

A provider is started as its manifest entry says (``python -m <module> --port P --db
<fresh file> --provider-states``, or its ``command`` with ``{port}`` and ``{db}`` filled
in and ``ACCORD_PROVIDER_STATES=1``; one with only a ``url`` is used where it runs).
The services it consumes are served by ``accord mock``, in pact mode from the
provider's own pact with each of them (else from their contracts), and their URLs
passed as ``<PROVIDER>_<DEPENDENCY>_URL`` (``ORDERS_CATALOG_URL``): each provider is
verified alone, against what its dependencies promised it rather than what they happen
to do today.

A started provider and its mocks get this process's environment without what would
point them at the developer's own infrastructure: every variable named for a service of
the workspace (``ORDERS_NATS_URL``, ``CATALOG_DB``), Accord's own ``ACCORD_*`` ones
(``ACCORD_NATS_URL``), and the usual unscoped ones (``DATABASE_URL``, ``NATS_URL``, ...).
What verify sets up itself (its databases, mocks and NATS server) is then given to them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

from accord._process import Process, free_port
from accord.workspace import Workspace

__all__ = ["free_port", "own_environment", "running_provider", "service_secret"]

#: unscoped variables that commonly point a service at shared infrastructure
_SHARED_INFRA = frozenset(
    {"DATABASE_URL", "NATS_URL", "REDIS_URL", "AMQP_URL", "RABBITMQ_URL", "KAFKA_BROKERS",
     "KAFKA_BOOTSTRAP_SERVERS", "MONGODB_URI", "MONGO_URL", "PGHOST", "PGDATABASE"}
)  # fmt: skip


def own_environment(workspace: Workspace) -> dict[str, str]:
    """This process's environment without what points a service at existing infrastructure.

    Dropped: variables named for any service of the workspace (``<SERVICE>_...``),
    ``ACCORD_...`` ones and the unscoped ones in ``_SHARED_INFRA``.
    """
    prefixes = ("ACCORD_", *(_env_name(f"{name}_") for name in workspace.services))
    return {
        key: value
        for key, value in os.environ.items()
        if not key.upper().startswith(prefixes) and key.upper() not in _SHARED_INFRA
    }


def service_secret() -> str:
    """The HS256 secret started providers verify tokens with (and sign their own with)."""
    return os.environ.get("ACCORD_JWT_SECRET", "dev-only-secret")


def _mock_target(
    workspace: Workspace, provider: str, dependency: str, from_pacts: bool
) -> list[str]:
    """The pacts between ``provider`` and ``dependency`` when there are any, else the contract.

    Served in pact mode, a dependency answers exactly what ``provider`` was promised in
    its own consumer tests: unknown products 404, the declined token declines.
    """
    pact = workspace.pacts_dir / f"{provider}-{dependency}.json"
    if from_pacts and pact.is_file():
        return [str(pact)]
    return [str(workspace.services[dependency].contract)]


@contextmanager
def running_provider(
    workspace: Workspace,
    name: str,
    workdir: Path,
    *,
    deps_from_pacts: bool = True,
    pact_mocks: dict[str, str] | None = None,
    env: Mapping[str, str] | None = None,
) -> Iterator[str]:
    """Start ``name`` (and mocks of what it consumes); yield its base URL; stop everything.

    ``deps_from_pacts`` serves dependencies in pact mode (for pact verification: the
    provider gets what it was promised); otherwise from their contracts (for property
    tests: any valid request gets a valid answer); the URL of each dependency's pact-mode
    mock goes into ``pact_mocks``, for its states to be chosen; ``env`` is added to the
    provider's environment (where its message broker is). A service declared with
    only a ``url`` is already running: it is used as it is, with nothing started.
    """
    spec = workspace.services[name]
    if spec.url and not spec.startable:
        yield spec.base_url()
        return
    workdir.mkdir(parents=True, exist_ok=True)
    # the workspace first (its services' modules), then whatever this process was given
    paths = [str(workspace.root), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    extra = dict(env or {})
    env = {
        **own_environment(workspace),
        "PYTHONPATH": os.pathsep.join(paths),
        "ACCORD_JWT_SECRET": service_secret(),
    }
    with ExitStack() as started:  # stopped last-started first
        for dependency in spec.consumes:
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            targets = _mock_target(workspace, name, dependency, deps_from_pacts)
            argv = [sys.executable, "-m", "accord", "mock", *targets,
                    "--port", str(port), "-q"]  # fmt: skip
            log = _fresh(workdir / f"mock-{dependency}.log")
            mock = Process(f"mock of {dependency}", argv, url + "/", env, workspace.root, log)
            started.enter_context(mock)
            env[_env_name(f"{name}_{dependency}_URL")] = url
            if pact_mocks is not None and targets[0].endswith(".json"):
                pact_mocks[dependency] = url
        port = free_port()
        db = workdir / f"{name}.{'sqlite3' if spec.module else 'db'}"
        launch = spec.launch(workspace.root, port=port, db=db, provider_states=True)
        log = _fresh(workdir / f"{name}.log")
        environment = {**env, **launch.env, **extra}
        process = Process(name, launch.argv, launch.health, environment, launch.cwd, log)
        started.enter_context(process)
        yield spec.base_url(port)


def _env_name(text: str) -> str:
    """An environment variable's name: ``pactflow-example_CATALOG_URL`` -> upper case, ``_``."""
    return text.upper().replace("-", "_")


def _fresh(log: Path) -> Path:
    log.unlink(missing_ok=True)  # Process appends; each run's log starts empty
    return log
