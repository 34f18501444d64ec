"""accord._process: one child process started, awaited and stopped; a supervisor that
restarts a dead child with backoff while the others keep running (real processes)."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import pytest

from accord._process import Process, ProcessError, Supervisor, answers, free_port

pytestmark = pytest.mark.slow

#: a child that ignores SIGTERM, and says "ready" once it does
STUBBORN = [
    sys.executable,
    "-c",
    "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('ready', flush=True); time.sleep(60)",
]


def _server(name: str, tmp: Path) -> Process:
    port = free_port()
    return Process(
        name,
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        health=f"http://127.0.0.1:{port}/",
        cwd=tmp,
        log=tmp / f"{name}.log",
        ready_timeout=20,
    )


def test_a_process_is_ready_inside_the_block_and_stopped_after(tmp_path: Path) -> None:
    server = _server("files", tmp_path)
    with server:
        assert server.running and server.health is not None and answers(server.health)
    assert not server.running and not answers(server.health)


def test_an_early_exit_names_the_code_and_shows_the_log(tmp_path: Path) -> None:
    broken = Process(
        "broken",
        [sys.executable, "-c", "import sys; print('no config here', flush=True); sys.exit(3)"],
        health=f"http://127.0.0.1:{free_port()}/",
        log=tmp_path / "broken.log",
    )
    with pytest.raises(
        ProcessError, match=r"broken exited with 3 before it was ready \(last try: no answer"
    ) as caught:
        broken.start().wait_ready()
    assert "no config here" in str(caught.value)


def test_a_silent_process_times_out_and_is_stopped(tmp_path: Path) -> None:
    mute = Process(
        "mute",
        [sys.executable, "-c", "import time; time.sleep(60)"],
        health=f"http://127.0.0.1:{free_port()}/",
        log=tmp_path / "mute.log",
    )
    with pytest.raises(
        ProcessError, match=r"mute was not ready within 0.5 s: no < 500 answer from"
    ):
        mute.start().wait_ready(timeout=0.5)
    assert not mute.running


def test_a_declared_health_path_must_answer_2xx(tmp_path: Path) -> None:
    """Ready is a 2xx from a declared health path (a 404 there is not ready), or any answer
    below 500 from a base URL; a process never ready fails within its timeout with the
    last answer and its log's tail."""
    lenient = _server("files", tmp_path)
    lenient.health = (lenient.health or "") + "missing"
    with lenient:  # 404 from the base URL's folder: an answer
        assert lenient.running
    strict = _server("files", tmp_path)
    strict.health, strict.require_2xx = (strict.health or "") + "missing", True
    started = time.monotonic()
    with pytest.raises(
        ProcessError, match=r"no 2xx answer from .*/missing \(last answer: 404\)"
    ) as caught:
        strict.start().wait_ready(timeout=1.5)
    assert time.monotonic() - started < 5 and not strict.running
    assert '"GET /missing HTTP/1.1" 404' in str(caught.value)  # the log's tail
    (tmp_path / "missing").write_text("here now")
    with strict:
        assert strict.ready()


def test_stop_kills_what_ignores_sigterm(tmp_path: Path) -> None:
    stubborn = Process(
        "stubborn",
        STUBBORN,
        log=tmp_path / "stubborn.log",
    )
    stubborn.start()
    while "ready" not in stubborn.log_tail():
        time.sleep(0.01)
    stubborn.stop(grace=0.5)
    assert stubborn.returncode == -signal.SIGKILL


def test_the_supervisor_stops_its_children_in_one_grace_period(tmp_path: Path) -> None:
    stubborn = [
        Process(
            f"stubborn{n}",
            STUBBORN,
            log=tmp_path / f"stubborn{n}.log",
        )
        for n in range(3)
    ]
    supervisor = Supervisor(stubborn)
    for child in stubborn:
        child.start()
    for child in stubborn:
        while "ready" not in child.log_tail():
            time.sleep(0.01)
    start = time.monotonic()
    supervisor.stop(grace=1.0)
    took = time.monotonic() - start
    assert [c.returncode for c in stubborn] == [-signal.SIGKILL] * 3
    assert took < 2.0, f"three stubborn children took {took:.1f} s (one grace period is 1 s)"


def test_the_supervisor_restarts_a_killed_child_and_keeps_the_others(tmp_path: Path) -> None:
    events: list[str] = []
    first, second = _server("first", tmp_path), _server("second", tmp_path)
    supervisor = Supervisor([first, second], report=events.append, backoff=0.2)
    supervisor.start()
    try:
        old = first.pid
        assert first.proc is not None
        first.proc.send_signal(signal.SIGKILL)
        first.proc.wait(timeout=5)
        for _ in range(200):
            supervisor.poll()
            if any("is back" in e for e in events):
                break
            assert second.health is not None and answers(second.health)  # never interrupted
            time.sleep(0.05)
        assert events[0] == "first exited with -9; restarting in 0.2 s", events
        assert events[-1] == f"first is back (pid {first.pid})", events
        assert first.pid != old and first.health is not None and answers(first.health)
        assert second.running
    finally:
        supervisor.stop()
    assert not first.running and not second.running


def test_backoff_doubles_up_to_its_cap(tmp_path: Path) -> None:
    events: list[str] = []
    crashing = Process("crashing", [sys.executable, "-c", "raise SystemExit(1)"])
    supervisor = Supervisor([crashing], report=events.append, backoff=0.05, max_backoff=0.2)
    crashing.start()
    deadline = time.monotonic() + 20
    exits: list[str] = []
    while len(exits) < 5 and time.monotonic() < deadline:
        supervisor.poll()
        exits = [e for e in events if " exited with 1; " in e]
        time.sleep(0.01)
    supervisor.stop()
    delays = [e.rsplit("in ", 1)[1] for e in exits[:5]]
    assert delays == ["0.05 s", "0.1 s", "0.2 s", "0.2 s", "0.2 s"], events
