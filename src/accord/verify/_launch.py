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
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from accord._errors import AccordError
from accord.workspace import Workspace

__all__ = ["free_port", "running_provider", "service_secret"]


def service_secret() -> str:
    """The HS256 secret started providers verify tokens with (and sign their own with)."""
    return os.environ.get("ACCORD_JWT_SECRET", "dev-only-secret")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
            raise AccordError(f"{url} exited with {proc.returncode} before answering:\n{tail}")
        try:
            httpx.get(url, timeout=0.5)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AccordError(f"{url} did not answer within {timeout:.0f} s (log: {log})")


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
        "PYTHONPATH": str(workspace.root),
        "ACCORD_JWT_SECRET": service_secret(),
    }
    started: list[subprocess.Popen[bytes]] = []
    try:
        for dependency in spec.consumes:
            port = free_port()
            log = workdir / f"mock-{dependency}.log"
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    [sys.executable, "-m", "accord", "mock",
                     *_mock_target(workspace, name, dependency, deps_from_pacts),
                     "--port", str(port), "-q"],
                    cwd=workspace.root, env=env, stdout=out, stderr=out,
                )  # fmt: skip
            started.append(proc)
            url = f"http://127.0.0.1:{port}"
            _wait(url + "/", proc, log)
            env[f"{name.upper()}_{dependency.upper()}_URL"] = url
        port = free_port()
        log = workdir / f"{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", spec.module, "--port", str(port),
                 "--db", str(workdir / f"{name}.sqlite3"), "--provider-states"],
                cwd=workspace.root, env=env, stdout=out, stderr=out,
            )  # fmt: skip
        started.append(proc)
        url = f"http://127.0.0.1:{port}"
        _wait(url + "/healthz", proc, log)
        yield url
    finally:
        for proc in reversed(started):
            if proc.poll() is None:
                proc.terminate()
        for proc in started:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
