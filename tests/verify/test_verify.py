"""`accord verify` on a copy of the workspace: it passes as committed, and it catches
defects planted in a service, naming each one; can-i-deploy answers from its results."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def accord(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "accord", *args],
        capture_output=True, text=True, cwd=cwd, timeout=timeout, check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{REPO / 'src'}:{cwd}", "CI": "true",
             "HOME": str(cwd)},
    )  # fmt: skip


def workspace_copy(tmp_path: Path) -> Path:
    for part in ("contracts", "generated", "services", "mocks"):
        shutil.copytree(REPO / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def plant(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"the defect's anchor is gone from {path}: {old!r}"
    path.write_text(text.replace(old, new, 1))


def test_the_shop_verifies_and_can_be_deployed(tmp_path: Path) -> None:
    root = workspace_copy(tmp_path)
    proc = accord("verify", "--max-examples", "5", cwd=root)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    junit = ET.parse(root / "reports" / "junit.xml").getroot()
    suites = {s.get("name"): s for s in junit.iter("testsuite")}
    assert {"catalog.pact", "catalog.schemathesis", "orders.pact", "payments.pact",
            "reviews.pact", "reviews.schemathesis"} <= set(suites)  # fmt: skip
    assert all(s.get("failures") == "0" for s in suites.values())
    page = (root / "reports" / "report.html").read_text()
    assert '<svg id="graph"' in page and "storefront" in page and "All providers passed." in page
    for service in ("catalog", "orders", "payments", "reviews", "storefront", "web"):
        answer = accord("can-i-deploy", service, cwd=root)
        assert answer.returncode == 0, answer.stdout
        assert answer.stdout.startswith(f"yes: {service} can be deployed")
    # a pact that changes after verification has not been verified
    pact = root / "contracts" / "pacts" / "storefront-catalog.json"
    data = json.loads(pact.read_text())
    data["interactions"][0]["description"] += " (edited)"
    pact.write_text(json.dumps(data, indent=2))
    answer = accord("can-i-deploy", "catalog", cwd=root)
    assert answer.returncode == 1
    assert (
        "no verification result for storefront-catalog.json (storefront -> catalog) at catalog "
        "version src." in answer.stdout  # the copy is outside git: a digest of catalog's sources
    )


def test_planted_defects_fail_verification_and_are_named(tmp_path: Path) -> None:
    root = workspace_copy(tmp_path)
    service = root / "services" / "catalog" / "service.py"
    # 1. a renamed response field
    plant(
        service,
        '        return _product(row, row["available"])\n',
        '        body = _product(row, row["available"]).model_dump(mode="json")\n'
        '        body["title"] = body.pop("name")\n'
        "        return body\n",
    )
    # 2. a wrong status code
    plant(
        service,
        "return Reply(self._reservation(conn, ident), status=201)",
        "return Reply(self._reservation(conn, ident), status=200)",
    )
    # 3. a 500 on an edge value
    plant(
        service,
        "        size = min(limit or 20, PAGE_MAX)\n",
        "        size = min(limit or 20, PAGE_MAX)\n"
        "        if size == PAGE_MAX:\n"
        "            raise RuntimeError('edge')\n",
    )
    # 4. a missing provider state
    plant(
        root / "services" / "catalog" / "states.py",
        '@states.state("product {product_id} does not exist")',
        '@states.state("product {product_id} is gone")',
    )
    proc = accord("verify", "catalog", "--max-examples", "10", "--skip-gates", cwd=root)
    out = proc.stdout
    assert proc.returncode == 1, out[-3000:] + proc.stderr[-2000:]
    # the renamed field: the consumers' pacts say what they read
    renamed = [line for line in out.splitlines() if line.startswith("catalog: pact: storefront:")]
    assert renamed, out[-3000:]
    assert "Actual map is missing the following keys: name" in out  # exactly that key
    # the wrong status: orders' pact expects 201 from POST /reservations
    assert "reserve 2 of product prd_7Hx2Kq9LmN4p with 5 in stock" in out
    assert "expected 201 but was 200" in out
    # the 500 on limit=100
    assert "GET /products" in out and "Received: 500" in out
    # the missing provider state, by name
    assert "no provider state matches 'product prd_Zz00Zz00Zz00 does not exist'" in out
    junit = ET.parse(root / "reports" / "junit.xml").getroot()
    failures = [c.get("name") for c in junit.iter("testcase") if c.find("failure") is not None]
    assert len(failures) >= 4, failures
    # a CI log a reader can live with: plain progress lines, no access log, no FFI dump
    log = proc.stderr
    assert "] catalog schemathesis: running (seed 0)" in log and "] catalog: FAILED" in log
    assert "127.0.0.1 - - [" not in out + log and "returns a response which" not in out + log
    # each failure once, under its provider
    assert out.count("catalog: pact: orders: a request to reserve 2 of product") == 1
    assert "== catalog: FAILED (logs: reports/catalog/)" in out
    # the evidence is kept: the planted RuntimeError's traceback is in the provider's log
    evidence = root / "reports" / "catalog"
    provider_log = (evidence / "properties" / "catalog.log").read_text()
    assert "Traceback" in provider_log and "RuntimeError: edge" in provider_log
    assert "expected 201 but was 200" in (evidence / "pacts" / "pact-orders.txt").read_text()
    assert (evidence / "schemathesis" / "html").is_dir()
    assert (evidence / "schemathesis" / "schemathesis.log").stat().st_size > 0
    # every "reproduce" works after the run: a command that starts what it needs, and a
    # curl for the service where `accord up` runs it, with a token `accord token` prints
    assert "[Filtered]" not in out
    rerun = "accord verify catalog --skip-gates --no-pacts --seed 0 --max-examples 10"
    assert f"reproduce: {rerun}" in out
    assert re.search(
        r"reproduce: curl .*Bearer \$\(accord token\).*127\.0\.0\.1:8101/products", out
    )
    again = accord(*rerun.split()[1:], cwd=root)
    assert again.returncode == 1 and "catalog: schemathesis: GET /products" in again.stdout


def test_orders_failure_path_follows_its_dependencies_states(tmp_path: Path) -> None:
    """orders' state "product ... is out of stock" puts catalog's mock in "0 in stock": its
    reservation answers 409, so orders' handling of that 409 is verified, and a broken one
    is caught (before, catalog's mock answered the first 2xx and the order was confirmed)."""
    root = workspace_copy(tmp_path)
    run = ("verify", "orders", "--no-properties", "--skip-gates")
    passed = accord(*run, "-v", cwd=root)
    assert passed.returncode == 0, passed.stdout[-3000:] + passed.stderr[-2000:]
    # -v lets the Pact FFI's own per-interaction output through
    assert "a request to place an order for a product out of stock" in passed.stdout
    assert "returns a response which" in passed.stdout
    plant(
        root / "services" / "orders" / "service.py",
        "            if exc.status == 409:\n"
        '                self._update(order_id, state="failed", failure_reason="out_of_stock")',
        "            if exc.status == 410:\n"
        '                self._update(order_id, state="failed", failure_reason="out_of_stock")',
    )
    proc = accord(*run, cwd=root)
    out = proc.stdout
    assert proc.returncode == 1, out[-3000:] + proc.stderr[-2000:]
    failed = [line for line in out.splitlines() if line.startswith("orders: pact: ")]
    assert failed == [
        "orders: pact: storefront: a request to place an order for a product out of stock "
        "(given product prd_7Hx2Kq9LmN4p is out of stock)"
    ], out[-3000:]
    assert "expected 201 but was 502" in out


def test_a_defect_in_the_node_service_fails_verification_by_name(tmp_path: Path) -> None:
    root = workspace_copy(tmp_path)
    plant(
        root / "services" / "reviews" / "lib" / "store.js",
        "      average_rating: mean === null",
        "      averageRating: mean === null",
    )
    proc = accord("verify", "reviews", "--max-examples", "5", "--skip-gates", cwd=root)
    out = proc.stdout
    assert proc.returncode == 1, out[-3000:] + proc.stderr[-2000:]
    # storefront's pact (written by the Python consumer) pins the field it reads
    assert "reviews: pact: storefront: a request for a product's latest reviews" in out
    assert "average_rating" in out
    # and schemathesis finds the response no longer fits the contract
    assert "reviews: schemathesis: GET /products/{productId}/reviews" in out


def test_base_url_verifies_a_running_provider(tmp_path: Path) -> None:
    root = workspace_copy(tmp_path)
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{REPO / 'src'}:{root}"}
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "services.payments", "--port", str(port),
         "--db", str(root / "p.sqlite3"), "--provider-states"],
        cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        import time  # noqa: PLC0415

        import httpx  # noqa: PLC0415

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        proc = accord(
            "verify", "payments", "--base-url", f"http://127.0.0.1:{port}", "--skip-gates",
            "--max-examples", "5", cwd=root,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        both = accord("verify", "payments", "catalog", "--base-url", "http://127.0.0.1:1", cwd=root)
        assert both.returncode == 2 and "name exactly one service" in both.stderr
    finally:
        server.terminate()
        server.wait(timeout=10)
