"""Side-by-side gateway benchmark: catalog directly vs through ``accord gateway`` vs nginx.

What is compared
    ``GET /products/{id}`` of the shop's catalog service (``python -m services.catalog
    --port P --db <tmp>``, one product created first) with a valid bearer token, loaded
    with ``wrk`` (2 threads, 32 connections, ``--duration`` seconds, ``--latency``, after a
    2 s warm-up), in one run:

    * ``direct``: wrk straight to the catalog service;
    * ``gateway``: through ``accord gateway`` (request validation and JWT verification on,
      as in ``contracts/accord.yaml``; the workspace is copied to a temp folder with a rate
      limit high enough never to answer 429);
    * ``nginx``: through nginx (Debian package ``nginx``) as a plain reverse proxy:
      ``worker_processes 1``, ``proxy_pass`` to the catalog with a keepalive upstream,
      ``access_log off``; conf, pid and temp paths in a temp folder.

    Every process listens on a free 127.0.0.1 port and is stopped in ``finally``.

    Each case is also run with one connection: at 32 connections every request waits
    in a queue behind the others on 2 shared cores, so p50 measures throughput there
    (Little's law), not what a hop costs. The added p50 is therefore taken at one
    connection; the 32-connection figures are reported beside it.

Why
    Issue 9 asks that the gateway add under 1 ms at p50 over the direct call and keep at
    least half of nginx's throughput.

wrk and nginx come from Debian (``apt-get install -y wrk nginx``). Run from the
repository root::

    .venv/bin/python benchmarks/bench_gateway.py [--duration 10] [--json PATH]

Results also go to ``benchmarks/results/gateway.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import http.client
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jwt
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_mock import THREADS, WARMUP_S, ensure_wrk, free_port, parse_wrk, stop, tail

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "benchmarks"
DEFAULT_RESULTS = BENCH / "results" / "gateway.json"
PYTHON = REPO / ".venv" / "bin" / "python"
SECRET = "bench-gateway-secret-that-is-long-enough-for-hs256"
CONNECTIONS = 32
START_TIMEOUT_S = 30.0
PRODUCT = {
    "sku": "CUP-BENCH",
    "name": "Espresso cup",
    "category": "kitchen",
    "price": {"amount": 1299, "currency": "EUR"},
    "initial_on_hand": 5,
}
NGINX_CONF = """\
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    upstream catalog {{
        server 127.0.0.1:{upstream};
        keepalive 64;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://catalog;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }}
    }}
}}
"""


# processes --------------------------------------------------------------------------------


def ask(
    port: int, method: str, path: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@contextlib.contextmanager
def running(
    argv: list[str], log: Path, port: int, health: str, env: dict[str, str]
) -> Iterator[subprocess.Popen[bytes]]:
    """Start ``argv`` (its own process group), wait until ``health`` answers; always stop it."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            cwd=REPO,
            env=env,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{argv[0]} exited: {tail(log.read_text(errors='replace'))}")
            try:
                ask(port, "GET", health, {})
                break
            except (OSError, http.client.HTTPException):
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{argv[0]} did not answer on :{port}") from None
                time.sleep(0.05)
        yield proc
    finally:
        stop(proc)


def ensure_nginx() -> str | None:
    for candidate in (shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and Path(candidate).exists():
            return candidate
    apt = shutil.which("apt-get")
    if apt is None:
        return None
    print("installing nginx with apt-get ...", file=sys.stderr)
    done = subprocess.run(
        [apt, "install", "-y", "nginx"], capture_output=True, timeout=600, check=False
    )
    if done.returncode != 0:
        subprocess.run([apt, "update"], capture_output=True, timeout=600, check=False)
        subprocess.run(
            [apt, "install", "-y", "nginx"], capture_output=True, timeout=600, check=False
        )
    return "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else shutil.which("nginx")


def token(manifest: Path) -> str:
    data: dict[str, Any] = yaml.safe_load(manifest.read_text())
    auth = data["gateway"]["auth"]
    doc: dict[str, Any] = yaml.safe_load((manifest.parent / "openapi" / "catalog.yaml").read_text())
    scopes: set[str] = set()
    for scheme in doc["components"]["securitySchemes"].values():
        for flow in (scheme.get("flows") or {}).values():
            scopes.update(flow.get("scopes") or {})
    now = int(time.time())
    claims = {
        "sub": "bench",
        "iss": auth["issuer"],
        "aud": auth["audience"],
        "iat": now - 10,
        "exp": now + 3600,
        "scope": " ".join(sorted(scopes)),
    }
    return jwt.encode(claims, SECRET, algorithm="HS256")


# wrk -------------------------------------------------------------------------------------


def run_wrk(
    wrk: str, port: int, path: str, script: Path, seconds: int, connections: int = CONNECTIONS
) -> dict[str, Any]:
    threads = min(THREADS, connections)
    cmd = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
           "--latency", "-s", str(script), f"http://127.0.0.1:{port}{path}"]  # fmt: skip
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60, check=False)
    if done.returncode != 0:
        return {"error": f"wrk exit {done.returncode}: {tail(done.stderr)}"}
    return parse_wrk(done.stdout)


def measure(
    name: str, wrk: str, port: int, path: str, headers: dict[str, str], script: Path, seconds: int
) -> dict[str, Any]:
    status, _ = ask(port, "GET", path, headers)
    print(f"{name}: GET {path} answers {status}; wrk {seconds} s ...", file=sys.stderr)
    run_wrk(wrk, port, path, script, WARMUP_S)
    result = run_wrk(wrk, port, path, script, seconds)
    result["status"] = status
    # latency on its own: one connection, so no request waits in a queue behind another
    single = run_wrk(wrk, port, path, script, seconds, connections=1)
    result["one_connection"] = {k: single.get(k) for k in ("rps", "p50_ms", "p99_ms")}
    return result


# report -----------------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 0, suffix: str = "") -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}{suffix}"


def _added(over: dict[str, Any], under: dict[str, Any]) -> float | None:
    if over.get("p50_ms") is None or under.get("p50_ms") is None:
        return None
    return round(float(over["p50_ms"]) - float(under["p50_ms"]), 3)


def summary(cases: dict[str, Any]) -> dict[str, Any]:
    direct, gw, ngx = (cases.get(n) or {} for n in ("direct", "gateway", "nginx"))
    one = {n: (cases.get(n) or {}).get("one_connection") or {} for n in ("direct", "gateway")}
    added = _added(one["gateway"], one["direct"])
    ratio = round(gw["rps"] / ngx["rps"], 2) if gw.get("rps") and ngx.get("rps") else None
    return {
        "gateway_added_p50_ms": added,
        "gateway_added_p50_ms_at_32_connections": _added(gw, direct),
        "nginx_added_p50_ms_at_32_connections": _added(ngx, direct),
        "gateway_over_nginx_rps": ratio,
        "target_added_p50_below_1ms": added < 1.0 if added is not None else None,
        "target_half_of_nginx": ratio >= 0.5 if ratio is not None else None,
    }


def table(cases: dict[str, Any]) -> str:
    lines = [
        "| path | req/s (32 conn.) | p50 | p99 | p50, one connection | non-2xx |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name in ("direct", "gateway", "nginx"):
        r = cases.get(name) or {}
        if "error" in r or not r:
            lines.append(f"| {name} | {r.get('error', 'n/a')} | | | | |")
            continue
        lines.append(
            f"| {name} | {fmt(r.get('rps'))} | {fmt(r.get('p50_ms'), 2, ' ms')} "
            f"| {fmt(r.get('p99_ms'), 2, ' ms')} "
            f"| {fmt((r.get('one_connection') or {}).get('p50_ms'), 2, ' ms')} "
            f"| {r.get('non_2xx_3xx', 0)} |"
        )
    return "\n".join(lines)


# main -------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per case")
    parser.add_argument("--json", type=Path, default=DEFAULT_RESULTS, help="results file")
    args = parser.parse_args(argv)
    wrk = ensure_wrk()
    if wrk is None:
        return 1
    nginx = ensure_nginx()
    cases: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-gateway-") as folder:
        tmp = Path(folder)
        shutil.copytree(REPO / "contracts", tmp / "contracts")
        manifest = tmp / "contracts" / "accord.yaml"
        data: dict[str, Any] = yaml.safe_load(manifest.read_text())
        data["gateway"]["rate_limit"] = {"requests_per_second": 10_000_000, "burst": 10_000_000}
        manifest.write_text(yaml.safe_dump(data))
        env = {**os.environ, "ACCORD_JWT_SECRET": SECRET, "PYTHONPATH": str(REPO)}
        headers = {"Authorization": f"Bearer {token(manifest)}", "Accept": "application/json"}
        script = tmp / "get.lua"
        script.write_text("".join(f'wrk.headers["{k}"] = "{v}"\n' for k, v in headers.items()))
        cport, gport, nport = free_port(), free_port(), free_port()
        catalog = [str(PYTHON), "-m", "services.catalog", "--port", str(cport),
                   "--db", str(tmp / "catalog.sqlite3")]  # fmt: skip
        gateway = [str(PYTHON), "-m", "accord", "gateway", "--port", str(gport), "--workspace",
                   str(manifest), f"--upstream=catalog=http://127.0.0.1:{cport}"]  # fmt: skip
        with running(catalog, tmp / "catalog.log", cport, "/healthz", env):
            body = json.dumps(PRODUCT).encode()
            post = {**headers, "Content-Type": "application/json"}
            status, answer = ask(cport, "POST", "/products", post, body)
            if status != 201:
                print(f"creating a product failed: {status} {answer[:300]!r}", file=sys.stderr)
                return 1
            path = f"/products/{json.loads(answer)['id']}"
            cases["direct"] = measure("direct", wrk, cport, path, headers, script, args.duration)
            with running(gateway, tmp / "gateway.log", gport, "/readyz", env):
                cases["gateway"] = measure(
                    "gateway", wrk, gport, path, headers, script, args.duration
                )
            if nginx is None:
                cases["nginx"] = {"error": "nginx not installed"}
            else:
                conf = tmp / "nginx.conf"
                conf.write_text(NGINX_CONF.format(tmp=tmp, upstream=cport, port=nport))
                argv_n = [nginx, "-c", str(conf), "-p", str(tmp), "-g", "daemon off;"]
                with running(argv_n, tmp / "nginx.log", nport, "/healthz", env):
                    cases["nginx"] = measure(
                        "nginx", wrk, nport, path, headers, script, args.duration
                    )
    nginx_version = None
    if nginx:
        done = subprocess.run([nginx, "-v"], capture_output=True, text=True, check=False)
        nginx_version = done.stderr.strip()
    result = {
        "benchmark": "gateway",
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
        },
        "wrk": {
            "threads": THREADS,
            "connections": CONNECTIONS,
            "duration_s": args.duration,
            "warmup_s": WARMUP_S,
        },
        "nginx": nginx_version,
        "request": "GET /products/{id} with a valid bearer token",
        "cases": cases,
        "summary": summary(cases),
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(table(cases))
    print(json.dumps(result["summary"], indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
