"""Side-by-side publish throughput on NATS: ``accord mock`` against a bare FastStream publisher.

What is compared
    The same messages (the shop's ``contracts/asyncapi/orders.yaml``: what ``accord mock``
    plans for its three ``send`` channels, ``--count N`` each, examples with their headers)
    published as fast as each publisher can (the mock's ``--rate 0``) to a NATS server
    started here on a free port (``nats-server -js``, its store in a temporary folder):

    * ``accord mock``: :class:`accord.mock.EventMock` ``run()``, in this process, its own
      connection (nats-py), exactly as the served mock publishes;
    * a bare FastStream publisher: ``NatsBroker.publish(body, subject, headers=...)`` in
      a loop (what a FastStream service writes);
    * the floor: bare nats-py ``Client.publish`` in a loop.

    ``nats bench`` (the NATS CLI) is run too when it is installed (``which nats``).

    A subscriber in another process receives every message and records when each
    arrived (``time.monotonic()``, one clock for every process of the machine). Per
    publisher and round: **throughput** (messages / seconds from the first publish to
    the last arrival), the publisher's own **loop** rate (first call to the return of
    the last: what it could give a faster subscriber), **publish call** p50/p99 (how
    long one ``publish`` takes to return: what the publishing code waits for), and
    **delivery** p50/p99 (publish to arrival at the subscriber, matched by order: one
    connection, one subscriber, NATS keeps the order). Two runs: flat out (delivery
    then measures the backlog a subscriber works through), and paced (``--paced-rate``
    per channel, the mock's ``--rate``, the others on the same schedule: delivery is
    the broker's latency). Publishers take turns, ``--rounds`` times; the median round
    (by throughput) is reported.

Run from the repository root::

    .venv/bin/python benchmarks/bench_mock_events.py [--count 10000] [--rounds 3] [--json PATH]

Results also go to ``benchmarks/results/mock_events.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.metadata
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CONTRACT = REPO / "contracts" / "asyncapi" / "orders.yaml"
DEFAULT_RESULTS = REPO / "benchmarks" / "results" / "mock_events.json"

Message = tuple[str, bytes, dict[str, str]]


# the subscriber (run as its own process) -------------------------------------------------
async def _subscribe(url: str, total: int, out: Path, ready: Path) -> None:
    import nats  # noqa: PLC0415

    arrivals: list[float] = []
    done = asyncio.Event()

    async def on_message(_msg: Any) -> None:
        arrivals.append(time.monotonic())
        if len(arrivals) >= total:
            done.set()

    conn = await nats.connect(url, pending_size=1 << 30)
    await conn.subscribe("orders.>", cb=on_message, pending_msgs_limit=total + 1,
                         pending_bytes_limit=1 << 30)  # fmt: skip
    await conn.flush()
    ready.write_text("ready")
    try:
        await asyncio.wait_for(done.wait(), 300)
    finally:
        out.write_text(json.dumps(arrivals))
        await conn.close()


class Subscriber:
    """``python bench_mock_events.py --subscribe URL N OUT READY`` as a context manager."""

    def __init__(self, url: str, total: int, folder: Path) -> None:
        self.out, self.ready = folder / "arrivals.json", folder / "ready"
        for path in (self.out, self.ready):
            path.unlink(missing_ok=True)
        argv = [sys.executable, __file__, "--subscribe", url, str(total), str(self.out),
                str(self.ready)]  # fmt: skip
        self.proc = subprocess.Popen(argv)

    def __enter__(self) -> Subscriber:
        deadline = time.monotonic() + 20
        while not self.ready.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the subscriber did not start")
            time.sleep(0.02)
        return self

    def arrivals(self) -> list[float]:
        self.proc.wait(320)
        return list(json.loads(self.out.read_text()))

    def __exit__(self, *_exc: object) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


# the publishers ----------------------------------------------------------------------------
class _Timed:
    """A nats-py connection whose ``publish`` records when each call started and ended."""

    def __init__(self, conn: Any, starts: list[float], calls: list[float]) -> None:
        self._conn, self._starts, self._calls = conn, starts, calls

    async def publish(self, subject: str, payload: bytes = b"", **kwargs: Any) -> None:
        started = time.monotonic()
        await self._conn.publish(subject, payload, **kwargs)
        self._starts.append(started)
        self._calls.append(time.monotonic() - started)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


async def run_mock(
    url: str, count: int, rate: float, starts: list[float], calls: list[float]
) -> None:
    """``accord mock``'s own publishing (EventMock.run), its connection timed."""
    import nats  # noqa: PLC0415

    from accord.core import AsyncContract  # noqa: PLC0415
    from accord.mock import EventMock, EventMockConfig  # noqa: PLC0415

    mock = EventMock(AsyncContract.from_path(CONTRACT), EventMockConfig(url, count, rate, 7))
    connect = nats.connect

    async def timed_connect(*args: Any, **kwargs: Any) -> Any:
        return _Timed(await connect(*args, **kwargs), starts, calls)

    nats.connect = timed_connect
    try:
        task = asyncio.create_task(mock.run())
        await mock.done.wait()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    finally:
        nats.connect = connect


async def _slot(index: int, interval: float, started: float) -> None:
    """Wait for message ``index``'s slot on the clock (the mock's own pacing rule)."""
    if interval:
        wait = started + index * interval - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)


async def _publish_all(
    publish: Callable[[str, bytes, dict[str, str] | None], Coroutine[Any, Any, Any]],
    messages: list[Message],
    starts: list[float],
    calls: list[float],
    interval: float,
) -> None:
    """``publish`` each message in its slot, recording when each call started and how long
    it took."""
    clock = time.monotonic()
    for index, (subject, body, headers) in enumerate(messages):
        await _slot(index, interval, clock)
        started = time.monotonic()
        await publish(subject, body, headers or None)
        starts.append(started)
        calls.append(time.monotonic() - started)


async def run_faststream(
    url: str, messages: list[Message], starts: list[float], calls: list[float], interval: float
) -> None:
    from faststream.nats import NatsBroker  # noqa: PLC0415

    broker = NatsBroker(url)
    await broker.start()

    async def publish(subject: str, body: bytes, headers: dict[str, str] | None) -> None:
        await broker.publish(body, subject, headers=headers)

    try:
        await _publish_all(publish, messages, starts, calls, interval)
    finally:
        await broker.stop()


async def run_nats_py(
    url: str, messages: list[Message], starts: list[float], calls: list[float], interval: float
) -> None:
    import nats  # noqa: PLC0415

    conn = await nats.connect(url)

    async def publish(subject: str, body: bytes, headers: dict[str, str] | None) -> None:
        await conn.publish(subject, body, headers=headers)

    try:
        await _publish_all(publish, messages, starts, calls, interval)
        await conn.flush()
    finally:
        await conn.close()


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def measure(
    name: str,
    url: str,
    total: int,
    folder: Path,
    publish: Callable[[list[float], list[float]], Coroutine[Any, Any, None]],
) -> dict[str, float]:
    starts: list[float] = []
    calls: list[float] = []
    with Subscriber(url, total, folder) as subscriber:
        asyncio.run(publish(starts, calls))
        arrivals = subscriber.arrivals()
    if len(arrivals) != total or len(starts) != total:
        raise SystemExit(f"{name}: {len(starts)} published, {len(arrivals)} arrived of {total}")
    seconds = arrivals[-1] - starts[0]
    delivery = [a - s for a, s in zip(arrivals, starts, strict=True)]
    return {
        "messages": total,
        "seconds": seconds,
        "per_second": total / seconds,
        # the publisher alone: its first call to the return of its last
        "loop_per_second": total / (starts[-1] + calls[-1] - starts[0]),
        "call_p50_us": _percentile(calls, 0.5) * 1e6,
        "call_p99_us": _percentile(calls, 0.99) * 1e6,
        "delivery_p50_ms": _percentile(delivery, 0.5) * 1e3,
        "delivery_p99_ms": _percentile(delivery, 0.99) * 1e3,
    }


def nats_bench(url: str, total: int, size: int) -> dict[str, Any] | None:
    """``nats bench`` publishing ``total`` messages of ``size`` bytes, when the CLI exists."""
    cli = shutil.which("nats")
    if cli is None:
        return None
    argv = [cli, "bench", "orders.bench", "--server", url, "--pub", "1", "--msgs", str(total),
            "--size", str(size), "--no-progress"]  # fmt: skip
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    return {"command": " ".join(argv), "output": proc.stdout + proc.stderr}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=10000, help="messages per channel")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--paced-rate", type=float, default=500.0, help="per channel")
    parser.add_argument("--paced-seconds", type=float, default=3.0)
    parser.add_argument("--json", type=Path, default=DEFAULT_RESULTS)
    parser.add_argument("--subscribe", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.subscribe:
        url, total, out, ready = args.subscribe
        asyncio.run(_subscribe(url, int(total), Path(out), Path(ready)))
        return 0

    sys.path.insert(0, str(REPO / "src"))
    from accord._process import Process  # noqa: PLC0415
    from accord.core import AsyncContract  # noqa: PLC0415
    from accord.mock import EventMock, EventMockConfig  # noqa: PLC0415
    from accord.workspace import nats_server  # noqa: PLC0415

    def plan(count: int, rate: float) -> tuple[list[Message], float]:
        mock = EventMock(AsyncContract.from_path(CONTRACT), EventMockConfig("", count, rate, 7))
        return mock.planned(), mock.interval

    def publishers(
        count: int, rate: float
    ) -> dict[str, Callable[[str], Callable[[list[float], list[float]], Any]]]:
        messages, interval = plan(count, rate)
        return {
            "accord mock": lambda url: lambda s, c: run_mock(url, count, rate, s, c),
            "bare FastStream": lambda url: (
                lambda s, c: run_faststream(url, messages, s, c, interval)
            ),
            "bare nats-py": lambda url: lambda s, c: run_nats_py(url, messages, s, c, interval),
        }

    messages, _ = plan(args.count, 0.0)
    total = len(messages)
    size = round(statistics.mean(len(body) for _s, body, _h in messages))
    paced_count = max(1, round(args.paced_rate * args.paced_seconds))
    runs = {
        "flat out": (total, publishers(args.count, 0.0)),
        f"paced, {args.paced_rate:g}/s per channel": (
            len(plan(paced_count, args.paced_rate)[0]),
            publishers(paced_count, args.paced_rate),
        ),
    }
    rounds: dict[str, dict[str, list[dict[str, float]]]] = {
        run: {name: [] for name in found} for run, (_n, found) in runs.items()
    }
    with tempfile.TemporaryDirectory(prefix="bench-mock-events-") as scratch:
        folder = Path(scratch)
        broker = nats_server(folder / "jetstream")
        if broker is None:
            print("nats-server is not installed (make setup installs it)", file=sys.stderr)
            return 2
        with Process("nats", broker.argv, broker.health, log=folder / "nats.log"):
            for _ in range(args.rounds):
                for run, (count, found) in runs.items():
                    for name, publisher in found.items():
                        rounds[run][name].append(measure(name, broker.url, count, folder,
                                                         publisher(broker.url)))  # fmt: skip
            cli = nats_bench(broker.url, total, size)
    best = {
        run: {
            name: sorted(found, key=lambda r: r["per_second"])[len(found) // 2]
            for name, found in by_name.items()
        }
        for run, by_name in rounds.items()
    }
    print(f"~{size} B messages, {args.rounds} round(s), median round")
    header = ("publisher", "msg/s", "vs mock", "loop msg/s", "call p50", "call p99",
              "delivery p50", "delivery p99")  # fmt: skip
    for run, rows in best.items():
        print(f"\n{run}: {runs[run][0]} messages")
        print(f"{header[0]:16} {header[1]:>9} {header[2]:>8} {header[3]:>11} {header[4]:>10} "
              f"{header[5]:>10} {header[6]:>13} {header[7]:>13}")  # fmt: skip
        mock = rows["accord mock"]["per_second"]
        for name, row in rows.items():
            print(
                f"{name:16} {row['per_second']:9,.0f} {row['per_second'] / mock:7.2f}x "
                f"{row['loop_per_second']:11,.0f} "
                f"{row['call_p50_us']:8.1f}us {row['call_p99_us']:8.1f}us "
                f"{row['delivery_p50_ms']:11.2f}ms {row['delivery_p99_ms']:11.2f}ms"
            )
    print("\nnats bench: " + ("not installed (no `nats` CLI)" if cli is None else cli["output"]))
    result = {
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "load_average": os.getloadavg(),
        },
        "versions": {name: importlib.metadata.version(name) for name in ("faststream", "nats-py")},
        "messages": {run: count for run, (count, _found) in runs.items()},
        "mean_size_bytes": size,
        "median_round": best,
        "rounds": rounds,
        "nats_bench": cli,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
