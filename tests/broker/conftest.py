"""A real ``accord broker`` process per test (free port, temporary database), a tiny
provider to verify, the official Pact CLI, and a throwaway PostgreSQL cluster."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

REPO = Path(__file__).resolve().parents[2]
PACT_CLI = Path(sys.executable).parent / "pact"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def accord_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PACT_BROKER_")}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO)])
    env["PACT_DO_NOT_TRACK"] = "true"
    env.update(extra)
    return env


@contextmanager
def running_broker(folder: Path, *args: str, db: str | None = None) -> Iterator[str]:
    """``accord broker`` in its own process until the block ends; yields its URL."""
    port = free_port()
    log = folder / f"broker-{port}.log"
    command = [
        sys.executable,
        "-m",
        "accord",
        "broker",
        "--port",
        str(port),
        "--db",
        db or str(folder / "broker.sqlite3"),
        *args,
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=accord_env())
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(url + "/", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the broker did not start:\n{log.read_text()}")
            time.sleep(0.1)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[str]:
    with running_broker(tmp_path) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)])
def any_broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A broker on SQLite, and (slow) one on a throwaway PostgreSQL cluster."""
    if request.param == "sqlite":
        with running_broker(tmp_path) as url:
            yield url
        return
    with postgres_cluster() as db, running_broker(tmp_path, db=db) as url:
        yield url


@pytest.fixture(scope="module")
def shared_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One broker for a module's tests that only read, or write what no other reads."""
    with running_broker(tmp_path_factory.mktemp("broker")) as url:
        yield url


def reader_pact(title: str = "Dune", description: str = "a book") -> dict[str, Any]:
    """A one-interaction pact: reader expects shelf to answer ``GET /books/1``."""
    return {
        "consumer": {"name": "reader"},
        "provider": {"name": "shelf"},
        "interactions": [
            {
                "description": description,
                "request": {"method": "GET", "path": "/books/1"},
                "response": {
                    "status": 200,
                    "headers": {"Content-Type": "application/json"},
                    "body": {"id": 1, "title": title},
                },
            }
        ],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }


def write_pact(folder: Path, pact: dict[str, Any], name: str = "reader-shelf.json") -> Path:
    path = folder / name
    path.write_text(json.dumps(pact), "utf-8")
    return path


@contextmanager
def shelf_provider(title: str) -> Iterator[str]:
    """A provider answering ``GET /books/1`` with ``title``: "Dune" honours the pact."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = json.dumps({"id": 1, "title": title}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def pact_cli(*args: str, token: str | None = None) -> subprocess.CompletedProcess[str]:
    """The official Pact CLI (PyPI pact-python-cli), ``pact broker ...``."""
    env = accord_env()
    if token:
        env["PACT_BROKER_TOKEN"] = token
    return subprocess.run(
        [str(PACT_CLI), "broker", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def accord(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "accord", *args],
        capture_output=True,
        text=True,
        env=accord_env(**env),
        cwd=cwd,
        timeout=300,
        check=False,
    )


def ffi_verify(
    broker: str,
    title: str,
    version: str,
    *,
    branch: str = "main",
    selectors: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The Pact FFI verifier (pact-python): pacts for verification from ``broker``,
    verified against a provider answering ``title``, results published as ``version``."""
    from pact import Verifier  # noqa: PLC0415

    os.environ["PACT_DO_NOT_TRACK"] = "true"
    with shelf_provider(title) as provider:
        builder = (
            Verifier("shelf", host="127.0.0.1")
            .add_transport(url=provider)
            .broker_source(broker, selector=True, use_env=False)
            .include_pending()
            .provider_branch(branch)
        )
        for selector in selectors or [{"main_branch": True}]:
            builder = builder.consumer_version(**selector)
        verifier = builder.build().set_publish_options(version=version, branch=branch)
        with contextlib.suppress(RuntimeError):  # failed: the results say what failed
            verifier.verify()
        results: dict[str, Any] = verifier.results
        return results


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """A throwaway PostgreSQL cluster in a temporary folder on a free port; yields its URL.

    As root (initdb refuses to run as root) the cluster runs as the ``postgres`` user,
    in a folder of its own under /tmp (pytest's folders are private to root).
    """
    bindir = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"))), None)
    if bindir is None or not (bindir / "initdb").exists():
        pytest.fail("PostgreSQL is missing: run `make setup` (apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="accord-pg-"))
    data = folder / "data"
    port = free_port()
    prefix: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        prefix = ["runuser", "-u", "postgres", "--"]

    def run(*cmd: str) -> None:
        subprocess.run([*prefix, *cmd], check=True, capture_output=True, timeout=120)

    try:
        run(str(bindir / "initdb"), "-D", str(data), "-U", "broker", "--auth=trust", "-E", "UTF8")
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c max_connections=200"
        run(str(bindir / "pg_ctl"), "-D", str(data), "-l", str(folder / "pg.log"), "-w",
            "-o", options, "start")  # fmt: skip
        try:
            run(str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "broker",
                "broker")  # fmt: skip
            yield f"postgresql://broker@127.0.0.1:{port}/broker"
        finally:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
