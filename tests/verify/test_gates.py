"""``accord verify``'s static gates read ``[tool.accord.lint]`` as ``accord lint`` does."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.verify.conftest import accord

WARNING = "warning error-responses-problem-json: GET /books documents no 4xx response"


def _gates(root: Path) -> str:
    (root / "generated").mkdir(exist_ok=True)  # it uses generated code, and has none yet
    done = accord("verify", "--no-properties", "--no-pacts", cwd=root)
    assert done.returncode == 1  # generated code is missing in the tiny workspace either way
    return done.stdout + done.stderr


def test_generated_code_is_checked_where_the_workspace_has_some(tiny: Path) -> None:
    (tiny / "generated").mkdir()
    done = accord("verify", "--no-properties", "--no-pacts", cwd=tiny)
    assert done.returncode == 1
    assert "generated/shelf/models.py: missing (run `accord generate`)" in done.stdout
    assert "contracts/../generated" not in done.stdout  # paths as a reader types them
    # a workspace with no generated folder (services in other languages) does not use it
    (tiny / "generated").rmdir()
    done = accord("verify", "--no-properties", "--no-pacts", cwd=tiny)
    assert "static gates: 0 problem(s)" in done.stderr and "accord generate" not in done.stdout


def test_fail_on_warning_makes_the_warning_fail_the_gates(tiny: Path) -> None:
    assert WARNING not in _gates(tiny)  # the default fails on errors only, as lint does
    (tiny / "pyproject.toml").write_text('[tool.accord.lint]\nfail-on = "warning"\n')
    assert WARNING in _gates(tiny)
    lint = accord("lint", cwd=tiny)
    assert lint.returncode == 1 and WARNING in lint.stdout  # lint and the gates agree


@pytest.mark.parametrize(
    "settings",
    ['fail-on = "warning"\ndisable = ["error-responses-problem-json"]', 'fail-on = "error"'],
)
def test_the_lint_settings_of_pyproject_apply(tiny: Path, settings: str) -> None:
    (tiny / "pyproject.toml").write_text(f"[tool.accord.lint]\n{settings}\n")
    assert WARNING not in _gates(tiny)
    lint = accord("lint", cwd=tiny)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_a_bad_fail_on_setting_is_named(tiny: Path) -> None:
    (tiny / "pyproject.toml").write_text('[tool.accord.lint]\nfail-on = "never"\n')
    done = accord("verify", cwd=tiny)
    assert done.returncode == 2
    assert "[tool.accord.lint] fail-on" in done.stderr
    assert "Traceback" not in done.stderr
