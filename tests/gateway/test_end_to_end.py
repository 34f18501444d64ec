"""``accord up`` on free ports: the real shop behind the real gateway, then stopped cleanly.

The storefront (its own CLI, a separate process) places an order through the
gateway; tokens without the scope, without a token and expired are refused there.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import yaml

from tests.gateway.conftest import free_port
from tests.shop.events import stream_messages

REPO = Path(__file__).resolve().parents[2]
SECRET = "end-to-end-secret-that-is-long-enough-for-hs256"
SCOPES = "catalog:read catalog:write orders:read orders:write"

pytestmark = pytest.mark.slow


def _token(scope: str = SCOPES, ttl: int = 300) -> str:
    now = int(time.time())
    claims = {"sub": "shopper", "iss": "https://auth.shop.invalid", "aud": "shop",
              "iat": now - 10, "exp": now + ttl, "scope": scope}  # fmt: skip
    return jwt.encode(claims, SECRET, algorithm="HS256")


Up = tuple[str, "subprocess.Popen[str]", dict[str, int], list[str]]


@contextmanager
def accord_up(tmp_path: Path, *args: str) -> Iterator[Up]:
    """``accord up`` over a copy of the workspace whose ports are all free."""
    shutil.copytree(REPO / "contracts", tmp_path / "contracts")
    # reviews (Node) runs in ../services/reviews of the manifest, with its node_modules
    (tmp_path / "services").symlink_to(REPO / "services")
    manifest = tmp_path / "contracts" / "accord.yaml"
    data: dict[str, Any] = yaml.safe_load(manifest.read_text())
    ports = {name: free_port() for name in [*data["services"], "gateway"]}
    for name in data["services"]:
        data["services"][name]["port"] = ports[name]
    data["gateway"]["port"] = ports["gateway"]
    manifest.write_text(yaml.safe_dump(data))
    events = tmp_path / "contracts" / "asyncapi" / "orders.yaml"  # its NATS server: a free port
    events.write_text(events.read_text().replace("127.0.0.1:4222", f"127.0.0.1:{free_port()}"))
    # this checkout's code, not whichever one the virtualenv installed
    env = {**os.environ, "ACCORD_JWT_SECRET": SECRET,
           "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}"}  # fmt: skip
    env["ORDERS_CATALOG_URL"] = f"http://127.0.0.1:{ports['catalog']}"
    env["ORDERS_PAYMENTS_URL"] = f"http://127.0.0.1:{ports['payments']}"
    # started as a background job is (as CI starts it): with SIGINT ignored, which accord
    # up must override so that SIGINT still stops it
    background = ["sh", "-c", 'trap "" INT; exec "$@"', "sh"]
    proc = subprocess.Popen(
        [*background, sys.executable, "-m", "accord", "up", "--workspace", str(manifest), *args],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("all up"):
                break
        assert lines and lines[-1].startswith("all up"), "".join(lines)
        # keep reading, so the children never block on a full pipe
        threading.Thread(target=lambda: lines.extend(proc.stdout or ()), daemon=True).start()
        yield f"http://127.0.0.1:{ports['gateway']}", proc, ports, lines
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()


def _refused(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=0.5)
    except httpx.ConnectError:
        return True
    return False


@pytest.fixture
def shop_up(tmp_path: Path) -> Iterator[Up]:
    with accord_up(tmp_path) as running:
        yield running


def test_storefront_orders_through_the_gateway_then_up_stops_everything(shop_up: Up) -> None:
    url, proc, ports, lines = shop_up
    auth = {"Authorization": f"Bearer {_token()}"}
    assert httpx.get(url + "/readyz", timeout=5).status_code == 200
    created = httpx.post(
        url + "/products",
        json={"sku": "CUP-E2E", "name": "Espresso cup", "category": "kitchen",
              "price": {"amount": 1299, "currency": "EUR"}, "initial_on_hand": 5},
        headers=auth, timeout=10,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    product = created.json()["id"]

    storefront = subprocess.run(
        [sys.executable, "-m", "services.storefront", "--orders-url", url, "--catalog-url", url,
         "--token", _token(), "order", "--customer", "cus_9dLw3Rt7Yb2e",
         "--payment-token", "tok_visa4242AbCdEf", f"{product}:2"],
        cwd=REPO, capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip
    assert storefront.returncode == 0, storefront.stdout + storefront.stderr
    assert "confirmed" in storefront.stdout
    # `accord up` started the event contracts' NATS server; orders published the event there
    (nats,) = [line.split()[1] for line in lines if line.startswith("nats ")]
    deadline = time.monotonic() + 15
    while not (events := stream_messages(nats)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [payload["type"] for _, _, payload in events] == ["order.confirmed"]

    stock = httpx.get(f"{url}/products/{product}/stock", headers=auth, timeout=10)
    assert stock.status_code == 200 and stock.json()["on_hand"] == 3, stock.text

    order = {"customer_id": "cus_9dLw3Rt7Yb2e", "currency": "EUR",
             "payment_token": "tok_visa4242AbCdEf",
             "lines": [{"product_id": product, "quantity": 1}]}  # fmt: skip
    no_token = httpx.post(url + "/orders", json=order, timeout=10)
    weak = {"Authorization": f"Bearer {_token('orders:read')}"}
    read_only = httpx.post(url + "/orders", json=order, timeout=10, headers=weak)
    old = {"Authorization": f"Bearer {_token(ttl=-60)}"}
    expired = httpx.post(url + "/orders", json=order, timeout=10, headers=old)
    assert (no_token.status_code, read_only.status_code, expired.status_code) == (401, 403, 401)

    # issue 14: the JavaScript service behind the same gateway, same token rules
    writer = {"Authorization": f"Bearer {_token('reviews:read reviews:write')}"}
    review = {"rating": 4, "title": "Good cup"}
    posted = httpx.post(f"{url}/products/{product}/reviews", json=review, headers=writer)
    assert posted.status_code == 201 and posted.json()["author"] == "shopper", posted.text
    assert posted.headers["location"] == f"/reviews/{posted.json()['id']}"
    page = httpx.get(f"{url}/products/{product}/reviews", headers=writer, timeout=10)
    assert (page.json()["count"], page.json()["average_rating"]) == (1, 4), page.text
    bad = httpx.post(f"{url}/products/{product}/reviews", json={"rating": 9}, headers=writer)
    unscoped = httpx.post(f"{url}/products/{product}/reviews", json=review, headers=auth)
    assert (bad.status_code, unscoped.status_code) == (400, 403)

    # issue 13: the trailing slash is decided at the gateway (no internal address, one Date),
    # HEAD is answered by the service, and an unsigned token with forged scopes is refused
    slash = httpx.get(url + "/products/", headers=auth, timeout=10)
    assert (slash.status_code, slash.headers["location"]) == (308, "/products")
    assert len(slash.headers.get_list("date")) == 1
    head = httpx.head(url + "/products", headers=auth, timeout=10)
    assert head.status_code == 200 and head.content == b""
    forged = jwt.encode({"sub": "x", "scope": SCOPES, "exp": 2**31}, None, algorithm="none")
    direct = f"http://127.0.0.1:{ports['catalog']}/products"
    for target in (url + "/products", direct):
        answer = httpx.get(target, headers={"Authorization": f"Bearer {forged}"}, timeout=10)
        assert answer.status_code == 401, target

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    assert all(_refused(port) for port in ports.values())


def _stopped(proc: subprocess.Popen[str], lines: list[str], within: float = 20) -> int:
    """``accord up``'s exit code once it stopped (it must within ``within`` seconds); what
    it printed is in the failure, so a slow shutdown says which child held it."""
    try:
        return proc.wait(timeout=within)
    except subprocess.TimeoutExpired:
        raise AssertionError(
            f"accord up still running after {within} s:\n{''.join(lines)}"
        ) from None


def test_up_with_a_mocked_service(tmp_path: Path) -> None:
    with accord_up(tmp_path, "--mock", "payments") as (url, proc, ports, lines):
        assert httpx.get(url + "/readyz", timeout=5).status_code == 200
        auth = {"Authorization": f"Bearer {_token('payments:read')}"}
        charge = httpx.get(url + "/charges/ch_5Gh8Jk2Lm4Np", headers=auth, timeout=10)
        assert charge.status_code == 200, charge.text
        proc.send_signal(signal.SIGINT)
        assert _stopped(proc, lines) == 0
    assert all(_refused(port) for port in ports.values())


def _child(parent: int, module: str) -> int:
    """The pid of ``parent``'s child running ``python -m <module>`` (Linux /proc)."""
    for task in Path(f"/proc/{parent}/task").iterdir():
        for pid in (task / "children").read_text().split():
            if module in Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0"):
                return int(pid)
    raise AssertionError(f"no child runs {module}")


def test_up_restarts_a_dead_child_and_keeps_the_others(shop_up: Up) -> None:
    url, proc, _, output = shop_up
    auth = {"Authorization": f"Bearer {_token('catalog:read payments:read')}"}
    killed = _child(proc.pid, "services.payments")
    os.kill(killed, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while not any("payments is back" in line for line in output):
        assert proc.poll() is None, "".join(output)  # accord up itself keeps running
        products = httpx.get(url + "/products", headers=auth, timeout=5)  # catalog still up
        assert products.status_code == 200, products.text
        assert time.monotonic() < deadline, "".join(output)
        time.sleep(0.1)
    report = "".join(output)
    assert f"payments exited with -{int(signal.SIGKILL)}; restarting in" in report, report
    assert _child(proc.pid, "services.payments") != killed
    charges = httpx.get(url + "/charges", headers=auth, timeout=5)
    assert charges.status_code == 200, charges.text  # through the gateway, to the new one
