"""Helpers shared by the contract-core tests (fixtures live in conftest.py)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

#: the real-world corpus shared by every checkout: <repo>/../shared/corpus
CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"

#: the type of the ``write`` fixture: write(name, text_or_bytes) -> path
WriteFile = Callable[[str, str | bytes], Path]

OPENAPI_30_HEAD = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"


def api(body: str, head: str = OPENAPI_30_HEAD) -> str:
    """A tiny OpenAPI document: the ``openapi``/``info`` head plus a dedented body."""
    return head + textwrap.dedent(body)
