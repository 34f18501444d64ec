"""``accord broker`` at 1,000 pacticipant versions: pacts for verification and can-i-deploy.

One run seeds the same history into SQLite and into PostgreSQL (a throwaway cluster, as the
tests start one), serves each with ``accord broker`` in its own process, and times, over
HTTP with a kept-alive connection, the two questions CI asks on every build:

- ``POST /pacts/provider/shelf/for-verification`` with the selectors ``mainBranch`` and
  ``deployedOrReleased``, pending status and WIP pacts since 2000 (every branch counts);
- ``GET /matrix`` for can-i-deploy, the provider at its newest version to ``prod``, and
  a consumer version against the latest versions.

The history: 10 consumers x 100 versions (1,000 consumer versions; every tenth a new
pact content, every fifth on a feature branch, tags), 100 provider versions verifying
them (one in six failing), two environments with deployments and releases. Targets:
the median answer within 50 ms on SQLite and 100 ms on PostgreSQL; each line prints
its ratio to the target.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT)]

from tests.broker.conftest import postgres_cluster, running_broker  # noqa: E402

from accord.broker import _matrix as matrix  # noqa: E402
from accord.broker import _model as model  # noqa: E402
from accord.broker import open_database  # noqa: E402

TARGETS = {"sqlite": 0.050, "postgresql": 0.100}
CONSUMERS = 10
VERSIONS = 100


def pact(consumer: str, n: int) -> dict[str, object]:
    return {
        "consumer": {"name": consumer}, "provider": {"name": "shelf"},
        "interactions": [{"description": f"book {n // 10}", "request": {"method": "GET",
                          "path": f"/books/{n // 10}"}, "response": {"status": 200}}],
        "metadata": {"pactSpecification": {"version": "3.0.0"}},
    }  # fmt: skip


def seed(url: str) -> int:
    """Write the history; the number of pacticipant versions."""
    db = open_database(url)
    with db.transaction() as tx:
        env_ids = {}
        for name in ("prod", "test"):
            env_ids[name] = model.new_uuid()
            tx.run(
                "INSERT INTO environments (uuid, name, display_name, production, created_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (env_ids[name], name, name, int(name == "prod"), model.now()),
            )
        shas = []
        for c in range(CONSUMERS):
            consumer = f"consumer-{c}"
            model.pacticipant_id(tx, consumer, create=True)
            tx.run("UPDATE pacticipants SET main_branch = 'main' WHERE name = ?", (consumer,))
            for n in range(VERSIONS):
                number = f"{c}.{n}"
                published = model.publish_pact(
                    tx, consumer, "shelf", number, pact(consumer, n), allow_overwrite=False
                )
                shas.append(published.sha)
                pid, vid = model.ensure_version(tx, consumer, number)
                model.add_branch(tx, pid, vid, "main" if n % 5 else f"feat-{n}")
                model.add_tag(tx, vid, f"t{n % 3}")
                if n in (VERSIONS - 20, VERSIONS - 5):
                    kind = "deployed" if n == VERSIONS - 20 else "released"
                    env = env_ids["prod" if kind == "deployed" else "test"]
                    tx.run(
                        "INSERT INTO deployments (uuid, version_id, environment, kind, target,"
                        " current, created_at) VALUES (?, ?, ?, ?, NULL, 1, ?)",
                        (model.new_uuid(), vid, env, kind, model.now()),
                    )
        for s in range(VERSIONS):
            for sha in sorted(set(shas))[s % 7 :: 7]:
                matrix.record_verification(
                    tx, "shelf", sha,
                    {"success": s % 6 != 0, "providerApplicationVersion": f"s{s}",
                     "providerVersionBranch": "main"},
                )  # fmt: skip
        pid, vid = model.ensure_version(tx, "shelf", f"s{VERSIONS - 1}")
        tx.run(
            "INSERT INTO deployments (uuid, version_id, environment, kind, target, current,"
            " created_at) VALUES (?, ?, ?, 'deployed', NULL, 1, ?)",
            (model.new_uuid(), vid, env_ids["prod"], model.now()),
        )
        count = int(tx.one("SELECT COUNT(*) FROM versions")[0])
    db.close()
    return count


QUESTIONS = {
    "for-verification": (
        "POST", "/pacts/provider/shelf/for-verification",
        {"consumerVersionSelectors": [{"mainBranch": True}, {"deployedOrReleased": True}],
         "includePendingStatus": True, "providerVersionBranch": "main",
         "includeWipPactsSince": "2000-01-01"},
    ),
    "can-i-deploy provider to prod": (
        "GET", f"/matrix?q[][pacticipant]=shelf&q[][version]=s{VERSIONS - 1}&latestby=cvpv"
        "&environment=prod", None,
    ),
    "can-i-deploy consumer, latest": (
        "GET", f"/matrix?q[][pacticipant]=consumer-3&q[][version]=3.{VERSIONS - 1}"
        "&latestby=cvp&latest=true", None,
    ),
}  # fmt: skip


def measure(url: str, repeat: int) -> dict[str, float]:
    medians = {}
    with httpx.Client(base_url=url, timeout=30) as client:
        for name, (method, path, body) in QUESTIONS.items():
            times = []
            for _ in range(repeat + 3):
                started = time.perf_counter()
                answer = client.request(method, path, json=body)
                times.append(time.perf_counter() - started)
                answer.raise_for_status()
            medians[name] = statistics.median(times[3:])  # the first three warm up
            if name == "for-verification":
                print(f"    ({len(answer.json()['_embedded']['pacts'])} pacts selected)")
    return medians


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--json", type=Path, default=ROOT / "benchmarks" / "results" / "broker.json"
    )
    args = parser.parse_args()
    failed = False
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp, postgres_cluster() as pg:
        for backend, url in (("sqlite", str(Path(tmp) / "bench.sqlite3")), ("postgresql", pg)):
            count = seed(url)
            print(f"{backend}: {count} pacticipant versions")
            versions = count
            with running_broker(Path(tmp), db=url) as broker:
                for name, seconds in measure(broker, args.repeat).items():
                    ratio = seconds / TARGETS[backend]
                    failed |= ratio > 1
                    rows.append({
                        "backend": backend, "question": name, "versions": versions,
                        "median_ms": round(seconds * 1000, 1),
                        "target_ms": TARGETS[backend] * 1000, "ratio": round(ratio, 2),
                    })  # fmt: skip
                    target = TARGETS[backend] * 1000
                    figure = f"{seconds * 1000:7.1f} ms"
                    print(f"  {name:32} {figure}  ({ratio:.2f} x the {target:.0f} ms target)")
    result = {"repeat": args.repeat, "python": platform.python_version(),
              "cpus": os.cpu_count(), "met": not failed, "rows": rows}  # fmt: skip
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({"met": not failed, "written": str(args.json)}))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
