"""The real ``accord diff`` command: argument errors, unusable input, ``--base`` from git."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from accord._errors import AccordError
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


@pytest.mark.parametrize("flag", ["--output={out}", "-o{out}", "--output", "-"])
def test_base_is_never_read_by_git_as_an_option(tmp_path: Path, flag: str) -> None:
    """``--base=--output=FILE`` once made ``git show`` write FILE (issue 13, item 10)."""
    out = tmp_path / "written-by-git"
    line = one_error_line(accord(f"--base={flag.format(out=out)}", cwd=REPO))
    assert not out.exists(), "git took the revision for an option"
    assert "is not a git revision" in line
    with pytest.raises(AccordError, match="not a git revision"):
        checkout_contract(flag.format(out=out), ORDERS, REPO, tmp_path / "copy")
    assert not out.exists()


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
        if args[0] == "rev-parse":
            return subprocess.CompletedProcess(args, 0, b"abc123\n", b"")
        if args[:2] == ["show", "--end-of-options"] and args[2].startswith("abc123:./"):
            found = files.get(args[2].removeprefix("abc123:./"))
            return subprocess.CompletedProcess(args, 0 if found else 128, found or b"", b"")
        return subprocess.CompletedProcess(args, 0, b"", b"")

    monkeypatch.setattr(_git, "_git", fake_git)
    root = tmp_path / "repo"
    out = tmp_path / "out"
    copy = _git.checkout_contract("REF", root / "contracts/openapi/api.yaml", root, out)
    assert copy == out / "contracts/openapi/api.yaml"
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*.yaml"))
    assert written == sorted(files)
    assert all(c[0] in ("rev-parse", "show") for c in calls), "only read-only git runs"
    assert all("--end-of-options" in c for c in calls)


_SHARED = """\
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    post:
      requestBody:
        content:
          application/json: {schema: {$ref: "#/components/schemas/Thing"}}
          application/vnd.thing+json: {schema: {$ref: "#/components/schemas/Thing"}}
      responses: {"204": {description: ok}}
  /b:
    put:
      requestBody:
        content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}
      responses: {"204": {description: ok}}
  /c:
    patch:
      requestBody:
        content: {application/json: {schema: {$ref: "#/components/schemas/Thing"}}}
      responses: {"204": {description: ok}}
components:
  schemas:
    Thing:
      type: object
      properties: {size: {type: string}}
"""


def _shared_pair(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(_SHARED)
    new.write_text(_SHARED.replace("size: {type: string}", "size: {type: integer}"))
    return old, new


def test_breaking_change_without_pacts_fails_unless_told_otherwise(tmp_path: Path) -> None:
    old, new = _shared_pair(tmp_path)
    done = accord(old, new)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "no pacts to check" in done.stdout
    assert accord(old, new, "--fail-on", "breaking").returncode == 1
    assert accord(old, new, "--strict").returncode == 1
    assert accord(old, new, "--fail-on", "consumer").returncode == 0
    assert accord(old, new, "--fail-on", "never").returncode == 0
    assert accord(new, new).returncode == 0
    wrong = accord(old, new, "--fail-on", "sometimes")
    assert wrong.returncode == 2 and "Traceback" not in wrong.stderr
    assert accord(old, new, "--strict", "--fail-on", "never").returncode == 2


def test_text_counts_places_and_names_the_media_type_where_they_repeat(tmp_path: Path) -> None:
    old, new = _shared_pair(tmp_path)
    out = accord(old, new).stdout
    assert "... and 1 more place\n" in out, out
    assert "at POST /a request body /size (application/json)" in out, out
    assert "at POST /a request body /size (application/vnd.thing+json)" in out, out
    assert "at PATCH /c request body /size\n" in out, out  # one media type: nothing to tell apart
    data = json.loads(accord(old, new, "--format", "json").stdout)
    media = sorted(c["media_type"] for c in data["changes"] if c["operation"] == "POST /a")
    assert media == ["application/json", "application/vnd.thing+json"]
