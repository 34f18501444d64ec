"""Child processes: start one, wait until it answers, stop it; keep several running.

- :class:`Process`: a command (argv, env, cwd) whose output goes to a log file (or is
  inherited); :meth:`Process.start`, :meth:`Process.wait_ready` (its health URL answers,
  or a :class:`ProcessError` with the log's tail if it exits first or takes too long),
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

__all__ = ["Process", "ProcessError", "Supervisor", "answers", "free_port"]


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


def answers(url: str, timeout: float = 1.0) -> bool:
    """Whether ``url`` answers a GET with a status below 500."""
    import urllib.error  # noqa: PLC0415

    try:
        with _direct().open(url, timeout=timeout) as response:
            return int(response.status) < 500
    except urllib.error.HTTPError as exc:
        return exc.code < 500
    except (OSError, ValueError):  # refused, reset, timed out, not HTTP yet
        return False


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

    def wait_ready(self, timeout: float | None = None) -> Self:
        """Block until ``health`` answers; :class:`ProcessError` if it exits or times out."""
        if self.proc is None:
            raise ProcessError(f"{self.name} was never started")
        limit = self.ready_timeout if timeout is None else timeout
        deadline = time.monotonic() + limit
        while True:
            code = self.proc.poll()
            if code is not None:
                raise self._failure(f"exited with {code} before answering")
            if self.health is None or answers(self.health, timeout=1.0):
                return self
            if time.monotonic() > deadline:
                self.stop()
                raise self._failure(f"did not answer on {self.health} within {limit:g} s")
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
            elif (
                watch.announce
                and child.running
                and (child.health is None or answers(child.health, timeout=0.2))
            ):
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
