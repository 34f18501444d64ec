"""The designer loop: rebuild the mock when a contract (or mock file) is saved.

:class:`WatchedApp` is an ASGI app that forwards to the current
:class:`~accord.mock.MockApp` and, while the server runs, polls the watched
files' modification times. A save rebuilds the app in a worker thread (the old app
keeps answering meanwhile), then swaps it in and warms it in the background as the
first app was (``MockApp.when_served``); an edit that breaks the contract keeps the
last good app and logs the one-line diagnostic.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path

from accord._errors import AccordError
from accord.mock._app import MockApp
from accord.mock._asgi import Receive, Scope, Send

__all__ = ["WatchedApp"]


class WatchedApp:
    """Serves ``build()``'s app and rebuilds it when one of ``paths`` changes."""

    def __init__(
        self,
        build: Callable[[], MockApp],
        paths: Sequence[Path],
        log: Callable[[str], None],
        interval: float = 0.5,
        *,
        first: MockApp | None = None,
        warm_pause: float = 0.0,
    ) -> None:
        self.build = build
        self.paths = list(paths)
        self.log = log
        self.interval = interval
        #: the pause of a rebuilt app's background warm-up (see ``MockApp.warm``)
        self.warm_pause = warm_pause
        #: ``first``: the app already built (and warmed) for the first run
        self.app = first if first is not None else build()
        self._stamps = self._read_stamps()

    def _read_stamps(self) -> dict[Path, float]:
        stamps: dict[Path, float] = {}
        for path in self.paths:
            with contextlib.suppress(OSError):
                stamps[path] = path.stat().st_mtime
        return stamps

    def check(self) -> bool:
        """Rebuild if a watched file changed; True when a new app now serves (it warms up
        in a background thread)."""
        stamps = self._read_stamps()
        if stamps == self._stamps:
            return False
        self._stamps = stamps
        try:
            fresh = self.build()
        except AccordError as exc:
            self.log(f"accord mock: reload failed, still serving the last good version: {exc}")
            return False
        fresh.when_served(warm_pause=self.warm_pause)
        self.app = fresh
        fresh.served()
        self.log(f"accord mock: reloaded ({', '.join(p.name for p in self.paths)})")
        return True

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            await asyncio.to_thread(self.check)  # the event loop keeps serving the old app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        task: asyncio.Task[None] | None = None
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.app.served()
                task = asyncio.create_task(self._poll())
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
                await send({"type": "lifespan.shutdown.complete"})
                return
