"""Time to generate code for the largest real-world documents, side by side with its baseline.

Compared, per document, each in a fresh process:

- ``datamodel-codegen``: the bare models generator (the baseline: what Accord builds on),
  run with the same flags Accord passes it;
- ``accord generate``: models, the sync + async client, and (for OpenAPI 3.0) the server
  stub, formatted, with provenance headers.

Both wall time and CPU time (user + system of the process, which other work on a shared
machine disturbs much less) are measured; the ratios are medians over ``--repeat`` runs.

The ratio says what Accord's own work (loading the contract, the operation index, two
emitters laid out without a formatter) costs on top of the model generator.

``--before SRC`` also runs ``accord generate`` from another checkout's ``src`` folder (main,
say) in the same loop, so before and after are measured side by side under the same load.
Each Accord command runs with ``PYTHONPATH`` set to its own ``src`` (the virtualenv's
editable install points at one checkout only).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(os.environ.get("ACCORD_CORPUS", ROOT.parent / "shared" / "corpus" / "openapi"))
FILES = [
    "stripe/spec3-2023-08-09.yaml",
    "apis-guru-3.1/openai.com__2.3.0.json",
    "twilio/twilio_conversations_v1.json",
    "apis-guru-3.1/vercel.com__0.0.1.json",
    "petstore/swagger-petstore-v3.yaml",
]
BIN = Path(sys.executable).parent


def _time(command: list[str], src: Path | None = None) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system, from ``os.wait4``) and the exit code."""
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    start = time.perf_counter()
    proc = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT, env=env
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def _baseline(document: Path, out: Path) -> list[str]:
    """datamodel-codegen on exactly the input and flags Accord gives it (dotted schema names
    such as Stripe's are fed as an underscore copy, which the bare tool needs too)."""
    sys.path.insert(0, str(ROOT / "src"))
    from accord import Contract  # noqa: PLC0415
    from accord.codegen._models import FLAGS, _input, inline_schemas  # noqa: PLC0415

    contract = Contract.from_path(document)  # what Accord feeds it, inline bodies included
    schemas = (contract.data.get("components") or {}).get("schemas") or {}
    inline = inline_schemas(contract, set(schemas)) if len(contract.files) == 1 else {}
    source, _ = _input(contract, schemas, inline, out.parent)
    return [str(BIN / "datamodel-codegen"), "--input", str(source), "--output", str(out), *FLAGS]


def _accord(document: Path, out: Path) -> list[str]:
    return [str(BIN / "accord"), "generate", "--contract", str(document), "--out", str(out)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--before", type=Path, help="another checkout's src/ to time as well")
    parser.add_argument("--files", help="comma-separated substrings of the documents to run")
    parser.add_argument(
        "--json", type=Path, default=ROOT / "benchmarks" / "results" / "generate.json"
    )
    args = parser.parse_args()
    runners: dict[str, Path | None] = {"baseline": None, "accord": ROOT / "src"}
    if args.before:
        runners["before"] = args.before.resolve()
    wanted = args.files.split(",") if args.files else None
    rows = []
    for name in FILES:
        document = CORPUS / name
        if wanted and not any(w in name for w in wanted):
            continue
        if not document.exists():
            print(f"skipped {name}: not in this corpus", file=sys.stderr)
            continue
        timings: dict[str, list[float]] = {k: [] for k in runners}
        cpu: dict[str, list[float]] = {k: [] for k in runners}
        codes: dict[str, int] = {}
        for _ in range(args.repeat):
            for label, src in runners.items():  # taking turns, under the same load
                with tempfile.TemporaryDirectory() as tmp:
                    if src is None:
                        command = _baseline(document, Path(tmp) / "models.py")
                    else:
                        command = _accord(document, Path(tmp) / "pkg")
                    seconds, cpu_s, codes[label] = _time(command, src)
                    timings[label].append(seconds)
                    cpu[label].append(cpu_s)
        medians = {k: statistics.median(v) for k, v in timings.items()}
        cpus = {k: statistics.median(v) for k, v in cpu.items()}
        base, cpu_base = medians["baseline"], cpus["baseline"]
        row = {
            "file": name,
            "size_bytes": document.stat().st_size,
            "datamodel_codegen_s": round(base, 2),
            "accord_generate_s": round(medians["accord"], 2),
            "ratio": round(medians["accord"] / base, 2) if base else None,
            "cpu_ratio": round(cpus["accord"] / cpu_base, 2) if cpu_base else None,
            "exit_codes": codes,
            "runs": timings,
            "cpu_runs": cpu,
        }
        if "before" in medians:
            row["before_s"] = round(medians["before"], 2)
            row["before_ratio"] = round(medians["before"] / base, 2) if base else None
            row["before_cpu_ratio"] = round(cpus["before"] / cpu_base, 2) if cpu_base else None
        rows.append(row)
    before = "  before s  ratio  cpu ratio" if args.before else ""
    header = (
        f"{'file':40} {'size':>8} {'datamodel-codegen s':>20} {'accord generate s':>18} "
        f"{'ratio':>6} {'cpu ratio':>9}{before}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        extra = (
            f" {row['before_s']:9.2f} {row['before_ratio']:6.2f} {row['before_cpu_ratio']:10.2f}"
            if args.before
            else ""
        )
        print(
            f"{row['file']:40} {row['size_bytes'] / 1048576:7.1f}M "
            f"{row['datamodel_codegen_s']:20.2f} {row['accord_generate_s']:18.2f} "
            f"{row['ratio']:6.2f} {row['cpu_ratio']:9.2f}{extra}"
        )
    meta = {"repeat": args.repeat, "before": str(args.before) if args.before else None}
    load = os.getloadavg()
    args.json.parent.mkdir(parents=True, exist_ok=True)
    meta["load_average_after"] = [round(x, 2) for x in load]
    args.json.write_text(json.dumps({**meta, "rows": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
