"""Commands that read a workspace load its documents under ``[tool.accord]``'s settings."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from accord._errors import AccordError
from accord.cli._config import open_workspace
from tests.cli.test_lint_cli import GOOD, accord

MANIFEST = textwrap.dedent(
    """\
    version: 1
    services:
      things:
        contract: openapi/things.yaml
        port: 8999
        module: things
    """
)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    (tmp_path / "contracts" / "openapi").mkdir(parents=True)
    (tmp_path / "contracts" / "accord.yaml").write_text(MANIFEST)
    padding = "".join(f"# padding line {i:04d} to make the contract larger\n" for i in range(60))
    (tmp_path / "contracts" / "openapi" / "things.yaml").write_text(GOOD + padding)
    (tmp_path / "pyproject.toml").write_text("[tool.accord]\nmax-document-size-mib = 0.001\n")
    return tmp_path


def test_the_workspace_contracts_obey_max_document_size(shop: Path) -> None:
    refused = accord("lint", cwd=shop)
    output = refused.stdout + refused.stderr
    assert refused.returncode == 2, output
    assert "things.yaml" in output and "max-document-size-mib" in output
    assert "Traceback" not in output
    allowed = accord("lint", "--max-size", "1", cwd=shop)
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr


def test_open_workspace_reads_the_settings_next_to_the_workspace(
    shop: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    monkeypatch.chdir(tmp_path_factory.mktemp("elsewhere"))  # not under the workspace
    workspace = open_workspace(shop)
    assert workspace.options.max_bytes == int(0.001 * 1024 * 1024)
    with pytest.raises(AccordError, match="max-document-size-mib"):
        workspace.contract("things")
    assert open_workspace(shop, max_mib=1).contract("things").operations
