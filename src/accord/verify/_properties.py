"""Property-based tests with schemathesis' CLI against a running provider.

The CLI is used (not the Python API) because it tests a real server over HTTP, as
CI would, and writes JUnit itself; it runs in a scratch directory so its
``.schemathesis/`` and ``.hypothesis/`` stay out of the repository.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

from accord.verify._model import CaseResult

__all__ = ["read_junit", "run_schemathesis"]


def run_schemathesis(
    contract: Path,
    base_url: str,
    workdir: Path,
    *,
    max_examples: int,
    seed: int,
    headers: Mapping[str, str],
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
        *(arg for name, value in headers.items() for arg in ("--header", f"{name}: {value}")),
        "--report", "junit", "--report-junit-path", str(junit),
    ]  # fmt: skip
    proc = subprocess.run(
        command, cwd=workdir, capture_output=True, text=True, check=False, timeout=1800
    )
    log = proc.stdout + proc.stderr
    (workdir / "schemathesis.log").write_text(log)
    try:
        results = read_junit(junit, seed) if junit.exists() else []
    except ET.ParseError as exc:
        log += f"\n{junit}: unreadable JUnit ({exc})"
        results = []
    phase = _phase_failure(contract.name, proc.returncode, results, log[-1500:])
    return [*results, *([phase] if phase else [])]


def read_junit(path: Path, seed: int = 0) -> list[CaseResult]:
    """One result per ``testcase``: failed (any failure or error), skipped, or passed."""
    results = []
    for case in ET.parse(path).getroot().iter("testcase"):
        problems = [e for e in case if e.tag in ("failure", "error")]
        skips = [e for e in case if e.tag == "skipped"]
        shown = problems or skips
        message = "\n".join(
            "\n".join(filter(None, (p.get("message"), p.text))) for p in shown
        ).strip()
        results.append(
            CaseResult(
                "schemathesis",
                case.get("name", "?"),
                passed=not problems and not skips,
                message=message,
                reproduce=f"seed {seed}",
                skipped=bool(skips) and not problems,
            )
        )
    return results


def _phase_failure(
    name: str, returncode: int, results: list[CaseResult], tail: str
) -> CaseResult | None:
    """A failing case for the phase itself when no operation's result explains the outcome.

    Schemathesis exits nonzero on a crash, a contract it cannot load, or bad options,
    often with no failing test case at all; and a run in which every operation was
    skipped (or none was tested) has checked nothing.
    """
    failed = any(not c.passed and not c.skipped for c in results)
    if returncode != 0 and not failed:
        reason = f"schemathesis exited with {returncode} and no failing test case:\n{tail}"
    elif returncode == 0 and not results:
        reason = f"schemathesis tested no operation:\n{tail}"
    elif results and all(c.skipped for c in results):
        reason = f"schemathesis skipped every operation ({len(results)}):\n{tail}"
    else:
        return None
    return CaseResult("schemathesis", name, False, reason)
