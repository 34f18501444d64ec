"""The real ``accord diff`` command: argument errors, unusable input, ``--base`` from git."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from accord.diff import _git
from accord.diff._git import checkout_contract

REPO = Path(__file__).resolve().parents[2]
ORDERS = REPO / "contracts" / "openapi" / "orders.yaml"


def accord(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "accord", "diff", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_same_file_has_no_changes() -> None:
    done = accord(ORDERS, ORDERS)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{ORDERS} -> {ORDERS}: 0 breaking")


def test_unusable_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    swagger = tmp_path / "old.yaml"
    swagger.write_text("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n")
    line = one_error_line(accord(swagger, ORDERS))
    assert line.startswith("accord: error:") and "Swagger 2.0 is not supported" in line
    assert "does not exist" in one_error_line(accord(tmp_path / "missing.yaml", ORDERS))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert "accord: error:" in one_error_line(accord(ORDERS, ORDERS, "--pacts", broken))


def test_usage_errors_exit_2() -> None:
    assert accord(ORDERS).returncode == 2
    assert accord(ORDERS, ORDERS, "--format", "sarif").returncode == 2


def test_base_mode_reads_the_old_contract_from_git(tmp_path: Path) -> None:
    copy = checkout_contract("HEAD", ORDERS, REPO, tmp_path)
    assert copy == tmp_path / "contracts" / "openapi" / "orders.yaml"
    assert copy.read_text().startswith("openapi: 3.0.3")
    assert checkout_contract("HEAD", REPO / "contracts" / "no-such.yaml", REPO, tmp_path) is None

    done = accord("--base", "HEAD", "orders", "--format", "json", cwd=REPO)
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    assert set(report) == {"changes", "summary"}
    assert all(c["service"] == "orders" for c in report["changes"])


def test_base_mode_errors_are_one_line() -> None:
    line = one_error_line(accord("--base", "no-such-ref-anywhere", cwd=REPO))
    assert "no-such-ref-anywhere" in line
    assert "unknown service 'nope'" in one_error_line(accord("--base", "HEAD", "nope", cwd=REPO))


def test_base_mode_copies_the_files_a_contract_refers_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``git show`` is replaced by a dict of files at the revision."""
    files = {
        "contracts/openapi/api.yaml": b"openapi: 3.0.3\npaths:\n  /a:\n    $ref: 'paths/a.yaml'\n",
        "contracts/openapi/paths/a.yaml": (
            b"get:\n  responses:\n    $ref: '../../common/r.yaml#/x'\n"
        ),
        "contracts/common/r.yaml": b"x: {}\n",
    }
    calls: list[list[str]] = []

    def fake_git(args: list[str], cwd: Path) -> subprocess.CompletedProcess[bytes]:
        calls.append(args)
        if args[0] == "show" and args[1].startswith("REF:./"):
            found = files.get(args[1].removeprefix("REF:./"))
            return subprocess.CompletedProcess(args, 0 if found else 128, found or b"", b"")
        return subprocess.CompletedProcess(args, 0, b"", b"")

    monkeypatch.setattr(_git, "_git", fake_git)
    root = tmp_path / "repo"
    out = tmp_path / "out"
    copy = _git.checkout_contract("REF", root / "contracts/openapi/api.yaml", root, out)
    assert copy == out / "contracts/openapi/api.yaml"
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*.yaml"))
    assert written == sorted(files)
    assert all(c[0] == "show" for c in calls), "only read-only git show is run"
