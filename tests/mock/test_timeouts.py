"""Slow clients against a real ``accord mock`` process: header and body timeouts, the cap.

The bounded slow client is the gateway's (``tests/gateway/test_timeouts.py``): both
servers are started by the same code (``accord.cli._serve``).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import yaml

from tests.gateway.conftest import free_port
from tests.gateway.test_timeouts import (
    CONTRACT,
    MARGIN,
    answer_after,
    held_connections,
    running_accord,
    slow_body,
    slow_headers,
)

pytestmark = pytest.mark.slow


@contextmanager
def mock(tmp_path: Path, *flags: str) -> Iterator[int]:
    contract = tmp_path / "things.yaml"
    contract.write_text(yaml.safe_dump(CONTRACT))
    port = free_port()
    args = ("mock", str(contract), "--port", str(port), "-q", *flags)
    with running_accord(args, tmp_path, f"http://127.0.0.1:{port}/__accord/openapi.json"):
        yield port


def test_slow_headers_are_cut_off(tmp_path: Path) -> None:
    with mock(tmp_path, "--header-timeout", "1", "--body-timeout", "1") as port:
        closed = slow_headers(port)
        assert closed is not None, "a client trickling its headers was kept"
        assert closed < 1 + MARGIN


def test_a_slow_body_gets_408(tmp_path: Path) -> None:
    with mock(tmp_path, "--header-timeout", "5", "--body-timeout", "1") as port:
        start = time.monotonic()
        answer = slow_body(port, "/things")
        took = time.monotonic() - start
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"application/problem+json" in answer
        assert took < 1 + MARGIN


def test_connections_past_the_cap_wait_for_one_to_close(tmp_path: Path) -> None:
    with mock(tmp_path, "--header-timeout", "20", "--max-connections", "2") as port:
        with held_connections(port, 2):
            assert answer_after(port, "/things", 1.0) == b"", "a third connection was served"
        assert answer_after(port, "/things", 5.0).startswith(b"HTTP/1.1 405")
