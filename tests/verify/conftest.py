"""A tiny workspace on disk: one provider (``shelf``: a module, a contract), one pact."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

MANIFEST = """\
version: 1
name: tiny
services:
  shelf:
    contract: openapi/shelf.yaml
    port: 8201
    module: shelfsvc
consumers:
  reader:
    consumes: [shelf]
"""
CONTRACT = """\
openapi: 3.0.3
info: {title: shelf, version: "1"}
paths:
  /books:
    get:
      operationId: listBooks
      responses:
        "200": {description: ok}
"""
PACT = {
    "consumer": {"name": "reader"},
    "provider": {"name": "shelf"},
    "interactions": [
        {
            "description": "a request for the books",
            "request": {"method": "GET", "path": "/books"},
            "response": {"status": 200},
        }
    ],
    "metadata": {"pactSpecification": {"version": "3.0.0"}},
}


def git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args],
        cwd=root, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


def accord(*args: str | Path, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real CLI of this checkout, as a process."""
    return subprocess.run(
        [sys.executable, "-m", "accord", *map(str, args)],
        capture_output=True, text=True, cwd=cwd, timeout=timeout, check=False,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{REPO / 'src'}:{cwd}", "HOME": str(cwd)},
    )  # fmt: skip


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    """The tiny workspace, outside git."""
    root = tmp_path / "tiny"
    (root / "contracts" / "openapi").mkdir(parents=True)
    (root / "contracts" / "pacts").mkdir()
    (root / "contracts" / "accord.yaml").write_text(MANIFEST)
    (root / "contracts" / "openapi" / "shelf.yaml").write_text(CONTRACT)
    (root / "contracts" / "pacts" / "reader-shelf.json").write_text(json.dumps(PACT))
    (root / "shelfsvc").mkdir()
    (root / "shelfsvc" / "__init__.py").write_text("BOOKS = []\n")
    return root


@pytest.fixture
def tiny_git(tiny: Path) -> Path:
    """The tiny workspace as a git repository with one commit."""
    git(tiny, "init", "-q")
    (tiny / ".gitignore").write_text("/.accord/\n/reports/\n__pycache__/\n")
    git(tiny, "add", ".")
    git(tiny, "commit", "-q", "-m", "first")
    return tiny
