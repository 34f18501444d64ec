"""What the command line imports before a command does its work, read from a real process.

``python -X importtime`` lists every module a process imported. Start-up time is what these
imports cost (``benchmarks/bench_startup.py`` times it); the tests here keep the cause in
check without timing anything: ``accord --version`` and ``--help`` load no contract core,
a command's ``--help`` loads none of the features or their libraries, ``accord token`` loads
only what a token needs, and importing the code generator never runs another tool's
command line.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.test_help import COMMANDS

REPO = Path(__file__).resolve().parents[2]
#: the features, and the libraries behind them that a command's start-up must not load
FEATURES = {f"accord.{name}" for name in (
    "lint", "report", "codegen", "crosscheck", "diff", "mock", "pacts", "verify", "gateway",
)}  # fmt: skip
HEAVY = {
    "datamodel_code_generator", "schemathesis", "black", "openapi_spec_validator",
    "openapi_core", "aiohttp", "granian", "uvicorn", "connexion", "pact", "hypothesis",
    "httpx", "jwt", "redis",
}  # fmt: skip
CORE = {"accord.core", "accord.workspace", "yaml", "jsonschema_rs"}
_LINE = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|(?P<indent>\s*)(?P<name>\S+)$")


def imported(
    *args: str, code: str | None = None
) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """The modules (and their top-level packages) a process imported."""
    command = ["-c", code] if code else ["-m", "accord", *args]
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *command],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        check=False,
    )
    names: set[str] = set()
    for line in proc.stderr.splitlines():
        found = _LINE.match(line)
        if found:
            name = found["name"]
            names |= {name, name.split(".")[0], ".".join(name.split(".")[:2])}
    assert names, proc.stderr[-2000:]
    return names, proc


def _loaded(names: set[str], unwanted: set[str]) -> list[str]:
    return sorted(names & unwanted)


@pytest.mark.parametrize("flag", ["--version", "-V", "--help", "-h"])
def test_top_level_flags_load_no_contract_core_and_no_feature(flag: str) -> None:
    names, proc = imported(flag)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert _loaded(names, CORE | FEATURES | HEAVY | {"pydantic"}) == []


def test_version_loads_no_rich() -> None:
    names, _ = imported("--version")
    assert "rich" not in names


@pytest.mark.parametrize("name", COMMANDS)
def test_a_command_s_help_loads_no_feature_and_no_contract_core(name: str) -> None:
    names, proc = imported(name, "--help")
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    assert _loaded(names, CORE | FEATURES | HEAVY) == []
    assert "accord.runtime._client" not in names and "accord.runtime._server" not in names


def test_token_loads_what_a_token_needs_only(repo: Path) -> None:
    names, proc = imported("token")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.count(".") == 2  # header.payload.signature
    assert _loaded(names, FEATURES | HEAVY | {"rich"}) == []
    assert "accord.runtime._client" not in names and "accord.runtime._server" not in names


def test_importing_the_code_generator_never_reads_the_command_line() -> None:
    """datamodel-code-generator's ``__main__`` answered ``--version`` when it was imported."""
    code = (
        "import sys; sys.argv = ['accord', '--version']\n"
        "import accord.codegen, accord.codegen._models\n"
        "print('imported')\n"
    )
    names, proc = imported(code=code)
    assert proc.returncode == 0
    assert proc.stdout == "imported\n"
    assert "datamodel_code_generator" not in names  # loaded when models are generated


def test_models_are_generated_whatever_the_command_line_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accord.codegen._models import generate_models  # noqa: PLC0415
    from accord.core import Contract  # noqa: PLC0415

    document = tmp_path / "things.json"
    document.write_text(
        json.dumps(
            {
                "openapi": "3.0.3",
                "info": {"title": "t", "version": "1"},
                "paths": {},
                "components": {
                    "schemas": {
                        "Thing": {
                            "type": "object",
                            "required": ["id"],
                            "properties": {"id": {"type": "integer", "minimum": 1}},
                        }
                    }
                },
            }
        )
    )
    contract = Contract.from_path(document)
    for argv in (["accord", "--version"], ["accord", "-h"], ["accord", "--install-skill"]):
        monkeypatch.setattr(sys, "argv", argv)
        workdir = tmp_path / str(len(argv[1]))
        workdir.mkdir()
        models = generate_models(contract, "# header", workdir)
        assert models.classes == {"Thing": "Thing"}
        assert models.text.startswith("# header")
        assert "class Thing(BaseModel):" in models.text


def test_lint_of_one_document_loads_no_pydantic_rich_or_other_feature(repo: Path) -> None:
    """``accord lint FILE`` is timed against Spectral (benchmarks/bench_lint.py): typer's
    pydantic coercion, rich and the cross-check are each slower than linting petstore."""
    names, proc = imported(
        "lint", "--max-size", "8", "--disable", "x", "-f", "text", "contracts/openapi/orders.yaml"
    )
    assert proc.returncode in (0, 1), proc.stderr[-2000:]
    assert "error(s)" in proc.stderr
    assert _loaded(names, HEAVY | {"pydantic", "rich", "accord.crosscheck", "jsonschema"}) == []
    # nor the workspace layer's process helpers and their urllib (about 20 ms of 160)
    assert "urllib.request" not in names and "accord.workspace" not in names


def test_lint_knows_the_workspace_manifest_by_its_name() -> None:
    from accord.lint import _runner  # noqa: PLC0415
    from accord.workspace import MANIFEST_NAME  # noqa: PLC0415

    assert _runner.MANIFEST_NAME == MANIFEST_NAME


def test_plain_coercion_refuses_what_is_not_a_number(repo: Path) -> None:
    _, proc = imported("lint", "--max-size", "big", "contracts/openapi/orders.yaml")
    assert proc.returncode == 2
    assert "'big' is not a valid number" in proc.stderr
