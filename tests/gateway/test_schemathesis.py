"""Schemathesis against the real gateway in front of the real shop, one run per contract.

The four shop services (``python -m services.<name> --port P --db <tmp>``, and reviews
as ``node services/reviews/server.js --port P --db <tmp>``) and
``accord gateway`` run as processes on free 127.0.0.1 ports; schemathesis' CLI is
pointed at the gateway with a token valid there (HS256 with the gateway's secret,
issuer and audience from ``contracts/accord.yaml``, every scope of the contract) and
must find no 5xx and no conformance failure (``--checks all --mode all``).
The workspace is copied with a generous rate limit, so that 429s (which the
contracts do not declare) do not mask real findings.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import yaml

from tests.gateway.conftest import free_port

REPO = Path(__file__).resolve().parents[2]
SECRET = "schemathesis-secret-that-is-long-enough-for-hs256"
SERVICES = ("catalog", "payments", "orders", "reviews")

pytestmark = pytest.mark.slow


def _scopes(contract: Path) -> list[str]:
    doc: dict[str, Any] = yaml.safe_load(contract.read_text())
    found: set[str] = set()
    schemes = (doc.get("components") or {}).get("securitySchemes") or {}
    for scheme in schemes.values():
        for flow in (scheme.get("flows") or {}).values():
            found.update(flow.get("scopes") or {})
    return sorted(found)


def _token(manifest: Path) -> str:
    data: dict[str, Any] = yaml.safe_load(manifest.read_text())
    auth = data["gateway"]["auth"]
    scopes: set[str] = set()
    for spec in data["services"].values():
        scopes.update(_scopes(manifest.parent / spec["contract"]))
    now = int(time.time())
    claims = {"sub": "schemathesis", "iss": auth["issuer"], "aud": auth["audience"],
              "iat": now - 10, "exp": now + 3600, "scope": " ".join(sorted(scopes))}  # fmt: skip
    return jwt.encode(claims, SECRET, algorithm="HS256")


def _wait(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(url, timeout=1.0).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer in 30 s")


@contextmanager
def _process(
    argv: list[str], env: dict[str, str], log: Path, health: str
) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        proc = subprocess.Popen(argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait(health, proc, log)
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str, Path]]:
    """The gateway URL, a token for it and the tmp folder, with the shop behind it."""
    tmp = tmp_path_factory.mktemp("schemathesis")
    shutil.copytree(REPO / "contracts", tmp / "contracts")
    manifest = tmp / "contracts" / "accord.yaml"
    data: dict[str, Any] = yaml.safe_load(manifest.read_text())
    data["gateway"]["rate_limit"] = {"requests_per_second": 100000, "burst": 100000}
    manifest.write_text(yaml.safe_dump(data))
    ports = {name: free_port() for name in [*SERVICES, "gateway"]}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    env = {
        **os.environ,
        "ACCORD_JWT_SECRET": SECRET,
        "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}",
    }
    env["ORDERS_CATALOG_URL"] = urls["catalog"]
    env["ORDERS_PAYMENTS_URL"] = urls["payments"]
    with ExitStack() as stack:
        for name in SERVICES:
            argv = [sys.executable, "-m", f"services.{name}", "--port", str(ports[name]),
                    "--db", str(tmp / f"{name}.sqlite3")]  # fmt: skip
            if name == "reviews":  # JavaScript on Node
                argv = ["node", str(REPO / "services" / "reviews" / "server.js"),
                        "--port", str(ports[name]), "--db", str(tmp / "reviews.json")]  # fmt: skip
            stack.enter_context(_process(argv, env, tmp / f"{name}.log", urls[name] + "/healthz"))
        upstreams = [f"--upstream={name}={urls[name]}" for name in SERVICES]
        argv = [sys.executable, "-m", "accord", "gateway", "--port", str(ports["gateway"]),
                "--workspace", str(manifest), *upstreams]  # fmt: skip
        stack.enter_context(_process(argv, env, tmp / "gateway.log", urls["gateway"] + "/readyz"))
        yield urls["gateway"], _token(manifest), tmp


def _schemathesis(
    shop: tuple[str, str, Path], service: str, label: str, *selection: str
) -> subprocess.CompletedProcess[str]:
    url, token, tmp = shop
    work = tmp / f"st-{label}"
    work.mkdir()
    cmd = [sys.executable, "-m", "schemathesis.cli", "run",
           str(REPO / "contracts" / "openapi" / f"{service}.yaml"), "--url", url,
           "--checks", "all", "--mode", "all", "-n", "10", "--seed", "0",
           "-H", f"Authorization: Bearer {token}", *selection]  # fmt: skip
    return subprocess.run(
        cmd, cwd=work, capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip


@pytest.mark.parametrize("service", SERVICES)
def test_schemathesis_finds_nothing_through_the_gateway(
    shop: tuple[str, str, Path], service: str
) -> None:
    done = _schemathesis(shop, service, service)
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]
