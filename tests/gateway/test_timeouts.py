"""Slow clients against a real ``accord gateway`` process: header and body timeouts, the cap.

A bounded slow client (raw sockets, one byte at a time) must be cut off within the
timeout plus a margin; connections past ``max_connections`` wait until one closes.
The same client drives ``accord mock`` in ``tests/mock/test_timeouts.py``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import yaml

from tests.gateway.conftest import free_port

pytestmark = pytest.mark.slow

SRC = Path(__file__).resolve().parents[2] / "src"
#: what a timeout may overrun by on a busy two-CPU machine
MARGIN = 1.5
CONTRACT = {
    "openapi": "3.0.3",
    "info": {"title": "things", "version": "1"},
    "paths": {
        "/things": {
            "post": {
                "operationId": "createThing",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "responses": {"201": {"description": "made"}, "400": {"description": "bad"}},
            }
        }
    },
}


def slow_headers(port: int, *, interval: float = 0.25, give_up: float = 10.0) -> float | None:
    """Send a request's headers one byte every ``interval`` s; the seconds until the server
    closed the connection (None if it was still open after ``give_up`` s or all was sent)."""
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 200 + b"\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.settimeout(interval)
        start = time.monotonic()
        for byte in request:
            try:
                sock.sendall(bytes([byte]))
                if sock.recv(4096) == b"":
                    return time.monotonic() - start
                return None  # an answer before the headers ended: not what this tests
            except TimeoutError:
                pass
            except OSError:  # reset: closed as well
                return time.monotonic() - start
            if time.monotonic() - start > give_up:
                return None
    return None


def slow_body(port: int, path: str, *, interval: float = 0.25, give_up: float = 10.0) -> bytes:
    """Send whole headers, then a 200-byte body one byte every ``interval`` s; what the
    server answered before closing (b"" if nothing came within ``give_up`` s)."""
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Content-Length: 200\r\n\r\n"
    ).encode()
    received = b""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(head)
        sock.settimeout(interval)
        start = time.monotonic()
        while time.monotonic() - start < give_up:
            try:
                sock.sendall(b" ")
            except OSError:
                break
            try:
                chunk = sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                break
            if chunk == b"":
                break
            received += chunk
    return received


@contextmanager
def held_connections(port: int, count: int) -> Iterator[list[socket.socket]]:
    """``count`` connections that sent half a request line and wait."""
    held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)]
    try:
        for sock in held:
            sock.sendall(b"GET /healthz HT")
        yield held
    finally:
        for sock in held:
            sock.close()


def answer_after(port: int, path: str, wait: float) -> bytes:
    """Send a whole request; what came back within ``wait`` seconds."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        sock.settimeout(wait)
        try:
            return sock.recv(4096)
        except TimeoutError:
            return b""


def wait_until_up(url: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"the server exited: {log.read_text(errors='replace')}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("the server did not start in time")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextmanager
def gateway(tmp_path: Path, **settings: object) -> Iterator[int]:
    """``accord gateway`` over a one-service workspace with these ``gateway:`` settings."""
    contracts = tmp_path / "contracts"
    (contracts / "openapi").mkdir(parents=True)
    (contracts / "openapi" / "things.yaml").write_text(yaml.safe_dump(CONTRACT))
    port, upstream = free_port(), free_port()
    manifest = {
        "version": 1,
        "services": {"things": {"contract": "openapi/things.yaml", "port": upstream}},
        "gateway": {"port": port, **settings},
    }
    (contracts / "accord.yaml").write_text(yaml.safe_dump(manifest))
    secret = {"ACCORD_JWT_SECRET": "timeouts-secret-that-is-long-enough-for-hs256"}
    args = ("gateway", "--workspace", str(contracts / "accord.yaml"))
    with running_accord(args, tmp_path, f"http://127.0.0.1:{port}/healthz", secret):
        yield port


@contextmanager
def running_accord(
    args: tuple[str, ...], cwd: Path, ready_url: str, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    """``python -m accord *args`` with this checkout's src first, up once ``ready_url`` answers.

    Its stderr (one access-log line per request) goes to a file: a pipe nobody reads fills
    after ~270 lines and then blocks the server, which looks like connections held forever.
    """
    environ = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    log = cwd / f"accord-{args[0]}.stderr"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-m", "accord", *args], cwd=cwd, env={**environ, **(env or {})},
            stdout=subprocess.DEVNULL, stderr=sink,
        )  # fmt: skip
    try:
        wait_until_up(ready_url, proc, log)
        yield proc
    finally:
        stop(proc)


def test_slow_headers_are_cut_off(tmp_path: Path) -> None:
    with gateway(tmp_path, timeouts={"client_headers": 1, "client_body": 1}) as port:
        closed = slow_headers(port)
        assert closed is not None, "a client trickling its headers was kept"
        assert closed < 1 + MARGIN


def test_a_slow_body_gets_408(tmp_path: Path) -> None:
    with gateway(tmp_path, timeouts={"client_headers": 5, "client_body": 1}) as port:
        start = time.monotonic()
        answer = slow_body(port, "/things")
        took = time.monotonic() - start
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"application/problem+json" in answer
        assert took < 1 + MARGIN


def test_connections_past_the_cap_wait_for_one_to_close(tmp_path: Path) -> None:
    with gateway(tmp_path, timeouts={"client_headers": 20}, max_connections=2) as port:
        with held_connections(port, 2):
            assert answer_after(port, "/healthz", 1.0) == b"", "a third connection was served"
        assert answer_after(port, "/healthz", 5.0).startswith(b"HTTP/1.1 200")


def test_three_hundred_slow_bodies_at_once_each_get_408_in_time(tmp_path: Path) -> None:
    with gateway(tmp_path, timeouts={"client_headers": 5, "client_body": 1}) as port:

        def one(_: int) -> tuple[float, bytes]:
            start = time.monotonic()
            answer = slow_body(port, "/things", give_up=8)
            return time.monotonic() - start, answer

        with ThreadPoolExecutor(300) as pool:
            results = list(pool.map(one, range(300)))
    late = [round(took, 1) for took, answer in results if not answer.startswith(b"HTTP/1.1 408")]
    assert late == [], f"{len(late)} of 300 slow bodies were held: {late[:10]}"
    assert max(took for took, _ in results) < 1 + 2 * MARGIN
