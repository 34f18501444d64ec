"""What the command line imports before a command does its work, read from a real process.

Each test lists the modules a real ``accord`` process had imported when it exited. Start-up
time is what these imports cost (``benchmarks/bench_startup.py`` times it); the tests here
keep the cause in check without timing anything: ``accord --version`` and ``--help`` load
no contract core, a command's ``--help`` loads none of the features or their libraries,
``accord token`` loads only what a token needs, ``accord lint`` of one document loads only
what linting it needs, and importing the code generator never runs another tool's command
line.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
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
#: run in the child: record every module in ``sys.modules`` when the process exits. (``-X
#: importtime`` misses modules imported through ``importlib.import_module``, which is how
#: the packages' lazy exports load theirs, so it cannot see most of the contract core.)
_RECORD = """
import atexit, sys
def _record(path=sys.argv.pop(1)):
    with open(path, "w") as out:
        out.write("\\n".join(sorted(sys.modules)))
atexit.register(_record)
"""


def imported(
    *args: str, code: str | None = None
) -> tuple[set[str], subprocess.CompletedProcess[str]]:
    """The modules (and their top-level packages) a process had imported when it exited."""
    with tempfile.TemporaryDirectory() as tmp:
        record = Path(tmp) / "modules.txt"
        run = code if code else "import runpy; runpy.run_module('accord', run_name='__main__')"
        proc = subprocess.run(
            [sys.executable, "-c", _RECORD + run, str(record), *args],
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=60,
            check=False,
        )
        assert record.exists(), proc.stderr[-2000:]
        loaded = record.read_text().split()
    names: set[str] = set()
    for name in loaded:
        names |= {name, name.split(".")[0], ".".join(name.split(".")[:2])}
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


def test_lint_of_a_json_openapi_document_loads_no_yaml_asyncapi_or_pact_model(
    tmp_path: Path,
) -> None:
    """PyYAML's import is a third of linting a small document; the AsyncAPI and pact models
    are not needed for an OpenAPI one. A finding's line:col in JSON needs no YAML reader."""
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    path = tmp_path / "api.json"
    path.write_text(json.dumps(doc, indent=1))
    names, proc = imported("lint", "-f", "json", str(path))
    assert proc.returncode == 1, proc.stderr[-2000:]  # operation-id-missing, a warning
    findings = json.loads(proc.stdout)["findings"]
    assert any(f["line"] > 1 for f in findings), findings  # located, not at 1:1
    assert _loaded(names, {"yaml", "accord.core._asyncapi", "accord.core._pact"}) == []
    # the same command on YAML loads the YAML reader (so the check above can fail)
    yaml_doc = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n"
    path.with_suffix(".yaml").write_text(yaml_doc)
    names, _ = imported("lint", str(path.with_suffix(".yaml")))
    assert "yaml" in names


def test_lint_knows_the_workspace_manifest_by_its_name() -> None:
    from accord.lint import _runner  # noqa: PLC0415
    from accord.workspace import MANIFEST_NAME  # noqa: PLC0415

    assert _runner.MANIFEST_NAME == MANIFEST_NAME


def test_plain_coercion_refuses_what_is_not_a_number(repo: Path) -> None:
    _, proc = imported("lint", "--max-size", "big", "contracts/openapi/orders.yaml")
    assert proc.returncode == 2
    assert "'big' is not a valid number" in proc.stderr
