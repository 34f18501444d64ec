"""Property-based tests with schemathesis' CLI against a running provider.

The CLI is used (not the Python API) because it tests a real server over HTTP, as
CI would, and writes JUnit itself; it runs in a scratch directory so its
``.schemathesis/`` and ``.hypothesis/`` stay out of the repository.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from accord.verify._model import CaseResult

__all__ = ["run_schemathesis"]


def run_schemathesis(
    contract: Path, base_url: str, workdir: Path, *, max_examples: int, seed: int, token: str
) -> list[CaseResult]:
    """All checks, positive and negative data, stateful links; one result per operation."""
    workdir.mkdir(parents=True, exist_ok=True)
    junit = workdir / "schemathesis.xml"
    command = [
        sys.executable, "-m", "schemathesis.cli", "--no-color", "run", str(contract),
        "--url", base_url,
        "--checks", "all",
        "--mode", "all",
        "--max-examples", str(max_examples),
        "--seed", str(seed),
        "--header", f"Authorization: Bearer {token}",
        "--report", "junit", "--report-junit-path", str(junit),
    ]  # fmt: skip
    proc = subprocess.run(
        command, cwd=workdir, capture_output=True, text=True, check=False, timeout=1800
    )
    (workdir / "schemathesis.log").write_text(proc.stdout + proc.stderr)
    if not junit.exists():
        tail = (proc.stdout + proc.stderr)[-1500:]
        return [
            CaseResult(
                "schemathesis", str(contract.name), False, f"schemathesis did not run:\n{tail}"
            )
        ]
    results = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        problems = [e for e in case if e.tag in ("failure", "error")]
        message = "\n".join(
            (p.get("message") or "") + "\n" + (p.text or "") for p in problems
        ).strip()
        results.append(
            CaseResult(
                "schemathesis",
                case.get("name", "?"),
                not problems,
                message,
                reproduce=f"seed {seed}",
            )
        )
    return results
