"""Child processes: start one, wait until it answers, stop it; keep several running.

- :class:`Process`: a command (argv, env, cwd) whose output goes to a log file (or is
  inherited); :meth:`Process.start`, :meth:`Process.wait_ready` (it is ready: its health
  URL answers 2xx when that is a declared health path (``require_2xx``), or anything
  below 500 when it is only the base URL; else a :class:`ProcessError` with the last
  answer and the log's tail, once it exits or the timeout is over),
  :meth:`Process.stop` (SIGTERM, then SIGKILL after a grace period). As a context manager
  it is started and ready inside the block and stopped after it.
- :class:`Supervisor`: several processes started in order; a child that dies is reported
  and restarted after an exponential backoff (doubling, capped; reset once it has stayed
  up a while), while the others keep running.
- :func:`free_port`: a free TCP port on 127.0.0.1.

``accord up``, ``accord verify`` and the tests that start real servers all use this one
piece. Standard library only (layer 0): the health check is a plain ``urllib`` GET that
ignores proxy settings.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING, Self

from accord._errors import AccordError

if TYPE_CHECKING:
    import urllib.request

__all__ = ["Process", "ProcessError", "Supervisor", "answers", "free_port", "probe"]


@functools.cache
def _direct() -> urllib.request.OpenerDirector:
    """An opener that never goes through a proxy (built on first use: urllib's import
    costs more than a short command like ``accord lint`` spends on its work)."""
    import urllib.request  # noqa: PLC0415

    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


class ProcessError(AccordError):
    """A child process exited before it answered, or did not answer in time."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def probe(url: str, timeout: float = 1.0) -> int | str:
    """The status ``url`` answers a GET with, or why there was no answer (text)."""
    import urllib.error  # noqa: PLC0415

    try:
        with _direct().open(url, timeout=timeout) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (OSError, ValueError) as exc:  # refused, reset, timed out, not HTTP yet
        reason = getattr(exc, "reason", None) or exc
        return f"no answer ({reason})"


def answers(url: str, timeout: float = 1.0) -> bool:
    """Whether ``url`` answers a GET with a status below 500."""
    status = probe(url, timeout)
    return isinstance(status, int) and status < 500


def _ready(status: int | str, require_2xx: bool) -> bool:
    if not isinstance(status, int):
        return False
    return 200 <= status < 300 if require_2xx else status < 500


@dataclass(slots=True)
class Process:
    """One child process: ``argv`` run in ``cwd`` with ``env``, its output in ``log``."""

    name: str
    argv: Sequence[str]
    health: str | None = None
    env: Mapping[str, str] | None = None
    cwd: Path | None = None
    log: Path | None = None
    ready_timeout: float = 60.0
    #: ``health`` is a declared health path: only a 2xx answer means ready (else < 500)
    require_2xx: bool = False
    proc: subprocess.Popen[bytes] | None = field(default=None, init=False, repr=False)
    started_at: float = field(default=0.0, init=False, repr=False)

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc is not None else None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def returncode(self) -> int | None:
        return self.proc.poll() if self.proc is not None else None

    def start(self) -> Self:
        """Start the command (not waiting for it to answer); output is appended to ``log``."""
        out: IO[bytes] | None = None
        if self.log is not None:
            self.log.parent.mkdir(parents=True, exist_ok=True)
            out = self.log.open("ab")  # the child keeps its own handle
        try:
            self.proc = subprocess.Popen(
                list(self.argv),
                cwd=self.cwd,
                env=dict(self.env) if self.env is not None else None,
                stdout=out,
                stderr=out,
            )
        except OSError as exc:
            raise ProcessError(f"{self.name}: cannot start {self.argv[0]}: {exc}") from None
        finally:
            if out is not None:
                out.close()
        self.started_at = time.monotonic()
        return self

    def log_tail(self, chars: int = 800) -> str:
        if self.log is None or not self.log.exists():
            return ""
        with self.log.open("rb") as handle:
            handle.seek(max(0, self.log.stat().st_size - chars))
            return handle.read().decode(errors="replace")

    def _failure(self, what: str) -> ProcessError:
        tail = self.log_tail()
        where = f" (log: {self.log})" if self.log is not None else ""
        return ProcessError(f"{self.name} {what}{where}" + (f":\n{tail}" if tail else ""))

    def ready(self, timeout: float = 1.0) -> bool:
        """Whether it is ready now (see :meth:`wait_ready`)."""
        return self.health is None or _ready(probe(self.health, timeout), self.require_2xx)

    def wait_ready(self, timeout: float | None = None) -> Self:
        """Block until it is ready: ``health`` answers 2xx (``require_2xx``) or below 500.

        :class:`ProcessError` with the last answer and the log's tail if it exits first or
        is not ready within the timeout (each probe waits at most a second for an answer,
        so a server that accepts and never answers cannot hold it past the timeout).
        """
        if self.proc is None:
            raise ProcessError(f"{self.name} was never started")
        limit = self.ready_timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        last: int | str = "no answer"
        while True:
            code = self.proc.poll()
            if code is not None:
                raise self._failure(f"exited with {code} before it was ready ({_shown(last)})")
            if self.health is None:
                return self
            last = probe(self.health, timeout=max(0.05, min(1.0, deadline - time.monotonic())))
            if _ready(last, self.require_2xx):
                return self
            if time.monotonic() > deadline:
                self.stop()
                wanted = "2xx" if self.require_2xx else "< 500"
                raise self._failure(
                    f"was not ready within {limit:g} s: no {wanted} answer from {self.health} "
                    f"({_shown(last)})"
                )
            time.sleep(0.05)

    def terminate(self) -> None:
        """SIGTERM, without waiting (see :meth:`stop`)."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.terminate()

    def stop(self, grace: float = 10.0) -> None:
        """SIGTERM, then SIGKILL if it has not exited after ``grace`` seconds."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.terminate()
            try:
                self.proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc.wait()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def __enter__(self) -> Self:
        self.start()
        try:
            return self.wait_ready()
        except BaseException:
            self.stop()
            raise

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def _shown(last: int | str) -> str:
    return f"last answer: {last}" if isinstance(last, int) else f"last try: {last}"


@dataclass(slots=True)
class _Watch:
    delay: float
    restart_at: float | None = None  # set while the child is dead and waiting for its restart
    announce: bool = False  # restarted: say so once it answers again


@dataclass(slots=True)
class Supervisor:
    """Keeps ``children`` running: a dead one is reported and restarted with backoff.

    ``report`` receives one line per event ("payments exited with -9; restarting in
    0.5 s", "payments is back"). The delay doubles after each restart, up to
    ``max_backoff``, and starts again from ``backoff`` once a child has stayed up for
    ``stable_after`` seconds.
    """

    children: list[Process]
    report: Callable[[str], None] = print
    backoff: float = 0.5
    max_backoff: float = 30.0
    stable_after: float = 30.0
    _watch: dict[str, _Watch] = field(default_factory=dict, init=False)
    _stopping: threading.Event = field(default_factory=threading.Event, init=False)

    def start(self) -> None:
        """Start every child in order, then wait until each answers; on failure stop them all."""
        try:
            for child in self.children:
                child.start()
                self._watch[child.name] = _Watch(self.backoff)
            for child in self.children:
                child.wait_ready()
        except BaseException:
            self.stop()
            raise

    def poll(self) -> None:
        """One round: report and schedule the dead, restart those whose delay is over."""
        now = time.monotonic()
        for child in self.children:
            watch = self._watch.setdefault(child.name, _Watch(self.backoff))
            if watch.restart_at is None and not child.running:
                if now - child.started_at >= self.stable_after:
                    watch.delay = self.backoff
                watch.restart_at = now + watch.delay
                self.report(
                    f"{child.name} exited with {child.returncode}; restarting in {watch.delay:g} s"
                )
                watch.delay = min(watch.delay * 2, self.max_backoff)
            elif watch.restart_at is not None and now >= watch.restart_at:
                watch.restart_at = None
                try:
                    child.start()
                except ProcessError as exc:
                    self.report(str(exc))
                    continue
                watch.announce = True
            elif watch.announce and child.running and child.ready(timeout=0.2):
                watch.announce = False
                self.report(f"{child.name} is back (pid {child.pid})")

    def run(self, interval: float = 0.2) -> None:
        """:meth:`poll` every ``interval`` seconds until :meth:`stop` is called."""
        while not self._stopping.wait(interval):
            self.poll()

    def stop(self, grace: float = 10.0) -> None:
        """Stop every child: SIGTERM to all at once (last started first), then SIGKILL to
        those still running ``grace`` seconds later, so shutdown takes one grace period at
        most, not one per child."""
        self._stopping.set()
        for child in reversed(self.children):
            child.terminate()
        deadline = time.monotonic() + grace
        for child in reversed(self.children):
            child.stop(grace=max(0.0, deadline - time.monotonic()))
