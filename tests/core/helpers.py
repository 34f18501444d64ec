"""Helpers shared by the contract-core tests (fixtures live in conftest.py)."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
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


# untrusted input through the CLI: one line, exit 2, never a traceback --------------------


def run_accord(
    *args: str | Path, cwd: Path | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    """``python -m accord ARGS`` in a process of its own (a hang fails by ``timeout``)."""
    return subprocess.run(
        [sys.executable, "-m", "accord", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    """The command's only output line (lint -q prints it as a finding, others on stderr)."""
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    assert len(lines) == 1, done.stdout + done.stderr
    return lines[0]


def accord_here(*args: str | Path) -> tuple[int, list[str]]:
    """``accord ARGS`` in this process: (exit code, non-empty output lines). An exception
    other than the CLI's own errors propagates: a traceback fails the calling test."""
    from accord.cli._app import main  # noqa: PLC0415 - the CLI only for the tests using it

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        code = main([str(a) for a in args])
    return code, [line for line in out.getvalue().splitlines() if line.strip()]
