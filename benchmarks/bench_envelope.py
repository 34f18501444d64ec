"""The large-document envelope: ``accord lint`` and ``accord diff`` of a ~30 MiB contract.

What is measured
    A synthetic OpenAPI document just under the 32 MiB load limit is built from the
    corpus' Stripe document: its paths and component schemas are copied N times with
    renamed keys (``/v1/...`` becomes ``/c3/v1/...``, ``account`` becomes ``account_c3``,
    every ``$ref`` and ``operationId`` renamed to match), so the result is a real-shaped
    contract with N times Stripe's operations, schemas and references. A second copy
    with a few breaking changes (a removed path, a removed response property, a new
    required request parameter) is the "revised" side for ``accord diff``.

    Each command runs in a fresh process (``python -m accord ...``); its wall time, CPU
    time (user + system) and peak RSS (``os.wait4``) are recorded. On a shared machine
    the wall time grows with the load average while the CPU time does not, so both are
    shown, with the load average before each run. Stripe's own document is measured the same way
    in the same run, as the baseline: the table shows seconds and MB per MiB of input, so
    anything superlinear shows up as a larger per-MiB figure for the big document.

The envelope (issue 13, item 7)
    lint and diff of a 30 MiB document each within 15 s wall time and 1 GB peak RSS on
    the project's 2-core machine. The script prints PASS or FAIL per command and exits 1
    if any command is outside the envelope.

Run from the repository root::

    .venv/bin/python benchmarks/bench_envelope.py [--repeat N] [--size-mib 29.6] [--json PATH]

The generated documents are cached in ``benchmarks/.cache/envelope/`` (git-ignored).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / "benchmarks" / ".cache" / "envelope"
DEFAULT_RESULTS = REPO / "benchmarks" / "results" / "envelope.json"
CORPUS = Path(os.environ.get("ACCORD_CORPUS", REPO / ".." / "shared" / "corpus" / "openapi"))
STRIPE = CORPUS / "stripe" / "spec3-2023-08-09.yaml"
ENVELOPE_SECONDS = 15.0
ENVELOPE_MB = 1000.0
_REF = re.compile(r"^#/components/(\w+)/(.+)$")


def _rename(node: Any, suffix: str) -> Any:
    """A copy of ``node`` whose component ``$ref`` s and operationIds carry ``suffix``."""
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                m = _REF.match(value)
                out[key] = f"#/components/{m[1]}/{m[2]}{suffix}" if m else value
            elif key == "operationId" and isinstance(value, str):
                out[key] = value + suffix
            else:
                out[key] = _rename(value, suffix)
        return out
    if isinstance(node, list):
        return [_rename(v, suffix) for v in node]
    return node


def _copies(base: dict[str, Any], n: int) -> dict[str, Any]:
    doc: dict[str, Any] = {k: v for k, v in base.items() if k not in ("paths", "components")}
    doc["paths"] = {}
    doc["components"] = {k: {} for k in base["components"]}
    for i in range(n):
        suffix = f"_c{i}"
        for path, item in base["paths"].items():
            doc["paths"][f"/c{i}{path}"] = _rename(item, suffix)
        for kind, members in base["components"].items():
            for name, value in members.items():
                renamed = name if kind == "securitySchemes" else name + suffix
                doc["components"][kind][renamed] = _rename(value, suffix)
    return doc


def _revise(doc: dict[str, Any]) -> dict[str, Any]:
    """The same document with a few breaking changes, for diff to find."""
    revised = json.loads(json.dumps(doc))
    paths = revised["paths"]
    del paths[sorted(paths)[0]]
    schemas = revised["components"]["schemas"]
    for name in sorted(schemas)[:50]:
        props = schemas[name].get("properties")
        if isinstance(props, dict) and props:
            del props[sorted(props)[0]]
    for item in list(paths.values())[:20]:
        for op in item.values():
            if isinstance(op, dict) and "responses" in op:
                op.setdefault("parameters", []).append(
                    {"name": "x_new", "in": "query", "required": True, "schema": {"type": "string"}}
                )
    return revised


def build_documents(size_mib: float) -> tuple[Path, Path]:
    """Write (once) the big document and its revised copy; returns their paths."""
    CACHE.mkdir(parents=True, exist_ok=True)
    big = CACHE / f"big-{size_mib:g}.yaml"
    revised = CACHE / f"big-{size_mib:g}-revised.yaml"
    if big.exists() and revised.exists():
        return big, revised
    base = yaml.load(STRIPE.read_text("utf-8"), Loader=yaml.CSafeLoader)
    one = len(yaml.dump(_copies(base, 1), Dumper=yaml.CSafeDumper, sort_keys=False).encode())
    n = max(1, round(size_mib * 1048576 / one))
    doc = _copies(base, n)
    for target, data in ((big, doc), (revised, _revise(doc))):
        text = yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, width=120)
        target.write_text(text, "utf-8")
    return big, revised


@dataclass(slots=True)
class Run:
    seconds: float
    cpu_seconds: float
    rss_mb: float
    exit_code: int
    load: float


def _measure(args: list[str]) -> Run:
    env = {**os.environ, "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}"}
    load = os.getloadavg()[0]
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "accord", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1) and proc.stderr is not None:
        sys.stderr.write(proc.stderr.read().decode(errors="replace")[-2000:])
    cpu = usage.ru_utime + usage.ru_stime
    return Run(seconds, cpu, usage.ru_maxrss / 1024, code, load)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--size-mib", type=float, default=29.6)
    parser.add_argument("--json", type=Path, default=DEFAULT_RESULTS)
    opts = parser.parse_args()
    if not STRIPE.exists():
        print(f"bench_envelope: the corpus Stripe document is missing ({STRIPE})")
        return 2
    big, revised = build_documents(opts.size_mib)
    cases = {
        "lint stripe": (STRIPE, ["lint", "-q", str(STRIPE)]),
        "diff stripe": (STRIPE, ["diff", str(STRIPE), str(STRIPE)]),
        "lint big": (big, ["lint", "-q", str(big)]),
        "diff big": (big, ["diff", str(big), str(revised)]),
    }
    rows, failed = [], False
    for name, (doc, args) in cases.items():
        runs = [_measure(args) for _ in range(opts.repeat)]
        mib = doc.stat().st_size / 1048576
        seconds = statistics.median(r.seconds for r in runs)
        cpu = statistics.median(r.cpu_seconds for r in runs)
        rss = max(r.rss_mb for r in runs)
        codes = sorted({r.exit_code for r in runs})
        held = seconds <= ENVELOPE_SECONDS and rss <= ENVELOPE_MB and set(codes) <= {0, 1}
        verdict = "" if "stripe" in name else ("PASS" if held else "FAIL")
        failed |= verdict == "FAIL"
        rows.append(
            {
                "case": name,
                "mib": round(mib, 1),
                "seconds": round(seconds, 2),
                "cpu_seconds": round(cpu, 2),
                "rss_mb": round(rss),
                "s_per_mib": round(seconds / mib, 2),
                "mb_per_mib": round(rss / mib, 1),
                "exit": codes,
                "verdict": verdict,
                "load_before": round(max(r.load for r in runs), 1),
            }
        )
        r = rows[-1]
        print(
            f"{name:<12} {r['mib']:>6} MiB {r['seconds']:>7} s {r['cpu_seconds']:>7} s CPU "
            f"{r['rss_mb']:>6} MB {r['s_per_mib']:>6} s/MiB {r['mb_per_mib']:>6} MB/MiB "
            f"exit {codes} load {r['load_before']:>4} {verdict}",
            flush=True,
        )
    print(f"envelope: {ENVELOPE_SECONDS:g} s and {ENVELOPE_MB:g} MB per command on 30 MiB")
    opts.json.parent.mkdir(parents=True, exist_ok=True)
    opts.json.write_text(
        json.dumps(
            {
                "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                "machine": f"{platform.machine()} {os.cpu_count()} CPU, {platform.platform()}",
                "python": platform.python_version(),
                "load_average": os.getloadavg(),
                "repeat": opts.repeat,
                "rows": rows,
            },
            indent=2,
        )
        + "\n",
        "utf-8",
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
