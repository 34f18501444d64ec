"""Starting a provider for verification: a fresh database, its dependencies mocked.

A provider is started as its manifest entry says (``python -m <module> --port P --db
<fresh file> --provider-states``, or its ``command`` with ``{port}`` and ``{db}`` filled
in and ``ACCORD_PROVIDER_STATES=1``; one with only a ``url`` is used where it runs).
The services it consumes are served by ``accord mock``, in pact mode from the
provider's own pact with each of them (else from their contracts), and their URLs
passed as ``<PROVIDER>_<DEPENDENCY>_URL`` (``ORDERS_CATALOG_URL``): each provider is
verified alone, against what its dependencies promised it rather than what they happen
to do today.

A started provider and its mocks get the workspace's clean service environment
(:func:`accord.workspace.service_environment`, the one ``accord up`` gives too: nothing
that points at the developer's broker, databases or ``ACCORD_*`` settings); what verify
sets up itself (its databases, mocks and NATS server) is then given to them.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from pathlib import Path

from accord._process import Process, free_port
from accord.workspace import (
    MOCK_HEALTH_PATH,
    SECRET_ENV,
    Workspace,
    dependency_urls,
    service_environment,
    service_secret,
)

__all__ = ["free_port", "running_provider"]


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
        **service_environment(workspace),
        "PYTHONPATH": os.pathsep.join(paths),
        SECRET_ENV: service_secret(),
    }
    mocks: dict[str, str] = {}  # dependency -> the URL of its mock
    with ExitStack() as started:  # stopped last-started first
        for dependency in spec.consumes:
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            targets = _mock_target(workspace, name, dependency, deps_from_pacts)
            argv = [sys.executable, "-m", "accord", "mock", *targets,
                    "--port", str(port), "-q"]  # fmt: skip
            log = _fresh(workdir / f"mock-{dependency}.log")
            health = url + MOCK_HEALTH_PATH
            mock = Process(f"mock of {dependency}", argv, health, env, workspace.root, log,
                           require_2xx=True)  # fmt: skip
            started.enter_context(mock)
            mocks[dependency] = url
            if pact_mocks is not None and targets[0].endswith(".json"):
                pact_mocks[dependency] = url
        port = free_port()
        db = workdir / f"{name}.{'sqlite3' if spec.module else 'db'}"
        launch = spec.launch(workspace.root, port=port, db=db, provider_states=True)
        log = _fresh(workdir / f"{name}.log")
        mine = {**dependency_urls(workspace, name, mocks), **extra}
        started.enter_context(launch.process(name, env, log=log, overrides=mine))
        yield spec.base_url(port)


def _fresh(log: Path) -> Path:
    log.unlink(missing_ok=True)  # Process appends; each run's log starts empty
    return log
