"""Starting a provider for verification: a fresh database, its dependencies mocked.

A provider is started as ``python -m <module> --port P --db <fresh file>
--provider-states``. The services it consumes are served by ``accord mock``, in pact
mode from the provider's own pact with each of them (else from their contracts),
and their URLs passed as ``<PROVIDER>_<DEPENDENCY>_URL`` (``ORDERS_CATALOG_URL``):
each provider is verified alone, against what its dependencies promised it rather
than what they happen to do today.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from accord._errors import AccordError
from accord._process import Process, free_port
from accord.workspace import Workspace

__all__ = ["free_port", "running_provider", "service_secret"]


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
    workspace: Workspace, name: str, workdir: Path, *, deps_from_pacts: bool = True
) -> Iterator[str]:
    """Start ``name`` (and mocks of what it consumes); yield its base URL; stop everything.

    ``deps_from_pacts`` serves dependencies in pact mode (for pact verification: the
    provider gets what it was promised); otherwise from their contracts (for property
    tests: any valid request gets a valid answer).
    """
    spec = workspace.services[name]
    if not spec.module:
        raise AccordError(f"service {name!r} has no `module` in {workspace.source.display}")
    workdir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        # the workspace first; then the caller's path (an uninstalled accord under test)
        "PYTHONPATH": os.pathsep.join(
            p for p in (str(workspace.root), os.environ.get("PYTHONPATH", "")) if p
        ),
        "ACCORD_JWT_SECRET": service_secret(),
    }
    with ExitStack() as started:  # stopped last-started first
        for dependency in spec.consumes:
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            argv = [sys.executable, "-m", "accord", "mock",
                    *_mock_target(workspace, name, dependency, deps_from_pacts),
                    "--port", str(port), "-q"]  # fmt: skip
            log = _fresh(workdir / f"mock-{dependency}.log")
            mock = Process(f"mock of {dependency}", argv, url + "/", env, workspace.root, log)
            started.enter_context(mock)
            env[f"{name.upper()}_{dependency.upper()}_URL"] = url
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        argv = [sys.executable, "-m", spec.module, "--port", str(port),
                "--db", str(workdir / f"{name}.sqlite3"), "--provider-states"]  # fmt: skip
        log = _fresh(workdir / f"{name}.log")
        started.enter_context(Process(name, argv, url + "/healthz", dict(env), workspace.root, log))
        yield url


def _fresh(log: Path) -> Path:
    log.unlink(missing_ok=True)  # Process appends; each run's log starts empty
    return log
