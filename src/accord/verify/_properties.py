"""Property-based tests with schemathesis' CLI against a running provider.

The CLI is used (not the Python API) because it tests a real server over HTTP, as
CI would, and writes its reports itself (JUnit, read here, and its HTML report, kept as
evidence); it runs in the provider's evidence folder so its ``.hypothesis/`` stays out
of the repository.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

from accord.verify._model import CaseResult

__all__ = ["read_junit", "reproducible", "run_schemathesis"]


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
    workdir = workdir.resolve()  # schemathesis runs there: its report paths must not be relative
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
        "--report", "junit,html", "--report-junit-path", str(junit),
        "--report-html-path", str(workdir / "html"),
    ]  # fmt: skip
    proc = subprocess.run(
        command, cwd=workdir, capture_output=True, text=True, check=False, timeout=1800
    )
    log = proc.stdout + proc.stderr
    (workdir / "schemathesis.log").write_text(log)
    try:
        results = read_junit(junit) if junit.exists() else []
    except ET.ParseError as exc:
        log += f"\n{junit}: unreadable JUnit ({exc})"
        results = []
    phase = _phase_failure(contract.name, proc.returncode, results, log[-1500:])
    return [*results, *([phase] if phase else [])]


#: a base URL in schemathesis' curl commands, and the header values it hides
_BASE = re.compile(r"https?://127\.0\.0\.1:\d+")
_FILTERED = re.compile(r"-H '(?P<name>[A-Za-z0-9-]+): \[Filtered\]'")


def reproducible(
    case: CaseResult, rerun: str, *, base_url: str | None = None, port: int | None = None
) -> CaseResult:
    """``case`` with commands that reproduce it after the run.

    ``rerun`` repeats the phase (same seed, same budget); a curl that schemathesis
    printed is rewritten for the provider where it runs day to day (``accord up`` at its
    ``port``) with the credentials ``accord token`` prints, instead of the run's own
    port (gone with the run) and a hidden header. Without a port (``--base-url``) the
    curl keeps the URL it was run against.
    """

    def usable(curl: str) -> str:
        if port is not None:
            curl = _BASE.sub(f"http://127.0.0.1:{port}", curl)
        elif base_url:
            curl = _BASE.sub(base_url, curl)

        def header(match: re.Match[str]) -> str:
            name = match["name"]
            if name.lower() == "authorization":
                return f'-H "{name}: Bearer $(accord token)"'
            return f'-H "{name}: ${name.upper().replace("-", "_")}"'

        return _FILTERED.sub(header, curl)

    message = "\n".join(
        usable(line) if line.lstrip().startswith("curl ") else line
        for line in case.message.splitlines()
    )
    curls = [line.strip() for line in message.splitlines() if line.lstrip().startswith("curl ")]
    return dataclasses.replace(case, message=message, reproduce="\n".join([rerun, *curls[:1]]))


def read_junit(path: Path) -> list[CaseResult]:
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
