"""Side-by-side mock-server benchmark: ``accord mock`` against Stoplight Prism and a bare app.

What is compared
    Three servers on the shop's orders contract (``contracts/openapi/orders.yaml``), each
    started on a free 127.0.0.1 port and loaded with ``wrk`` (2 threads, 32 connections,
    ``--duration`` seconds per case, ``--latency``):

    * ``accord mock contracts/openapi/orders.yaml --port P -q`` (granian, HTTP/1.1, uvloop);
    * ``prism mock -h 127.0.0.1 -p P contracts/openapi/orders.yaml`` (``@stoplight/prism-cli@5``);
    * a bare uvicorn app answering every request with a fixed JSON (``benchmarks/bare_app.py``,
      httptools, uvloop, one worker, ``--log-level warning``, no access log): the ceiling.

    The cases are ``get`` (``GET /orders/{id}``, answered from the contract's example),
    ``post`` (``POST /orders`` with the contract's example body and a bearer token, so the
    mock validates it and answers 201) and ``invalid`` (``POST /orders`` with a body that
    breaks the schema in several places, so the mock answers 400/422 listing the errors).
    Before each case the status each server answers is checked once, and wrk's count of
    non-2xx/3xx answers and socket errors is kept.

    It also times the start-up of ``accord mock`` (and Prism) on the Stripe document of the
    corpus: from the process start to the first answered HTTP request.

Why
    Prism is the mock server OpenAPI users know; issue 5 asks for at least 5x its throughput
    on every case, at least 40% of the bare ceiling, and a p99 latency below Prism's.

wrk comes from Debian (``apt-get install -y wrk``; ``apt-get update`` first only if that
fails). Prism is installed with npm into ``benchmarks/.cache/prism/`` on first use. Without
wrk nothing can be measured (exit 1); without Prism the script says why, shows it as
``n/a`` and measures the rest.

Run from the repository root::

    .venv/bin/python benchmarks/bench_mock.py [--duration 10] [--no-prism] [--no-startup]
                                              [--json PATH]

Results also go to ``benchmarks/results/mock.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"
PRISM_DIR = BENCH / ".cache" / "prism"
PRISM_BIN = PRISM_DIR / "node_modules" / ".bin" / "prism"
PRISM_PACKAGE = "@stoplight/prism-cli@5"
CONTRACT = REPO / "contracts" / "openapi" / "orders.yaml"
DEFAULT_RESULTS = BENCH / "results" / "mock.json"
DEFAULT_CORPUS = REPO / ".." / "shared" / "corpus" / "openapi"
STRIPE = "stripe/spec3-2023-08-09.yaml"
#: a Stripe operation without required parameters; any HTTP answer counts as "answered"
STRIPE_PROBE = "/v1/balance"
PYTHON = REPO / ".venv" / "bin" / "python"
ACCORD = REPO / ".venv" / "bin" / "accord"

THREADS = 2
CONNECTIONS = 32
WARMUP_S = 2
START_TIMEOUT_S = 60.0
STRIPE_TIMEOUT_S = 240.0

VALID_BODY = {  # the contract's own requestBody example
    "customer_id": "cus_9dLw3Rt7Yb2e",
    "customer_email": "ada@example.com",
    "currency": "EUR",
    "lines": [
        {"product_id": "prd_7Hx2Kq9LmN4p", "quantity": 2},
        {"product_id": "prd_B3nV5cX8zL1k", "quantity": 1},
    ],
    "payment_token": "tok_visa4242AbCdEf",
}
INVALID_BODY = {  # wrong type, bad pattern, empty lines, a stray property, no payment_token
    "customer_id": 42,
    "currency": "euro",
    "lines": [],
    "coupon": "FREE",
}


@dataclass(slots=True, frozen=True)
class Case:
    """One request shape that wrk repeats."""

    name: str
    method: str
    path: str
    body: bytes | None
    expect: tuple[int, ...]

    @property
    def headers(self) -> dict[str, str]:
        out = {"Authorization": "Bearer x", "Accept": "application/json"}
        if self.body is not None:
            out["Content-Type"] = "application/json"
        return out


CASES = (
    Case("get", "GET", "/orders/ord_Q4m8TzR2vW6y", None, (200,)),
    Case("post", "POST", "/orders", json.dumps(VALID_BODY).encode(), (200, 201)),
    Case("invalid", "POST", "/orders", json.dumps(INVALID_BODY).encode(), (400, 422)),
)


@dataclass(slots=True, frozen=True)
class Server:
    """How to start one of the compared servers on a given port."""

    name: str
    argv: tuple[str, ...]  # "{port}" is replaced

    def command(self, port: int, contract: Path) -> list[str]:
        return [a.format(port=port, contract=contract) for a in self.argv]


ACCORD_SERVER = Server("accord", (str(ACCORD), "mock", "{contract}", "--port", "{port}", "-q"))
PRISM_SERVER = Server(
    "prism", (str(PRISM_BIN), "mock", "-h", "127.0.0.1", "-p", "{port}", "{contract}")
)
BARE_SERVER = Server(
    "bare",
    (
        str(PYTHON),
        "-m",
        "uvicorn",
        "--app-dir",
        str(BENCH),
        "bare_app:app",
        "--host",
        "127.0.0.1",
        "--port",
        "{port}",
        "--http",
        "httptools",
        "--loop",
        "uvloop",
        "--workers",
        "1",
        "--log-level",
        "warning",
        "--no-access-log",
    ),
)


# processes --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ask(port: int, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> int:
    """One request; returns the status (raises ``OSError`` when nothing answers)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@contextlib.contextmanager
def running(
    server: Server, contract: Path, log: Path
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """Start ``server`` on a free port (its own process group) and always stop it."""
    port = free_port()
    with log.open("wb") as out:
        proc = subprocess.Popen(
            server.command(port, contract),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=REPO,
            start_new_session=True,
        )
    try:
        yield port, proc
    finally:
        stop(proc)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def wait_answering(
    port: int, proc: subprocess.Popen[bytes], path: str, timeout: float
) -> float | None:
    """Seconds until ``GET path`` gets any HTTP answer; ``None`` on exit or timeout."""
    start = time.perf_counter()
    deadline = start + timeout
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            return None
        try:
            ask(port, "GET", path, None, {"Authorization": "Bearer x"})
            return time.perf_counter() - start
        except (OSError, http.client.HTTPException):
            time.sleep(0.02)
    return None


# wrk -------------------------------------------------------------------------------------


def ensure_wrk() -> str | None:
    """The wrk binary, installed from Debian when missing; ``None`` when it cannot be had."""
    found = shutil.which("wrk")
    if found:
        return found
    apt = shutil.which("apt-get")
    if apt is None:
        print("wrk is not installed and apt-get is not available", file=sys.stderr)
        return None
    install = [apt, "install", "-y", "wrk"]
    print("installing wrk with apt-get ...", file=sys.stderr)
    done = subprocess.run(install, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        subprocess.run([apt, "update"], capture_output=True, timeout=600, check=False)
        done = subprocess.run(install, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        print(f"apt-get install wrk failed: {tail(done.stderr)}", file=sys.stderr)
    return shutil.which("wrk")


def lua_script(case: Case, folder: Path) -> Path:
    lines = [f'wrk.method = "{case.method}"']
    for name, value in case.headers.items():
        lines.append(f'wrk.headers["{name}"] = "{value}"')
    if case.body is not None:
        lines.append(f"wrk.body = {json.dumps(case.body.decode())}")
    path = folder / f"{case.name}.lua"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def to_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text.strip())
    if match is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(match.group(1)) * _UNITS[match.group(2)]


def parse_wrk(output: str) -> dict[str, Any]:
    """Requests/s, latency percentiles, and error counts from ``wrk --latency`` output."""
    found: dict[str, Any] = {}
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    found["rps"] = round(float(rps.group(1)), 1) if rps else None
    for pct in ("50", "75", "90", "99"):
        match = re.search(rf"^\s+{pct}%\s+(\S+)", output, re.MULTILINE)
        found[f"p{pct}_ms"] = round(to_ms(match.group(1)), 3) if match else None
    total = re.search(r"(\d+) requests in", output)
    found["requests"] = int(total.group(1)) if total else None
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    found["non_2xx_3xx"] = int(non2xx.group(1)) if non2xx else 0
    errors = re.search(r"Socket errors: (.+)", output)
    found["socket_errors"] = errors.group(1).strip() if errors else None
    return found


def run_wrk(wrk: str, port: int, case: Case, script: Path, seconds: int) -> dict[str, Any]:
    cmd = [
        wrk,
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        "--timeout",
        "5s",
        "--latency",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}{case.path}",
    ]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if done.returncode != 0:
        return {"error": f"wrk exit {done.returncode}: {tail(done.stderr)}"}
    return parse_wrk(done.stdout)


# one server, all cases -------------------------------------------------------------------


def bench_server(
    server: Server, wrk: str, scripts: dict[str, Path], seconds: int, logs: Path
) -> dict[str, Any]:
    print(f"{server.name}: starting ...", file=sys.stderr)
    with running(server, CONTRACT, logs / f"{server.name}.log") as (port, proc):
        ready = wait_answering(port, proc, CASES[0].path, START_TIMEOUT_S)
        if ready is None:
            log = (logs / f"{server.name}.log").read_text(errors="replace")
            return {"error": f"did not answer within {START_TIMEOUT_S:.0f} s: {tail(log)}"}
        out: dict[str, Any] = {"ready_s": round(ready, 3)}
        for case in CASES:
            try:
                status = ask(port, case.method, case.path, case.body, case.headers)
            except (OSError, http.client.HTTPException) as exc:
                out[case.name] = {"error": f"probe failed: {exc}"}
                continue
            print(
                f"{server.name}: {case.name} answers {status}; wrk {seconds} s ...", file=sys.stderr
            )
            run_wrk(wrk, port, case, scripts[case.name], WARMUP_S)  # warm caches and JIT
            result = run_wrk(wrk, port, case, scripts[case.name], seconds)
            result["status"] = status
            result["status_as_expected"] = server.name == "bare" or status in case.expect
            out[case.name] = result
        return out


def startup(server: Server, stripe: Path, logs: Path) -> dict[str, Any]:
    """Process start to first answered request on the Stripe document."""
    print(f"{server.name}: start-up on {stripe.name} ...", file=sys.stderr)
    with running(server, stripe, logs / f"{server.name}-stripe.log") as (port, proc):
        seconds = wait_answering(port, proc, STRIPE_PROBE, STRIPE_TIMEOUT_S)
        if seconds is None:
            log = (logs / f"{server.name}-stripe.log").read_text(errors="replace")
            return {"error": f"no answer within {STRIPE_TIMEOUT_S:.0f} s: {tail(log)}"}
        status = ask(port, "GET", STRIPE_PROBE, None, {"Authorization": "Bearer x"})
        return {"seconds": round(seconds, 2), "probe": f"GET {STRIPE_PROBE}", "status": status}


# Prism install ----------------------------------------------------------------------------


def ensure_prism() -> tuple[bool, str]:
    if not PRISM_BIN.exists():
        npm = shutil.which("npm")
        if npm is None:
            return False, "npm not found on PATH"
        print(f"installing {PRISM_PACKAGE} into {PRISM_DIR} ...", file=sys.stderr)
        PRISM_DIR.mkdir(parents=True, exist_ok=True)
        cmd = [npm, "install", "--prefix", str(PRISM_DIR), PRISM_PACKAGE, "--no-audit", "--no-fund"]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=900, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return False, f"npm install failed: {exc}"
        if done.returncode != 0 or not PRISM_BIN.exists():
            return False, f"npm install failed (exit {done.returncode}): {tail(done.stderr)}"
    try:
        done = subprocess.run(
            [str(PRISM_BIN), "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"prism cannot run: {exc}"
    if done.returncode != 0:
        return False, f"prism --version failed: {tail(done.stderr)}"
    return True, f"prism {done.stdout.strip()}"


# report -----------------------------------------------------------------------------------


def tail(text: str, lines: int = 3) -> str:
    return " | ".join(text.strip().splitlines()[-lines:])


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a and b else None


def ratios(servers: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    accord = servers.get("accord") or {}
    for case in CASES:
        mine = accord.get(case.name) or {}
        prism = (servers.get("prism") or {}).get(case.name) or {}
        bare = (servers.get("bare") or {}).get(case.name) or {}
        out[case.name] = {
            "accord_over_prism": ratio(mine.get("rps"), prism.get("rps")),
            "accord_over_bare": ratio(mine.get("rps"), bare.get("rps")),
            "p99_accord_below_prism": (
                mine["p99_ms"] < prism["p99_ms"]
                if mine.get("p99_ms") is not None and prism.get("p99_ms") is not None
                else None
            ),
        }
    return out


def fmt(value: float | None, digits: int = 0, suffix: str = "") -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}{suffix}"


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        return "  ".join([first, *(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))])

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


def results_table(servers: dict[str, Any], rat: dict[str, Any]) -> str:
    headers = ["case", "server", "status", "req/s", "p50 ms", "p99 ms", "non-2xx", "accord/x"]
    rows = []
    for case in CASES:
        for name in ("accord", "prism", "bare"):
            cell = (servers.get(name) or {}).get(case.name) or {}
            over = ""
            if name == "prism":
                over = fmt(rat[case.name]["accord_over_prism"], 2, "x")
            elif name == "bare":
                over = fmt(rat[case.name]["accord_over_bare"], 2, "x")
            rows.append(
                (
                    case.name,
                    name,
                    str(cell.get("status", "n/a")),
                    fmt(cell.get("rps")),
                    fmt(cell.get("p50_ms"), 2),
                    fmt(cell.get("p99_ms"), 2),
                    fmt(cell.get("non_2xx_3xx")),
                    over,
                )
            )
    return table(headers, rows)


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
    node = shutil.which("node")
    if node:
        done = subprocess.run([node, "--version"], capture_output=True, text=True, check=False)
        info["node"] = done.stdout.strip()
    wrk = shutil.which("wrk")
    if wrk:
        done = subprocess.run([wrk, "--version"], capture_output=True, text=True, check=False)
        info["wrk"] = (done.stdout or done.stderr).splitlines()[0].strip()
    return info


# entry point ----------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per case")
    parser.add_argument("--no-prism", action="store_true", help="skip Prism")
    parser.add_argument("--no-startup", action="store_true", help="skip the Stripe start-up")
    parser.add_argument(
        "--json", type=Path, default=DEFAULT_RESULTS, help="where to write the results"
    )
    args = parser.parse_args(argv)
    if not 1 <= args.duration <= 120:
        parser.error("--duration must be between 1 and 120 seconds")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    wrk = ensure_wrk()
    if wrk is None:
        print("bench_mock: wrk is unavailable; nothing can be measured", file=sys.stderr)
        return 1
    prism_ok, prism_status = (False, "disabled (--no-prism)")
    if not args.no_prism:
        prism_ok, prism_status = ensure_prism()
    if not prism_ok:
        print(f"Prism: n/a ({prism_status}); measuring Accord and bare only.", file=sys.stderr)
    load_before = round(os.getloadavg()[0], 2)
    chosen = [BARE_SERVER, ACCORD_SERVER, *([PRISM_SERVER] if prism_ok else [])]
    servers: dict[str, Any] = {}
    starts: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-mock-") as tmp:
        folder = Path(tmp)
        scripts = {case.name: lua_script(case, folder) for case in CASES}
        for server in chosen:
            servers[server.name] = bench_server(server, wrk, scripts, args.duration, folder)
        stripe = Path(os.environ.get("ACCORD_CORPUS") or DEFAULT_CORPUS).resolve() / STRIPE
        if args.no_startup:
            pass
        elif not stripe.is_file():
            print(f"skipping start-up: {stripe} not found", file=sys.stderr)
        else:
            for server in (ACCORD_SERVER, *([PRISM_SERVER] if prism_ok else [])):
                starts[server.name] = startup(server, stripe, folder)
    rat = ratios(servers)
    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "contract": str(CONTRACT.relative_to(REPO)),
        "wrk": {"threads": THREADS, "connections": CONNECTIONS, "duration_s": args.duration},
        "prism": prism_status,
        "load_average_1m": {"before": load_before, "after": round(os.getloadavg()[0], 2)},
        "cases": {c.name: {"method": c.method, "path": c.path} for c in CASES},
        "servers": servers,
        "ratios": rat,
        "startup_stripe": starts,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(
        f"accord mock vs {prism_status} vs bare uvicorn; wrk -t{THREADS} -c{CONNECTIONS} "
        f"-d{args.duration}s, orders contract"
    )
    print(results_table(servers, rat))
    for name, found in starts.items():
        shown = f"{found['seconds']:.2f} s" if "seconds" in found else found["error"]
        print(f"start-up to first answer, {STRIPE}: {name} {shown}")
    for name, found in servers.items():
        for key, value in found.items():
            if isinstance(value, dict) and "error" in value:
                print(f"note: {name} {key}: {value['error']}")
        if "error" in found:
            print(f"note: {name}: {found['error']}")
    print(f"\nresults written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
