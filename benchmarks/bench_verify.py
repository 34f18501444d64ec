"""`make verify` on the four-service shop (three Python services and reviews on Node), timed.

Runs, in one go and in this order, what `make verify` runs (`accord pacts --check`, then
`accord verify` of every provider) and, as the baseline, `accord verify` of the three Python
services alone (the shop before reviews): the ratio shows what the fourth service, in
another language, costs. The issue's target: `make verify` within 60 s on 2 cores.

    .venv/bin/python benchmarks/bench_verify.py            # writes benchmarks/results/verify.json

Reports and results go to a temporary folder; the load average is printed, because the
helpers sharing this machine skew the timings (above half the CPU count: a warning).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = 60.0
PYTHON_SERVICES = ("catalog", "orders", "payments")


def _run(*args: str) -> tuple[float, int, str]:
    env = {**os.environ, "CI": "true", "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}"}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "accord", *args], cwd=ROOT, env=env,
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    return seconds, done.returncode, (done.stdout + done.stderr)[-1500:]


def main() -> int:
    load = os.getloadavg()[0]
    cpus = os.cpu_count() or 1
    if load > cpus / 2:
        print(f"warning: load average {load:.1f} on {cpus} CPUs; timings are skewed")
    with tempfile.TemporaryDirectory(prefix="bench-verify-") as tmp:
        scratch = Path(tmp)

        def verify(*names: str, label: str) -> tuple[float, int, str]:
            db = str(scratch / f"{label}.sqlite3")
            return _run("verify", *names, "--report", str(scratch / label), "--results-db", db)

        pacts = _run("pacts", "--check")
        four = verify(label="four")
        three = verify(*PYTHON_SERVICES, label="three")
    make_verify = pacts[0] + four[0]
    rows = [
        ("accord pacts --check (Python + pact-js suites)", pacts),
        ("accord verify, four services", four),
        ("accord verify, three Python services (baseline)", three),
    ]
    for label, (seconds, code, _) in rows:
        print(f"{label:52} {seconds:6.1f} s  exit {code}")
    print(f"{'make verify (pacts --check + verify)':52} {make_verify:6.1f} s  target {TARGET:g} s")
    print(f"four / three services: {four[0] / three[0]:.2f}x")
    failed = [(label, out) for label, (_, code, out) in rows if code != 0]
    for label, out in failed:
        print(f"\n{label} failed:\n{out}")
    result = {
        "machine": {"cpus": cpus, "load_average": load, "python": platform.python_version()},
        "seconds": {label: seconds for label, (seconds, _, _) in rows},
        "make_verify_seconds": make_verify,
        "target_seconds": TARGET,
        "ratio_four_to_three": four[0] / three[0],
    }
    out = ROOT / "benchmarks" / "results" / "verify.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
