"""A provider Accord knows only by its ``command`` (or ``url``): it is started with its
placeholders filled in, its provider states are set at its own ``states`` endpoint with
Pact's ``{state, params, action}``, and it gets the credentials the manifest names."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from accord._process import Process, free_port
from tests.verify.conftest import COMMAND, accord, shelf_workspace

pytestmark = pytest.mark.slow


def _verify(root: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return accord(
        "verify", "--skip-gates", "--no-properties", cwd=root,
        EXPECTED_KEY="k-123", STATE_LOG=str(root / "states.jsonl"), **env,
    )  # fmt: skip


def test_a_command_provider_is_verified_with_its_states_and_credentials(tmp_path: Path) -> None:
    root = shelf_workspace(tmp_path, COMMAND)
    done = _verify(root, SHELF_KEY="k-123")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    changes = [json.loads(line) for line in (root / "states.jsonl").read_text().splitlines()]
    assert changes == [
        {"state": "there are books", "params": {"title": "Dune"}, "action": "setup"},
        {"state": "there are books", "params": {"title": "Dune"}, "action": "teardown"},
    ]


def test_wrong_or_missing_credentials_fail_by_name(tmp_path: Path) -> None:
    root = shelf_workspace(tmp_path, COMMAND)
    wrong = _verify(root, SHELF_KEY="not-it")
    assert wrong.returncode == 1
    assert "reader: a request for the books" in wrong.stdout and "401" in wrong.stdout
    missing = _verify(root)
    assert missing.returncode == 1 and "Traceback" not in missing.stderr
    assert "needs $SHELF_KEY, which is not set" in missing.stdout
    assert "accord.yaml:10:5" in missing.stdout  # the credentials entry


def test_a_state_the_provider_cannot_set_up_fails_its_interaction(tmp_path: Path) -> None:
    root = shelf_workspace(tmp_path, COMMAND, state="the shelf is on fire")
    done = _verify(root, SHELF_KEY="k-123")
    assert done.returncode == 1
    assert "provider state 'the shelf is on fire' could not be set up (500 from" in done.stdout
    assert "/set-state): cannot" in done.stdout


def test_a_provider_declared_by_url_is_used_where_it_runs(tmp_path: Path) -> None:
    port = free_port()
    root = shelf_workspace(tmp_path, f"    url: http://127.0.0.1:{port}\n")
    argv = [sys.executable, "shelf.py", "--port", str(port), "--db", "x"]
    env = {**os.environ, "EXPECTED_KEY": "k-123", "STATE_LOG": str(root / "states.jsonl")}
    health = f"http://127.0.0.1:{port}/ready"
    with Process("shelf", argv, health, env, root / "shelf", root / "shelf.log"):
        done = _verify(root, SHELF_KEY="k-123")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (root / "states.jsonl").read_text().count('"setup"') == 1


def test_a_provider_accord_cannot_start_says_how_to_reach_it(tmp_path: Path) -> None:
    root = shelf_workspace(tmp_path, "")  # a contract only: no module, command or url
    done = _verify(root, SHELF_KEY="k-123")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "shelf: could not be verified: service 'shelf' cannot be started" in done.stdout
    assert "`command:`" in done.stdout and "`url:`" in done.stdout
    assert "`--base-url`" in done.stdout


def test_an_unknown_provider_names_the_ways_to_verify_one(tmp_path: Path) -> None:
    root = shelf_workspace(tmp_path, COMMAND)
    done = accord("verify", "tictactoe", "--skip-gates", cwd=root, timeout=60)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "no service named 'tictactoe'" in done.stderr
    assert "`url:`" in done.stderr and "`--base-url`" in done.stderr


def test_a_provider_is_verified_once_its_health_path_answers_2xx(tmp_path: Path) -> None:
    """Its declared ``health:`` answering 404 (routes not mounted yet) is not ready: verify
    waits for the 200 (shelf fails /books asked before it). It was "any answer < 500"."""
    root = shelf_workspace(tmp_path, COMMAND)
    done = _verify(root, SHELF_KEY="k-123", WARMUP_PROBES="8")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_a_pact_for_no_provider_of_the_workspace_fails_by_name(tmp_path: Path) -> None:
    """A pact whose provider is no service (a typo, a service that moved) was skipped in
    silence: it is a warning line, a failing row of its own, in JUnit, and exit 1."""
    root = shelf_workspace(tmp_path, COMMAND)
    pacts = root / "contracts" / "pacts"
    typo = json.loads((pacts / "reader-shelf.json").read_text())
    (pacts / "reader-shelff.json").write_text(json.dumps({**typo, "provider": {"name": "shelff"}}))
    (pacts / "reader-legacy.json").write_text(json.dumps({**typo, "provider": {"name": "legacy"}}))
    done = _verify(root, SHELF_KEY="k-123", CI="true")
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    assert "shelf: PASSED" in done.stderr  # the real provider passed: the pacts failed it
    guess = "no such provider: 'shelff'; known: shelf (did you mean 'shelf'?)"
    assert f"shelff: warning: {guess}" in done.stderr
    assert f"shelff: pact: reader -> shelff\n    {guess}" in done.stdout
    assert "contracts/pacts/reader-shelff.json is verified by no one" in done.stdout
    assert "no such provider: 'legacy'; known: shelf." in done.stdout  # no close name
    junit = ET.parse(root / "reports" / "junit.xml").getroot()
    failed = {
        (case.get("classname"), case.get("name"))
        for case in junit.iter("testcase")
        if case.find("failure") is not None
    }
    assert failed == {("shelff.pact", "reader -> shelff"), ("legacy.pact", "reader -> legacy")}
    # a run of some providers reports the pacts meant for one of them only
    some = accord(
        "verify", "shelf", "--skip-gates", "--no-properties", cwd=root,
        EXPECTED_KEY="k-123", STATE_LOG=str(root / "states.jsonl"), SHELF_KEY="k-123",
    )  # fmt: skip
    assert some.returncode == 1 and "'shelff'" in some.stdout and "'legacy'" not in some.stdout
