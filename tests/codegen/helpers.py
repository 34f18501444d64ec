"""Shared by the codegen tests: a generated package imported for one test, and mypy on a file."""

from __future__ import annotations

import contextlib
import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

from accord import Contract
from accord.codegen import generate_package


@contextlib.contextmanager
def generated_client(source: Path, package: str) -> Iterator[ModuleType]:
    """The client module of the package generated from ``source`` next to it, imported;
    forgotten again (``sys.path``, ``sys.modules``) on the way out."""
    root = source.parent
    generate_package(Contract.from_path(source), package, root / package)
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module(f"{package}.client")
    finally:
        sys.path.remove(str(root))
        for name in [m for m in sys.modules if m == package or m.startswith(f"{package}.")]:
            del sys.modules[name]


def strict_mypy(module: Path, path: Path) -> subprocess.CompletedProcess[str]:
    """``mypy --strict`` on ``module``, importing from ``path`` (run from there)."""
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(module)],
        capture_output=True, text=True, cwd=path, timeout=600, check=False,
        env={"MYPYPATH": str(path), "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
