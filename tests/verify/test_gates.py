"""``accord verify``'s static gates read ``[tool.accord.lint]`` as ``accord lint`` does."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.verify.conftest import accord

WARNING = "warning error-responses-problem-json: GET /books documents no 4xx response"


def _gates(root: Path) -> str:
    done = accord("verify", "--no-properties", "--no-pacts", cwd=root)
    assert done.returncode == 1  # generated code is missing in the tiny workspace either way
    return done.stdout + done.stderr


def test_without_settings_the_warning_fails_the_gates(tiny: Path) -> None:
    assert WARNING in _gates(tiny)


@pytest.mark.parametrize(
    "settings",
    ['disable = ["error-responses-problem-json"]', 'fail-on = "error"'],
)
def test_the_lint_settings_of_pyproject_apply(tiny: Path, settings: str) -> None:
    (tiny / "pyproject.toml").write_text(f"[tool.accord.lint]\n{settings}\n")
    output = _gates(tiny)
    assert WARNING not in output
    lint = accord("lint", cwd=tiny)
    assert lint.returncode == 0, lint.stdout + lint.stderr  # lint and the gates agree


def test_a_bad_fail_on_setting_is_named(tiny: Path) -> None:
    (tiny / "pyproject.toml").write_text('[tool.accord.lint]\nfail-on = "never"\n')
    done = accord("verify", cwd=tiny)
    assert done.returncode == 2
    assert "[tool.accord.lint] fail-on" in done.stderr
    assert "Traceback" not in done.stderr
