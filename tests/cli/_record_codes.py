"""A pytest plugin (``-p tests.cli._record_codes``): every finding rule id and crosscheck
code constructed while the tests run is written, as a JSON list, to
``$ACCORD_RECORD_CODES`` when the session ends (``tests/cli/test_sarif.py`` reads it)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from accord._findings import Finding
from accord.crosscheck._model import Mismatch

SEEN: set[str] = set()


def _recording(init: Any) -> Any:
    def record(self: Any, code: str, *args: Any, **kwargs: Any) -> None:
        SEEN.add(code)
        init(self, code, *args, **kwargs)

    return record


Finding.__init__ = _recording(Finding.__init__)  # type: ignore[method-assign]
Mismatch.__init__ = _recording(Mismatch.__init__)  # type: ignore[method-assign]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    Path(os.environ["ACCORD_RECORD_CODES"]).write_text(json.dumps(sorted(SEEN)), "utf-8")
