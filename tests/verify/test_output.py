"""What verify prints: plain CI lines with a heartbeat, a live table, reproducible failures."""

from __future__ import annotations

import io
import time

import pytest
from rich.console import Console

from accord.cli import _verify_progress
from accord.cli._verify_progress import LiveProgress, PlainProgress, wants_plain
from accord.verify import CaseResult, Progress
from accord.verify._properties import reproducible

CURL = (
    "Reproduce with:\n\n    curl -X GET -H 'Authorization: [Filtered]' -H 'X-Api-Key: [Filtered]'"
    " 'http://127.0.0.1:43127/products?limit=100'"
)


def test_plain_lines_name_provider_and_phase(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_verify_progress, "HEARTBEAT", 0.2)
    out = io.StringIO()
    with PlainProgress(out) as show:
        show(Progress("orders", "start", "info", "version abc (git commit)"))
        show(Progress("orders", "schemathesis", "running", "seed 0"))
        time.sleep(1.5)  # quiet: a "still running" line, so a CI log never goes silent
        show(Progress("orders", "schemathesis", "failed", "11/12 in 1.5 s"))
        show(Progress("orders", "done", "failed"))
    lines = [line.split("] ", 1)[1] for line in out.getvalue().splitlines()]
    assert lines[0] == "orders: version abc (git commit)"
    assert lines[1] == "orders schemathesis: running (seed 0)"
    assert any(line.startswith("orders schemathesis: still running (") for line in lines)
    assert lines[-2:] == ["orders schemathesis: failed (11/12 in 1.5 s)", "orders: FAILED"]


def test_the_live_table_shows_each_provider_in_its_phase() -> None:
    console = Console(file=io.StringIO(), width=120, force_terminal=True)
    live = LiveProgress(console)
    live(Progress("catalog", "pact", "running", "3 pact(s)"))
    live(Progress("orders", "pact", "passed", "5/5 in 6.6 s"))
    live(Progress("orders", "schemathesis", "running", "seed 0"))
    console.print(live)
    shown = console.file.getvalue()  # type: ignore[attr-defined]
    assert "catalog" in shown and "3 pact(s)" in shown
    assert "passed 5/5 in 6.6 s" in shown and "schemathesis" in shown


def test_plain_in_ci_and_off_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Console(file=io.StringIO(), force_terminal=True)
    monkeypatch.delenv("CI", raising=False)
    assert not wants_plain(terminal)
    assert wants_plain(Console(file=io.StringIO()))  # a pipe or a file: plain lines
    monkeypatch.setenv("CI", "true")
    assert wants_plain(terminal)


def test_a_reproduce_is_a_command_that_works_after_the_run() -> None:
    case = CaseResult("schemathesis", "GET /products", False, f"ST101 Server error\n{CURL}")
    rerun = "accord verify catalog --skip-gates --no-pacts --seed 3 --max-examples 10"
    found = reproducible(case, rerun, base_url="http://127.0.0.1:43127", port=8101)
    commands = found.reproduce.splitlines()
    assert commands[0] == rerun
    assert commands[1] == (
        'curl -X GET -H "Authorization: Bearer $(accord token)" -H "X-Api-Key: $X_API_KEY"'
        " 'http://127.0.0.1:8101/products?limit=100'"
    )
    assert "43127" not in found.message and "[Filtered]" not in found.message
    # a provider verified where it runs (--base-url) keeps that URL
    there = reproducible(case, rerun, base_url="http://shop.internal:9000", port=None)
    assert "http://shop.internal:9000/products" in there.reproduce
