"""Fixtures for the contract-core tests: tiny specs in tmp_path, the shared corpus."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.core.helpers import CORPUS, WriteFile


@pytest.fixture
def write(tmp_path: Path) -> WriteFile:
    """Write a dedented text (or raw bytes) to ``tmp_path / name`` and return the path."""

    def _write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
        return path

    return _write


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The shared corpus; a missing corpus is a failure, never a skip."""
    root = CORPUS.resolve()
    assert root.is_dir(), f"the shared corpus is missing: expected it at {root}"
    return root
