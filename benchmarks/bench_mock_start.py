"""Mock start-up side by side: ``accord mock`` against Stoplight Prism, from process start.

What is measured
    For each document (Stripe, OpenAI and the petstore of the corpus) and each server, a fresh
    process is started on a free 127.0.0.1 port:

    * ``python -m accord mock FILE --port P -q`` (this checkout's ``src`` first on the path);
    * with ``--baseline DIR``, the same from an earlier commit's sources (``baseline``), e.g.
      ``git archive <commit> src | tar -x -C /tmp/base`` then ``--baseline /tmp/base/src``;
    * ``prism mock -h 127.0.0.1 -p P FILE`` (``@stoplight/prism-cli@5``, installed by
      ``bench_mock.py``'s helper into ``benchmarks/.cache/prism/``).

    Then, with one client and one request at a time:

    * **first answer**: seconds from the process start until a real request of the document
      (``GET /v1/balance``, ``GET /models``, ``GET /store/inventory``, with credentials) gets
      an HTTP answer; its status is kept (200 expected);
    * **every operation once**: right after, one request per operation in document order
      (path parameters filled with ``1``, no body: some are answered 4xx, which is an answer
      too). The seconds from the process start until the last one is answered, and the
      latency of these first requests (p50, p90, max): what a client meets before an
      operation's answer is planned (validators compiled, data generated).

    Each case is run ``--repeat`` times, servers taking turns; the medians are reported, with
    each other server's figures over Accord's (how many times longer it takes). A server that
    does not answer within ``--timeout`` seconds is shown as such (not retried).

Run from the repository root::

    .venv/bin/python benchmarks/bench_mock_start.py [--repeat 3] [--no-prism] [--timeout 120]
                                                    [--baseline DIR] [--json PATH]

Results also go to ``benchmarks/results/mock_start.json``.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO / "src"))

import bench_mock  # noqa: E402  (its process, Prism and table helpers)

DEFAULT_RESULTS = BENCH / "results" / "mock_start.json"
HEADERS = {"Authorization": "Bearer x", "api_key": "x", "Accept": "application/json"}


@dataclass(slots=True, frozen=True)
class Document:
    name: str
    path: str  # under the corpus' openapi folder
    probe: str


DOCUMENTS = (
    Document("stripe", bench_mock.STRIPE, bench_mock.STRIPE_PROBE),
    Document("openai", "apis-guru-3.1/openai.com__2.3.0.json", "/models"),
    Document("petstore", "petstore/swagger-petstore-v3.yaml", "/store/inventory"),
)


def accord_server(name: str, src: Path) -> bench_mock.Server:
    """``accord mock`` run from the sources at ``src`` (this checkout's, or a baseline's)."""
    path = f"PYTHONPATH={src.resolve()}{os.pathsep}{REPO}"
    argv = ("env", path, sys.executable, "-m", "accord", "mock", "{contract}", "--port", "{port}")
    return bench_mock.Server(name, (*argv, "-q"))


def operations(path: Path) -> list[tuple[str, str]]:
    """(METHOD, concrete path) of every operation, path parameters filled with ``1``."""
    from accord.core import Contract  # noqa: PLC0415

    contract = Contract.from_path(path)
    return [(op.method.upper(), re.sub(r"\{[^}]*\}", "1", op.path)) for op in contract.operations]


def ask(port: int, method: str, path: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, headers=HEADERS)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def one_run(
    server: bench_mock.Server, document: Path, probe: str, ops: list[tuple[str, str]], limit: float
) -> dict[str, Any]:
    """Start ``server`` on ``document``: first answer, then every operation once."""
    log = BENCH / ".cache" / f"mock-start-{server.name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with bench_mock.running(server, document, log) as (port, proc):
        start = time.perf_counter()
        first = bench_mock.wait_answering(port, proc, probe, limit)
        if first is None:
            return {"error": f"no answer within {limit:.0f} s: {bench_mock.tail(log.read_text())}"}
        status = ask(port, "GET", probe)
        latencies: list[float] = []
        statuses: dict[str, int] = {}
        for method, path in ops:
            began = time.perf_counter()
            try:
                code = str(ask(port, method, path))
            except (OSError, http.client.HTTPException) as exc:
                code = type(exc).__name__
            latencies.append(time.perf_counter() - began)
            statuses[code] = statuses.get(code, 0) + 1
        every = time.perf_counter() - start
    latencies.sort()
    return {
        "first_answer_s": round(first, 3),
        "probe_status": status,
        "every_operation_s": round(every, 3),
        "first_request_p50_ms": round(1000 * latencies[len(latencies) // 2], 2),
        "first_request_p90_ms": round(1000 * latencies[int(len(latencies) * 0.9)], 2),
        "first_request_max_ms": round(1000 * latencies[-1], 2),
        "statuses": statuses,
    }


def median(runs: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in runs if key in r]
    return round(statistics.median(values), 3) if values else None


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ("first_answer_s", "every_operation_s", "first_request_p50_ms")
    out: dict[str, Any] = {key: median(runs, key) for key in keys}
    out["first_request_p90_ms"] = median(runs, "first_request_p90_ms")
    out["first_request_max_ms"] = median(runs, "first_request_max_ms")
    out["probe_status"] = sorted({r["probe_status"] for r in runs if "probe_status" in r})
    errors = [r["error"] for r in runs if "error" in r]
    if errors:
        out["error"] = errors[0]
    out["runs"] = runs
    return out


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per server and document")
    parser.add_argument("--no-prism", action="store_true", help="skip Prism")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds to a first answer")
    parser.add_argument("--documents", default=",".join(d.name for d in DOCUMENTS))
    parser.add_argument(
        "--baseline",
        type=Path,
        help="also run accord from these sources, as `baseline` (an earlier commit's src)",
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_RESULTS)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    corpus = Path(os.environ.get("ACCORD_CORPUS") or bench_mock.DEFAULT_CORPUS).resolve()
    wanted = [d for d in DOCUMENTS if d.name in args.documents.split(",")]
    prism_ok, prism_status = False, "disabled (--no-prism)"
    if not args.no_prism:
        prism_ok, prism_status = bench_mock.ensure_prism()
    servers = [accord_server("accord", REPO / "src")]
    if args.baseline is not None:
        servers.append(accord_server("baseline", args.baseline))
    if prism_ok:
        servers.append(bench_mock.PRISM_SERVER)
    for src in (REPO / "src", args.baseline):  # bytecode first: no run pays for compiling it
        if src is not None:
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=False)
    load_before = round(os.getloadavg()[0], 2)
    results: dict[str, Any] = {}
    for document in wanted:
        path = corpus / document.path
        if not path.is_file():
            print(f"skipping {document.name}: {path} not found", file=sys.stderr)
            continue
        ops = operations(path)
        runs: dict[str, list[dict[str, Any]]] = {s.name: [] for s in servers}
        for i in range(args.repeat):
            for server in servers:
                if any("error" in r for r in runs[server.name]):
                    continue  # it did not answer once: not worth the wait again
                print(f"{document.name}: {server.name} run {i + 1} ...", file=sys.stderr)
                runs[server.name].append(one_run(server, path, document.probe, ops, args.timeout))
        found = {name: summary(r) for name, r in runs.items()}
        found["operations"] = len(ops)
        found["probe"] = f"GET {document.probe}"
        results[document.name] = found
    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": bench_mock.machine(),
        "prism": prism_status,
        "repeat": args.repeat,
        "baseline": str(args.baseline) if args.baseline else None,
        "load_average_1m": {"before": load_before, "after": round(os.getloadavg()[0], 2)},
        "documents": results,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(table(results, [s.name for s in servers]))
    print(f"\nresults written to {args.json}")
    return 0


def table(results: dict[str, Any], names: list[str]) -> str:
    headers = ["document", "server", "first answer", "every op once", "p50 ms", "p90", "max"]
    headers += ["first x/accord", "every x/accord"]
    rows = []
    for document, found in results.items():
        for name in names:
            cell = found.get(name) or {}
            mine = found.get("accord") or {}
            over = [
                bench_mock.fmt(bench_mock.ratio(cell.get(key), mine.get(key)), 1, "x")
                if name != "accord"
                else ""
                for key in ("first_answer_s", "every_operation_s")
            ]
            first = bench_mock.fmt(cell.get("first_answer_s"), 2, " s")
            if "error" in cell and cell.get("first_answer_s") is None:
                first = "no answer"
            rows.append(
                [
                    f"{document} ({found['operations']} ops)",
                    name,
                    first,
                    bench_mock.fmt(cell.get("every_operation_s"), 2, " s"),
                    bench_mock.fmt(cell.get("first_request_p50_ms"), 1),
                    bench_mock.fmt(cell.get("first_request_p90_ms"), 1),
                    bench_mock.fmt(cell.get("first_request_max_ms"), 0),
                    *over,
                ]
            )
    return bench_mock.table(headers, rows)


if __name__ == "__main__":
    sys.exit(main())
