"""Start-up of the ``accord`` command line: whole-process time, side by side with baselines.

Each case is a fresh process (``python -m accord ...`` from the repository root, so the
workspace is found), run ``--repeat`` times, the cases taking turns so that noise from other
processes falls on all of them alike. Reported per case: the median and minimum wall time,
and the median CPU time (user + system, from ``os.wait4``: what the process itself used,
which other load on the machine disturbs much less than wall time).

- ``accord --version`` / ``-V`` and ``accord token`` (a signed token for the workspace: its
  whole work included) have a target of 0.25 s;
- ``accord --help`` and every command's ``--help`` stand for the command's start-up before
  its own work (the CLI, the command's module, typer's parameters, the help rendered): 0.35 s.

Baselines, in the same run: ``python -c pass`` (the interpreter alone) and the eager import
of every command's feature, which is what the CLI did at start-up before its commands were
registered lazily (datamodel-code-generator, schemathesis, black, the gateway, ...).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VERSION_TARGET = 0.25
HELP_TARGET = 0.35
#: what `import accord.cli` pulled in before commands were registered lazily
EAGER = (
    "import accord.cli, accord.lint, accord.crosscheck, accord.diff, accord.codegen, "
    "accord.mock, accord.pacts, accord.verify, accord.gateway, accord.runtime._client, "
    "accord.runtime._server, datamodel_code_generator, rich.table"
)


@dataclass(slots=True)
class Case:
    name: str
    argv: list[str]
    target: float | None
    wall: list[float]
    cpu: list[float]
    codes: set[int]


def _commands() -> list[str]:
    sys.path.insert(0, str(ROOT / "src"))
    from accord.cli._app import COMMANDS  # noqa: PLC0415  (the app's own list of commands)

    return list(COMMANDS)


def _cases() -> list[Case]:
    python, accord = [sys.executable], [sys.executable, "-m", "accord"]
    cases = [
        Case("python -c pass (baseline)", [*python, "-c", "pass"], None, [], [], set()),
        Case(
            "eager import of every command (baseline)", [*python, "-c", EAGER], None, [], [], set()
        ),
        Case("accord --version", [*accord, "--version"], VERSION_TARGET, [], [], set()),
        Case("accord -V", [*accord, "-V"], VERSION_TARGET, [], [], set()),
        Case("accord token", [*accord, "token"], VERSION_TARGET, [], [], set()),
        Case("accord --help", [*accord, "--help"], HELP_TARGET, [], [], set()),
    ]
    for name in _commands():
        cases.append(
            Case(f"accord {name} --help", [*accord, name, "--help"], HELP_TARGET, [], [], set())
        )
    return cases  # fmt: skip


def _run(case: Case, env: dict[str, str]) -> None:
    start = time.perf_counter()
    proc = subprocess.Popen(
        case.argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    case.wall.append(time.perf_counter() - start)
    case.cpu.append(usage.ru_utime + usage.ru_stime)
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    case.codes.add(proc.returncode)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--json", type=Path, default=ROOT / "benchmarks" / "results" / "startup.json"
    )
    args = parser.parse_args()
    # this checkout's code, whichever environment runs it
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    cases = _cases()
    for case in cases:  # one warm-up run each: .pyc files written, disk cache warm
        _run(case, env)
        case.wall.clear()
        case.cpu.clear()
    for _ in range(args.repeat):
        for case in cases:
            _run(case, env)
    rows = []
    for case in cases:
        wall = statistics.median(case.wall)
        rows.append(
            {
                "case": case.name,
                "target_s": case.target,
                "median_s": round(wall, 3),
                "min_s": round(min(case.wall), 3),
                "cpu_median_s": round(statistics.median(case.cpu), 3),
                "passed": None if case.target is None else wall < case.target,
                "exit_codes": sorted(case.codes),
            }
        )
    header = f"{'case':44} {'target':>7} {'median':>8} {'min':>7} {'cpu':>7}  verdict"
    print(header)
    print("-" * len(header))
    for row in rows:
        target = f"{row['target_s']:.2f}" if row["target_s"] is not None else "-"
        verdict = {None: "", True: "pass", False: "FAIL"}[row["passed"]]
        if row["exit_codes"] != [0]:
            verdict += f" (exit {row['exit_codes']})"
        print(
            f"{row['case']:44} {target:>7} {row['median_s']:8.3f} {row['min_s']:7.3f} "
            f"{row['cpu_median_s']:7.3f}  {verdict}"
        )
    failed = [row["case"] for row in rows if row["passed"] is False]
    print(f"\n{len(failed)} case(s) over target" + (f": {', '.join(failed)}" if failed else ""))
    load = os.getloadavg()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "repeat": args.repeat,
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "load_average_at_end": [round(x, 2) for x in load],
                "rows": rows,
            },
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
