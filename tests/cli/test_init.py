"""``accord init`` in a repository made of real-world documents, and ``--workspace`` everywhere."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml

from accord._process import Process, free_port
from accord.cli._app import main
from accord.workspace import load_workspace

PACT = "pacts/pactflow/pactflow-example-consumer-pactflow-example-provider.json"


@pytest.fixture
def repository(tmp_path: Path, corpus: Path) -> Path:
    """A team's repository: three OpenAPI documents and a pact-js pact, no Accord yet."""
    root = tmp_path / "team"
    (root / "api").mkdir(parents=True)
    (root / "pacts").mkdir()
    shutil.copy(corpus / "openapi/petstore/swagger-petstore-v3.yaml", root / "api/petstore.yaml")
    shutil.copy(corpus / "openapi/oai-examples/v3.1/tictactoe.yaml", root / "api/tictactoe.yaml")
    shutil.copy(
        corpus / "openapi/pactflow/example-provider-openapi.yaml", root / "api/products.yaml"
    )
    shutil.copy(corpus / PACT, root / "pacts")
    (root / "node_modules/x").mkdir(parents=True)  # dependencies are never searched
    shutil.copy(corpus / "openapi/oai-examples/v3.0/uspto.yaml", root / "node_modules/x/u.yaml")
    return root


def _run(*args: str | Path) -> int:
    return main([str(a) for a in args])


def test_init_scaffolds_a_workspace_that_loads(
    repository: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run("init", repository) == 0
    out = capsys.readouterr().out
    assert "wrote contracts/accord.yaml" in out
    assert "wrote pyproject.toml [tool.accord]" not in out  # there was none: a new file
    assert "wrote pyproject.toml" in out and "wrote .github/workflows/accord.yml" in out
    manifest = yaml.safe_load((repository / "contracts/accord.yaml").read_text())
    services = manifest["services"]
    # the pact's provider is the document that has its operations, under the pact's name
    assert set(services) == {"pactflow-example-provider", "petstore", "tictactoe"}
    assert services["pactflow-example-provider"]["contract"] == "../api/products.yaml"
    assert manifest["consumers"] == {
        "pactflow-example-consumer": {"consumes": ["pactflow-example-provider"]}
    }
    assert manifest["pacts"] == "../pacts"
    assert len({s["port"] for s in services.values()}) == 3
    workspace = load_workspace(repository)
    assert [p.name for p in workspace.pact_paths()] == [Path(PACT).name]
    assert "[tool.accord.lint]" in (repository / "pyproject.toml").read_text()


def test_init_never_overwrites(repository: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repository / "pyproject.toml").write_text('[project]\nname = "team"\n')
    assert _run("init", repository) == 0
    first = {p: p.read_bytes() for p in repository.rglob("*") if p.is_file()}
    assert b'name = "team"' in first[repository / "pyproject.toml"]  # appended to, kept
    capsys.readouterr()
    assert _run("init", repository) == 0
    out = capsys.readouterr().out
    assert "wrote" not in out
    assert "kept contracts/accord.yaml (exists)" in out
    assert "kept pyproject.toml [tool.accord] (exists)" in out
    assert {p: p.read_bytes() for p in repository.rglob("*") if p.is_file()} == first


def test_init_without_documents_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run("init", tmp_path) == 2
    err = capsys.readouterr().err
    assert "no OpenAPI 3 document" in err and "Traceback" not in err
    assert not (tmp_path / "contracts").exists()


@pytest.mark.slow
def test_lint_and_mock_work_right_after_init(repository: Path) -> None:
    assert _run("init", repository, "--no-ci") == 0
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    lint = subprocess.run(
        [sys.executable, "-m", "accord", "lint", "-f", "json"],
        cwd=repository, capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert lint.returncode in (0, 1), lint.stderr  # findings, not unusable input
    assert "pact file(s)" in lint.stderr and "1 pact file(s)" in lint.stderr
    # a service named as its pact names it (with '-') generates an importable package
    generate = subprocess.run(
        [sys.executable, "-m", "accord", "generate", "pactflow-example-provider"],
        cwd=repository, capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert generate.returncode == 0, generate.stderr
    assert (repository / "generated/pactflow_example_provider/client.py").is_file()
    port = free_port()
    argv = [sys.executable, "-m", "accord", "mock", "pactflow-example-provider",
            "--port", str(port), "-q"]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    log = repository / "mock.log"
    with (
        Process("mock", argv, url + "/products", env, repository, log),
        urllib.request.urlopen(url + "/products", timeout=5) as answer,
    ):
        assert answer.status == 200
        assert isinstance(json.loads(answer.read()), list)


#: every command that reads a workspace, run from a folder outside it
WORKSPACE_COMMANDS = [
    ("lint", "-q"),
    ("crosscheck", "-q"),
    ("generate", "--check"),
    ("token",),
    ("mock", "--from-pacts", "--port", "0", "--help"),  # parsing only: --help exits first
    ("verify", "tictactoe", "--skip-gates", "--no-pacts", "--no-properties"),
    ("can-i-deploy", "tictactoe"),
    ("pacts", "--check"),
    ("diff", "--base", "HEAD"),
]


@pytest.mark.parametrize("command", WORKSPACE_COMMANDS, ids=lambda c: c[0])
def test_workspace_option_is_accepted_by_every_command(
    command: tuple[str, ...],
    repository: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _run("init", repository, "--no-ci") == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    capsys.readouterr()
    without = _run(*command)
    assert "no workspace here" in capsys.readouterr().err or command[-1] == "--help"
    code = _run(*command, "--workspace", repository / "contracts/accord.yaml")
    out, err = capsys.readouterr()
    assert "no workspace here" not in err and "Traceback" not in out + err
    if command[0] == "pacts":  # the workspace was found: its consumer tests are looked for
        assert code == 2 and "does not exist" in " ".join((err + out).split())
    elif command[0] == "diff":  # found, and its folder is no git repository
        assert code == 2 and "git" in err
    elif command[0] == "mock":
        assert code == 0 and "--workspace" in out
    else:
        assert without == 2
        assert code in (0, 1), out + err


def test_init_says_which_pacts_it_could_not_place(
    repository: Path, corpus: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(
        corpus / "pacts/pactflow/pacts_ruby-example-consumer-python.json", repository / "pacts"
    )
    shutil.copy(
        corpus / "pacts/pact-python/userserviceclient-userservice.json", repository / "pacts"
    )
    assert _run("init", repository, "--no-ci") == 0
    err = " ".join(capsys.readouterr().err.split())
    # a second provider name for the same document, and a pact no document here serves
    assert (
        "provider 'pactflow-example-provider-python' routes to api/products.yaml, which is "
        "service 'pactflow-example-provider' already" in err
    )
    assert "no OpenAPI document here has an operation for its interactions" in err
    manifest = yaml.safe_load((repository / "contracts/accord.yaml").read_text())
    assert "pactflow-example-consumer-python" not in manifest.get("consumers", {})
