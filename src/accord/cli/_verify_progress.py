"""What ``accord verify`` shows while it runs: a live table on a terminal, plain lines in CI.

Both take :class:`accord.verify.Progress` events (from any worker thread, one at a
time) and are context managers: the live table is drawn until the run ends; the plain
log writes a "still running" line for a phase that has been quiet for a while, so a
CI log never goes silent during a long schemathesis phase.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Self, TextIO

if TYPE_CHECKING:
    from rich.console import Console
    from rich.live import Live
    from rich.table import Table

    from accord.verify import Progress

__all__ = ["LiveProgress", "PlainProgress", "wants_plain"]

#: seconds a running phase may stay quiet in a CI log before a "still running" line
HEARTBEAT = 15.0


def wants_plain(console: Console) -> bool:
    """Plain lines for CI (``CI`` set to true) and for output that is not a terminal."""
    ci = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")
    return ci or not console.is_terminal


@dataclass(slots=True)
class _Row:
    phase: str = "queued"
    status: str = "waiting"
    detail: str = ""
    since: float = field(default_factory=time.monotonic)
    done: dict[str, str] = field(default_factory=dict)  # phase -> "passed 5/5 in 6.6 s"


class _Board:
    """Where every provider is: its phase, for how long, and how its finished phases went."""

    def __init__(self) -> None:
        self.rows: dict[str, _Row] = {}
        self.started = time.monotonic()

    def update(self, event: Progress) -> _Row:
        row = self.rows.setdefault(event.provider, _Row())
        if event.phase == "start":
            return row
        if event.status == "running":
            row.phase, row.status, row.detail, row.since = (
                event.phase,
                "running",
                event.detail,
                (time.monotonic()),
            )
        elif event.phase == "done":
            row.phase, row.status, row.detail = "done", event.status, event.detail
        else:
            row.done[event.phase] = f"{event.status} {event.detail}".strip()
            row.status = event.status
        return row


class PlainProgress:
    """One line per event: ``[  12.3s] orders pact: passed (5/5 in 6.6 s)``."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.board = _Board()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._beat = threading.Thread(target=self._heartbeat, name="verify-heartbeat", daemon=True)
        self._said: dict[str, float] = {}  # provider -> when its last line was written

    def __call__(self, event: Progress) -> None:
        with self._lock:
            self.board.update(event)
            if event.phase == "start":
                text = f"{event.provider}: {event.detail}"
            elif event.phase == "done":
                text = f"{event.provider}: {event.status.upper()}"
                text += f": {event.detail.splitlines()[0]}" if event.detail else ""
            else:
                text = f"{event.provider} {event.phase}: {event.status}"
                text += f" ({event.detail})" if event.detail else ""
            self._write(text)
            self._said[event.provider] = time.monotonic()

    def _write(self, text: str) -> None:
        elapsed = time.monotonic() - self.board.started
        self.out.write(f"[{elapsed:7.1f}s] {text}\n")
        self.out.flush()

    def _heartbeat(self) -> None:
        while not self._stop.wait(1.0):
            now = time.monotonic()
            with self._lock:
                for name, row in self.board.rows.items():
                    quiet = now - self._said.get(name, now)
                    if row.status == "running" and quiet >= HEARTBEAT:
                        self._write(f"{name} {row.phase}: still running ({now - row.since:.0f} s)")
                        self._said[name] = now

    def __enter__(self) -> Self:
        self._beat.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop.set()
        self._beat.join()


class LiveProgress:
    """A table redrawn a few times a second: provider, phase, time in it, finished phases."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.board = _Board()
        self._live: Live | None = None

    def __call__(self, event: Progress) -> None:
        self.board.update(event)

    def __rich__(self) -> Table:
        from rich.table import Table  # noqa: PLC0415

        table = Table(title="accord verify", title_justify="left", expand=False)
        for column in ("provider", "now", "time", "pact", "schemathesis", "messages"):
            table.add_column(column)
        now = time.monotonic()
        colours = {"passed": "green", "failed": "red", "skipped": "yellow", "running": "cyan"}
        for name, row in self.board.rows.items():
            if row.phase == "done":
                now_text = f"[{colours.get(row.status, 'white')}]{row.status}[/]"
                clock = ""
            elif row.status == "running":
                now_text = f"[cyan]{row.phase}[/] {row.detail}"
                clock = f"{now - row.since:.0f} s"
            else:
                now_text, clock = row.phase, ""
            finished = [row.done.get(p, "") for p in ("pact", "schemathesis", "messages")]
            cells = [
                f"[{colours.get(text.split(' ')[0], 'white')}]{text}[/]" if text else ""
                for text in finished
            ]
            table.add_row(name, now_text, clock, *cells)
        table.caption = f"{now - self.board.started:.0f} s"
        return table

    def __enter__(self) -> Self:
        from rich.live import Live  # noqa: PLC0415

        self._live = Live(self, console=self.console, refresh_per_second=4, transient=True)
        self._live.__enter__()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._live is not None:
            self._live.__exit__(kind, exc, tb)
