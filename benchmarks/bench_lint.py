"""Side-by-side lint benchmark: ``accord lint`` against Spectral on real OpenAPI documents.

What is compared
    For each document of the shared corpus (the largest real-world ones plus the small
    petstore) the script times whole commands, as a user or CI would run them:

    * ``accord lint -q FILE`` (Accord's own rules; exit 0 or 1 both mean "ran fine",
      2 means Accord found the input unusable, which is reported);
    * ``spectral lint FILE --ruleset .spectral.yaml --format json`` with a ruleset that
      only says ``extends: ["spectral:oas"]`` (Spectral's stock OpenAPI rules).

    Each command runs ``--repeat`` times (default 3, the two tools interleaved); the
    median and minimum wall times are reported, with the peak RSS of the process taken
    from ``os.wait4`` (so it is that command's own peak, not a max over earlier children)
    and the number of findings each tool printed.

    Separately, in a fresh interpreter per run with the import excluded, it times
    ``accord.Contract.from_path(FILE)`` (parse, ``$ref`` check, operation index) and
    ``accord.lint.lint_paths([FILE])`` (load plus every rule), which shows how much of the
    command's time is interpreter start-up, imports and rendering.

    Accord's bytecode is compiled first (``compileall``), as ``pip install`` does, so a
    checkout with stale ``.pyc`` files does not time the compiler.

Why
    Spectral is the de-facto OpenAPI linter, so it is the yardstick for whether Accord's
    lint is fast enough for editors, pre-commit hooks and CI on multi-megabyte documents.
    The two tools check different rule sets, so the finding counts show the scale of the
    output, not which tool is "right".

Spectral (``@stoplight/spectral-cli@6``) is installed with npm into
``benchmarks/.cache/spectral/`` on first use. Without npm or a working Spectral the
script says why, still measures Accord, and shows Spectral as ``n/a``.

Run from the repository root::

    .venv/bin/python benchmarks/bench_lint.py [--repeat N] [--files stripe,petstore]
                                              [--no-spectral] [--json PATH]

The corpus folder defaults to ``../shared/corpus/openapi`` beside the repository;
set ``ACCORD_CORPUS`` to use another. Results also go to ``benchmarks/results/lint.json``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"
SPECTRAL_DIR = BENCH / ".cache" / "spectral"
SPECTRAL_BIN = SPECTRAL_DIR / "node_modules" / ".bin" / "spectral"
RULESET = SPECTRAL_DIR / ".spectral.yaml"
SPECTRAL_PACKAGE = "@stoplight/spectral-cli@6"
DEFAULT_RESULTS = BENCH / "results" / "lint.json"
DEFAULT_CORPUS = REPO / ".." / "shared" / "corpus" / "openapi"
SMOKE_FILE = "petstore/swagger-petstore-v3.yaml"

# Paths relative to the corpus; missing ones (this copy may lack GitHub and Twilio
# api_v2010) are skipped with a note.
FILES = (
    "stripe/spec3-2023-08-09.yaml",
    "stripe/spec3-2023-03-27.yaml",
    "github/api.github.com-2020-09.json",
    "twilio/twilio_api_v2010.json",
    "apis-guru-3.1/openai.com__2.3.0.json",
    "twilio/twilio_conversations_v1.json",
    "apis-guru-3.1/vercel.com__0.0.1.json",
    "twilio/twilio_messaging_v1.yaml",
    "petstore/swagger-petstore-v3.yaml",
)

# One text finding per line: ``file[:line:col]: severity rule-id: message``.
ACCORD_FINDING = re.compile(r"^.+?: (error|warning|info) \S+: ", re.MULTILINE)
SPECTRAL_SEVERITY = {0: "error", 1: "warning", 2: "info", 3: "hint"}

LOAD_SNIPPET = """\
import json, sys, time
from accord import Contract
start = time.perf_counter()
Contract.from_path(sys.argv[1])
print(json.dumps({"seconds": time.perf_counter() - start}))
"""

LINT_SNIPPET = """\
import json, sys, time
from accord.lint import lint_paths
start = time.perf_counter()
result = lint_paths([sys.argv[1]])
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "findings": len(result.findings)}))
"""

SMOKE_DOCUMENT = """\
openapi: 3.0.3
info: {title: smoke, version: "1", description: smoke, contact: {name: x}}
servers: [{url: "https://example.com"}]
tags: [{name: t, description: t}]
paths: {}
"""


@dataclass(slots=True, frozen=True)
class Run:
    """One finished command: wall time, exit code, peak RSS and what it printed."""

    seconds: float
    exit_code: int
    max_rss_kb: int
    stdout: str
    stderr: str


@dataclass(slots=True, frozen=True)
class Spectral:
    """A Spectral install that passed the smoke test."""

    version: str

    def command(self, path: Path) -> list[str]:
        return [
            str(SPECTRAL_BIN),
            "lint",
            str(path),
            "--ruleset",
            str(RULESET),
            "--format",
            "json",
        ]


# measuring ------------------------------------------------------------------------------


def run_measured(cmd: Sequence[str]) -> Run:
    """Run ``cmd`` to completion; its own peak RSS comes from ``os.wait4``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(
            seconds=elapsed,
            exit_code=proc.returncode,
            max_rss_kb=usage.ru_maxrss,
            stdout=out.read().decode("utf-8", "replace"),
            stderr=err.read().decode("utf-8", "replace"),
        )


def summarize(runs: Sequence[Run]) -> dict[str, Any]:
    times = [r.seconds for r in runs]
    return {
        "median_s": round(statistics.median(times), 4),
        "min_s": round(min(times), 4),
        "runs_s": [round(t, 4) for t in times],
        "exit_codes": [r.exit_code for r in runs],
        "peak_rss_mb": round(max(r.max_rss_kb for r in runs) / 1024, 1),
    }


def count_accord(stdout: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for match in ACCORD_FINDING.finditer(stdout):
        counts[match.group(1)] = counts.get(match.group(1), 0) + 1
    return counts


def count_spectral(stdout: str) -> dict[str, int] | None:
    try:
        results = json.loads(stdout)
    except json.JSONDecodeError:
        return None
    if not isinstance(results, list):
        return None
    counts: dict[str, int] = {}
    for item in results:
        name = SPECTRAL_SEVERITY.get(item.get("severity"), "other")
        counts[name] = counts.get(name, 0) + 1
    return counts


def tail(text: str, lines: int = 3) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])


# Spectral install -----------------------------------------------------------------------


def ensure_spectral(corpus: Path) -> tuple[Spectral | None, str]:
    """Install Spectral if needed and smoke-test it; ``(None, why)`` when it is unusable."""
    if not SPECTRAL_BIN.exists():
        problem = install_spectral()
        if problem:
            return None, problem
    RULESET.write_text('extends: ["spectral:oas"]\n', encoding="utf-8")
    try:
        version = run_measured([str(SPECTRAL_BIN), "--version"]).stdout.strip()
        spectral = Spectral(version=version)
        smoke = run_measured(spectral.command(smoke_file(corpus)))
    except OSError as exc:
        return None, f"spectral cannot run: {exc}"
    if smoke.exit_code not in (0, 1) or count_spectral(smoke.stdout) is None:
        return None, f"spectral smoke test failed (exit {smoke.exit_code}): {tail(smoke.stderr)}"
    return spectral, f"spectral {version}"


def install_spectral() -> str:
    """``npm install`` Spectral into the cache folder; returns a problem or ``""``."""
    npm = shutil.which("npm")
    if npm is None:
        return "npm not found on PATH"
    print(f"installing {SPECTRAL_PACKAGE} into {SPECTRAL_DIR} ...", file=sys.stderr)
    SPECTRAL_DIR.mkdir(parents=True, exist_ok=True)
    cmd = [
        npm,
        "install",
        "--prefix",
        str(SPECTRAL_DIR),
        SPECTRAL_PACKAGE,
        "--no-audit",
        "--no-fund",
    ]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"npm install failed: {exc}"
    if done.returncode != 0 or not SPECTRAL_BIN.exists():
        return f"npm install failed (exit {done.returncode}): {tail(done.stderr)}"
    return ""


def smoke_file(corpus: Path) -> Path:
    """The corpus petstore, or a tiny document of our own if the corpus lacks it."""
    petstore = corpus / SMOKE_FILE
    if petstore.is_file():
        return petstore
    fallback = SPECTRAL_DIR / "smoke.yaml"
    fallback.write_text(SMOKE_DOCUMENT, encoding="utf-8")
    return fallback


# per-file benchmark -----------------------------------------------------------------------


def accord_command() -> list[str]:
    script = Path(sys.executable).parent / "accord"
    found = str(script) if script.exists() else shutil.which("accord")
    if found is None:
        raise SystemExit("bench_lint: the `accord` command is not installed next to this Python")
    return [found, "lint", "-q"]


def bench_commands(path: Path, repeat: int, spectral: Spectral | None) -> dict[str, Any]:
    """Time ``accord lint`` and Spectral on ``path``, interleaved run by run."""
    accord_runs: list[Run] = []
    spectral_runs: list[Run] = []
    for _ in range(repeat):
        accord_runs.append(run_measured([*accord_command(), str(path)]))
        if spectral is not None:
            spectral_runs.append(run_measured(spectral.command(path)))
    accord = summarize(accord_runs)
    accord["findings_by_severity"] = count_accord(accord_runs[-1].stdout)
    accord["findings"] = sum(accord["findings_by_severity"].values())
    if any(r.exit_code not in (0, 1) for r in accord_runs):
        accord["error"] = tail(accord_runs[-1].stderr + accord_runs[-1].stdout)
    return {"accord": accord, "spectral": spectral_summary(spectral_runs)}


def spectral_summary(runs: Sequence[Run]) -> dict[str, Any] | None:
    if not runs:
        return None
    summary = summarize(runs)
    counts = count_spectral(runs[-1].stdout)
    summary["findings_by_severity"] = counts
    summary["findings"] = None if counts is None else sum(counts.values())
    if any(r.exit_code not in (0, 1) for r in runs) or counts is None:
        summary["error"] = tail(runs[-1].stderr)
    return summary


def bench_in_process(path: Path, repeat: int) -> dict[str, Any]:
    """``Contract.from_path`` and ``lint_paths`` timed inside a fresh interpreter per run."""
    out: dict[str, Any] = {}
    for key, snippet in (("load", LOAD_SNIPPET), ("lint_paths", LINT_SNIPPET)):
        reports = []
        for _ in range(repeat):
            run = run_measured([sys.executable, "-c", snippet, str(path)])
            if run.exit_code != 0:
                out[key] = {"error": tail(run.stderr)}
                break
            reports.append(json.loads(run.stdout))
        else:
            times = [r["seconds"] for r in reports]
            out[key] = {
                "median_s": round(statistics.median(times), 4),
                "min_s": round(min(times), 4),
            }
            if "findings" in reports[-1]:
                out[key]["findings"] = reports[-1]["findings"]
    return out


def bench_file(corpus: Path, name: str, repeat: int, spectral: Spectral | None) -> dict[str, Any]:
    path = corpus / name
    print(f"{name}: timing commands x{repeat} ...", file=sys.stderr)
    row: dict[str, Any] = {"file": name, "bytes": path.stat().st_size}
    row.update(bench_commands(path, repeat, spectral))
    spec = row["spectral"]
    ok = spec is not None and "error" not in spec and "error" not in row["accord"]
    row["ratio"] = round(spec["median_s"] / row["accord"]["median_s"], 2) if ok else None
    print(f"{name}: timing in-process load and lint_paths x{repeat} ...", file=sys.stderr)
    row["in_process"] = bench_in_process(path, repeat)
    return row


# output ---------------------------------------------------------------------------------


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / 1048576:.1f} MiB"
    return f"{size / 1024:.0f} KiB"


def fmt(value: float | None, digits: int = 2, suffix: str = "") -> str:
    return "n/a" if value is None else f"{value:.{digits}f}{suffix}"


def fmt_count(value: int | None) -> str:
    return "n/a" if value is None else str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join((first, *rest)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join((line(headers), rule, *(line(r) for r in rows)))


def main_table(rows: Sequence[dict[str, Any]]) -> str:
    headers = (
        "file",
        "size",
        "accord med s",
        "accord min s",
        "spectral med s",
        "spectral min s",
        "ratio s/a",
        "accord findings",
        "spectral findings",
        "accord RSS MB",
        "spectral RSS MB",
    )
    body = []
    for row in rows:
        acc, spec = row["accord"], row["spectral"] or {}
        body.append(
            (
                row["file"] + accord_flag(acc["exit_codes"]),
                human_size(row["bytes"]),
                fmt(acc["median_s"]),
                fmt(acc["min_s"]),
                fmt(spec.get("median_s")),
                fmt(spec.get("min_s")),
                fmt(row["ratio"], 1, "x"),
                fmt_count(acc["findings"]),
                fmt_count(spec.get("findings")),
                fmt(acc["peak_rss_mb"], 0),
                fmt(spec.get("peak_rss_mb"), 0),
            )
        )
    return table(headers, body)


def accord_flag(exit_codes: Sequence[int]) -> str:
    bad = sorted({c for c in exit_codes if c not in (0, 1)})
    if not bad:
        return ""
    return " [accord: unusable input]" if bad == [2] else f" [accord exit {bad[0]}]"


def in_process_table(rows: Sequence[dict[str, Any]]) -> str:
    headers = (
        "file",
        "load med s",
        "load min s",
        "lint_paths med s",
        "lint_paths min s",
        "findings",
        "CLI - lint_paths s",
    )
    body = []
    for row in rows:
        load, lint = row["in_process"]["load"], row["in_process"]["lint_paths"]
        overhead = None
        if "median_s" in lint:
            overhead = row["accord"]["median_s"] - lint["median_s"]
        body.append(
            (
                row["file"],
                fmt(load.get("median_s")),
                fmt(load.get("min_s")),
                fmt(lint.get("median_s")),
                fmt(lint.get("min_s")),
                fmt_count(lint.get("findings")),
                fmt(overhead),
            )
        )
    return table(headers, body)


def notes(rows: Sequence[dict[str, Any]]) -> list[str]:
    out = []
    for row in rows:
        for tool in ("accord", "spectral"):
            error = (row[tool] or {}).get("error")
            if error:
                out.append(f"{row['file']}: {tool} did not run cleanly: {error}")
        for key, value in row["in_process"].items():
            if "error" in value:
                out.append(f"{row['file']}: in-process {key} failed: {value['error']}")
    return out


def machine() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        models = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.MULTILINE)
        if models:
            info["cpu"] = models[0].strip()
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        total = re.search(r"^MemTotal:\s*(\d+) kB", meminfo.read_text(), re.MULTILINE)
        if total:
            info["memory_gib"] = round(int(total.group(1)) / 1048576, 1)
    node = shutil.which("node")
    if node:
        done = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
        info["node"] = done.stdout.strip()
    return info


def warn_if_busy() -> float:
    """The 1-minute load average, with a warning when other work competes for the CPUs."""
    load = round(os.getloadavg()[0], 2)
    cpus = os.cpu_count() or 1
    if load > cpus / 2:
        print(
            f"warning: load average {load} on {cpus} CPUs; other work will inflate the timings",
            file=sys.stderr,
        )
    return load


def accord_version() -> str:
    done = subprocess.run(
        [accord_command()[0], "--version"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip()


# entry point ----------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per command (default 3)")
    parser.add_argument(
        "--files", default="", help="comma-separated substrings; keep matching corpus paths"
    )
    parser.add_argument("--no-spectral", action="store_true", help="measure Accord only")
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_RESULTS, help="where to write the results"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


def select_files(corpus: Path, filters: str) -> list[str]:
    wanted = [f.strip() for f in filters.split(",") if f.strip()]
    chosen = [name for name in FILES if not wanted or any(w in name for w in wanted)]
    present = []
    for name in chosen:
        if (corpus / name).is_file():
            present.append(name)
        else:
            print(f"skipping {name}: not in {corpus}", file=sys.stderr)
    return sorted(present, key=lambda n: -(corpus / n).stat().st_size)


def compile_bytecode() -> None:
    """Write Accord's bytecode first, as installing a package does: an editable checkout
    whose ``.pyc`` files are stale (or a shell with ``PYTHONDONTWRITEBYTECODE``) would
    otherwise time the compilation of every changed module in every run."""
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO / "src" / "accord")],
        check=True,
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    corpus = Path(os.environ.get("ACCORD_CORPUS") or DEFAULT_CORPUS).resolve()
    if not corpus.is_dir():
        print(f"bench_lint: corpus folder {corpus} not found (set ACCORD_CORPUS)", file=sys.stderr)
        return 2
    files = select_files(corpus, args.files)
    if not files:
        print("bench_lint: no corpus files to benchmark", file=sys.stderr)
        return 1
    load_before = warn_if_busy()
    compile_bytecode()
    spectral: Spectral | None = None
    status = "disabled (--no-spectral)"
    if not args.no_spectral:
        spectral, status = ensure_spectral(corpus)
    if spectral is None:
        print(f"Spectral: n/a ({status}); reporting Accord only.", file=sys.stderr)
    rows = [bench_file(corpus, name, args.repeat, spectral) for name in files]
    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "accord": accord_version(),
        "spectral": status,
        "spectral_ruleset": 'extends: ["spectral:oas"]',
        "repeat": args.repeat,
        "load_average_1m": {"before": load_before, "after": round(os.getloadavg()[0], 2)},
        "files": rows,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(f"Accord lint vs Spectral ({status}), {args.repeat} runs each, wall time of the command")
    print(main_table(rows))
    print()
    print("Accord in-process (fresh interpreter per run, import excluded)")
    print(in_process_table(rows))
    for note in notes(rows):
        print(f"note: {note}")
    print(f"\nresults written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
